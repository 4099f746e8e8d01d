"""The scheduler: binds each pending pod to a node.

Filters as kube-scheduler's default plugins do (node ready and schedulable,
taints tolerated, nodeSelector and required node affinity, at most
`status.allocatable.pods` pods), then scores by spreading: fewer pods of the
same owner on the node first, then fewer pods overall, ties broken at random
as the real scheduler's reservoir sampling does. Uneven placement is normal,
as in the lecture (two of three pods on worker1). A pod that fits nowhere
gets the real `FailedScheduling` message and waits for a node to change.

Pod counts per node and per owner are kept in memory from the change feed,
so a bind costs the number of nodes, not the number of pods.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from simcore import events
from simcore.controllers.workloads import controller_of
from simcore.loop import Controller
from simcore.objects import tolerates
from simcore.resources import object_key, split_key
from simcore.store import Event

if TYPE_CHECKING:
    from simcore.engine import Engine


def _match_expression(labels: dict, expr: dict) -> bool:
    key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
    if op == "In":
        return labels.get(key) in values
    if op == "NotIn":
        return labels.get(key) not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt") and key in labels:
        try:
            have, want = int(labels[key]), int(values[0])
        except (ValueError, IndexError):
            return False
        return have > want if op == "Gt" else have < want
    return False


def node_affinity_matches(pod_spec: dict, node: dict) -> bool:
    labels = node["metadata"].get("labels") or {}
    for key, value in (pod_spec.get("nodeSelector") or {}).items():
        if labels.get(key) != value:
            return False
    required = ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution")
    if not required:
        return True
    for term in required.get("nodeSelectorTerms") or []:
        exprs = term.get("matchExpressions") or []
        fields = term.get("matchFields") or []
        if all(_match_expression(labels, e) for e in exprs) and all(
                _match_expression({"metadata.name": node["metadata"]["name"]}, f)
                for f in fields):
            return True
    return False


def untolerated_taint(pod_spec: dict, node: dict) -> dict | None:
    taints: list[dict] = node.get("spec", {}).get("taints") or []
    for taint in taints:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and \
                not tolerates(pod_spec.get("tolerations"), taint):
            return taint
    return None


class Scheduler(Controller):
    name = "scheduler"
    watches = ("pods", "nodes")

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self.on_node: Counter[str] = Counter()
        self.owner_on_node: dict[str, Counter[str]] = defaultdict(Counter)
        self.waiting: set[str] = set()
        # nodes that pass the filters that depend only on the pod's spec and the node,
        # by the pod's scheduling signature; any node change clears it
        self.static_fits: dict[str, tuple[list[tuple[str, int, dict]], Counter]] = {}
        self.placed: dict[str, tuple[str, str | None]] = {}  # pod uid -> (node, owner uid)
        for pod in self.api.store.list("pods"):
            self._account(pod)

    def _account(self, pod: dict, node: str | None = None, gone: bool = False) -> None:
        """Count the pod where it runs now (bindings count at once, not a round later)."""
        uid = pod["metadata"]["uid"]
        node = node or pod.get("spec", {}).get("nodeName")
        if gone or pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            node = None
        owner = controller_of(pod)
        want = (node, owner["uid"] if owner else None) if node else None
        have = self.placed.get(uid)
        if want == have:
            return
        for entry, sign in ((have, -1), (want, +1)):
            if entry is None:
                continue
            self.on_node[entry[0]] += sign
            if entry[1]:
                self.owner_on_node[entry[1]][entry[0]] += sign
        if want is None:
            self.placed.pop(uid, None)
        else:
            self.placed[uid] = want

    def keys_for(self, event: Event) -> Iterable[str]:
        if event.resource == "nodes":
            self.static_fits.clear()
            keys, self.waiting = sorted(self.waiting), set()
            return keys
        self._account(event.object, gone=event.type == "DELETED")
        pod = event.object
        spec = pod.get("spec", {})
        if event.type == "DELETED" or spec.get("nodeName") or pod["metadata"].get(
                "deletionTimestamp") or spec.get("schedulerName", "default-scheduler") != \
                "default-scheduler":
            return ()
        return (object_key(pod["metadata"]["namespace"], pod["metadata"]["name"]),)

    def sync(self, key: str) -> None:
        namespace, name = split_key(key)
        pod = self.api.try_get_ref("pods", name, namespace)
        if pod is None or pod["spec"].get("nodeName") or pod["metadata"].get("deletionTimestamp"):
            return
        static, reasons = self._static_fits(pod)
        tied, full = self._best_fits(pod, static)
        if not tied:
            reasons = Counter(reasons)
            if full:
                reasons["Too many pods"] += full
            self._unschedulable(pod, key, self.api.store.count("nodes"), reasons)
            return
        self._bind(pod, tied[self.rng.randrange(len(tied))] if len(tied) > 1 else tied[0])

    def _static_fits(self, pod: dict) -> tuple[list[tuple[str, int, dict]], Counter]:
        """(name, pod capacity, node) of the nodes passing the static filters, and why the
        others failed."""
        spec = pod["spec"]
        # repr, not a canonical json.dumps: it tells JSON values apart just as well and costs
        # a third (the same content in another key order only misses the cache)
        signature = repr((spec.get("tolerations"), spec.get("nodeSelector"),
                          spec.get("affinity")))
        cached = self.static_fits.get(signature)
        if cached is None:
            fits: list[tuple[str, int, dict]] = []
            reasons: Counter[str] = Counter()
            for node in self.api.list_ref("nodes"):
                reason = self._filter(pod, node)
                if reason:
                    reasons[reason] += 1
                else:
                    capacity = int((node.get("status", {}).get("allocatable") or {}).get(
                        "pods", 110))
                    fits.append((node["metadata"]["name"], capacity, node))
            cached = self.static_fits[signature] = (fits, reasons)
        return cached

    def _filter(self, pod: dict, node: dict) -> str | None:
        spec = pod["spec"]
        taint = untolerated_taint(spec, node)
        if taint is not None:
            value = taint.get("value") or ""
            return f"node(s) had untolerated taint {{{taint['key']}: {value}}}"
        if node.get("spec", {}).get("unschedulable") and not tolerates(
                spec.get("tolerations"), {"key": "node.kubernetes.io/unschedulable",
                                          "effect": "NoSchedule"}):
            return "node(s) were unschedulable"
        if not node_affinity_matches(spec, node):
            return "node(s) didn't match Pod's node affinity/selector"
        return None

    def _best_fits(self, pod: dict, static: list[tuple[str, int, dict]]) -> tuple[list, int]:
        """The nodes with room and the fewest pods of this owner, then the fewest pods (ties
        drawn at random by the caller), and how many nodes were full.

        One pass over the nodes with dict.get: it runs for every pod, and Counter's
        __missing__ would be a Python call per absent node."""
        owner = controller_of(pod)
        mine = self.owner_on_node[owner["uid"]] if owner else Counter()
        on_node, best, tied, full = self.on_node, None, [], 0
        for name, capacity, node in static:
            here = on_node.get(name, 0)
            if here >= capacity:
                full += 1
                continue
            score = (mine.get(name, 0), here)
            if best is None or score < best:
                best, tied = score, [node]
            elif score == best:
                tied.append(node)
        return tied, full

    def _bind(self, pod: dict, node: dict) -> None:
        node_name = node["metadata"]["name"]
        now = self.clock.timestamp()

        def bind(p: dict) -> None:
            p["spec"]["nodeName"] = node_name
            conditions = [c for c in p["status"].get("conditions") or []
                          if c["type"] != "PodScheduled"]
            conditions.append({"type": "PodScheduled", "status": "True",
                               "lastProbeTime": None, "lastTransitionTime": now})
            p["status"]["conditions"] = conditions
        self._account(pod, node=node_name)
        pod = self.api.mutate("pods", pod["metadata"]["name"], pod["metadata"]["namespace"], bind,
                              subresource="binding")
        meta = pod["metadata"]
        events.record(self.engine, pod, "Normal", "Scheduled",
                      f"Successfully assigned {meta['namespace']}/{meta['name']} to {node_name}",
                      "default-scheduler")

    def _unschedulable(self, pod: dict, key: str, total: int, reasons: Counter) -> None:
        self.waiting.add(key)
        # FitError.Error sorts the whole "count reason" strings (sort.Strings), so the count
        # leads the order, compared as text: "10 node(s)" comes before "3 node(s)"
        detail = ", ".join(sorted(f"{n} {r}" for r, n in reasons.items()))
        message = (f"0/{total} nodes are available: {detail}. preemption: 0/{total} nodes are "
                   f"available: {total} Preemption is not helpful for scheduling.")
        if not total:
            message = "no nodes available to schedule pods"
        now = self.clock.timestamp()

        def mark(p: dict) -> None:
            conditions = [c for c in p["status"].get("conditions") or []
                          if c["type"] != "PodScheduled"]
            conditions.append({"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                               "lastTransitionTime": now, "reason": "Unschedulable",
                               "message": message})
            p["status"]["conditions"] = conditions
        current = [c for c in pod["status"].get("conditions") or [] if c["type"] == "PodScheduled"]
        if not current or current[0].get("message") != message:
            self.api.mutate("pods", pod["metadata"]["name"], pod["metadata"]["namespace"], mark,
                            subresource="status")
        events.record(self.engine, pod, "Warning", "FailedScheduling", message,
                      "default-scheduler")
