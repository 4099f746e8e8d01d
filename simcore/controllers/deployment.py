"""The Deployment controller: ReplicaSets per pod template, rolled from one to the next.

Contract: a Deployment owns one ReplicaSet per distinct pod template, named
`<deployment>-<pod-template-hash>`, whose selector and template carry the
`pod-template-hash` label. The ReplicaSet whose template equals the
Deployment's (ignoring that label) is the new one; all others are old.
RollingUpdate grows the new set while the total stays within
`replicas + maxSurge` (surge rounds up) and shrinks old sets while at least
`replicas - maxUnavailable` pods are available (unavailable rounds down; both
zero means one may be unavailable); Recreate scales old sets to zero, waits
until their pods are gone, then scales the new one up. A change of
`spec.replicas` alone is a scaling event: sets are resized in proportion,
without a rollout. `spec.paused` allows only scaling. Old sets beyond
`revisionHistoryLimit` that are scaled to zero are deleted.

Each ReplicaSet carries `deployment.kubernetes.io/revision` (the Deployment
carries the newest), `desired-replicas` and `max-replicas`; rolling back to
an old template gives its set the next revision and keeps the old numbers in
`revision-history`. Status is counted from the sets' status, with the
Available and Progressing conditions and the reasons `kubectl rollout status`
and `describe` show; every resize is a `ScalingReplicaSet` event.

The code follows pkg/controller/deployment (sync.go, rolling.go,
recreate.go, progress.go and util/deployment_util.go) step by step, on
purpose: the order in which the real controller scales decides what students
see in `kubectl get rs -w`. The trade-off: a sync works on a private copy of
the Deployment and writes its metadata and status once at the end, where the
real controller may write status twice in one pass; the end state is the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from simcore import errors, events, labels
from simcore.apiserver import INTERNAL, APIServer
from simcore.controllers.workloads import controller_of, controller_ref, owner_key
from simcore.jsoncopy import clone
from simcore.loop import Controller
from simcore.names import pod_template_hash
from simcore.objects import drop_owner
from simcore.resources import object_key, split_key
from simcore.store import Event

COMPONENT = "deployment-controller"
RESOURCE = "deployments.apps"
RS = "replicasets.apps"
HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
ROLLBACK_TO = "deprecated.deployment.rollback.to"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
SKIPPED_ANNOTATIONS = {LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED, MAX_REPLICAS,
                       ROLLBACK_TO}
MAX_REVISION_HISTORY_CHARS = 2000
MAX_INT32 = 2**31 - 1

# condition reasons (util/deployment_util.go)
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
RS_UPDATED = "ReplicaSetUpdated"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
FAILED_RS_CREATE = "ReplicaSetCreateError"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"


# --- helpers shared with the other workload controllers ---------------------------------------

def select_objects(api: APIServer, resource: str, namespace: str,
                   selector: labels.Selector) -> list[dict]:
    """Objects of `resource` in `namespace` whose labels match, narrowed by the label index."""
    pairs = selector.equality_pairs()
    if pairs:
        # a copy: the index's own set must not shrink
        names = set(api.store.names_with_label(resource, namespace, *pairs[0]))
        for key, value in pairs[1:]:
            if not names:
                return []
            names &= api.store.names_with_label(resource, namespace, key, value)
        objs: Iterable[dict | None] = [api.store.get(resource, namespace, n)
                                       for n in sorted(names)]
    else:
        objs = api.store.list(resource, namespace)
    return [o for o in objs if o is not None and selector.matches(o["metadata"].get("labels"))]


def scaled_value(value: int | str, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: an int as is, `25%` of `total` rounded."""
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.endswith("%"):
        return int(text)
    percent = int(text[:-1])
    if round_up:
        return -(-percent * total // 100)
    return percent * total // 100


def _replicas(obj: dict | None) -> int:
    return int((obj or {}).get("spec", {}).get("replicas", 1))


def _status(obj: dict | None, field: str) -> int:
    return int(((obj or {}).get("status") or {}).get(field, 0))


def is_rolling_update(deploy: dict) -> bool:
    strategy: str = (deploy["spec"].get("strategy") or {}).get("type", "RollingUpdate")
    return strategy == "RollingUpdate"


def resolve_fenceposts(deploy: dict) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) as counts; both zero would deadlock, so unavailable becomes 1."""
    rolling = (deploy["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    desired = _replicas(deploy)
    surge = scaled_value(rolling.get("maxSurge", "25%"), desired, True)
    unavailable = scaled_value(rolling.get("maxUnavailable", "25%"), desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(deploy: dict) -> int:
    return resolve_fenceposts(deploy)[0] if is_rolling_update(deploy) else 0


def max_unavailable(deploy: dict) -> int:
    if not is_rolling_update(deploy) or _replicas(deploy) == 0:
        return 0
    return min(resolve_fenceposts(deploy)[1], _replicas(deploy))


def revision_of(obj: dict) -> int:
    text = (obj["metadata"].get("annotations") or {}).get(REVISION, "")
    try:
        return int(text)
    except ValueError:
        return 0


def _by_creation(rs: dict) -> tuple[str, str]:
    return rs["metadata"].get("creationTimestamp", ""), rs["metadata"]["name"]


def template_without_hash(template: dict | None) -> dict:
    """The template with `pod-template-hash` removed; empty maps dropped as Go's Semantic does."""
    template = clone(template or {})
    meta = template.get("metadata") or {}
    pod_labels = {k: v for k, v in (meta.get("labels") or {}).items() if k != HASH_LABEL}
    if pod_labels:
        meta["labels"] = pod_labels
    else:
        meta.pop("labels", None)
    if meta:
        template["metadata"] = meta
    else:
        template.pop("metadata", None)
    return template


def _condition(deploy: dict, type_: str) -> dict | None:
    conditions: list[dict] = (deploy.get("status") or {}).get("conditions") or []
    for cond in conditions:
        if cond.get("type") == type_:
            return cond
    return None


def _active(rs_list: Iterable[dict | None]) -> list[dict]:
    return [rs for rs in rs_list if rs is not None and _replicas(rs) > 0]


# --- the controller --------------------------------------------------------------------------

class DeploymentController(Controller):
    name = "deployment"
    watches = (RESOURCE, RS, "pods")

    def keys_for(self, event: Event) -> Iterable[str]:
        obj = event.object
        if event.resource == RESOURCE:
            return super().keys_for(event)
        if event.resource == "pods":
            return self._keys_for_pod(event)
        keys: set[str] = set()
        for rs in (event.old, obj):
            if rs is None:
                continue
            key = owner_key(rs, "Deployment")
            if key is not None:
                keys.add(key)
            elif controller_of(rs) is None and event.type != "DELETED":
                keys.update(self._deployments_selecting(rs))
        return sorted(keys)

    def _keys_for_pod(self, event: Event) -> tuple[str, ...]:
        # only a pod that is gone matters here: Recreate waits for the old pods to go
        if event.type != "DELETED":
            return ()
        rs_key = owner_key(event.object, "ReplicaSet")
        if rs_key is None:
            return ()
        namespace, name = split_key(rs_key)
        rs = self.api.store.get(RS, namespace, name)
        key = owner_key(rs, "Deployment") if rs is not None else None
        return (key,) if key else ()

    def _deployments_selecting(self, rs: dict) -> list[str]:
        namespace = rs["metadata"]["namespace"]
        keys = []
        for deploy in self.api.store.list(RESOURCE, namespace):
            try:
                selector = labels.from_label_selector(deploy["spec"].get("selector"))
            except ValueError:
                continue
            if not selector.empty() and selector.matches(rs["metadata"].get("labels")):
                keys.append(object_key(namespace, deploy["metadata"]["name"]))
        return keys

    # sync ---------------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        namespace, name = split_key(key)
        stored = self.api.try_get_ref(RESOURCE, name, namespace)
        if stored is None:
            return
        deploy = clone(stored)
        deploy.setdefault("status", {})
        rs_list = self._claim_replica_sets(deploy)
        if rs_list is None:
            return
        if deploy["metadata"].get("deletionTimestamp"):
            new_rs, old = self._new_and_old(deploy, rs_list, create=False)
            self._sync_status(deploy, [*old, new_rs], new_rs)
        else:
            self._check_paused_conditions(deploy)
            if deploy["spec"].get("paused") or self._is_scaling_event(deploy, rs_list):
                self._sync_scale_only(deploy, rs_list)
            elif (deploy["spec"].get("strategy") or {}).get("type") == "Recreate":
                self._rollout_recreate(deploy, rs_list)
            else:
                self._rollout_rolling(deploy, rs_list)
        self._commit(stored, deploy)

    def _claim_replica_sets(self, deploy: dict) -> list[dict] | None:
        """ClaimReplicaSets: keep owned sets that match, adopt matching orphans, release others."""
        meta = deploy["metadata"]
        try:
            selector = labels.from_label_selector(deploy["spec"].get("selector"))
        except ValueError:
            return None
        uid, namespace = meta["uid"], meta["namespace"]
        claimed = {}
        for res, ns, rs_name in self.api.store.dependents(uid):
            rs = self.api.store.get(res, ns, rs_name) if res == RS else None
            if rs is None:
                continue
            if selector.matches(rs["metadata"].get("labels")) and not selector.empty():
                claimed[rs_name] = rs
            elif not meta.get("deletionTimestamp"):
                self.api.mutate(RS, rs_name, ns, lambda o: drop_owner(o, uid))
        if not meta.get("deletionTimestamp") and not selector.empty():
            for rs in select_objects(self.api, RS, namespace, selector):
                if controller_of(rs) is None and not rs["metadata"].get("deletionTimestamp"):
                    rs = self.api.mutate(RS, rs["metadata"]["name"], namespace, lambda o: o[
                        "metadata"].setdefault("ownerReferences", []).append(
                        controller_ref(deploy)))
                    claimed[rs["metadata"]["name"]] = rs
        return sorted(claimed.values(), key=_by_creation)

    def _commit(self, stored: dict, deploy: dict) -> None:
        meta = stored["metadata"]
        annotations = deploy["metadata"].get("annotations")
        if annotations != meta.get("annotations") and \
                self.api.try_get_ref(RESOURCE, meta["name"], meta["namespace"]) is not None:
            self.api.mutate(RESOURCE, meta["name"], meta["namespace"],
                            lambda d: _set_annotations(d, annotations))
        if deploy.get("status") != (stored.get("status") or {}) and \
                self.api.try_get_ref(RESOURCE, meta["name"], meta["namespace"]) is not None:
            status = deploy["status"]
            self.api.mutate(RESOURCE, meta["name"], meta["namespace"],
                            lambda d: d.__setitem__("status", status), subresource="status")

    # new and old replica sets ---------------------------------------------------------------
    def _new_and_old(self, deploy: dict, rs_list: list[dict],
                     create: bool) -> tuple[dict | None, list[dict]]:
        """getAllReplicaSetsAndSyncRevision: the new set (created if asked) and all old ones."""
        wanted = template_without_hash(deploy["spec"].get("template"))
        existing = next((rs for rs in rs_list if template_without_hash(
            rs["spec"].get("template")) == wanted), None)
        old = [rs for rs in rs_list if rs is not existing]
        new_revision = str(max((revision_of(rs) for rs in old), default=0) + 1)
        if existing is not None:
            return self._sync_existing_new(deploy, existing, new_revision), old
        if not create:
            return None, old
        return self._create_new(deploy, old, new_revision), old

    def _sync_existing_new(self, deploy: dict, rs: dict, new_revision: str) -> dict:
        copy = clone(rs)
        changed = set_new_rs_annotations(deploy, copy, new_revision, exists=True)
        min_ready = deploy["spec"].get("minReadySeconds", 0)
        if changed or copy["spec"].get("minReadySeconds", 0) != min_ready:
            # the Deployment's own revision catches up on the next sync, as in the real code
            return self.api.mutate(RS, rs["metadata"]["name"], rs["metadata"]["namespace"],
                                   lambda o: _copy_new_rs_fields(o, copy, min_ready))
        set_deployment_revision(deploy, (copy["metadata"].get("annotations") or {}).get(
            REVISION, ""))
        if has_progress_deadline(deploy) and _condition(deploy, "Progressing") is None:
            self._set_condition(deploy, "Progressing", "True", FOUND_NEW_RS,
                                f'Found new replica set "{rs["metadata"]["name"]}"')
        return rs

    def _create_new(self, deploy: dict, old: list[dict], new_revision: str) -> dict | None:
        meta = deploy["metadata"]
        body = new_replica_set(deploy)
        body["spec"]["replicas"] = new_rs_new_replicas(deploy, old + [body], body)
        set_new_rs_annotations(deploy, body, new_revision, exists=False)
        rs_name = body["metadata"]["name"]
        try:
            created = self.api.create(RS, body, meta["namespace"], INTERNAL)
        except errors.AlreadyExists:
            return self._existing_or_collision(deploy, rs_name)
        except errors.APIError as exc:
            message = f'Failed to create new replica set "{rs_name}": {exc.status["message"]}'
            if has_progress_deadline(deploy):
                self._set_condition(deploy, "Progressing", "False", FAILED_RS_CREATE, message)
            events.record(self.engine, deploy, "Warning", FAILED_RS_CREATE, message, COMPONENT)
            return None
        replicas = _replicas(created)
        if replicas > 0:
            events.record(self.engine, deploy, "Normal", "ScalingReplicaSet",
                          f"Scaled up replica set {rs_name} from 0 to {replicas}", COMPONENT)
        set_deployment_revision(deploy, new_revision)
        if has_progress_deadline(deploy):
            self._set_condition(deploy, "Progressing", "True", NEW_RS_CREATED,
                                f'Created new replica set "{rs_name}"')
        return created

    def _existing_or_collision(self, deploy: dict, rs_name: str) -> dict | None:
        """The name is taken: ours with our template is the new set; else a hash collision."""
        meta = deploy["metadata"]
        current = self.api.try_get_ref(RS, rs_name, meta["namespace"])
        ref = controller_of(current) if current is not None else None
        if current is not None and ref is not None and ref.get("uid") == meta["uid"] and \
                template_without_hash(
                current["spec"].get("template")) == template_without_hash(
                deploy["spec"].get("template")):
            return current
        # the next hash includes the bumped collisionCount
        deploy["status"]["collisionCount"] = deploy["status"].get("collisionCount", 0) + 1
        return None

    # scaling ------------------------------------------------------------------------------
    def _scale_rs(self, rs: dict, new_scale: int, deploy: dict, operation: str) -> dict:
        """scaleReplicaSet: resize and refresh the replica annotations; an event if resized."""
        desired, maximum = _replicas(deploy), _replicas(deploy) + max_surge(deploy)
        old_scale = _replicas(rs)
        if old_scale == new_scale and not replicas_annotations_need_update(rs, desired, maximum):
            return rs

        def resize(o: dict) -> None:
            o["spec"]["replicas"] = new_scale
            set_replicas_annotations(o, desired, maximum)
        meta = rs["metadata"]
        rs = self.api.mutate(RS, meta["name"], meta["namespace"], resize)
        if old_scale != new_scale:
            events.record(self.engine, deploy, "Normal", "ScalingReplicaSet",
                          f"Scaled {operation} replica set {meta['name']} from {old_scale} to "
                          f"{new_scale}", COMPONENT)
        return rs

    def _scale_and_record(self, rs: dict, new_scale: int, deploy: dict) -> tuple[bool, dict]:
        if _replicas(rs) == new_scale:
            return False, rs
        operation = "up" if _replicas(rs) < new_scale else "down"
        return True, self._scale_rs(rs, new_scale, deploy, operation)

    def _is_scaling_event(self, deploy: dict, rs_list: list[dict]) -> bool:
        new_rs, old = self._new_and_old(deploy, rs_list, create=False)
        for rs in _active([*old, new_rs]):
            desired = (rs["metadata"].get("annotations") or {}).get(DESIRED)
            if desired is not None and desired.isdigit() and int(desired) != _replicas(deploy):
                return True
        return False

    def _sync_scale_only(self, deploy: dict, rs_list: list[dict]) -> None:
        new_rs, old = self._new_and_old(deploy, rs_list, create=False)
        new_rs, old = self._scale(deploy, new_rs, old)
        if deploy["spec"].get("paused"):
            self._cleanup(deploy, old)
        self._sync_status(deploy, [*old, new_rs], new_rs)

    def _scale(self, deploy: dict, new_rs: dict | None,
               old: list[dict]) -> tuple[dict | None, list[dict]]:
        """scale(): one active set takes all; a saturated new set empties the old; else share."""
        target = find_active_or_latest(new_rs, old)
        if target is not None:
            _, scaled = self._scale_and_record(target, _replicas(deploy), deploy)
            return _replace(new_rs, old, scaled)
        if is_saturated(deploy, new_rs):
            for rs in _active(old):
                _, scaled = self._scale_and_record(rs, 0, deploy)
                new_rs, old = _replace(new_rs, old, scaled)
            return new_rs, old
        if not is_rolling_update(deploy):
            return new_rs, old
        for rs, size, operation in proportional_sizes(deploy, _active([*old, new_rs])):
            scaled = self._scale_rs(rs, size, deploy, operation)
            new_rs, old = _replace(new_rs, old, scaled)
        return new_rs, old

    # rolling update (rolling.go) -----------------------------------------------------------
    def _rollout_rolling(self, deploy: dict, rs_list: list[dict]) -> None:
        new_rs, old = self._new_and_old(deploy, rs_list, create=True)
        if new_rs is None:
            self._sync_rollout_status(deploy, old, None)
            return
        scaled, new_rs = self._reconcile_new(deploy, [*old, new_rs], new_rs)
        if scaled:
            self._sync_rollout_status(deploy, [*old, new_rs], new_rs)
            return
        scaled, old = self._reconcile_old(deploy, old, new_rs)
        if not scaled and deployment_complete(deploy, deploy["status"]):
            self._cleanup(deploy, old)
        self._sync_rollout_status(deploy, [*old, new_rs], new_rs)

    def _reconcile_new(self, deploy: dict, all_rs: list[dict],
                       new_rs: dict) -> tuple[bool, dict]:
        desired = _replicas(deploy)
        if _replicas(new_rs) == desired:
            return False, new_rs
        if _replicas(new_rs) > desired:
            return self._scale_and_record(new_rs, desired, deploy)
        return self._scale_and_record(new_rs, new_rs_new_replicas(deploy, all_rs, new_rs),
                                      deploy)

    def _reconcile_old(self, deploy: dict, old: list[dict],
                       new_rs: dict) -> tuple[bool, list[dict]]:
        old_pods = sum(_replicas(rs) for rs in old)
        if old_pods == 0:
            return False, old
        all_pods = old_pods + _replicas(new_rs)
        min_available = _replicas(deploy) - max_unavailable(deploy)
        new_unavailable = _replicas(new_rs) - _status(new_rs, "availableReplicas")
        max_scaled_down = all_pods - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False, old
        old, cleaned = self._cleanup_unhealthy(deploy, old, max_scaled_down)
        old, scaled_down = self._scale_down_old(deploy, old, new_rs)
        return cleaned + scaled_down > 0, old

    def _cleanup_unhealthy(self, deploy: dict, old: list[dict],
                           max_cleanup: int) -> tuple[list[dict], int]:
        """Scale down old sets' unavailable pods first: they serve nobody."""
        total = 0
        result = []
        for rs in sorted(old, key=_by_creation):
            unhealthy = _replicas(rs) - _status(rs, "availableReplicas")
            if total < max_cleanup and _replicas(rs) > 0 and unhealthy > 0:
                count = min(max_cleanup - total, unhealthy)
                _, rs = self._scale_and_record(rs, _replicas(rs) - count, deploy)
                total += count
            result.append(rs)
        return result, total

    def _scale_down_old(self, deploy: dict, old: list[dict],
                        new_rs: dict) -> tuple[list[dict], int]:
        min_available = _replicas(deploy) - max_unavailable(deploy)
        available = sum(_status(rs, "availableReplicas") for rs in [*old, new_rs])
        if available <= min_available:
            return old, 0
        budget = available - min_available
        total = 0
        result = []
        for rs in sorted(old, key=_by_creation):
            if total < budget and _replicas(rs) > 0:
                count = min(_replicas(rs), budget - total)
                _, rs = self._scale_and_record(rs, _replicas(rs) - count, deploy)
                total += count
            result.append(rs)
        return result, total

    # recreate (recreate.go) ------------------------------------------------------------------
    def _rollout_recreate(self, deploy: dict, rs_list: list[dict]) -> None:
        new_rs, old = self._new_and_old(deploy, rs_list, create=False)
        scaled = False
        for rs in _active(old):
            _, rs = self._scale_and_record(rs, 0, deploy)
            new_rs, old = _replace(new_rs, old, rs)
            scaled = True
        if scaled or self._old_pods_running(new_rs, old):
            self._sync_rollout_status(deploy, [*old, new_rs], new_rs)
            return
        if new_rs is None:
            new_rs, old = self._new_and_old(deploy, rs_list, create=True)
            if new_rs is None:
                self._sync_rollout_status(deploy, old, None)
                return
        _, new_rs = self._scale_and_record(new_rs, _replicas(deploy), deploy)
        if deployment_complete(deploy, deploy["status"]):
            self._cleanup(deploy, old)
        self._sync_rollout_status(deploy, [*old, new_rs], new_rs)

    def _old_pods_running(self, new_rs: dict | None, old: list[dict]) -> bool:
        if sum(_status(rs, "replicas") for rs in old):
            return True
        for rs in old:
            for res, namespace, name in self.api.store.dependents(rs["metadata"]["uid"]):
                pod = self.api.store.get(res, namespace, name) if res == "pods" else None
                if pod is not None and pod["status"].get("phase") not in ("Failed",
                                                                           "Succeeded"):
                    return True
        return False

    # history --------------------------------------------------------------------------------
    def _cleanup(self, deploy: dict, old: list[dict]) -> None:
        """Delete the oldest revisions beyond revisionHistoryLimit that have no pods."""
        limit = deploy["spec"].get("revisionHistoryLimit")
        if limit is None:
            return
        alive = [rs for rs in old if not rs["metadata"].get("deletionTimestamp")]
        excess = len(alive) - int(limit)
        for rs in sorted(alive, key=lambda r: (revision_of(r), _by_creation(r)))[:max(excess, 0)]:
            meta = rs["metadata"]
            if _status(rs, "replicas") or _replicas(rs) or \
                    meta.get("generation", 1) > _status(rs, "observedGeneration"):
                continue
            try:
                self.api.delete(RS, meta["name"], meta["namespace"])
            except errors.NotFound:
                pass

    # status (sync.go, progress.go) -----------------------------------------------------------
    def _check_paused_conditions(self, deploy: dict) -> None:
        if not has_progress_deadline(deploy):
            return
        cond = _condition(deploy, "Progressing")
        if cond is not None and cond.get("reason") == TIMED_OUT:
            return
        paused_now = cond is not None and cond.get("reason") == PAUSED
        if deploy["spec"].get("paused") and not paused_now:
            self._set_condition(deploy, "Progressing", "Unknown", PAUSED, "Deployment is paused")
        elif not deploy["spec"].get("paused") and paused_now:
            self._set_condition(deploy, "Progressing", "Unknown", RESUMED,
                                "Deployment is resumed")

    def _set_condition(self, deploy: dict, type_: str, status: str, reason: str,
                       message: str) -> None:
        set_condition(deploy["status"], new_condition(type_, status, reason, message,
                                                      self.clock.timestamp()))

    def _calculate_status(self, deploy: dict, all_rs: Sequence[dict | None],
                          new_rs: dict | None) -> dict:
        present = [rs for rs in all_rs if rs is not None]
        available = sum(_status(rs, "availableReplicas") for rs in present)
        total_spec = sum(_replicas(rs) for rs in present)
        counts = {
            "observedGeneration": deploy["metadata"].get("generation", 1),
            "replicas": sum(_status(rs, "replicas") for rs in present),
            "updatedReplicas": _status(new_rs, "replicas") if new_rs is not None else 0,
            "readyReplicas": sum(_status(rs, "readyReplicas") for rs in present),
            "availableReplicas": available,
            "unavailableReplicas": max(total_spec - available, 0),
        }
        status = {k: v for k, v in counts.items() if v}
        old = deploy.get("status") or {}
        if old.get("conditions"):
            status["conditions"] = clone(old["conditions"])
        if "collisionCount" in old:
            status["collisionCount"] = old["collisionCount"]
        now = self.clock.timestamp()
        if available >= _replicas(deploy) - max_unavailable(deploy):
            set_condition(status, new_condition("Available", "True", "MinimumReplicasAvailable",
                                                "Deployment has minimum availability.", now))
        else:
            set_condition(status, new_condition("Available", "False",
                                                "MinimumReplicasUnavailable",
                                                "Deployment does not have minimum availability.",
                                                now))
        return status

    def _sync_status(self, deploy: dict, all_rs: Sequence[dict | None], new_rs: dict | None) -> None:
        """syncDeploymentStatus: counts and Available, leaving Progressing as it is."""
        deploy["status"] = self._calculate_status(deploy, all_rs, new_rs)

    def _sync_rollout_status(self, deploy: dict, all_rs: Sequence[dict | None],
                             new_rs: dict | None) -> None:
        """syncRolloutStatus: counts, Available, and Progressing judged against the deadline."""
        status = self._calculate_status(deploy, all_rs, new_rs)
        if not has_progress_deadline(deploy):
            remove_condition(status, "Progressing")
        current = _condition(deploy, "Progressing")
        complete_before = status.get("replicas", 0) == status.get("updatedReplicas", 0) and \
            current is not None and current.get("reason") == NEW_RS_AVAILABLE
        if has_progress_deadline(deploy) and not complete_before:
            self._judge_progress(deploy, status, current, new_rs)
        # one failure shown, the new set's before the old ones' (getReplicaFailures)
        failures = replica_failures(all_rs, new_rs)
        if failures:
            set_condition(status, failures[0])
        else:
            remove_condition(status, "ReplicaFailure")
        if status == deploy.get("status"):
            self._requeue_stuck(deploy, status)
        deploy["status"] = status

    def _judge_progress(self, deploy: dict, status: dict, current: dict | None,
                        new_rs: dict | None) -> None:
        now = self.clock.timestamp()
        subject = (f'ReplicaSet "{new_rs["metadata"]["name"]}"' if new_rs is not None
                   else f'Deployment "{deploy["metadata"]["name"]}"')
        if deployment_complete(deploy, status):
            set_condition(status, new_condition("Progressing", "True", NEW_RS_AVAILABLE,
                                                f"{subject} has successfully progressed.", now))
        elif deployment_progressing(deploy, status):
            cond = new_condition("Progressing", "True", RS_UPDATED, f"{subject} is progressing.",
                                 now)
            if current is not None:
                if current.get("status") == "True":
                    cond["lastTransitionTime"] = current["lastTransitionTime"]
                remove_condition(status, "Progressing")
            set_condition(status, cond)
        elif self._timed_out(deploy, status):
            set_condition(status, new_condition("Progressing", "False", TIMED_OUT,
                                                f"{subject} has timed out progressing.", now))

    def _timed_out(self, deploy: dict, status: dict) -> bool:
        cond = _condition({"status": status}, "Progressing")
        if cond is None or cond.get("reason") == NEW_RS_AVAILABLE:
            return False
        if cond.get("reason") == TIMED_OUT:
            return True
        since = self.clock.seconds_since(cond.get("lastUpdateTime"))
        return since > int(deploy["spec"]["progressDeadlineSeconds"])

    def _requeue_stuck(self, deploy: dict, status: dict) -> None:
        """Look again when the progress deadline passes, if nothing else wakes the Deployment."""
        cond = _condition(deploy, "Progressing")
        if not has_progress_deadline(deploy) or cond is None:
            return
        if deployment_complete(deploy, status) or cond.get("reason") == TIMED_OUT:
            return
        since = self.clock.seconds_since(cond.get("lastUpdateTime"))
        remaining = int(deploy["spec"]["progressDeadlineSeconds"]) - since
        meta = deploy["metadata"]
        self.requeue_after(object_key(meta["namespace"], meta["name"]), max(remaining, 0) + 1)


# --- pure functions from util/deployment_util.go -----------------------------------------------

def has_progress_deadline(deploy: dict) -> bool:
    deadline = deploy["spec"].get("progressDeadlineSeconds")
    return deadline is not None and deadline != MAX_INT32


def new_condition(type_: str, status: str, reason: str, message: str, now: str) -> dict:
    return {"type": type_, "status": status, "lastUpdateTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message}


def set_condition(status: dict, cond: dict) -> None:
    """SetDeploymentCondition: same status and reason is a no-op; a change moves it last."""
    conditions = status.get("conditions") or []
    current = next((c for c in conditions if c["type"] == cond["type"]), None)
    if current is not None and current["status"] == cond["status"] and \
            current.get("reason") == cond["reason"]:
        return
    if current is not None and current["status"] == cond["status"]:
        cond = {**cond, "lastTransitionTime": current["lastTransitionTime"]}
    status["conditions"] = [c for c in conditions if c["type"] != cond["type"]] + [cond]


def replica_failures(all_rs: Sequence[dict | None], new_rs: dict | None) -> list[dict]:
    """getReplicaFailures: the ReplicaFailure conditions of the new ReplicaSet, else of all
    of them, as Deployment conditions (ReplicaSetToDeploymentCondition: both times are the
    set's lastTransitionTime)."""
    def failures(sets: Sequence[dict | None]) -> list[dict]:
        return [{"type": c["type"], "status": c["status"],
                 "lastUpdateTime": c.get("lastTransitionTime"),
                 "lastTransitionTime": c.get("lastTransitionTime"),
                 "reason": c.get("reason", ""), "message": c.get("message", "")}
                for rs in sets if rs is not None
                for c in (rs.get("status") or {}).get("conditions") or []
                if c.get("type") == "ReplicaFailure"]
    return failures([new_rs]) or failures(all_rs)


def remove_condition(status: dict, type_: str) -> None:
    conditions = [c for c in status.get("conditions") or [] if c["type"] != type_]
    if conditions:
        status["conditions"] = conditions
    else:
        status.pop("conditions", None)


def _count(status: dict, field: str) -> int:
    count: int = status.get(field, 0)
    return count


def deployment_complete(deploy: dict, status: dict) -> bool:
    desired = _replicas(deploy)
    generation: int = deploy["metadata"].get("generation", 1)
    return _count(status, "updatedReplicas") == desired and \
        _count(status, "replicas") == desired and \
        _count(status, "availableReplicas") == desired and \
        _count(status, "observedGeneration") >= generation


def deployment_progressing(deploy: dict, new: dict) -> bool:
    old = deploy.get("status") or {}
    old_old = _count(old, "replicas") - _count(old, "updatedReplicas")
    new_old = _count(new, "replicas") - _count(new, "updatedReplicas")
    return _count(new, "updatedReplicas") > _count(old, "updatedReplicas") \
        or new_old < old_old \
        or _count(new, "readyReplicas") > _count(old, "readyReplicas") \
        or _count(new, "availableReplicas") > _count(old, "availableReplicas")


def set_deployment_revision(deploy: dict, revision: str) -> bool:
    annotations = deploy["metadata"].setdefault("annotations", {})
    if annotations.get(REVISION) == revision:
        return False
    annotations[REVISION] = revision
    return True


def new_replica_set(deploy: dict) -> dict:
    """The new ReplicaSet for the Deployment's template, replicas still to be decided."""
    meta = deploy["metadata"]
    template = clone(deploy["spec"].get("template") or {})
    hash_ = pod_template_hash(template, (deploy.get("status") or {}).get("collisionCount"))
    template.setdefault("metadata", {})["labels"] = {
        **(template["metadata"].get("labels") or {}), HASH_LABEL: hash_}
    selector = clone(deploy["spec"].get("selector") or {})
    selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: hash_}
    spec = {"replicas": 0, "selector": selector, "template": template}
    if deploy["spec"].get("minReadySeconds"):
        spec["minReadySeconds"] = deploy["spec"]["minReadySeconds"]
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"{meta['name']}-{hash_}", "namespace": meta["namespace"],
                         "labels": dict(template["metadata"]["labels"]),
                         "ownerReferences": [controller_ref(deploy)]},
            "spec": spec}


def new_rs_new_replicas(deploy: dict, all_rs: list[dict], new_rs: dict) -> int:
    """How big the new set may grow now: up to replicas + maxSurge pods in all."""
    if not is_rolling_update(deploy):
        return _replicas(deploy)
    current = sum(_replicas(rs) for rs in all_rs)
    ceiling = _replicas(deploy) + max_surge(deploy)
    if current >= ceiling:
        return _replicas(new_rs)
    grow = min(ceiling - current, _replicas(deploy) - _replicas(new_rs))
    return _replicas(new_rs) + grow


def replicas_annotations_need_update(rs: dict, desired: int, maximum: int) -> bool:
    annotations = rs["metadata"].get("annotations") or {}
    return annotations.get(DESIRED) != str(desired) or annotations.get(MAX_REPLICAS) != str(maximum)


def set_replicas_annotations(rs: dict, desired: int, maximum: int) -> bool:
    annotations: dict[str, str] = rs["metadata"].setdefault("annotations", {})
    changed = annotations.get(DESIRED) != str(desired) or \
        annotations.get(MAX_REPLICAS) != str(maximum)
    annotations[DESIRED] = str(desired)
    annotations[MAX_REPLICAS] = str(maximum)
    return changed


def set_new_rs_annotations(deploy: dict, rs: dict, new_revision: str, exists: bool) -> bool:
    """Copy the Deployment's annotations, raise the revision, keep the history of a rollback."""
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in (deploy["metadata"].get("annotations") or {}).items():
        if key not in SKIPPED_ANNOTATIONS and annotations.get(key) != value:
            annotations[key] = value
            changed = True
    had_revision = REVISION in annotations
    old_text = annotations.get(REVISION, "")
    try:
        old = int(old_text) if old_text else 0
    except ValueError:
        return False
    if old < int(new_revision):
        annotations[REVISION] = new_revision
        changed = True
        if had_revision:
            _push_revision_history(annotations, old_text)
    if not exists and set_replicas_annotations(rs, _replicas(deploy),
                                               _replicas(deploy) + max_surge(deploy)):
        changed = True
    return changed


def _push_revision_history(annotations: dict, old_revision: str) -> None:
    history = annotations.get(REVISION_HISTORY, "")
    if not history:
        annotations[REVISION_HISTORY] = old_revision
        return
    revisions = history.split(",")
    total = len(history) + len(old_revision) + 1
    while total > MAX_REVISION_HISTORY_CHARS and revisions:
        total -= len(revisions.pop(0)) + 1
    annotations[REVISION_HISTORY] = ",".join(revisions + [old_revision])


def find_active_or_latest(new_rs: dict | None, old: list[dict]) -> dict | None:
    if new_rs is None and not old:
        return None
    newest_first = sorted(old, key=_by_creation, reverse=True)
    active = _active([*newest_first, new_rs])
    if not active:
        return new_rs if new_rs is not None else newest_first[0]
    return active[0] if len(active) == 1 else None


def is_saturated(deploy: dict, rs: dict | None) -> bool:
    if rs is None:
        return False
    desired = (rs["metadata"].get("annotations") or {}).get(DESIRED, "")
    return desired.isdigit() and _replicas(rs) == _replicas(deploy) and \
        int(desired) == _replicas(deploy) and _status(rs, "availableReplicas") == _replicas(deploy)


def proportional_sizes(deploy: dict, active: list[dict]) -> list[tuple[dict, int, str]]:
    """How a scaled Deployment shares replicas out among its active sets, largest first."""
    allowed = _replicas(deploy) + max_surge(deploy) if _replicas(deploy) > 0 else 0
    to_add = allowed - sum(_replicas(rs) for rs in active)
    operation = "up" if to_add > 0 else "down" if to_add < 0 else ""
    # bigger sets first; on a tie, newer first when growing and older first when shrinking
    ordered = sorted(active, key=_by_creation, reverse=to_add > 0)
    ordered = sorted(ordered, key=lambda rs: -_replicas(rs))
    added = 0
    sizes = []
    for rs in ordered:
        share = _proportion(deploy, rs, to_add, added) if to_add else 0
        added += share
        sizes.append(_replicas(rs) + share)
    if ordered and to_add:
        sizes[0] = max(sizes[0] + to_add - added, 0)
    return [(rs, size, operation) for rs, size in zip(ordered, sizes, strict=True)]


def _proportion(deploy: dict, rs: dict, to_add: int, added: int) -> int:
    if _replicas(rs) == 0 or to_add == added:
        return 0
    fraction = _fraction(deploy, rs)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _fraction(deploy: dict, rs: dict) -> int:
    if _replicas(deploy) == 0:
        return -_replicas(rs)
    after = _replicas(deploy) + max_surge(deploy)
    before_text = (rs["metadata"].get("annotations") or {}).get(MAX_REPLICAS, "")
    before = int(before_text) if before_text.isdigit() else 0
    if before == 0:
        before = _status(deploy, "replicas")
        if before == 0:
            return 0
    exact = _replicas(rs) * after / before
    rounded = int(exact + 0.5) if exact >= 0 else -int(-exact + 0.5)
    return rounded - _replicas(rs)


def _replace(new_rs: dict | None, old: list[dict],
             updated: dict) -> tuple[dict | None, list[dict]]:
    name = updated["metadata"]["name"]
    if new_rs is not None and new_rs["metadata"]["name"] == name:
        return updated, old
    return new_rs, [updated if rs["metadata"]["name"] == name else rs for rs in old]


def _copy_new_rs_fields(target: dict, source: dict, min_ready: int) -> None:
    target["metadata"]["annotations"] = source["metadata"].get("annotations") or {}
    if min_ready:
        target["spec"]["minReadySeconds"] = min_ready
    else:
        target["spec"].pop("minReadySeconds", None)


def _set_annotations(obj: dict, annotations: dict | None) -> None:
    if annotations:
        obj["metadata"]["annotations"] = annotations
    else:
        obj["metadata"].pop("annotations", None)


