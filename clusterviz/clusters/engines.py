"""The per-process cache of live engines, and how an engine is built from the database.

Building a `Simulation` from its rows costs milliseconds, running one costs
less, so each process keeps the last engine it used per cluster, keyed by
the cluster's `version`. A version that moved (another process saved)
means the cached engine is stale: it is dropped and rebuilt. Engines are
not thread-safe; `lock_for` gives the per-cluster lock every user of a
cached engine holds, so the threads of one process take turns while
processes race through the compare-and-swap in `runtime`.
"""

from __future__ import annotations

import threading

from clusterviz.clusters.models import Cluster, StoredObject
from simcore.simulation import Simulation

_cache: dict[int, tuple[int, Simulation]] = {}
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def lock_for(slug: str) -> threading.Lock:
    with _guard:
        return _locks.setdefault(slug, threading.Lock())


def cached(cluster: Cluster) -> Simulation | None:
    entry = _cache.get(cluster.pk)
    if entry is not None and entry[0] == cluster.version:
        return entry[1]
    return None


def remember(cluster: Cluster, sim: Simulation) -> None:
    _cache[cluster.pk] = (cluster.version, sim)


def forget(cluster_id: int | None = None) -> None:
    """Drop one cluster's engine (all of them with no id): after a lost race or a crash."""
    if cluster_id is None:
        _cache.clear()
    else:
        _cache.pop(cluster_id, None)


def engine_for(cluster: Cluster) -> Simulation:
    """The cluster's engine at its stored version: from the cache, or rebuilt from the rows."""
    sim = cached(cluster)
    if sim is None:
        sim = Simulation.from_state(full_state(cluster))
        remember(cluster, sim)
    return sim


def full_state(cluster: Cluster) -> dict:
    """`Simulation.state()` again: the stored engine state plus the object rows."""
    objects: dict[str, list[dict]] = {}
    rows = StoredObject.objects.filter(cluster=cluster).order_by("resource", "namespace", "name")
    for resource, body in rows.values_list("resource", "body"):
        objects.setdefault(resource, []).append(body)
    state = dict(cluster.state)
    state["store"] = {"rv": cluster.resource_version, "objects": objects}
    return state


def split_state(sim: Simulation) -> tuple[dict, dict[str, list[dict]]]:
    """The engine's state without its objects, and the objects by resource."""
    state = sim.state()
    objects = state["store"]["objects"]
    state["store"] = {"rv": state["store"]["rv"]}
    return state, objects
