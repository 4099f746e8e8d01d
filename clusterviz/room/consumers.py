"""The room's sockets: the teacher's roster, and following a student read-only.

`/ws/classes/<pk>/roster` (`RosterConsumer`), for the class's teacher only
(4401 not signed in, 4404 anyone else, as for a class that does not exist):
server to browser `{"type": "cards", "cards": [...]}` on connect, sorted by
need of help, then `{"type": "card", "card": {...}}` whenever one student's
card changed, never the whole class again (`{"type": "cards"}` only when a
student joined or left). It listens where the graph feed listens: the
group `cluster.<slug>` of every student's cluster (the runtime's committed
saves, over the same channel layer, Redis when scaled out) and the class's
own group (`room.class.<pk>`: a command recorded, a dashboard opened or
closed). A notification only marks the card dirty; a card is rebuilt in a
worker thread at most once per `CARD_WINDOW` (a burst of saves costs one
read), and sent only if it differs from what the page has. Every `TICK`
seconds every card is looked at again, since time alone changes some (a
pod failing for a minute, a student gone quiet).

`/ws/clusters/<slug>/follow` (`FollowConsumer`) is the graph feed for a
teacher following a student: the same snapshots and deltas as
`/ws/clusters/<slug>/graph`, for staff who may use the cluster only, and
read-only: anything but `resync` and `namespace` is answered `{"type":
"refused"}` and changes nothing. While it is open the student's dashboard
shows "your teacher is viewing" (`presence`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext as _

from clusterviz import i18n
from clusterviz.classroom.doors import CLOSE_NO_CLUSTER, CLOSE_NOT_SIGNED_IN
from clusterviz.classroom.models import Classroom
from clusterviz.classroom.policy import may_use_slug
from clusterviz.clusters.models import Cluster
from clusterviz.clusters.publish import group_name
from clusterviz.clusters.runtime import offload
from clusterviz.dashboard.consumers import GraphConsumer
from clusterviz.room import cards, record
from clusterviz.web import refuse

log = logging.getLogger(__name__)
CARD_WINDOW = 0.1  # seconds: a burst of saves of one cluster, one card
TICK = 5.0


def roster_refusal(scope: dict, pk: int) -> int | None:
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return CLOSE_NOT_SIGNED_IN
    classroom = Classroom.objects.filter(pk=pk).first()
    if classroom is None or not user.is_active or not (
            user.is_superuser or (user.is_staff and classroom.teacher_id == user.pk)):
        return CLOSE_NO_CLUSTER
    return None


def class_cards(pk: int) -> dict[str, dict]:
    clusters = Cluster.objects.filter(classroom_id=pk).select_related("owner")
    return {c.slug: cards.card(c) for c in clusters}


def one_card(slug: str) -> dict | None:
    cluster = Cluster.objects.filter(slug=slug).select_related("owner").first()
    return cards.card(cluster) if cluster is not None else None


class RosterConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.pk = int(self.scope["url_route"]["kwargs"]["pk"])
        self.sent: dict[str, dict] = {}
        self.dirty: set[str] = set()
        self.flusher: asyncio.Task[None] | None = None
        self.ticker: asyncio.Task[None] | None = None
        refusal = await offload(roster_refusal)(self.scope, self.pk)
        if refusal is not None:
            await refuse(self, refusal)
            return
        record.remember_loop()
        self.language = i18n.language_of_scope(self.scope)
        await self.accept()
        await self.channel_layer.group_add(record.class_group(self.pk), self.channel_name)
        await self._send_all()
        self.ticker = asyncio.get_running_loop().create_task(self._tick())

    async def disconnect(self, code: int) -> None:
        for task in (self.ticker, self.flusher):
            if task is not None:
                task.cancel()
        if getattr(self, "sent", None) is None:
            return
        with contextlib.suppress(Exception):
            await self.channel_layer.group_discard(record.class_group(self.pk),
                                                   self.channel_name)
        for slug in list(self.sent):
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(group_name(slug), self.channel_name)

    async def receive_json(self, content: object, **kwargs: object) -> None:
        if isinstance(content, dict) and content.get("type") == "resync":
            await self._send_all()

    async def _send_all(self) -> None:
        with translation.override(self.language):
            now = await offload(class_cards)(self.pk)
        for slug in set(now) - set(self.sent):
            await self.channel_layer.group_add(group_name(slug), self.channel_name)
        for slug in set(self.sent) - set(now):
            await self.channel_layer.group_discard(group_name(slug), self.channel_name)
        self.sent = now
        ordered = sorted(now.values(), key=cards.sort_key)
        await self.send_json({"type": "cards", "cards": ordered})

    # ---- notifications: mark dirty, flush within CARD_WINDOW ---------------------------

    async def dispatch(self, message: dict) -> None:
        kind = message.get("type", "")
        if kind.startswith(("cluster.", "viewers.")):
            self._mark(str(message.get("cluster") or ""), message)
            return
        await super().dispatch(message)

    def _mark(self, slug: str, message: dict) -> None:
        if not slug:  # a clock change names no cluster: look at all of them
            self.dirty.update(self.sent)
        else:
            self.dirty.add(slug)
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.get_running_loop().create_task(self._flush())

    async def room_changed(self, message: dict) -> None:
        slug = str(message.get("slug") or "")
        if slug not in self.sent:  # a student who joined since: the page gets them all
            await self._send_all()
            return
        self._mark(slug, message)

    async def _flush(self) -> None:
        while self.dirty:
            slugs, self.dirty = self.dirty, set()
            for slug in slugs:
                try:
                    await self._refresh(slug)
                except Exception:  # one card that cannot be read: the others still go
                    log.exception("roster of class %s: the card of %s failed", self.pk, slug)
            await asyncio.sleep(CARD_WINDOW)

    async def _refresh(self, slug: str) -> None:
        with translation.override(self.language):
            card = await offload(one_card)(slug)
        if slug not in self.sent:
            return
        if card is None:  # the cluster was deleted: the page gets the class again
            await self._send_all()
            return
        if card != self.sent[slug]:
            self.sent[slug] = card
            await self.send_json({"type": "card", "card": card})

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK)
            self.dirty.update(self.sent)
            if self.flusher is None or self.flusher.done():
                self.flusher = asyncio.get_running_loop().create_task(self._flush())


def follow_refusal(scope: dict, slug: str) -> int | None:
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return CLOSE_NOT_SIGNED_IN
    return None if user.is_staff and may_use_slug(user, slug) else CLOSE_NO_CLUSTER


class FollowConsumer(GraphConsumer):
    """The graph feed, read-only, for a teacher following a student."""

    following = True

    async def connect(self) -> None:
        slug = self.scope["url_route"]["kwargs"]["slug"]
        refusal = await offload(follow_refusal)(self.scope, slug)
        if refusal is not None:
            self.slug = slug
            await refuse(self, refusal)
            return
        self.language = i18n.language_of_scope(self.scope)
        await super().connect()

    async def receive_json(self, content: object, **kwargs: object) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind in ("resync", "namespace"):
            await super().receive_json(content, **kwargs)
            return
        with translation.override(self.language):
            await self.send_json({"type": "refused", "message": _(
                "You are following this student read-only: nothing was changed.")})
