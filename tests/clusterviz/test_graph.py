"""The dashboard's graph model: objects to elements, and the delta between two graphs."""

from __future__ import annotations

import pytest

from clusterviz.operations.graph import Outside, delta, elements, is_empty, pod_state
from simcore.simulation import Simulation


def _pod(phase="Running", ready=True, waiting=None, terminated=None, deleting=False,
         restarts=0, running=True):
    state = {}
    if waiting:
        state = {"waiting": {"reason": waiting}}
    elif terminated:
        state = {"terminated": {"reason": terminated, "exitCode": 1}}
    elif running:
        state = {"running": {"startedAt": "2021-05-01T09:00:02Z"}}
    meta = {"name": "p", "namespace": "default"}
    if deleting:
        meta["deletionTimestamp"] = "2021-05-01T09:01:00Z"
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"nodeName": "worker1", "containers": [{"name": "c", "image": "x"}]},
            "status": {"phase": phase, "podIP": "10.244.1.2",
                       "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                       "containerStatuses": [{"name": "c", "ready": ready,
                                              "restartCount": restarts, "state": state}]}}


@pytest.mark.parametrize("pod, expected", [
    pytest.param(_pod(phase="Pending", ready=False, running=False) | {"status": {
        "phase": "Pending"}}, ("Pending", "pending"), id="unscheduled"),
    pytest.param(_pod(phase="Pending", ready=False, waiting="ContainerCreating"),
                 ("ContainerCreating", "creating"), id="creating"),
    pytest.param(_pod(), ("Running", "running-ready"), id="running-ready"),
    pytest.param(_pod(ready=False), ("Running", "running-not-ready"), id="running-not-ready"),
    pytest.param(_pod(phase="Succeeded", ready=False, terminated="Completed"),
                 ("Completed", "completed"), id="completed"),
    pytest.param(_pod(phase="Failed", ready=False, terminated="Error"), ("Error", "error"),
                 id="error"),
    pytest.param(_pod(ready=False, waiting="CrashLoopBackOff", restarts=3),
                 ("CrashLoopBackOff", "crashloop"), id="crashloop"),
    pytest.param(_pod(deleting=True), ("Terminating", "terminating"), id="terminating"),
])
def test_it_labels_pods_as_kubectl_and_colours_them_by_state(pod, expected):
    assert pod_state(pod) == expected


@pytest.fixture(scope="module")
def lecture_objects(request) -> dict[str, list[dict]]:
    from tests.conftest import LECTURE
    sim = Simulation.from_preset("lecture", seed=0)
    for name in ("rs-node-web.yaml", "svc-none-node-web.yaml", "svc-ingress-service.yaml"):
        assert all(r.error is None for r in sim.apply((LECTURE / name).read_text()))
    sim.run_until_idle()
    return sim.engine.store.state()["objects"]


def _by_id(elems: list[dict]) -> dict[str, dict]:
    return {e["data"]["id"]: e for e in elems}


def test_it_draws_nodes_control_plane_first_with_pods_inside(lecture_objects):
    elems = _by_id(elements(lecture_objects))
    nodes = sorted((e for e in elems.values() if e["data"].get("kind") == "Node"),
                   key=lambda e: e["data"]["order"])
    assert [n["data"]["name"] for n in nodes] == ["master-stg", "worker1", "worker2"]
    assert nodes[0]["data"]["label"] == "master-stg · 192.168.100.119"
    assert nodes[0]["data"]["roles"] == "control-plane,master"
    pods = [e for e in elems.values() if e["data"].get("kind") == "Pod"]
    assert len(pods) == 4  # the three web pods and ingress-nginx's controller
    assert all(p["data"]["parent"] == f"node/{p['data']['node']}" for p in pods)


@pytest.mark.parametrize("namespace, expected", [
    pytest.param("", {"default": 3, "ingress-nginx": 1}, id="default-hides-kube-system"),
    pytest.param("default", {"default": 3}, id="one-namespace"),
    pytest.param("*", {"default": 3, "ingress-nginx": 1, "kube-system": 12}, id="all"),
])
def test_it_filters_pods_by_namespace(lecture_objects, namespace, expected):
    counts: dict[str, int] = {}
    for e in elements(lecture_objects, namespace):
        if e["data"].get("kind") == "Pod":
            counts[e["data"]["namespace"]] = counts.get(e["data"]["namespace"], 0) + 1
    assert counts == expected


def test_it_draws_the_service_with_ready_endpoint_edges(lecture_objects):
    elems = _by_id(elements(lecture_objects, "default"))
    svc = elems["svc/default/svc-node"]["data"]
    assert (svc["type"], svc["ports"], svc["external"]) == ("ClusterIP", "80/TCP", "<none>")
    assert svc["label"] == f"svc-node\nClusterIP {svc['clusterIP']}\n80/TCP"
    edges = [e for e in elems.values() if "endpoint" in e["classes"]]
    assert len(edges) == 3
    assert {e["classes"] for e in edges} == {"endpoint ready"}
    assert {elems[e["data"]["target"]]["data"]["state"] for e in edges} == {"running-ready"}


def test_it_draws_owner_and_ingress_edges(lecture_objects):
    elems = _by_id(elements(lecture_objects, "default"))
    owns = [e["data"] for e in elems.values() if e["classes"] == "owns"]
    assert {o["source"] for o in owns} == {"rs/default/rs-node-web"}
    assert len(owns) == 3
    route = elems["route/default/svc-ingress/k8s.whatwant.com/test/svc-node"]["data"]
    assert (route["source"], route["target"], route["label"]) == (
        "ing/default/svc-ingress", "svc/default/svc-node", "k8s.whatwant.com/test")


def test_it_draws_the_outside_world(lecture_objects):
    ids = _by_id(elements(lecture_objects, outside=Outside(("192.168.100.50",),
                                                           ("192.168.100.1",))))
    assert ids["ext/client/192.168.100.50"]["data"]["label"] == "client\n192.168.100.50"
    assert ids["ext/dns/192.168.100.1"]["data"]["label"] == "upstream DNS\n192.168.100.1"


def test_it_lists_parents_before_children_and_nodes_before_edges(lecture_objects):
    seen: set[str] = set()
    for e in elements(lecture_objects):
        for ref in (e["data"].get("parent"), e["data"].get("source"), e["data"].get("target")):
            assert ref is None or ref in seen
        seen.add(e["data"]["id"])


def _n(id_, **data):
    return {"group": "nodes", "data": {"id": id_, **data}, "classes": ""}


def _e(id_, source, target):
    return {"group": "edges", "data": {"id": id_, "source": source, "target": target},
            "classes": ""}


@pytest.mark.parametrize("old, new, expected", [
    pytest.param([_n("a")], [_n("a")], {"add": [], "update": [], "remove": []}, id="same"),
    pytest.param([_n("a")], [_n("a"), _n("b")], {"add": [_n("b")], "update": [], "remove": []},
                 id="add"),
    pytest.param([_n("a", state="creating")], [_n("a", state="running-ready")],
                 {"add": [], "update": [_n("a", state="running-ready")], "remove": []},
                 id="update"),
    pytest.param([_n("a"), _n("b"), _e("e", "a", "b")], [_n("a")],
                 {"add": [], "update": [], "remove": ["e", "b"]}, id="remove-edges-first"),
])
def test_it_computes_the_delta_by_id(old, new, expected):
    assert delta(old, new) == expected
    assert is_empty(delta(old, new)) == (old == new)


def test_pods_coming_up_are_updates_of_pods_and_endpoints_and_nothing_else():
    from tests.conftest import LECTURE
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply((LECTURE / "svc-none-node-web.yaml").read_text())
    sim.apply((LECTURE / "rs-node-web.yaml").read_text())
    before = elements(sim.engine.store.state()["objects"], "default")
    sim.run_until_idle()
    change = delta(before, elements(sim.engine.store.state()["objects"], "default"))
    assert (change["add"], change["remove"]) == ([], [])
    assert sorted((e["data"]["id"].split("/")[0], e["classes"]) for e in change["update"]) == [
        ("ep", "endpoint ready")] * 3 + [("pod", "pod running-ready")] * 3 + [("rs", "owner rs")]
