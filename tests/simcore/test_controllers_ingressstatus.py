"""ingress-nginx publishing the ADDRESS of the Ingresses it serves."""

from pathlib import Path

import pytest

from simcore import Simulation

COURSE = Path(__file__).resolve().parents[3] / "shared" / "course"
HANDS_ON = COURSE / "2022-07" / "05-Ingress-LoadBalancer" / "hands-on"
NODE_IPS = {"master-stg": "192.168.100.119", "worker1": "192.168.100.112",
            "worker2": "192.168.100.111"}
PUBLISH = "--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller"
DEPLOYMENT = "ingress-nginx-controller"


def address(sim, name, namespace="default"):
    [row] = [r for r in sim.table("ing", namespace)["rows"] if r["cells"][0] == name]
    return row["cells"][3]


def controller_pod(sim):
    [pod] = [p for p in sim.list("pods", "ingress-nginx")
             if not p["metadata"].get("deletionTimestamp")]
    return pod


def set_flags(sim, flags):
    """Give the controller new flags by editing its Deployment; wait for the rollout (the
    old pod's 30 s grace included)."""
    def edit(deploy):
        args = deploy["spec"]["template"]["spec"]["containers"][0]["args"]
        args[:] = [a for a in args if not a.startswith("--publish-")] + flags
    sim.api.mutate("deployments.apps", DEPLOYMENT, "ingress-nginx", edit)
    sim.advance(40)


@pytest.fixture
def sim(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    return sim


def test_without_publish_flags_it_publishes_the_controller_nodes_ip(sim, lecture_file):
    set_flags(sim, [])
    sim.apply(lecture_file("svc-ingress-service.yaml"), create=True)
    sim.advance(60)
    node = controller_pod(sim)["spec"]["nodeName"]
    assert address(sim, "svc-ingress") == NODE_IPS[node]
    ingress = sim.get("ing", "svc-ingress")
    assert ingress["status"] == {"loadBalancer": {"ingress": [{"ip": NODE_IPS[node]}]}}


def test_the_address_follows_the_controller_to_another_node(sim, lecture_file):
    set_flags(sim, [])
    sim.apply(lecture_file("svc-ingress-service.yaml"), create=True)
    sim.advance(60)
    first = controller_pod(sim)["spec"]["nodeName"]
    sim.stop_node(first)
    sim.advance(40 + 300 + 5)
    second = controller_pod(sim)["spec"]["nodeName"]
    assert second != first
    assert address(sim, "svc-ingress") == NODE_IPS[second]


def test_a_new_ingress_waits_for_the_next_status_sync(sim, lecture_file):
    set_flags(sim, [])
    sim.advance(30)
    sim.apply(lecture_file("svc-ingress-service.yaml"), create=True)
    assert address(sim, "svc-ingress") == ""
    [timer] = [t for t in sim.engine.clock.timers() if t[1] == "ingressstatus"]
    assert 0 < timer[0] - sim.engine.clock.elapsed <= 60
    sim.advance(60)
    assert address(sim, "svc-ingress") != ""


def test_publish_service_on_a_node_port_service_publishes_its_cluster_ip(sim, lecture_file):
    set_flags(sim, [PUBLISH])
    sim.apply(lecture_file("svc-ingress-service.yaml"), create=True)
    sim.advance(60)
    cluster_ip = sim.get("svc", "ingress-nginx-controller", "ingress-nginx")["spec"]["clusterIP"]
    assert address(sim, "svc-ingress") == cluster_ip


def test_publish_service_on_a_load_balancer_publishes_its_external_address(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0, lb_pool=["192.168.100.240/29"])
    sim.api.patch("services", "ingress-nginx-controller", {"spec": {"type": "LoadBalancer"}},
                  "application/merge-patch+json", "ingress-nginx")
    set_flags(sim, [PUBLISH])
    sim.apply(lecture_file("svc-ingress-service.yaml"), create=True)
    sim.advance(60)
    assert address(sim, "svc-ingress") == "192.168.100.240"


@pytest.mark.parametrize(("changes", "served"), [
    pytest.param({}, True, id="class-annotation-nginx"),
    pytest.param({'kubernetes.io/ingress.class: "nginx"': 'kubernetes.io/ingress.class: "other"'},
                 False, id="class-annotation-other"),
    pytest.param({'    kubernetes.io/ingress.class: "nginx"\n': "",
                  "spec:\n": "spec:\n  ingressClassName: nginx\n"}, True, id="class-name"),
    pytest.param({'    kubernetes.io/ingress.class: "nginx"\n': "",
                  "spec:\n": "spec:\n  ingressClassName: other\n"}, False, id="other-class"),
])
def test_it_only_touches_ingresses_of_its_class(sim, changes, served):
    set_flags(sim, ["--publish-status-address=203.0.113.7"])
    text = (HANDS_ON / "ingress-node-web.yaml").read_text()
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    sim.apply(text, create=True)
    sim.advance(60)
    assert address(sim, "ingress-node-web") == ("203.0.113.7" if served else "")
