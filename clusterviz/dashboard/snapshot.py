"""The committed state of a cluster, read for drawing: rows in, graph elements out.

The graph is drawn from what has been saved (`StoredObject` rows), not from
the live engine: reading rows takes no cluster lock and moves no clock, so
a hundred viewers looking never slow down the one who writes. The price is
that the picture is as fresh as the last save; the runtime saves on every
change and the clock ticker saves when time moves something, so that is
fresh enough.

Rows are read once per cluster version and per process, and the elements
once per (version, namespace filter): viewers of one cluster share the work,
and only the per-viewer diff is theirs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from clusterviz.clusters.clock import virtual_elapsed
from clusterviz.clusters.models import Cluster, StoredObject
from clusterviz.dashboard.graph import RESOURCES, Outside, elements
from simcore.clock import parse_time, rfc3339

_CACHE_SIZE = 32
_cache: dict[tuple, list[dict]] = {}
_guard = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    version: int
    clock: dict
    elements: list[dict]


def snapshot(slug: str, namespace: str = "") -> Snapshot | None:
    """The cluster's graph and clock as saved now; None when there is no such cluster."""
    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        return None
    # created: a cluster deleted and made again may get the same pk and version back
    key = (cluster.pk, cluster.created, cluster.version, namespace)
    with _guard:
        hit = _cache.get(key)
    if hit is None:
        hit = elements(_objects(cluster), namespace, _outside(cluster))
        with _guard:
            if len(_cache) >= _CACHE_SIZE:
                _cache.pop(next(iter(_cache)))
            _cache[key] = hit
    return Snapshot(cluster.version, clock_of(cluster), hit)


def _objects(cluster: Cluster) -> dict[str, list[dict]]:
    objects: dict[str, list[dict]] = {}
    rows = StoredObject.objects.filter(cluster=cluster, resource__in=RESOURCES.values())
    for resource, body in rows.values_list("resource", "body"):
        objects.setdefault(resource, []).append(body)
    return objects


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
