"""The node lifecycle controller, sample-controller style: seed a store (and, for a
silent kubelet, how long it has been silent), run one sync(node), compare what it wrote,
the Events it recorded, and the node's and the pod's state after."""

import pytest
from fakecluster import actions, node, pod, recorded, seeded

from simcore.controllers.nodelifecycle import NodeLifecycleController
from simcore.objects import ready_status

UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
# what the DefaultTolerationSeconds admission plugin gives every pod
FIVE_MINUTES = [{"key": key, "operator": "Exists", "effect": "NoExecute",
                 "tolerationSeconds": 300} for key in (NOT_READY, UNREACHABLE)]
FOREVER = [{"operator": "Exists"}]
TAINTED = [{"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": "2021-05-01T09:00:00Z"},
           {"key": UNREACHABLE, "effect": "NoSchedule"}]
NODE_NOT_READY = [("Normal", "NodeNotReady", "Node worker1 status is now: NodeNotReady"),
                  ("Warning", "NodeNotReady", "Node is not ready")]
EVICTED = [("Normal", "TaintManagerEviction", "Marking for deletion Pod default/web")]


def _node_view(engine) -> tuple | None:
    """(Ready status, the taints as key:effect) of worker1, None when it is gone."""
    found = engine.store.get("nodes", "", "worker1")
    if found is None:
        return None
    return ready_status(found), [f"{t['key']}:{t['effect']}" for t in
                                 found["spec"].get("taints") or []]


def _pod_view(engine) -> tuple | None:
    """(Ready status, marked for deletion) of default/web, None when it is gone."""
    found = engine.store.get("pods", "default", "web")
    if found is None:
        return None
    return ready_status(found), bool(found["metadata"].get("deletionTimestamp"))


@pytest.mark.parametrize("seed_node, seed_pod, silent_for, expected_actions, events, after", [
    pytest.param(node(), pod(ready=True, tolerations=FIVE_MINUTES), None, [], [],
                 (("True", []), ("True", False)), id="healthy-node-nothing-to-do"),
    pytest.param(node(), pod(ready=True, tolerations=FIVE_MINUTES), 39.0, [], [],
                 (("True", []), ("True", False)), id="silent-kubelet-within-grace-period"),
    pytest.param(node(), pod(ready=True, tolerations=FIVE_MINUTES), 40.0,
                 ["MODIFIED nodes worker1", "MODIFIED pods default/web",
                  "MODIFIED nodes worker1"], NODE_NOT_READY,
                 (("Unknown", [f"{UNREACHABLE}:NoExecute", f"{UNREACHABLE}:NoSchedule"]),
                  ("False", False)), id="silent-kubelet-past-grace-period-goes-unknown"),
    pytest.param(node(ready="False"), pod(ready=False, tolerations=FIVE_MINUTES), None,
                 ["MODIFIED nodes worker1"], [],
                 (("False", [f"{NOT_READY}:NoExecute", f"{NOT_READY}:NoSchedule"]),
                  ("False", False)), id="not-ready-node-is-tainted"),
    pytest.param(node(unschedulable=True), pod(ready=True), None,
                 ["MODIFIED nodes worker1"], [],
                 (("True", ["node.kubernetes.io/unschedulable:NoSchedule"]), ("True", False)),
                 id="cordoned-node-gets-its-noschedule-taint"),
    pytest.param(node(ready="Unknown", taints=TAINTED), pod(ready=False, tolerations=[]),
                 None, ["MODIFIED pods default/web", "MODIFIED pods default/web"], EVICTED,
                 (("Unknown", [f"{UNREACHABLE}:NoExecute", f"{UNREACHABLE}:NoSchedule"]),
                  ("False", True)), id="untolerated-pod-is-evicted-at-once"),
    pytest.param(node(ready="Unknown", taints=TAINTED),
                 pod(ready=False, tolerations=FIVE_MINUTES), None, [], [],
                 (("Unknown", [f"{UNREACHABLE}:NoExecute", f"{UNREACHABLE}:NoSchedule"]),
                  ("False", False)), id="tolerating-pod-waits-its-seconds"),
    pytest.param(node(ready="Unknown", taints=TAINTED), pod(ready=False, tolerations=FOREVER),
                 None, [], [],
                 (("Unknown", [f"{UNREACHABLE}:NoExecute", f"{UNREACHABLE}:NoSchedule"]),
                  ("False", False)), id="toleration-without-seconds-stays-forever"),
    pytest.param(None, pod(ready=True), None, [], [], (None, ("True", False)),
                 id="node-gone-nothing-to-do"),
])
def test_one_sync(seed_node, seed_pod, silent_for, expected_actions, events, after):
    objects = [("pods", seed_pod)] + ([("nodes", seed_node)] if seed_node else [])
    engine, controller = seeded(NodeLifecycleController, objects)
    if silent_for is not None:
        controller.kubelet_stopped("worker1")
        engine.clock.elapsed += silent_for
    since = engine.store.rv
    controller.sync("worker1")
    assert actions(engine, since) == expected_actions
    assert recorded(engine) == events
    assert (_node_view(engine), _pod_view(engine)) == after


def test_a_tolerated_eviction_is_scheduled_for_the_tolerations_end():
    engine, controller = seeded(NodeLifecycleController, [
        ("pods", pod(ready=False, tolerations=FIVE_MINUTES)),
        ("nodes", node(ready="Unknown", taints=TAINTED))])
    controller.sync("worker1")
    assert controller.countdown("worker1")["evictions"] == [{"pod": "default/web", "at": 300.0}]
    assert (300.0, "nodelifecycle", "worker1") in engine.clock.timers()
