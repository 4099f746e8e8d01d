"""The cluster page and the two JSON endpoints behind its drawer (apply, run).

Thin: parse the request, call `actions` off the event loop, answer JSON.
The POST endpoints take only `application/json`: a cross-site HTML form
cannot send that without the browser asking first, which is the CSRF
protection this cookie-less, local app needs. The graph moves because the
runtime publishes every committed save to the cluster's viewers.
"""

from __future__ import annotations

import json

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from clusterviz.clusters.models import Cluster, StoredObject
from clusterviz.clusters.runtime import ClusterNotFound
from clusterviz.dashboard import actions
from clusterviz.dashboard.graph import DEFAULT_CLIENTS


def _offload(fn):
    # Tests with Django's client keep the work in their own thread and transaction.
    return sync_to_async(fn, thread_sensitive=not getattr(settings, "K8S_OFFLOAD_TO_THREADS",
                                                          True))


def cluster_page(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        raise Http404(f"no cluster {slug}")
    namespaces = StoredObject.objects.filter(cluster=cluster, resource="namespaces") \
        .order_by("name").values_list("name", flat=True)
    config = {"slug": cluster.slug, "clients": list(DEFAULT_CLIENTS),
              "static": settings.STATIC_URL}
    return render(request, "dashboard/cluster.html",
                  {"cluster": cluster, "namespaces": list(namespaces), "page_config": config})


def _json_body(request: HttpRequest) -> dict:
    if request.content_type != "application/json":
        raise actions.Refused("send the request as application/json")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise actions.Refused("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise actions.Refused("the request body must be a JSON object")
    return body


async def _answer(slug: str, work) -> JsonResponse:
    try:
        payload = await _offload(work)()
    except actions.Refused as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    except ClusterNotFound:
        return JsonResponse({"error": f"no cluster {slug}"}, status=404)
    return JsonResponse(payload)


@csrf_exempt
@require_POST
async def apply(request: HttpRequest, slug: str) -> JsonResponse:
    def work() -> dict:
        body = _json_body(request)
        create = body.get("mode") == "create"
        return {"results": actions.apply_manifests(slug, str(body.get("text") or ""), create)}
    return await _answer(slug, work)


@csrf_exempt
@require_POST
async def run(request: HttpRequest, slug: str) -> JsonResponse:
    def work() -> dict:
        body = _json_body(request)
        source = body.get("source") if isinstance(body.get("source"), dict) else {}
        chosen = actions.Source(str(source.get("kind") or ""), str(source.get("name") or ""),
                                str(source.get("namespace") or "default"))
        return actions.run_command(slug, chosen, str(body.get("command") or ""))
    return await _answer(slug, work)
