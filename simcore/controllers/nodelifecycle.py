"""Node lifecycle: a node whose kubelet falls silent goes NotReady, gets tainted, is drained.

Contract: `kubelet_stopped(node)` (what `Simulation.stop_node` calls) silences
the node's kubelet. The node controller notices once node-monitor-grace-period
(40 s) has passed since the last heartbeat: it sets Ready and the pressure
conditions to Unknown (`NodeStatusUnknown`, `Kubelet stopped posting node
status.`), records `NodeNotReady` on the node and marks the node's pods
Ready=False (so the endpoints controller moves them to notReadyAddresses).
Node conditions become taints as the real controller keeps them: Ready
Unknown is `node.kubernetes.io/unreachable` NoExecute and NoSchedule, Ready
False `not-ready`, pressure conditions and `spec.unschedulable` their
NoSchedule taints. The taint-eviction part deletes a pod on a NoExecute-tainted
node when its toleration runs out: at once without one, after the smallest
`tolerationSeconds` otherwise (300 s from the API server's default
tolerations), never for a toleration without seconds (DaemonSet and static
pods); owners replace the deleted pods elsewhere. `kubelet_started(node)`
posts Ready again; the taints go and scheduled evictions are cancelled, and
the kubelet resyncs the node's pods, finishing those deleted meanwhile.

Pods per node are indexed from the change feed, so a pod change costs one
lookup. Trade-off: the kubelet of a stopped node keeps working until the
node is marked Unknown (the kubelet only checks the node's Ready condition),
and detection is exactly 40 s, without the real controller's 5 s polling.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from simcore import errors, events
from simcore.jsoncopy import clone
from simcore.loop import Controller
from simcore.objects import matching_toleration, pod_ready, ready_status
from simcore.resources import object_key, split_key
from simcore.store import Event

if TYPE_CHECKING:
    from simcore.engine import Engine

GRACE_PERIOD = 40.0  # --node-monitor-grace-period
NODE_COMPONENT = "node-controller"
EVICTION_COMPONENT = "taint-eviction-controller"
UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
KUBELET_CONDITIONS = ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")
CONDITION_TAINTS = (  # condition type, status, NoSchedule taint (TaintNodesByCondition)
    ("Ready", "False", NOT_READY),
    ("Ready", "Unknown", UNREACHABLE),
    ("MemoryPressure", "True", "node.kubernetes.io/memory-pressure"),
    ("DiskPressure", "True", "node.kubernetes.io/disk-pressure"),
    ("PIDPressure", "True", "node.kubernetes.io/pid-pressure"),
    ("NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"),
)
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
MANAGED = {(key, "NoSchedule") for _, _, key in CONDITION_TAINTS} | {
    (UNSCHEDULABLE, "NoSchedule"), (UNREACHABLE, "NoExecute"), (NOT_READY, "NoExecute")}


def wanted_taints(node: dict) -> list[tuple[str, str]]:
    """(key, effect) the controller keeps on the node: NoExecute first, as kubectl shows."""
    ready = ready_status(node)
    wanted = []
    if ready in ("False", "Unknown"):
        wanted.append((NOT_READY if ready == "False" else UNREACHABLE, "NoExecute"))
    conditions = {c.get("type"): c.get("status") for c in
                  node.get("status", {}).get("conditions") or []}
    for type_, status, key in CONDITION_TAINTS:
        if conditions.get(type_) == status:
            wanted.append((key, "NoSchedule"))
    if node.get("spec", {}).get("unschedulable"):
        wanted.append((UNSCHEDULABLE, "NoSchedule"))
    return wanted


def toleration_seconds(pod: dict, taints: list[dict]) -> float | None:
    """Seconds the pod may stay: 0 when a taint is not tolerated, None when forever."""
    shortest = None
    for taint in taints:
        tol = matching_toleration(pod["spec"].get("tolerations"), taint)
        if tol is None:
            return 0.0
        seconds = tol.get("tolerationSeconds")
        if seconds is not None:
            seconds = max(float(seconds), 0.0)
            shortest = seconds if shortest is None else min(shortest, seconds)
    return shortest


@runtime_checkable
class PodPoker(Protocol):
    """The kubelet (node/kubelet.py), which controllers/ may not import, as used here."""

    def poke(self, namespace: str | None, name: str) -> None: ...


class NodeLifecycleController(Controller):
    name = "nodelifecycle"
    watches = ("nodes", "pods")

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self.on_node: dict[str, set[str]] = {}
        self.node_of: dict[str, str] = {}
        for pod in self.api.store.list("pods"):
            self._index(pod)

    def _index(self, pod: dict, remove: bool = False) -> None:
        key = object_key(pod["metadata"]["namespace"], pod["metadata"]["name"])
        old = self.node_of.pop(key, None)
        if old is not None:
            self.on_node.get(old, set()).discard(key)
        node = pod.get("spec", {}).get("nodeName")
        if node and not remove:
            self.node_of[key] = node
            self.on_node.setdefault(node, set()).add(key)

    def keys_for(self, event: Event) -> Iterable[str]:
        obj = event.object
        if event.resource == "nodes":
            return (obj["metadata"]["name"],)
        self._index(obj, remove=event.type == "DELETED")
        node_name = obj.get("spec", {}).get("nodeName")
        node = self.api.store.get("nodes", "", node_name) if node_name else None
        if node is None or event.type == "DELETED":
            return ()
        if any(t.get("effect") == "NoExecute" for t in node.get("spec", {}).get("taints") or []):
            return (node_name,)
        return ()

    # the facade's switches ------------------------------------------------------------------
    def kubelet_stopped(self, node_name: str) -> None:
        node = self.api.get_ref("nodes", node_name)
        stopped = self.state.setdefault("stopped", {})
        if node_name in stopped:
            return
        stopped[node_name] = self.clock.elapsed
        self.state.setdefault("healthy", {})[node_name] = clone(
            node.get("status", {}).get("conditions") or [])
        self.requeue_after(node_name, GRACE_PERIOD)

    def kubelet_started(self, node_name: str) -> None:
        node = self.api.get_ref("nodes", node_name)
        self.state.setdefault("stopped", {}).pop(node_name, None)
        healthy = self.state.setdefault("healthy", {}).pop(node_name, None)
        was_ready = ready_status(node) == "True"
        if healthy is not None and not was_ready:
            now = self.clock.timestamp()
            self.api.mutate("nodes", node_name, None,
                            lambda n: _post_conditions(n, healthy, now), subresource="status")
            events.record(self.engine, node, "Normal", "Starting", "Starting kubelet.",
                          "kubelet", host=node_name)
            events.record(self.engine, node, "Normal", "NodeReady",
                          f"Node {node_name} status is now: NodeReady", "kubelet",
                          host=node_name)
        kubelet = self.engine.by_name.get("kubelet")
        for key in sorted(self.on_node.get(node_name, ())):
            if isinstance(kubelet, PodPoker):
                kubelet.poke(*split_key(key))
        self.queue.add(node_name)

    def countdown(self, node_name: str) -> dict:
        """What comes next for a node, in virtual elapsed seconds: when a stopped kubelet's
        node goes NotReady, and when each pod on it is evicted (for the dashboard)."""
        node = self.api.try_get_ref("nodes", node_name)
        stopped_at = self.state.get("stopped", {}).get(node_name)
        not_ready_at = None
        if stopped_at is not None and node is not None and ready_status(node) != "Unknown":
            not_ready_at = stopped_at + GRACE_PERIOD
        taints = [t for t in ((node or {}).get("spec") or {}).get("taints") or []
                  if t.get("effect") == "NoExecute"]
        evictions = []
        for key, start in sorted(self.state.get("evictions", {}).items()):
            namespace, name = split_key(key)
            pod = self.api.try_get_ref("pods", name, namespace)
            if pod is None or self.node_of.get(key) != node_name or not taints:
                continue
            seconds = toleration_seconds(pod, taints)
            if seconds is not None:
                evictions.append({"pod": key, "at": start + seconds})
        return {"kubelet": "stopped" if stopped_at is not None else "running",
                "not_ready_at": not_ready_at, "evictions": evictions}

    # sync -------------------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        node = self.api.try_get_ref("nodes", key)
        if node is None:
            self.state.get("stopped", {}).pop(key, None)
            return
        node = self._monitor_health(node)
        node = self._taint(node)
        self._evict(node)

    def _monitor_health(self, node: dict) -> dict:
        name = node["metadata"]["name"]
        stopped_at = self.state.get("stopped", {}).get(name)
        if stopped_at is None or ready_status(node) == "Unknown":
            return node
        due = stopped_at + GRACE_PERIOD
        if self.clock.elapsed + 1e-9 < due:
            self.requeue_at(due, name)
            return node
        now = self.clock.timestamp()
        node = self.api.mutate("nodes", name, None, lambda n: _conditions_unknown(n, now),
                               subresource="status")
        # node events name the node as their uid, as RecordNodeStatusChange does
        events.record(self.engine, {**node, "metadata": {**node["metadata"], "uid": name}},
                      "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady",
                      NODE_COMPONENT)
        self._mark_pods_not_ready(name, now)
        return node

    def _mark_pods_not_ready(self, node_name: str, now: str) -> None:
        for pod in self._pods(node_name):
            if not pod_ready(pod):
                continue
            meta = pod["metadata"]
            self.api.mutate("pods", meta["name"], meta["namespace"],
                            lambda p: _ready_false(p, now), subresource="status")
            events.record(self.engine, pod, "Warning", "NodeNotReady", "Node is not ready",
                          NODE_COMPONENT)

    def _taint(self, node: dict) -> dict:
        wanted = wanted_taints(node)
        current = node.get("spec", {}).get("taints") or []
        kept = [t for t in current if (t.get("key"), t.get("effect")) not in MANAGED or
                (t.get("key"), t.get("effect")) in wanted]
        have = {(t.get("key"), t.get("effect")) for t in kept}
        now = self.clock.timestamp()
        added = [{"key": key, "effect": effect, **({"timeAdded": now} if effect == "NoExecute"
                                                    else {})}
                 for key, effect in wanted if (key, effect) not in have]
        taints = kept + added
        if taints == current:
            return node

        def retaint(n: dict) -> None:
            if taints:
                n["spec"]["taints"] = taints
            else:
                n["spec"].pop("taints", None)
        return self.api.mutate("nodes", node["metadata"]["name"], None, retaint)

    # taint eviction (tainteviction/taint_eviction.go) ----------------------------------------
    def _evict(self, node: dict) -> None:
        name = node["metadata"]["name"]
        taints = [t for t in node.get("spec", {}).get("taints") or []
                  if t.get("effect") == "NoExecute"]
        scheduled = self.state.setdefault("evictions", {})
        wake = []
        for pod in self._pods(name):
            key = object_key(pod["metadata"]["namespace"], pod["metadata"]["name"])
            if pod["metadata"].get("deletionTimestamp"):
                scheduled.pop(key, None)
                continue
            seconds = toleration_seconds(pod, taints) if taints else None
            if seconds is None:
                self._cancel(pod, key)
                continue
            start = scheduled.setdefault(key, self.clock.elapsed)
            if self.clock.elapsed + 1e-9 >= start + seconds:
                scheduled.pop(key, None)
                self._delete(pod)
            else:
                wake.append(start + seconds)
        if wake:
            self.requeue_at(min(wake), name)

    def _cancel(self, pod: dict, key: str) -> None:
        if self.state.get("evictions", {}).pop(key, None) is None:
            return
        events.record(self.engine, pod, "Normal", "TaintManagerEviction",
                      f"Cancelling deletion of Pod {key}", EVICTION_COMPONENT)

    def _delete(self, pod: dict) -> None:
        meta = pod["metadata"]
        events.record(self.engine, pod, "Normal", "TaintManagerEviction",
                      f"Marking for deletion Pod {meta['namespace']}/{meta['name']}",
                      EVICTION_COMPONENT)
        now = self.clock.timestamp()
        try:
            self.api.mutate("pods", meta["name"], meta["namespace"],
                            lambda p: _disruption_target(p, now), subresource="status")
            self.api.delete("pods", meta["name"], meta["namespace"])
        except errors.NotFound:
            pass

    def _pods(self, node_name: str) -> list[dict]:
        pods = (self.api.store.get("pods", *split_key(k)) for k in
                sorted(self.on_node.get(node_name, ())))
        return [p for p in pods if p is not None]


def _conditions_unknown(node: dict, now: str) -> None:
    for cond in node["status"].get("conditions") or []:
        if cond.get("type") in KUBELET_CONDITIONS and cond.get("status") != "Unknown":
            cond.update(status="Unknown", reason="NodeStatusUnknown",
                        message="Kubelet stopped posting node status.", lastTransitionTime=now)


def _post_conditions(node: dict, healthy: list[dict], now: str) -> None:
    """The restarted kubelet posts its conditions: fresh heartbeats, transitions where changed."""
    old = {c.get("type"): c for c in node["status"].get("conditions") or []}
    posted = []
    for cond in healthy:
        cond = dict(cond, lastHeartbeatTime=now)
        if old.get(cond["type"], {}).get("status") != cond.get("status"):
            cond["lastTransitionTime"] = now
        posted.append(cond)
    node["status"]["conditions"] = posted


def _ready_false(pod: dict, now: str) -> None:
    for cond in pod["status"].get("conditions") or []:
        if cond.get("type") == "Ready" and cond.get("status") != "False":
            cond["status"] = "False"
            cond["lastTransitionTime"] = now


def _disruption_target(pod: dict, now: str) -> None:
    conditions = [c for c in pod["status"].get("conditions") or []
                  if c.get("type") != "DisruptionTarget"]
    conditions.append({"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
                       "lastTransitionTime": now, "reason": "DeletionByTaintManager",
                       "message": "Taint manager: deleting due to NoExecute taint"})
    pod["status"]["conditions"] = conditions
