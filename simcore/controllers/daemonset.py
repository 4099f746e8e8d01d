"""The DaemonSet controller: one pod on every node that should run one.

Contract: a node should run the daemon pod when the pod template fits it
(nodeName, nodeSelector and required node affinity match, every NoSchedule
and NoExecute taint is tolerated); a pod may keep running on a node whose
only untolerated taints are NoSchedule. Daemon pods get the tolerations the
real controller adds (not-ready and unreachable NoExecute without a time
limit; disk-, memory- and pid-pressure and unschedulable NoSchedule;
network-unavailable too with hostNetwork), so node trouble never evicts them.
A missing pod is created with node affinity `matchFields metadata.name In
[<node>]` (no nodeName: the scheduler binds it, as since Kubernetes 1.12);
extra, failed or misplaced pods are deleted. Each distinct template is a
ControllerRevision `<ds>-<hash>`; pods carry `controller-revision-hash` and
`pod-template-generation`. RollingUpdate with maxSurge 0 deletes old pods
while at most maxUnavailable (percentages round up) nodes lack an available
up-to-date pod, and the create step refills them; OnDelete waits for the user.
Status holds the counts `kubectl get ds` prints.

The ControllerRevision helpers here are shared with the StatefulSet
controller. Trade-off: pods that predate this controller (the presets build
system DaemonSet pods directly, without the hash label) count as belonging to
the first revision the controller records, so starting a preset does not roll
its kube-proxy and flannel pods; a later template change does.
"""

from __future__ import annotations

from collections.abc import Iterable

from simcore import errors, events, labels
from simcore.apiserver import INTERNAL, APIServer
from simcore.controllers import burst
from simcore.controllers.deployment import scaled_value, select_objects
from simcore.controllers.replicaset import pod_from_template
from simcore.controllers.scheduler import node_affinity_matches
from simcore.controllers.workloads import (
    controller_of,
    controller_ref,
    owner_key,
    workload_selector,
)
from simcore.jsoncopy import clone
from simcore.loop import Controller
from simcore.names import pod_template_hash
from simcore.objects import drop_owner, node_ready, pod_available, pod_ready, tolerates
from simcore.resources import object_key, split_key
from simcore.store import Event

COMPONENT = "daemonset-controller"
RESOURCE = "daemonsets.apps"
REVISIONS = "controllerrevisions.apps"
HASH_LABEL = "controller-revision-hash"
GENERATION_LABEL = "pod-template-generation"
GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"

DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
NETWORK_UNAVAILABLE = ("node.kubernetes.io/network-unavailable", "NoSchedule")


# --- ControllerRevisions, shared with the StatefulSet controller -------------------------------

def revision_data(template: dict) -> dict:
    """getPatch: the strategic-merge patch that restores this template."""
    return {"spec": {"template": {**clone(template), "$patch": "replace"}}}


def template_of_revision(revision: dict) -> dict:
    spec = (revision.get("data") or {}).get("spec") or {}
    template: dict = clone(spec.get("template") or {})
    template.pop("$patch", None)
    return template


def owned_revisions(api: APIServer, owner: dict, selector: labels.Selector) -> list[dict]:
    """The owner's ControllerRevisions, adopting orphans its selector matches, by revision."""
    meta = owner["metadata"]
    found = {}
    for res, namespace, name in api.store.dependents(meta["uid"]):
        rev = api.store.get(res, namespace, name) if res == REVISIONS else None
        if rev is not None:
            found[name] = rev
    for rev in select_objects(api, REVISIONS, meta["namespace"], selector):
        if controller_of(rev) is None:
            found[rev["metadata"]["name"]] = api.mutate(
                REVISIONS, rev["metadata"]["name"], meta["namespace"],
                lambda o: o["metadata"].setdefault("ownerReferences", []).append(
                    controller_ref(owner)))
    return sorted(found.values(), key=lambda r: (r.get("revision", 0),
                                                 r["metadata"]["name"]))


def create_revision(api: APIServer, owner: dict, data: dict, revision: int, name: str,
                    hash_: str) -> dict | None:
    """Store a ControllerRevision; None when the name is taken by different data."""
    template_labels = (((data["spec"]["template"]).get("metadata") or {}).get("labels")) or {}
    meta = {"name": name, "namespace": owner["metadata"]["namespace"],
            "labels": {**template_labels, HASH_LABEL: hash_},
            "ownerReferences": [controller_ref(owner)]}
    if owner["metadata"].get("annotations"):
        meta["annotations"] = dict(owner["metadata"]["annotations"])
    body = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta,
            "data": data, "revision": revision}
    try:
        return api.create(REVISIONS, body, meta["namespace"], INTERNAL)
    except errors.AlreadyExists:
        existing = api.try_get_ref(REVISIONS, name, meta["namespace"])
        if existing is not None and existing.get("data") == data:
            return existing
        return None


def set_revision_number(api: APIServer, revision: dict, number: int) -> dict:
    if revision.get("revision", 0) >= number:
        return revision
    meta = revision["metadata"]
    return api.mutate(REVISIONS, meta["name"], meta["namespace"],
                      lambda o: o.__setitem__("revision", number))


def delete_revision(api: APIServer, revision: dict) -> None:
    try:
        api.delete(REVISIONS, revision["metadata"]["name"], revision["metadata"]["namespace"])
    except errors.NotFound:
        pass


# --- scheduling predicates ---------------------------------------------------------------------

def add_daemon_tolerations(spec: dict) -> None:
    """AddOrUpdateDaemonPodTolerations: replace a same key/effect toleration, else append."""
    wanted = list(DAEMON_TOLERATIONS)
    if spec.get("hostNetwork"):
        wanted.append(NETWORK_UNAVAILABLE)
    tolerations = list(spec.get("tolerations") or [])
    for key, effect in wanted:
        toleration = {"key": key, "operator": "Exists", "effect": effect}
        same = [i for i, t in enumerate(tolerations) if t.get("key") == key and
                t.get("effect") == effect and t.get("operator", "Equal") == "Exists" and
                not t.get("value")]
        if same:
            tolerations[same[0]] = toleration
        else:
            tolerations.append(toleration)
    spec["tolerations"] = tolerations


def node_should_run(ds: dict, node: dict) -> tuple[bool, bool]:
    """(should run, may keep running): NodeShouldRunDaemonPod."""
    spec = clone((ds["spec"].get("template") or {}).get("spec") or {})
    node_name = node["metadata"]["name"]
    if spec.get("nodeName") and spec["nodeName"] != node_name:
        return False, False
    add_daemon_tolerations(spec)
    spec.pop("nodeName", None)
    if not node_affinity_matches(spec, node):
        return False, False
    taints = [t for t in node.get("spec", {}).get("taints") or []
              if t.get("effect") in ("NoSchedule", "NoExecute")]
    untolerated = [t for t in taints if not tolerates(spec.get("tolerations"), t)]
    if not untolerated:
        return True, True
    return False, not any(t["effect"] == "NoExecute" for t in untolerated)


def target_node(pod: dict) -> str | None:
    """GetTargetNodeName: the bound node, or the one a daemon pod's node affinity names."""
    node_name: str | None = pod["spec"].get("nodeName")
    if node_name:
        return node_name
    required = (((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in required.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            values: list[str] = field.get("values") or []
            if field.get("key") == "metadata.name" and field.get("operator") == "In" and \
                    len(values) == 1:
                return values[0]
    return None


def with_node_affinity(spec: dict, node_name: str) -> None:
    """ReplaceDaemonSetPodNodeNameNodeAffinity: require exactly this node."""
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
    affinity = spec.setdefault("affinity", {})
    node_affinity = affinity.setdefault("nodeAffinity", {})
    required = node_affinity.setdefault("requiredDuringSchedulingIgnoredDuringExecution", {})
    required["nodeSelectorTerms"] = [term]


def _by_age(pod: dict) -> tuple:
    # podByCreationTimestampAndPhase: older first, running before pending on a tie
    return (pod["metadata"].get("creationTimestamp", ""),
            0 if pod["status"].get("phase") == "Running" else 1, pod["metadata"]["name"])


# --- the controller ----------------------------------------------------------------------------

class DaemonSetController(Controller):
    name = "daemonset"
    watches = (RESOURCE, "pods", "nodes")

    def keys_for(self, event: Event) -> Iterable[str]:
        obj = event.object
        if event.resource == RESOURCE:
            return super().keys_for(event)
        if event.resource == "nodes":
            if event.type == "MODIFIED" and not _node_changed(event.old, obj):
                return ()
            return [object_key(ds["metadata"]["namespace"], ds["metadata"]["name"])
                    for ds in self.api.store.list(RESOURCE)]
        key = owner_key(obj, "DaemonSet")
        if key is not None:
            return (key,)
        if event.type == "DELETED" or controller_of(obj) is not None:
            return ()
        return self._sets_selecting(obj)

    def _sets_selecting(self, pod: dict) -> list[str]:
        namespace = pod["metadata"]["namespace"]
        keys = []
        for ds in self.api.store.list(RESOURCE, namespace):
            selector = workload_selector(ds)
            if selector is not None and selector.matches(pod["metadata"].get("labels")):
                keys.append(object_key(namespace, ds["metadata"]["name"]))
        return keys

    def sync(self, key: str) -> None:
        namespace, name = split_key(key)
        ds = self.api.try_get_ref(RESOURCE, name, namespace)
        if ds is None:
            self.state.pop(key, None)
            return
        selector = workload_selector(ds)
        if ds["metadata"].get("deletionTimestamp") or selector is None:
            return
        nodes = sorted(self.api.store.list("nodes"), key=lambda n: n["metadata"]["name"])
        current, old_revisions = self._construct_history(ds, selector)
        if current is None:
            return
        hash_ = current["metadata"]["labels"][HASH_LABEL]
        generation = self._template_generation(key, ds, hash_)
        self._manage(ds, selector, nodes, hash_, generation)
        strategy = (ds["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate")
        if strategy == "RollingUpdate":
            self._rolling_update(ds, selector, nodes, hash_, generation)
        by_node = self._pods_by_node(ds, selector)
        self._cleanup_history(ds, old_revisions, by_node)
        self._write_status(key, ds, nodes, by_node, hash_, generation)

    # history ------------------------------------------------------------------------------
    def _construct_history(self, ds: dict,
                           selector: labels.Selector) -> tuple[dict | None, list[dict]]:
        data = revision_data(ds["spec"].get("template") or {})
        revisions = owned_revisions(self.api, ds, selector)
        matching = [r for r in revisions if r.get("data") == data]
        old = [r for r in revisions if r.get("data") != data]
        next_number = max((r.get("revision", 0) for r in old), default=0) + 1
        if matching:
            for duplicate in matching[:-1]:
                delete_revision(self.api, duplicate)
            return set_revision_number(self.api, matching[-1], next_number), old
        collisions = (ds.get("status") or {}).get("collisionCount")
        hash_ = pod_template_hash(ds["spec"].get("template") or {}, collisions)
        current = create_revision(self.api, ds, data, next_number,
                                  f"{ds['metadata']['name']}-{hash_}", hash_)
        if current is None:
            meta = ds["metadata"]
            self.api.mutate(RESOURCE, meta["name"], meta["namespace"], lambda o: o.setdefault(
                "status", {}).__setitem__("collisionCount", (collisions or 0) + 1),
                subresource="status")
        return current, old

    def _template_generation(self, key: str, ds: dict, hash_: str) -> str:
        """The template generation: the API server's annotation, else counted here per change."""
        record = self.state.setdefault(key, {})
        if record.get("uid") != ds["metadata"]["uid"]:
            record.clear()  # a new DaemonSet under an old name starts its own count
            record["uid"] = ds["metadata"]["uid"]
        annotated = (ds["metadata"].get("annotations") or {}).get(GENERATION_ANNOTATION)
        if record.get("hash") != hash_:
            record["generation"] = record.get("generation", 0) + 1
            record["hash"] = hash_
            record.setdefault("first_hash", hash_)
        return annotated or str(record["generation"])

    def _cleanup_history(self, ds: dict, old: list[dict], by_node: dict[str, list]) -> None:
        excess = len(old) - int(ds["spec"].get("revisionHistoryLimit", 10))
        if excess <= 0:
            return
        live = {self._pod_hash(ds, p) for pods in by_node.values() for p in pods}
        for revision in old:
            if excess <= 0:
                break
            if revision["metadata"].get("labels", {}).get(HASH_LABEL) in live:
                continue
            delete_revision(self.api, revision)
            excess -= 1

    # pods ---------------------------------------------------------------------------------
    def _claim(self, ds: dict, selector: labels.Selector) -> list[dict]:
        uid, namespace = ds["metadata"]["uid"], ds["metadata"]["namespace"]
        claimed = {}
        for res, ns, pod_name in self.api.store.dependents(uid):
            pod = self.api.store.get(res, ns, pod_name) if res == "pods" else None
            if pod is None:
                continue
            if selector.matches(pod["metadata"].get("labels")):
                claimed[pod_name] = pod
            else:
                self.api.mutate("pods", pod_name, ns, lambda p: drop_owner(p, uid))
        for pod in select_objects(self.api, "pods", namespace, selector):
            if controller_of(pod) is None and not pod["metadata"].get("deletionTimestamp"):
                pod = self.api.mutate("pods", pod["metadata"]["name"], namespace, lambda p: p[
                    "metadata"].setdefault("ownerReferences", []).append(controller_ref(ds)))
                claimed[pod["metadata"]["name"]] = pod
        return list(claimed.values())

    def _pods_by_node(self, ds: dict, selector: labels.Selector) -> dict[str, list[dict]]:
        """Claimed pods per target node; finished pods already being removed are left out."""
        by_node: dict[str, list[dict]] = {}
        for pod in self._claim(ds, selector):
            finished = pod["status"].get("phase") in ("Succeeded", "Failed")
            if finished and pod["metadata"].get("deletionTimestamp"):
                continue
            by_node.setdefault(target_node(pod) or "", []).append(pod)
        for pods in by_node.values():
            pods.sort(key=_by_age)
        return by_node

    def _manage(self, ds: dict, selector: labels.Selector, nodes: list[dict], hash_: str,
                generation: str) -> None:
        by_node = self._pods_by_node(ds, selector)
        needing, doomed = [], []
        for node in nodes:
            node_name = node["metadata"]["name"]
            should_run, may_continue = node_should_run(ds, node)
            pods = by_node.get(node_name, [])
            if should_run and not pods:
                needing.append(node_name)
            elif may_continue:
                doomed += self._extra_or_failed(ds, node_name, pods)
            elif pods:
                doomed += [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        known = {n["metadata"]["name"] for n in nodes}
        for node_name, pods in by_node.items():
            if node_name not in known:
                doomed += [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        # at most one burst each way per sync (daemon_controller.go's BurstReplicas)
        self._delete_pods(ds, doomed[:burst.DAEMONSET_BURST])
        self._create_pods(ds, needing[:burst.DAEMONSET_BURST], hash_, generation)

    def _extra_or_failed(self, ds: dict, node_name: str, pods: list[dict]) -> list[dict]:
        doomed, running = [], []
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp"):
                continue
            if pod["status"].get("phase") == "Failed":
                events.record(self.engine, ds, "Warning", "FailedDaemonPod",
                              f"Found failed daemon pod {pod['metadata']['namespace']}/"
                              f"{pod['metadata']['name']} on node {node_name}, will try to "
                              "kill it", COMPONENT)
                doomed.append(pod)
            elif pod["status"].get("phase") == "Succeeded":
                doomed.append(pod)
            else:
                running.append(pod)
        return doomed + running[1:]

    def _create_pods(self, ds: dict, node_names: list[str], hash_: str,
                     generation: str) -> None:
        template = clone(ds["spec"].get("template") or {})
        add_daemon_tolerations(template.setdefault("spec", {}))
        template_labels = template.setdefault("metadata", {}).setdefault("labels", {})
        template_labels[GENERATION_LABEL] = generation
        template_labels[HASH_LABEL] = hash_
        for node_name in node_names:
            pod = pod_from_template(ds, template)
            with_node_affinity(pod["spec"], node_name)
            try:
                created = self.api.create("pods", pod, ds["metadata"]["namespace"], INTERNAL)
            except errors.APIError as exc:
                events.record(self.engine, ds, "Warning", "FailedCreate",
                              f"Error creating: {exc.status['message']}", COMPONENT)
                continue
            events.record(self.engine, ds, "Normal", "SuccessfulCreate",
                          f"Created pod: {created['metadata']['name']}", COMPONENT)

    def _delete_pods(self, ds: dict, pods: list[dict]) -> None:
        for pod in pods:
            try:
                self.api.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
            except errors.NotFound:
                continue
            events.record(self.engine, ds, "Normal", "SuccessfulDelete",
                          f"Deleted pod: {pod['metadata']['name']}", COMPONENT)

    # rolling update (update.go, maxSurge 0) ---------------------------------------------------
    def _rolling_update(self, ds: dict, selector: labels.Selector, nodes: list[dict],
                        hash_: str, generation: str) -> None:
        by_node = self._pods_by_node(ds, selector)
        desired = sum(1 for n in nodes if node_should_run(ds, n)[0])
        rolling = (ds["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}
        max_unavailable = scaled_value(rolling.get("maxUnavailable", 1), desired, True)
        max_surge = scaled_value(rolling.get("maxSurge", 0), desired, True)
        if max_unavailable == 0 and max_surge == 0:
            max_unavailable = 1
        min_ready = int(ds["spec"].get("minReadySeconds", 0))
        unavailable, replace, candidates = 0, [], []
        for node_name in sorted(by_node):
            live = [p for p in by_node[node_name] if not p["metadata"].get("deletionTimestamp")]
            new = [p for p in live if self._is_updated(ds, p, hash_, generation)]
            old = [p for p in live if p not in new]
            if len(new) > 1 or len(old) > 1 or bool(new) == bool(old):
                unavailable += 1
            elif new:
                unavailable += 0 if pod_available(new[0], min_ready, self.clock) else 1
            elif not pod_available(old[0], min_ready, self.clock):
                replace.append(old[0])
            elif unavailable < max_unavailable:
                candidates.append(old[0])
        room = min(max(max_unavailable - unavailable, 0), len(candidates))
        self._delete_pods(ds, replace + candidates[:room])

    def _pod_hash(self, ds: dict, pod: dict) -> str | None:
        hash_ = (pod["metadata"].get("labels") or {}).get(HASH_LABEL)
        if hash_ is None and GENERATION_LABEL not in (pod["metadata"].get("labels") or {}):
            key = object_key(ds["metadata"]["namespace"], ds["metadata"]["name"])
            first_hash: str | None = self.state.get(key, {}).get("first_hash")
            return first_hash
        return hash_

    def _is_updated(self, ds: dict, pod: dict, hash_: str, generation: str) -> bool:
        pod_labels = pod["metadata"].get("labels") or {}
        return self._pod_hash(ds, pod) == hash_ or pod_labels.get(GENERATION_LABEL) == generation

    # status -------------------------------------------------------------------------------
    def _count(self, ds: dict, nodes: list[dict], by_node: dict, hash_: str,
               generation: str) -> dict[str, int]:
        """updateDaemonSetStatus's tally: the oldest pod on each node speaks for it."""
        counts = dict.fromkeys(("desired", "current", "ready", "available", "updated",
                                "misscheduled"), 0)
        min_ready = int(ds["spec"].get("minReadySeconds", 0))
        for node in nodes:
            pods = by_node.get(node["metadata"]["name"], [])
            if not node_should_run(ds, node)[0]:
                counts["misscheduled"] += 1 if pods else 0
                continue
            counts["desired"] += 1
            if not pods:
                continue
            counts["current"] += 1
            pod = pods[0]
            if pod_ready(pod):
                counts["ready"] += 1
                counts["available"] += 1 if pod_available(pod, min_ready, self.clock) else 0
            counts["updated"] += 1 if self._is_updated(ds, pod, hash_, generation) else 0
        return counts

    def _write_status(self, key: str, ds: dict, nodes: list[dict], by_node: dict,
                      hash_: str, generation: str) -> None:
        counts = self._count(ds, nodes, by_node, hash_, generation)
        min_ready = int(ds["spec"].get("minReadySeconds", 0))
        status = {"currentNumberScheduled": counts["current"],
                  "numberMisscheduled": counts["misscheduled"],
                  "desiredNumberScheduled": counts["desired"],
                  "numberReady": counts["ready"],
                  "observedGeneration": ds["metadata"].get("generation", 1)}
        optional = {"updatedNumberScheduled": counts["updated"],
                    "numberAvailable": counts["available"],
                    "numberUnavailable": counts["desired"] - counts["available"]}
        status.update({k: v for k, v in optional.items() if v})
        if "collisionCount" in (ds.get("status") or {}):
            status["collisionCount"] = ds["status"]["collisionCount"]
        if min_ready and counts["ready"] != counts["available"]:
            self.requeue_after(key, min_ready)
        if ds.get("status") != status:
            meta = ds["metadata"]
            self.api.mutate(RESOURCE, meta["name"], meta["namespace"],
                            lambda o: o.__setitem__("status", status), subresource="status")



def _node_changed(old: dict | None, new: dict) -> bool:
    """Whether a node update can change where daemon pods belong."""
    if old is None:
        return True
    def view(node: dict) -> tuple:
        return (node["metadata"].get("labels"), node.get("spec", {}).get("taints"),
                node.get("spec", {}).get("unschedulable"), node_ready(node))
    return view(old) != view(new)


