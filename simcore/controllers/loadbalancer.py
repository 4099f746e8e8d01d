"""A MetalLB-like load balancer: addresses for LoadBalancer Services, announced in layer 2.

Contract: the cluster config `lb_pool` lists the address pool as ranges
(`"192.168.100.240-192.168.100.250"`) or CIDRs (every address in it, .0 and
.255 included, as MetalLB without avoid-buggy-ips). With no pool MetalLB is
not installed: nothing happens, and LoadBalancer Services show `<pending>`
forever, as on bare metal. Otherwise each LoadBalancer Service (without a
`loadBalancerClass`) gets the requested address (`spec.loadBalancerIP` or the
`metallb.io/loadBalancerIPs` / `metallb.universe.tf/loadBalancerIPs`
annotation) or the lowest free one, in `status.loadBalancer.ingress[0]`
(`ipMode: VIP`, as the API server defaults it), with the annotation
`metallb.io/ip-allocated-from-pool` (the pool is named by `lb_pool_name`,
default `default`). Deleting the Service or changing its type frees the
address. Events are MetalLB's own: `IPAllocated` / `AllocationFailed` from
metallb-controller, `nodeAssigned` from metallb-speaker.

Layer 2: one node answers ARP for each address. Like the speakers' election,
the candidates are the Ready nodes not labelled
`node.kubernetes.io/exclude-from-external-load-balancers` (with
externalTrafficPolicy Local, only those with a serving local endpoint), the
Service needs at least one serving endpoint, and the winner is the candidate
whose sha256(`<node>#<ip>`) sorts first. The choice is kept in `self.state`
and read by the data plane through `announcing_node(engine, ip)`. This
follows metallb controller/service.go and speaker/layer2_controller.go; the
trade-off: one implicit pool and L2Advertisement, no BGP, no IP sharing.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from simcore import errors, events, labels
from simcore.controllers.deployment import select_objects
from simcore.loop import Controller
from simcore.objects import node_ready
from simcore.resources import object_key, split_key
from simcore.store import Event

if TYPE_CHECKING:
    from simcore.engine import Engine

CONTROLLER_COMPONENT = "metallb-controller"
SPEAKER_COMPONENT = "metallb-speaker"
SLICES = "endpointslices.discovery.k8s.io"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
POOL_ANNOTATION = "metallb.io/ip-allocated-from-pool"
OLD_POOL_ANNOTATION = "metallb.universe.tf/ip-allocated-from-pool"
IPS_ANNOTATION = "metallb.io/loadBalancerIPs"
OLD_IPS_ANNOTATION = "metallb.universe.tf/loadBalancerIPs"
EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Range = tuple[Address, Address]  # first and last, both included


def announcing_node(engine: Engine, ip: str) -> str | None:
    """The node that answers ARP for a load-balancer address, or None when nobody does."""
    announce = (engine.runtime.get("loadbalancer") or {}).get("announce", {})
    node: str | None = announce.get(ip, {}).get("node")
    return node


def pool_ranges(config: dict) -> list[Range]:
    """The configured pool as (first, last) address pairs, in the order given."""
    entries = config.get("lb_pool") or []
    if isinstance(entries, str):
        entries = [entries]
    ranges: list[Range] = []
    for entry in entries:
        entry = entry.strip()
        if "/" in entry:
            net = ipaddress.ip_network(entry, strict=False)
            ranges.append((net.network_address, net.broadcast_address))
        elif "-" in entry:
            first, last = (ipaddress.ip_address(p.strip()) for p in entry.split("-", 1))
            ranges.append((first, last))
        else:
            ranges.append((ipaddress.ip_address(entry),) * 2)
    return ranges


def _addresses(ranges: Iterable[Range]) -> Iterator[str]:
    for first, last in ranges:
        for value in range(int(first), int(last) + 1):
            yield str(ipaddress.ip_address(value))


def _in_pool(ip: str, ranges: Iterable[Range]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    # an IPv4 and an IPv6 address do not compare (TypeError), so an IPv6 loadBalancerIP is
    # simply outside an IPv4 pool
    return any(first.version == address.version and int(first) <= int(address) <= int(last)
               for first, last in ranges)


def desired_ips(svc: dict) -> list[str]:
    """getDesiredLbIPs: the addresses the user asked for; ValueError with MetalLB's words."""
    annotations = svc["metadata"].get("annotations") or {}
    requested = annotations.get(IPS_ANNOTATION, annotations.get(OLD_IPS_ANNOTATION, ""))
    spec_ip = svc["spec"].get("loadBalancerIP", "")
    if requested and spec_ip:
        raise ValueError(f"service can not have both {IPS_ANNOTATION} and "
                         "svc.Spec.LoadBalancerIP")
    if requested:
        ips = [p.strip() for p in requested.split(",")]
        for ip in ips:
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                raise ValueError(f'invalid {IPS_ANNOTATION}: "{requested}"') from None
        return ips
    if spec_ip:
        try:
            ipaddress.ip_address(spec_ip)
        except ValueError:
            raise ValueError(f'invalid spec.loadBalancerIP "{spec_ip}"') from None
        return [spec_ip]
    return []


class LoadBalancerController(Controller):
    name = "loadbalancer"
    watches = ("services", SLICES, "nodes")

    def keys_for(self, event: Event) -> Iterable[str]:
        obj = event.object
        if event.resource == "services":
            return super().keys_for(event)
        assigned = self.state.get("assigned", {})
        if event.resource == "nodes":
            return sorted(assigned)
        name = (obj["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
        key = object_key(obj["metadata"].get("namespace"), name) if name else None
        return (key,) if key is not None and key in assigned else ()

    def sync(self, key: str) -> None:
        ranges = pool_ranges(self.config)
        if not ranges:
            return
        namespace, name = split_key(key)
        svc = self.api.try_get_ref("services", name, namespace)
        if svc is None:
            self.state.get("waiting", {}).pop(key, None)
            self._release(key)
            return
        if svc["spec"].get("type") != "LoadBalancer" or svc["spec"].get("loadBalancerClass"):
            self.state.get("waiting", {}).pop(key, None)
            self._release(key)
            self._write(svc, None)
            return
        ip = self._converge(key, svc, ranges)
        svc = self._write(svc, ip)
        self._announce(key, svc, ip)

    # allocation (controller/service.go) -------------------------------------------------------
    def _converge(self, key: str, svc: dict, ranges: list[Range]) -> str | None:
        ingress = (svc.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
        current: str | None = next((i["ip"] for i in ingress if i.get("ip")), None)
        if current is not None:
            try:
                wanted = desired_ips(svc)
            except ValueError as exc:
                self._event(svc, "Warning", "LoadBalancerFailed",
                            f"invalid requested loadbalancer IPs: {exc}")
                return current
            owner = self._owner(current)
            if not _in_pool(current, ranges) or owner not in (None, key) or \
                    (wanted and wanted != [current]):
                self._release(key)
                current = None
            else:
                self.state.setdefault("assigned", {})[key] = current
        if current is None:
            self._release(key)
            try:
                current = self._allocate(key, svc, ranges)
            except ValueError as exc:
                self._event(svc, "Warning", "AllocationFailed",
                            f'Failed to allocate IP for "{key}": {exc}')
                # MetalLB tries again when another Service gives an address back
                self.state.setdefault("waiting", {})[key] = True
                return None
            self.state.setdefault("waiting", {}).pop(key, None)
            self._event(svc, "Normal", "IPAllocated", f'Assigned IP ["{current}"]')
        return current

    def _allocate(self, key: str, svc: dict, ranges: list[Range]) -> str:
        wanted = desired_ips(svc)
        taken = set(self.state.get("assigned", {}).values())
        ip: str | None
        if wanted:
            ip = wanted[0]
            if not _in_pool(ip, ranges):
                raise ValueError(f'"{ip}" is not allowed in config')
            owner = self._owner(ip)
            if owner not in (None, key):
                raise ValueError(f'can\'t change sharing key for "{key}", address also in use '
                                 f"by {owner}")
        else:
            ip = next((a for a in _addresses(ranges) if a not in taken), None)
            if ip is None:
                raise ValueError("no available IPs")
        self.state.setdefault("assigned", {})[key] = ip
        return ip

    def _owner(self, ip: str) -> str | None:
        return next((k for k, v in sorted(self.state.get("assigned", {}).items()) if v == ip),
                    None)

    def _release(self, key: str) -> None:
        ip = self.state.get("assigned", {}).pop(key, None)
        if ip is None:
            return
        self.state.get("announce", {}).pop(ip, None)
        for waiting in sorted(self.state.get("waiting", {})):
            if waiting != key:
                self.queue.add(waiting)

    def _write(self, svc: dict, ip: str | None) -> dict:
        meta = svc["metadata"]
        pool = self.config.get("lb_pool_name", "default")
        annotations = dict(meta.get("annotations") or {})
        annotations.pop(OLD_POOL_ANNOTATION, None)
        if ip is None:
            annotations.pop(POOL_ANNOTATION, None)
        else:
            annotations[POOL_ANNOTATION] = pool
        if annotations != (meta.get("annotations") or {}):
            svc = self.api.mutate("services", meta["name"], meta["namespace"],
                                  lambda s: _set_annotations(s, annotations))
        balancer = {"ingress": [{"ip": ip, "ipMode": "VIP"}]} if ip else {}
        if (svc.get("status") or {}).get("loadBalancer") != balancer:
            svc = self.api.mutate("services", meta["name"], meta["namespace"],
                                  lambda s: s.setdefault("status", {}).__setitem__(
                                      "loadBalancer", balancer), subresource="status")
        return svc

    # layer 2 (speaker/layer2_controller.go) ---------------------------------------------------
    def _announce(self, key: str, svc: dict, ip: str | None) -> None:
        announce = self.state.setdefault("announce", {})
        node = self._elect(svc, ip) if ip else None
        previous = announce.get(ip, {}).get("node") if ip else None
        if ip is None:
            return
        announce[ip] = {"service": key, "node": node}
        if node is not None and node != previous:
            self._event(svc, "Normal", "nodeAssigned",
                        f'announcing from node "{node}" with protocol "layer2"',
                        SPEAKER_COMPONENT)

    def _elect(self, svc: dict, ip: str) -> str | None:
        endpoints = self._serving_endpoints(svc)
        if not endpoints:
            return None
        candidates: list[str] = [n["metadata"]["name"] for n in self.api.store.list("nodes")
                                 if _speaker_eligible(n)]
        if svc["spec"].get("externalTrafficPolicy") == "Local":
            local = {e.get("nodeName") for e in endpoints}
            candidates = [n for n in candidates if n in local]
        if not candidates:
            return None
        return min(candidates, key=lambda n: hashlib.sha256(f"{n}#{ip}".encode()).digest())

    def _serving_endpoints(self, svc: dict) -> list[dict]:
        meta = svc["metadata"]
        selector = labels.from_map({SERVICE_NAME_LABEL: meta["name"]})
        found = []
        for piece in select_objects(self.api, SLICES, meta["namespace"], selector):
            for endpoint in piece.get("endpoints") or []:
                cond = endpoint.get("conditions") or {}
                serving = cond.get("serving", cond.get("ready", True))
                if cond.get("ready", True) or (serving and not cond.get("terminating")):
                    found.append(endpoint)
        return found

    def _event(self, svc: dict, type_: str, reason: str, message: str,
               component: str = CONTROLLER_COMPONENT) -> None:
        try:
            events.record(self.engine, svc, type_, reason, message, component)
        except errors.APIError:
            pass  # the namespace is going away; MetalLB's event would be lost too


def _speaker_eligible(node: dict) -> bool:
    """A live speaker on a node that may announce: Ready, network up, not excluded."""
    if not node_ready(node):
        return False
    if EXCLUDE_LABEL in (node["metadata"].get("labels") or {}):
        return False
    return not any(c.get("type") == "NetworkUnavailable" and c.get("status") == "True"
                   for c in node.get("status", {}).get("conditions") or [])


def _set_annotations(obj: dict, annotations: dict) -> None:
    if annotations:
        obj["metadata"]["annotations"] = annotations
    else:
        obj["metadata"].pop("annotations", None)
