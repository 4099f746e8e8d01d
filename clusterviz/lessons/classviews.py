"""The presenter for a class: which class, its students, the push and the spotlight.

`class_context(request)` reads `?class=<pk>` and `?spotlight=<slug>` of the
presenter's URL: the class must be the signed-in teacher's (else 404, as
for a class that is not there), the spotlit cluster one of that class's. A
spotlight is only a graph: the presenter mounts the student's graph feed
(which the class's teacher may read, `classroom.policy`) and nothing on the
page writes to that cluster.

POST `classes/<pk>/lesson/push` `{"lesson", "step", "bring"}` is `push.push`
for the class's teacher: JSON in, JSON out, CSRF-checked like every POST.
"""

from __future__ import annotations

import json

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clusterviz.classroom.models import Classroom
from clusterviz.classroom.views import teacher_required
from clusterviz.lessons import loader, push, runner


def my_class(user: User, pk: object) -> Classroom:
    classroom: Classroom | None
    try:
        classroom = Classroom.objects.filter(pk=int(pk)).first()  # type: ignore[call-overload]
    except (TypeError, ValueError):
        classroom = None
    if classroom is None or (classroom.teacher_id != user.pk and not user.is_superuser):
        raise Http404("no such class")
    return classroom


def class_context(request: HttpRequest) -> dict:
    """The presenter's class part: the teacher's classes, the one chosen, the spotlight."""
    user = request.user
    if not user.is_staff:
        return {"classes": [], "classroom": None, "spotlight": None, "spotlight_name": ""}
    classes = [{"pk": c.pk, "name": c.name}
               for c in Classroom.objects.filter(teacher=user).order_by("-created")]
    chosen = request.GET.get("class")
    if not chosen:
        return {"classes": classes, "classroom": None, "spotlight": None,
                "spotlight_name": ""}
    classroom = my_class(user, chosen)
    students = [{"slug": c.slug, "name": c.owner.get_username() if c.owner else c.slug}
                for c in classroom.clusters.select_related("owner").order_by("slug")]
    spotlight = request.GET.get("spotlight") or None
    names = {s["slug"]: s["name"] for s in students}
    if spotlight is not None and spotlight not in names:
        raise Http404("no such student cluster in this class")
    return {"classes": classes, "spotlight": spotlight,
            "spotlight_name": names.get(spotlight or "", ""),
            "classroom": {"pk": classroom.pk, "name": classroom.name, "students": students}}


@teacher_required
@require_POST
def push_step(request: HttpRequest, pk: int) -> JsonResponse:
    classroom = my_class(request.user, pk)
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
        lesson = loader.load(str(body.get("lesson") or ""))
        number = int(body.get("step", 0))
        return JsonResponse(push.push(classroom, lesson, number, bool(body.get("bring"))))
    except (loader.LessonError, runner.StepFailed) as exc:  # (ValueErrors too: first)
        return JsonResponse({"error": str(exc)}, status=400)
    except (ValueError, TypeError, RecursionError):
        return JsonResponse({"error": _("send {\"lesson\": ..., \"step\": n} as JSON")},
                            status=400)
