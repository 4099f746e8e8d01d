"""The history hook of the save path: write the entry, the marks, now and then a snapshot.

`saved(cluster, sim, old_rv, events)` runs inside the runtime's save
transaction, after the compare-and-swap was won, so history commits with
the change it records or not at all. Its cost on an ordinary save is one
small row read (the `Timeline`) and one insert of the save's events,
compressed; a whole-state snapshot (serialise `Simulation.state()` and
compress it: a few milliseconds on the lecture, about a second at 2,000
pods, see `bench.history`) is taken only when `HISTORY_SNAPSHOT_SECONDS` of
virtual time have passed since the last one, and no sooner in wall time
than `HISTORY_SNAPSHOT_BUDGET` (20) times what the last one cost: snapshots take at most
about 5% of the time whatever the cluster's size and clock speed, and a big
cluster at x20 gets restore points further apart rather than slow saves.
A save that rewrote every row takes one regardless (its events are unknown,
so only a snapshot keeps the past readable). Trimming to the kept window
happens with the snapshots, so ordinary saves never delete.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from clusterviz.clusters.models import Cluster
from clusterviz.history import marks
from clusterviz.history.models import Entry, Snapshot, Timeline
from simcore import Simulation

LEVEL = 1  # zlib: the fastest level already shrinks JSON about tenfold


def pack(value: object) -> bytes:
    return zlib.compress(json.dumps(value, separators=(",", ":")).encode(), LEVEL)


def unpack(blob: bytes | memoryview) -> object:
    return json.loads(zlib.decompress(bytes(blob)))


def timeline_of(cluster: Cluster) -> Timeline:
    timeline: Timeline = Timeline.objects.get_or_create(cluster=cluster)[0]
    return timeline


def saved(cluster: Cluster, sim: Simulation, old_rv: int, events: Sequence | None) -> None:
    """Record one committed save of `cluster` (call inside the save's transaction)."""
    timeline = timeline_of(cluster)
    at = sim.elapsed + timeline.offset
    rv = sim.rv
    if events or (events is not None and marks.person()):
        _entry(cluster, at, sim, old_rv, events)
    if events is None or timeline.last_snapshot_at is None or \
            (rv != old_rv and _due(timeline, at, bool(events) and bool(marks.person()))):
        take_snapshot(cluster, sim, timeline, at)


def _due(timeline: Timeline, at: float, by_person: bool) -> bool:
    """A snapshot every HISTORY_SNAPSHOT_SECONDS, and after a person's change: a restore
    runs the snapshot before a moment forward by the clock alone (`replaying`), which
    cannot redo a change from outside. Either way no sooner than the wall budget allows."""
    if not by_person and at - timeline.last_snapshot_at < settings.HISTORY_SNAPSHOT_SECONDS:
        return False
    if timeline.last_snapshot_wall is None:
        return True
    rest = timedelta(seconds=timeline.snapshot_cost * settings.HISTORY_SNAPSHOT_BUDGET)
    due: bool = timezone.now() >= timeline.last_snapshot_wall + rest
    return due


def _entry(cluster: Cluster, at: float, sim: Simulation, old_rv: int, events: Sequence) -> None:
    body = [[ev.type, ev.resource, ev.object] for ev in events]
    common = dict(cluster=cluster, at=at, elapsed=sim.elapsed, from_rv=old_rv,
                  to_rv=sim.rv)
    person = marks.person()
    rows = [Entry(events=pack(body), mark="person" if person else "", label=person or "",
                  **common)]
    # Notable events ride as extra marks with no events of their own.
    rows += [Entry(events=pack([]), mark="event", label=label[:marks.MAX_LABEL], **common)
             for label in marks.notable(events)]
    Entry.objects.bulk_create(rows)


def take_snapshot(cluster: Cluster, sim: Simulation, timeline: Timeline, at: float) -> None:
    started = time.perf_counter()
    Snapshot.objects.create(cluster=cluster, at=at, elapsed=sim.elapsed,
                            rv=sim.rv, state=pack(sim.state()))
    timeline.last_snapshot_at, timeline.last_snapshot_wall = at, timezone.now()
    timeline.snapshot_cost = time.perf_counter() - started
    timeline.save(update_fields=["last_snapshot_at", "last_snapshot_wall", "snapshot_cost"])
    trim(cluster, at)


def trim(cluster: Cluster, now_at: float) -> None:
    """Drop what lies before the kept window, keeping the snapshot the window starts from."""
    cutoff = now_at - settings.HISTORY_KEEP_SECONDS
    first = Snapshot.objects.filter(cluster=cluster, at__lte=cutoff) \
        .order_by("-at", "-rv").values_list("at", "rv").first()
    if first is None:
        return
    Snapshot.objects.filter(cluster=cluster, rv__lt=first[1]).delete()
    Entry.objects.filter(cluster=cluster, to_rv__lte=first[1]).delete()
