"""The object store behind the simulated API server (our etcd).

Objects are kept per resource, namespace and name, each write bumps one
cluster-wide `resourceVersion`, and every write appends an event to a change
feed (ADDED, MODIFIED, DELETED) that controllers and watchers read from a
resourceVersion onward.

Stored dicts are frozen by convention: a write always stores a new dict and
never changes one in place, so events, caches and readers can share them
without copying. Copying is the API layer's job, at its edge.

Two indexes keep a change's cost in proportion to what it touches: labels
(`key=value` to names, per resource and namespace) for selectors, and owner
uid to dependents for the garbage collector.
"""

from __future__ import annotations

import builtins
from collections import defaultdict, deque
from itertools import islice
from typing import NamedTuple

from simcore.resources import ResourceType, lookup

ResourceKey = str  # "pods", "replicasets.apps": ResourceType.group_resource


class Event(NamedTuple):
    """One change. A named tuple, not a frozen dataclass: every write makes one, and a
    frozen dataclass's __init__ (object.__setattr__ per field) cost several times more."""

    rv: int
    type: str  # ADDED, MODIFIED, DELETED
    resource: ResourceKey
    object: dict
    old: dict | None = None


class Store:
    def __init__(self, log_limit: int = 20000):
        self.rv = 0
        self._objects: dict[ResourceKey, dict[str, dict[str, dict]]] = defaultdict(
            lambda: defaultdict(dict))
        self._labels: dict[tuple[ResourceKey, str], dict[tuple[str, str], set[str]]] = \
            defaultdict(lambda: defaultdict(set))
        self._dependents: dict[str, set[tuple[ResourceKey, str, str]]] = defaultdict(set)
        self._log: deque[Event] = deque()
        self._log_limit = log_limit
        self.log_start = 0  # events with rv > log_start are in the log

    # reads -----------------------------------------------------------------
    def get(self, res: ResourceKey, namespace: str | None, name: str) -> dict | None:
        # None, as split_key gives for a cluster-scoped key, is the cluster scope ""
        return self._objects[res].get(namespace or "", {}).get(name)

    def list(self, res: ResourceKey, namespace: str | None = None) -> list[dict]:
        spaces = self._objects[res]
        if namespace is not None:
            return list(spaces.get(namespace, {}).values())
        return [obj for ns in sorted(spaces) for obj in spaces[ns].values()]

    def count(self, res: ResourceKey) -> int:
        return sum(len(objs) for objs in self._objects[res].values())

    def total(self) -> int:
        """How many objects the store holds, of every resource."""
        return sum(len(objs) for spaces in self._objects.values() for objs in spaces.values())

    def names_with_label(self, res: ResourceKey, namespace: str, key: str, value: str) -> set[str]:
        return self._labels[(res, namespace or "")].get((key, value), set())

    def dependents(self, owner_uid: str) -> builtins.list[tuple[ResourceKey, str, str]]:
        return sorted(self._dependents.get(owner_uid, ()))

    # writes ----------------------------------------------------------------
    def put(self, res: ResourceKey, obj: dict) -> dict:
        """Store `obj` (taking ownership), stamping the next resourceVersion."""
        meta = obj["metadata"]
        namespace, name = meta.get("namespace") or "", meta["name"]
        objects = self._objects[res][namespace]
        old = objects.get(name)
        self.rv += 1
        meta["resourceVersion"] = str(self.rv)
        objects[name] = obj
        if old is not None:
            self._unindex(res, old)
        # most objects written (every Event) have neither labels nor owners to index
        if meta.get("labels") or meta.get("ownerReferences"):
            self._index(res, obj)
        self._append(Event(self.rv, "MODIFIED" if old else "ADDED", res, obj, old))
        return obj

    def remove(self, res: ResourceKey, namespace: str, name: str) -> dict | None:
        namespace = namespace or ""
        old = self._objects[res][namespace].pop(name, None)
        if old is None:
            return None
        self._unindex(res, old)
        self.rv += 1
        gone = {**old, "metadata": {**old["metadata"], "resourceVersion": str(self.rv)}}
        self._append(Event(self.rv, "DELETED", res, gone, old))
        return gone

    def _append(self, event: Event) -> None:
        self._log.append(event)

    def trim(self, consumed: int) -> None:
        """Forget the oldest events beyond the log's size, never one not yet `consumed`."""
        while len(self._log) > self._log_limit and self._log[0].rv <= consumed:
            self.log_start = self._log.popleft().rv

    def _index(self, res: ResourceKey, obj: dict) -> None:
        meta = obj["metadata"]
        namespace, name = meta.get("namespace") or "", meta["name"]
        index = self._labels[(res, namespace)]
        for pair in (meta.get("labels") or {}).items():
            index[pair].add(name)
        for ref in meta.get("ownerReferences") or ():
            self._dependents[ref["uid"]].add((res, namespace, name))

    def _unindex(self, res: ResourceKey, obj: dict | None) -> None:
        if obj is None:
            return
        meta = obj["metadata"]
        namespace, name = meta.get("namespace") or "", meta["name"]
        index = self._labels[(res, namespace)]
        for pair in (meta.get("labels") or {}).items():
            names = index.get(pair)
            if names is not None:
                names.discard(name)
                if not names:
                    del index[pair]
        for ref in meta.get("ownerReferences") or ():
            deps = self._dependents.get(ref["uid"])
            if deps is not None:
                deps.discard((res, namespace, name))
                if not deps:
                    del self._dependents[ref["uid"]]

    # change feed -------------------------------------------------------------
    def events_since(self, rv: int) -> builtins.list[Event]:
        """Events after `rv`; raises LookupError when `rv` is older than the log keeps."""
        if rv < self.log_start:
            raise LookupError(rv)
        if not self._log or rv >= self._log[-1].rv:
            return []
        first = self._log[0].rv
        start = max(rv - first + 1, 0)
        count = len(self._log) - start
        if count <= 0:
            return []
        # Indexing a deque walks from its nearer end for every item; walk once instead,
        # from whichever end is nearer (a watcher usually wants the last few events).
        if count <= start:
            tail = list(islice(reversed(self._log), count))
            tail.reverse()
            return tail
        return list(islice(self._log, start, None))

    # persistence -------------------------------------------------------------
    def state(self) -> dict:
        return {"rv": self.rv,
                "objects": {res: [obj for ns in sorted(spaces) for obj in
                                  (spaces[ns][n] for n in sorted(spaces[ns]))]
                            for res, spaces in sorted(self._objects.items()) if any(spaces.values())}}

    @classmethod
    def from_state(cls, state: dict) -> Store:
        store = cls()
        for res, objs in state["objects"].items():
            for obj in objs:
                meta = obj["metadata"]
                store._objects[res][meta.get("namespace") or ""][meta["name"]] = obj
                store._index(res, obj)
        store.rv = state["rv"]
        store.log_start = store.rv  # history before a reload is not kept
        return store


def resource_key(res: ResourceType | str) -> ResourceKey:
    return lookup(res).group_resource if isinstance(res, str) else res.group_resource
