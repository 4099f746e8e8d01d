"""The ReplicaSet (and ReplicationController) controller.

`sync(key)` counts the active pods that match the selector in the set's
namespace (not finished, not being deleted), adopts matching orphans,
releases owned pods whose labels stopped matching, then creates or deletes
the difference. Deletion picks the pods a real cluster would: unscheduled
before scheduled, pending before running, not ready before ready, more
replicas on the node first, ready for less time first, more restarts first,
newest first.

Status is written last, counted from the pods as listed before this sync's
creations and deletions (`calculateStatus(rs, filteredPods, ...)`): scaling
3 to 1 writes replicas 3, and the pod events of the deletions bring the sync
that writes 1. It is written even when a creation or deletion failed (a
quota, a template the API server refuses): the `ReplicaFailure` condition
(reason FailedCreate or FailedDelete, the error as its message) says so until
a sync fails no more, and the error is then returned, so the sync is retried
with back-off. A set being deleted creates and deletes nothing (its pods are
the garbage collector's) but still gets its status. A pod is available once
Ready for `minReadySeconds` (`podutil.IsPodAvailable`); when all are ready
but some not yet available the set looks again after `minReadySeconds`, as
nothing else would wake it then.

A ReplicationController is the same loop over a map selector, so one class
serves both kinds.
"""

from __future__ import annotations

from collections.abc import Iterable

from simcore import errors, events, labels
from simcore.apiserver import INTERNAL, APIServer
from simcore.controllers import burst
from simcore.controllers.workloads import controller_of, controller_ref, owner_key
from simcore.jsoncopy import clone
from simcore.loop import Controller
from simcore.objects import Clock, condition, drop_owner, pod_available, pod_ready
from simcore.resources import object_key, split_key
from simcore.store import Event

_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def active(pod: dict) -> bool:
    return pod["status"].get("phase") not in ("Succeeded", "Failed") and \
        not pod["metadata"].get("deletionTimestamp")


def matching_pods(api: APIServer, namespace: str, selector: labels.Selector) -> list[dict]:
    """Pods in `namespace` whose labels match, using the label index when it can."""
    pairs = selector.equality_pairs()
    if pairs:
        # a copy: the index's own set must not shrink
        names = set(api.store.names_with_label("pods", namespace, *pairs[0]))
        for key, value in pairs[1:]:
            if not names:
                return []
            names &= api.store.names_with_label("pods", namespace, key, value)
        pods: Iterable[dict | None] = [api.store.get("pods", namespace, n) for n in sorted(names)]
    else:
        pods = api.store.list("pods", namespace)
    return [p for p in pods if p is not None and selector.matches(p["metadata"].get("labels"))]


def pod_from_template(owner: dict, template: dict, name_prefix: str | None = None) -> dict:
    meta = template.get("metadata") or {}
    pod_meta = {"generateName": f"{name_prefix or owner['metadata']['name']}-",
                "namespace": owner["metadata"]["namespace"],
                "ownerReferences": [controller_ref(owner)]}
    if meta.get("labels"):
        pod_meta["labels"] = dict(meta["labels"])
    if meta.get("annotations"):
        pod_meta["annotations"] = dict(meta["annotations"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta,
            "spec": clone(template.get("spec") or {})}


def deletion_rank(pod: dict, per_node: dict[str, int], clock: Clock) -> tuple:
    status = pod["status"]
    node = pod["spec"].get("nodeName")
    ready = pod_ready(pod)
    ready_since = next((c.get("lastTransitionTime") for c in status.get("conditions") or []
                        if c["type"] == "Ready"), None) or ""
    restarts = sum(c.get("restartCount", 0) for c in status.get("containerStatuses") or [])
    cost = int((pod["metadata"].get("annotations") or {}).get(
        "controller.kubernetes.io/pod-deletion-cost", 0))
    return (bool(node), _PHASE_RANK.get(status.get("phase"), 2), ready, cost,
            -per_node.get(node, 0), _neg(ready_since) if ready else "", -restarts,
            _neg(pod["metadata"].get("creationTimestamp", "")), pod["metadata"]["name"])


def _neg(stamp: str) -> str:
    """Sort key putting later timestamps first."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in stamp)


class ReplicaSetController(Controller):
    name = "replicaset"
    kind = "ReplicaSet"
    resource = "replicasets.apps"
    component = "replicaset-controller"
    watches = ("replicasets.apps", "pods")

    def keys_for(self, event: Event) -> Iterable[str]:
        if event.resource != "pods":
            return super().keys_for(event)
        key = owner_key(event.object, self.kind)
        if key is not None:
            return (key,)
        if event.type == "DELETED" or controller_of(event.object):
            return ()
        return self._sets_selecting(event.object)

    def _sets_selecting(self, pod: dict) -> list[str]:
        namespace = pod["metadata"]["namespace"]
        keys = []
        for owner in self.api.store.list(self.resource, namespace):
            if self._selector(owner).matches(pod["metadata"].get("labels")):
                keys.append(object_key(namespace, owner["metadata"]["name"]))
        return keys

    def _selector(self, owner: dict) -> labels.Selector:
        return labels.from_label_selector(owner["spec"].get("selector"))

    def sync(self, key: str) -> None:
        namespace, name = split_key(key)
        owner = self.api.try_get_ref(self.resource, name, namespace)
        # gone: the garbage collector removes the pods
        if owner is None:
            return
        selector = self._selector(owner)
        deleting = bool(owner["metadata"].get("deletionTimestamp"))
        # split_key's namespace is None only for a cluster-scoped key; the owner has one
        claimed = self._claim(owner, selector, owner["metadata"]["namespace"], deleting)
        live = [p for p in claimed if active(p)]
        failure = None
        # going: its pods are the garbage collector's, but its status is still kept
        if not deleting:
            try:
                self._manage_replicas(owner, live)
            except errors.APIError as exc:
                failure = exc  # written into the status first, then returned (retried)
        status = self._write_status(owner, live, failure)
        if failure is not None:
            raise failure
        self._wait_for_available(owner, status, key)

    def _manage_replicas(self, owner: dict, live: list[dict]) -> None:
        want = int(owner["spec"].get("replicas", 1))
        if len(live) < want:
            self._create(owner, min(want - len(live), burst.REPLICASET_BURST))
        elif len(live) > want:
            self._delete(owner, live, min(len(live) - want, burst.REPLICASET_BURST))

    def _claim(self, owner: dict, selector: labels.Selector, namespace: str,
               deleting: bool) -> list[dict]:
        """The owner's matching pods; a set being deleted adopts and releases none
        (`ClaimObject` ignores orphans then and keeps what it owns)."""
        uid = owner["metadata"]["uid"]
        claimed = []
        for pod in matching_pods(self.api, namespace, selector):
            ref = controller_of(pod)
            if ref is None and active(pod) and not deleting:
                # an orphan that matches is adopted, as the real controller does
                pod = self.api.mutate("pods", pod["metadata"]["name"], namespace,
                                      lambda p: p["metadata"].setdefault(
                                          "ownerReferences", []).append(controller_ref(owner)))
                claimed.append(pod)
            elif ref is not None and ref.get("uid") == uid:
                claimed.append(pod)
        if deleting:
            return claimed
        for res, ns, pod_name in self.api.store.dependents(uid):
            owned = self.api.store.get(res, ns, pod_name) if res == "pods" else None
            if owned is not None and not selector.matches(owned["metadata"].get("labels")):
                self.api.mutate("pods", pod_name, ns, lambda p: drop_owner(p, uid))
        return claimed

    def _create(self, owner: dict, count: int) -> None:
        """At most one burst, in slow-start batches (`burst`)."""
        if self._namespace_closed(owner):
            return
        template = owner["spec"].get("template") or {}

        def create_one() -> None:
            try:
                pod = self.api.create("pods", pod_from_template(owner, template),
                                      owner["metadata"]["namespace"], INTERNAL,
                                      copy_result=False, owned=True)
            except errors.APIError as exc:  # a quota: the real controller says so, backs off
                events.record(self.engine, owner, "Warning", "FailedCreate",
                              f"Error creating: {exc}", self.component)
                raise
            events.record(self.engine, owner, "Normal", "SuccessfulCreate",
                          f"Created pod: {pod['metadata']['name']}", self.component)
        burst.slow_start_batch(count, create_one, self.engine.spent)

    def _namespace_closed(self, owner: dict) -> bool:
        ns = self.api.store.get("namespaces", "", owner["metadata"]["namespace"])
        return ns is None or bool(ns["metadata"].get("deletionTimestamp"))

    def _delete(self, owner: dict, live: list[dict], count: int) -> None:
        per_node: dict[str, int] = {}
        for pod in live:
            node = pod["spec"].get("nodeName")
            per_node[node] = per_node.get(node, 0) + 1
        doomed = sorted(live, key=lambda p: deletion_rank(p, per_node, self.clock))[:count]
        for pod in doomed:
            self.api.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
            events.record(self.engine, owner, "Normal", "SuccessfulDelete",
                          f"Deleted pod: {pod['metadata']['name']}", self.component)

    def _write_status(self, owner: dict, live: list[dict],
                      failure: errors.APIError | None = None) -> dict:
        namespace, name = owner["metadata"]["namespace"], owner["metadata"]["name"]
        status = self._status(owner, live, failure)
        if owner.get("status") != status:
            self.api.mutate(self.resource, name, namespace,
                            lambda o: o.__setitem__("status", status), subresource="status")
        return status

    def _status(self, owner: dict, live: list[dict], failure: errors.APIError | None) -> dict:
        """`calculateStatus` over `live`, the active pods this sync started from, and the
        error of this sync's creations or deletions, if any."""
        template_labels = ((owner["spec"].get("template") or {}).get("metadata") or {}).get(
            "labels") or {}
        min_ready = int(owner["spec"].get("minReadySeconds", 0))
        ready = sum(1 for p in live if pod_ready(p))
        available = sum(1 for p in live if pod_available(p, min_ready, self.clock))
        status: dict = {"replicas": len(live)}
        full = sum(1 for p in live if all((p["metadata"].get("labels") or {}).get(k) == v
                                          for k, v in template_labels.items()))
        if full:
            status["fullyLabeledReplicas"] = full
        if ready:
            status["readyReplicas"] = ready
        if available:
            status["availableReplicas"] = available
        status["observedGeneration"] = owner["metadata"].get("generation", 1)
        conditions = self._conditions(owner, live, failure)
        if conditions:
            status["conditions"] = conditions
        return status

    def _conditions(self, owner: dict, live: list[dict],
                    failure: errors.APIError | None) -> list[dict]:
        """The set's conditions with ReplicaFailure set or removed. One already there is
        kept as it is while syncs keep failing: its time says when the trouble began."""
        current = list((owner.get("status") or {}).get("conditions") or [])
        existing = condition(owner, "ReplicaFailure")
        if failure is not None and existing is None:
            want = int(owner["spec"].get("replicas", 1))
            reason = "FailedCreate" if len(live) < want else \
                "FailedDelete" if len(live) > want else ""
            current.append({"type": "ReplicaFailure", "status": "True",
                            "lastTransitionTime": self.clock.timestamp(), "reason": reason,
                            "message": str(failure)})
        elif failure is None and existing is not None:
            current = [c for c in current if c.get("type") != "ReplicaFailure"]
        return current

    def _wait_for_available(self, owner: dict, status: dict, key: str) -> None:
        """All ready but not all available: no pod event will come when minReadySeconds
        pass, so look again then (the real controller's `queue.AddAfter`)."""
        min_ready = int(owner["spec"].get("minReadySeconds", 0))
        want = int(owner["spec"].get("replicas", 1))
        if min_ready > 0 and status.get("readyReplicas", 0) == want and \
                status.get("availableReplicas", 0) != want:
            self.requeue_after(key, min_ready)




class ReplicationControllerController(ReplicaSetController):
    name = "replicationcontroller"
    kind = "ReplicationController"
    resource = "replicationcontrollers"
    component = "replication-controller"
    watches = ("replicationcontrollers", "pods")

    def _selector(self, owner: dict) -> labels.Selector:
        selector = owner["spec"].get("selector")
        if not selector:
            selector = ((owner["spec"].get("template") or {}).get("metadata") or {}).get(
                "labels")
        return labels.from_map(selector)
