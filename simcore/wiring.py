"""What an upload will connect to, before it is applied: the preview's wiring.

A student who uploads a ReplicaSet and a Service wants to know, before
pressing Apply, whether the Service will find the pods, which port of which
container a request will reach, which DNS names will answer and where an
Ingress rule leads; and, more than anything, what will *not* connect. This
module answers from two things only: the API server's dry-run result of
each document (`Simulation.apply(dry_run=True)`: defaults applied, nothing
stored) and the current store. It reads; it never writes.

The picture is the cluster as it will be once the controllers have acted:
the pods that exist (not finished, not being deleted), minus those an
updated workload will replace, plus the pods the upload's workloads will
create, described by their pod template (a ReplicaSet's three pods are one
group with one template; their names and IPs do not exist yet). Selection
and port resolution follow the endpoints controller (`controllers.endpoints`,
facts F1.7 and F1.8): a Service selects by its plain label map in its own
namespace; a named targetPort is looked up in each pod separately and a pod
without it is left out; a numeric targetPort is used as is, so a number no
container declares is reported as a likely mistake, not as an error.

The trade-off: predictions stay at the level a template can answer. How many
pods a DaemonSet gets is counted from the nodes' taints and the template's
node selector, not a full scheduling pass; a Deployment's rollout is "the
old pods are replaced", not its surge arithmetic; a CronJob makes no pods
until its schedule fires. Every sentence is plain words for the Upload tab;
a `problem` flag marks what does not connect. Each line and title is also a
message (an id from `simcore.wiringtext` and its arguments, beside the English
text) so the web side can show it in the reader's language.

An odd stored object (stored before the API server decoded bodies by their
schema) never fails the preview: stored Services, Endpoints and Ingresses
that do not decode are left out of the world, a pod that cannot be read is
skipped, and a section that cannot be written is dropped; each is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeGuard

import yaml

from simcore import labels, schema
from simcore.errors import APIError
from simcore.net.ingress import CLASS_NAME, default_class
from simcore.net.ingress_match import ingress_class
from simcore.objects import pod_ready, tolerates
from simcore.resources import by_kind
from simcore.simulation import ApplyResult, Simulation, parse_documents
from simcore.trace import Message, MessageArg, WiringMessageId
from simcore.tracetext import msg, render

log = logging.getLogger(__name__)
WORKLOADS = ("Pod", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job")
# DaemonSet pods tolerate these (the DaemonSet controller adds them to every pod)
DAEMON_TOLERATED = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable",
                    "node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure",
                    "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable")


@dataclass(frozen=True)
class Line:
    text: str
    problem: bool = False
    message: Message | None = None  # the text as data, to say it in another language

    def as_dict(self) -> dict:
        out: dict = {"text": self.text, "problem": self.problem}
        if self.message is not None:
            out["message"] = self.message
        return out


def _said(message: Message, problem: bool = False) -> Line:
    return Line(render(message), problem, message)


@dataclass
class Section:
    """What one Service or Ingress will connect to, in plain sentences."""

    kind: str  # Service, Ingress
    namespace: str
    name: str
    title: Message
    lines: list[Line] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name,
                "title": render(self.title), "title_message": self.title,
                "lines": [line.as_dict() for line in self.lines]}


@dataclass(frozen=True)
class Pods:
    """One existing pod, or the pods one workload of the upload will create."""

    namespace: str
    labels: dict
    spec: dict
    count: int
    owner: str  # "replicaset rs-node-web", or "" for a bare pod
    names: tuple[str, ...] = ()  # known names: an existing pod, StatefulSet replicas
    ip: str = ""
    ready: bool = False
    planned: bool = False

    @property
    def hostname(self) -> str:
        return self.spec.get("hostname") or ""


@dataclass
class World:
    """The cluster as it will be: Services, Endpoints, Ingresses and pods after the upload."""

    objects: dict[tuple[str, str, str], dict]  # (kind, namespace, name) -> object
    pods: list[Pods]
    uploaded: list[tuple[str, str, str]]  # the upload's objects, in document order
    actions: dict[tuple[str, str, str], str]  # created, configured, unchanged
    manifests: dict[tuple[str, str, str], dict]
    domain: str
    ingress_class: str | None

    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        return self.objects.get((kind, namespace, name))

    def of_kind(self, kind: str) -> list[dict]:
        return [o for (k, _, _), o in sorted(self.objects.items()) if k == kind]


def preview(sim: Simulation, text: str | list,
            create: bool = False) -> tuple[list[ApplyResult], dict]:
    """The dry run of `text` (or of the documents `parse_documents` made of it) and its
    wiring; the cluster is left exactly as it was."""
    try:
        docs = parse_documents(text) if isinstance(text, str) else text
    except yaml.YAMLError:  # the dry run of the text reports it, in the API server's words
        docs = None
    results = sim.apply(text if docs is None else docs, create=create, dry_run=True)
    return results, analyze(sim, results, docs or [])


def analyze(sim: Simulation, results: list[ApplyResult], docs: list) -> dict:
    """Sections for the upload's Services and Ingresses (and those already in the cluster
    that the upload's pods or Services join), and every problem found, as JSON-ready dicts."""
    world = build_world(sim, results, docs)
    sections = _written(describe_service, world, _services_to_describe(world))
    sections += _written(describe_ingress, world, _ingresses_to_describe(world))
    problems = [f"{s.kind.lower()}/{s.name}: {line.text}" for s in sections
                for line in s.lines if line.problem]
    return {"sections": [s.as_dict() for s in sections], "problems": problems}


def _written(describe: Callable[[World, dict], Section], world: World,
             objects: list[dict]) -> list[Section]:
    sections = []
    for obj in objects:
        try:
            sections.append(describe(world, obj))
        except Exception:  # one odd object costs its own section, never the preview
            log.warning("wiring: no section for %s", _key(obj), exc_info=True)
    return sections


def _decodes(obj: dict) -> bool:
    """Whether a stored object reads as its kind's schema says (defence in depth)."""
    try:
        schema.decode(obj["kind"], obj["apiVersion"], obj)
    except (APIError, KeyError, TypeError):
        log.warning("wiring: left out stored %s", _key(obj))
        return False
    return True


# --- the world after the upload ------------------------------------------------------------

def build_world(sim: Simulation, results: list[ApplyResult], docs: list) -> World:
    store = sim.engine.store
    objects: dict[tuple[str, str, str], dict] = {}
    for kind in ("Service", "Endpoints", "Ingress"):
        for obj in store.list(by_kind(kind).group_resource):
            if _decodes(obj):
                objects[_key(obj)] = obj
    uploaded, actions, manifests = [], {}, {}
    same_count = len(docs) == len(results)
    for i, result in enumerate(results):
        if result.error is not None or result.object is None:
            continue
        key = _key(result.object)
        objects[key] = result.object
        uploaded.append(key)
        actions[key] = result.action or ""
        if same_count and isinstance(docs[i], dict):
            manifests[key] = docs[i]
    created = {k for k, action in actions.items() if action == "created"}
    pods = _pods_after(sim, [objects[k] for k in uploaded if k[0] in WORKLOADS], created)
    return World(objects, pods, uploaded, actions, manifests,
                 sim.engine.config.get("cluster_domain", "cluster.local"),
                 default_class(sim.api))


def _key(obj: dict) -> tuple[str, str, str]:
    found = obj.get("metadata")
    meta = found if isinstance(found, dict) else {}
    return str(obj.get("kind", "")), str(meta.get("namespace") or ""), \
        str(meta.get("name", ""))


def _pods_after(sim: Simulation, workloads: list[dict], created: set) -> list[Pods]:
    store = sim.engine.store
    replaced: set[tuple[str, str]] = set()
    planned: list[Pods] = []
    for obj in workloads:
        try:
            gone, new = _planned_pods(sim, obj, _key(obj) in created)
        except (KeyError, TypeError, AttributeError, ValueError):  # an odd stored pod or RS
            log.warning("wiring: no planned pods for %s", _key(obj), exc_info=True)
            continue
        replaced |= gone
        planned += new
    existing = []
    for pod in store.list("pods"):
        try:
            if _alive(pod) and _pod_order(pod) not in replaced:
                existing.append((_pod_order(pod), _existing(pod)))
        except (KeyError, TypeError, AttributeError, ValueError):
            log.warning("wiring: left out stored pod %s", _key(pod))
    return [pods for _, pods in sorted(existing, key=lambda e: e[0])] + planned


def _pod_order(pod: dict) -> tuple[str, str]:
    return pod["metadata"]["namespace"], pod["metadata"]["name"]


def _alive(pod: dict) -> bool:
    """The endpoints controller skips pods being deleted and finished ones (F1.8)."""
    if pod["metadata"].get("deletionTimestamp"):
        return False
    phase, policy = pod["status"].get("phase"), pod["spec"].get("restartPolicy", "Always")
    return not (phase == "Succeeded" and policy != "Always" or
                phase == "Failed" and policy == "Never")


def _existing(pod: dict) -> Pods:
    meta = pod["metadata"]
    if not isinstance(meta.get("labels") or {}, dict) or not isinstance(pod["spec"], dict):
        raise TypeError("labels or spec of the wrong type")
    return Pods(meta["namespace"], meta.get("labels") or {}, pod["spec"], 1,
                _owner_text(pod), (meta["name"],), pod["status"].get("podIP") or "",
                pod_ready(pod))


def _controller_ref(obj: dict) -> dict | None:
    return next((r for r in obj["metadata"].get("ownerReferences") or []
                 if r.get("controller")), None)


def _owner_text(pod: dict) -> str:
    ref = _controller_ref(pod)
    return f"{ref['kind'].lower()} {ref['name']}" if ref else ""


def _owned_pods(sim: Simulation, workload: dict) -> list[dict]:
    """The live pods a workload owns, directly or through its ReplicaSets."""
    store, uid = sim.engine.store, workload["metadata"].get("uid")
    namespace = workload["metadata"].get("namespace") or ""
    owners = {uid}
    if workload["kind"] == "Deployment":
        owners |= {rs["metadata"]["uid"] for rs in store.list("replicasets.apps", namespace)
                   if (_controller_ref(rs) or {}).get("uid") == uid}
    return [p for p in store.list("pods", namespace) if _alive(p) and
            (_controller_ref(p) or {}).get("uid") in owners]


def _planned_pods(sim: Simulation, obj: dict, created: bool) -> tuple[set, list[Pods]]:
    """(existing pods the workload will replace, the pods it will create)."""
    kind, meta, spec = obj["kind"], obj["metadata"], obj.get("spec") or {}
    namespace, name = meta.get("namespace") or "default", meta["name"]
    if kind == "Pod":
        live = None if created else sim.api.try_get_ref("pods", name, namespace)
        status = (live or {}).get("status") or {}
        pods = Pods(namespace, meta.get("labels") or {}, spec, 1, "", (name,),
                    status.get("podIP") or "", live is not None and pod_ready(live),
                    planned=live is None)
        return {(namespace, name)}, [pods]
    template = spec.get("template") or {}
    tmeta, tspec = template.get("metadata") or {}, template.get("spec") or {}
    owner = f"{kind.lower()} {name}"
    want = _replicas(sim, kind, spec, tspec)
    owned = [] if created else _owned_pods(sim, obj)
    current = None if created else sim.api.try_get_ref(kind, name, namespace)
    rolling = kind in ("Deployment", "StatefulSet", "DaemonSet") and current is not None and \
        (current.get("spec") or {}).get("template") != template
    gone = {_pod_order(p) for p in owned} if rolling else set()
    count = want if rolling else max(want - len(owned), 0)
    if kind == "StatefulSet":
        return gone, _stateful_pods(namespace, owner, name, tmeta, tspec, spec, want,
                                    set() if rolling else {p["metadata"]["name"] for p in owned})
    if count == 0:
        return gone, []
    return gone, [Pods(namespace, tmeta.get("labels") or {}, tspec, count, owner, planned=True)]


def _stateful_pods(namespace: str, owner: str, name: str, tmeta: dict, tspec: dict,
                   spec: dict, want: int, have: set[str]) -> list[Pods]:
    """Replica i is `<name>-i`, hostname its name, subdomain the governing Service."""
    out = []
    for i in range(want):
        pod_name = f"{name}-{i}"
        if pod_name in have:
            continue
        pod_spec = {**tspec, "hostname": pod_name}
        if spec.get("serviceName"):
            pod_spec["subdomain"] = spec["serviceName"]
        out.append(Pods(namespace, tmeta.get("labels") or {}, pod_spec, 1, owner, (pod_name,),
                        planned=True))
    return out


def _replicas(sim: Simulation, kind: str, spec: dict, tspec: dict) -> int:
    if kind == "DaemonSet":
        return sum(1 for node in sim.engine.store.list("nodes") if _runs_on(node, tspec))
    if kind == "Job":
        parallelism: int = spec.get("parallelism", 1)
        completions: int | None = spec.get("completions")
        return min(parallelism, completions) if completions is not None else parallelism
    return int(spec.get("replicas", 1))


def _runs_on(node: dict, tspec: dict) -> bool:
    """Whether a DaemonSet pod fits `node`: its node selector and the node's hard taints."""
    node_labels = node["metadata"].get("labels") or {}
    if any(node_labels.get(k) != v for k, v in (tspec.get("nodeSelector") or {}).items()):
        return False
    tolerations = tspec.get("tolerations") or []
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") == "PreferNoSchedule" or taint.get("key") in DAEMON_TOLERATED:
            continue
        if not tolerates(tolerations, taint):
            return False
    return True


# --- which sections ------------------------------------------------------------------------

def _services_to_describe(world: World) -> list[dict]:
    """The upload's Services, then those already in the cluster that the upload's new pods
    join or that an uploaded Ingress points at."""
    out = [world.objects[k] for k in world.uploaded if k[0] == "Service"]
    chosen = {_key(s) for s in out}
    planned = [p for p in world.pods if p.planned]
    backends = {("Service", _key(ing)[1], name) for ing in
                (world.objects[k] for k in world.uploaded if k[0] == "Ingress")
                for name in _backend_names(ing)}
    for svc in world.of_kind("Service"):
        key = _key(svc)
        if key in chosen:
            continue
        if key in backends or any(_selects(svc, p) for p in planned):
            out.append(svc)
    return out


def _ingresses_to_describe(world: World) -> list[dict]:
    out = [world.objects[k] for k in world.uploaded if k[0] == "Ingress"]
    uploaded_services = {k for k in world.uploaded if k[0] == "Service"}
    for ing in world.of_kind("Ingress"):
        if _key(ing) in world.uploaded:
            continue
        namespace = _key(ing)[1]
        if any(("Service", namespace, n) in uploaded_services for n in _backend_names(ing)):
            out.append(ing)
    return out


def _backend_names(ing: dict) -> list[str]:
    return [b["service"].get("name", "") for _, _, _, b in _routes(ing) if b.get("service")]


# --- Services ------------------------------------------------------------------------------

def describe_service(world: World, svc: dict) -> Section:
    namespace, name = _key(svc)[1], _key(svc)[2]
    spec = svc.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    headless = spec.get("clusterIP") == "None"
    where = _where(world, svc)
    section = Section("Service", namespace, name,
                      msg("wiring.service-title", name=name, namespace=namespace,
                          type="headless" if headless else kind, where=where))
    if kind == "ExternalName":
        section.lines.append(_said(msg("wiring.external-name",
                                       fqdn=_fqdn(world, name, namespace),
                                       target=spec.get("externalName", "").rstrip("."))))
        return section
    if not spec.get("selector"):
        section.lines += _without_selector(world, svc)
        section.lines += _dns_lines(world, svc, [])
        return section
    selected = [p for p in world.pods if _selects(svc, p)]
    section.lines.append(_selection_line(world, svc, selected))
    for port in spec.get("ports") or []:
        section.lines += _port_lines(world, svc, port, selected)
    section.lines += _dns_lines(world, svc, selected)
    return section


def _where(world: World, obj: dict) -> Message:
    action = world.actions.get(_key(obj))
    if action is None:
        return msg("wiring.where-existing")
    if action == "created":
        return msg("wiring.where-new")
    return msg("wiring.where-updated" if action == "configured" else "wiring.where-unchanged")


def _selects(svc: dict, pods: Pods) -> bool:
    spec = svc.get("spec") or {}
    selector = spec.get("selector")
    if not selector or spec.get("type") == "ExternalName":
        return False
    return pods.namespace == _key(svc)[1] and labels.from_map(selector).matches(pods.labels)


def _selection_line(world: World, svc: dict, selected: list[Pods]) -> Line:
    selector = labels.format_map(svc["spec"]["selector"])
    namespace = _key(svc)[1]
    if not selected:
        return _said(msg("wiring.selects-none", selector=selector, namespace=namespace),
                     problem=True)
    total = sum(p.count for p in selected)
    return _said(msg("wiring.selects", selector=selector, count=_pods(total),
                     pods=_describe(selected)))


def _pods(n: int) -> Message:
    return msg("wiring.one-pod") if n == 1 else msg("wiring.n-pods", count=n)


def _describe(groups: Iterable[Pods]) -> list[MessageArg]:
    """`the 3 pods replicaset rs-node-web will create; pods a, b (replicaset x)`."""
    parts: dict[tuple, list] = {}  # insertion order: one part per template group or owner
    for i, pods in enumerate(groups):
        if pods.planned and not pods.names:
            parts[("template", i)] = [pods]
        else:
            parts.setdefault((pods.planned, pods.owner), []).append(pods)
    return [_part(key, members) for key, members in parts.items()]  # said joined by "; "


def _part(key: tuple, members: list[Pods]) -> Message:
    if key[0] == "template":
        pods = members[0]
        return msg("wiring.template-pods", count=pods.count, owner=pods.owner) \
            if pods.count > 1 else msg("wiring.template-pod", owner=pods.owner)
    planned, owner = key
    names = [n for pods in members for n in pods.names]
    one, listed = len(names) == 1, ", ".join(names)
    if planned and owner:
        return msg("wiring.planned-pod" if one else "wiring.planned-pods", names=listed,
                   owner=owner)
    if planned:
        return msg("wiring.upload-pod" if one else "wiring.upload-pods", names=listed)
    if owner:
        return msg("wiring.owned-pod" if one else "wiring.owned-pods", names=listed,
                   owner=owner)
    return msg("wiring.bare-pod" if one else "wiring.bare-pods", names=listed)


def _port_lines(world: World, svc: dict, port: dict, selected: list[Pods]) -> list[Line]:
    protocol = port.get("protocol", "TCP")
    # the API server requires `port` and defaults `targetPort` to it
    target: int | str = port["targetPort"] if "targetPort" in port else port["port"]
    head = _port_head(world, svc, port, protocol, target)
    outcomes: dict[Outcome, list[Pods]] = {}
    for pods in selected:
        outcomes.setdefault(_target_outcome(target, protocol, pods), []).append(pods)
    if _is_name(target) and all(problem for _, _, problem in outcomes):
        return [_said(msg("wiring.no-named-port", head=head, target=target,
                          pods=_describe(selected), port=str(port.get("port"))), problem=True)]
    return [_said(msg(message_id, head=head, pods=_describe(groups), **dict(args)), problem)
            for (message_id, args, problem), groups in outcomes.items()]


def _is_name(target: int | str) -> TypeGuard[str]:
    return isinstance(target, str) and not target.isdigit()


def _port_head(world: World, svc: dict, port: dict, protocol: str,
               target: int | str) -> Message:
    """`port 80/TCP (nodePort 30080 on every node) -> targetPort 8080`."""
    where = {"port": str(port.get("port")), "protocol": protocol, "target": str(target)}
    if not port.get("nodePort"):
        return msg("wiring.port", **where)
    key = _key(svc)
    asked = [p.get("nodePort") for p in
             ((world.manifests.get(key) or {}).get("spec") or {}).get("ports") or []
             if isinstance(p, dict) and p.get("port") == port.get("port")]
    if world.actions.get(key) == "created" and not any(asked):
        return msg("wiring.port-node-port-later", **where)
    return msg("wiring.port-node-port", node_port=str(port["nodePort"]), **where)


# a port line's message id, its arguments besides `head` and `pods` as sorted pairs, and
# whether it is a problem
Outcome = tuple[WiringMessageId, tuple[tuple[str, str], ...], bool]


def _target_outcome(target: int | str, protocol: str, pods: Pods) -> Outcome:
    """What `targetPort` becomes in these pods: the line's message id, its arguments
    besides `head` and `pods` (as sorted pairs, to group pods by outcome) and whether it is
    a problem."""
    declared = [(c.get("name", ""), p) for c in pods.spec.get("containers") or []
                for p in c.get("ports") or [] if p.get("protocol", "TCP") == protocol]
    if _is_name(target):
        for container, p in declared:
            if p.get("name") == target:
                return "wiring.container-port", (("container", container), (
                    "container_port", str(p["containerPort"]))), False
        return "wiring.left-out", (("target", target),), True
    number = int(target)
    for container, p in declared:
        if p.get("containerPort") == number:
            return "wiring.container-port", (("container", container),
                                             ("container_port", str(number))), False
    if not declared:
        return "wiring.undeclared", (("number", str(number)),), False
    numbers = ", ".join(str(p.get("containerPort")) for _, p in declared)
    return "wiring.mismatch", (("number", str(number)), ("numbers", numbers)), True


def _without_selector(world: World, svc: dict) -> list[Line]:
    namespace, name = _key(svc)[1], _key(svc)[2]
    endpoints = world.get("Endpoints", namespace, name)
    if endpoints is None:
        return [_said(msg("wiring.no-endpoints-object", name=name, namespace=namespace),
                      problem=True)]
    lines = []
    for port in svc["spec"].get("ports") or []:
        found = [(s, p) for s in endpoints.get("subsets") or [] for p in s.get("ports") or []
                 if p.get("name", "") == port.get("name", "")]
        if not found:
            port_name = port.get("name") or msg("wiring.unnamed")
            lines.append(_said(msg("wiring.endpoints-no-port", port=str(port.get("port")),
                                   name=name, port_name=port_name), problem=True))
        for subset, p in found:
            ips = ", ".join(a["ip"] for a in subset.get("addresses") or [])
            lines.append(_said(msg("wiring.from-endpoints", port=str(port.get("port")),
                                   protocol=port.get("protocol", "TCP"),
                                   ips=ips or msg("wiring.no-address"),
                                   target=str(p.get("port")), name=name), problem=not ips))
    return lines


def _fqdn(world: World, name: str, namespace: str, host: str = "") -> str:
    return f"{host + '.' if host else ''}{name}.{namespace}.svc.{world.domain}"


def _dns_lines(world: World, svc: dict, selected: list[Pods]) -> list[Line]:
    namespace, name = _key(svc)[1], _key(svc)[2]
    spec, fqdn = svc.get("spec") or {}, _fqdn(world, name, namespace)
    if spec.get("clusterIP") != "None":
        lines = [_said(_cluster_ip(world, svc, fqdn))]
    elif spec.get("selector"):
        lines = [_said(msg("wiring.dns-headless", fqdn=fqdn), problem=not selected)]
        lines += _per_pod_names(world, svc, selected)
    else:
        lines = [_said(msg("wiring.dns-endpoints", fqdn=fqdn, name=name))]
    for port in spec.get("ports") or []:
        if port.get("name"):
            srv = f"_{port['name']}._{port.get('protocol', 'TCP').lower()}.{fqdn}"
            lines.append(_said(msg("wiring.dns-srv", srv=srv, port=str(port.get("port")))))
    return lines


def _cluster_ip(world: World, svc: dict, fqdn: str) -> Message:
    key = _key(svc)
    manifest = (world.manifests.get(key) or {}).get("spec") or {}
    if world.actions.get(key) != "created" or manifest.get("clusterIP"):
        return msg("wiring.dns-cluster-ip", fqdn=fqdn, ip=str(svc["spec"].get("clusterIP")))
    return msg("wiring.dns-cluster-ip-later", fqdn=fqdn)


def _per_pod_names(world: World, svc: dict, selected: list[Pods]) -> list[Line]:
    """A headless Service names each ready endpoint: its hostname when the pod's subdomain is
    this Service, else its IP with dashes (CoreDNS's generated name)."""
    namespace, name = _key(svc)[1], _key(svc)[2]
    named, dashed = [], []
    for pods in selected:
        if pods.hostname and pods.spec.get("subdomain") == name:
            named.append(_fqdn(world, name, namespace, pods.hostname))
        elif pods.ip:
            named.append(_fqdn(world, name, namespace, pods.ip.replace(".", "-")))
        else:
            dashed.append(pods)
    lines = [_said(msg("wiring.dns-pod", fqdn=n)) for n in named]
    if dashed:
        lines.append(_said(msg("wiring.dns-dashed",
                               fqdn=_fqdn(world, name, namespace, "<pod-ip-with-dashes>"),
                               pods=_describe(dashed))))
    return lines


# --- Ingresses -----------------------------------------------------------------------------

def _routes(ing: dict) -> list[tuple[str, str | None, str | None, dict]]:
    """(host, path, pathType, backend) for every rule path, then the defaultBackend."""
    spec = ing.get("spec") or {}
    out = [(rule.get("host") or "", p.get("path", "/"), p.get("pathType"), p.get("backend") or {})
           for rule in spec.get("rules") or [] for p in (rule.get("http") or {}).get("paths") or []]
    if spec.get("defaultBackend"):
        out.append(("", None, None, spec["defaultBackend"]))
    return out


def describe_ingress(world: World, ing: dict) -> Section:
    namespace, name = _key(ing)[1], _key(ing)[2]
    section = Section("Ingress", namespace, name,
                      msg("wiring.ingress-title", name=name, namespace=namespace,
                          where=_where(world, ing)))
    cls = ingress_class(ing, world.ingress_class)
    if cls != CLASS_NAME:
        section.lines.append(_said(msg("wiring.other-class", served=CLASS_NAME,
                                       **{"class": cls or msg("wiring.no-class")}),
                                   problem=True))
    for host, path, path_type, backend in _routes(ing):
        section.lines.append(_route_line(world, namespace, _route_where(host, path, path_type),
                                         backend))
    if not _routes(ing):
        section.lines.append(_said(msg("wiring.no-routes"), problem=True))
    return section


def _route_where(host: str, path: str | None, path_type: str | None) -> MessageArg:
    """`web.example/app (Prefix)`, `any host, path / (Prefix)`, or the defaultBackend."""
    if path is None:
        return msg("wiring.default-backend")
    typed = f"{path} ({path_type})" if path_type else path
    return f"{host}{typed}" if host else msg("wiring.any-host", path=typed)


def _route_line(world: World, namespace: str, where: MessageArg, backend: dict) -> Line:
    if not backend.get("service"):
        return _said(msg("wiring.resource-backend", where=where), problem=True)
    ref = backend["service"]
    name = ref.get("name", "")
    port_ref = (ref.get("port") or {}).get("number", (ref.get("port") or {}).get("name", ""))
    svc = world.get("Service", namespace, name)
    route = {"where": where, "name": name, "port": str(port_ref)}
    if svc is None:
        return _said(msg("wiring.route-no-service", namespace=namespace, **route), problem=True)
    port = next((p for p in svc["spec"].get("ports") or []
                 if p.get("port") == port_ref or (p.get("name") and p["name"] == port_ref)),
                None)
    if port is None:
        return _said(msg("wiring.route-no-port", **route), problem=True)
    target = str(port.get("targetPort", port.get("port")))
    if (svc.get("spec") or {}).get("type") == "ExternalName":
        return _said(msg("wiring.route-external", where=where, name=name,
                         external=str(svc["spec"].get("externalName"))))
    if not svc["spec"].get("selector"):
        return _said(msg("wiring.route-endpoints", target=target, **route))
    selected = [p for p in world.pods if _selects(svc, p)]
    if not selected:
        return _said(msg("wiring.route-no-pod", target=target, **route), problem=True)
    return _said(msg("wiring.route-pods", target=target, pods=_describe(selected), **route))
