"""The cluster page and the JSON endpoints behind its drawer (preview, apply, run, fire,
clock, inspect); the Terminal tab's kubectl runs over a websocket (`consumers.TerminalConsumer`).

Thin: parse the request, call `operations` off the event loop, answer JSON; a
request-panel command is also written to the cluster's command history (`room.record`).
Every view is behind `classroom.doors.cluster_view` (signed in, your
cluster, else sign-in or 404), and the POST endpoints behind Django's CSRF
check (the page sends the token as `X-CSRFToken`) and take only
`application/json`. The graph moves because the
runtime publishes every committed save to the cluster's viewers.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clusterviz.classroom.doors import cluster_view
from clusterviz.clusters.models import Cluster, StoredObject
from clusterviz.operations import actions, failures, fire, inspector, path, timecontrol
from clusterviz.operations.graph import DEFAULT_CLIENTS
from clusterviz.room import record as room_record
from clusterviz.web import Refused, answer, json_body


@cluster_view
def cluster_page(request: HttpRequest, slug: str, following: bool = False) -> HttpResponse:
    """The dashboard; `following`: the teacher's read-only view of it (`room.views.follow`)."""
    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        raise Http404(f"no cluster {slug}")
    namespaces = StoredObject.objects.filter(cluster=cluster, resource="namespaces") \
        .order_by("name").values_list("name", flat=True)
    config = {"slug": cluster.slug, "clients": list(DEFAULT_CLIENTS),
              "static": settings.STATIC_URL, "csrf": get_token(request),
              "feed": "follow" if following else "graph", "following": following}
    return render(request, "dashboard/cluster.html",
                  {"cluster": cluster, "namespaces": list(namespaces), "page_config": config,
                   "following": following})


@cluster_view
@require_POST
async def apply(request: HttpRequest, slug: str) -> JsonResponse:
    def work() -> dict:
        body = json_body(request)
        create = body.get("mode") == "create"
        return {"results": actions.apply_manifests(slug, str(body.get("text") or ""), create)}
    return await answer(slug, work)


@cluster_view
@require_POST
async def preview(request: HttpRequest, slug: str) -> JsonResponse:
    """The dry run of an upload and what it will connect to; the cluster stays as it is."""
    def work() -> dict:
        body = json_body(request)
        create = body.get("mode") == "create"
        return actions.preview_manifests(slug, str(body.get("text") or ""), create)
    return await answer(slug, work)


@cluster_view
@require_POST
async def run(request: HttpRequest, slug: str) -> JsonResponse:
    def work() -> dict:
        body = json_body(request)
        source = _source(body)
        command = str(body.get("command") or "")
        payload = actions.run_command(slug, source, command)
        room_record.request(slug, f"[{source.kind} {source.name}] {command}",
                            payload["exit_code"], list(payload["steps"]))  # with the trace
        # the graph elements each trace line touches, for the viewer's namespace filter
        payload["path"] = path.for_viewer(slug, payload.pop("steps", []),
                                          path.source_id(source.kind, source.name,
                                                         source.namespace),
                                          str(body.get("graph_namespace") or ""))
        return payload
    return await answer(slug, work)


def _source(body: dict) -> actions.Source:
    source = body.get("source")
    if not isinstance(source, dict):
        source = {}
    return actions.Source(str(source.get("kind") or ""), str(source.get("name") or ""),
                          str(source.get("namespace") or "default"))


def _number(body: dict, key: str, default: float) -> float:
    try:
        value = float(body.get(key, default))
    except (TypeError, ValueError):
        raise Refused(_("%(key)s must be a number") % {"key": key}) from None
    if not math.isfinite(value):  # NaN and Infinity: Python's json reads them, Go's does not
        raise Refused(_("%(key)s must be a number") % {"key": key})
    return value


@cluster_view
@require_POST
async def fire_chunk(request: HttpRequest, slug: str) -> JsonResponse:
    """One chunk of a Fire N burst; the page calls it until it has fired N."""
    def work() -> dict:
        body = json_body(request)
        count = int(_number(body, "count", fire.MAX_CHUNK))
        return fire.fire_chunk(slug, _source(body), str(body.get("command") or ""), count)
    return await answer(slug, work)


@cluster_view
async def clock(request: HttpRequest, slug: str) -> JsonResponse:
    """GET: the clock and what is pending. POST {action: pause|resume|step|speed}."""
    def work() -> dict:
        if request.method != "POST":
            return timecontrol.status(slug)
        body = json_body(request)
        action = body.get("action")
        if action == "pause":
            return timecontrol.set_speed(slug, 0)
        if action in ("resume", "speed"):
            return timecontrol.set_speed(slug, _number(body, "speed", 1.0))
        if action == "step":
            return timecontrol.step(slug, _number(body, "seconds", timecontrol.STEP_SECONDS))
        raise Refused(_("action must be pause, resume, step or speed"))
    return await answer(slug, work)


@cluster_view
async def inspect(request: HttpRequest, slug: str) -> JsonResponse:
    """The YAML and recent events of the object behind a graph element (`?id=pod/ns/name`)."""
    element_id = request.GET.get("id", "")
    return await answer(slug, lambda: inspector.inspect(slug, element_id))


@cluster_view
async def failure(request: HttpRequest, slug: str) -> JsonResponse:
    """GET: each node's countdown (NotReady in, pods evicted in). POST {action, node} or
    {action, pod, namespace}: a failure demo from the graph's menus (`failures`)."""
    def work() -> dict:
        if request.method != "POST":
            return failures.countdowns(slug)
        body = json_body(request)
        name = str(body.get("node") or body.get("pod") or "")
        if not name:
            raise Refused(_("name the node or the pod"))
        return failures.act(slug, str(body.get("action") or ""), name,
                            str(body.get("namespace") or "default"))
    return await answer(slug, work)
