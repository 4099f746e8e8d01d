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

A save also stores when the engine's earliest timer falls due, in wall time
(`Cluster.next_due_at`), and on commit publishes what changed to the
cluster's channel-layer group (`clusters.publish`). `tick(slug)` is the
clock's own write: whoever runs the clocks (`clusters.ticker`, in daphne or
in `manage.py runsim`) calls it for clusters whose timer is due. It first
claims the cluster by pushing `next_due_at` a lease ahead with a
conditional update, so that of several tickers only one does the work; the
compare-and-swap on `version` still decides, and a ticker that loses it to
any other save simply moves on (that save caught the clock up too).

Each lost swap is logged at INFO (`conflict on <slug>: ...`), the one count of
them there is: `bench.classroom` reads it from the processes' logs
(`CLUSTERVIZ_LOG=INFO`) to report how often a scaled-out class collided.

A save happens when the store moved or when the earliest timer changed
(time alone fired a timer that wrote nothing): otherwise `next_due_at`
would stay in the past and every ticker would keep waking for it. A read
that finds nothing due therefore writes nothing, and costs one small row
read: the megabytes of runtime state live in their own rows
(`EnginePart`), and a save rewrites only the parts that differ from what
is stored (`engines` keeps a snapshot of them per cached engine), found by
comparing what the request touched, not the whole engine (`clusters.delta`).

Every attempt is one bounded step of the engine (`Engine.bounded`): at most
`STEP_WRITES` store writes or `STEP_SYNCS` syncs under the lock. What is left
(`replicas: 100000000`) is deferred in the engine's state, the cluster is
marked due at once (even when paused: the controllers' backlog is not
time), and the ticker's next pass takes the next step, so other requests
to the cluster are served between steps. Only ticks take up that backlog:
a request does its own work and the clock's, and answers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clusterviz.clusters import delta, engines, publish
from clusterviz.clusters.clock import catch_up
from clusterviz.clusters.models import Change, Cluster, EnginePart, StoredObject
from clusterviz.history import record as history
from simcore import Simulation, errors
from simcore.jsoncopy import clone
from simcore.presets import options as preset_options

T = TypeVar("T")
log = logging.getLogger(__name__)
MAX_ATTEMPTS = 20
# One step's work under the cluster's lock: about 300 writes (a pod's creation, its event
# and its binding are three), well above what a lesson's apply needs, and, with the rows
# they save, about a second of this engine's time at most. A request's step leaves the
# backlog of earlier steps to the clock's ticks, so that it answers after its own work.
STEP_WRITES = 300
STEP_SYNCS = 2000
_attempt_hook = threading.local()  # tests use it to interleave two racers
# next_due_at is rounded up by this much, so a ticker never wakes a hair before the timer.
DUE_SLACK = timedelta(milliseconds=1)


class ClusterNotFound(LookupError):
    pass


def offload(fn: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """`fn` for async code (consumers, async views): it runs on a worker thread, never on
    the event loop or the ORM's shared thread, where one slow call would hold up all. Tests with
    Django's client set K8S_OFFLOAD_TO_THREADS=False to keep the work in their own thread
    and transaction."""
    return sync_to_async(fn, thread_sensitive=not getattr(settings, "K8S_OFFLOAD_TO_THREADS",
                                                          True))


def run(slug: str, operation: Callable[[Simulation], T], force_save: bool = False) -> T:
    """Run `operation(sim)` on the cluster `slug` and persist what it (and time) changed.
    `force_save` saves even when no object moved: an exec changes engine state only
    (a container's files, conntrack and affinity entries, the served pod's log)."""
    with engines.lock_for(slug):
        for _ in range(MAX_ATTEMPTS):
            done = _attempt(_load(slug), operation, force_save)
            if done is not None:
                return done[0]
            log.info("conflict on %s: another process saved first; running again", slug)
    raise errors.APIError(errors.status(
        409, "Conflict", f"the cluster {slug} was changed concurrently {MAX_ATTEMPTS} times; "
        "please try again"))


def run_on_copy(slug: str, operation: Callable[[Simulation], T]) -> T:
    """Run `operation` on a private copy of the cluster, outside its lock: for what changes
    nothing (a preview, `?dryRun=All`), however long it takes, other requests go on. Under
    the lock only the clock's catch-up (saved as any request saves it) and the copy of the
    state; the copy is built and used after the lock is released."""
    state = run(slug, lambda sim: clone(sim.state()))
    return operation(Simulation.from_state(state))


def tick(slug: str, now: datetime | None = None) -> bool:
    """Catch up a cluster whose earliest timer is due; False when it was not due, another
    ticker claimed it, or another save came first (which caught its clock up as well)."""
    with engines.lock_for(slug):
        cluster = Cluster.objects.filter(slug=slug).first()
        if cluster is None or not _claim(cluster, now or timezone.now()):
            return False
        done = _attempt(cluster, _catch_up_only, force_save=True, backlog=True) is not None
        if not done:
            log.info("conflict on %s: another save came first; the tick gives way", slug)
        return done


def _claim(cluster: Cluster, now: datetime) -> bool:
    due = cluster.next_due_at
    if due is None or due > now:
        return False
    lease = now + timedelta(seconds=settings.TICK_LEASE)
    claimed: int = Cluster.objects.filter(pk=cluster.pk, next_due_at=due).update(
        next_due_at=lease)
    return claimed == 1


def _catch_up_only(sim: Simulation) -> None:
    """A tick's operation: the catch-up `_attempt` does before any is all there is."""


def _attempt(cluster: Cluster, operation: Callable[[Simulation], T], force_save: bool = False,
             backlog: bool = False) -> tuple[T] | None:
    """`(operation(sim),)` once saved; None when another save came first. `backlog`: the
    step also takes up the keys earlier steps deferred (a tick's)."""
    sim = engines.engine_for(cluster)
    wall = timezone.now()
    try:
        with sim.bounded(STEP_WRITES, STEP_SYNCS, backlog=backlog):
            catch_up(sim, cluster.elapsed, cluster.saved_at, cluster.speed, wall)
            outcome = _outcome(operation, sim)
            sim.settle()
        before_save = getattr(_attempt_hook, "before_save", None)
        if before_save is not None:
            before_save(cluster)
        if (force_save or _moved(cluster, sim)) and not save(cluster, sim, wall):
            engines.forget(cluster.pk)
            return None
    except BaseException:
        engines.forget(cluster.pk)
        raise
    if isinstance(outcome, errors.APIError):
        raise outcome
    return outcome


def _outcome(operation: Callable[[Simulation], T], sim: Simulation) -> tuple[T] | errors.APIError:
    """What `operation` returned, or the API server's refusal: raised only once the clock's
    catch-up is saved."""
    try:
        return (operation(sim),)
    except errors.APIError as exc:
        return exc


def _moved(cluster: Cluster, sim: Simulation) -> bool:
    """Whether the store or the earliest timer differs from what the row holds."""
    timers = (cluster.state.get("clock") or {}).get("timers") or []
    stored_due = timers[0][0] if timers else None
    return sim.rv != cluster.resource_version or \
        sim.next_due() != stored_due or bool(sim.deferred())


def next_due_at(sim: Simulation, wall: datetime, speed: float) -> datetime | None:
    """The wall time the engine's earliest timer falls due, by the clock rule; None if never."""
    if sim.deferred():  # a bounded step left work: the next tick goes on with it
        return wall + DUE_SLACK
    due = sim.next_due()
    if due is None or speed <= 0:
        return None
    ahead = max(due - sim.elapsed, 0.0) / speed
    return wall + timedelta(seconds=ahead) + DUE_SLACK


def _load(slug: str) -> Cluster:
    try:
        cluster: Cluster = Cluster.objects.get(slug=slug)
    except Cluster.DoesNotExist:
        raise ClusterNotFound(slug) from None
    return cluster


def save(cluster: Cluster, sim: Simulation, wall: datetime) -> bool:
    """Persist the changes since the cluster's stored rv; False if another save came first.
    Once committed, the changes are published to the cluster's group."""
    old_rv = cluster.resource_version
    saved = engines.saved_parts(cluster)
    found = delta.delta(sim, saved, cluster.state.get("parts"))
    state, changed, gone = found.state, found.changed, found.gone
    due_at = next_due_at(sim, wall, cluster.speed)
    # What will be stored, for the next save to compare with: copies, since the engine's own
    # dicts change in place. Made before the commit: once it commits, the graph feed's
    # readers wake and would share the interpreter with this copying.
    copies = {name: clone(value) for name, value in changed.items()}
    with transaction.atomic():
        won = Cluster.objects.filter(pk=cluster.pk, version=cluster.version).update(
            version=F("version") + 1, state=state, resource_version=sim.rv,
            elapsed=sim.elapsed, saved_at=wall, next_due_at=due_at)
        if won != 1:
            return False
        _write_parts(cluster, changed, gone)
        events = _write_changes(cluster, sim, old_rv)
        history.saved(cluster, sim, old_rv, events)  # the time machine's log (clusterviz.history)
        transaction.on_commit(partial(publish.publish, cluster.slug, old_rv, sim.rv, events))
    cluster.version += 1
    cluster.resource_version = sim.rv
    cluster.elapsed, cluster.saved_at, cluster.state = sim.elapsed, wall, state
    cluster.next_due_at = due_at
    engines.remember(cluster, sim, _stored(saved, copies, gone))
    return True


def _stored(saved: dict[str, object] | None, copies: dict[str, object], gone: list[str]
            ) -> dict[str, object]:
    """The parts as stored now: the snapshot of before, changed in place (it belongs to the
    engine's cache entry, dropped whenever a save fails), so a save costs what it wrote."""
    if saved is None:
        return copies
    for name in gone:
        saved.pop(name, None)
    saved.update(copies)
    return saved


def _write_parts(cluster: Cluster, changed: dict[str, object], gone: list[str]) -> None:
    if gone:
        EnginePart.objects.filter(cluster=cluster, name__in=gone).delete()
    EnginePart.objects.bulk_create(
        [EnginePart(cluster=cluster, name=name, body=body) for name, body in changed.items()],
        update_conflicts=True, unique_fields=["cluster", "name"], update_fields=["body"])


def _write_changes(cluster: Cluster, sim: Simulation, old_rv: int) -> list | None:
    """Write the rows and the log; the events written, or None when every row was rewritten."""
    try:
        events = sim.api.events_since(old_rv)
    except errors.APIError:  # the engine's log no longer reaches back: rewrite every row
        _rewrite_all(cluster, sim)
        return None
    latest = {}
    for ev in events:
        meta = ev.object["metadata"]
        latest[(ev.resource, meta.get("namespace") or "", meta["name"])] = ev
    _apply_rows(cluster, latest)
    Change.objects.bulk_create([
        Change(cluster=cluster, rv=ev.rv, type=ev.type, resource=ev.resource,
               namespace=ev.object["metadata"].get("namespace") or "",
               name=ev.object["metadata"]["name"], body=ev.object) for ev in events])
    if events:  # with none, the log's bound has not moved since the save that trimmed it
        Change.objects.filter(cluster=cluster,
                              rv__lte=sim.rv - settings.CHANGE_LOG_LIMIT).delete()
    return events


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
    objects = sim.state()["store"]["objects"]
    StoredObject.objects.bulk_create(
        [_row(cluster, res, obj) for res, objs in objects.items() for obj in objs])


def create_cluster(slug: str, name: str | None = None, preset: str = "lecture",
                   seed: int = 0, speed: float = 1.0, options: dict | None = None,
                   quota: dict | None = None, **ownership: object) -> Cluster:
    """A new cluster from a preset, its clock starting now. `options` are the preset's
    (simcore.presets.options: `lb_pool`); ValueError when one is malformed. `quota`:
    `{"pods": N, "objects": M}` for the API server (simcore.quota), kept in the engine's
    config; `ownership`: the Cluster fields that say whose it is (`owner`, `classroom`)."""
    sim = Simulation.from_preset(preset, seed=seed, **preset_options.clean(options))
    if quota:
        sim.set_quota(quota)
    state, parts, objects = engines.split_state(sim)
    now = timezone.now()
    with transaction.atomic():
        cluster: Cluster = Cluster.objects.create(
            slug=slug, name=name or slug, preset=preset, seed=seed, state=state,
            resource_version=sim.rv, elapsed=sim.elapsed,
            saved_at=now, speed=speed, next_due_at=next_due_at(sim, now, speed),
            **ownership)
        _write_parts(cluster, parts, [])
        StoredObject.objects.bulk_create(
            [_row(cluster, res, obj) for res, objs in objects.items() for obj in objs])
        history.saved(cluster, sim, sim.rv, None)  # the timeline's first snapshot
    return cluster
