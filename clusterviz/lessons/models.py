"""How far a lesson has gone on a cluster: the step shown and the steps applied.

One row per (cluster, lesson); deleting the cluster (a reset) deletes it, so a
replayed lesson starts from nothing.
"""

from __future__ import annotations

from django.db import models

from clusterviz.clusters.models import Cluster


class LessonRun(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="lesson_runs")
    lesson = models.CharField(max_length=100)
    step = models.IntegerField(default=0)
    applied_through = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "lesson"],
                                               name="one_run_per_cluster_and_lesson")]
