"""Writing a cluster's command history: one insert, after the answer, never in its way.

Three doors write here: the Kubernetes API (`api_request`, after the view
has its response), the Terminal tab (`terminal`, when kubectl exits) and
the request panel (`request`, with the trace's lines). Each hands a small
job to one background thread of this process (`_pool`), so a request pays
an enqueue, not a database write; the job inserts the row, trims the
cluster's history to its newest `models.KEEP` rows every `TRIM_EVERY`th row,
and tells the class's roster (`notify`). Anything that goes wrong is logged
and dropped: a command never fails because its history could not be kept.

The price of the thread: a line reaches the database a moment after its
answer, and a process that is killed loses the lines still queued. Under
Django's test client (`K8S_OFFLOAD_TO_THREADS` off: one connection, one
transaction) the job runs inline instead.

kubectl's own requests from the Terminal tab carry a token made for that
run (`ApiToken.TERMINAL`): they are not recorded twice, the Terminal's line
says it all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from clusterviz import dbthreads
from clusterviz.classroom.models import ApiToken
from clusterviz.clusters.models import Cluster
from clusterviz.k8sapi.routing import Route
from clusterviz.room import summaries
from clusterviz.room.models import KEEP, TRIM_EVERY, Command
from clusterviz.traces.models import json_safe

log = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="room-history")
_SESSIONS_KEPT = 2000
_sessions: OrderedDict[str, None] = OrderedDict()  # kubectl sessions whose read is recorded
_sessions_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_job = threading.local()  # the loop of the request whose line the history thread writes


def class_group(classroom_id: int) -> str:
    """The channel-layer group of a class's roster pages."""
    return f"room.class.{classroom_id}"


def api_request(request: HttpRequest, route: Route | None, watching: bool,
                slug: str, response: HttpResponse) -> None:
    """Record an API request the way a teacher reads it (`summaries`), if it is worth it."""
    try:
        if getattr(request, "k8s_token_purpose", "") == ApiToken.TERMINAL:
            return  # the Terminal tab's kubectl: its line is recorded when it exits
        code = int(getattr(response, "status_code", 0) or 0)
        text = summaries.api_summary(request.method or "GET", route, request.GET,
                                     request.headers, watching,
                                     _created_name(request, route, response, code))
        if text is None or _repeated_read(request):
            return
        _submit(_write, slug, Command.API, text, code, 0 < code < 400, None)
    except Exception:  # the history must never cost the request
        log.exception("recording an API request of %s failed", slug)


def _created_name(request: HttpRequest, route: Route | None, response: HttpResponse,
                  code: int) -> str:
    """The name a create to a collection made, read from the answer (a small object)."""
    if request.method != "POST" or route is None or route.name is not None or \
            not 200 <= code < 300 or getattr(response, "streaming", False) or \
            not str(response.get("Content-Type", "")).startswith("application/json"):
        return ""
    try:
        return str((json.loads(response.content).get("metadata") or {}).get("name") or "")
    except (ValueError, AttributeError):
        return ""


def _repeated_read(request: HttpRequest) -> bool:
    """A read of a kubectl run whose first read is already a line (describe's events)."""
    session = request.headers.get("Kubectl-Session", "")
    if request.method not in ("GET", "HEAD") or not session:
        return False
    key = f"{session}|{summaries.kubectl_command(request.headers)}"
    with _sessions_lock:
        if key in _sessions:
            return True
        _sessions[key] = None
        if len(_sessions) > _SESSIONS_KEPT:
            _sessions.popitem(last=False)
    return False


def terminal(slug: str, line: str, code: int | None) -> None:
    """A Terminal tab line and kubectl's exit code (None: stopped or timed out)."""
    _submit(_write, slug, Command.TERMINAL, line, code, code == 0, None)


def request(slug: str, text: str, code: int, trace: Sequence[Mapping]) -> None:
    """A request panel command, its exit code and its trace: each step's message and
    English detail, rendered in the reader's language when read (`traces.text`)."""
    steps = [{"message": json_safe(s.get("message")), "detail": str(s.get("detail") or "")}
             for s in trace if s.get("detail")]
    _submit(_write, slug, Command.REQUEST, text, code, code == 0, steps)


def _submit(job: Callable[..., object], *args: object) -> None:
    if getattr(settings, "K8S_OFFLOAD_TO_THREADS", True):
        _pool.submit(_in_thread, _callers_loop(), job, *args)
    else:
        job(*args)


def _callers_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the request or socket that asked (a `sync_to_async` worker thread
    knows it): the job's notification goes out through it."""
    return getattr(SyncToAsync.threadlocal, "main_event_loop", None) or _loop


def _in_thread(loop: asyncio.AbstractEventLoop | None, job: Callable[..., object],
               *args: object) -> None:
    dbthreads.keep_usable_connections()  # this thread lives long: drop a broken one
    _job.loop = loop
    try:
        job(*args)
    except Exception:
        log.exception("recording a command failed")
    finally:
        _job.loop = None


def _write(slug: str, source: str, text: str, code: int | None, ok: bool,
           trace: list | None) -> Command | None:
    cluster = Cluster.objects.filter(slug=slug).values_list("pk", "classroom_id").first()
    if cluster is None:
        return None
    row: Command = Command.objects.create(
        cluster_id=cluster[0], at=timezone.now(), source=source,
        text=text[:summaries.MAX_TEXT], code=code, ok=ok, trace=trace)
    if row.id % TRIM_EVERY == 0:
        trim(cluster[0])
    if cluster[1] is not None:
        notify(cluster[1], slug, "command")
    return row


def trim(cluster_id: int) -> None:
    """Forget the cluster's commands beyond the newest `KEEP`."""
    newest_stale = list(Command.objects.filter(cluster_id=cluster_id).order_by("-id")
                        .values_list("id", flat=True)[KEEP:KEEP + 1])
    if newest_stale:
        Command.objects.filter(cluster_id=cluster_id, id__lte=newest_stale[0]).delete()


def remember_loop() -> None:
    """Called on the server's event loop (the roster's socket): the loop a line's
    notification goes through when its caller's loop is unknown (the caller's own is
    preferred, `_callers_loop`); the channel layer keeps its connections per loop."""
    global _loop
    _loop = asyncio.get_running_loop()


def notify(classroom_id: int, slug: str, what: str) -> None:
    """Tell the class's roster pages that `slug`'s card moved (best effort, as publish)."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "room.changed", "slug": slug, "what": what}
    try:
        loop = getattr(_job, "loop", None)
        if loop is not None and loop.is_running() and not _on(loop):
            asyncio.run_coroutine_threadsafe(layer.group_send(class_group(classroom_id),
                                                              message), loop)
        else:
            async_to_sync(layer.group_send)(class_group(classroom_id), message)
    except Exception:
        log.exception("telling the roster of class %s about %s failed", classroom_id, slug)


def _on(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def recent(cluster_id: int, limit: int = 100, before: int | None = None) -> list[dict]:
    rows = Command.objects.filter(cluster_id=cluster_id).order_by("-id")
    if before is not None:
        rows = rows.filter(id__lt=before)
    return [row.as_dict() for row in rows[:max(1, min(limit, KEEP))]]
