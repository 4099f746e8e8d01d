"""`pods/log`: a container's output, as the kubelet reads it from the log file.

Which lines a request gets is the kubelet's business and lives in simcore
(`Simulation.container_log`, simcore/node/logs.py): the run a request reads
(`previous=true`: the last terminated one), each line `[virtual time,
stream, text]`, and the refusals in the API server's words. This module
parses the query, renders and streams.

Options, as `PodLogOptions`: `container` (required when the pod has
several), `tailLines`, `sinceSeconds` / `sinceTime` (exclusive, as the API
server's validation says), `timestamps` (RFC3339 with nine fixed fraction
digits, the kubelet's `RFC3339NanoFixed`), `limitBytes` and `follow`.

`follow=true` answers with a stream: what is there now, then new lines as
the container writes them, until the container stops, restarts, its pod
goes, or the client hangs up. New lines appear with virtual time (a process
printing every few seconds) and with requests the container serves (a
curl from another pod), neither of which need move the store's
resourceVersion, so a follower reads the record again every
`K8S_LOG_FOLLOW_SECONDS` through the runtime, which also catches the
cluster's clock up; the read runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from clusterviz.clusters.runtime import ClusterNotFound, run
from clusterviz.k8sapi.routing import Route
from clusterviz.k8sapi.watch import query_bool
from simcore import Simulation, errors
from simcore.clock import parse_time

EPSILON = 1e-9
Line = list  # [at, stream, text]


@dataclass(frozen=True)
class LogOptions:
    container: str | None
    follow: bool
    previous: bool
    timestamps: bool
    tail: int | None
    since_seconds: int | None
    since_time: datetime | None
    limit_bytes: int | None


def _integer(query: Mapping[str, str], name: str) -> int | None:
    text = query.get(name)
    if text in (None, ""):
        return None
    try:
        return int(text)
    except ValueError:
        raise errors.bad_request(f"{name}: invalid value {text!r}") from None


def parse(request: HttpRequest) -> LogOptions:
    query = request.GET
    since_time = None
    if query.get("sinceTime"):
        try:
            since_time = parse_time(query["sinceTime"].split(".")[0].rstrip("Z") + "Z")
        except ValueError:
            raise errors.bad_request(f"sinceTime: invalid value {query['sinceTime']!r}") from None
    options = LogOptions(
        container=query.get("container") or None, follow=query_bool(query.get("follow")),
        previous=query_bool(query.get("previous")),
        timestamps=query_bool(query.get("timestamps")), tail=_integer(query, "tailLines"),
        since_seconds=_integer(query, "sinceSeconds"), since_time=since_time,
        limit_bytes=_integer(query, "limitBytes"))
    if options.since_seconds is not None and options.since_time is not None:
        raise errors.bad_request("at most one of `sinceTime` or `sinceSeconds` may be specified")
    return options


# reading a run ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    """The lines of one run of a container, read at one virtual moment."""

    lines: list[Line]
    started_at: float | None
    live: bool  # the container is running this run: more lines may come
    now: float
    clock_start: datetime


def read_run(sim: Simulation, namespace: str, pod_name: str, options: LogOptions) -> Run:
    found = sim.container_log(pod_name, namespace, options.container, options.previous)
    return Run(found.lines, found.started_at, found.live, sim.elapsed, sim.started)


# rendering --------------------------------------------------------------------------------
def stamp(start: datetime, at: float) -> str:
    """The kubelet's RFC3339NanoFixed for a virtual time."""
    moment = start + timedelta(seconds=at)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond * 1000:09d}Z"


def render(lines: list[Line], run_: Run, options: LogOptions) -> bytes:
    """The log file's bytes: one line per entry, each ending in a newline."""
    out = []
    for at, _stream, text in lines:
        if options.timestamps:
            out.append(stamp(run_.clock_start, at) + " ")
        out.append(text if text.endswith("\n") else text + "\n")
    return "".join(out).encode()


def first_lines(run_: Run, options: LogOptions) -> list[Line]:
    """What the request gets before any following: since, then tail."""
    lines = run_.lines
    since = None
    if options.since_seconds is not None:
        since = run_.now - max(options.since_seconds, 0)
    elif options.since_time is not None:
        since = (options.since_time - run_.clock_start).total_seconds()
    if since is not None:
        lines = [ln for ln in lines if ln[0] + EPSILON >= since]
    if options.tail is not None and options.tail >= 0:
        lines = lines[len(lines) - options.tail:] if options.tail else []
    return lines


def _limit(data: bytes, options: LogOptions, sent: int) -> bytes:
    if options.limit_bytes is None or options.limit_bytes <= 0:
        return data
    return data[:max(options.limit_bytes - sent, 0)]


# the views --------------------------------------------------------------------------------
def pod_log(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    options = parse(request)
    namespace, name = route.namespaced_name()
    current = run(slug, lambda sim: read_run(sim, namespace, name, options))
    body = _limit(render(first_lines(current, options), current, options), options, 0)
    if not (options.follow and current.live and not options.previous):
        return HttpResponse(body, content_type="text/plain")
    follower = _follow(slug, route, options, current, body)
    return StreamingHttpResponse(follower, content_type="text/plain")


def _follow_interval() -> float:
    return float(getattr(settings, "K8S_LOG_FOLLOW_SECONDS", 0.25))


async def _follow(slug: str, route: Route, options: LogOptions, current: Run,
                  first: bytes) -> AsyncIterator[bytes]:
    sent, seen = len(first), len(current.lines)
    yield first  # even empty: it sends the headers (see watch.events)
    reread = sync_to_async(_reread, thread_sensitive=False)
    while options.limit_bytes is None or options.limit_bytes <= 0 or sent < options.limit_bytes:
        await asyncio.sleep(_follow_interval())
        latest = await reread(slug, route, options)
        if latest is None or latest.started_at != current.started_at:
            return  # the pod went, or the container restarted: its log file is closed
        fresh = latest.lines[seen:]
        seen = len(latest.lines)
        if fresh:
            chunk = _limit(render(fresh, latest, options), options, sent)
            sent += len(chunk)
            yield chunk
        if not latest.live:
            return


def _reread(slug: str, route: Route, options: LogOptions) -> Run | None:
    try:
        namespace, name = route.namespaced_name()
        return run(slug, lambda sim: read_run(sim, namespace, name, options))
    except (errors.APIError, ClusterNotFound):
        return None
