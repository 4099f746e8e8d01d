"""The network between pods, nodes and the outside world, and the trace of every hop.

A `Source` is where a command runs: a container in a pod, a shell on a node,
or a machine outside the cluster. `SourceNetwork` answers the four questions
of `simcore.exec.netapi.Network` for it, the way the packets would go:

- pod to pod IP: straight across the flannel overlay, source IP kept;
- to a Service address (ClusterIP, external IP, LB address from inside):
  the rules of the node the packet leaves from pick an endpoint (DNAT), a
  node process is masqueraded to the node's address, a pod reaching itself
  comes back from its bridge address (hairpin);
- to a node IP on a NodePort: that node's rules, SNAT to the node unless
  `externalTrafficPolicy: Local`; to a LoadBalancer address from outside:
  the node that announces it (MetalLB layer 2), then the same;
- anything else: an internet host, or nothing (the packet is lost and the
  connection times out).

Each step appends one plain sentence to the trace.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from simcore.exec import netapi
from simcore.exec.context import FileSystem
from simcore.exec.netapi import (
    Answer,
    ConnectFailure,
    Connection,
    HttpFailure,
    HttpRequest,
    HttpResponse,
    Resolution,
)
from simcore.net import internet
from simcore.net.coredns import CoreDNS
from simcore.net.kubeproxy import Decision, Endpoint, KubeProxy, Target, health_check_body
from simcore.net.listeners import Listening, listener, opens_in, serve_http
from simcore.objects import node_ip
from simcore.trace import Message, ProxyStep, TraceStep
from simcore.tracetext import msg, render, step

if TYPE_CHECKING:  # the engine is the caller's: no import at run time
    from simcore.engine import Engine

EPHEMERAL_FIRST = 32768  # the start of Linux's default ip_local_port_range
# listener bind addresses that accept connections to 127.0.0.1 (a socket bound to the pod's
# own IP does not)
_LOOPBACK_BINDS = (None, "", "0.0.0.0", "::", "*", "127.0.0.1", "localhost")


@dataclass(frozen=True, slots=True)
class Source:
    kind: str  # "pod", "node", "external"
    ip: str
    node: str | None = None
    namespace: str | None = None
    pod: str | None = None
    resolv_conf: str = ""
    libc: str = "glibc"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where an accepted connection ended, and the address the server saw."""

    kind: str  # "pod", "internet", "health", "node"
    ip: str
    port: int
    seen_client: str
    namespace: str = ""
    name: str = ""
    node: str = ""


# a node's shell setup: (node object, search list, Source, files, env)
HostShell = tuple[dict[str, Any], tuple[str, ...], Source, FileSystem, dict[str, str]]


def pod_cidr_of_node(node: dict[str, Any]) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    cidr = (node.get("spec") or {}).get("podCIDR")
    return ipaddress.ip_network(cidr) if cidr else None


class Fabric:
    """Per-engine helpers shared by every source's view of the network."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.api = engine.api
        proxy = engine.by_name["kube-proxy"]
        assert isinstance(proxy, KubeProxy), type(proxy)
        self.proxy = proxy
        self.dns = CoreDNS(engine)
        self.connections: dict[int, Destination] = {}
        # ephemeral port -> (pod, listener) found when a pod accepted the connection: the
        # request that follows in the same command goes to the same server
        self.servers: dict[int, tuple[dict[str, Any], Listening]] = {}
        self._addresses: dict[str, tuple[str, tuple[str, str, str]]] = {}
        # node name -> a node's shell setup, kept by simcore.execution while the node object
        # and the config stay the same
        self.hosts: dict[str, HostShell] = {}

    def pod_network(self, pod: dict[str, Any]) -> SourceNetwork:
        """The network as `pod` sees it (the ingress controller forwarding a request):
        built here so ingress.py needs no import of this module (listeners.py -> ingress.py
        -> fabric.py -> listeners.py was an import cycle)."""
        meta = pod["metadata"]
        source = Source("pod", pod["status"]["podIP"], pod["spec"].get("nodeName"),
                        meta["namespace"], meta["name"])
        return SourceNetwork(self, source)

    @classmethod
    def of(cls, engine: Engine) -> Fabric:
        """The engine's fabric, made once; open connections are per command."""
        # kept in the engine's own __dict__: the engine knows nothing of the data plane
        fabric = engine.__dict__.get("_fabric")
        if not isinstance(fabric, Fabric):
            fabric = engine.__dict__["_fabric"] = cls(engine)
        fabric.connections.clear()
        fabric.servers.clear()
        return fabric

    def node_by_ip(self, ip: str) -> dict[str, Any] | None:
        return self.proxy.node_by_ip.get(ip)

    def pod_by_ip(self, ip: str) -> dict[str, Any] | None:
        key = self.proxy.pod_by_ip.get(ip)
        return self.api.store.get("pods", *key) if key else None

    def node_addresses(self, node_name: str) -> tuple[str, str, str]:
        """(node IP, cni0 bridge IP .1, flannel.1 IP .0) of a node."""
        node = self.api.store.get("nodes", "", node_name) or {}
        rv = (node.get("metadata") or {}).get("resourceVersion", "")
        cached = self._addresses.get(node_name)
        if cached is not None and cached[0] == rv:
            return cached[1]
        addresses = self._node_addresses(node)
        self._addresses[node_name] = (rv, addresses)
        return addresses

    @staticmethod
    def _node_addresses(node: dict[str, Any]) -> tuple[str, str, str]:
        ip = node_ip(node)
        cidr = pod_cidr_of_node(node)
        if cidr is None:
            return ip, ip, ip
        return ip, str(cidr.network_address + 1), str(cidr.network_address)


class SourceNetwork(netapi.Network):
    def __init__(self, fabric: Fabric, source: Source):
        self.fabric = fabric
        self.source = source

    # DNS ----------------------------------------------------------------------------
    def query(self, name: str, qtype: str = "A", server: str | None = None) -> Answer:
        server = server or _first_nameserver(self.source.resolv_conf)
        target = self.fabric.proxy.service_at(server, 53, "UDP") if self.source.kind != \
            "external" else None
        if target is not None:
            decision = self.fabric.proxy.decide(self._node(), target, self.source.ip,
                                                self.source.kind == "pod")
            if decision.chosen is None:
                return Answer(name, qtype, "UNREACHABLE" if decision.how == "reject" else
                              "TIMEOUT", server=server,
                              trace=(step("reject", msg("dns.refused-by-rules",
                                                        reason=_reason(decision),
                                                        server=server)),))
            return self.fabric.dns.answer(name, qtype, server)
        if self.fabric.pod_by_ip(server) is not None:
            return self.fabric.dns.answer(name, qtype, server)
        rcode, addresses = internet.upstream_answer(name, self.fabric.engine.config)
        return Answer(name, qtype, rcode, addresses if qtype == "A" else (), server=server,
                      authoritative=False)

    def resolve(self, name: str, qtype: str = "A") -> Resolution:
        from simcore.exec.resolver import search
        return search(name, self.source.resolv_conf, self.query, qtype, self.source.libc)

    # TCP ----------------------------------------------------------------------------
    def _node(self) -> str:
        return self.source.node or ""

    def connect(self, dst_ip: str, dst_port: int,
                timeout_s: float | None) -> Connection | ConnectFailure:
        trace: list[TraceStep] = []
        if dst_ip.startswith("127.") or dst_ip == "::1":
            return self._loopback(dst_ip, dst_port, timeout_s, trace)
        proxy = self.fabric.proxy
        from_pod = self.source.kind == "pod"
        target = proxy.service_at(dst_ip, dst_port) if self.source.kind != "external" else None
        if target is not None:
            return self._via_service(self._node(), target, dst_ip, dst_port, timeout_s, trace,
                                     entry="inside")
        node = self.fabric.node_by_ip(dst_ip)
        if node is not None:
            return self._to_node(node, dst_ip, dst_port, timeout_s, trace, from_pod)
        lb = proxy.service_at(dst_ip, dst_port) if self.source.kind == "external" else None
        if lb is not None:
            return self._to_load_balancer(lb, dst_ip, dst_port, timeout_s, trace)
        pod = self.fabric.pod_by_ip(dst_ip)
        if pod is not None:
            client = self._client_address_to_pod(pod)
            return self._deliver_to_pod(pod, dst_ip, dst_port, client, timeout_s, trace)
        host = internet.host_at(dst_ip)
        if host is not None and dst_port in (80, 443):
            trace.append(step("forward", msg("forward.internet", ip=dst_ip)))
            return self._accepted(Destination("internet", dst_ip, dst_port, self.source.ip),
                                  dst_ip, dst_port, trace)
        return self._lost(dst_ip, dst_port, timeout_s, trace,
                          msg("lost.nobody", ip=dst_ip))

    def _loopback(self, dst_ip: str, dst_port: int, timeout_s: float | None,
                  trace: list[TraceStep]) -> Connection | ConnectFailure:
        """127.0.0.0/8 never leaves the network namespace: a pod reaches its own containers
        (they share the pod's namespace), a node (or a host-network pod) its own ports."""
        pod = None
        if self.source.kind == "pod" and self.source.pod:
            pod = self.fabric.api.store.get("pods", self.source.namespace or "default",
                                            self.source.pod)
        if pod is not None and not pod["spec"].get("hostNetwork"):
            return self._loopback_in_pod(pod, dst_ip, dst_port, trace)
        node = self.fabric.api.store.get("nodes", "", self.source.node or "")
        if self.source.kind != "external" and node is not None:
            return self._to_node(node, dst_ip, dst_port, timeout_s, trace, False)
        trace.append(step("reject", msg("reject.loopback", ip=dst_ip, port=dst_port),
                          port=dst_port))
        return ConnectFailure("refused", dst_ip, dst_port, 0.0, tuple(trace))

    def _loopback_in_pod(self, pod: dict, dst_ip: str, dst_port: int,
                         trace: list[TraceStep]) -> Connection | ConnectFailure:
        meta = pod["metadata"]
        found = listener(self.fabric.engine, pod, dst_port)
        if found is None or found[2].get("address") not in _LOOPBACK_BINDS:
            trace.append(step("reject", msg("reject.loopback-pod", pod=meta["name"], ip=dst_ip,
                                            port=dst_port),
                              pod=meta["name"], namespace=meta["namespace"], port=dst_port))
            return ConnectFailure("refused", dst_ip, dst_port, 0.0, tuple(trace))
        trace.append(step("deliver", msg("deliver.loopback", ip=dst_ip, pod=meta["name"],
                                         container=found[0], port=dst_port),
                          pod=meta["name"], namespace=meta["namespace"], port=dst_port))
        return self._accepted(Destination("pod", dst_ip, dst_port, dst_ip, meta["namespace"],
                                          meta["name"], pod["spec"].get("nodeName", "")),
                              dst_ip, dst_port, trace, (pod, found))

    def _via_service(self, node: str, target: Target, dst_ip: str, dst_port: int,
                     timeout_s: float | None, trace: list[TraceStep], entry: str,
                     client_ip: str | None = None) -> Connection | ConnectFailure:
        from_pod = self.source.kind == "pod"
        client_ip = client_ip or self.source.ip
        decision = self.fabric.proxy.decide(node, target, client_ip, from_pod)
        trace.append(_proxy_step(decision, client_ip))
        if decision.how == "reject":
            trace.append(step("reject", msg("reject.rules", node=node, ip=dst_ip, port=dst_port,
                                            reason=_reason(decision))))
            return ConnectFailure("refused", dst_ip, dst_port, 0.0, tuple(trace))
        chosen = decision.chosen
        if decision.how == "drop" or chosen is None:
            return self._lost(dst_ip, dst_port, timeout_s, trace,
                              msg("lost.rules-drop", node=node, reason=_reason(decision)))
        trace.append(step("dnat", msg("dnat", ip=dst_ip, port=dst_port,
                                      to=f"{chosen['ip']}:{chosen['port']}"),
                          node=node, to=f"{chosen['ip']}:{chosen['port']}"))
        seen = self._seen_source(node, chosen, decision, client_ip, entry)
        if seen != self.source.ip:
            trace.append(step("snat", msg("snat", node=node, source=seen),
                              node=node, source=seen))
        pod = self.fabric.pod_by_ip(chosen["ip"])
        if pod is None:
            host = internet.host_at(chosen["ip"])
            if host is not None:
                return self._accepted(Destination("internet", chosen["ip"], chosen["port"],
                                                  seen), dst_ip, dst_port, trace)
            return self._lost(dst_ip, dst_port, timeout_s, trace,
                              msg("lost.backend-silent", ip=chosen["ip"]))
        if pod["spec"].get("nodeName") and pod["spec"]["nodeName"] != node:
            trace.append(step("forward", msg("forward.overlay", node=node,
                                             to_node=pod["spec"]["nodeName"]),
                              node=pod["spec"]["nodeName"]))
        return self._deliver_to_pod(pod, dst_ip, dst_port, seen, timeout_s, trace,
                                    target_port=chosen["port"])

    def _seen_source(self, node: str, chosen: Endpoint, decision: Decision, client_ip: str,
                     entry: str) -> str:
        """The source address the backend sees, per kube-proxy's masquerade rules."""
        node_ip, bridge_ip, flannel_ip = self.fabric.node_addresses(node)
        same_node = chosen.get("nodeName") == node
        if self.source.kind == "pod" and chosen["ip"] == self.source.ip:
            return bridge_ip  # hairpin: KUBE-SEP masquerades a pod reaching itself
        if entry == "inside":
            if self.source.kind == "pod":
                return self.source.ip
            return bridge_ip if same_node else flannel_ip
        if decision.local_only:
            return client_ip  # externalTrafficPolicy Local: no SNAT
        return bridge_ip if same_node else flannel_ip

    def _to_node(self, node: dict[str, Any], dst_ip: str, dst_port: int, timeout_s: float | None,
                 trace: list[TraceStep], from_pod: bool) -> Connection | ConnectFailure:
        name = node["metadata"]["name"]
        proxy = self.fabric.proxy
        target = proxy.node_port(dst_port)
        if target is not None:
            trace.append(step("connect", msg("connect.nodeport", ip=dst_ip, port=dst_port,
                                             service=f"{target.namespace}/{target.name}",
                                             node=name), node=name))
            return self._via_service(name, target, dst_ip, dst_port, timeout_s, trace,
                                     entry="nodeport")
        health = proxy.health_check(dst_port)
        if health is not None:
            return self._accepted(Destination("health", dst_ip, dst_port, self.source.ip,
                                              health["metadata"]["namespace"],
                                              health["metadata"]["name"], name),
                                  dst_ip, dst_port, trace)
        if dst_port in (10249, 10256, 10250, 6443) and (dst_port != 6443 or
                                                         _is_control_plane(node)):
            return self._accepted(Destination("node", dst_ip, dst_port, self.source.ip,
                                              node=name), dst_ip, dst_port, trace)
        trace.append(step("reject", msg("reject.node", node=name, port=dst_port), node=name,
                          port=dst_port))
        return ConnectFailure("refused", dst_ip, dst_port, 0.0, tuple(trace))

    def _to_load_balancer(self, target: Target, dst_ip: str, dst_port: int,
                          timeout_s: float | None, trace: list[TraceStep]) -> Connection | ConnectFailure:
        from simcore.controllers.loadbalancer import announcing_node
        node = announcing_node(self.fabric.engine, dst_ip)
        if node is None:
            return self._lost(dst_ip, dst_port, timeout_s, trace,
                              msg("lost.no-arp", ip=dst_ip))
        trace.append(step("forward", msg("forward.metallb", node=node, ip=dst_ip), node=node))
        return self._via_service(node, target, dst_ip, dst_port, timeout_s, trace,
                                 entry="loadbalancer")

    def _client_address_to_pod(self, pod: dict[str, Any]) -> str:
        if self.source.kind == "node" and self.source.node is not None:
            node_ip, bridge_ip, flannel_ip = self.fabric.node_addresses(self.source.node)
            return bridge_ip if pod["spec"].get("nodeName") == self.source.node else flannel_ip
        return self.source.ip

    def _deliver_to_pod(self, pod: dict[str, Any], dst_ip: str, dst_port: int, seen: str,
                        timeout_s: float | None, trace: list[TraceStep],
                        target_port: int | None = None) -> Connection | ConnectFailure:
        port = target_port or dst_port
        meta = pod["metadata"]
        if pod["status"].get("phase") != "Running":
            return self._lost(dst_ip, dst_port, timeout_s, trace,
                              msg("lost.not-running", pod=meta["name"]))
        found = listener(self.fabric.engine, pod, port)
        if found is None:
            later = opens_in(self.fabric.engine, pod, port)
            ip = pod["status"].get("podIP")
            said = msg("reject.pod", pod=meta["name"], ip=ip, port=port) if later is None else \
                msg("reject.pod-not-yet", pod=meta["name"], ip=ip, port=port, seconds=later)
            trace.append(step("reject", said, pod=meta["name"], namespace=meta["namespace"],
                              port=port))
            return ConnectFailure("refused", dst_ip, dst_port, 0.0, tuple(trace))
        trace.append(step("deliver", msg("deliver.pod", pod=meta["name"],
                                         node=pod["spec"].get("nodeName"), port=port,
                                         client=seen),
                          pod=meta["name"], namespace=meta["namespace"], port=port))
        return self._accepted(Destination("pod", pod["status"]["podIP"], port, seen,
                                          meta["namespace"], meta["name"],
                                          pod["spec"].get("nodeName", "")),
                              dst_ip, dst_port, trace, (pod, found))

    def _accepted(self, dest: Destination, dst_ip: str, dst_port: int,
                  trace: list[TraceStep],
                  server: tuple[dict[str, Any], Listening] | None = None) -> Connection:
        # the client's ephemeral port names the connection, as the kernel's 4-tuple does
        src_port = EPHEMERAL_FIRST + len(self.fabric.connections)
        self.fabric.connections[src_port] = dest
        if server is not None:
            self.fabric.servers[src_port] = server
        return Connection(dst_ip, dst_port, dest.seen_client, src_port, 0.0,
                          f"{dest.ip}:{dest.port}", tuple(trace))

    def _lost(self, dst_ip: str, dst_port: int, timeout_s: float | None, trace: list[TraceStep],
              why: Message) -> ConnectFailure:
        waited = timeout_s if timeout_s is not None else netapi.KERNEL_SYN_TIMEOUT
        waited = min(waited, netapi.KERNEL_SYN_TIMEOUT)
        trace.append(step("timeout", msg("timeout.lost", why=why, seconds=waited),
                          would_hang=True))
        return ConnectFailure("timeout", dst_ip, dst_port, waited, tuple(trace))

    # HTTP ---------------------------------------------------------------------------------
    def http(self, conn: Connection, request: HttpRequest,
             timeout_s: float | None) -> HttpResponse | HttpFailure:
        dest = self.fabric.connections.get(conn.src_port)
        if dest is None:
            return HttpFailure("reset", 0.0, "", ())
        if dest.kind == "internet":
            return _internet_response(dest, request)
        if dest.kind == "health":
            return self._health_response(dest)
        if dest.kind == "node":
            return _node_port_response(dest, request)
        return serve_http(self.fabric, dest, request, timeout_s,
                          self.fabric.servers.get(conn.src_port))

    def _health_response(self, dest: Destination) -> HttpResponse:
        svc = self.fabric.api.store.get("services", dest.namespace, dest.name)
        local = 0
        if svc is not None:
            for port in svc["spec"].get("ports") or []:
                target = Target(dest.namespace, dest.name, port, "nodePort", svc)
                local = sum(1 for e in self.fabric.proxy.endpoints(target)
                            if e.get("nodeName") == dest.node)
                break
        body = health_check_body(svc or {"metadata": {"namespace": dest.namespace,
                                                        "name": dest.name}}, local)
        status = 200 if local else 503
        headers = (("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff"),
                   ("X-Load-Balancing-Endpoint-Weight", str(local)),
                   ("Date", _http_date(self.fabric.engine)),
                   ("Content-Length", str(len(body))))
        return HttpResponse(status, "OK" if local else "Service Unavailable", headers, body,
                            trace=(step("response", msg("response.health", node=dest.node,
                                                        status=status, count=local)),))


def _http_date(engine: Engine) -> str:
    from simcore.exec.apps import http_date
    return http_date(engine.clock.now)


def _first_nameserver(resolv_conf: str) -> str:
    for line in resolv_conf.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            return parts[1]
    return "127.0.0.1"


def _is_control_plane(node: dict[str, Any]) -> bool:
    return "node-role.kubernetes.io/control-plane" in (node["metadata"].get("labels") or {})


def _proxy_step(decision: Decision, client_ip: str) -> ProxyStep:
    target = decision.target
    svc = f"{target.namespace}/{target.name}:{target.port['port']}"
    n = len(decision.candidates)
    candidates = decision.keys  # the rules' own "ip:port" list, made for this decision
    # built in the key order the dashboard has always received (detail, then message, last)
    base: dict[str, Any] = {"step": "proxy", "node": decision.node, "service": svc,
                            "candidates": candidates, "how": decision.how}
    chosen = decision.chosen
    if decision.how == "random" and chosen is not None:
        base.update(rule=decision.rule, probability=round(decision.probability, 10),
                    chosen=f"{chosen['ip']}:{chosen['port']}")
        said = msg("proxy.random", node=decision.node, service=svc, count=n,
                   rule=decision.rule, probability=decision.probability,
                   chosen=base["chosen"], pod=_pod_name(chosen))
    elif decision.how == "affinity" and chosen is not None:
        base.update(client=client_ip, age=decision.affinity_age,
                    chosen=f"{chosen['ip']}:{chosen['port']}")
        said = msg("proxy.affinity", node=decision.node, service=svc, client=client_ip,
                   chosen=base["chosen"], pod=_pod_name(chosen), age=decision.affinity_age)
    else:
        said = msg("proxy.other", node=decision.node, service=svc, reason=_reason(decision))
    base["detail"], base["message"] = render(said), said
    return cast(ProxyStep, base)


def _reason(decision: Decision) -> Message | str:
    """Why kube-proxy's rules chose no endpoint, as a sentence to translate (kube-proxy
    words it `decision.reason`; a reason it words otherwise is passed on as it is)."""
    target = decision.target
    service = f"{target.namespace}/{target.name}:{target.port.get('name', '')}"
    if decision.reason == f"{service} has no endpoints":
        return msg("reason.no-endpoints", service=service)
    if decision.reason == f"{service} has no local endpoints":
        return msg("reason.no-local-endpoints", service=service)
    return decision.reason


def _pod_name(endpoint: Endpoint) -> str:
    ref = endpoint.get("targetRef") or {}
    name: str | None = ref.get("name")
    return name or endpoint["ip"]


def _internet_response(dest: Destination, request: HttpRequest) -> HttpResponse:
    host = internet.host_at(dest.ip)
    # a connection reaches an "internet" destination only at an address host_at knows
    assert host is not None, dest.ip
    headers = [("Content-Type", "text/html; charset=UTF-8"), ("Server", host.server),
               ("Content-Length", str(len(host.body)))]
    if host.location:
        headers.insert(0, ("Location", host.location))
    return HttpResponse(host.status, host.reason, tuple(headers), host.body,
                        trace=(step("response", msg("response.internet", host=host.names[0],
                                                    ip=dest.ip, status=host.status,
                                                    reason=host.reason)),))


def _node_port_response(dest: Destination, request: HttpRequest) -> HttpResponse:
    if dest.port in (10249, 10256) and request.target.startswith("/proxyMode"):
        return HttpResponse(200, "OK", (("Content-Type", "text/plain; charset=utf-8"),
                                        ("Content-Length", "8")), "iptables",
                            trace=(step("response", msg("response.proxy-mode")),))
    if dest.port == 10256 and request.target.startswith("/healthz"):
        body = '{"lastUpdated": "", "currentTime": ""}'
        return HttpResponse(200, "OK", (("Content-Type", "application/json"),), body)
    body = "404 page not found\n"
    return HttpResponse(404, "Not Found", (("Content-Type", "text/plain; charset=utf-8"),
                                           ("X-Content-Type-Options", "nosniff"),
                                           ("Content-Length", str(len(body)))), body)
