"""The servers inside pods: who listens on a port, and what they answer.

A container listens on the ports its process plan opened (once it got
there). A request delivered to one is handed to the image's application
(`simcore.exec.servers.serve`), whose log lines go to the container's log and
whose memory (kubia-unhealthy counts requests) and file writes are kept in
the container record. The ingress-nginx controller is the exception: it
routes by host and path itself (`simcore.net.ingress`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from simcore.exec import apps, servers
from simcore.exec.netapi import HttpFailure, HttpRequest, HttpResponse
from simcore.net import ingress
from simcore.node import containers
from simcore.node.records import ContainerRecord, container_records
from simcore.tracetext import msg, step

if TYPE_CHECKING:  # fabric.py imports this module: types only
    from simcore.engine import Engine
    from simcore.net.fabric import Destination, Fabric

# (container name, its record, the listener entry of its process plan)
Listening = tuple[str, ContainerRecord, dict[str, Any]]


def listener(engine: Engine, pod: dict[str, Any], port: int) -> Listening | None:
    """(container name, its record, the listener) serving `port`, or None."""
    for name, state in container_records(engine.runtime, pod).items():
        # containers.py (not yet typed) takes the record as a plain dict
        found = containers.listening(cast(dict, state), port, engine.clock.elapsed)
        if found is not None:
            return name, state, found
    return None


def opens_in(engine: Engine, pod: dict[str, Any], port: int) -> float | None:
    """Virtual seconds until a running container of `pod` opens `port`, if one will: a pod
    without a readiness probe is Ready as soon as its container starts, before its process
    listens (node-web's app.js binds 0.1 s later), and a connection in that gap is refused,
    on a real cluster as here."""
    now = engine.clock.elapsed
    times = [state["started_at"] + entry["at"]
             for state in container_records(engine.runtime, pod).values()
             if state.get("stage") == "running"
             for entry in (state.get("plan") or {}).get("listeners") or []
             if entry["port"] == port and state["started_at"] + entry["at"] > now + 1e-9]
    return min(times) - now if times else None


def serve_http(fabric: Fabric, dest: Destination, request: HttpRequest,
               timeout_s: float | None, accepted: tuple[dict[str, Any], Listening] | None = None
               ) -> HttpResponse | HttpFailure:
    """Hand `request` to the server at `dest`; `accepted` is (pod, listener) as found when
    the connection was accepted, still good while the same pod object is stored (nothing
    runs between a command's connect and its request)."""
    engine = fabric.engine
    pod = engine.api.store.get("pods", dest.namespace, dest.name)
    found = None
    if pod is not None:
        found = accepted[1] if accepted is not None and accepted[0] is pod else \
            listener(engine, pod, dest.port)
    if pod is None or found is None:
        return HttpFailure("reset", 0.0, "", (step("reject", msg("reject.closed",
                                                                 pod=dest.name)),))
    name, state, entry = found
    if entry["app"] == "ingress-nginx":
        return ingress.route(fabric, pod, dest, request, timeout_s)
    env = containers.env_map(cast(dict, state))  # containers.py: see listener()
    memory = state.setdefault("app_state", {}).setdefault(str(dest.port), {})
    ctx = apps.ServeContext(hostname=env.get("HOSTNAME", dest.name), now=engine.clock.now,
                            client_ip=dest.seen_client, server_ip=dest.ip,
                            server_port=dest.port, env=env, files=state.get("files") or {},
                            state=dict(memory))
    served = servers.serve(entry["app"], entry.get("config") or {}, request, ctx)
    now = engine.clock.elapsed
    for line in served.logs:
        text = line["text"] if line["text"].endswith("\n") else line["text"] + "\n"
        state["logs"].append([now, line.get("stream", "stdout"), text])
    state["app_state"][str(dest.port)] = dict(served.state)
    for path, content in served.files.items():
        if content is None:
            state["files"].pop(path, None)
        else:
            state["files"][path] = content
    response = served.response
    if response.status == 0:  # a server that does not speak HTTP hangs up
        return HttpFailure("empty", 0.0, "", (step("reject", msg("reject.not-http",
                                                                 pod=dest.name,
                                                                 app=entry["app"])),))
    first = response.body.splitlines()[0] if response.body else ""
    said = msg("response.pod", pod=dest.name, status=response.status, reason=response.reason)
    if first and len(first) < 80:
        said = msg("response.pod-body", pod=dest.name, status=response.status,
                   reason=response.reason, first=first)
    return HttpResponse(response.status, response.reason, response.headers, response.body,
                        response.version, response.elapsed,
                        tuple(response.trace) + (step("response", said, pod=dest.name,
                                                      status=response.status),))
