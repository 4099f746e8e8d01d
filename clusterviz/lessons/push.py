"""A teacher moves the class: "go to step N" reaches every student's Lesson tab, live.

`push(classroom, lesson, number, bring)` records step N as the place of
every cluster of the class (`progress.place`: what the roster reads), and
sends `lesson.step` to the channel-layer group of the class
(`group_name`), which every student's lesson socket joined
(`consumers.LessonConsumer`); their tabs jump to the step.

With `bring`, each student's cluster is first brought to the step's
starting state: recreated from its preset (`runner.reset`, so whatever the
student did is gone, as the class page's Reset does) and the lesson's steps
1 to N applied in order with `SETTLE_SECONDS` of its virtual clock between
them (`runner.replay_to`), so the pods an earlier step made are Running
when a later step execs into them or deletes one, as they were in the
room. The student's own clock is moved on by that much, not the wall
clock: nothing waits. Why not the presenter's restore: a student's cluster
has no restore points of the teacher's lesson (it never went through it),
and replaying the lesson is what the presenter itself would do from a
reset. The trade-off: the clusters are brought one after the other in the
teacher's request, about a tenth of a second per step and cluster on the
lecture preset, so a class of 60 at the last step takes tens of seconds;
the page says "bringing…" meanwhile.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from clusterviz.classroom.models import Classroom
from clusterviz.lessons import loader, progress, runner

MESSAGE_TYPE = "lesson.step"


def group_name(classroom_id: int) -> str:
    """The channel-layer group of the lesson sockets of one class's students."""
    return f"lesson.class.{classroom_id}"


def push(classroom: Classroom, lesson: loader.Lesson, number: int, bring: bool) -> dict:
    """Move every student of `classroom` to step `number` (and their clusters, with `bring`)."""
    lesson.step(number)  # a LessonError for a step the lesson does not have
    slugs = list(classroom.clusters.order_by("slug").values_list("slug", flat=True))
    for slug in slugs:
        if bring:
            runner.reset(slug)
            runner.replay_to(slug, lesson, number)
        progress.place(slug, lesson, number)
    message = {"type": MESSAGE_TYPE, "lesson": lesson.slug, "step": number, "reset": bring}
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group_name(classroom.pk), message)
    return {"lesson": lesson.slug, "step": number, "students": len(slugs), "brought": bring}
