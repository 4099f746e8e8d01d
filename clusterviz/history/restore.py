"""Restore to here: the cluster's whole state goes back to a recorded moment.

"Whole" means `Simulation.state()`: objects and runtime alike (the pods'
processes and files, conntrack and affinity entries, the clock and its
timers, the rng), so the restored cluster goes on exactly as it went on
from that moment before. A moment between two snapshots is reached by running
the snapshot before it forward (`replaying`: checked against the change log,
else the snapshot itself; the answer says which moment it went back to).

What a restore does, in one transaction guarded by the cluster's
compare-and-swap, like any save:
1. snapshot the present first, at its own moment on the timeline, so the
   restore can itself be undone by restoring to just before its mark;
2. load the snapshot's state with the store's resourceVersion moved
   *forward*, past the present one by more than the change log's window,
   and every object stamped with that new resourceVersion. This is what
   `etcdutl snapshot restore --bump-revision --mark-compacted` does for a
   real cluster: revisions never repeat, and every watcher's position is
   now older than the oldest change the server can replay;
3. empty the change log (compacted), so a watch that was open, or resumes
   from an old resourceVersion, gets the API server's `410 Gone` ("too old
   resource version") and its client relists; nothing rewinds silently;
4. mark the timeline ("restore") and move its offset so the timeline keeps
   going forward while the virtual clock goes back;
5. on commit, tell every viewer to resync (the graph feed then draws the
   restored cluster, its delta computed from the restamped rows).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterviz.clusters import engines, publish, runtime
from clusterviz.clusters.models import Change, Cluster, EnginePart, StoredObject
from clusterviz.history import record, replaying
from clusterviz.history.models import Entry, Timeline
from clusterviz.history.past import cluster_of, snapshot_before, snapshot_state
from clusterviz.web import Refused
from simcore import Simulation
from simcore.jsoncopy import clone

RESTORE_GAP = 1.0  # timeline seconds between the present snapshotted and the restored state
MAX_ATTEMPTS = 20


def restore(slug: str, at: float, who: str = "", rv: int | None = None) -> dict:
    """Put the cluster back as it was at `at` (the snapshot at or before it, and at or
    before resourceVersion `rv` when given: `points.restore_point`'s exact snapshot)."""
    runtime.run(slug, lambda sim: None, force_save=True)  # the present, caught up and saved
    with engines.lock_for(slug):
        for _attempt in range(MAX_ATTEMPTS):
            outcome = _attempt_restore(cluster_of(slug), at, who, rv)
            if outcome is not None:
                return outcome
    raise Refused(_("the cluster kept changing; try again"))


def _attempt_restore(cluster: Cluster, at: float, who: str, rv: int | None) -> dict | None:
    snap = snapshot_before(cluster, at, rv)
    present = engines.engine_for(cluster)
    timeline = record.timeline_of(cluster)
    here = present.elapsed + timeline.offset
    new_rv = cluster.resource_version + settings.CHANGE_LOG_LIMIT + 1
    state = snapshot_state(snap)
    landed = snap.at
    if rv is None:  # a moment: run the snapshot forward to it (rv names a snapshot itself)
        landed, then = replaying.replayed(cluster, snap, state, at)
        state = then.state()
    sim = Simulation.from_state(bumped(state, new_rv))
    wall = timezone.now()
    state, parts, objects = engines.split_state(sim)
    label = _("restore to %(moment)s") % {"moment": sim.now.strftime("%H:%M:%S")}
    if who:
        label = f"{label} ({who})"
    with transaction.atomic():
        won = Cluster.objects.filter(pk=cluster.pk, version=cluster.version).update(
            version=F("version") + 1, state=state, resource_version=new_rv,
            elapsed=sim.elapsed, saved_at=wall,
            next_due_at=runtime.next_due_at(sim, wall, cluster.speed))
        if won != 1:
            return None
        record.take_snapshot(cluster, present, timeline, here)  # what the restore undoes
        _replace_rows(cluster, parts, objects)
        Change.objects.filter(cluster=cluster).delete()  # compacted: watchers get 410
        restored_at = here + RESTORE_GAP
        Timeline.objects.filter(pk=timeline.pk).update(
            offset=restored_at - sim.elapsed)
        timeline.offset = restored_at - sim.elapsed
        Entry.objects.create(cluster=cluster, at=restored_at, elapsed=sim.elapsed,
                             from_rv=cluster.resource_version, to_rv=new_rv,
                             events=record.pack([]), mark="restore", label=label)
        record.take_snapshot(cluster, sim, timeline, restored_at)
        transaction.on_commit(partial(publish.publish, cluster.slug, cluster.resource_version,
                                      new_rv, None))
    _remember(cluster, sim, parts, state, new_rv, wall)
    return {"restored_to": landed, "at": restored_at, "before": here,
            "resource_version": str(new_rv), "label": label}


def bumped(state: dict, rv: int) -> dict:
    """The state with its store at `rv` and every object stamped with it (written at once)."""
    objects = {res: [_stamped(obj, rv) for obj in objs]
               for res, objs in state["store"]["objects"].items()}
    return {**state, "store": {**state["store"], "rv": rv, "objects": objects}}


def _stamped(obj: dict, rv: int) -> dict:
    return {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(rv)}}


def _replace_rows(cluster: Cluster, parts: dict, objects: dict) -> None:
    EnginePart.objects.filter(cluster=cluster).delete()
    EnginePart.objects.bulk_create(
        [EnginePart(cluster=cluster, name=name, body=body) for name, body in parts.items()])
    StoredObject.objects.filter(cluster=cluster).delete()
    StoredObject.objects.bulk_create(
        [StoredObject(cluster=cluster, resource=res,
                      namespace=obj["metadata"].get("namespace") or "",
                      name=obj["metadata"]["name"], uid=obj["metadata"].get("uid", ""),
                      resource_version=int(obj["metadata"]["resourceVersion"]), body=obj)
         for res, objs in objects.items() for obj in objs], batch_size=500)


def _remember(cluster: Cluster, sim: Simulation, parts: dict, state: dict, rv: int,
              wall: datetime) -> None:
    """Cache the restored engine at the new version, its parts as now stored."""
    cluster.version += 1
    cluster.resource_version, cluster.state = rv, state
    cluster.elapsed, cluster.saved_at = sim.elapsed, wall
    engines.remember(cluster, sim, {name: clone(value) for name, value in parts.items()})

