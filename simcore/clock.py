"""Virtual time.

Controllers never read the wall clock: a cluster's time is a number of
seconds since its start, advanced by the simulation (by hand in tests, at
real speed times a factor in the web app). Timers are plain data
`(when, seq, controller, key)`: when one fires, the named controller's queue
gets the key and its `sync(key)` decides what is due. Data, not callbacks,
so the whole clock can be saved with the cluster and restored.

Background timers (controllers in `BACKGROUND`: the prober's periodic runs of a
failing probe) live in a heap of their own. They fire when time passes like any
other, but they are not work the cluster is waiting for: `next_work_due` skips
them, so "run until idle" ends although a failing probe will tick forever.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, timedelta

EPOCH = datetime(2021, 5, 1, 9, 0, 0, tzinfo=UTC)
BACKGROUND = frozenset({"prober"})


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime = EPOCH, elapsed: float = 0.0):
        self.start = start
        self.elapsed = elapsed
        self._timers: list[tuple[float, int, str, str]] = []
        self._background: list[tuple[float, int, str, str]] = []
        self._seq = 0
        self._pending: set[tuple[float, str, str]] = set()

    @property
    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def timestamp(self, offset: float = 0.0) -> str:
        when = self.elapsed + offset
        cached: tuple[float, str] | None = self.__dict__.get("_stamp")
        if cached is not None and cached[0] == when:
            return cached[1]
        text = rfc3339(self.start + timedelta(seconds=when))
        self._stamp = (when, text)
        return text

    def seconds_since(self, stamp: str | None) -> float:
        """Seconds from an RFC3339 stamp to now (0 for a missing stamp)."""
        if not stamp:
            return 0.0
        return (self.now - parse_time(stamp)).total_seconds()

    def call_later(self, delay: float, controller: str, key: str) -> None:
        self.call_at(self.elapsed + max(delay, 0.0), controller, key)

    def call_at(self, when: float, controller: str, key: str) -> None:
        when = round(when, 6)
        if (when, controller, key) in self._pending:
            return
        self._pending.add((when, controller, key))
        self._seq += 1
        heap = self._background if controller in BACKGROUND else self._timers
        heapq.heappush(heap, (when, self._seq, controller, key))

    def next_due(self) -> float | None:
        heads = [h[0][0] for h in (self._timers, self._background) if h]
        return min(heads) if heads else None

    def next_work_due(self) -> float | None:
        """The next timer that is not a background one."""
        return self._timers[0][0] if self._timers else None

    def pop_due(self) -> list[tuple[str, str]]:
        """Every timer due at or before now, in order."""
        due = []
        for heap in (self._timers, self._background):
            while heap and heap[0][0] <= self.elapsed + 1e-9:
                when, seq, controller, key = heapq.heappop(heap)
                self._pending.discard((when, controller, key))
                due.append((when, seq, controller, key))
        return [(controller, key) for _w, _s, controller, key in sorted(due)]

    def pending(self) -> int:
        return len(self._timers) + len(self._background)

    def timers(self) -> list[tuple[float, str, str]]:
        return [(when, controller, key) for when, _, controller, key in
                sorted(self._timers + self._background)]

    def state(self) -> dict:
        return {"start": rfc3339(self.start), "elapsed": self.elapsed, "seq": self._seq,
                "timers": [list(t) for t in sorted(self._timers + self._background)]}

    @classmethod
    def from_state(cls, state: dict) -> Clock:
        clock = cls(parse_time(state["start"]), state["elapsed"])
        clock._seq = state["seq"]
        for when, seq, controller, key in state["timers"]:
            heap = clock._background if controller in BACKGROUND else clock._timers
            heapq.heappush(heap, (when, seq, controller, key))
            clock._pending.add((when, controller, key))
        return clock
