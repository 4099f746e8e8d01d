"""A bounded cache keyed by a stored dict's identity.

The store never changes a dict it handed out (a change stores a new one), so
whatever is derived from one stored dict (a pod's time-free Table cells, an
object's JSON text) stays right for as long as that very dict is alive. The
entry keeps the dict itself, so an `id()` reused after the dict was freed can
never answer for a different object. When full, the cache starts over: the
working set (the objects being listed now) refills it in one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")  # a stored dict, or a list handed out unchanged (a snapshot's elements)
T = TypeVar("T")


class IdentityCache(Generic[K, T]):
    """`derive(obj)` computed once per stored dict (or list), at most `limit` entries."""

    def __init__(self, derive: Callable[[K], T], limit: int) -> None:
        self.derive = derive
        self.limit = limit
        self.entries: dict[int, tuple[K, T]] = {}

    def __call__(self, obj: K) -> T:
        entry = self.entries.get(id(obj))
        if entry is not None and entry[0] is obj:
            return entry[1]
        value = self.derive(obj)
        if len(self.entries) >= self.limit:
            self.entries.clear()
        self.entries[id(obj)] = (obj, value)
        return value
