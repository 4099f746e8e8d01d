"""The ingress-nginx controller at work: L7 routing by host and path.

A request reaching the controller pod (through its NodePort Service, as in
the lecture) is matched against the Ingresses of class `nginx` (class-less
ones too, because `nginx` is the default class), then sent straight to one
of the backend Service's ready endpoints, round robin, not through the
ClusterIP: ingress-nginx keeps its own upstream list from the endpoints.
Nothing matching gets nginx's own 404 page; a backend with no endpoints a
503. The backend sees the controller pod as its client, and the real
client in X-Forwarded-For and X-Real-IP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simcore.exec import apps
from simcore.exec.netapi import ConnectFailure, HttpFailure, HttpRequest, HttpResponse
from simcore.net.ingress_match import match_ingress
from simcore.net.kubeproxy import Endpoint, Target
from simcore.trace import TraceStep
from simcore.tracetext import msg, step

if TYPE_CHECKING:  # fabric.py imports this module (through listeners.py): types only
    from simcore.apiserver import APIServer
    from simcore.engine import Engine
    from simcore.net.fabric import Destination, Fabric

CLASS_NAME = "nginx"
NGINX_VERSION = "1.25.3"


def default_class(api: APIServer) -> str | None:
    for cls in api.store.list("ingressclasses.networking.k8s.io"):
        annotations = cls["metadata"].get("annotations") or {}
        if annotations.get("ingressclass.kubernetes.io/is-default-class") == "true":
            name: str = cls["metadata"]["name"]
            return name
    return None


def _page(status: int, trace: list[TraceStep]) -> HttpResponse:
    body = apps.nginx_error_page(status, NGINX_VERSION, True).replace(
        f"nginx/{NGINX_VERSION}", "nginx")
    headers = (("Content-Type", "text/html"), ("Content-Length", str(len(body))))
    return HttpResponse(status, apps.REASONS.get(status, ""), headers, body, trace=tuple(trace))


def route(fabric: Fabric, controller: dict[str, Any], dest: Destination, request: HttpRequest,
          timeout_s: float | None) -> HttpResponse | HttpFailure:
    api = fabric.api
    host = request.host
    path = request.target.split("?", 1)[0]
    match = match_ingress(api.store.list("ingresses.networking.k8s.io"), host, path,
                          default_class(api), CLASS_NAME)
    trace: list[TraceStep] = []
    if match is None:
        trace.append(step("ingress", msg("ingress.no-rule", host=host, path=path)))
        return _page(404, trace)
    namespace = match.ingress.split("/", 1)[0]
    trace.append(step("ingress", msg("ingress.matched", why=match.message()),
                      ingress=match.ingress))
    svc = api.store.get("services", namespace, match.service)
    port = None
    for entry in (svc or {}).get("spec", {}).get("ports") or []:
        if entry["port"] == match.port or entry.get("name") == match.port:
            port = entry
    if svc is None or port is None:
        trace.append(step("ingress", msg("ingress.no-service",
                                         service=f"{namespace}/{match.service}",
                                         port=match.port)))
        return _page(503, trace)
    endpoints = fabric.proxy.endpoints(Target(namespace, match.service, port, "clusterIP", svc))
    if not endpoints:
        trace.append(step("ingress", msg("ingress.no-endpoints",
                                         service=f"{namespace}/{match.service}")))
        return _page(503, trace)
    chosen = _round_robin(fabric.engine, f"{namespace}-{match.service}-{port['port']}",
                          endpoints)
    picked = msg("ingress.pick", chosen=f"{chosen['ip']}:{chosen['port']}",
                 pod=(chosen.get("targetRef") or {}).get("name", chosen["ip"]),
                 count=len(endpoints))
    trace.append(step("proxy", picked,
                      how="round-robin", chosen=f"{chosen['ip']}:{chosen['port']}",
                      candidates=[f"{e['ip']}:{e['port']}" for e in endpoints]))
    return _forward(fabric, controller, dest, request, chosen, timeout_s, trace)


def _round_robin(engine: Engine, upstream: str, endpoints: list[Endpoint]) -> Endpoint:
    counters: dict[str, int] = engine.runtime.setdefault("ingress-nginx", {})
    index = counters.get(upstream, 0)
    counters[upstream] = index + 1
    return endpoints[index % len(endpoints)]


def _forward(fabric: Fabric, controller: dict[str, Any], dest: Destination,
             request: HttpRequest, chosen: Endpoint,
             timeout_s: float | None, trace: list[TraceStep]) -> HttpResponse | HttpFailure:
    net = fabric.pod_network(controller)
    conn = net.connect(chosen["ip"], chosen["port"], timeout_s)
    trace.extend(conn.trace)
    if isinstance(conn, ConnectFailure):
        return _page(502 if conn.kind == "refused" else 504, trace)
    host = request.host
    headers = [(k, v) for k, v in request.headers if k.lower() not in ("connection",)]
    headers += [("X-Request-ID", f"{fabric.engine.rng.getrandbits(128):032x}"),
                ("X-Real-IP", dest.seen_client), ("X-Forwarded-For", dest.seen_client),
                ("X-Forwarded-Host", host.split(":")[0]), ("X-Forwarded-Port", "80"),
                ("X-Forwarded-Proto", "http"), ("X-Forwarded-Scheme", "http"),
                ("X-Scheme", "http")]
    upstream = HttpRequest(request.method, request.target, host, tuple(headers), request.body)
    response = net.http(conn, upstream, timeout_s)
    if isinstance(response, HttpFailure):
        trace.extend(response.trace)
        return _page(502, trace)
    return HttpResponse(response.status, response.reason, response.headers, response.body,
                        response.version, response.elapsed, tuple(trace) + response.trace)
