"""Restore to any moment: the snapshot before it, run forward to the moment, if that agrees.

A snapshot is the whole `Simulation.state()`, so a moment between two snapshots is
reached by loading the earlier one and advancing its clock to the moment: the engine's
steps are timers fired in time order with its saved rng, the same steps the cluster
took the first time, whatever size of clock steps the ticker happened to make. What
the clock alone cannot redo is a change from outside (a kubectl write, an upload, a
curl from the request panel): `record` takes a snapshot at each such change (when
snapshots are cheap enough), so the replay starts after it.

Nothing is assumed, though: the replayed objects are compared with the change log's
objects at that moment (`past.past_at`, what the timeline shows), every field and
resourceVersion. The moment itself is tried first; then the last recorded change at or
before it (a timer due between that change and the moment fired in the replay, while
the first time it was saved only with the next tick, after the moment); when neither
agrees, the snapshot itself is the answer, as before.
"""

from __future__ import annotations

from clusterviz.clusters.models import Cluster
from clusterviz.history import past
from clusterviz.history.models import Entry, Snapshot
from simcore import Simulation
from simcore.jsoncopy import clone

Moment = tuple[float, Simulation]  # timeline moment, the engine as it was then


def replayed(cluster: Cluster, snap: Snapshot, state: dict, at: float) -> Moment:
    """The engine at `at` (or the closest moment before it the replay reproduces),
    started from snapshot `snap`'s `state`; the snapshot itself when nothing agrees."""
    for moment in _candidates(cluster, snap, at):
        sim = Simulation.from_state(clone(state))  # the engine changes what it is given
        sim.advance(snap.elapsed + (moment - snap.at) - sim.elapsed)
        if _objects(sim) == past.past_at(cluster, moment).objects:
            return moment, sim
    return snap.at, Simulation.from_state(clone(state))


def _candidates(cluster: Cluster, snap: Snapshot, at: float) -> list[float]:
    """`at`, then the last recorded change after the snapshot and at or before `at`."""
    last = Entry.objects.filter(cluster=cluster, to_rv__gt=snap.rv, at__lte=at) \
        .exclude(mark="event").order_by("-to_rv", "-id").values_list("at", flat=True).first()
    return [m for m in dict.fromkeys([at, last]) if m is not None and m > snap.at]


def _objects(sim: Simulation) -> dict:
    store = sim.state()["store"]["objects"]
    return {(res, obj["metadata"].get("namespace") or "", obj["metadata"]["name"]): obj
            for res, objs in store.items() for obj in objs}
