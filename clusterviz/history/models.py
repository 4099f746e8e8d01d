"""A cluster's recent past on disk: whole-state snapshots, the changes between them, marks.

The timeline is measured in `at`: virtual seconds that only move forward.
It equals the cluster's virtual clock (`Cluster.elapsed`) plus an offset
that grows on each restore (the clock goes back to the restored moment,
the timeline does not), so a restore never folds the timeline onto itself
and can be undone like any other moment.

- `Timeline`: one row per cluster, the offset and when the last snapshot
  was taken, so the save path decides "snapshot now?" without a query.
- `Snapshot`: `Simulation.state()` whole (objects and runtime alike),
  zlib-compressed JSON, taken at most every `HISTORY_SNAPSHOT_SECONDS` of
  virtual time. A restore goes back to one of these, exactly.
- `Entry`: one per save that moved the store: the store's events of that
  save, compressed (objects as they became), so the objects at any moment
  between two snapshots are the earlier snapshot's plus the entries up to
  then. An entry may carry a mark: a change a person made (kubectl,
  upload, request panel, lesson step), a notable event (node NotReady, a
  pod failed, a Job finished) or a restore.

Bounded per cluster: rows older than `HISTORY_KEEP_SECONDS` of timeline
(an hour and more) are dropped on write, keeping the snapshot that starts
the oldest kept stretch. Compressed blobs rather than JSON columns: a
snapshot of 2,000 pods is megabytes as JSON and a tenth of that packed,
and nothing ever queries inside them.
"""

from __future__ import annotations

from django.db import models

from clusterviz.clusters.models import Cluster


class Timeline(models.Model):
    cluster = models.OneToOneField(Cluster, on_delete=models.CASCADE, related_name="timeline")
    offset = models.FloatField(default=0.0)  # at = elapsed + offset
    last_snapshot_at = models.FloatField(null=True, blank=True)
    # wall time and seconds the last snapshot took: the save path's budget (`record`)
    last_snapshot_wall = models.DateTimeField(null=True, blank=True)
    snapshot_cost = models.FloatField(default=0.0)


class Snapshot(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE,
                                related_name="history_snapshots")
    at = models.FloatField()
    elapsed = models.FloatField()
    rv = models.BigIntegerField()
    state = models.BinaryField()  # zlib(json(Simulation.state()))

    class Meta:
        indexes = [models.Index(fields=["cluster", "at"], name="history_snapshot_at")]


class Entry(models.Model):
    MARK_CHOICES = [("", "none"), ("person", "person"), ("event", "event"),
                    ("restore", "restore")]
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE,
                                related_name="history_entries")
    at = models.FloatField()
    elapsed = models.FloatField()
    from_rv = models.BigIntegerField()
    to_rv = models.BigIntegerField()
    events = models.BinaryField()  # zlib(json([[type, resource, object], ...]))
    mark = models.CharField(max_length=10, blank=True, default="", choices=MARK_CHOICES)
    label = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["cluster", "at"], name="history_entry_at")]
        ordering = ["at", "id"]
