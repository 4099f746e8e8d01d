"""What bench.classroom measures, kept while it runs and read after.

- `Log`: every action's kind, phase (idle or load) and time, every error with
  its message, and every command-history line an action made (who, its text,
  when it was sent and answered), from many threads at once.
- `Roster`: the cards the teacher's roster socket received, with when.
- `roster_delays`: for each history line, from the action's answer to the first
  card of that student that shows it. A card shows a line when its `last`
  command was written after the action was sent and has the line's text, or
  was written after the student's next line was sent (the card moved past it:
  the roster knew). The clocks agree: everything runs on this machine. The one
  blur: two same-text lines in a row whose first is written late.
- `Usage`: memory (RSS, peak and at the end) and CPU seconds of the stack's
  processes, read from /proc. PostgreSQL is its server and every backend: their
  PSS summed (RSS would count the shared buffers once per backend).
- `conflicts`: the lost compare-and-swaps the processes logged
  (clusters.runtime: a request's save run again, or a tick giving way).
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Line:
    slug: str
    text: str
    sent: float  # wall clock, as the server's history rows are stamped
    answered: float
    phase: str


@dataclass
class Log:
    timings: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    scheduled: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def done(self, phase: str, kind: str, seconds: float, line: Line | None) -> None:
        with self.lock:
            self.timings[(phase, kind)].append(seconds)
            if line is not None:
                self.lines.append(line)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)

    def count(self, phase: str) -> dict[str, int]:
        return {kind: len(v) for (p, kind), v in sorted(self.timings.items()) if p == phase}


class Roster:
    """The roster socket's cards: (arrival, slug, last command's id, text, written at)."""

    def __init__(self) -> None:
        self.cards: list[tuple[float, str, int, str, float]] = []
        self.lock = threading.Lock()

    def __call__(self, at: float, message: dict) -> None:
        cards = message.get("cards") or [message.get("card") or {}]
        with self.lock:
            for card in cards:
                last = card.get("last")
                if last:
                    written = datetime.fromisoformat(last["at"]).timestamp()
                    self.cards.append((at, card["slug"], last["id"], last["text"], written))


def roster_delays(lines: list[Line], roster: Roster, phase: str) -> tuple[list[float], int]:
    """The delays of `phase`'s lines until the roster showed them; how many it never did."""
    by_slug: dict[str, list] = defaultdict(list)
    for card in sorted(roster.cards):
        by_slug[card[1]].append(card)
    ordered: dict[str, list[Line]] = defaultdict(list)
    for line in sorted(lines, key=lambda ln: ln.sent):
        ordered[line.slug].append(line)
    delays, unseen = [], 0
    for slug, mine in ordered.items():
        for n, line in enumerate(mine):
            if line.phase != phase:
                continue
            after = mine[n + 1].sent if n + 1 < len(mine) else float("inf")
            shown = next((at for at, _s, _id, text, written in by_slug[slug]
                          if written >= line.sent and (text == line.text or written >= after)),
                         None)
            if shown is None:
                unseen += 1
            else:
                delays.append(max(shown - line.answered, 0.0))
    return delays, unseen


# ---- the processes ---------------------------------------------------------------------

def memory(pid: int, field: str = "Rss") -> int:
    """Bytes of `field` (Rss or Pss) of a process; 0 when it is gone."""
    try:
        for row in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, value = row.partition(":")
            if key == field:
                return int(value.split()[0]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # its own and its reaped children's: daphne's include the terminal's kubectl runs
    return sum(int(f) for f in fields[11:15]) / TICKS


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


class Usage(threading.Thread):
    """RSS of each named process every `every` seconds; a group of several, their PSS."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]], every: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.groups, self.every = groups, every
        self.counts: dict[str, int] = {}
        self.peak: dict[str, int] = defaultdict(int)
        self.last: dict[str, int] = {}
        self.stopping = threading.Event()

    def sample(self) -> None:
        for name, pids in self.groups.items():
            found = pids()
            self.counts[name] = len(found)
            rss = sum(memory(pid, "Pss" if len(found) > 1 else "Rss") for pid in found)
            self.last[name] = rss
            self.peak[name] = max(self.peak[name], rss)

    def run(self) -> None:
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(self.every)

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        self.sample()

    def cpu(self) -> dict[str, float]:
        return {name: sum(cpu_seconds(pid) for pid in pids())
                for name, pids in self.groups.items()}


def conflicts(logs: list[str]) -> tuple[int, int]:
    """(requests' saves run again, ticks that gave way) in the processes' logs."""
    text = "\n".join(logs)
    return text.count("another process saved first; running again"), \
        text.count("the tick gives way")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def now() -> float:
    return time.time()
