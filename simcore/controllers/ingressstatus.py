"""ingress-nginx's status syncer: the ADDRESS of the Ingresses it serves.

Contract: while an ingress-nginx controller pod (a container running
`/nginx-ingress-controller`) is Running and Ready, the oldest such pod is
the leader and publishes, on every Ingress of its class, the addresses
ingress-nginx's `runningAddresses` computes from the pod's flags:
`--publish-status-address` as given; else `--publish-service`'s Service
(LoadBalancer: its ingress addresses and externalIPs; NodePort: its
externalIPs, else its ClusterIP; ClusterIP: the ClusterIP; ExternalName: the
name); else the IPs of the nodes running the ready controller pods
(ExternalIP before InternalIP unless `--report-node-internal-ip-address`),
which is the bare-metal case of F7.8 and follows the pod when it moves.
An Ingress is of the class when its `ingressClassName` names an IngressClass
whose controller is the pod's `--controller-class` (default
`k8s.io/ingress-nginx`), when its `kubernetes.io/ingress.class` annotation
equals `--ingress-class` (default `nginx`), or when it has neither and that
IngressClass is the default (the data plane routes such Ingresses the same
way; ingress-nginx itself wants `--watch-ingress-without-class` for them).

Timing as in internal/ingress/status/status.go: the leader syncs once when it
starts, then every 60 s (UpdateInterval); an Ingress created in between shows
its ADDRESS at the next tick. Only a pending change sets a timer, so a quiet
cluster stays idle. Trade-off: leader election is "the oldest ready pod", and
the status is not cleared when the last controller pod shuts down.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from simcore.loop import Controller
from simcore.objects import node_address, node_ip, pod_ready
from simcore.resources import object_key, split_key
from simcore.store import Event

if TYPE_CHECKING:
    from simcore.engine import Engine

INGRESSES = "ingresses.networking.k8s.io"
CLASSES = "ingressclasses.networking.k8s.io"
CLASS_ANNOTATION = "kubernetes.io/ingress.class"
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
BINARY = "/nginx-ingress-controller"
UPDATE_INTERVAL = 60.0
KEY = "status"


def controller_flags(pod: dict) -> dict[str, str] | None:
    """The flags of the pod's ingress-nginx container, `$(POD_NAMESPACE)` expanded; None if none."""
    for container in pod["spec"].get("containers") or []:
        argv = [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]
        if not any(a.endswith(BINARY) for a in argv):
            continue
        flags = {}
        for arg in argv:
            if arg.startswith("--"):
                name, sep, value = arg[2:].partition("=")
                flags[name] = value.replace("$(POD_NAMESPACE)",
                                            pod["metadata"]["namespace"]) if sep else "true"
        return flags
    return None


def _address(text: str) -> dict:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return {"hostname": text}
    return {"ip": text}


class IngressStatusController(Controller):
    name = "ingressstatus"
    watches = (INGRESSES, CLASSES, "pods", "services", "nodes")

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self.controller_pods: set[str] = set()
        for pod in self.api.store.list("pods"):
            if controller_flags(pod) is not None:
                self.controller_pods.add(_pod_key(pod))

    def keys_for(self, event: Event) -> Iterable[str]:
        obj = event.object
        if event.resource == "pods":
            key = _pod_key(obj)
            if controller_flags(obj) is None:
                return ()
            if event.type == "DELETED":
                self.controller_pods.discard(key)
            else:
                self.controller_pods.add(key)
            return (KEY,)
        if event.resource in ("services", "nodes") and not self.controller_pods:
            return ()
        return (KEY,)

    def sync(self, key: str) -> None:
        pods = self._ready_pods()
        if not pods:
            return
        leader = pods[0]
        flags = controller_flags(leader) or {}
        if flags.get("update-status") == "false":
            return
        addresses = self._running_addresses(leader, flags, pods)
        if addresses is None:
            return
        stale = [i for i in self._served(flags) if _published(i) != _simple(addresses)]
        if not stale or not self._at_tick(leader):
            return
        balancer = {"ingress": addresses} if addresses else {}
        for ingress in stale:
            meta = ingress["metadata"]
            self.api.mutate(INGRESSES, meta["name"], meta["namespace"],
                            lambda i: i.setdefault("status", {}).__setitem__(
                                "loadBalancer", balancer), subresource="status")

    def _ready_pods(self) -> list[dict]:
        pods = (self.api.store.get("pods", *split_key(k)) for k in sorted(self.controller_pods))
        ready = [p for p in pods if p is not None and p["status"].get("phase") == "Running" and
                 pod_ready(p)]
        return sorted(ready, key=lambda p: (p["metadata"].get("creationTimestamp", ""),
                                            p["metadata"]["name"]))

    def _at_tick(self, leader: dict) -> bool:
        """True when the leader syncs: as it starts and every 60 s after; else set a timer."""
        origin = self._ready_at(leader)
        since = self.clock.elapsed - origin
        # Ready's lastTransitionTime has whole seconds: the start is "within the second"
        if since < 1.0 + 1e-6:
            return True
        periods = since / UPDATE_INTERVAL
        if abs(periods - round(periods)) < 1e-6:
            return True
        self.requeue_at(origin + math.ceil(periods) * UPDATE_INTERVAL, KEY)
        return False

    def _ready_at(self, pod: dict) -> float:
        for cond in pod["status"].get("conditions") or []:
            if cond.get("type") == "Ready":
                return self.clock.elapsed - self.clock.seconds_since(
                    cond.get("lastTransitionTime"))
        return self.clock.elapsed

    # what to publish -------------------------------------------------------------------------
    def _running_addresses(self, leader: dict, flags: dict, pods: list[dict]) -> list | None:
        if flags.get("publish-status-address"):
            return _sorted([_address(a) for a in re.split(r",\s*",
                                                          flags["publish-status-address"])])
        if flags.get("publish-service"):
            return self._service_addresses(flags["publish-service"])
        mates = [p for p in pods if p["metadata"]["namespace"] == leader["metadata"]["namespace"]
                 and _has_labels(p, leader["metadata"].get("labels") or {})]
        internal = flags.get("report-node-internal-ip-address") == "true"
        found: list[dict] = []
        for pod in mates:
            node = self.api.try_get_ref("nodes", pod["spec"].get("nodeName", ""))
            name = _node_address(node, internal) if node else pod["spec"].get("nodeName", "")
            if name and all(name not in (a.get("ip"), a.get("hostname")) for a in found):
                found.append(_address(name))
        return _sorted(found)

    def _service_addresses(self, ref: str) -> list | None:
        namespace, _, name = ref.rpartition("/")
        svc = self.api.try_get_ref("services", name, namespace or "default")
        if svc is None:
            return None
        spec = svc["spec"]
        kind = spec.get("type", "ClusterIP")
        external = [{"ip": ip} for ip in spec.get("externalIPs") or []]
        if kind == "ExternalName":
            found = [{"hostname": spec.get("externalName", "")}]
        elif kind == "NodePort":
            found = external or [{"ip": spec.get("clusterIP", "")}]
        elif kind == "LoadBalancer":
            found = [{"ip": i["ip"]} if i.get("ip") else {"hostname": i.get("hostname", "")}
                     for i in (svc.get("status", {}).get("loadBalancer") or {}).get("ingress")
                     or []]
            found += [e for e in external if e not in found]
        else:
            found = [{"ip": spec.get("clusterIP", "")}]
        return _sorted(found)

    def _served(self, flags: dict) -> list[dict]:
        controller = flags.get("controller-class", "k8s.io/ingress-nginx")
        annotation_class = flags.get("ingress-class", "nginx")
        classes = {c["metadata"]["name"]: c for c in self.api.store.list(CLASSES)}
        ours = {n for n, c in classes.items() if (c.get("spec") or {}).get("controller") ==
                controller}
        default = any((classes[n]["metadata"].get("annotations") or {}).get(
            DEFAULT_CLASS_ANNOTATION) == "true" for n in ours)
        served = []
        for ingress in sorted(self.api.store.list(INGRESSES),
                              key=lambda i: (i["metadata"]["namespace"], i["metadata"]["name"])):
            named = (ingress.get("spec") or {}).get("ingressClassName")
            annotated = (ingress["metadata"].get("annotations") or {}).get(CLASS_ANNOTATION)
            if named:
                mine = named in ours
            elif annotated is not None:
                mine = annotated == annotation_class
            else:
                mine = default or flags.get("watch-ingress-without-class") == "true"
            if mine and not ingress["metadata"].get("deletionTimestamp"):
                served.append(ingress)
        return served


def _node_address(node: dict, internal_only: bool) -> str:
    internal = node_ip(node)
    if internal_only:
        return internal
    external = node_address(node, "ExternalIP")
    return external or internal


def _has_labels(pod: dict, wanted: dict) -> bool:
    have = pod["metadata"].get("labels") or {}
    return all(have.get(k) == v for k, v in wanted.items())


def _sorted(addresses: list[dict]) -> list[dict]:
    # standardizeLoadBalancerIngresses, then updateStatus's order: hostname, then IP
    by_ip = sorted(addresses, key=lambda a: a.get("ip", ""))
    return sorted(by_ip, key=lambda a: a.get("hostname", ""))


def _simple(addresses: list[dict]) -> list[tuple[str, str]]:
    return [(a.get("ip", ""), a.get("hostname", "")) for a in addresses]


def _published(ingress: dict) -> list[tuple[str, str]]:
    current = ((ingress.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return _simple(_sorted(current))


def _pod_key(pod: dict) -> str:
    return object_key(pod["metadata"]["namespace"], pod["metadata"]["name"])
