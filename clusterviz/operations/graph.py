"""The cluster as a picture: stored objects in, Cytoscape elements out, and the delta between two.

A pure function of the objects (no ORM, no engine, no clock), so the same
cluster always draws the same elements and the tests are tables of dicts.
Every element has an id derived from what it stands for
(`pod/<ns>/<name>`, `ep/<ns>/<svc>/<pod>`), never from its position in a
list: a pod that changes state keeps its id, so `delta` can say "update
this one" and the browser moves nothing. The layout itself (where boxes
sit) is the page's business; this module only says what exists and how it
is connected, plus an `order` hint for nodes (control plane first).

What is drawn:
- Nodes as boxes with their pods inside (a pod's `parent` names its box; the
  page draws the box round its pods' places); a pod's label is the
  STATUS `kubectl get pods` prints (simcore's printer), and `state` is the
  coarse category the page colours by.
- Services (type, ClusterIP, ports, NodePort/LB address), with an edge to
  each endpoint pod from the EndpointSlices, `ready` or not.
- Owners (ReplicaSet, Job, DaemonSet, StatefulSet, and Deployment over its
  ReplicaSets) with thin edges to what they own.
- Ingresses with an edge per rule to the Service it routes to, labelled
  host/path.
- The outside world: client machines by IP and the upstream DNS.

One odd object (stored before the API server decoded bodies by their
schema, or of a shape nobody foresaw) costs only its own element: each
object is drawn under a guard that logs and skips it, never failing the view.

Namespace filter: `""` shows every namespace but the hidden ones
(kube-system), `"*"` shows all, any other value shows that namespace only.
Nodes and the outside world are always shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from simcore.identitycache import IdentityCache
from simcore.objects import node_ip, pod_ready
from simcore.printers.cluster import node_roles, node_status
from simcore.printers.network import service_external_ip, service_ports
from simcore.printers.pods import pod_status

log = logging.getLogger(__name__)

HIDDEN_NAMESPACES = frozenset({"kube-system"})
ALL_NAMESPACES = "*"
DEFAULT_CLIENTS = ("192.168.100.50", "192.168.100.51", "192.168.100.52")

# group_resource of each kind the graph reads, as the store and StoredObject name them
RESOURCES = {
    "Node": "nodes", "Pod": "pods", "Service": "services",
    "EndpointSlice": "endpointslices.discovery.k8s.io",
    "ReplicaSet": "replicasets.apps", "Deployment": "deployments.apps",
    "DaemonSet": "daemonsets.apps", "StatefulSet": "statefulsets.apps", "Job": "jobs.batch",
    "Ingress": "ingresses.networking.k8s.io",
}
OWNER_PREFIX = {"ReplicaSet": "rs", "Deployment": "deploy", "DaemonSet": "ds",
                "StatefulSet": "sts", "Job": "job"}

_ERROR_REASONS = frozenset({"Error", "OOMKilled", "ContainerCannotRun", "StartError",
                            "ErrImagePull", "ImagePullBackOff", "InvalidImageName",
                            "CreateContainerError", "CreateContainerConfigError", "DeadlineExceeded",
                            "Evicted", "Failed"})
_CREATING_REASONS = frozenset({"ContainerCreating", "PodInitializing"})


@dataclass(frozen=True)
class Outside:
    """The machines outside the cluster that the page draws at its left edge."""
    clients: tuple[str, ...] = DEFAULT_CLIENTS
    dns: tuple[str, ...] = ()


@dataclass
class _Graph:
    elements: dict[str, dict] = field(default_factory=dict)

    def node(self, id_: str, classes: str, **data: object) -> None:
        self.elements[id_] = {"group": "nodes", "data": {"id": id_, **data}, "classes": classes}

    def edge(self, id_: str, source: str, target: str, classes: str, **data: object) -> None:
        if source in self.elements and target in self.elements:
            self.elements[id_] = {"group": "edges", "classes": classes,
                                  "data": {"id": id_, "source": source, "target": target, **data}}


def elements(objects: Mapping[str, Sequence[dict]], namespace: str = "",
             outside: Outside = Outside()) -> list[dict]:
    """The graph of `objects` (group_resource -> list of objects) as Cytoscape elements.

    Compound parents come before their children and nodes before edges, so
    the list can be handed to `cy.add` as it is.
    """
    graph = _Graph()
    visible = _namespace_filter(namespace)
    _add_outside(graph, outside)
    _add_nodes(graph, objects.get(RESOURCES["Node"], ()))
    pods = [p for p in objects.get(RESOURCES["Pod"], ()) if visible(_ns(p))]
    _add_pods(graph, pods)
    _add_owners(graph, objects, visible, pods)
    _add_services(graph, objects.get(RESOURCES["Service"], ()), visible)
    _add_endpoints(graph, objects.get(RESOURCES["EndpointSlice"], ()), visible)
    _add_ingresses(graph, objects.get(RESOURCES["Ingress"], ()), visible)
    nodes = [e for e in graph.elements.values() if e["group"] == "nodes"]
    edges = [e for e in graph.elements.values() if e["group"] == "edges"]
    return nodes + edges


def delta(old: Iterable[dict], new: Iterable[dict]) -> dict[str, list]:
    """What turns `old` into `new`: elements to add, elements to update, ids to remove.

    Adds keep `new`'s order (parents before children); removes list edges
    before nodes, so a client can apply them one by one.
    """
    before = {e["data"]["id"]: e for e in old}
    after = {e["data"]["id"]: e for e in new}
    adds = [e for id_, e in after.items() if id_ not in before]
    updates = [e for id_, e in after.items() if id_ in before and before[id_] != e]
    gone = [e for id_, e in before.items() if id_ not in after]
    removes = [e["data"]["id"] for e in sorted(gone, key=lambda e: e["group"] != "edges")]
    return {"add": adds, "update": updates, "remove": removes}


def is_empty(change: Mapping[str, list]) -> bool:
    return not (change["add"] or change["update"] or change["remove"])


def pod_state(pod: dict) -> tuple[str, str]:
    """(kubectl's STATUS text, the colour category the page draws)."""
    reason = pod_status(pod)[0]
    return reason, _category(reason, pod)


# The feed's reads keep an unchanged pod's body as the same dict (snapshot._Rows), so a
# save that moved three pods of 2,000 works out three STATUS columns, not 2,000.
_pod_state = IdentityCache(pod_state, limit=50_000)


def _category(reason: str, pod: dict) -> str:
    if reason == "Terminating":
        return "terminating"
    if reason == "Completed":
        return "completed"
    if reason == "CrashLoopBackOff":
        return "crashloop"
    if reason == "Running":
        return "running-ready" if pod_ready(pod) else "running-not-ready"
    if reason == "NotReady":
        return "running-not-ready"
    if reason == "Pending":
        return "pending"
    if reason in _CREATING_REASONS or reason.startswith("Init:"):
        return "creating"
    if reason in _ERROR_REASONS or reason.startswith(("Signal:", "ExitCode:")):
        return "error"
    return "unknown"


Visible = Callable[[str], bool]  # whether the view draws a namespace's objects


def _namespace_filter(namespace: str) -> Visible:
    if namespace == ALL_NAMESPACES:
        return lambda ns: True
    if namespace:
        return lambda ns: ns == namespace
    return lambda ns: ns not in HIDDEN_NAMESPACES


def _meta(obj: dict) -> dict:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    return meta if isinstance(meta, dict) else {}


def _ns(obj: dict) -> str:
    return str(_meta(obj).get("namespace") or "")


def _name(obj: dict) -> str:
    return str(_meta(obj).get("name") or "")


def _guarded(add: Callable[..., None], graph: _Graph, obj: dict, *args: object) -> None:
    """Draw one object; if it is too odd to draw, log it and leave it out."""
    try:
        add(graph, obj, *args)
    except Exception:  # one bad object must cost its own element, not the whole view
        log.warning("graph: left out %s %s/%s", obj.get("kind") if isinstance(obj, dict)
                    else type(obj).__name__, _ns(obj), _name(obj), exc_info=True)


def _add_outside(graph: _Graph, outside: Outside) -> None:
    for ip in outside.clients:
        graph.node(f"ext/client/{ip}", "outside client", kind="Client", name=ip, ip=ip,
                   label=f"client\n{ip}")
    for ip in outside.dns:
        graph.node(f"ext/dns/{ip}", "outside dns", kind="UpstreamDNS", name=ip, ip=ip,
                   label=f"upstream DNS\n{ip}")


def _add_nodes(graph: _Graph, nodes: Iterable[dict]) -> None:
    ordered = sorted(nodes, key=lambda n: (not _is_control_plane(n), _name(n)))
    for order, node in enumerate(ordered):
        _guarded(_add_node, graph, node, order)


def _add_node(graph: _Graph, node: dict, order: int) -> None:
    name, ip, roles = _name(node), node_ip(node), node_roles(node)
    status = node_status(node)
    classes = "k8s-node" + (" control-plane" if _is_control_plane(node) else "")
    if status != "Ready":
        classes += " not-ready"
    graph.node(f"node/{name}", classes, kind="Node", name=name, ip=ip, roles=roles,
               status=status, order=order,
               label=f"{name} · {ip}" + ("" if status == "Ready" else f"\n{status}"))


def _is_control_plane(node: dict) -> bool:
    labels = _meta(node).get("labels") or {}
    return "node-role.kubernetes.io/control-plane" in labels or \
        "node-role.kubernetes.io/master" in labels


def _add_pods(graph: _Graph, pods: Iterable[dict]) -> None:
    for pod in sorted(pods, key=lambda p: (_ns(p), _name(p))):
        _guarded(_add_pod, graph, pod)


def _add_pod(graph: _Graph, pod: dict) -> None:
    node_name = (pod.get("spec") or {}).get("nodeName") or ""
    parent = f"node/{node_name}" if f"node/{node_name}" in graph.elements else None
    if parent is None:
        parent = "unscheduled"
        if parent not in graph.elements:
            graph.node(parent, "k8s-node unscheduled", kind="Unscheduled", name="",
                       order=10_000, label="not scheduled yet")
    status, state = _pod_state(pod)
    ip = (pod.get("status") or {}).get("podIP") or ""
    ns, name = _ns(pod), _name(pod)
    graph.node(f"pod/{ns}/{name}", f"pod {state}", kind="Pod", parent=parent,
               name=name, namespace=ns, node=node_name, ip=ip, status=status, state=state,
               label=f"{name}\n{ip or 'no IP yet'}\n{status}")


def _add_owners(graph: _Graph, objects: Mapping[str, Sequence[dict]], visible: Visible,
                pods: Sequence[dict]) -> None:
    for kind, prefix in OWNER_PREFIX.items():
        for owner in objects.get(RESOURCES[kind], ()):
            if visible(_ns(owner)):
                _guarded(_add_owner, graph, owner, kind, prefix)
    owned = list(pods) + [o for o in objects.get(RESOURCES["ReplicaSet"], ())
                          if visible(_ns(o))]
    for obj in owned:
        _guarded(_add_owner_edge, graph, obj)


def _add_owner(graph: _Graph, owner: dict, kind: str, prefix: str) -> None:
    ns, name = _ns(owner), _name(owner)
    graph.node(f"{prefix}/{ns}/{name}", f"owner {prefix}", kind=kind, name=name,
               namespace=ns, label=f"{name}\n{kind}{_replicas(owner)}")


def _replicas(owner: dict) -> str:
    spec, status = owner.get("spec") or {}, owner.get("status") or {}
    if "replicas" not in spec:
        return ""
    return f" {status.get('readyReplicas') or 0}/{spec['replicas']} ready"


def _add_owner_edge(graph: _Graph, obj: dict) -> None:
    prefix = "rs" if obj.get("kind") == "ReplicaSet" else "pod"
    child = f"{prefix}/{_ns(obj)}/{_name(obj)}"
    for ref in _meta(obj).get("ownerReferences") or []:
        owner_prefix = OWNER_PREFIX.get(ref.get("kind", ""))
        if ref.get("controller") and owner_prefix:
            owner = f"{owner_prefix}/{_ns(obj)}/{ref.get('name')}"
            graph.edge(f"own/{owner}/{child}", owner, child, "owns")


def _add_services(graph: _Graph, services: Iterable[dict], visible: Visible) -> None:
    for svc in services:
        if visible(_ns(svc)):
            _guarded(_add_service, graph, svc)


def _add_service(graph: _Graph, svc: dict) -> None:
    spec = svc.get("spec") or {}
    svc_type = spec.get("type", "ClusterIP")
    cluster_ip, ports = spec.get("clusterIP") or "", service_ports(svc)
    external = service_external_ip(svc)
    lines = [_name(svc), f"{svc_type} {cluster_ip}".strip(), ports]
    if svc_type in ("LoadBalancer", "ExternalName") or external != "<none>":
        lines.append(f"external {external}")
    ns, name = _ns(svc), _name(svc)
    graph.node(f"svc/{ns}/{name}", f"service {svc_type.lower()}", kind="Service", name=name,
               namespace=ns, type=svc_type, clusterIP=cluster_ip, ports=ports,
               external=external, label="\n".join(lines))


def _add_endpoints(graph: _Graph, slices: Iterable[dict], visible: Visible) -> None:
    for slice_ in slices:
        if visible(_ns(slice_)):
            _guarded(_add_slice, graph, slice_)


def _add_slice(graph: _Graph, slice_: dict) -> None:
    ns = _ns(slice_)
    service = (_meta(slice_).get("labels") or {}).get("kubernetes.io/service-name")
    if service:
        for endpoint in slice_.get("endpoints") or []:
            ref = endpoint.get("targetRef") or {}
            if ref.get("kind") != "Pod":
                continue
            ready = (endpoint.get("conditions") or {}).get("ready") is not False
            pod = f"pod/{ref.get('namespace') or ns}/{ref.get('name')}"
            graph.edge(f"ep/{ns}/{service}/{ref.get('name')}", f"svc/{ns}/{service}", pod,
                       "endpoint " + ("ready" if ready else "not-ready"), ready=ready)


def _add_ingresses(graph: _Graph, ingresses: Iterable[dict], visible: Visible) -> None:
    for ing in ingresses:
        if visible(_ns(ing)):
            _guarded(_add_ingress, graph, ing)


def _add_ingress(graph: _Graph, ing: dict) -> None:
    ns, name = _ns(ing), _name(ing)
    spec = ing.get("spec") or {}
    id_ = f"ing/{ns}/{name}"
    graph.node(id_, "ingress", kind="Ingress", name=name, namespace=ns,
               label=f"{name}\nIngress {spec.get('ingressClassName') or ''}".strip())
    for host, path, service in _ingress_routes(spec):
        route = f"{host or '*'}{path}"
        graph.edge(f"route/{ns}/{name}/{route}/{service}", id_, f"svc/{ns}/{service}",
                   "route", label=route)


def _ingress_routes(spec: dict) -> list[tuple[str, str, str]]:
    routes = []
    default = ((spec.get("defaultBackend") or {}).get("service") or {}).get("name")
    if default:
        routes.append(("", "/ (default)", default))
    for rule in spec.get("rules") or []:
        for path in (rule.get("http") or {}).get("paths") or []:
            service = ((path.get("backend") or {}).get("service") or {}).get("name")
            if service:
                routes.append((rule.get("host") or "", path.get("path") or "/", service))
    return routes
