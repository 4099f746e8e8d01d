"""Stopping and starting a node: NotReady after the grace period, taints, eviction, recovery."""

import pytest

from simcore import NotFound, Simulation
from simcore.objects import pod_ready as is_ready

UNREACHABLE_TAINTS = [
    {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute",
     "timeAdded": "2021-05-01T09:00:50Z"},
    {"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"},
]


@pytest.fixture
def sim(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    sim.advance(10)
    return sim


def node_status(sim, name):
    [row] = [r for r in sim.table("nodes", None)["rows"] if r["cells"][0] == name]
    return row["cells"][1]


def web_pods(sim):
    return [p for p in sim.list("pods") if p["metadata"]["name"].startswith("rs-node-web-")]


def on_node(sim, node):
    return [p for p in web_pods(sim) if p["spec"].get("nodeName") == node]


def busiest_node(sim):
    nodes = [p["spec"]["nodeName"] for p in web_pods(sim)]
    return max(sorted(set(nodes)), key=nodes.count)


def reasons(sim, reason, namespace="default"):
    found = [e for e in sim.list("events", namespace) if e["reason"] == reason]
    return sorted((e["involvedObject"]["name"], e["message"], e["source"]["component"])
                  for e in found)


def test_the_node_goes_not_ready_after_the_grace_period(sim):
    node = busiest_node(sim)
    sim.stop_node(node)
    sim.advance(39)
    assert node_status(sim, node) == "Ready"
    sim.advance(2)
    assert node_status(sim, node) == "NotReady"
    conditions = {c["type"]: c for c in sim.get("nodes", node, None)["status"]["conditions"]}
    for type_ in ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready"):
        cond = conditions[type_]
        assert (cond["status"], cond["reason"], cond["message"], cond["lastTransitionTime"]) == (
            "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.",
            "2021-05-01T09:00:50Z")
    assert sim.get("nodes", node, None)["spec"]["taints"] == UNREACHABLE_TAINTS
    assert reasons(sim, "NodeNotReady") == sorted(
        [(node, f"Node {node} status is now: NodeNotReady", "node-controller")] +
        [(p["metadata"]["name"], "Node is not ready", "node-controller")
         for p in on_node(sim, node)])


def test_its_pods_turn_not_ready_and_leave_the_endpoints(sim):
    node = busiest_node(sim)
    stranded = sorted(p["metadata"]["name"] for p in on_node(sim, node))
    sim.stop_node(node)
    sim.advance(41)
    assert not any(is_ready(p) for p in on_node(sim, node))
    [subset] = sim.get("ep", "svc-node")["subsets"]
    assert sorted(a["targetRef"]["name"] for a in subset["notReadyAddresses"]) == stranded


def test_pods_are_evicted_after_their_toleration_and_replaced_elsewhere(sim):
    node = busiest_node(sim)
    stranded = sorted(p["metadata"]["name"] for p in on_node(sim, node))
    sim.stop_node(node)
    sim.advance(40 + 299)
    assert not any(p["metadata"].get("deletionTimestamp") for p in web_pods(sim))
    sim.advance(2)
    assert sorted(p["metadata"]["name"] for p in web_pods(sim)
                  if p["metadata"].get("deletionTimestamp")) == stranded
    assert reasons(sim, "TaintManagerEviction") == [
        (name, f"Marking for deletion Pod default/{name}", "taint-eviction-controller")
        for name in stranded]
    sim.advance(10)
    live = [p for p in web_pods(sim) if not p["metadata"].get("deletionTimestamp")]
    assert len(live) == 3 and all(p["spec"]["nodeName"] != node for p in live)
    assert all(is_ready(p) for p in live)
    evicted = sim.get("pods", stranded[0])
    target = [c for c in evicted["status"]["conditions"] if c["type"] == "DisruptionTarget"]
    assert [(c["reason"], c["message"]) for c in target] == [
        ("DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint")]


def test_daemon_and_static_pods_stay_on_a_dead_node(sim):
    sim.stop_node("worker1")
    sim.advance(600)
    system = [p for p in sim.list("pods", "kube-system") if p["spec"].get("nodeName") == "worker1"]
    assert sorted(p["metadata"]["name"] for p in system) == ["kube-flannel-ds-99psb",
                                                             "kube-proxy-xvlvs"]
    assert not any(p["metadata"].get("deletionTimestamp") for p in system)


def test_starting_the_node_again_clears_taints_and_cancels_evictions(sim):
    node = busiest_node(sim)
    stranded = sorted(p["metadata"]["name"] for p in on_node(sim, node))
    sim.stop_node(node)
    sim.advance(100)
    sim.start_node(node)
    assert node_status(sim, node) == "Ready"
    assert "taints" not in sim.get("nodes", node, None)["spec"]
    ready = {c["type"]: c for c in sim.get("nodes", node, None)["status"]["conditions"]}["Ready"]
    assert (ready["status"], ready["reason"]) == ("True", "KubeletReady")
    assert reasons(sim, "TaintManagerEviction") == [
        (name, f"Cancelling deletion of Pod default/{name}", "taint-eviction-controller")
        for name in stranded]
    assert reasons(sim, "NodeReady") == [(node, f"Node {node} status is now: NodeReady",
                                          "kubelet")]
    sim.advance(400)
    assert sorted(p["metadata"]["name"] for p in on_node(sim, node)) == stranded
    assert all(is_ready(p) for p in web_pods(sim))


def test_pods_deleted_while_the_node_was_down_finish_when_it_returns(sim):
    node = busiest_node(sim)
    sim.stop_node(node)
    sim.advance(400)
    assert all(p["metadata"].get("deletionTimestamp") for p in on_node(sim, node))
    sim.start_node(node)
    sim.advance(5)
    assert on_node(sim, node) == []
    assert len(web_pods(sim)) == 3


def test_stopping_an_unknown_node_is_not_found(sim):
    with pytest.raises(NotFound):
        sim.stop_node("worker9")
