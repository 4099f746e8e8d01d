"""One function runs every operation on a cluster: `run(slug, operation)`.

The steps, in order: take the cluster's in-process lock; read the cluster
row; take its engine (cached per process, rebuilt when the stored version
moved); catch the virtual clock up to wall time (`clusters.clock`); run the
operation, which gets the `Simulation` and may only change it through
`sim.api`; let the controllers settle; and if the store's resourceVersion
moved, persist what changed in one transaction guarded by compare-and-swap
on `Cluster.version`. Losing the swap means another process saved first:
the engine is dropped, and the whole thing runs again on the newer state
(the operation must therefore be safe to repeat, which a function of the
simulation is). Reads go through here too, since catching the clock up can
change the cluster (pods start, probes pass).

An `APIError` from the operation is a refusal: the refused request changed
nothing, but the clock's catch-up may have, so that is saved before the
error is raised again. Anything else drops the cached engine, since it may
be half-changed.

Publishing changes to the channel layer comes with the live feed; the rows
of `Change` written here are what it (and watch) will read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clusterviz.clusters import engines
from clusterviz.clusters.clock import catch_up
from clusterviz.clusters.models import Change, Cluster, StoredObject
from simcore import errors
from simcore.simulation import Simulation

T = TypeVar("T")
MAX_ATTEMPTS = 20
_attempt_hook = threading.local()  # tests use it to interleave two racers


class ClusterNotFound(LookupError):
    pass


def run(slug: str, operation: Callable[[Simulation], T]) -> T:
    """Run `operation(sim)` on the cluster `slug` and persist what it (and time) changed."""
    with engines.lock_for(slug):
        for _ in range(MAX_ATTEMPTS):
            done, result = _attempt(slug, operation)
            if done:
                return result
    raise errors.APIError(errors.status(
        409, "Conflict", f"the cluster {slug} was changed concurrently {MAX_ATTEMPTS} times; "
        "please try again"))


def _attempt(slug: str, operation: Callable[[Simulation], T]) -> tuple[bool, T | None]:
    cluster = _load(slug)
    sim = engines.engine_for(cluster)
    wall = timezone.now()
    refusal = None
    try:
        catch_up(sim, cluster.elapsed, cluster.saved_at, cluster.speed, wall)
        try:
            result = operation(sim)
        except errors.APIError as exc:
            result, refusal = None, exc
        sim.engine.settle()
        before_save = getattr(_attempt_hook, "before_save", None)
        if before_save is not None:
            before_save(cluster)
        if sim.engine.store.rv != cluster.resource_version and \
                not save(cluster, sim, wall):
            engines.forget(cluster.pk)
            return False, None
    except BaseException:
        engines.forget(cluster.pk)
        raise
    if refusal is not None:
        raise refusal
    return True, result


def _load(slug: str) -> Cluster:
    try:
        return Cluster.objects.get(slug=slug)
    except Cluster.DoesNotExist:
        raise ClusterNotFound(slug) from None


def save(cluster: Cluster, sim: Simulation, wall: datetime) -> bool:
    """Persist the changes since the cluster's stored rv; False if another save came first."""
    old_rv, store = cluster.resource_version, sim.engine.store
    state = _state_without_objects(sim)
    with transaction.atomic():
        won = Cluster.objects.filter(pk=cluster.pk, version=cluster.version).update(
            version=F("version") + 1, state=state, resource_version=store.rv,
            elapsed=sim.engine.clock.elapsed, saved_at=wall)
        if won != 1:
            return False
        _write_changes(cluster, sim, old_rv)
    cluster.version += 1
    cluster.resource_version = store.rv
    cluster.elapsed, cluster.saved_at, cluster.state = sim.engine.clock.elapsed, wall, state
    engines.remember(cluster, sim)
    return True


def _state_without_objects(sim: Simulation) -> dict:
    state = sim.state()
    state["store"] = {"rv": state["store"]["rv"]}
    return state


def _write_changes(cluster: Cluster, sim: Simulation, old_rv: int) -> None:
    try:
        events = sim.api.events_since(old_rv)
    except errors.APIError:  # the engine's log no longer reaches back: rewrite every row
        _rewrite_all(cluster, sim)
        return
    latest = {}
    for ev in events:
        meta = ev.object["metadata"]
        latest[(ev.resource, meta.get("namespace") or "", meta["name"])] = ev
    _apply_rows(cluster, latest)
    Change.objects.bulk_create([
        Change(cluster=cluster, rv=ev.rv, type=ev.type, resource=ev.resource,
               namespace=ev.object["metadata"].get("namespace") or "",
               name=ev.object["metadata"]["name"], body=ev.object) for ev in events])
    Change.objects.filter(cluster=cluster,
                          rv__lte=sim.engine.store.rv - settings.CHANGE_LOG_LIMIT).delete()


def _apply_rows(cluster: Cluster, latest: dict) -> None:
    gone = [key for key, ev in latest.items() if ev.type == "DELETED"]
    for resource, namespace, name in gone:
        StoredObject.objects.filter(cluster=cluster, resource=resource, namespace=namespace,
                                    name=name).delete()
    rows = [_row(cluster, key[0], ev.object) for key, ev in latest.items()
            if ev.type != "DELETED"]
    StoredObject.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["cluster", "resource", "namespace", "name"],
        update_fields=["uid", "resource_version", "body"])


def _row(cluster: Cluster, resource: str, obj: dict) -> StoredObject:
    meta = obj["metadata"]
    return StoredObject(cluster=cluster, resource=resource, namespace=meta.get("namespace") or "",
                        name=meta["name"], uid=meta.get("uid", ""),
                        resource_version=int(meta.get("resourceVersion") or 0), body=obj)


def _rewrite_all(cluster: Cluster, sim: Simulation) -> None:
    StoredObject.objects.filter(cluster=cluster).delete()
    objects = sim.engine.store.state()["objects"]
    StoredObject.objects.bulk_create(
        [_row(cluster, res, obj) for res, objs in objects.items() for obj in objs])


def create_cluster(slug: str, name: str | None = None, preset: str = "lecture",
                   seed: int = 0, speed: float = 1.0) -> Cluster:
    """A new cluster from a preset, its clock starting now."""
    sim = Simulation.from_preset(preset, seed=seed)
    state, objects = engines.split_state(sim)
    with transaction.atomic():
        cluster = Cluster.objects.create(
            slug=slug, name=name or slug, preset=preset, seed=seed, state=state,
            resource_version=sim.engine.store.rv, elapsed=sim.engine.clock.elapsed,
            saved_at=timezone.now(), speed=speed)
        StoredObject.objects.bulk_create(
            [_row(cluster, res, obj) for res, objs in objects.items() for obj in objs])
    return cluster
