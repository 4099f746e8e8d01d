"""A fake `Network` for the exec tests, and the checks that it keeps the protocol.

The fake knows a DNS zone (name -> addresses), what the upstream does with
names outside cluster.local, and one behaviour per ip:port: a responder
function, or "refused", "timeout", "unreachable", "empty", "reset",
"hang" (accepts, never answers). It records every DNS question, so the
resolver tests can compare the exact order of names asked.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from simcore.exec.apps import ServeContext
from simcore.exec.context import ExecContext
from simcore.exec.imagelookup import image_profile
from simcore.exec.images import kubelet_files
from simcore.exec.netapi import (
    KERNEL_SYN_TIMEOUT,
    Answer,
    ConnectFailure,
    Connection,
    HttpFailure,
    HttpRequest,
    HttpResponse,
)
from simcore.exec.resolver import search
from simcore.exec.servers import serve

LECTURE_RESOLV = (
    "nameserver 10.96.0.10\n"
    "search default.svc.cluster.local svc.cluster.local cluster.local skbroadband\n"
    "options ndots:5\n"
)
NOW = datetime(2021, 5, 1, 10, 0, 0, tzinfo=UTC)
SVC_IP = "10.104.191.116"
LECTURE_ZONE = {
    "svc-node.default.svc.cluster.local": (SVC_IP,),
    "kubernetes.default.svc.cluster.local": ("10.96.0.1",),
    "google.com": ("142.250.196.110",),
}


class FakeNet:
    def __init__(self, zone=None, *, upstream: str = "nxdomain", routes=None,
                 resolv_conf: str = LECTURE_RESOLV, libc: str = "glibc", cnames=None,
                 ptr=None, client_ip: str = "10.244.2.23") -> None:
        self.zone = dict(LECTURE_ZONE if zone is None else zone)
        self.cnames = dict(cnames or {})
        self.ptr = dict(ptr or {})
        self.upstream = upstream
        self.routes: dict[tuple[str, int], object] = dict(routes or {})
        self.resolv_conf = resolv_conf
        self.libc = libc
        self.client_ip = client_ip
        self.queries: list[str] = []
        self.requests: list[HttpRequest] = []

    def query(self, name: str, qtype: str = "A", server: str | None = None) -> Answer:
        self.queries.append(name)
        key = name.lower().rstrip(".")
        if qtype == "PTR":
            target = self.ptr.get(key)
            return Answer(name, qtype, "NOERROR" if target else "NXDOMAIN",
                          records=(target,) if target else (), server="10.96.0.10")
        if key in self.cnames:
            target = self.cnames[key]
            return Answer(name, qtype, "NOERROR", self.zone.get(target, ()), (target,),
                          server="10.96.0.10", authoritative=False)
        if key in self.zone:
            auth = key.endswith("cluster.local")
            return Answer(name, qtype, "NOERROR", self.zone[key], server="10.96.0.10",
                          authoritative=auth, elapsed=0.001)
        if key.endswith("cluster.local") or self.upstream == "nxdomain":
            return Answer(name, qtype, "NXDOMAIN", server="10.96.0.10", elapsed=0.001)
        return Answer(name, qtype, self.upstream.upper(), server="10.96.0.10")

    def resolve(self, name: str, qtype: str = "A"):
        return search(name, self.resolv_conf, lambda n, t: self.query(n, t), qtype, self.libc)

    def connect(self, dst_ip: str, dst_port: int, timeout_s: float | None):
        behaviour = self.routes.get((dst_ip, dst_port), "refused")
        if behaviour in ("refused", "unreachable"):
            return ConnectFailure(str(behaviour), dst_ip, dst_port, 0.0)
        if behaviour == "timeout":
            limit = KERNEL_SYN_TIMEOUT if timeout_s is None else min(timeout_s, KERNEL_SYN_TIMEOUT)
            return ConnectFailure("timeout", dst_ip, dst_port, limit)
        return Connection(dst_ip, dst_port, self.client_ip, 40000, 0.0005)

    def http(self, conn: Connection, request: HttpRequest, timeout_s: float | None):
        self.requests.append(request)
        behaviour = self.routes.get((conn.dst_ip, conn.dst_port))
        if behaviour in ("empty", "reset"):
            return HttpFailure(str(behaviour), 0.001)
        if behaviour == "hang":
            return HttpFailure("timeout", float("inf") if timeout_s is None else timeout_s)
        assert callable(behaviour)
        return behaviour(request)


def app_responder(app: str, hostname: str, config=None, client_ip: str = "10.244.2.23",
                  port: int = 8080) -> Callable[[HttpRequest], HttpResponse]:
    """A route that answers like one of the catalogue's servers."""
    state: dict = {}

    def answer(request: HttpRequest) -> HttpResponse:
        ctx = ServeContext(hostname, NOW, client_ip, server_port=port, state=state)
        served = serve(app, config or {}, request, ctx)
        state.clear()
        state.update(served.state)
        return served.response

    return answer


def node_web(hostname: str = "rs-node-web-ghqnq") -> Callable[[HttpRequest], HttpResponse]:
    return app_responder("node-web", hostname)


def context(image: str = "whatwant/node-web:1.0", net: FakeNet | None = None, *,
            hostname: str = "rs-node-web-ghqnq", tty: bool = False, runtime: str = "docker",
            seed: int = 1, env: dict | None = None) -> ExecContext:
    profile = image_profile(image)
    assert profile is not None, image
    files = dict(profile.files)
    files.update(kubelet_files(hostname, "10.244.2.23", LECTURE_RESOLV))
    default_env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOSTNAME": hostname}
    return ExecContext(profile, dict(env or default_env), hostname,
                       files, NOW, random.Random(seed), net, tty=tty, runtime=runtime)


# --- the fake's own contract ------------------------------------------------------------


def test_fake_answers_cluster_names_and_refuses_unknown_ports() -> None:
    net = FakeNet()
    assert net.query("svc-node.default.svc.cluster.local").addresses == (SVC_IP,)
    assert net.query("nope.cluster.local").rcode == "NXDOMAIN"
    assert isinstance(net.connect("10.0.0.1", 80, 1.0), ConnectFailure)


def test_fake_timeout_waits_the_callers_budget() -> None:
    net = FakeNet(routes={("11.11.11.11", 80): "timeout"})
    failure = net.connect("11.11.11.11", 80, 2.0)
    assert isinstance(failure, ConnectFailure)
    assert (failure.kind, failure.elapsed) == ("timeout", 2.0)
