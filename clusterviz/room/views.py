"""The room's pages and endpoints: command history, following a student, resetting a class.

- `GET /clusters/<slug>/commands` (`?before=<id>`): the cluster's newest commands as
  JSON, for its student and their teacher (`classroom.doors.cluster_view`);
  `GET /clusters/<slug>/commands/<id>` one of them with its trace's lines.
- `GET /clusters/<slug>/follow`: the student's dashboard for their teacher, read-only
  (its graph over `/ws/clusters/<slug>/follow`; no upload, request, terminal or clock
  controls). A student asking gets the 404 of a page not there.
- `POST /classes/<pk>/reset-all`: every student's cluster of the class back to the
  preset; without `confirm=yes` it answers the confirmation page instead.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from clusterviz.classroom.doors import cluster_view
from clusterviz.classroom.views import _my_class, teacher_required
from clusterviz.clusters.models import Cluster
from clusterviz.dashboard.views import cluster_page
from clusterviz.lessons import runner
from clusterviz.room import record
from clusterviz.room.models import Command
from clusterviz.traces.text import step_text


@cluster_view
@require_GET
def commands(request: HttpRequest, slug: str) -> JsonResponse:
    cluster = get_object_or_404(Cluster, slug=slug)
    before = request.GET.get("before", "")
    rows = record.recent(cluster.pk, 100, int(before) if before.isdigit() else None)
    return JsonResponse({"commands": rows})


@cluster_view
@require_GET
def command(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    row = get_object_or_404(Command, pk=pk, cluster__slug=slug)
    steps = [step_text(s) if isinstance(s, dict) else str(s) for s in row.trace or []]
    return JsonResponse({**row.as_dict(), "trace": steps})  # in the reader's language


@cluster_view
@require_GET
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_staff:
        raise Http404(f"no cluster {slug}")  # following is the teacher's
    return cluster_page.__wrapped__(request, slug, following=True)


@teacher_required
@require_POST
def reset_all(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = _my_class(request, pk)
    clusters = list(classroom.clusters.order_by("slug").values_list("slug", flat=True))
    if request.POST.get("confirm") != "yes":
        return render(request, "room/reset_all.html",
                      {"classroom": classroom, "count": len(clusters)})
    for slug in clusters:
        runner.reset(slug)
        record.notify(classroom.pk, slug, "reset")
    return redirect(f"/classes/{pk}/")
