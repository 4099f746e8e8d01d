"""The clocks' heartbeat: advance every cluster whose earliest timer is due.

A cluster's clock catches up whenever anything runs against it, but a
lesson also needs time to move while nobody types: pods leave
`ContainerCreating`, probes pass, Jobs finish, and watchers and the
dashboard should see it when it happens. Every `TICK_INTERVAL` seconds
`tick_due()` asks the database for the clusters whose `next_due_at` has
passed (one indexed query; idle clusters have none) and runs
`runtime.tick` on each, which claims the cluster, catches its clock up and
saves and publishes what changed.

Two hosts run the same loop (`run`):
- in daphne, one task per process, started lazily by `TickerMiddleware` on
  the first HTTP request or websocket connection (daphne sends no lifespan
  event), unless `CLUSTERVIZ_TICKER=0`;
- scaled out, `manage.py runsim`, one or more of them, with the daphne
  processes' tickers switched off.
Any mix is safe: a claim is a conditional update that one process wins, and
the compare-and-swap on the cluster's version settles the rest. The work
runs in a worker thread (`thread_sensitive=False`), never on the event loop
nor on the thread Django's ORM calls share; a failed pass is logged and the
loop goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from asgiref.sync import sync_to_async
from asgiref.typing import ASGI3Application, ASGIReceiveCallable, ASGISendCallable, Scope
from django.conf import settings
from django.utils import timezone

from clusterviz import dbthreads
from clusterviz.clusters import runtime
from clusterviz.clusters.models import Cluster

log = logging.getLogger(__name__)
_task: asyncio.Task | None = None


def due_slugs(now: datetime | None = None) -> list[str]:
    """The clusters whose earliest timer is due, the most overdue first."""
    due = Cluster.objects.filter(next_due_at__lte=now or timezone.now())
    return list(due.order_by("next_due_at").values_list("slug", flat=True))


def tick_due() -> int:
    """One pass: catch up every due cluster this process claims; how many it advanced."""
    dbthreads.keep_usable_connections()  # this thread lives long: drop a broken one
    return sum(runtime.tick(slug) for slug in due_slugs())


async def run(stopping: Callable[[], bool], interval: float | None = None,
              report: Callable[[int], None] | None = None) -> None:
    """Tick every `interval` seconds until `stopping()` says so; `report(advanced)` after
    each pass that advanced a cluster."""
    interval = settings.TICK_INTERVAL if interval is None else interval
    while not stopping():
        try:
            advanced = await sync_to_async(tick_due, thread_sensitive=False)()
            if advanced and report is not None:
                report(advanced)
        except Exception:  # a database hiccup must not stop the clocks for good
            log.exception("clock tick failed")
        await asyncio.sleep(interval)


def ensure_started() -> bool:
    """Start this process's ticker on the running loop, once; whether one is running."""
    global _task
    if _task is not None and not _task.done():
        return True
    if not settings.TICKER_IN_PROCESS:
        return False
    _task = asyncio.get_running_loop().create_task(run(lambda: False), name="clusterviz-ticker")
    return True


class TickerMiddleware:
    """ASGI middleware: the first request or websocket connection starts the ticker."""

    def __init__(self, app: ASGI3Application) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: ASGIReceiveCallable,
                       send: ASGISendCallable) -> None:
        if scope["type"] in ("http", "websocket"):
            ensure_started()
        return await self.app(scope, receive, send)
