"""kube-proxy's answers stay right when what they were built from changes between curls."""

import pytest

from simcore import Simulation

PATCH = "application/merge-patch+json"


@pytest.fixture
def sim(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.apply(lecture_file("svc-clientip-node-web.yaml"), create=True)
    sim.run_until_idle(60)
    return sim


def pods_by_node(sim) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for pod in sim.list("pods", label_selector="app=node-web"):
        out.setdefault(pod["spec"]["nodeName"], []).append(pod["metadata"]["name"])
    return out


def proxy_step(result) -> dict:
    return next(s for s in result.trace if s["step"] == "proxy")


def test_a_changed_service_port_answers_before_the_controllers_run(sim):
    ip = sim.get("services", "svc-node")["spec"]["clusterIP"]
    assert sim.exec_on_node("worker1", f"curl -s http://{ip}").exit_code == 0
    sim.api.patch("services", "svc-node", {"spec": {"ports": [{"port": 81, "targetPort": 8080}]}},
                  PATCH, "default")
    moved = sim.exec_on_node("worker1", f"curl -s http://{ip}:81")
    assert moved.stdout.startswith("You've hit ")
    assert sim.exec_on_node("worker1", f"curl -s -m 1 http://{ip}").exit_code == 28


def test_affinity_forgets_an_endpoint_that_left_the_rules(sim):
    ip = sim.get("services", "svc-node")["spec"]["clusterIP"]
    first = sim.exec_on_node("worker1", f"curl -s http://{ip}")
    pinned = first.stdout.removeprefix("You've hit ").strip()
    sim.delete("pods", pinned)
    sim.run_until_idle(120)
    again = sim.exec_on_node("worker1", f"curl -s http://{ip}")
    assert proxy_step(again)["how"] == "random"
    assert again.stdout.removeprefix("You've hit ").strip() != pinned
    assert proxy_step(sim.exec_on_node("worker1", f"curl -s http://{ip}"))["how"] == "affinity"


def test_affinity_under_a_local_policy_keeps_only_this_nodes_endpoints(sim):
    nodes = pods_by_node(sim)
    client = next(p for pods in nodes.values() if len(pods) == 1 for p in pods)
    here = sim.get("pods", client)["spec"]["nodeName"]
    assert len(nodes) > 1  # the three pods are spread over more than one node
    ip = sim.get("services", "svc-node")["spec"]["clusterIP"]
    # pin the client to endpoints first, then make the Service node-local: an endpoint on
    # another node is no longer in this node's rules, so a pin to it is dropped
    for _ in range(20):
        sim.exec(client, f"curl -s http://{ip}")
    sim.api.patch("services", "svc-node", {"spec": {"internalTrafficPolicy": "Local"}}, PATCH,
                  "default")
    sim.settle()
    answers = {sim.exec(client, f"curl -s http://{ip}").stdout for _ in range(20)}
    assert answers == {f"You've hit {client}\n"}
    step = proxy_step(sim.exec(client, f"curl -s http://{ip}"))
    assert (step["how"], step["node"]) == ("affinity", here)
    assert step["candidates"] == [f"{sim.get('pods', client)['status']['podIP']}:8080"]
