"""How far a lesson has gone on a cluster: the step shown and the steps applied.

One row per (cluster, lesson); deleting the cluster (a reset) deletes it, so a
replayed lesson starts from nothing. `moments` maps a step's number (as a
string: a JSON key) to `[at, resourceVersion]`, the history's restore point
just after that step was applied, which the presenter's "back" returns to
(`runner.go_to`).
`updated` says which lesson a cluster worked on last (`progress.step_of`).
"""

from __future__ import annotations

from django.db import models

from clusterviz.clusters.models import Cluster


class LessonRun(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="lesson_runs")
    lesson = models.CharField(max_length=100)
    step = models.IntegerField(default=0)
    applied_through = models.IntegerField(default=0)
    moments = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "lesson"],
                                               name="one_run_per_cluster_and_lesson")]
