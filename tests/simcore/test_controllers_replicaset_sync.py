"""The ReplicaSet controller, sample-controller style: seed a ReplicaSet and pods, run one
sync(set), compare what it wrote (created pods have generated names, so those are
patterns), the Events it recorded, which pods are left, and the status it wrote."""

import pytest
from fakecluster import actions, defaulted, matches, pod, recorded, seeded

from simcore import errors
from simcore.controllers.replicaset import ReplicaSetController

APP = {"app": "web"}
MINE = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "uid-rs-web",
         "controller": True, "blockOwnerDeletion": True}]
THEIRS = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api", "uid": "uid-rs-api",
           "controller": True, "blockOwnerDeletion": True}]
CREATED = r"ADDED pods default/web-[a-z0-9]{5}"
STATUS_WRITE = r"MODIFIED replicasets\.apps default/web"
SUCCESSFUL_CREATE = ("Normal", "SuccessfulCreate", r"Created pod: web-[a-z0-9]{5}")


def _replicaset(replicas: int, status: dict | None = None, **meta) -> dict:
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "web", "namespace": "default", "uid": "uid-rs-web",
                       "generation": 1, **meta},
          "spec": {"replicas": replicas, "selector": {"matchLabels": APP},
                   "template": {"metadata": {"labels": APP},
                                "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}
    if status is not None:
        rs["status"] = status
    return rs


def _owned(name: str, owners: list | None = None, labels: dict | None = None, **kwargs) -> dict:
    """A pod of the set: its labels, and `owners` as its ownerReferences (none for None)."""
    meta = {"labels": dict(APP if labels is None else labels)}
    if owners is not None:
        meta["ownerReferences"] = owners
    # adopting or releasing it is an update, and an update of a pod may not change its spec
    return defaulted(pod(name, **kwargs, **meta))


def _left(engine) -> dict[str, tuple]:
    """Each pod left: (its controller's name or None, marked for deletion)."""
    view = {}
    for found in engine.store.list("pods", "default"):
        refs = found["metadata"].get("ownerReferences") or []
        controller = next((r["name"] for r in refs if r.get("controller")), None)
        view[found["metadata"]["name"]] = (controller,
                                           bool(found["metadata"].get("deletionTimestamp")))
    return view


@pytest.mark.parametrize("replicas, pods, expected_actions, events, left", [
    pytest.param(3, [_owned("web-a", MINE, ready=True)],
                 [CREATED, CREATED, STATUS_WRITE], [SUCCESSFUL_CREATE, SUCCESSFUL_CREATE],
                 {"web-a": ("web", False)}, id="too-few-creates-the-missing-ones"),
    pytest.param(1, [_owned("web-a", MINE, ready=True), _owned("web-b", MINE, node_name=None),
                     _owned("web-c", MINE)],
                 ["DELETED pods default/web-b", "MODIFIED pods default/web-c", STATUS_WRITE],
                 [("Normal", "SuccessfulDelete", "Deleted pod: web-b"),
                  ("Normal", "SuccessfulDelete", "Deleted pod: web-c")],
                 {"web-a": ("web", False), "web-c": ("web", True)},
                 id="too-many-deletes-unscheduled-then-pending-first"),
    pytest.param(1, [_owned("web-a", MINE, ready=True), _owned("web-b", MINE, ready=False)],
                 ["MODIFIED pods default/web-b", STATUS_WRITE],
                 [("Normal", "SuccessfulDelete", "Deleted pod: web-b")],
                 {"web-a": ("web", False), "web-b": ("web", True)},
                 id="too-many-deletes-not-ready-before-ready"),
    pytest.param(1, [_owned("web-orphan", None, ready=True)],
                 ["MODIFIED pods default/web-orphan", STATUS_WRITE], [],
                 {"web-orphan": ("web", False)}, id="orphan-is-adopted-not-replaced"),
    pytest.param(1, [_owned("api-a", THEIRS, ready=True)], [CREATED, STATUS_WRITE],
                 [SUCCESSFUL_CREATE], {"api-a": ("api", False)},
                 id="pod-of-another-controller-is-not-touched"),
    pytest.param(1, [_owned("web-a", MINE, labels={"app": "other"}, ready=True)],
                 ["MODIFIED pods default/web-a", CREATED, STATUS_WRITE], [SUCCESSFUL_CREATE],
                 {"web-a": (None, False)}, id="pod-whose-labels-changed-is-released"),
    pytest.param(1, [{**_owned("web-a", MINE), "status": {"phase": "Succeeded"}}],
                 [CREATED, STATUS_WRITE], [SUCCESSFUL_CREATE], {"web-a": ("web", False)},
                 id="finished-pod-does-not-count"),
])
def test_one_sync(replicas, pods, expected_actions, events, left):
    engine, controller = seeded(ReplicaSetController,
                                [("replicasets.apps", _replicaset(replicas)),
                                 *[("pods", p) for p in pods]])
    since = engine.store.rv
    controller.sync("default/web")
    assert matches(actions(engine, since), expected_actions), actions(engine, since)
    assert matches(recorded(engine), events), recorded(engine)
    seeded_left = {name: view for name, view in _left(engine).items() if name in left}
    created = [view for name, view in _left(engine).items() if name not in left]
    assert seeded_left == left
    assert created == [("web", False)] * expected_actions.count(CREATED)


def test_a_created_pod_is_the_templates_with_a_controller_reference():
    engine, controller = seeded(ReplicaSetController, [("replicasets.apps", _replicaset(1))])
    controller.sync("default/web")
    [created] = engine.store.list("pods", "default")
    meta = created["metadata"]
    assert (meta["generateName"], meta["labels"], meta["ownerReferences"]) == ("web-", APP, MINE)
    assert [(c["name"], c["image"]) for c in created["spec"]["containers"]] == [("web", "nginx")]


GOING = {"deletionTimestamp": "2021-05-01T09:00:00Z", "finalizers": ["foregroundDeletion"]}


@pytest.mark.parametrize("replicas, pods, meta, status", [
    pytest.param(2, [_owned("web-a", MINE, ready=True), _owned("web-b", MINE, ready=False)], {},
                 {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 1,
                  "availableReplicas": 1, "observedGeneration": 1}, id="ready-and-not-ready"),
    pytest.param(1, [_owned("web-a", MINE)], {},
                 {"replicas": 1, "fullyLabeledReplicas": 1, "observedGeneration": 1},
                 id="none-ready-leaves-the-ready-counts-out"),
    pytest.param(2, [_owned("web-a", MINE, ready=True)], {},
                 {"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1,
                  "availableReplicas": 1, "observedGeneration": 1},
                 id="counts-the-pods-before-this-syncs-creations"),
    pytest.param(1, [_owned(f"web-{n}", MINE, ready=True) for n in "abc"], {},
                 {"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 3,
                  "availableReplicas": 3, "observedGeneration": 1},
                 id="counts-the-pods-before-this-syncs-deletions"),
    pytest.param(3, [_owned("web-a", MINE, ready=True)], GOING,
                 {"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1,
                  "availableReplicas": 1, "observedGeneration": 1},
                 id="a-set-being-deleted-still-gets-its-status"),
])
def test_status_is_written(replicas, pods, meta, status):
    """Kubernetes' syncReplicaSet: calculateStatus(rs, filteredPods, ...) over the pods
    listed before manageReplicas, which a set being deleted skips."""
    engine, controller = seeded(ReplicaSetController,
                                [("replicasets.apps", _replicaset(replicas, **meta)),
                                 *[("pods", p) for p in pods]])
    controller.sync("default/web")
    assert engine.store.get("replicasets.apps", "default", "web")["status"] == status


@pytest.mark.parametrize("min_ready, ready_for, pods, available, timers", [
    pytest.param(0, 0, [_owned("web-a", MINE, ready=True), _owned("web-b", MINE, ready=True)],
                 2, [], id="without-min-ready-seconds-ready-is-available"),
    pytest.param(10, 4, [_owned("web-a", MINE, ready=True), _owned("web-b", MINE, ready=True)],
                 None, [(14.0, "replicaset", "default/web")],
                 id="all-ready-too-briefly-looks-again-after-min-ready-seconds"),
    pytest.param(10, 10, [_owned("web-a", MINE, ready=True), _owned("web-b", MINE, ready=True)],
                 2, [], id="ready-for-min-ready-seconds-is-available"),
    pytest.param(10, 4, [_owned("web-a", MINE, ready=True), _owned("web-b", MINE, ready=False)],
                 None, [], id="not-all-ready-waits-for-a-pod-event"),
])
def test_available_means_ready_for_min_ready_seconds(min_ready, ready_for, pods, available,
                                                     timers):
    """podutil.IsPodAvailable from the Ready condition's lastTransitionTime (09:00:00, the
    clock's start), and syncReplicaSet's AddAfter(key, minReadySeconds) when all replicas
    are ready but not all available."""
    seed = _replicaset(2)
    seed["spec"]["minReadySeconds"] = min_ready
    engine, controller = seeded(ReplicaSetController,
                                [("replicasets.apps", seed), *[("pods", p) for p in pods]],
                                elapsed=ready_for)
    controller.sync("default/web")
    status = engine.store.get("replicasets.apps", "default", "web")["status"]
    assert (status.get("availableReplicas"), engine.clock.timers()) == (available, timers)


def test_a_set_whose_status_is_right_writes_nothing():
    seed = _replicaset(1, {"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1,
                           "availableReplicas": 1, "observedGeneration": 1})
    engine, controller = seeded(ReplicaSetController, [("replicasets.apps", seed),
                                                       ("pods", _owned("web-a", MINE, ready=True))])
    since = engine.store.rv
    controller.sync("default/web")
    assert (actions(engine, since), recorded(engine)) == ([], [])


def test_a_set_being_deleted_leaves_its_pods_to_the_garbage_collector():
    """No pod is created or deleted; only its status is written (see test_status_is_written)."""
    seed = _replicaset(3, **GOING)
    engine, controller = seeded(ReplicaSetController, [("replicasets.apps", seed),
                                                       ("pods", _owned("web-a", MINE, ready=True))])
    since = engine.store.rv
    controller.sync("default/web")
    assert actions(engine, since) == ["MODIFIED replicasets.apps default/web"]
    assert recorded(engine) == []


def test_a_set_that_is_gone_does_nothing():
    engine, controller = seeded(ReplicaSetController, [("pods", _owned("web-a", MINE))])
    since = engine.store.rv
    controller.sync("default/web")
    assert actions(engine, since) == []


NO_ROOM = {"quota": {"pods": 0}}  # every pod create is refused by the classroom quota
REFUSED = (r'pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: clusterviz-classroom, '
           r'requested: pods=1, used: pods=0, limited: pods=0')
EARLIER = {"type": "ReplicaFailure", "status": "True",
           "lastTransitionTime": "2021-05-01T08:00:00Z", "reason": "FailedCreate",
           "message": "an earlier refusal"}


def _failure(status: dict) -> list[tuple]:
    """The status's conditions as (type, status, lastTransitionTime, reason, message)."""
    return [(c["type"], c["status"], c["lastTransitionTime"], c["reason"], c["message"])
            for c in status.get("conditions") or []]


@pytest.mark.parametrize("config, template_image, conditions, failure", [
    pytest.param(NO_ROOM, "nginx", [],
                 [("ReplicaFailure", "True", "2021-05-01T09:00:00Z", "FailedCreate", REFUSED)],
                 id="quota-refusal-is-a-replica-failure"),
    pytest.param({}, "", [],
                 [("ReplicaFailure", "True", "2021-05-01T09:00:00Z", "FailedCreate",
                   r'Pod "web-[a-z0-9]{5}" is invalid: spec\.containers\[0\]\.image: '
                   r'Required value')],
                 id="template-refused-at-create-is-a-replica-failure"),
    pytest.param(NO_ROOM, "nginx", [EARLIER],
                 [("ReplicaFailure", "True", "2021-05-01T08:00:00Z", "FailedCreate",
                   "an earlier refusal")],
                 id="failing-again-keeps-the-condition-as-it-was"),
    pytest.param({}, "nginx", [EARLIER], [], id="creations-that-succeed-remove-it"),
])
def test_a_failed_creation_is_a_replica_failure_condition(config, template_image, conditions,
                                                          failure):
    """calculateStatus(rs, filteredPods, manageReplicasErr): the status is written even when
    manageReplicas fails, with ReplicaFailure (FailedCreate, the error's message) set when
    it is not there yet, and removed by the first sync that fails no more."""
    seed = _replicaset(1, {"replicas": 0, "observedGeneration": 1,
                           **({"conditions": conditions} if conditions else {})})
    seed["spec"]["template"]["spec"]["containers"][0]["image"] = template_image
    engine, controller = seeded(ReplicaSetController, [("replicasets.apps", seed)],
                                config=config)
    try:
        controller.sync("default/web")
    except errors.APIError:
        assert failure, "only a failing sync returns its error, to be retried"
    status = engine.store.get("replicasets.apps", "default", "web")["status"]
    assert matches(_failure(status), failure), _failure(status)
