"""kube-proxy in iptables mode: how a node decides where a Service connection goes.

Every node has the same rules, built from Services and EndpointSlices, but
its own conntrack and its own `recent` lists for ClientIP affinity. A new
connection to a Service address meets the rules of the node it enters on:

- no ready endpoint: REJECT, the client sees "connection refused" at once;
- `sessionAffinity: ClientIP`: an endpoint this node saw the client IP use
  within `timeoutSeconds` wins (the window slides with each connection);
- otherwise rule i of n (endpoints sorted by "ip:port", i from 1) matches with
  probability 1/(n-i+1), so each endpoint gets 1/n: random, not round-robin (picked
  with one draw, `pick_rule`, rather than by walking the rules);
- `externalTrafficPolicy: Local` on a NodePort/LB entry, and
  `internalTrafficPolicy: Local` for pods, keep only this node's endpoints,
  and with none the packet is dropped: the client times out.

`decide()` returns a `Decision` holding the choice and the reasons, which
the trace shows step by step. The controller part keeps indexes from
Service addresses and node ports to Services, so a lookup costs the
Service's endpoints, never the cluster's size; and since a class fires
thousands of curls in a row with nothing written in between, which Service
an address names and a port's rules are remembered until the store's
resourceVersion moves (an affinity hit is then a few dictionary lookups).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from simcore.loop import Controller
from simcore.objects import node_addresses
from simcore.resources import object_key
from simcore.store import Event
from simcore.trace import ProxyHow

if TYPE_CHECKING:  # the engine builds kube-proxy: no import at run time
    from simcore.engine import Engine

AFFINITY_DEFAULT = 10800


class Endpoint(TypedDict):
    """One ready endpoint as the rules hold it, taken from an EndpointSlice."""

    ip: str
    port: int
    nodeName: str | None
    targetRef: dict[str, Any] | None


class _Affinity(TypedDict):
    endpoint: str  # "ip:port" of the endpoint the client was sent to
    last: float  # virtual seconds of the client's last connection through it


@dataclass
class Target:
    """A Service port a packet addressed: which Service, which port, and how it was reached."""

    namespace: str
    name: str
    port: dict  # the Service's port entry
    via: str  # "clusterIP", "nodePort", "loadBalancer", "externalIP"
    service: dict = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class Rules:
    """One Service port's rules, built once per set of EndpointSlice objects."""

    endpoints: tuple[Endpoint, ...]  # ready endpoints, sorted by "ip:port" as kube-proxy sorts them
    keys: tuple[str, ...]  # the "ip:port" of each, as affinity entries and the trace name them
    index: dict[str, Endpoint]  # "ip:port" -> endpoint


@dataclass
class Decision:
    node: str
    target: Target
    candidates: list[Endpoint]  # endpoints considered, sorted as the rules are
    keys: list[str] = field(default_factory=list)  # their "ip:port", in the same order
    chosen: Endpoint | None = None
    how: ProxyHow = ""
    # each set by the way that chose, and read only when `how` names that way
    probability: float = 0.0  # "random"
    rule: int = 0  # "random": 1-based
    affinity_age: float = 0.0  # "affinity"
    reason: str = ""
    local_only: bool = False


class KubeProxy(Controller):
    """Indexes for Service lookups, and the affinity tables (saved with the cluster)."""

    name = "kube-proxy"
    watches = ("services", "pods", "nodes")

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.by_ip: dict[str, tuple[str, str]] = {}
        self.by_node_port: dict[int, tuple[str, str]] = {}
        self.health_ports: dict[int, tuple[str, str]] = {}
        self.by_lb_ip: dict[str, tuple[str, str]] = {}
        self._seen: dict[tuple[str, str], dict] = {}
        self.pod_by_ip: dict[str, tuple[str, str]] = {}
        self.node_by_ip: dict[str, dict] = {}
        # (namespace, service, port name, protocol) -> (store rv when last checked, the
        # slices, the rules built from them)
        self._rules: dict[tuple[str, str, str, str], tuple[int, tuple, Rules]] = {}
        # (ip, port, protocol) -> Target or None, answered while the store stays at
        # `_targets_rv` and no Service event re-indexed addresses
        self._targets: dict[tuple[str, int, str], Target | None] = {}
        self._targets_rv = -1
        for svc in self.api.store.list("services"):
            self._index(svc)
        for pod in self.api.store.list("pods"):
            self._index_pod(None, pod)
        for node in self.api.store.list("nodes"):
            self._index_node(None, node)

    def _index_pod(self, old: dict | None, pod: dict | None) -> None:
        for obj, add in ((old, False), (pod, True)):
            if obj is None or obj["spec"].get("hostNetwork"):
                continue
            ip = (obj.get("status") or {}).get("podIP")
            if not ip:
                continue
            ref = (obj["metadata"]["namespace"], obj["metadata"]["name"])
            if add:
                self.pod_by_ip[ip] = ref
            elif self.pod_by_ip.get(ip) == ref:
                del self.pod_by_ip[ip]

    def _index_node(self, old: dict | None, node: dict | None) -> None:
        for obj, add in ((old, False), (node, True)):
            if obj is None:
                continue
            for address in node_addresses(obj, "InternalIP"):
                if add:
                    self.node_by_ip[address] = obj
                else:
                    self.node_by_ip.pop(address, None)

    def keys_for(self, event: Event) -> Iterable[str]:
        if event.resource == "pods":
            self._index_pod(event.old, None if event.type == "DELETED" else event.object)
            return ()
        if event.resource == "nodes":
            self._index_node(event.old, None if event.type == "DELETED" else event.object)
            return ()
        meta = event.object["metadata"]
        self._targets.clear()
        self._unindex(meta["namespace"], meta["name"])
        if event.type != "DELETED":
            self._index(event.object)
        return ()

    def sync(self, key: str) -> None:
        return None

    def _index(self, svc: dict) -> None:
        ref = (svc["metadata"]["namespace"], svc["metadata"]["name"])
        spec = svc.get("spec") or {}
        addresses = []
        for ip in (spec.get("clusterIPs") or []) + (spec.get("externalIPs") or []):
            if ip and ip != "None":
                self.by_ip[ip] = ref
                addresses.append(("ip", ip))
        for port in spec.get("ports") or []:
            if port.get("nodePort"):
                self.by_node_port[port["nodePort"]] = ref
                addresses.append(("port", port["nodePort"]))
        if spec.get("healthCheckNodePort"):
            self.health_ports[spec["healthCheckNodePort"]] = ref
            addresses.append(("health", spec["healthCheckNodePort"]))
        for ingress in (svc.get("status") or {}).get("loadBalancer", {}).get("ingress") or []:
            if ingress.get("ip"):
                self.by_lb_ip[ingress["ip"]] = ref
                addresses.append(("lb", ingress["ip"]))
        self._seen[ref] = {"addresses": addresses}

    def _unindex(self, namespace: str, name: str) -> None:
        entry = self._seen.pop((namespace, name), None)
        if not entry:
            return
        # keyed by address (str) or by port (int), as `_index` recorded each
        tables: dict[str, dict[Any, tuple[str, str]]] = {
            "ip": self.by_ip, "port": self.by_node_port, "health": self.health_ports,
            "lb": self.by_lb_ip}
        for table, value in entry["addresses"]:
            if tables[table].get(value) == (namespace, name):
                del tables[table][value]

    # lookups ----------------------------------------------------------------------
    def service_at(self, ip: str, port: int, protocol: str = "TCP") -> Target | None:
        """The Service port a cluster or external address names, if any."""
        # every connection asks, usually for the same few addresses with nothing written
        # in between: remember the answers until the store changes
        rv = self.api.store.rv
        if rv != self._targets_rv:
            self._targets.clear()
            self._targets_rv = rv
        key = (ip, port, protocol)
        if key not in self._targets:
            self._targets[key] = self._find_service(ip, port, protocol)
        return self._targets[key]

    def _find_service(self, ip: str, port: int, protocol: str) -> Target | None:
        for table, via in ((self.by_ip, "clusterIP"), (self.by_lb_ip, "loadBalancer")):
            ref = table.get(ip)
            if ref is None:
                continue
            svc = self.api.store.get("services", *ref)
            if svc is None:
                continue
            for entry in svc["spec"].get("ports") or []:
                if entry["port"] == port and entry.get("protocol", "TCP") == protocol:
                    external = ip in (svc["spec"].get("externalIPs") or [])
                    return Target(*ref, entry, "externalIP" if external else via, svc)
        return None

    def node_port(self, port: int, protocol: str = "TCP") -> Target | None:
        ref = self.by_node_port.get(port)
        svc = self.api.store.get("services", *ref) if ref else None
        if ref is None or svc is None:
            return None
        for entry in svc["spec"].get("ports") or []:
            if entry.get("nodePort") == port and entry.get("protocol", "TCP") == protocol:
                return Target(*ref, entry, "nodePort", svc)
        return None

    def health_check(self, port: int) -> dict | None:
        ref = self.health_ports.get(port)
        return self.api.store.get("services", *ref) if ref else None

    # the rules --------------------------------------------------------------------------
    def endpoints(self, target: Target) -> list[Endpoint]:
        """Ready endpoints for the target's port, sorted by "ip:port" as kube-proxy sorts them."""
        return list(self.rules(target).endpoints)

    def rules(self, target: Target) -> Rules:
        """The target port's rules, rebuilt only when its EndpointSlices were replaced."""
        store = self.api.store
        port = target.port
        key = (target.namespace, target.name, port.get("name", ""), port.get("protocol", "TCP"))
        cached = self._rules.get(key)
        if cached is not None and cached[0] == store.rv:
            return cached[2]  # nothing at all was written since the last look
        names = store.names_with_label("endpointslices.discovery.k8s.io", target.namespace,
                                       "kubernetes.io/service-name", target.name)
        slices = tuple([store.get("endpointslices.discovery.k8s.io", target.namespace, name)
                        for name in sorted(names)])
        # stored slices are never changed in place, so while the same slice objects are
        # stored (tuple equality looks at identity first) the rules built from them still hold
        if cached is not None and cached[1] == slices:
            rules = cached[2]
        else:
            rules = _endpoint_rules(slices, key[2], key[3])
        self._rules[key] = (store.rv, slices, rules)
        return rules

    def decide(self, node: str, target: Target, client_ip: str, from_pod: bool) -> Decision:
        spec = target.service.get("spec") or {}
        rules = self.rules(target)
        decision = Decision(node, target, list(rules.endpoints), list(rules.keys))
        if not rules.endpoints:
            decision.how = "reject"
            decision.reason = (f"{target.namespace}/{target.name}:{target.port.get('name', '')} "
                               "has no endpoints")
            return decision
        if self._local_policy(target, spec, from_pod):
            decision.local_only = True
            local = [(c, k) for c, k in zip(rules.endpoints, rules.keys, strict=True)
                     if c.get("nodeName") == node]
            decision.candidates = [c for c, _ in local]
            decision.keys = [k for _, k in local]
            if not local:
                decision.how = "drop"
                decision.reason = (f"{target.namespace}/{target.name}:"
                                   f"{target.port.get('name', '')} has no local endpoints")
                return decision
        affinity = spec.get("sessionAffinity") == "ClientIP"
        if affinity and self._by_affinity(decision, rules, client_ip):
            return decision
        self._by_random(decision)
        if affinity:
            self._remember(decision, client_ip)
        return decision

    def _local_policy(self, target: Target, spec: dict, from_pod: bool) -> bool:
        if target.via in ("nodePort", "loadBalancer", "externalIP"):
            # traffic from pods to a NodePort/LB address uses the cluster-wide chain
            return spec.get("externalTrafficPolicy") == "Local" and not from_pod
        return spec.get("internalTrafficPolicy") == "Local" and from_pod

    def _affinity_table(self, node: str) -> dict[str, _Affinity]:
        table: dict[str, _Affinity] = self.state.setdefault("affinity", {}).setdefault(node, {})
        return table

    def _affinity_key(self, target: Target, client_ip: str) -> str:
        return f"{object_key(target.namespace, target.name)}:{target.port.get('name', '')}|" \
               f"{client_ip}"

    def _by_affinity(self, decision: Decision, rules: Rules, client_ip: str) -> bool:
        table = self._affinity_table(decision.node)
        key = self._affinity_key(decision.target, client_ip)
        entry = table.get(key)
        if entry is None:
            return False
        timeout = _affinity_timeout(decision.target.service)
        age = self.clock.elapsed - entry["last"]
        # the remembered endpoint, if the rules (this node's share of them when the policy is
        # Local) still hold it: a lookup by "ip:port", not a walk over every endpoint
        chosen = rules.index.get(entry["endpoint"])
        if chosen is not None and decision.local_only and chosen.get("nodeName") != decision.node:
            chosen = None
        if age > timeout or chosen is None:
            del table[key]  # expired, or its endpoint is gone: the rule no longer exists
            return False
        decision.chosen, decision.how, decision.affinity_age = chosen, "affinity", age
        entry["last"] = self.clock.elapsed
        return True

    def _by_random(self, decision: Decision) -> None:
        rule, probability = pick_rule(len(decision.candidates), self.rng)
        decision.chosen, decision.how = decision.candidates[rule - 1], "random"
        decision.rule, decision.probability = rule, probability

    def _remember(self, decision: Decision, client_ip: str) -> None:
        table = self._affinity_table(decision.node)
        chosen = decision.chosen
        if chosen is None:
            return
        table[self._affinity_key(decision.target, client_ip)] = {
            "endpoint": f"{chosen['ip']}:{chosen['port']}", "last": self.clock.elapsed}


def pick_rule(n: int, rng: random.Random) -> tuple[int, float]:
    """Which of n random-mode rules matches: (rule, 1-based, and that rule's probability).

    iptables tries rule i of n with probability 1/(n-i+1), so the walk ends on each rule
    with probability 1/n. One uniform draw gives that same distribution at once, instead
    of one draw per rule tried (a cost that grew with the Service's endpoints); the
    probability the rule itself carries is still what the trace shows."""
    rule = rng.randrange(n) + 1
    return rule, 1.0 / (n - rule + 1)


def _endpoint_rules(slices: tuple, port_name: str, protocol: str) -> Rules:
    out: dict[str, Endpoint] = {}
    for es in slices:
        if es is None:
            continue
        number = next((p.get("port") for p in es.get("ports") or []
                       if (p.get("name") or "") == port_name and
                       p.get("protocol", "TCP") == protocol), None)
        if number is None:
            continue
        for ep in es.get("endpoints") or []:
            if not (ep.get("conditions") or {}).get("ready", True):
                continue
            for ip in ep.get("addresses") or []:
                out[f"{ip}:{number}"] = {"ip": ip, "port": number,
                                         "nodeName": ep.get("nodeName"),
                                         "targetRef": ep.get("targetRef")}
    keys = tuple(sorted(out))
    return Rules(tuple(out[k] for k in keys), keys, {k: out[k] for k in keys})


def _affinity_timeout(service: dict) -> float:
    config = (service.get("spec") or {}).get("sessionAffinityConfig") or {}
    return float((config.get("clientIP") or {}).get("timeoutSeconds", AFFINITY_DEFAULT))


def health_check_body(service: dict, local_endpoints: int) -> str:
    """The JSON kube-proxy's health check server answers on `healthCheckNodePort`."""
    namespace: str = service["metadata"]["namespace"]
    name: str = service["metadata"]["name"]
    return ("{\n\t\"service\": {\n\t\t\"namespace\": \"" + namespace + "\",\n\t\t\"name\": \"" +
            name + "\"\n\t},\n\t\"localEndpoints\": " + str(local_endpoints) +
            ",\n\t\"serviceProxyHealthy\": true\n}")
