"""The time machine's JSON endpoints under `/clusters/<slug>/history`.

GET `history` (the timeline: span, now, marks, restore points), GET
`history/graph?at=T`, `history/inspect?at=T&id=...`, `history/replay?at=T`
(all read-only, from the stored history: no engine, no lock), and POST
`history/restore` `{"at": T}`, which changes the cluster. Thin, as the
dashboard's views: parse, offload, answer JSON; POSTs take only
`application/json` like the dashboard's.
"""

from __future__ import annotations

import math

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clusterviz.classroom.doors import cluster_view
from clusterviz.history import past, restore
from clusterviz.web import Refused, answer, json_body


def moment(value: object) -> float:
    """A timeline moment from a query or body value; a Refused (400) for anything else."""
    try:
        at = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Refused(_("at must be a number of seconds on the timeline")) from None
    if not math.isfinite(at):
        raise Refused(_("at must be a number of seconds on the timeline"))
    return at


@cluster_view
@require_GET
async def timeline(request: HttpRequest, slug: str) -> JsonResponse:
    return await answer(slug, lambda: past.timeline(slug))


@cluster_view
@require_GET
async def graph(request: HttpRequest, slug: str) -> JsonResponse:
    return await answer(slug, lambda: past.graph_at(
        slug, moment(request.GET.get("at")), request.GET.get("namespace", "")))


@cluster_view
@require_GET
async def inspect(request: HttpRequest, slug: str) -> JsonResponse:
    return await answer(slug, lambda: past.inspect_at(
        slug, moment(request.GET.get("at")), request.GET.get("id", "")))


@cluster_view
@require_GET
async def replay(request: HttpRequest, slug: str) -> JsonResponse:
    return await answer(slug, lambda: past.replay(
        slug, moment(request.GET.get("at")), request.GET.get("namespace", "")))


@cluster_view
@require_POST
async def restore_to(request: HttpRequest, slug: str) -> JsonResponse:
    return await answer(slug, lambda: restore.restore(slug, moment(json_body(request).get("at"))))
