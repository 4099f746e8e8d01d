"""The graph feed of one viewer: `/ws/clusters/<slug>/graph`.

The protocol, server to browser (JSON):
- `{"type": "snapshot", "seq": n, "version": v, "clock": {...}, "elements": [...]}`
  on connect, on request, and after a namespace change;
- `{"type": "delta", "seq": n, "version": v, "clock": {...}, "add": [...],
  "update": [...], "remove": [ids]}` after changes commit.
Beside the feed, without a `seq`: `{"type": "viewers", "followed": bool}` when the
class's teacher starts or stops following this cluster (`room.presence`: the
student's badge). Opening and closing this socket is the student's presence
on the teacher's roster.
`seq` counts this socket's messages from 1 without holes: a browser that
sees `seq` jump (it missed or dropped one) sends `{"type": "resync"}` and
gets a fresh snapshot. Browser to server, also `{"type": "namespace",
"namespace": "..."}` (the filter of `graph.elements`). A save that moved only
the clock's speed (`timecontrol`) still sends a delta, empty but for `clock`.

`/ws/clusters/<slug>/kubectl` is the Terminal tab (`TerminalConsumer`):
browser to server `{"type": "run", "command": "kubectl ...", "stdin": "..."}`
and `{"type": "stop"}`; server to browser `{"type": "refused", "message"}`
(nothing ran), `{"type": "output", "stream": "stdout"|"stderr"|"notice",
"data"}` as kubectl writes, and `{"type": "exit", "code": n or null}`; for
`exec -it <pod> -- sh` (nothing runs: kubectl here has no terminal) `{"type":
"shell", "url", "message", "link"}`, the pod's shell page to open. One command at a time per socket; the checks are `webkubectl.parse`.

Both sockets refuse a visitor who is not signed in (close code 4401) or
whose cluster it is not (4404, as for no such cluster), sending nothing
but the close: `classroom.doors.socket_refusal` on the session's user that
`AuthMiddlewareStack` put in the scope.

Change notifications (`cluster.changes`, sent by the runtime on every
committed save to the group `cluster.<slug>`, see `clusters.publish`) are
only a wake-up call: the consumer reads the committed state and diffs it
against what this viewer was sent, so a lost or reordered notification
costs nothing but latency. They are throttled, not delayed: a notification
to a quiet feed is flushed at once (after one turn of the event loop, so
the other viewers woken by the same save join it), and the ones that arrive
within `DASHBOARD_BATCH_SECONDS` of a flush ride along in one flush at the
end of that window. A change reaches a watching page as soon as it
commits, and a burst of saves costs at most one delta per window. A
notification that arrives while the state is being read, or after, is
served by that read when the read already covers its resourceVersion. An
empty delta is not sent. The consumer only translates; reading and diffing run
in a worker thread (`runtime.offload`: `thread_sensitive=False`), never on the
event loop nor on the one shared thread of `database_sync_to_async`.

Viewers of one cluster share the work (`_Feed`): in a process, the viewers
of one cluster and namespace filter woken by the same burst wait for one
flush, which reads the committed state once; the delta from the version a
viewer was sent to the one read is computed and encoded once per process
(`snapshot.shared_delta`), and each viewer only splices in its own `seq`.
With 200 viewers a change costs one read, one diff and 200 sends, where it
cost 200 of each. Each viewer still keeps its own version, `seq` and send
lock, so one that is behind, resynced or on another filter gets exactly
what it would have got alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import parse_qs, urlencode

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from clusterviz import i18n
from clusterviz.classroom import tokens
from clusterviz.classroom.doors import socket_refusal
from clusterviz.clusters.publish import group_name
from clusterviz.clusters.runtime import offload
from clusterviz.dashboard import webkubectl
from clusterviz.dashboard.terminalslots import who_of
from clusterviz.operations.snapshot import (
    Snapshot,
    cached_delta,
    encoded_elements,
    shared_delta,
    snapshot,
    snapshot_message,
)
from clusterviz.room import presence
from clusterviz.room import record as room_record
from clusterviz.web import Refused, refuse

CLOSE_NO_CLUSTER = 4404
_FeedKey = tuple[asyncio.AbstractEventLoop, str, str]  # loop, slug, namespace filter


class _Feed:
    """The viewers of one cluster and namespace filter, in this process, waiting for a flush.

    `waiting` maps each viewer to the resourceVersion its wake-up announced (None when
    it announced none, as a clock change: only a read started after it will do). `last`
    is the latest read: a wake-up for a change it already holds is answered from it at
    once (200 viewers' wake-ups take longer to arrive than one read takes)."""

    def __init__(self, key: _FeedKey) -> None:
        self.key = key
        self.waiting: dict[GraphConsumer, int | None] = {}
        self.task: asyncio.Task[None] | None = None
        self.last: Snapshot | None = None
        self.answering: set[asyncio.Task[None]] = set()

    def wake(self, viewer: GraphConsumer, rv: int | None) -> None:
        if (rv is not None and self.last is not None and rv <= self.last.rv
                and viewer not in self.waiting):
            task = asyncio.get_running_loop().create_task(viewer._send_delta(self.last))
            self.answering.add(task)
            task.add_done_callback(self.answering.discard)
            return
        if viewer in self.waiting:
            old = self.waiting[viewer]
            rv = None if old is None or rv is None else max(old, rv)
        self.waiting[viewer] = rv
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        window = getattr(settings, "DASHBOARD_BATCH_SECONDS", 0.05)
        try:
            await asyncio.sleep(0)  # the rest of this save's wake-ups join
            while self.waiting:
                await self._flush()
                await asyncio.sleep(window)  # what arrives meanwhile waits for one flush
        finally:
            if _feeds.get(self.key) is self:  # quiet for a window: the next wake-up flushes at once
                del _feeds[self.key]

    async def _flush(self) -> None:
        viewers, self.waiting = self.waiting, {}
        _, slug, namespace = self.key
        sent = {v.sent.version: v.sent for v in viewers if v.sent is not None}
        current = await offload(_read_and_diff)(slug, namespace, list(sent.values()))
        if current is None:
            return
        self.last = current
        # woken during the read by a change the read already holds: served by it too
        covered = [v for v, rv in self.waiting.items() if rv is not None and rv <= current.rv]
        for viewer in covered:
            del self.waiting[viewer]
        await asyncio.gather(*(v._send_delta(current) for v in (*viewers, *covered)),
                             return_exceptions=True)  # a viewer gone meanwhile: the rest


_feeds: dict[_FeedKey, _Feed] = {}


def _read_and_diff(slug: str, namespace: str, sent: list[Snapshot]) -> Snapshot | None:
    """The committed state, and the shared deltas to it from the versions the viewers were
    sent, in one trip to a worker thread: the viewers then find them in the cache."""
    current = snapshot(slug, namespace)
    if current is None:
        return None
    for old in sent:
        if old.key == current.key and old.version != current.version:
            shared_delta(old, current)
    return current


class GraphConsumer(AsyncJsonWebsocketConsumer):
    following = False  # room.consumers.FollowConsumer: a teacher's read-only follow
    # set by connect
    sent: Snapshot | None  # the picture this viewer has
    speed: float | None  # the clock's speed as last sent
    feed: _Feed | None  # the feed this viewer last waited on

    async def connect(self) -> None:
        self.slug = self.scope["url_route"]["kwargs"]["slug"]
        self.namespace = _namespace_param(self.scope.get("query_string", b""))
        self.seq, self.sent, self.speed, self.feed = 0, None, None, None
        self.sending = asyncio.Lock()  # a snapshot and a delta never interleave
        refusal = await offload(socket_refusal)(self.scope, self.slug)
        if refusal is not None:
            await refuse(self, refusal)
            return
        first = await offload(snapshot)(self.slug, self.namespace)
        if first is None:
            await refuse(self, CLOSE_NO_CLUSTER)
            return
        await self.accept()
        await self.channel_layer.group_add(group_name(self.slug), self.channel_name)
        self.joined = True
        # the roster's online dot (or the student's "your teacher is viewing" badge), known
        # by the time the page has its first picture; the graph goes on without it if it
        # cannot be written
        with contextlib.suppress(Exception):
            await offload(presence.opened)(self.slug, self.channel_name,
                                            self.scope.get("user"), self.following)
        await self._send_snapshot(first)
        with contextlib.suppress(Exception):
            if not self.following and await offload(presence.followed)(self.slug):
                await self.send_json({"type": "viewers", "followed": True})

    async def disconnect(self, code: int) -> None:
        if getattr(self, "joined", False):
            self.joined = False
            await self.channel_layer.group_discard(group_name(self.slug), self.channel_name)
            with contextlib.suppress(Exception):  # the roster shows them offline
                await offload(presence.closed)(self.slug, self.channel_name)
        feed = getattr(self, "feed", None)  # None too if connect never got that far
        if feed is not None:
            feed.waiting.pop(self, None)

    async def receive_json(self, content: object, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "namespace":
            self.namespace = str(content.get("namespace") or "")
        if kind in ("resync", "namespace"):
            await self._send_snapshot(await offload(snapshot)(self.slug, self.namespace))

    async def cluster_changes(self, message: dict) -> None:
        """A save committed on this cluster: a delta now, or with the next flush of this feed."""
        key = (asyncio.get_running_loop(), self.slug, self.namespace)
        feed = _feeds.get(key)
        if feed is None:
            feed = _feeds[key] = _Feed(key)
        self.feed = feed
        rv = message.get("rv")
        feed.wake(self, rv if isinstance(rv, int) else None)

    async def viewers_changed(self, message: dict) -> None:
        """A teacher started or stopped following this cluster: the student's badge."""
        if not self.following:
            with contextlib.suppress(Exception):
                await self.send_json({"type": "viewers", "followed": bool(message.get("followed"))})

    async def dispatch(self, message: dict) -> None:
        # Any other message type sent to the cluster's group (the runtime's own
        # publisher may name it differently) means the same: the cluster moved.
        handler_name = message.get("type", "").replace(".", "_")
        if message.get("type", "").startswith("cluster.") and not hasattr(self, handler_name):
            message = {**message, "type": "cluster.changes"}
        await super().dispatch(message)

    async def _send_snapshot(self, snap: Snapshot | None) -> None:
        if snap is None:
            return
        elements = await offload(encoded_elements)(snap)  # a megabyte on 2,000 pods
        async with self.sending:
            self.seq += 1
            self.sent, self.speed = snap, snap.clock.get("speed")
            await self.send(text_data=snapshot_message(snap, self.seq, elements))

    async def _send_delta(self, snap: Snapshot) -> None:
        async with self.sending:
            if self.sent is None or snap.key[2:] != (self.namespace,):
                return  # the filter changed since the wake-up: its snapshot said it all
            if snap.key == self.sent.key and snap.version < self.sent.version:
                return  # a resync sent it something newer: never draw the past
            speed_moved = snap.clock.get("speed") != self.speed
            if snap.version == self.sent.version and snap.key == self.sent.key:
                if not speed_moved:
                    return
            change = cached_delta(self.sent, snap) or await offload(shared_delta)(self.sent, snap)
            if change.empty and not speed_moved:
                return
            self.seq += 1
            self.sent, self.speed = snap, snap.clock.get("speed")
            await self.send(text_data=change.message(self.seq, snap.version, snap.clock))


class TerminalConsumer(AsyncJsonWebsocketConsumer):
    """The Terminal tab: runs checked kubectl command lines against this cluster's API."""

    task: asyncio.Task[None] | None  # the command running, set by connect and _start

    async def connect(self) -> None:
        self.slug = self.scope["url_route"]["kwargs"]["slug"]
        self.task, self.stop = None, asyncio.Event()
        refusal = await offload(socket_refusal)(self.scope, self.slug)
        if refusal is not None:
            await refuse(self, refusal)
            return
        self.language = i18n.language_of_scope(self.scope)  # for its refusals
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "task", None) is not None:
            self.stop.set()

    async def receive_json(self, content: object, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "stop":
            self.stop.set()
        elif kind == "run":
            # the task _start creates copies this context, so the run speaks it too
            with translation.override(self.language):
                await self._start(str(content.get("command") or ""),
                                  str(content.get("stdin") or ""))

    async def _start(self, line: str, stdin: str) -> None:
        if self.task is not None and not self.task.done():
            await self.send_json({"type": "refused", "message": _(
                "a command is still running: stop it first (Ctrl-C or the Stop button)")})
            return
        try:
            command = webkubectl.parse(line)
        except Refused as exc:
            await self.send_json({"type": "refused", "message": str(exc)})
            return
        if command.shell is not None:
            await self.send_json(_shell_message(self.slug, command.shell))
            return
        self.stop = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._run(command, stdin, line))

    async def _run(self, command: webkubectl.Command, stdin: str, line: str = "") -> None:
        async def emit(stream: str, data: str) -> None:
            if not self.stop.is_set() or stream == "notice":
                with contextlib.suppress(Exception):  # the page may have gone: still reap
                    await self.send_json({"type": "output", "stream": stream, "data": data})
        access = None
        try:
            access = await offload(webkubectl.grant)(self.scope["user"], self.slug)
            code = await webkubectl.run(command, self.slug, access, stdin, emit, self.stop,
                                        who_of(self.scope))
        except Refused as exc:
            await self.send_json({"type": "refused", "message": str(exc)})
            return
        finally:
            if access is not None:
                await offload(tokens.forget)(access.token)
        await offload(room_record.terminal)(self.slug, line, code)  # the command history
        with contextlib.suppress(Exception):
            await self.send_json({"type": "exit", "code": code})


def _shell_message(slug: str, shell: webkubectl.Shell) -> dict:
    """Where the Terminal tab sends an `exec -it ... -- sh`: the pod's shell page."""
    query = {"command": shell.command, **({"container": shell.container} if shell.container
                                          else {})}
    url = reverse("cluster-shell", args=[slug, shell.namespace, shell.pod])
    return {"type": "shell", "url": f"{url}?{urlencode(query)}",
            "message": _("kubectl exec -it needs a terminal of its own: the shell opens in "
                         "a new tab."),
            "link": _("Open %(command)s in %(pod)s") % {"command": shell.command,
                                                       "pod": shell.pod}}


def _namespace_param(query_string: bytes) -> str:
    values = parse_qs(query_string.decode("latin-1")).get("namespace") or [""]
    return values[0]
