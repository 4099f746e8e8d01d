"""Per-kind storage strategies: what the apiserver's registries do around validation.

A strategy fills in what a client may not set (status on create, generation),
runs the admission plugins a default cluster has (ServiceAccount,
DefaultTolerationSeconds, DefaultIngressClass, NamespaceLifecycle lives in the
API server), keeps status and spec apart for kinds with a status subresource,
and allocates what Services own (ClusterIPs, NodePorts, health-check ports).
Kinds without special needs share the base strategy.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from simcore import errors
from simcore.allocators import NodePortAllocator, ServiceIPAllocator, cluster_ip_error
from simcore.defaults import apply_defaults
from simcore.jsoncopy import clone
from simcore.resources import RESOURCES, by_kind

if TYPE_CHECKING:
    from simcore.store import Store

_STATUS_KINDS = {r.kind for r in RESOURCES if "status" in r.subresources}


def _noop() -> None:
    return None


class Allocators:
    def __init__(self, config: dict):
        self.service_ips = ServiceIPAllocator(config.get("service_cidr", "10.96.0.0/12"))
        low, high = config.get("node_port_range", (30000, 32767))
        self.node_ports = NodePortAllocator(low, high)

    def rebuild(self, store: Store) -> None:
        for svc in store.list("services"):
            spec = svc.get("spec", {})
            for ip in spec.get("clusterIPs") or []:
                if ip != "None":
                    self.service_ips.reserve(ip)
            for port in spec.get("ports") or []:
                if port.get("nodePort"):
                    self.node_ports.reserve(port["nodePort"])
            if spec.get("healthCheckNodePort"):
                self.node_ports.reserve(spec["healthCheckNodePort"])


class Api(Protocol):
    """What a strategy uses of the API server (simcore.apiserver.APIServer)."""

    @property
    def store(self) -> Store: ...

    @property
    def rng(self) -> random.Random: ...

    @property
    def allocators(self) -> Allocators: ...


class Strategy:
    no_generation = False
    finalized_by_controller = False  # Namespace: deletion only marks it Terminating
    default_propagation = "Background"

    def prepare_create(self, api: Api, obj: dict) -> None:
        if obj["kind"] in _STATUS_KINDS:
            obj.pop("status", None)
        apply_defaults(obj["kind"], obj)

    def prepare_update(self, api: Api, new: dict, old: dict, subresource: str | None) -> None:
        meta, old_meta = new["metadata"], old["metadata"]
        if subresource == "binding":
            return
        if subresource == "status":
            # only the status comes from the request; the rest stays as stored (shared, since
            # stored objects are never changed in place; metadata is copied for the new rv)
            status = new.get("status")
            new.clear()
            new.update({**old, "metadata": dict(old["metadata"])})
            if status is not None:
                new["status"] = status
            return
        if new["kind"] in _STATUS_KINDS:
            if "status" in old:
                new["status"] = clone(old["status"])
            else:
                new.pop("status", None)
        for kept in ("uid", "creationTimestamp", "deletionTimestamp",
                     "deletionGracePeriodSeconds", "generation", "namespace", "name"):
            if kept in old_meta:
                meta[kept] = old_meta[kept]
            else:
                meta.pop(kept, None)
        apply_defaults(new["kind"], new)
        if "generation" in old_meta and new.get("spec") != old.get("spec"):
            meta["generation"] = old_meta["generation"] + 1

    def allocate(self, api: Api, obj: dict, old: dict | None, dry_run: bool) -> Callable[[], None]:
        return _noop

    def release_update(self, api: Api, new: dict, old: dict) -> None:
        return None

    def release_delete(self, api: Api, obj: dict) -> None:
        return None

    def grace_period(self, obj: dict, requested: int | None) -> int:
        return 0

    def after_create(self, api: Api, obj: dict) -> None:
        return None


class PodStrategy(Strategy):

    def prepare_create(self, api: Api, obj: dict) -> None:
        super().prepare_create(api, obj)
        spec = obj.setdefault("spec", {})
        _admit_service_account(api, obj)
        _admit_default_tolerations(spec)
        spec.setdefault("priority", 0)
        obj["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}

    def grace_period(self, obj: dict, requested: int | None) -> int:
        if not obj.get("spec", {}).get("nodeName"):
            return 0
        if obj.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            return 0
        if requested is not None:
            return max(int(requested), 0)
        return int(obj["spec"].get("terminationGracePeriodSeconds", 30))


class ServiceStrategy(Strategy):
    no_generation = True

    def prepare_create(self, api: Api, obj: dict) -> None:
        super().prepare_create(api, obj)
        obj["status"] = {"loadBalancer": {}}

    def prepare_update(self, api: Api, new: dict, old: dict, subresource: str | None) -> None:
        super().prepare_update(api, new, old, subresource)
        if subresource == "status":
            return
        from simcore.defaults import service_update_defaults
        service_update_defaults(new, old)

    def allocate(self, api: Api, obj: dict, old: dict | None, dry_run: bool) -> Callable[[], None]:
        taken_ips: list[str] = []
        taken_ports: list[int] = []

        def undo() -> None:
            for ip in taken_ips:
                api.allocators.service_ips.release(ip)
            for port in taken_ports:
                api.allocators.node_ports.release(port)
        try:
            _allocate_cluster_ip(api, obj, old, taken_ips)
            _allocate_node_ports(api, obj, old, taken_ports)
        except errors.APIError:
            undo()
            raise
        return undo

    def release_update(self, api: Api, new: dict, old: dict) -> None:
        keep = _node_ports(new)
        for port in _node_ports(old) - keep:
            api.allocators.node_ports.release(port)
        keep_ips = set(new.get("spec", {}).get("clusterIPs") or [])
        for ip in set(old.get("spec", {}).get("clusterIPs") or []) - keep_ips:
            api.allocators.service_ips.release(ip)

    def release_delete(self, api: Api, obj: dict) -> None:
        for port in _node_ports(obj):
            api.allocators.node_ports.release(port)
        for ip in obj.get("spec", {}).get("clusterIPs") or []:
            api.allocators.service_ips.release(ip)


def _node_ports(svc: dict) -> set[int]:
    spec = svc.get("spec", {})
    ports = {p["nodePort"] for p in spec.get("ports") or [] if p.get("nodePort")}
    if spec.get("healthCheckNodePort"):
        ports.add(spec["healthCheckNodePort"])
    return ports


def _needs_health_check(spec: dict) -> bool:
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def _allocate_cluster_ip(api: Api, obj: dict, old: dict | None, taken: list[str]) -> None:
    spec = obj["spec"]
    if spec.get("type") == "ExternalName":
        spec.pop("clusterIP", None)
        spec.pop("clusterIPs", None)
        return
    if spec.get("clusterIP") == "None" or (spec.get("clusterIPs") or [None])[0] == "None":
        spec["clusterIP"], spec["clusterIPs"] = "None", ["None"]
        return
    wanted = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
    if old is not None and wanted and wanted in (old.get("spec", {}).get("clusterIPs") or []):
        return
    try:
        ip = api.allocators.service_ips.allocate(wanted, api.rng)
    except ValueError as exc:
        raise cluster_ip_error(obj["metadata"]["name"], [wanted] if wanted else [],
                               wanted or "", str(exc)) from None
    taken.append(ip)
    spec["clusterIP"], spec["clusterIPs"] = ip, [ip]
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")


def _allocate_node_ports(api: Api, obj: dict, old: dict | None, taken: list[int]) -> None:
    spec = obj["spec"]
    old_ports = _node_ports(old) if old else set()
    wants_node_ports = spec.get("type") == "NodePort" or (
        spec.get("type") == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True))
    name = obj["metadata"]["name"]
    for i, port in enumerate(spec.get("ports") or []):
        if not wants_node_ports and not port.get("nodePort"):
            continue
        if port.get("nodePort") in old_ports and port.get("nodePort") not in taken:
            continue
        try:
            got = api.allocators.node_ports.allocate(port.get("nodePort"), api.rng)
        except ValueError as exc:
            raise errors.invalid_object(by_kind("Service"), name, [errors.invalid(
                f"spec.ports[{i}].nodePort", port.get("nodePort") or 0, str(exc))]) from None
        taken.append(got)
        port["nodePort"] = got
    if _needs_health_check(spec):
        if spec.get("healthCheckNodePort") in old_ports:
            return
        try:
            got = api.allocators.node_ports.allocate(spec.get("healthCheckNodePort"), api.rng)
        except ValueError as exc:
            raise errors.invalid_object(by_kind("Service"), name, [errors.invalid(
                "spec.healthCheckNodePort", spec.get("healthCheckNodePort") or 0, str(exc))]) \
                from None
        taken.append(got)
        spec["healthCheckNodePort"] = got


class NamespaceStrategy(Strategy):
    no_generation = True
    finalized_by_controller = True

    def prepare_create(self, api: Api, obj: dict) -> None:
        super().prepare_create(api, obj)
        name = obj["metadata"].get("name", "")
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}


class IngressStrategy(Strategy):
    def prepare_create(self, api: Api, obj: dict) -> None:
        super().prepare_create(api, obj)
        spec = obj.setdefault("spec", {})
        if spec.get("ingressClassName") or (obj["metadata"].get("annotations") or {}).get(
                "kubernetes.io/ingress.class"):
            return
        defaults = [c["metadata"]["name"] for c in api.store.list("ingressclasses.networking.k8s.io")
                    if (c["metadata"].get("annotations") or {}).get(
                        "ingressclass.kubernetes.io/is-default-class") == "true"]
        if len(defaults) == 1:
            spec["ingressClassName"] = defaults[0]


class NoGenerationStrategy(Strategy):
    no_generation = True


class JobStrategy(Strategy):
    def prepare_create(self, api: Api, obj: dict) -> None:
        from simcore.defaults import job_selector_defaults
        super().prepare_create(api, obj)
        job_selector_defaults(obj)


_STRATEGIES: dict[str, Strategy] = {
    "Pod": PodStrategy(),
    "Service": ServiceStrategy(),
    "Namespace": NamespaceStrategy(),
    "Ingress": IngressStrategy(),
    "Job": JobStrategy(),
    "Node": NoGenerationStrategy(),
    "PersistentVolume": NoGenerationStrategy(),
    "PersistentVolumeClaim": NoGenerationStrategy(),
}
_BASE = Strategy()


def strategy(kind: str) -> Strategy:
    return _STRATEGIES.get(kind, _BASE)


def qos_class(spec: dict) -> str:
    """Guaranteed, Burstable or BestEffort from the containers' requests and limits."""
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    requests = [c.get("resources", {}).get("requests") or {} for c in containers]
    limits = [c.get("resources", {}).get("limits") or {} for c in containers]
    if not any(requests) and not any(limits):
        return "BestEffort"
    guaranteed = all(
        lim.get("cpu") and lim.get("memory") and req.get("cpu", lim["cpu"]) == lim["cpu"]
        and req.get("memory", lim["memory"]) == lim["memory"]
        for req, lim in zip(requests, limits, strict=True))
    return "Guaranteed" if guaranteed else "Burstable"


def _admit_service_account(api: Api, pod: dict) -> None:
    from simcore.names import generate_name
    spec = pod["spec"]
    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec["serviceAccountName"] = account
    spec["serviceAccount"] = account
    if spec.get("automountServiceAccountToken") is False:
        return
    volumes = spec.setdefault("volumes", [])
    if any(v.get("name", "").startswith("kube-api-access-") for v in volumes):
        return
    volume = generate_name("kube-api-access-", api.rng)
    volumes.append({"name": volume, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt",
                                                              "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}})
    for container in spec.get("containers") or []:
        container.setdefault("volumeMounts", []).append({
            "name": volume, "readOnly": True,
            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})


def _admit_default_tolerations(spec: dict) -> None:
    tolerations = spec.setdefault("tolerations", [])
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if not any(t.get("key") == key and t.get("effect") in ("NoExecute", None, "")
                   for t in tolerations):
            tolerations.append({"key": key, "operator": "Exists", "effect": "NoExecute",
                                "tolerationSeconds": 300})



def stream_container(pod: dict, wanted: str | None) -> str:
    """The container a `pods/log`, `exec` or `attach` request means: the one named, else the
    pod's only one; refused in the pod strategy's words (streamLocation) otherwise."""
    names: list[str] = [c["name"] for c in pod["spec"].get("containers") or []]
    pod_name = pod["metadata"]["name"]
    if wanted:
        if wanted not in names:
            raise errors.bad_request(f"container {wanted} is not valid for pod {pod_name}")
        return wanted
    if len(names) == 1:
        return names[0]
    if not names:
        raise errors.bad_request(f"a container name must be specified for pod {pod_name}")
    raise errors.bad_request(f"a container name must be specified for pod {pod_name}, "
                             f"choose one of: [{' '.join(names)}]")
