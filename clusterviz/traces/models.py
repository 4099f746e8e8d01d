"""Request traces: what one command did inside the simulated cluster, hop by hop.

simcore returns a trace with every exec (resolver queries, the kube-proxy
rule that matched, DNAT, the pod that answered, or why it failed); the
dashboard shows them. They are kept per cluster in a bounded window, the
newest `settings.TRACE_LIMIT` rows, because a trace is for watching a lesson
happen, not an audit log: trimming on write keeps the table small without a
cleanup job.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import models

from clusterviz.clusters.models import Cluster


class RequestTrace(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="traces")
    source = models.CharField(max_length=200)  # "kubectl exec default/rs-node-web-x (node-web)"
    command = models.TextField()
    exit_code = models.IntegerField()
    trace = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["cluster", "-id"])]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.source}: {self.command} -> {self.exit_code}"


def trace_limit() -> int:
    return int(getattr(settings, "TRACE_LIMIT", 200))


def record(cluster_id: int, source: str, command: str, exit_code: int,
           trace: Sequence[Mapping[str, object]]) -> RequestTrace:
    """Store one trace and forget the cluster's traces beyond the newest `trace_limit()`."""
    row: RequestTrace = RequestTrace.objects.create(
        cluster_id=cluster_id, source=source, command=command, exit_code=exit_code,
        trace=json_safe(trace))
    limit = trace_limit()
    newest_stale = list(RequestTrace.objects.filter(cluster_id=cluster_id).order_by("-id")
                        .values_list("id", flat=True)[limit:limit + 1])
    if newest_stale:
        RequestTrace.objects.filter(cluster_id=cluster_id, id__lte=newest_stale[0]).delete()
    return row


def json_safe(value: object) -> object:
    """`value` with non-finite floats (a hang lasts `inf` seconds) as null: JSON has none."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value
