"""The endpoints controllers: Endpoints and EndpointSlices from Services and pods.

For a Service with a selector, `sync(key)` lists the matching pods in its
namespace and writes both objects kubectl and kube-proxy read:

- `Endpoints`: pods with an IP, not finished (phase Succeeded or Failed,
  whatever the restartPolicy) and not being deleted; Ready ones in `addresses`,
  the others in `notReadyAddresses`. `publishNotReadyAddresses` puts every such
  pod in `addresses` and keeps terminating pods too (Kubernetes'
  `ShouldPodBeInEndpoints(pod, includeTerminating)`); a named targetPort resolved in each pod separately,
  pods grouped into subsets by the ports they resolved to; addresses sorted
  by the IP *string*, so 10.244.1.100 comes before 10.244.1.88.
- `EndpointSlice`s (at most 100 endpoints each) with ready/serving/
  terminating conditions; kube-proxy routes from these. Slices keep terminating
  pods (marked so), since kube-proxy may still route to a serving one.

For a Service without a selector the user's own Endpoints object is
mirrored into a slice (the EndpointSlice mirroring controller), which is how
the lecture's `external-service` reaches 11.11.11.11 and 22.22.22.22.

A sync that finds no Service deletes the Endpoints of its name, whoever made
them (Kubernetes' `syncService`). Its key comes from the Service (changed or
deleted), from a pod it selects, and from its Endpoints being deleted
(`onEndpointsDelete`: Endpoints deleted by hand come back). An Endpoints
object being made or changed brings only the mirroring key (`mirror|ns/name`),
which never deletes: the endpoints controller does not watch for that, so a
user's Endpoints made before its Service survive until the Service comes.
When the controller starts over a store (a cluster loaded from saved state)
it queues the Endpoints it made whose Service is not there, as
`checkLeftoverEndpoints` does at start: a Service deleted while nothing
watched leaves nothing behind.

Which Services a pod change concerns is found through an index of selector
pairs, so the cost of a pod change is the Services that select it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from simcore import errors, labels
from simcore.apiserver import Request
from simcore.controllers.replicaset import matching_pods
from simcore.loop import Controller
from simcore.objects import pod_ready
from simcore.resources import object_key, split_key
from simcore.store import Event

if TYPE_CHECKING:
    from simcore.engine import Engine

MAX_PER_SLICE = 100
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
SERVICE_NAME = "kubernetes.io/service-name"
# set on every Endpoints object this controller writes: how it knows its own after a restart
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
MIRROR = "mirror|"


def resolve_target_port(service_port: dict, pod: dict) -> int | None:
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
        return int(target)
    protocol = service_port.get("protocol", "TCP")
    for container in pod["spec"].get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target and port.get("protocol", "TCP") == protocol:
                number: int = port["containerPort"]
                return number
    return None


def should_be_in_endpoints(pod: dict, include_terminating: bool) -> bool:
    """`ShouldPodBeInEndpoints`: a pod with an IP that has not finished.

    A finished pod (Succeeded or Failed) is left out whatever its restartPolicy: its
    containers will not run again, not even under Always (the kubelet only restarts
    containers of a pod that is still running). A terminating pod is kept only when asked.
    """
    if pod["status"].get("phase") in ("Succeeded", "Failed"):
        return False
    if not pod["status"].get("podIP"):
        return False
    return include_terminating or not pod["metadata"].get("deletionTimestamp")


def _ip_key(address: dict) -> tuple[bytes, str]:
    ref = address.get("targetRef") or {}
    return address["ip"].encode(), ref.get("uid", "")


class EndpointsController(Controller):
    name = "endpoints"
    watches = ("services", "pods", "endpoints")

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self.by_pair: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        self.selectors: dict[tuple[str, str], dict] = {}
        for svc in self.api.store.list("services"):
            self._index(svc)
        for key in self._leftover_endpoints():
            self.queue.add(key)

    def _leftover_endpoints(self) -> list[str]:
        """Keys of the Endpoints this controller made whose Service is not there. Unlike
        `checkLeftoverEndpoints` the hand-made ones are not queued: the engine is rebuilt
        from saved state whenever a server process loads a cluster, which a student cannot
        see, and their Endpoints made before the Service must not go then."""
        keys = []
        for ep in self.api.store.list("endpoints"):
            meta = ep["metadata"]
            if TRIGGER_TIME in (meta.get("annotations") or {}) and \
                    self.api.store.get("services", meta["namespace"], meta["name"]) is None:
                keys.append(object_key(meta["namespace"], meta["name"]))
        return keys

    def _index(self, svc: dict | None, remove: bool = False) -> None:
        if svc is None:
            return
        namespace, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        old = self.selectors.pop((namespace, name), None) or {}
        for pair in old.items():
            self.by_pair[(namespace, *pair)].discard(name)
        selector = svc.get("spec", {}).get("selector") or {}
        if remove or not selector:
            return
        self.selectors[(namespace, name)] = selector
        for pair in selector.items():
            self.by_pair[(namespace, *pair)].add(name)

    def keys_for(self, event: Event) -> Iterable[str]:
        obj = event.object
        namespace = obj["metadata"].get("namespace")
        if event.resource == "services":
            self._index(obj, remove=event.type == "DELETED")
            return (object_key(namespace, obj["metadata"]["name"]),)
        if event.resource == "endpoints":
            name = obj["metadata"]["name"]
            if event.type == "DELETED":
                return (object_key(namespace, name),)  # made again if its Service selects
            # only user-managed Endpoints (no selector on the Service) need mirroring
            return () if (namespace, name) in self.selectors else \
                (MIRROR + object_key(namespace, name),)
        keys: set[str] = set()
        for pod in (event.old, obj):
            if pod is None:
                continue
            for pair in (pod["metadata"].get("labels") or {}).items():
                for name in self.by_pair.get((namespace, *pair), ()):
                    selector = self.selectors.get((namespace, name), {})
                    if all((pod["metadata"].get("labels") or {}).get(k) == v
                           for k, v in selector.items()):
                        keys.add(object_key(namespace, name))
        return sorted(keys)

    def sync(self, key: str) -> None:
        mirror = key.startswith(MIRROR)
        # "gone|" is how keys deferred by an older engine, saved with a cluster, name a
        # deleted Service: now any Service key does
        namespace, name = split_key(key.removeprefix(MIRROR).removeprefix("gone|"))
        svc = self.api.try_get_ref("services", name, namespace)
        if svc is None:
            # the mirroring controller waits for the Service; syncService deletes
            if not mirror:
                self._delete_endpoints(namespace, name)
            return
        spec = svc.get("spec", {})
        if spec.get("type") == "ExternalName":
            return
        if not spec.get("selector"):
            self._mirror(svc)
            return
        pods = matching_pods(self.api, svc["metadata"]["namespace"],
                             labels.from_map(spec["selector"]))
        subsets = self._subsets(svc, pods)
        self._write_endpoints(svc, subsets)
        self._write_slices(svc, self._slice_groups(svc, pods))

    # Endpoints -----------------------------------------------------------------
    def _subsets(self, svc: dict, pods: list[dict]) -> list[dict]:
        publish = svc["spec"].get("publishNotReadyAddresses", False)
        groups: dict[tuple, dict] = {}
        for pod in pods:
            # publishNotReadyAddresses also keeps terminating pods (peers of a
            # StatefulSet must find each other while they shut down)
            if not should_be_in_endpoints(pod, include_terminating=publish):
                continue
            ports = self._ports(svc, pod)
            if ports is None:
                continue
            address = self._address(svc, pod)
            group = groups.setdefault(tuple(sorted((p.get("name", ""), p["port"], p["protocol"])
                                                   for p in ports)),
                                      {"addresses": [], "notReadyAddresses": [],
                                       "ports": ports})
            ready = publish or pod_ready(pod)
            group["addresses" if ready else "notReadyAddresses"].append(address)
        subsets = []
        for ports_key in sorted(groups):
            group = groups[ports_key]
            subset = {}
            for field in ("addresses", "notReadyAddresses"):
                if group[field]:
                    subset[field] = sorted(group[field], key=_ip_key)
            if subset:
                subset["ports"] = group["ports"]
                subsets.append(subset)
        return subsets

    def _ports(self, svc: dict, pod: dict) -> list[dict] | None:
        ports = []
        for sp in svc["spec"].get("ports") or []:
            number = resolve_target_port(sp, pod)
            if number is None:
                continue  # the real controller logs "Failed to find port for service"
            port = {"port": number, "protocol": sp.get("protocol", "TCP")}
            if sp.get("name"):
                port = {"name": sp["name"], **port}
            if sp.get("appProtocol"):
                port["appProtocol"] = sp["appProtocol"]
            ports.append(port)
        return ports if ports or not svc["spec"].get("ports") else None

    def _address(self, svc: dict, pod: dict) -> dict:
        meta = pod["metadata"]
        address = {"ip": pod["status"]["podIP"]}
        if pod["spec"].get("hostname") and pod["spec"].get("subdomain") == \
                svc["metadata"]["name"]:
            address["hostname"] = pod["spec"]["hostname"]
        if pod["spec"].get("nodeName"):
            address["nodeName"] = pod["spec"]["nodeName"]
        address["targetRef"] = {"kind": "Pod", "namespace": meta["namespace"],
                                "name": meta["name"], "uid": meta["uid"]}
        return address

    def _write_endpoints(self, svc: dict, subsets: list[dict]) -> None:
        meta = svc["metadata"]
        wanted_labels = dict(meta.get("labels") or {})
        if svc["spec"].get("clusterIP") == "None":
            wanted_labels["service.kubernetes.io/headless"] = ""
        current = self.api.try_get_ref("endpoints", meta["name"], meta["namespace"])
        if current is not None and current.get("subsets", []) == subsets and \
                (current["metadata"].get("labels") or {}) == wanted_labels:
            return
        body: dict[str, Any] = {
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": meta["name"], "namespace": meta["namespace"],
                         "annotations": {TRIGGER_TIME: self.clock.timestamp()}}}
        if wanted_labels:
            body["metadata"]["labels"] = wanted_labels
        if subsets:
            body["subsets"] = subsets
        internal = Request(field_validation="Ignore", trusted=True)
        if current is None:
            # `body` and the subsets in it were built for this write alone: hand them over
            self.api.create("endpoints", body, meta["namespace"], internal, copy_result=False,
                            owned=True)
        else:
            body["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            self.api.update("endpoints", body, meta["namespace"], request=internal)

    def _delete_endpoints(self, namespace: str | None, name: str) -> None:
        try:
            self.api.delete("endpoints", name, namespace)
        except errors.NotFound:
            pass
        for key in self.state.pop(object_key(namespace, name), []):
            try:
                self.api.delete("endpointslices", key, namespace)
            except errors.NotFound:
                pass

    # EndpointSlices --------------------------------------------------------------
    def _slice_groups(self, svc: dict, pods: list[dict]) -> dict[tuple, tuple[list, list]]:
        publish = svc["spec"].get("publishNotReadyAddresses", False)
        groups: dict[tuple, tuple[list, list]] = {}
        for pod in sorted(pods, key=lambda p: (p["status"].get("podIP") or "",
                                               p["metadata"]["name"])):
            # a slice keeps terminating pods, marked so, whatever the Service says
            if not should_be_in_endpoints(pod, include_terminating=True):
                continue
            ports = self._ports(svc, pod)
            if ports is None:
                continue
            terminating = bool(pod["metadata"].get("deletionTimestamp"))
            serving = pod_ready(pod)
            # publishNotReadyAddresses overrides readiness, even while terminating
            ready = publish or (serving and not terminating)
            meta = pod["metadata"]
            endpoint = {"addresses": [pod["status"]["podIP"]],
                        "conditions": {"ready": ready, "serving": serving,
                                       "terminating": terminating},
                        "targetRef": {"kind": "Pod", "namespace": meta["namespace"],
                                      "name": meta["name"], "uid": meta["uid"]}}
            if pod["spec"].get("nodeName"):
                endpoint["nodeName"] = pod["spec"]["nodeName"]
            if pod["spec"].get("hostname") and pod["spec"].get("subdomain") == \
                    svc["metadata"]["name"]:
                endpoint["hostname"] = pod["spec"]["hostname"]
            key = tuple(sorted((p.get("name", ""), p["port"], p["protocol"]) for p in ports))
            # a slice port always carries its name, "" for an unnamed Service port
            groups.setdefault(key, ([{"name": "", **p} for p in ports], []))[1].append(endpoint)
        return groups

    def _write_slices(self, svc: dict, groups: dict, managed_by: str =
                      "endpointslice-controller.k8s.io") -> None:
        meta = svc["metadata"]
        key = object_key(meta["namespace"], meta["name"])
        wanted = []
        for ports_key in sorted(groups):
            ports, endpoints = groups[ports_key]
            for start in range(0, max(len(endpoints), 1), MAX_PER_SLICE):
                wanted.append((ports, endpoints[start:start + MAX_PER_SLICE]))
        if not wanted:
            wanted = [([], [])]
        names = list(self.state.get(key, []))
        kept = []
        for i, (ports, endpoints) in enumerate(wanted):
            name = names[i] if i < len(names) else None
            kept.append(self._put_slice(svc, name, ports, endpoints, managed_by))
        for extra in names[len(wanted):]:
            try:
                self.api.delete("endpointslices", extra, meta["namespace"])
            except errors.NotFound:
                pass
        self.state[key] = kept

    def _put_slice(self, svc: dict, name: str | None, ports: list, endpoints: list,
                   managed_by: str) -> str:
        meta = svc["metadata"]
        slice_labels = dict(meta.get("labels") or {})
        slice_labels.update({SERVICE_NAME: meta["name"], MANAGED_BY: managed_by})
        if svc["spec"].get("clusterIP") == "None":
            slice_labels["service.kubernetes.io/headless"] = ""
        body: dict[str, Any] = {
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"namespace": meta["namespace"], "labels": slice_labels,
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Service",
                                              "name": meta["name"], "uid": meta["uid"],
                                              "controller": True,
                                              "blockOwnerDeletion": True}]},
            "addressType": "IPv4", "endpoints": endpoints, "ports": ports}
        internal = Request(field_validation="Ignore", trusted=True)
        current = self.api.try_get_ref("endpointslices", name, meta["namespace"]) if name \
            else None
        if not name or current is None:
            body["metadata"]["generateName"] = f"{meta['name']}-"
            # the ports list may be shared by several slices, so the server copies the body
            created = self.api.create("endpointslices", body, meta["namespace"], internal,
                                      copy_result=False)
            created_name: str = created["metadata"]["name"]
            return created_name
        if current.get("endpoints") == endpoints and current.get("ports") == ports and \
                current["metadata"].get("labels") == slice_labels:
            return name
        body["metadata"]["name"] = name
        self.api.update("endpointslices", body, meta["namespace"], request=internal)
        return name

    def _mirror(self, svc: dict) -> None:
        meta = svc["metadata"]
        ep = self.api.try_get_ref("endpoints", meta["name"], meta["namespace"])
        groups: dict[tuple, tuple[list, list]] = {}
        for n, subset in enumerate((ep or {}).get("subsets") or []):
            ports = [{"name": "", **p, "protocol": p.get("protocol", "TCP")}
                     for p in subset.get("ports") or []]
            endpoints = [{"addresses": [a["ip"]], "conditions": {"ready": ready}}
                         for field, ready in (("addresses", True), ("notReadyAddresses", False))
                         for a in subset.get(field) or []]
            groups[(n,)] = (ports, endpoints)
        if ep is None:
            self._drop_slices(meta)
            return
        self._write_slices(svc, groups, managed_by="endpointslicemirroring-controller.k8s.io")

    def _drop_slices(self, meta: dict) -> None:
        for name in self.state.pop(object_key(meta["namespace"], meta["name"]), []):
            try:
                self.api.delete("endpointslices", name, meta["namespace"])
            except errors.NotFound:
                pass
