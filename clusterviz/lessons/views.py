"""The lessons list, the presenter screen, and the JSON its keys call.

Thin, like the dashboard's views: parse, call `runner` off the event loop,
answer JSON; every cluster's view is behind `classroom.doors.cluster_view`,
the POST endpoints behind Django's CSRF check, and take `application/json`. The lesson itself goes into the
page as data, so stepping back and forth redraws the text without a round
trip; only applying, running and resetting ask the server.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clusterviz import i18n
from clusterviz.classroom.doors import cluster_view
from clusterviz.classroom.policy import usable_clusters
from clusterviz.clusters.models import Cluster
from clusterviz.lessons import classviews, loader, runner
from clusterviz.operations.graph import DEFAULT_CLIENTS
from clusterviz.web import Refused, answer, json_body


@login_required
def lesson_list(request: HttpRequest) -> HttpResponse:
    lessons = [loader.load(slug) for slug in loader.lesson_slugs()]
    if lessons and len({lesson.language for lesson in lessons}) == 1:
        i18n.prefer_language(request, lessons[0].language)
    clusters = list(usable_clusters(request.user).order_by("slug")
                    .values_list("slug", flat=True))
    words = [lesson_data(lesson, get_language()) for lesson in lessons]
    return render(request, "lessons/list.html", {"lessons": words, "clusters": clusters})


def _in(text: loader.Text | str, language: str) -> str:
    return text.in_(language) if isinstance(text, loader.Text) else str(text)


def lesson_data(lesson: loader.Lesson, language: str | None = None) -> dict:
    """The lesson as the presenter page reads it, its words in `language` (its own if None)."""
    language = language or lesson.language
    return {"slug": lesson.slug, "title": _in(lesson.title, language), "steps": [
        {"number": s.number, "title": _in(s.title, language),
         "explain": _in(s.explain, language), "observe": _in(s.observe, language),
         "apply": [m.command for m in s.apply], "kubectl": list(s.kubectl),
         "requests": [{"run": r.run, "source": r.source.kind, "from": r.source.describe(""),
                       "wait": r.wait} for r in s.requests], "checked": bool(s.check)}
        for s in lesson.steps]}


@cluster_view
def presenter(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        raise Http404(f"no cluster {slug}")
    try:
        lesson = loader.load(request.GET.get("lesson") or loader.lesson_slugs()[0])
    except loader.LessonError as exc:
        raise Http404(str(exc)) from None
    i18n.prefer_language(request, lesson.language)
    room = classviews.class_context(request)
    record = runner.progress(slug, lesson)
    config = {"slug": slug, "clients": list(DEFAULT_CLIENTS), "static": settings.STATIC_URL,
              "lesson": lesson_data(lesson, get_language()), "step": max(record.step, 1),
              "applied_through": record.applied_through, "speed": cluster.speed,
              "csrf": get_token(request), **room}
    return render(request, "lessons/presenter.html",
                  {"cluster": cluster, "lesson": config["lesson"], "page_config": config,
                   **room})


def _int(body: dict, key: str, default: int = 0) -> int:
    try:
        return int(body.get(key, default))
    except (TypeError, ValueError):
        raise Refused(_("%(key)s must be a whole number") % {"key": key}) from None


async def _answer(slug: str, work: Callable[[], dict]) -> JsonResponse:
    return await answer(slug, work, (loader.LessonError, runner.StepFailed))


def _lesson(body: dict) -> loader.Lesson:
    return loader.load(str(body.get("lesson") or ""))


@cluster_view
@require_POST
async def goto(request: HttpRequest, slug: str) -> JsonResponse:
    def work() -> dict:
        body = json_body(request)
        lesson = _lesson(body)
        with i18n.lesson_language(request, lesson.language):
            return runner.go_to(slug, lesson, _int(body, "step", 1))
    return await _answer(slug, work)


@cluster_view
@require_POST
async def run(request: HttpRequest, slug: str) -> JsonResponse:
    def work() -> dict:
        body = json_body(request)
        client = str(body.get("client") or runner.DEFAULT_CLIENT)
        if client not in DEFAULT_CLIENTS:
            raise Refused(_("unknown outside client %(client)s") % {"client": client})
        lesson = _lesson(body)
        with i18n.lesson_language(request, lesson.language):
            return runner.run_step_request(slug, lesson, _int(body, "step", 1),
                                           _int(body, "index"), client)
    return await _answer(slug, work)


@cluster_view
async def check(request: HttpRequest, slug: str) -> JsonResponse:
    """GET ?lesson=&step=: does the cluster show what the step observes, and what is missing."""
    def work() -> dict:
        lesson = loader.load(request.GET.get("lesson") or "")
        with i18n.lesson_language(request, lesson.language):
            return dict(runner.check_step(slug, lesson, _int(request.GET, "step", 1)))
    return await _answer(slug, work)


@cluster_view
@require_POST
async def reset(request: HttpRequest, slug: str) -> JsonResponse:
    return await _answer(slug, lambda: runner.reset(slug))
