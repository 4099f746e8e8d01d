"""The scheduler, sample-controller style: seed the nodes and a pod, run one sync(pod),
compare what it wrote, the Events it recorded, and where the pod stands after: the node it
was bound to and its PodScheduled condition."""

import pytest
from fakecluster import actions, node, pod, recorded, seeded

from simcore.controllers.scheduler import Scheduler

CONTROL_PLANE = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
TOLERATES_CONTROL_PLANE = [{"key": "node-role.kubernetes.io/control-plane",
                            "operator": "Exists", "effect": "NoSchedule"}]
SSD = {"disktype": "ssd"}
NOT_HELPFUL = "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."


def _labelled(seed: dict, labels: dict) -> dict:
    return {**seed, "metadata": {**seed["metadata"], "labels": labels}}


def _two_nodes(worker: dict | None = None) -> list[tuple[str, dict]]:
    """A kubeadm cluster's shape: a tainted control plane and one worker."""
    control_plane = node("controlplane", taints=CONTROL_PLANE, cidr="10.244.0.0/24")
    return [("nodes", _labelled(control_plane, {"kubernetes.io/hostname": "controlplane"})),
            ("nodes", worker or node("worker1"))]


def _pending(**spec) -> dict:
    """A pod nobody has bound yet, with `spec` (nodeSelector, tolerations) added."""
    seed = pod(node_name=None)
    return {**seed, "spec": {**seed["spec"], **spec}}


def _placement(engine) -> tuple:
    """(spec.nodeName, the PodScheduled condition's status and reason) of default/web."""
    found = engine.store.get("pods", "default", "web")
    scheduled = [(c["status"], c.get("reason")) for c in found["status"].get("conditions") or []
                 if c["type"] == "PodScheduled"]
    return found["spec"].get("nodeName"), scheduled


def _assigned(node_name: str) -> list[tuple[str, str, str]]:
    return [("Normal", "Scheduled", f"Successfully assigned default/web to {node_name}")]


def _failed(detail: str, total: int = 2) -> list[tuple[str, str, str]]:
    not_helpful = (f"preemption: 0/{total} nodes are available: {total} Preemption is not "
                   "helpful for scheduling.")
    return [("Warning", "FailedScheduling",
             f"0/{total} nodes are available: {detail}. {not_helpful}")]


def _workers(count: int, **kwargs) -> list[tuple[str, dict]]:
    return [("nodes", node(f"worker{n}", cidr=f"10.244.{n}.0/24", **kwargs))
            for n in range(1, count + 1)]


def _tainted(count: int) -> list[tuple[str, dict]]:
    return [("nodes", node(f"controlplane{n}", taints=CONTROL_PLANE, cidr=f"10.244.{100 + n}.0/24"))
            for n in range(1, count + 1)]


@pytest.mark.parametrize("nodes, seed_pod, expected_actions, events, placement", [
    pytest.param(_two_nodes(), _pending(), ["MODIFIED pods default/web"], _assigned("worker1"),
                 ("worker1", [("True", None)]), id="lands-on-the-only-untainted-node"),
    pytest.param(_two_nodes(_labelled(node("worker1"), SSD)), _pending(nodeSelector=SSD),
                 ["MODIFIED pods default/web"], _assigned("worker1"),
                 ("worker1", [("True", None)]), id="node-selector-picks-the-labelled-node"),
    pytest.param(_two_nodes(), _pending(tolerations=TOLERATES_CONTROL_PLANE,
                                        nodeSelector={"kubernetes.io/hostname": "controlplane"}),
                 ["MODIFIED pods default/web"], _assigned("controlplane"),
                 ("controlplane", [("True", None)]), id="toleration-lets-it-on-the-tainted-node"),
    pytest.param(_two_nodes(), _pending(nodeSelector=SSD), ["MODIFIED pods default/web"],
                 _failed("1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had "
                         "untolerated taint {node-role.kubernetes.io/control-plane: }"),
                 (None, [("False", "Unschedulable")]), id="selector-and-taint-fit-no-node"),
    pytest.param(_two_nodes(node("worker1", unschedulable=True)), _pending(),
                 ["MODIFIED pods default/web"],
                 _failed("1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: "
                         "}, 1 node(s) were unschedulable"),
                 (None, [("False", "Unschedulable")]), id="cordoned-worker-fits-no-pod"),
    pytest.param([*_tainted(1), *_workers(3)], _pending(nodeSelector=SSD),
                 ["MODIFIED pods default/web"],
                 _failed("1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: "
                         "}, 3 node(s) didn't match Pod's node affinity/selector", total=4),
                 (None, [("False", "Unschedulable")]), id="reasons-ordered-count-first"),
    pytest.param([*_tainted(3), *_workers(10, unschedulable=True)], _pending(),
                 ["MODIFIED pods default/web"],
                 _failed("10 node(s) were unschedulable, 3 node(s) had untolerated taint "
                         "{node-role.kubernetes.io/control-plane: }", total=13),
                 (None, [("False", "Unschedulable")]), id="counts-compared-as-text"),
    pytest.param([], _pending(), ["MODIFIED pods default/web"],
                 [("Warning", "FailedScheduling", "no nodes available to schedule pods")],
                 (None, [("False", "Unschedulable")]), id="no-nodes-at-all"),
    pytest.param(_two_nodes(), pod(node_name="controlplane"), [], [],
                 ("controlplane", []), id="already-bound-pod-is-left-alone"),
    pytest.param(_two_nodes(), pod(node_name=None, deletionTimestamp="2021-05-01T09:00:00Z"),
                 [], [], (None, []), id="pod-being-deleted-is-not-scheduled"),
])
def test_one_sync(nodes, seed_pod, expected_actions, events, placement):
    engine, scheduler = seeded(Scheduler, [*nodes, ("pods", seed_pod)])
    since = engine.store.rv
    scheduler.sync("default/web")
    assert actions(engine, since) == expected_actions
    assert recorded(engine) == events
    assert _placement(engine) == placement


def test_the_unschedulable_condition_carries_the_event_message():
    engine, scheduler = seeded(Scheduler, [*_two_nodes(), ("pods", _pending(nodeSelector=SSD))])
    scheduler.sync("default/web")
    found = engine.store.get("pods", "default", "web")
    [condition] = found["status"]["conditions"]
    assert condition["message"] == recorded(engine)[0][2]


def test_a_second_failed_sync_only_counts_the_event_again():
    """The condition already says why: the pod is not written, and the Event's count goes
    up (kubectl's "x2 over") rather than a second Event being made."""
    engine, scheduler = seeded(Scheduler, [*_two_nodes(), ("pods", _pending(nodeSelector=SSD))])
    scheduler.sync("default/web")
    since = engine.store.rv
    scheduler.sync("default/web")
    assert actions(engine, since) == []
    [event] = engine.store.list("events", "default")
    assert event["count"] == 2

