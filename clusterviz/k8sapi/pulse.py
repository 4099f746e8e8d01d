"""Each cluster's pulse: when its change log moved, and keeping its clock running.

Every long-lived answer of the API (a watch, `logs -f`) waits for the same
thing: the cluster's resourceVersion to move past what it has sent. Rather
than each stream polling the database, a process keeps one `Pulse` per
cluster that has streams, a small task on the event loop that learns the
latest committed resourceVersion three ways:

- from the channel layer: the runtime publishes every committed save to the
  group `cluster.<slug>` (`clusters.publish`), which wakes streams at once,
  across processes when the layer is Redis;
- from the database, every `K8S_STREAM_POLL_SECONDS` (100 ms): delivery over
  the layer is best effort, so a dropped message costs at most one interval;
- from a stream that caught the clock up itself.

The same poll keeps virtual time moving while someone waits. A cluster's
clock only advances when something runs its engine, and `kubectl delete pod`
waits for the kubelet's 30 s grace period, `get pods -w` for pods to start.
When the cluster row says its earliest timer is due (`next_due_at`), the
poll calls `runtime.tick(slug)`, the clock's own write: it claims the
cluster with a conditional update, so with the in-process ticker or `runsim`
running too, exactly one of them does the work. Poll and tick run in a
worker thread (`thread_sensitive=False`), never on the loop nor on the ORM's
shared thread.

A stream waits with `wait_beyond(rv, timeout)`; the pulse stops when its
last stream leaves. Pulses belong to the loop that made them (tests run
several loops one after another).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from clusterviz.clusters import runtime
from clusterviz.clusters.models import Cluster
from clusterviz.clusters.publish import group_name

log = logging.getLogger(__name__)


@dataclass
class Pulse:
    slug: str
    loop: asyncio.AbstractEventLoop
    rv: int = -1
    gone: bool = False  # the cluster was deleted: streams end
    streams: int = 0
    moved: asyncio.Event = field(default_factory=asyncio.Event)
    nudged: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None

    def observe(self, rv: int | None) -> None:
        """A resourceVersion seen committed (None: the cluster is gone); wakes the streams."""
        if rv is None:
            self.gone = True
        elif rv <= self.rv:
            return
        else:
            self.rv = rv
        self.moved.set()
        self.moved = asyncio.Event()

    def nudge(self) -> None:
        """Look at the database now rather than at the next interval."""
        self.nudged.set()

    async def wait_beyond(self, rv: int, timeout: float) -> None:
        """Return once the committed rv passed `rv`, the cluster is gone, or `timeout` passed."""
        if self.rv > rv or self.gone:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.moved.wait(), max(timeout, 0.0))


_pulses: dict[str, Pulse] = {}


def join(slug: str) -> Pulse:
    """The running loop's pulse of `slug`, started on first use; call `leave` when done."""
    loop = asyncio.get_running_loop()
    pulse = _pulses.get(slug)
    if pulse is None or pulse.loop is not loop or pulse.task is None or pulse.task.done():
        pulse = Pulse(slug, loop)
        _pulses[slug] = pulse
        pulse.task = loop.create_task(_beat(pulse), name=f"clusterviz-pulse-{slug}")
    pulse.streams += 1
    return pulse


def leave(pulse: Pulse) -> None:
    pulse.streams -= 1
    if pulse.streams <= 0:
        pulse.nudge()  # the beat notices nobody listens and ends


def _poll_interval() -> float:
    return float(getattr(settings, "K8S_STREAM_POLL_SECONDS", 0.1))


async def _beat(pulse: Pulse) -> None:
    listener = await _listen(pulse)
    try:
        while pulse.streams > 0 and not pulse.gone:
            try:
                pulse.observe(await sync_to_async(poll, thread_sensitive=False)(pulse.slug))
            except Exception:  # a database hiccup: try again at the next beat
                log.exception("pulse of cluster %s failed", pulse.slug)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(pulse.nudged.wait(), _poll_interval())
            pulse.nudged.clear()
    finally:
        # Forget this pulse before the first await, so that a stream joining from now on
        # starts a new one instead of waiting on a pulse that no longer beats.
        if _pulses.get(pulse.slug) is pulse:
            del _pulses[pulse.slug]
        if listener is not None:
            await listener()


def poll(slug: str) -> int | None:
    """The cluster's committed rv after ticking its clock if a timer is due; None if gone."""
    row = Cluster.objects.filter(slug=slug).values_list("resource_version", "next_due_at") \
        .first()
    if row is None:
        return None
    rv: int | None
    rv, due = row
    if due is not None and due <= timezone.now():
        runtime.tick(slug)
        rv = Cluster.objects.filter(slug=slug).values_list("resource_version", flat=True) \
            .first()
    return rv


async def _listen(pulse: Pulse) -> Callable[[], Awaitable[None]] | None:
    """Join the cluster's channel-layer group; returns how to stop listening (None: no layer)."""
    layer = get_channel_layer()
    if layer is None:
        return None
    try:
        channel = await layer.new_channel()
        await layer.group_add(group_name(pulse.slug), channel)
    except Exception:
        log.exception("pulse of cluster %s cannot join the channel layer", pulse.slug)
        return None

    async def receive() -> None:
        while True:
            message = await layer.receive(channel)
            rv = message.get("to_rv") if isinstance(message, dict) else None
            if isinstance(rv, int):
                pulse.observe(rv)
            else:
                pulse.nudge()
    reader = pulse.loop.create_task(receive())

    async def stop() -> None:
        reader.cancel()
        with contextlib.suppress(BaseException):
            await reader
        with contextlib.suppress(Exception):
            await layer.group_discard(group_name(pulse.slug), channel)
    return stop
