"""The student's Lesson tab on the dashboard: the lesson as data, and the step they are on.

GET `clusters/<slug>/lesson/data` answers the lesson the cluster works on
(`progress.lesson_of`) in the page's language, the step it is on, and per
step the commands a student types: the step's manifests (as `kubectl create
-f file.yaml`, which the web terminal runs as `-f -` with the manifest on
stdin: the terminal reads no files) and the lecture's kubectl lines (a line
with a `<placeholder>` or one that is not kubectl is for copying only).
POST `clusters/<slug>/lesson/at` `{"lesson", "step"}` records the step the
student moved to (`progress.place`; nothing is applied). "Check my cluster"
is the presenter's own `lesson/check`. Both behind `cluster_view`, like
every page and endpoint of a cluster.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from clusterviz import i18n
from clusterviz.classroom.doors import cluster_view
from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import ClusterNotFound
from clusterviz.lessons import loader, progress
from clusterviz.lessons.views import _answer, _int, _lesson, lesson_data
from clusterviz.web import json_body


def commands(step: loader.Step) -> list[dict]:
    """What a student types for `step`: `text` as shown, `run`/`stdin` for the terminal."""
    out: list[dict] = []
    for manifest in step.apply:
        verb = "create" if manifest.create else "apply"
        out.append({"text": manifest.command, "run": f"kubectl {verb} -f -",
                    "stdin": manifest.text})
    lines = [*step.kubectl, *(r.run for r in step.requests if r.source.kind == "kubectl")]
    for line in lines:
        if any(c["text"] == line for c in out):
            continue
        runnable = line.startswith("kubectl ") and "<" not in line
        out.append({"text": line, "run": line if runnable else "", "stdin": ""})
    return out


def tab_data(cluster: Cluster, lesson: loader.Lesson, language: str | None) -> dict:
    words = lesson_data(lesson, language)
    for lesson_step, shown in zip(lesson.steps, words["steps"], strict=True):
        shown["commands"] = commands(lesson_step)
    run = progress.run_of(cluster)
    step = run.step if run is not None and run.lesson == lesson.slug else 0
    return {"lesson": words, "step": step}


@cluster_view
@require_GET
async def data(request: HttpRequest, slug: str) -> JsonResponse:
    def work() -> dict:
        cluster = Cluster.objects.filter(slug=slug).first()
        if cluster is None:
            raise ClusterNotFound(slug)
        wanted = request.GET.get("lesson")
        lesson = loader.load(wanted) if wanted else progress.lesson_of(cluster)
        with i18n.lesson_language(request, lesson.language):
            return tab_data(cluster, lesson, get_language())
    return await _answer(slug, work)


@cluster_view
@require_POST
async def at(request: HttpRequest, slug: str) -> JsonResponse:
    def work() -> dict:
        body = json_body(request)
        return progress.place(slug, _lesson(body), _int(body, "step", 1))
    return await _answer(slug, work)
