"""The StatefulSet controller: pods with stable names, hostnames and claims, in order.

Contract: replica `i` is the pod `<sts>-<i>` with `spec.hostname` = its name,
`spec.subdomain` = `serviceName`, the labels `statefulset.kubernetes.io/pod-name`,
`apps.kubernetes.io/pod-index` and `controller-revision-hash` (the name of its
ControllerRevision), and for each volumeClaimTemplate a PVC `<claim>-<pod>`
created before the pod (and never deleted here: the default retention policy
is Retain). With podManagementPolicy OrderedReady, a pod is created only when
every lower ordinal is Running and Ready, scale-down removes the highest
ordinal first and waits until it is gone, and nothing moves while a pod is
unhealthy; Parallel creates and deletes all at once. A deleted pod comes back
with the same name once the old one has gone; a Failed or Succeeded one is
deleted and recreated. RollingUpdate replaces pods from the highest ordinal
down to `partition`, one at a time, each after its predecessor is healthy;
OnDelete waits for the user. Status carries the counts and the current and
update revisions.

This follows pkg/controller/statefulset/stateful_set_control.go
(updateStatefulSet, processReplica, processCondemned) and stateful_set_utils.go
closely; the ControllerRevision helpers are the DaemonSet controller's. The
trade-off: claim retention policies other than Retain, `spec.ordinals` and
maxUnavailable for rolling updates (alpha) are not modelled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from simcore import errors, events, labels
from simcore.apiserver import INTERNAL
from simcore.controllers import burst
from simcore.controllers.daemonset import (
    HASH_LABEL,
    create_revision,
    delete_revision,
    owned_revisions,
    revision_data,
    set_revision_number,
    template_of_revision,
)
from simcore.controllers.deployment import select_objects
from simcore.controllers.replicaset import pod_from_template
from simcore.controllers.workloads import (
    controller_of,
    controller_ref,
    owner_key,
    workload_selector,
)
from simcore.jsoncopy import clone
from simcore.loop import Controller
from simcore.names import pod_template_hash
from simcore.objects import drop_owner, pod_available, pod_ready
from simcore.resources import object_key, split_key
from simcore.store import Event

COMPONENT = "statefulset-controller"
RESOURCE = "statefulsets.apps"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
_ORDINAL = re.compile(r"^(.*)-([0-9]+)$")


def ordinal_of(pod: dict) -> tuple[str, int]:
    match = _ORDINAL.match(pod["metadata"]["name"])
    return (match.group(1), int(match.group(2))) if match else ("", -1)


def claim_name(claim: dict, pod_name: str) -> str:
    return f"{claim['metadata']['name']}-{pod_name}"


def _running_and_ready(pod: dict) -> bool:
    return pod["status"].get("phase") == "Running" and pod_ready(pod)


def _terminating(pod: dict) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def _healthy(pod: dict | None) -> bool:
    return pod is not None and _running_and_ready(pod) and not _terminating(pod)


def _revision_label(pod: dict) -> str:
    label: str = (pod["metadata"].get("labels") or {}).get(HASH_LABEL, "")
    return label


class StatefulSetController(Controller):
    name = "statefulset"
    watches = (RESOURCE, "pods")

    def keys_for(self, event: Event) -> Iterable[str]:
        obj = event.object
        if event.resource == RESOURCE:
            return super().keys_for(event)
        key = owner_key(obj, "StatefulSet")
        if key is not None:
            return (key,)
        if event.type == "DELETED" or controller_of(obj) is not None:
            return ()
        namespace = obj["metadata"]["namespace"]
        keys = []
        for sts in self.api.store.list(RESOURCE, namespace):
            selector = workload_selector(sts)
            if selector is not None and selector.matches(obj["metadata"].get("labels")) and \
                    ordinal_of(obj)[0] == sts["metadata"]["name"]:
                keys.append(object_key(namespace, sts["metadata"]["name"]))
        return keys

    def sync(self, key: str) -> None:
        namespace, name = split_key(key)
        sts = self.api.try_get_ref(RESOURCE, name, namespace)
        selector = workload_selector(sts) if sts is not None else None
        if sts is None or selector is None:
            return
        revisions = owned_revisions(self.api, sts, selector)
        current, update, collisions = self._revisions(sts, revisions)
        if current is None or update is None:
            return
        pods = self._claim(sts, selector)
        status = self._update(key, sts, current, update, collisions, pods)
        self._write_status(key, sts, status)
        self._truncate_history(sts, self._claim(sts, selector), revisions, current, update)

    # revisions ----------------------------------------------------------------------------
    def _revisions(self, sts: dict, revisions: list[dict]) -> tuple[dict | None, dict | None,
                                                                    int]:
        collisions = int((sts.get("status") or {}).get("collisionCount", 0))
        data = revision_data(sts["spec"].get("template") or {})
        number = (revisions[-1].get("revision", 0) if revisions else 0) + 1
        equal = [r for r in revisions if r.get("data") == data]
        update: dict | None
        if equal and revisions and equal[-1] is revisions[-1]:
            update = revisions[-1]
        elif equal:
            update = set_revision_number(self.api, equal[-1], number)
        else:
            hash_ = pod_template_hash(data, collisions)
            update = create_revision(self.api, sts, data, number,
                                     f"{sts['metadata']['name']}-{hash_}", hash_)
            if update is None:
                collisions += 1
                meta = sts["metadata"]
                self.api.mutate(RESOURCE, meta["name"], meta["namespace"], lambda o: o.setdefault(
                    "status", {}).__setitem__("collisionCount", collisions),
                    subresource="status")
                return None, None, collisions
        wanted = (sts.get("status") or {}).get("currentRevision")
        current = next((r for r in revisions if r["metadata"]["name"] == wanted), update)
        return current, update, collisions

    def _truncate_history(self, sts: dict, pods: list[dict], revisions: list[dict],
                          current: dict, update: dict) -> None:
        live = {current["metadata"]["name"], update["metadata"]["name"]}
        live |= {_revision_label(p) for p in pods}
        history = [r for r in revisions if r["metadata"]["name"] not in live]
        excess = len(history) - int(sts["spec"].get("revisionHistoryLimit", 10))
        for revision in history[:max(excess, 0)]:
            delete_revision(self.api, revision)

    # pods ---------------------------------------------------------------------------------
    def _claim(self, sts: dict, selector: labels.Selector) -> list[dict]:
        meta = sts["metadata"]
        uid, namespace = meta["uid"], meta["namespace"]
        claimed = {}
        for res, ns, pod_name in self.api.store.dependents(uid):
            pod = self.api.store.get(res, ns, pod_name) if res == "pods" else None
            if pod is None:
                continue
            if selector.matches(pod["metadata"].get("labels")) and \
                    ordinal_of(pod)[0] == meta["name"]:
                claimed[pod_name] = pod
            elif not meta.get("deletionTimestamp"):
                self.api.mutate("pods", pod_name, ns, lambda p: drop_owner(p, uid))
        if not meta.get("deletionTimestamp"):
            for pod in select_objects(self.api, "pods", namespace, selector):
                if controller_of(pod) is None and ordinal_of(pod)[0] == meta["name"] and \
                        not _terminating(pod):
                    pod = self.api.mutate("pods", pod["metadata"]["name"], namespace, lambda p: p[
                        "metadata"].setdefault("ownerReferences", []).append(controller_ref(sts)))
                    claimed[pod["metadata"]["name"]] = pod
        return list(claimed.values())

    def _update(self, key: str, sts: dict, current: dict, update: dict, collisions: int,
                pods: list[dict]) -> dict:
        """updateStatefulSet: create, replace and condemn pods; the status to write."""
        count = int(sts["spec"].get("replicas", 1))
        # Only the ordinals up to one burst past the highest pod are looked at: the rest are
        # all missing, and a sync creates no more than a burst of them anyway. The real
        # controller allocates a slot per replica, which `replicas: 100000000` makes 800 MB.
        highest = max((ordinal_of(p)[1] for p in pods), default=-1)
        count = min(count, max(highest, -1) + 1 + burst.STATEFULSET_BURST)
        replicas: list[dict | None] = [None] * count
        condemned = []
        for pod in pods:
            ordinal = ordinal_of(pod)[1]
            if 0 <= ordinal < count:
                replicas[ordinal] = pod
            elif ordinal >= 0:
                condemned.append(pod)
        condemned.sort(key=lambda p: -ordinal_of(p)[1])
        unhealthy = [p for p in replicas if not _healthy(p)] + \
            [p for p in reversed(condemned) if not _healthy(p)]
        first_unhealthy = unhealthy[0] if unhealthy else None
        if not sts["metadata"].get("deletionTimestamp"):
            self._scale(sts, current, update, replicas, condemned, first_unhealthy)
        return self._status(sts, current, update, collisions)

    def _scale(self, sts: dict, current: dict, update: dict, replicas: list, condemned: list,
               first_unhealthy: dict | None) -> None:
        monotonic = sts["spec"].get("podManagementPolicy", "OrderedReady") != "Parallel"
        for ordinal in range(len(replicas)):
            if self._process_replica(sts, current, update, replicas, ordinal) and monotonic:
                return
        for pod in condemned:
            if self._process_condemned(sts, pod, first_unhealthy, monotonic) and monotonic:
                return
        strategy = sts["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return
        partition = int((strategy.get("rollingUpdate") or {}).get("partition", 0))
        for ordinal in range(len(replicas) - 1, partition - 1, -1):
            pod = replicas[ordinal]
            if pod is None:
                return
            if _revision_label(pod) != update["metadata"]["name"] and not _terminating(pod):
                self._delete_pod(sts, pod)
                return
            if not _healthy(pod):
                return

    def _process_replica(self, sts: dict, current: dict, update: dict, replicas: list,
                         ordinal: int) -> bool:
        """One replica in order; True when an OrderedReady set must stop here."""
        pod = replicas[ordinal]
        monotonic = sts["spec"].get("podManagementPolicy", "OrderedReady") != "Parallel"
        if pod is not None and pod["status"].get("phase") in ("Failed", "Succeeded") and \
                not _terminating(pod):
            failed = pod["status"]["phase"] == "Failed"
            events.record(self.engine, sts, "Warning" if failed else "Normal",
                          "RecreatingFailedPod" if failed else "RecreatingTerminatedPod",
                          f"StatefulSet {sts['metadata']['namespace']}/{sts['metadata']['name']}"
                          f" is recreating {'failed' if failed else 'terminated'} Pod "
                          f"{pod['metadata']['name']}", COMPONENT)
            self._delete_pod(sts, pod)
            pod = replicas[ordinal] = self.api.try_get_ref("pods", pod["metadata"]["name"],
                                                           pod["metadata"]["namespace"])
            if pod is not None:
                return True
        if pod is None:
            pod = replicas[ordinal] = self._create_pod(sts, current, update, ordinal)
            return pod is None or monotonic
        if _terminating(pod):
            return True
        if not _running_and_ready(pod):
            return True
        if not pod_available(pod, int(sts["spec"].get("minReadySeconds", 0)), self.clock):
            return True
        self._fix_identity(sts, pod, ordinal)
        return False

    def _process_condemned(self, sts: dict, pod: dict, first_unhealthy: dict | None,
                           monotonic: bool) -> bool:
        if _terminating(pod):
            return True
        min_ready = int(sts["spec"].get("minReadySeconds", 0))
        if monotonic and pod is not first_unhealthy and not (
                _running_and_ready(pod) and pod_available(pod, min_ready, self.clock)):
            return True
        self._delete_pod(sts, pod)
        return True

    def _new_pod(self, sts: dict, current: dict, update: dict, ordinal: int) -> dict:
        """newVersionedStatefulSetPod: ordinals below the partition keep the current revision."""
        strategy = sts["spec"].get("updateStrategy") or {}
        partition = int((strategy.get("rollingUpdate") or {}).get("partition", 0))
        rolling = strategy.get("type", "RollingUpdate") == "RollingUpdate"
        revision = current if rolling and ordinal < partition else update
        template = template_of_revision(revision)
        name = f"{sts['metadata']['name']}-{ordinal}"
        pod = pod_from_template(sts, template)
        meta = pod["metadata"]
        meta.pop("generateName", None)
        meta["name"] = name
        meta["labels"] = {**(meta.get("labels") or {}), POD_NAME_LABEL: name,
                          POD_INDEX_LABEL: str(ordinal), HASH_LABEL: revision["metadata"]["name"]}
        pod["spec"]["hostname"] = name
        if sts["spec"].get("serviceName"):
            pod["spec"]["subdomain"] = sts["spec"]["serviceName"]
        _attach_claims(sts, pod)
        return pod

    def _create_pod(self, sts: dict, current: dict, update: dict, ordinal: int) -> dict | None:
        pod = self._new_pod(sts, current, update, ordinal)
        name = pod["metadata"]["name"]
        if not self._create_claims(sts, name):
            return None
        try:
            created = self.api.create("pods", pod, sts["metadata"]["namespace"], INTERNAL)
        except errors.AlreadyExists:
            return None
        except errors.APIError as exc:
            events.record(self.engine, sts, "Warning", "FailedCreate",
                          f"create Pod {name} in StatefulSet {sts['metadata']['name']} failed "
                          f"error: {exc.status['message']}", COMPONENT)
            return None
        events.record(self.engine, sts, "Normal", "SuccessfulCreate",
                      f"create Pod {name} in StatefulSet {sts['metadata']['name']} successful",
                      COMPONENT)
        return created

    def _create_claims(self, sts: dict, pod_name: str) -> bool:
        namespace, sts_name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        ok = True
        for claim in persistent_volume_claims(sts, pod_name):
            name = claim["metadata"]["name"]
            existing = self.api.try_get_ref("persistentvolumeclaims", name, namespace)
            if existing is not None:
                if existing["metadata"].get("deletionTimestamp"):
                    ok = False
                continue
            try:
                self.api.create("persistentvolumeclaims", claim, namespace, INTERNAL)
            except errors.APIError as exc:
                events.record(self.engine, sts, "Warning", "FailedCreate",
                              f"create Claim {name} for Pod {pod_name} in StatefulSet {sts_name}"
                              f" failed error: failed to create PVC {name}: "
                              f"{exc.status['message']}", COMPONENT)
                ok = False
                continue
            events.record(self.engine, sts, "Normal", "SuccessfulCreate",
                          f"create Claim {name} Pod {pod_name} in StatefulSet {sts_name} "
                          "success", COMPONENT)
        return ok

    def _delete_pod(self, sts: dict, pod: dict) -> None:
        try:
            self.api.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
        except errors.NotFound:
            return
        events.record(self.engine, sts, "Normal", "SuccessfulDelete",
                      f"delete Pod {pod['metadata']['name']} in StatefulSet "
                      f"{sts['metadata']['name']} successful", COMPONENT)

    def _fix_identity(self, sts: dict, pod: dict, ordinal: int) -> None:
        """An adopted pod gets the identity labels it lacks (labels are mutable, volumes not)."""
        wanted = {POD_NAME_LABEL: pod["metadata"]["name"], POD_INDEX_LABEL: str(ordinal)}
        have = pod["metadata"].get("labels") or {}
        if all(have.get(k) == v for k, v in wanted.items()):
            return
        self.api.mutate("pods", pod["metadata"]["name"], pod["metadata"]["namespace"],
                        lambda p: p["metadata"].setdefault("labels", {}).update(wanted))

    # status -------------------------------------------------------------------------------
    def _status(self, sts: dict, current: dict, update: dict, collisions: int) -> dict:
        meta = sts["metadata"]
        pods = [p for p in (self.api.store.get("pods", ns, n) for r, ns, n in
                            self.api.store.dependents(meta["uid"]) if r == "pods")
                if p is not None and ordinal_of(p)[0] == meta["name"]]
        min_ready = int(sts["spec"].get("minReadySeconds", 0))
        counts = dict.fromkeys(("replicas", "ready", "available", "current", "updated"), 0)
        for pod in pods:
            counts["replicas"] += 1
            if _running_and_ready(pod):
                counts["ready"] += 1
                counts["available"] += 1 if pod_available(pod, min_ready, self.clock) else 0
            if not _terminating(pod):
                revision = _revision_label(pod)
                counts["current"] += revision == current["metadata"]["name"]
                counts["updated"] += revision == update["metadata"]["name"]
        status = {"observedGeneration": meta.get("generation", 1), "replicas": counts["replicas"],
                  "readyReplicas": counts["ready"], "currentReplicas": counts["current"],
                  "updatedReplicas": counts["updated"],
                  "currentRevision": current["metadata"]["name"],
                  "updateRevision": update["metadata"]["name"], "collisionCount": collisions,
                  "availableReplicas": counts["available"]}
        strategy = (sts["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate")
        if strategy == "RollingUpdate" and counts["updated"] == counts["replicas"] == \
                counts["ready"]:
            status["currentReplicas"] = counts["updated"]
            status["currentRevision"] = status["updateRevision"]
        return status

    def _write_status(self, key: str, sts: dict, status: dict) -> None:
        # int32 counters with omitempty vanish at zero; availableReplicas always shows
        status = {k: v for k, v in status.items()
                  if v or k in ("replicas", "availableReplicas", "collisionCount")}
        min_ready = int(sts["spec"].get("minReadySeconds", 0))
        if min_ready and status.get("readyReplicas", 0) != status["availableReplicas"]:
            self.requeue_after(key, min_ready)
        if sts.get("status") != status:
            meta = sts["metadata"]
            self.api.mutate(RESOURCE, meta["name"], meta["namespace"],
                            lambda o: o.__setitem__("status", status), subresource="status")


def persistent_volume_claims(sts: dict, pod_name: str) -> list[dict]:
    """The PVCs a pod of the set uses: templates named `<claim>-<pod>`, with the selector's labels."""
    match_labels = (sts["spec"].get("selector") or {}).get("matchLabels") or {}
    claims = []
    for template in sts["spec"].get("volumeClaimTemplates") or []:
        claim = clone(template)
        claim.pop("status", None)
        meta = claim.setdefault("metadata", {})
        meta["name"] = claim_name(template, pod_name)
        meta["namespace"] = sts["metadata"]["namespace"]
        meta["labels"] = {**(meta.get("labels") or {}), **match_labels}
        claims.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim", **claim})
    return claims


def _attach_claims(sts: dict, pod: dict) -> None:
    """updateStorage: a persistentVolumeClaim volume per template, replacing same-named volumes."""
    templates = sts["spec"].get("volumeClaimTemplates") or []
    names = {t["metadata"]["name"] for t in templates}
    volumes = [{"name": t["metadata"]["name"], "persistentVolumeClaim": {
        "claimName": claim_name(t, pod["metadata"]["name"])}} for t in templates]
    volumes += [v for v in pod["spec"].get("volumes") or [] if v.get("name") not in names]
    if volumes:
        pod["spec"]["volumes"] = volumes



