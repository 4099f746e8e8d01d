"""Where a cluster is in its lesson: the one place other parts read or set it.

A cluster's place is `LessonRun.step` of the lesson it worked on last (the
presenter moves it, so does the student's Lesson tab, and a teacher's push
to the class). `step_of(cluster)` is what a roster reads: 0 until the
cluster has opened a lesson. `place` only records the step; it never
applies anything (the student types the commands themselves; applying is
`runner.go_to`, the presenter's).

The trade-off: "the step a student is on" is the step they chose or were
sent to, not the furthest step whose check holds; the check is asked on
demand ("check my cluster"), since evaluating it costs a cluster load.
"""

from __future__ import annotations

from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import ClusterNotFound
from clusterviz.lessons import loader
from clusterviz.lessons.models import LessonRun


def run_of(cluster: Cluster | int) -> LessonRun | None:
    """The cluster's lesson run it touched last (None before any lesson)."""
    pk = cluster.pk if isinstance(cluster, Cluster) else cluster
    run: LessonRun | None = LessonRun.objects.filter(cluster_id=pk) \
        .order_by("-updated", "-pk").first()
    return run


def step_of(cluster: Cluster | int) -> int:
    """The lesson step the cluster is on (1-based); 0 when it has not opened a lesson."""
    run = run_of(cluster)
    return run.step if run is not None else 0


def lesson_of(cluster: Cluster) -> loader.Lesson:
    """The lesson the cluster worked on last, else the first lesson there is."""
    run = run_of(cluster)
    slugs = loader.lesson_slugs()
    return loader.load(run.lesson if run is not None and run.lesson in slugs else slugs[0])


def place(slug: str, lesson: loader.Lesson, number: int) -> dict:
    """Record that cluster `slug` is on step `number` of `lesson` (nothing is applied)."""
    step = lesson.step(number)  # a LessonError for a step the lesson does not have
    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        raise ClusterNotFound(slug)
    run, _ = LessonRun.objects.get_or_create(cluster=cluster, lesson=lesson.slug)
    run.step = step.number
    run.save(update_fields=["step", "updated"])
    return {"lesson": lesson.slug, "step": run.step}
