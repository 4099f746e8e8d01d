"""The Lesson tab's socket, `/ws/clusters/<slug>/lesson`: a teacher's push, live.

Server to browser only: `{"type": "step", "lesson": slug, "step": n, "reset": bool}`
when the class's teacher pushes a step (`push.push`). The socket of a
cluster in a class joins that class's group; a cluster in no class is
accepted and hears nothing (nobody pushes to it). Refused like the
dashboard's sockets: 4401 not signed in, 4404 not your cluster
(`classroom.doors.socket_refusal`), and only from the page's own origin
(`asgi.py` wraps it in `origin.browser_only`). Anything the browser sends is
ignored: the push comes from the teacher's POST, never from a socket.
"""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from clusterviz.classroom.doors import socket_refusal
from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import offload
from clusterviz.lessons.push import group_name
from clusterviz.web import refuse


def _classroom_of(slug: str) -> int | None:
    classroom: int | None = Cluster.objects.filter(slug=slug) \
        .values_list("classroom_id", flat=True).first()
    return classroom


class LessonConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.slug = self.scope["url_route"]["kwargs"]["slug"]
        self.group = None
        refusal = await offload(socket_refusal)(
            self.scope, self.slug)
        if refusal is not None:
            await refuse(self, refusal)
            return
        classroom = await offload(_classroom_of)(self.slug)
        if classroom is not None and self.channel_layer is not None:
            self.group = group_name(classroom)
            await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: object, **kwargs: object) -> None:
        pass  # nothing a browser says moves a class

    async def lesson_step(self, event: dict) -> None:
        await self.send_json({"type": "step", "lesson": event["lesson"], "step": event["step"],
                              "reset": bool(event.get("reset"))})
