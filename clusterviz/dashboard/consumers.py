"""The graph feed of one viewer: `/ws/clusters/<slug>/graph`.

The protocol, server to browser (JSON):
- `{"type": "snapshot", "seq": n, "version": v, "clock": {...}, "elements": [...]}`
  on connect, on request, and after a namespace change;
- `{"type": "delta", "seq": n, "version": v, "clock": {...}, "add": [...],
  "update": [...], "remove": [ids]}` after changes commit.
`seq` counts this socket's messages from 1 without holes: a browser that
sees `seq` jump (it missed or dropped one) sends `{"type": "resync"}` and
gets a fresh snapshot. Browser to server, also `{"type": "namespace",
"namespace": "..."}` (the filter of `graph.elements`).

Change notifications (`cluster.changes`, sent by the runtime on every
committed save to the group `cluster.<slug>`, see `clusters.publish`) are
only a wake-up call: the consumer reads the committed state and diffs it
against what this viewer was sent, so a lost or reordered notification
costs nothing but latency. They are batched: the first
one schedules a flush `DASHBOARD_BATCH_SECONDS` later and the ones that
arrive meanwhile ride along, so a burst of saves becomes one delta. An empty
delta is not sent. The consumer only translates; reading and diffing run
in a worker thread (`thread_sensitive=False`), never on the event loop nor
on the one shared thread of `database_sync_to_async`.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from clusterviz.clusters.publish import group_name
from clusterviz.dashboard.graph import delta, is_empty
from clusterviz.dashboard.snapshot import Snapshot, snapshot

CLOSE_NO_CLUSTER = 4404


def _offload(fn):
    return sync_to_async(fn, thread_sensitive=False)


class GraphConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.slug = self.scope["url_route"]["kwargs"]["slug"]
        self.namespace = _namespace_param(self.scope.get("query_string", b""))
        self.seq, self.sent, self.flush = 0, [], None
        self.sending = asyncio.Lock()  # a snapshot and a delta never interleave
        first = await _offload(snapshot)(self.slug, self.namespace)
        if first is None:
            await self.close(code=CLOSE_NO_CLUSTER)
            return
        await self.accept()
        await self.channel_layer.group_add(group_name(self.slug), self.channel_name)
        self.joined = True
        await self._send_snapshot(first)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "joined", False):
            self.joined = False
            await self.channel_layer.group_discard(group_name(self.slug), self.channel_name)
        if getattr(self, "flush", None) is not None:
            self.flush.cancel()

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "namespace":
            self.namespace = str(content.get("namespace") or "")
        if kind in ("resync", "namespace"):
            await self._send_snapshot(await _offload(snapshot)(self.slug, self.namespace))

    async def cluster_changes(self, message: dict) -> None:
        """A save committed on this cluster: flush a delta soon, with whatever else arrives."""
        if self.flush is None:
            self.flush = asyncio.get_running_loop().create_task(self._flush_later())

    async def dispatch(self, message: dict) -> None:
        # Any other message type sent to the cluster's group (the runtime's own
        # publisher may name it differently) means the same: the cluster moved.
        handler_name = message.get("type", "").replace(".", "_")
        if message.get("type", "").startswith("cluster.") and not hasattr(self, handler_name):
            message = {**message, "type": "cluster.changes"}
        await super().dispatch(message)

    async def _flush_later(self) -> None:
        await asyncio.sleep(getattr(settings, "DASHBOARD_BATCH_SECONDS", 0.05))
        self.flush = None
        current = await _offload(snapshot)(self.slug, self.namespace)
        if current is not None:
            await self._send_delta(current)

    async def _send_snapshot(self, snap: Snapshot | None) -> None:
        if snap is None:
            return
        async with self.sending:
            self.seq += 1
            self.sent = snap.elements
            await self.send_json({"type": "snapshot", "seq": self.seq, "version": snap.version,
                                  "clock": snap.clock, "elements": snap.elements})

    async def _send_delta(self, snap: Snapshot) -> None:
        async with self.sending:
            change = await _offload(delta)(self.sent, snap.elements)
            if is_empty(change):
                return
            self.seq += 1
            self.sent = snap.elements
            await self.send_json({"type": "delta", "seq": self.seq, "version": snap.version,
                                  "clock": snap.clock, **change})


def _namespace_param(query_string: bytes) -> str:
    values = parse_qs(query_string.decode("latin-1")).get("namespace") or [""]
    return values[0]
