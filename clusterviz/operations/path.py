"""A request's path on the graph: which drawn elements each trace step touches.

The page animates a request hop by hop (the source, the DNS lookup, the node
whose kube-proxy rules decided, the crossing to another node, the pod that
answered or the place it failed), and the trace list lights up in step. The
browser must not read that out of the trace's sentences, so the server
says it: for every trace step, the ids of the graph elements it touches
(`ids`), the one element the request is at after it (`at`, or None when it
does not move), and how it failed (`fail`: reject, drop, timeout,
unresolved), all from the structured fields simcore puts on each step and
the graph's own id scheme (`graph.py`: `pod/<ns>/<name>`, `node/<name>`,
`svc/<ns>/<name>`, `ep/<ns>/<svc>/<pod>`, `ing/<ns>/<name>`,
`ext/client/<ip>`, `ext/dns/<ip>`).

Addresses are matched against the elements' own data (a pod's `ip`, a
Service's `clusterIP`, a node's `ip`); a host-network pod shares its node's
address, and the node wins. The walk keeps where the request is, so a step
that names no place (a REJECT after a kube-proxy decision, a timeout) is
marked where the request stood.

What the viewer does not draw (kube-system is hidden by default) still
counts: the path is worked out on the whole graph, then an element the
viewer cannot see is replaced by the node that holds it (CoreDNS answers
from the control-plane box) or left out. `request_path` is pure: the
elements go in as lists; `for_viewer` reads them from the saved snapshot.

A DNS question for a name in the cluster's zone is answered by CoreDNS
itself; any other name goes on to the upstream DNS. The zone is the
cluster's configured `cluster_domain`, the one simcore's CoreDNS and the
pods' resolv.conf use (`cluster.local` when none is configured), so a
cluster built with another domain is drawn the way its DNS behaves.

One entry per trace step that has a `detail`, in order, exactly the lines
`actions.terminal` numbers, so entry i goes with line i.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simcore.identitycache import IdentityCache

DEFAULT_ZONE = "cluster.local"  # simcore's CoreDNS zone when the config names no cluster_domain
# a trace step: simcore.trace's TraceStep, or the same JSON as the page sends it back
Step = Mapping[str, Any]
# (the elements a step touches, where the request is after it, how it failed)
_Touch = tuple[list[str | None], str | None, str | None]


def cluster_zone(config: dict) -> str:
    """The zone CoreDNS answers itself (the rest it forwards upstream), from the cluster's
    config as simcore's DNS reads it."""
    return str(config.get("cluster_domain") or DEFAULT_ZONE).lower().rstrip(".")


def source_id(kind: str, name: str, namespace: str = "default") -> str:
    """The graph element of where a command runs: a pod, a node or an outside client."""
    if kind == "pod":
        return f"pod/{namespace}/{name}"
    if kind == "node":
        return f"node/{name}"
    return f"ext/client/{name}"


@dataclass
class _Index:
    """The graph's elements, looked up by what a trace step names."""

    ids: set[str] = field(default_factory=set)
    parent: dict[str, str] = field(default_factory=dict)
    by_ip: dict[str, str] = field(default_factory=dict)
    service_by_ip: dict[str, str] = field(default_factory=dict)
    pod_by_name: dict[str, str] = field(default_factory=dict)
    endpoints: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # svc: (edge, pod)
    upstream_dns: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, elements: Iterable[dict]) -> _Index:
        index = cls()
        pods = []
        for element in elements:
            data = element["data"]
            id_ = data["id"]
            index.ids.add(id_)
            kind = data.get("kind")
            if kind == "Pod":
                pods.append(data)
                index.parent[id_] = data.get("parent") or ""
                index.pod_by_name.setdefault(data.get("name", ""), id_)
            elif kind in ("Node", "Client", "UpstreamDNS") and data.get("ip"):
                index.by_ip[data["ip"]] = id_
                if kind == "UpstreamDNS":
                    index.upstream_dns.append(id_)
            elif kind == "Service" and data.get("clusterIP") not in (None, "", "None"):
                index.service_by_ip[data["clusterIP"]] = id_
            elif element["group"] == "edges" and id_.startswith("ep/"):
                index.endpoints.setdefault(data["source"], []).append((id_, data["target"]))
        for data in pods:  # after the nodes: a host-network pod's address is its node's
            if data.get("ip"):
                index.by_ip.setdefault(data["ip"], data["id"])
        return index

    def at_address(self, address: str | None) -> str | None:
        """The element behind `ip` or `ip:port`."""
        if not address:
            return None
        ip = address.rsplit(":", 1)[0] if address.count(":") == 1 else address
        return self.by_ip.get(ip) or self.service_by_ip.get(ip)

    def endpoint_edge(self, service: str | None, pod: str | None) -> str | None:
        for edge, target in self.endpoints.get(service or "", ()):
            if target == pod:
                return edge
        return None


@dataclass
class _Walk:
    index: _Index
    source: str | None
    at: str | None = None
    service: str | None = None  # the Service the last kube-proxy decision was for
    how: str = ""  # how it decided: random, affinity, reject, drop, round-robin
    answered: str | None = None  # the pod the connection was delivered to
    zone: str = DEFAULT_ZONE  # the cluster's DNS domain: names CoreDNS answers itself


def request_path(trace: Sequence[Step], source: str | None, elements: Iterable[dict],
                 shown: Collection[str] | None = None, zone: str = DEFAULT_ZONE,
                 index: _Index | None = None) -> dict:
    """The path of one request on the graph `elements` (all of them), as the page draws it.

    `source` is the element the command ran at (`source_id`); `shown` the ids
    the viewer draws (None: all of `elements`); `zone` the cluster's DNS domain
    (`cluster_zone`). Returns `{"source", "steps", "end", "outcome"}`: a step
    per trace line, `end` the element where the request ended (the pod that
    answered, or where it failed), `outcome` "answered", "reject", "drop",
    "timeout", "unresolved" or "done". `index`: `elements` already indexed.
    """
    index = index or _Index.of(elements)
    visible = _visibility(index, shown)
    walk = _Walk(index, source if source in index.ids else None, zone=zone)
    walk.at = walk.source
    steps: list[dict] = []
    outcome: str = "done"
    end: str | None = None
    for step in trace:
        ids, at, fail = _touch(walk, step)
        if at is not None:
            walk.at = at
        if fail:
            outcome, end = fail, at or walk.at
        elif step.get("step") == "response" and step.get("tool") == "curl":
            outcome, end = "answered", walk.answered  # a later try or redirect got through
        if step.get("detail"):
            steps.append({"step": step.get("step", ""), "ids": _shown(ids, visible),
                          "at": visible(at), "fail": fail})
    if outcome == "done" and walk.answered:
        outcome, end = "answered", walk.answered
    return {"source": visible(walk.source), "steps": steps, "end": visible(end),
            "outcome": outcome}


def _visibility(index: _Index,
                shown: Collection[str] | None) -> Callable[[str | None], str | None]:
    def visible(id_: str | None) -> str | None:
        if id_ is None or id_ not in index.ids:
            return None
        if shown is None or id_ in shown:
            return id_
        parent = index.parent.get(id_)  # a hidden pod is drawn as the node it runs on
        return parent if parent and parent in shown else None
    return visible


def _shown(ids: Iterable[str | None], visible: Callable[[str | None], str | None]) -> list[str]:
    out: list[str] = []
    for id_ in ids:
        seen = visible(id_)
        if seen is not None and seen not in out:
            out.append(seen)
    return out


def _touch(walk: _Walk, step: Step) -> _Touch:
    """(the elements a step touches, where the request is after it, how it failed)."""
    handler = _HANDLERS.get(step.get("step", ""))
    if handler is None:
        return [], None, None
    return handler(walk, step)


def _dns_query(walk: _Walk, step: Step) -> _Touch:
    index, server = walk.index, step.get("server") or ""
    name, zone = str(step.get("name") or "").lower().rstrip("."), walk.zone
    forwarded = not (name == zone or name.endswith("." + zone))
    service = index.service_by_ip.get(server)
    ids: list[str | None] = []
    at = None
    if service is not None:  # the kube-dns Service: CoreDNS pods behind it
        ids.append(service)
        for edge, pod in index.endpoints.get(service, ()):
            ids += [edge, pod]
            at = at or pod
        at = at or service
    elif server in index.by_ip:  # a DNS server asked by its own address
        at = index.by_ip[server]
        ids.append(at)
    else:  # the machine's own stub resolver (127.0.0.53): it asks the upstream DNS
        forwarded = True
    if forwarded and index.upstream_dns:
        ids += index.upstream_dns
        at = index.upstream_dns[0]
    return ids, at, None


def _dns_answer(walk: _Walk, step: Step) -> _Touch:
    failed = not isinstance(step.get("answer"), list)
    return [walk.source], walk.source, "unresolved" if failed else None


def _proxy(walk: _Walk, step: Step) -> _Touch:
    index = walk.index
    node = f"node/{step['node']}" if step.get("node") else None
    service = None
    if step.get("service"):
        namespace, _, rest = str(step["service"]).partition("/")
        service = f"svc/{namespace}/{rest.rsplit(':', 1)[0]}"
    walk.service, walk.how = service or walk.service, str(step.get("how") or "")
    chosen = index.at_address(step.get("chosen"))
    ids = [node, service, index.endpoint_edge(service, chosen)]
    return ids, node, None


def _dnat(walk: _Walk, step: Step) -> _Touch:
    node = f"node/{step['node']}" if step.get("node") else None
    return [node, walk.index.at_address(step.get("to"))], None, None


def _on_node(walk: _Walk, step: Step) -> _Touch:
    """snat, forward, and the NodePort `connect`: the node named; forward and connect move."""
    node = f"node/{step['node']}" if step.get("node") else None
    if step.get("tool") == "curl":  # curl's own "Connected to": the backend it reached
        return [walk.index.at_address(step.get("backend"))], None, None
    return [node], node if step.get("step") != "snat" else None, None


def _deliver(walk: _Walk, step: Step) -> _Touch:
    pod = f"pod/{step.get('namespace') or 'default'}/{step['pod']}" if step.get("pod") else None
    walk.answered = pod
    return [walk.index.endpoint_edge(walk.service, pod), pod], pod, None


def _response(walk: _Walk, step: Step) -> _Touch:
    if step.get("tool") == "curl":  # the answer is back where the command ran
        return [walk.source], walk.source, None
    pod = step.get("pod")
    if not pod:
        return [], None, None
    answered = walk.answered
    if answered is None or answered.rsplit("/", 1)[-1] != pod:
        answered = walk.index.pod_by_name.get(pod)
    return [answered], answered, None


def _failed(walk: _Walk, step: Step) -> _Touch:
    kind = step.get("step", "")  # reject or timeout; a timeout after a DROP rule is a drop
    fail = "drop" if kind == "timeout" and walk.how == "drop" else kind
    where: str | None
    if step.get("pod"):
        where = f"pod/{step.get('namespace') or 'default'}/{step['pod']}"
    elif step.get("node"):
        where = f"node/{step['node']}"
    else:
        where = walk.at
    ids = [where] + ([walk.service] if walk.how in ("reject", "drop") else [])
    return ids, where, fail


def _ingress(walk: _Walk, step: Step) -> _Touch:
    ingress = step.get("ingress")
    if not ingress:
        return [], None, None
    id_ = f"ing/{ingress}"
    return [id_], id_, None


_HANDLERS: dict[str, Callable[[_Walk, Step], _Touch]] = {
    "dns-query": _dns_query, "dns-answer": _dns_answer, "proxy": _proxy, "dnat": _dnat,
    "snat": _on_node, "forward": _on_node, "connect": _on_node, "deliver": _deliver,
    "response": _response, "reject": _failed, "timeout": _failed, "ingress": _ingress,
}


def for_viewer(slug: str, trace: Sequence[Step], source: str, namespace: str = "") -> dict | None:
    """`request_path` on the cluster's saved graph, for a viewer with namespace filter
    `namespace`; None when the cluster is gone. Reads the cluster's row once and the
    snapshot cache (the graph costs nothing more than the graph feed already spends, and
    a save that moved no object reuses the elements), and the DNS domain from the row's
    config."""
    from clusterviz.clusters.models import Cluster
    from clusterviz.operations.graph import ALL_NAMESPACES
    from clusterviz.operations.snapshot import snapshot_of

    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        return None
    everything = snapshot_of(cluster, ALL_NAMESPACES)
    drawn = everything if namespace == ALL_NAMESPACES else snapshot_of(cluster, namespace)
    config = (cluster.state or {}).get("config")
    return request_path(trace, source, everything.elements, _ids(drawn.elements),
                        cluster_zone(config or {}), _indexes(everything.elements))


# A snapshot's elements indexed, and their ids, by the identity of the elements' list: the
# snapshot cache hands out the same list, never changed, for as long as no object moves
# (simcore.identitycache), so a request that moved none indexes nothing again.
_indexes: IdentityCache[list[dict], _Index] = IdentityCache(_Index.of, limit=8)
_ids: IdentityCache[list[dict], frozenset[str]] = IdentityCache(
    lambda elements: frozenset(e["data"]["id"] for e in elements), limit=8)
