"""A restore point on demand: snapshot the cluster as saved now, and say which moment it is.

The save path takes snapshots on its own schedule (`record`: every
`HISTORY_SNAPSHOT_SECONDS` of virtual time at most), and a restore reaches
exactly only the snapshots. A caller that will want to come back to *this*
moment (the presenter, right after a lesson step is applied) asks for a
point here: the cached engine is the state the last save committed, so the
snapshot is that state, taken under the cluster's lock, in a transaction of
its own. The trade-off: one whole-state snapshot per call (a few
milliseconds on the lecture cluster, see `bench.history` for large ones),
so this is for a person's deliberate steps, not for every save.
"""

from __future__ import annotations

from django.db import transaction

from clusterviz.clusters import engines
from clusterviz.history import record
from clusterviz.history.models import Snapshot
from clusterviz.history.past import cluster_of


def restore_point(slug: str) -> tuple[float, int]:
    """The timeline moment and resourceVersion of the cluster as last saved, with a snapshot
    there: `restore.restore(slug, at, rv=rv)` comes back to exactly this state (on a paused
    clock several saves share one moment; the resourceVersion tells them apart)."""
    with engines.lock_for(slug):
        cluster = cluster_of(slug)
        sim = engines.engine_for(cluster)
        timeline = record.timeline_of(cluster)
        at, rv = sim.elapsed + timeline.offset, sim.rv
        if not Snapshot.objects.filter(cluster=cluster, at=at, rv=rv).exists():
            # (else the save just took one: its first, or one that was due)
            with transaction.atomic():
                record.take_snapshot(cluster, sim, timeline, at)
        return at, rv
