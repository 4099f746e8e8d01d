"""What a cluster is on disk: the engine's own state, one row per object, and a change log.

`Cluster.state` is `Simulation.state()` without the objects, the rng and the
controllers' runtime state (so: config, clock and timers, cursor, and the
names of the parts in order); it is small, because every request reads the
row. The rng and each section of the runtime state (the kubelet's containers,
the event correlator, kube-proxy's tables...), megabytes on a large cluster,
live one per `EnginePart` row and the objects one per `StoredObject` row, so a
write rewrites only the rows it touched (`clusters.engines`). `Cluster.version` is the
compare-and-swap guard: every save is `UPDATE ... WHERE version = old`, the
API server's own optimistic concurrency lifted to the whole cluster, which
also works where `select_for_update` is a no-op (SQLite). `Change` is a
bounded log of the store's events (watch resume, history), trimmed per
cluster to `settings.CHANGE_LOG_LIMIT` rows.

`Cluster.next_due_at` is the wall time at which the engine's earliest timer
falls due (None: no timer, or a paused clock), written with every save, so
that whoever runs the clocks (the in-process ticker, `manage.py runsim`)
finds the clusters to advance with one indexed query.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Cluster(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    preset = models.CharField(max_length=100, default="lecture")
    seed = models.IntegerField(default=0)
    state = models.JSONField(default=dict)
    resource_version = models.BigIntegerField(default=0)
    # Virtual seconds at the last save, and when (wall time) that save happened.
    elapsed = models.FloatField(default=0.0)
    saved_at = models.DateTimeField()
    speed = models.FloatField(default=1.0)
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    version = models.BigIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    # Who it belongs to (classroom.policy): None for clusters made on the command line.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="clusters")
    classroom = models.ForeignKey("classroom.Classroom", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="clusters")

    def __str__(self) -> str:
        return str(self.slug)


class StoredObject(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="stored_objects")
    resource = models.CharField(max_length=200)  # group_resource: "pods", "replicasets.apps"
    namespace = models.CharField(max_length=253, blank=True, default="")
    name = models.CharField(max_length=253)
    uid = models.CharField(max_length=64)
    resource_version = models.BigIntegerField()
    body = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "resource", "namespace", "name"],
                                               name="one_object_per_key")]
        # the graph feed reads only the rows newer than its last read
        indexes = [models.Index(fields=["cluster", "resource_version"],
                                name="object_by_resource_version")]


class EnginePart(models.Model):
    """One piece of the engine's state beside the objects: "rng", "runtime/<section>", or
    one entry of a section's table ("runtime/kubelet/pods/<namespace>/<pod>", up to 338)."""
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="engine_parts")
    name = models.CharField(max_length=400)
    body = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "name"],
                                               name="one_engine_part_per_name")]


class Change(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="changes")
    rv = models.BigIntegerField()
    type = models.CharField(max_length=10)  # ADDED, MODIFIED, DELETED
    resource = models.CharField(max_length=200)
    namespace = models.CharField(max_length=253, blank=True, default="")
    name = models.CharField(max_length=253)
    body = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["cluster", "rv"])]
        ordering = ["rv"]
