"""The work queue between event handlers and `sync(key)`.

Like client-go's workqueue: a key queued many times is held once, keys come
out in the order they first went in, and a key that failed comes back after
a per-key backoff (on the virtual clock). There is one worker, the
simulation loop, so "never two workers on one key" holds by construction.
"""

from __future__ import annotations

from collections import deque


class WorkQueue:
    def __init__(self) -> None:
        self._order: deque[str] = deque()
        self._queued: set[str] = set()
        self.failures: dict[str, int] = {}

    def add(self, key: str) -> None:
        if key not in self._queued:
            self._queued.add(key)
            self._order.append(key)

    def pop(self) -> str | None:
        if not self._order:
            return None
        key = self._order.popleft()
        self._queued.discard(key)
        return key

    def __len__(self) -> int:
        return len(self._order)

    def backoff(self, key: str, base: float = 0.005, cap: float = 1000.0) -> float:
        """The delay before retrying a failed key: 5 ms doubling, as client-go's default."""
        count = self.failures.get(key, 0)
        self.failures[key] = count + 1
        return min(base * 2.0 ** count, cap)

    def forget(self, key: str) -> None:
        self.failures.pop(key, None)

    def keys(self) -> list[str]:
        return list(self._order)
