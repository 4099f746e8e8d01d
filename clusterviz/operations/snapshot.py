"""The committed state of a cluster, read for drawing: rows in, graph elements out.

The graph is drawn from what has been saved (`StoredObject` rows), not from
the live engine: reading rows takes no cluster lock and moves no clock, so
a hundred viewers looking never slow down the one who writes. The price is
that the picture is as fresh as the last save; the runtime saves on every
change and the clock ticker saves when time moves something, so that is
fresh enough.

Rows are read once per cluster version and per process, and the elements
once per (resourceVersion, namespace filter): a save that moved no object
(a curl, an exec) draws nothing again. After the first read only what moved
is read (`_Rows`): the rows whose resourceVersion is newer than the last
read, and the keys the change log says were deleted since; a count of the
rows checks the result, and anything odd (a log that no longer reaches
back, rows rewritten whole) falls back to reading every row. A save that
changed three pods of a 2,000-pod cluster decodes three bodies, not 2,000. The delta between two versions is
computed once per process too (`shared_delta`, keyed by cluster, namespace
filter and both versions), and encoded once: two hundred viewers of one
cluster cost one diff and one `json.dumps` per change, not two hundred. What
stays per viewer is the few bytes that differ (its `seq`), spliced into the
shared text. The price is a small bounded cache of recent deltas; a viewer
that is a version behind the others simply asks for another key.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from clusterviz.clusters.clock import virtual_elapsed
from clusterviz.clusters.models import Change, Cluster, StoredObject
from clusterviz.operations.graph import RESOURCES, Outside, delta, elements, is_empty
from simcore.clock import parse_time, rfc3339

_CACHE_SIZE = 32
_cache: dict[tuple, list[dict]] = {}
_guard = threading.Lock()
_DELTAS_SIZE = 64
_deltas: dict[tuple, _Once] = {}
_ENCODED_SIZE = 8  # a 2,000-pod graph's elements are about a megabyte of JSON
_encoded: dict[tuple, str] = {}
_ROWS_SIZE = 16
_rows: dict[tuple, _Rows] = {}
_GRAPHED = tuple(RESOURCES.values())


@dataclass(frozen=True)
class Snapshot:
    version: int
    clock: dict
    elements: list[dict]
    # (cluster pk, created, namespace filter): whose elements these are; () for an ad hoc one
    key: tuple = ()
    rv: int = 0  # the resourceVersion these elements show


@dataclass(frozen=True)
class Delta:
    """One change between two snapshots, with its JSON members ready to splice into a message."""
    change: dict[str, list]
    body: str  # '"add": [...], "update": [...], "remove": [...]'
    empty: bool

    def message(self, seq: int, version: int, clock: dict) -> str:
        """The feed's `delta` message, as `json.dumps` of the whole dict would write it."""
        return (f'{{"type": "delta", "seq": {seq}, "version": {version}, '
                f'"clock": {json.dumps(clock)}, {self.body}}}')


@dataclass
class _Once:
    """A delta computed by the first thread that asks; the others wait for it, then share it."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    value: Delta | None = None


def snapshot(slug: str, namespace: str = "") -> Snapshot | None:
    """The cluster's graph and clock as saved now; None when there is no such cluster."""
    cluster = Cluster.objects.filter(slug=slug).first()
    return None if cluster is None else snapshot_of(cluster, namespace)


def snapshot_of(cluster: Cluster, namespace: str = "") -> Snapshot:
    """`snapshot` of a cluster row already read."""
    # created: a cluster deleted and made again may get the same pk and version back.
    # The elements are a function of the rows, which the resourceVersion names (a restore
    # moves it past any it had), and of what is drawn outside: a save that moved no object
    # (a curl, an exec, time that fired nothing) reuses the elements it had.
    outside = _outside(cluster)
    key = (cluster.pk, cluster.created, cluster.resource_version, namespace, outside)
    with _guard:
        hit = _cache.get(key)
    if hit is None:
        hit = elements(_objects(cluster), namespace, outside)
        with _guard:
            if len(_cache) >= _CACHE_SIZE:
                _cache.pop(next(iter(_cache)))
            _cache[key] = hit
    return Snapshot(cluster.version, clock_of(cluster), hit,
                    (cluster.pk, cluster.created, namespace), cluster.resource_version)


def encoded_elements(snap: Snapshot) -> str:
    """`json.dumps(snap.elements)`, once per (cluster, filter, version) in this process: a
    class opening one cluster's page costs one encoding, not one per student. Slow on big
    graphs: call it from a worker thread."""
    key = (*snap.key, snap.version) if snap.key else None
    with _guard:
        text = _encoded.get(key) if key else None
    if text is None:
        text = json.dumps(snap.elements)
        if key:
            with _guard:
                if len(_encoded) >= _ENCODED_SIZE:
                    _encoded.pop(next(iter(_encoded)))
                _encoded[key] = text
    return text


def snapshot_message(snap: Snapshot, seq: int, elements: str) -> str:
    """The feed's `snapshot` message, as `json.dumps` of the whole dict would write it."""
    return (f'{{"type": "snapshot", "seq": {seq}, "version": {snap.version}, '
            f'"clock": {json.dumps(snap.clock)}, "elements": {elements}}}')


def _delta_key(old: Snapshot, new: Snapshot) -> tuple | None:
    if not old.key or old.key != new.key:
        return None  # not two versions of one cluster's one picture: nothing to share
    return (*new.key, old.version, new.version)


def cached_delta(old: Snapshot, new: Snapshot) -> Delta | None:
    """The shared delta if some viewer has already had it computed; cheap, for the event loop."""
    key = _delta_key(old, new)
    with _guard:
        once = _deltas.get(key) if key else None
    return once.value if once is not None else None


def shared_delta(old: Snapshot, new: Snapshot) -> Delta:
    """What turns `old`'s elements into `new`'s, computed once per process for every viewer."""
    key = _delta_key(old, new)
    if key is None:
        return _make_delta(old, new)
    with _guard:
        once = _deltas.get(key)
        if once is None:
            if len(_deltas) >= _DELTAS_SIZE:
                _deltas.pop(next(iter(_deltas)))
            once = _deltas[key] = _Once()
    with once.lock:
        if once.value is None:
            once.value = _make_delta(old, new)
        return once.value


def _make_delta(old: Snapshot, new: Snapshot) -> Delta:
    change = delta(old.elements, new.elements)
    return Delta(change, json.dumps(change)[1:-1], is_empty(change))


@dataclass(frozen=True)
class _Rows:
    """The graphed rows of one cluster as read at resourceVersion `rv` (or later)."""
    rv: int
    bodies: dict[tuple[str, str, str], dict]  # (resource, namespace, name) -> body


def _objects(cluster: Cluster) -> dict[str, list[dict]]:
    """The graphed objects by resource, each list in (namespace, name) order."""
    key = (cluster.pk, cluster.created)
    with _guard:
        known = _rows.get(key)
    rows = None
    if known is not None and known.rv <= cluster.resource_version:
        rows = _caught_up(cluster, known)
    if rows is None:
        rows = _read_all(cluster)
    with _guard:
        latest = _rows.get(key)
        if latest is None or latest.rv <= rows.rv:
            if latest is None and len(_rows) >= _ROWS_SIZE:
                _rows.pop(next(iter(_rows)))
            _rows[key] = rows
    objects: dict[str, list[dict]] = {}
    for resource_key in sorted(rows.bodies):
        objects.setdefault(resource_key[0], []).append(rows.bodies[resource_key])
    return objects


def _read_all(cluster: Cluster) -> _Rows:
    rows = StoredObject.objects.filter(cluster=cluster, resource__in=_GRAPHED)
    return _Rows(cluster.resource_version, {
        (resource, namespace, name): body
        for resource, namespace, name, body in rows.values_list(
            "resource", "namespace", "name", "body")})


def _caught_up(cluster: Cluster, known: _Rows) -> _Rows | None:
    """`known` moved to the cluster's resourceVersion by reading only what changed; None
    when the result does not add up (the caller then reads every row)."""
    if known.rv == cluster.resource_version:
        return known
    # Deletions first: a key deleted and made again is in `moved` with its new body.
    gone = Change.objects.filter(cluster=cluster, rv__gt=known.rv, type="DELETED",
                                 resource__in=_GRAPHED)
    moved = StoredObject.objects.filter(cluster=cluster, resource__in=_GRAPHED,
                                        resource_version__gt=known.rv)
    bodies = dict(known.bodies)
    for resource_key in gone.values_list("resource", "namespace", "name"):
        bodies.pop(tuple(resource_key), None)
    for resource, namespace, name, body in moved.values_list(
            "resource", "namespace", "name", "body"):
        bodies[(resource, namespace, name)] = body
    # Every row newer than `known` is in; a deletion the log no longer holds shows here.
    if StoredObject.objects.filter(cluster=cluster, resource__in=_GRAPHED).count() != len(bodies):
        return None
    return _Rows(cluster.resource_version, bodies)


def _outside(cluster: Cluster) -> Outside:
    config = (cluster.state or {}).get("config") or {}
    return Outside(dns=tuple(config.get("host_nameservers") or ()))


def clock_of(cluster: Cluster, wall: datetime | None = None) -> dict:
    """The virtual time now, and how fast it runs: what the top bar shows and extrapolates."""
    start = ((cluster.state or {}).get("clock") or {}).get("start")
    elapsed = virtual_elapsed(cluster.elapsed, cluster.saved_at, cluster.speed,
                              wall or timezone.now())
    now = rfc3339(parse_time(start) + timedelta(seconds=elapsed)) if start else ""
    return {"now": now, "elapsed": round(elapsed, 3), "speed": cluster.speed}
