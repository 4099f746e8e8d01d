"""Watch: `?watch=true` on a collection, as a never-ending stream of JSON events.

The answer is one JSON object per line, `{"type": "ADDED|MODIFIED|DELETED|
BOOKMARK|ERROR", "object": {...}}`, sent as the changes commit, until
`timeoutSeconds` (30 minutes without it, like the API server's minimum
request timeout) or until the client hangs up.

Where a watch starts, as the API server decides it:
- `resourceVersion` absent or `0`, or `sendInitialEvents=true`: a synthetic
  ADDED for every object that matches now, then what changes after (with
  `sendInitialEvents`, a BOOKMARK marked `k8s.io/initial-events-end` between
  the two, which client-go's streaming lists wait for);
- `resourceVersion=N`: every change after N, replayed from the cluster's
  `Change` log, then live. When N is older than the log keeps, the stream
  is a single ERROR event carrying the `410 Expired` Status (`too old
  resource version: N (oldest)`), as the API server's watch cache answers,
  and client-go relists.

Changes come from the committed `Change` rows, never from an engine, so a
watch in one process sees writes made in any other; `pulse` says when to
look. Filters (namespace, label and field selectors) apply to events as to
lists. With selectors, an object that stops matching leaves the watch as
DELETED and one that starts matching enters as ADDED, which is what the
API server's cacher sends: the stream keeps the set of keys the client
believes match.

With the Table Accept (`kubectl get -w`) each event's object is a Table of
one row with every cell (wide ones too) and the object's resourceVersion;
column definitions ride on the first event only, as the API server sends
them, and kubectl keeps those of its list. AGE cells are rendered at the
cluster's virtual now when the event is sent.

Costs: preparing a watch runs one engine operation (which also catches the
clock up and checks the selectors); afterwards each wake reads only the new
rows of one resource in a worker thread. Everything except the awaiting
runs off the event loop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from clusterviz.clusters.clock import virtual_elapsed
from clusterviz.clusters.models import Change, Cluster
from clusterviz.clusters.runtime import ClusterNotFound, run
from clusterviz.k8sapi import pulse
from clusterviz.k8sapi.negotiation import wants_table
from clusterviz.k8sapi.routing import Route
from simcore import Simulation, errors
from simcore.fields import field_matcher
from simcore.labels import parse_selector
from simcore.printers import table
from simcore.resources import ResourceType

DEFAULT_TIMEOUT = 1800.0  # the API server's minRequestTimeout
BATCH_ROWS = 500
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
Key = tuple[str, str]  # namespace, name


@dataclass(frozen=True)
class WatchRequest:
    resource: ResourceType
    namespace: str | None
    label_selector: str
    field_selector: str
    resource_version: str
    timeout: float
    bookmarks: bool
    initial_events: bool  # sendInitialEvents=true
    table: bool
    include_object: str
    events_v1: bool = False  # core Events shown as events.k8s.io/v1 (eventsv1)

    @property
    def selective(self) -> bool:
        return bool(self.label_selector or self.field_selector)

    @property
    def from_now(self) -> bool:
        """Whether the stream opens with the current objects (rv unset or 0)."""
        return self.initial_events or self.resource_version in ("", "0")


def query_bool(value: str | None) -> bool:
    """A boolean query parameter as Go's strconv.ParseBool reads the true ones."""
    return value in ("1", "t", "T", "true", "TRUE", "True")


def is_watch(request: HttpRequest, route: Route) -> bool:
    return (request.method == "GET" and route.endpoint == "resource"
            and route.subresource is None and query_bool(request.GET.get("watch")))


def parse(request: HttpRequest, route: Route) -> WatchRequest:
    """The watch's parameters; a 400 Status for malformed ones."""
    query = request.GET
    fields = query.get("fieldSelector") or ""
    if route.name is not None:  # the deprecated watch of one object by its path
        by_name = f"metadata.name={route.name}"
        fields = f"{fields},{by_name}" if fields else by_name
    rv = query.get("resourceVersion") or ""
    if rv and not rv.isdigit():
        raise errors.bad_request(f'invalid resource version: "{rv}"')
    return WatchRequest(
        resource=route.resource_type(), namespace=route.namespace,
        label_selector=query.get("labelSelector") or "", field_selector=fields,
        resource_version=rv, timeout=_timeout(query.get("timeoutSeconds")),
        bookmarks=query_bool(query.get("allowWatchBookmarks")),
        initial_events=query_bool(query.get("sendInitialEvents")),
        table=wants_table(request),
        include_object=query.get("includeObject") or "Metadata")


def _timeout(text: str | None) -> float:
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = int(text)
    except ValueError:
        raise errors.bad_request(f"timeoutSeconds: invalid value {text!r}") from None
    return float(seconds) if seconds > 0 else DEFAULT_TIMEOUT


# the stream's state ------------------------------------------------------------------
@dataclass
class Stream:
    """Where one watch stands: what it has sent, and what the client believes matches."""

    request: WatchRequest
    cluster_id: int
    clock_start: datetime
    cursor: int
    matching: set[Key] | None = None  # kept only with selectors
    headers_sent: bool = False
    expired: bool = False
    match: Callable[[dict], bool] = field(default=lambda obj: True)


def _matcher(request: WatchRequest) -> Callable[[dict], bool]:
    labels = parse_selector(request.label_selector) if request.label_selector else None
    fields = field_matcher(request.resource.kind, request.field_selector) \
        if request.field_selector else None
    return lambda obj: ((labels is None or labels.matches(obj["metadata"].get("labels")))
                        and (fields is None or fields(obj)))


def _key(obj: dict) -> Key:
    meta = obj["metadata"]
    return meta.get("namespace") or "", meta["name"]


def prepare(slug: str, request: WatchRequest) -> tuple[Stream, bytes]:
    """Open a watch: its state and the first bytes to send (initial events, or the 410)."""
    res = request.resource

    def operation(sim: Simulation) -> tuple[list[dict[str, Any]], int, datetime, datetime]:
        items: list[dict[str, Any]] = []  # a resumed watch without selectors needs no listing
        if request.from_now or request.selective:
            items = sim.api.list_ref(res, request.namespace, request.label_selector or None,
                                     request.field_selector or None)
        return items, sim.rv, sim.started, sim.now
    items, rv, start, now = run(slug, operation)
    cluster_id = Cluster.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if cluster_id is None:
        raise ClusterNotFound(slug)
    stream = Stream(request, cluster_id, start, rv, match=_matcher(request))
    if request.selective:
        stream.matching = {_key(obj) for obj in items}
    if request.from_now:
        lines = [_event(stream, "ADDED", obj, now) for obj in items]
        if request.initial_events:
            lines.append(_bookmark(stream, {INITIAL_EVENTS_END: "true"}))
        return stream, b"".join(lines)
    wanted = int(request.resource_version)
    oldest = _oldest_servable(cluster_id, rv)
    if wanted < oldest:
        stream.expired = True
        status = errors.gone(f"too old resource version: {wanted} ({oldest})").status
        return stream, _line({"type": "ERROR", "object": status})
    stream.cursor = wanted
    return stream, b""


def _oldest_servable(cluster_id: int, current_rv: int) -> int:
    """The oldest resourceVersion a watch may resume from: the log holds every change after it."""
    first = Change.objects.filter(cluster_id=cluster_id).order_by("rv") \
        .values_list("rv", flat=True).first()
    return current_rv if first is None else min(first - 1, current_rv)


def advance(stream: Stream, upto: int) -> bytes:
    """The events for the committed changes in (cursor, upto]; moves the cursor to `upto`."""
    if upto - stream.cursor > settings.CHANGE_LOG_LIMIT and \
            stream.cursor < _oldest_servable(stream.cluster_id, upto):
        stream.expired = True
        status = errors.gone(f"too old resource version: {stream.cursor} "
                             f"({_oldest_servable(stream.cluster_id, upto)})").status
        return _line({"type": "ERROR", "object": status})
    now = _virtual_now(stream) if stream.request.table or \
        stream.request.resource.kind == "Event" else None
    out = []
    while stream.cursor < upto:
        rows = list(_rows(stream, upto)[:BATCH_ROWS])
        for _rv, kind, body in rows:
            sent = _filtered(stream, kind, body)
            if sent is not None:
                out.append(_event(stream, sent, body, now))
        stream.cursor = rows[-1][0] if len(rows) == BATCH_ROWS else upto
    return b"".join(out)


def _rows(stream: Stream, upto: int) -> QuerySet:
    req = stream.request
    rows = Change.objects.filter(cluster_id=stream.cluster_id, rv__gt=stream.cursor,
                                 rv__lte=upto, resource=req.resource.group_resource)
    if req.namespace is not None and req.resource.namespaced:
        rows = rows.filter(namespace=req.namespace)
    return rows.order_by("rv").values_list("rv", "type", "body")


def _filtered(stream: Stream, kind: str, obj: dict) -> str | None:
    """The event type the client gets for a change, or None when it is not theirs."""
    if stream.matching is None:
        return kind
    key, now_matches = _key(obj), stream.match(obj)
    known = key in stream.matching
    if kind == "DELETED" or not now_matches:
        stream.matching.discard(key)
        return "DELETED" if known or (kind == "DELETED" and now_matches) else None
    stream.matching.add(key)
    return "MODIFIED" if known and kind != "ADDED" else "ADDED"


def _virtual_now(stream: Stream) -> datetime:
    row = Cluster.objects.filter(pk=stream.cluster_id).values_list(
        "elapsed", "saved_at", "speed").first()
    if row is None:
        return stream.clock_start
    elapsed = virtual_elapsed(row[0], row[1], row[2], timezone.now())
    return stream.clock_start + timedelta(seconds=elapsed)


# rendering -------------------------------------------------------------------------------
def _line(event: dict) -> bytes:
    return (json.dumps(event, separators=(",", ":")) + "\n").encode()


def _event(stream: Stream, kind: str, obj: dict, now: datetime | None) -> bytes:
    req = stream.request
    if not req.table:
        if req.resource.kind == "Event" and now is not None:
            obj = _event_for_client(req, obj, now)
        return _line({"type": kind, "object": obj})
    if now is None:  # advance and prepare pass it for every Table; AGE needs it regardless
        now = _virtual_now(stream)
    rv = obj["metadata"].get("resourceVersion", "")
    body = table(req.resource.kind, [obj], now, include_object=req.include_object,
                 resource_version=rv)
    if stream.headers_sent:
        body["columnDefinitions"] = None
    stream.headers_sent = True
    return _line({"type": kind, "object": body})


def _event_for_client(req: WatchRequest, event: dict, now: datetime) -> dict:
    """An Event on the client's wall clock (eventclock), in the version it watches."""
    from clusterviz.k8sapi import eventclock, eventsv1
    event = eventclock.to_wall(event, eventclock.wall_offset(now))
    return eventsv1.from_core(event) if req.events_v1 else event


def _bookmark(stream: Stream, annotations: dict | None = None) -> bytes:
    res = stream.request.resource
    metadata: dict = {"resourceVersion": str(stream.cursor)}
    if annotations:
        metadata["annotations"] = annotations
    api_version = "events.k8s.io/v1" if stream.request.events_v1 else res.api_version
    return _line({"type": "BOOKMARK", "object": {"kind": res.kind, "apiVersion": api_version,
                                                 "metadata": metadata}})


# the stream ------------------------------------------------------------------------------
def _bookmark_interval() -> float:
    return float(getattr(settings, "K8S_WATCH_BOOKMARK_SECONDS", 60.0))


async def events(slug: str, stream: Stream, first: bytes) -> AsyncIterator[bytes]:
    """The watch's bytes: `first`, then each batch of events as it commits, until timeout."""
    beat = pulse.join(slug)
    try:
        # Even empty, this sends the headers now (daphne holds them until a body write):
        # clients with a header timeout (kubectl --request-timeout) would retry otherwise.
        yield first
        if stream.expired:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + stream.request.timeout
        next_bookmark = loop.time() + _bookmark_interval()
        catch_up = sync_to_async(advance, thread_sensitive=False)
        while loop.time() < deadline and not beat.gone:
            until = min(deadline, next_bookmark) if stream.request.bookmarks else deadline
            await beat.wait_beyond(stream.cursor, until - loop.time())
            if beat.rv > stream.cursor:
                chunk = await catch_up(stream, beat.rv)
                if chunk:
                    yield chunk
                if stream.expired:
                    return
            if stream.request.bookmarks and loop.time() >= next_bookmark:
                yield _bookmark(stream)
                next_bookmark = loop.time() + _bookmark_interval()
    finally:
        pulse.leave(beat)


def start(request: HttpRequest, slug: str, route: Route,
          events_v1: bool = False) -> StreamingHttpResponse:
    """The watch's response (runs in a worker thread; the stream itself on the loop).
    `events_v1`: a watch of events.k8s.io/v1 Events, read from the core Events."""
    watch = parse(request, route)
    if events_v1:
        from clusterviz.k8sapi.eventsv1 import core, core_field_selector
        watch = replace(watch, resource=core(), events_v1=True,
                        field_selector=core_field_selector(watch.field_selector) or "")
    stream, first = prepare(slug, watch)
    answer = StreamingHttpResponse(events(slug, stream, first), content_type="application/json")
    answer.headers["Cache-Control"] = "no-cache, private"
    return answer

