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
    node, remote = next((n, p) for n, p in nodes.items() if len(nodes) > 1 and p)
    client = next(p for n, pods in nodes.items() if n != node for p in pods)
    ip = sim.get("services", "svc-node")["spec"]["clusterIP"]
    # pin the client pod to an endpoint first, then make the Service node-local: an
    # endpoint on another node is no longer in that node's rules, so the pin is dropped
    for _ in range(20):
        sim.exec(client, f"curl -s http://{ip}")
    sim.api.patch("services", "svc-node", {"spec": {"internalTrafficPolicy": "Local"}}, PATCH,
                  "default")
    sim.settle()
    client_node = sim.get("pods", client)["spec"]["nodeName"]
    local = set(nodes[client_node])
    answers = {sim.exec(client, f"curl -s http://{ip}").stdout.removeprefix("You've hit ").strip()
               for _ in range(20)}
    assert answers <= local and len(answers) == 1
    steps = proxy_step(sim.exec(client, f"curl -s http://{ip}"))
    assert steps["how"] == "affinity"
    assert all(c.rsplit(":", 1)[0] in {sim.get("pods", p)["status"]["podIP"] for p in local}
               for c in steps["candidates"])
    assert remote  # the cluster spreads the three pods over more than one node
