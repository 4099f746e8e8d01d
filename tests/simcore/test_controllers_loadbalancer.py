"""The MetalLB-like allocator and its layer-2 announcements."""

from pathlib import Path

import pytest

from simcore import Simulation
from simcore.controllers.loadbalancer import announcing_node, pool_ranges

COURSE = Path(__file__).resolve().parents[3] / "shared" / "course"
HANDS_ON = COURSE / "2022-07" / "05-Ingress-LoadBalancer" / "hands-on"
POOL = ["192.168.100.240-192.168.100.250"]


def lecture(pool=POOL):
    sim = Simulation.from_preset("lecture", seed=0, lb_pool=list(pool))
    sim.apply((HANDS_ON / "rs-web-v1.yaml").read_text(), create=True)
    return sim


def service(name="svc-lb", *changes: dict) -> str:
    text = (HANDS_ON / "svc-node-web-lb.yaml").read_text().replace("name: svc-lb",
                                                                    f"name: {name}")
    for change in changes:
        for old, new in change.items():
            assert old in text
            text = text.replace(old, new)
    return text


def external_ips(sim):
    return {r["cells"][0]: r["cells"][3] for r in sim.table("svc")["rows"]}


def svc_events(sim, name):
    found = [e for e in sim.list("events") if e["involvedObject"]["kind"] == "Service" and
             e["involvedObject"]["name"] == name]
    return [(e["type"], e["reason"], e["message"], e["source"]["component"])
            for e in sorted(found, key=lambda e: e["metadata"]["name"])]


@pytest.mark.parametrize(("entries", "expected"), [
    pytest.param(["192.168.100.240-192.168.100.250"],
                 [("192.168.100.240", "192.168.100.250")], id="range"),
    pytest.param(["10.0.0.0/30"], [("10.0.0.0", "10.0.0.3")], id="cidr"),
    pytest.param(["10.0.0.7/32", "10.0.1.1 - 10.0.1.2"],
                 [("10.0.0.7", "10.0.0.7"), ("10.0.1.1", "10.0.1.2")], id="several"),
    pytest.param([], [], id="none"),
])
def test_it_reads_the_pool(entries, expected):
    ranges = pool_ranges({"lb_pool": entries})
    assert [(str(a), str(b)) for a, b in ranges] == expected


def test_without_a_pool_the_service_stays_pending_forever():
    sim = lecture(pool=[])
    sim.apply(service(), create=True)
    sim.advance(600)
    assert external_ips(sim)["svc-lb"] == "<pending>"
    assert svc_events(sim, "svc-lb") == []


def test_it_assigns_the_next_free_address_and_announces_it():
    sim = lecture()
    sim.apply(service(), create=True)
    sim.apply(service("svc-lb-2"), create=True)
    sim.advance(10)
    assert external_ips(sim) == {"kubernetes": "<none>", "svc-lb": "192.168.100.240",
                                 "svc-lb-2": "192.168.100.241"}
    svc = sim.get("svc", "svc-lb")
    assert svc["status"] == {"loadBalancer": {"ingress": [{"ip": "192.168.100.240",
                                                           "ipMode": "VIP"}]}}
    assert svc["metadata"]["annotations"] == {"metallb.io/ip-allocated-from-pool": "default"}
    node = announcing_node(sim.engine, "192.168.100.240")
    assert node in ("worker1", "worker2")
    assert svc_events(sim, "svc-lb") == [
        ("Normal", "IPAllocated", 'Assigned IP ["192.168.100.240"]', "metallb-controller"),
        ("Normal", "nodeAssigned", f'announcing from node "{node}" with protocol "layer2"',
         "metallb-speaker")]


@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({"  type: LoadBalancer": "  type: LoadBalancer\n"
                                          "  loadBalancerIP: 192.168.100.245"},
                 "192.168.100.245", id="spec-loadBalancerIP"),
    pytest.param({"  name: svc-lb": "  name: svc-lb\n  annotations:\n"
                                    "    metallb.universe.tf/loadBalancerIPs: 192.168.100.249"},
                 "192.168.100.249", id="annotation"),
])
def test_it_honours_a_requested_address(changes, expected):
    sim = lecture()
    sim.apply(service("svc-lb", changes), create=True)
    assert external_ips(sim)["svc-lb"] == expected


@pytest.mark.parametrize(("changes", "message"), [
    pytest.param({"  type: LoadBalancer": "  type: LoadBalancer\n  loadBalancerIP: 10.1.2.3"},
                 'Failed to allocate IP for "default/svc-lb": "10.1.2.3" is not allowed in '
                 "config", id="outside-the-pool"),
    # an IPv6 address does not compare with an IPv4 pool's: the sync raised TypeError
    pytest.param({"  type: LoadBalancer": "  type: LoadBalancer\n  loadBalancerIP: fd00::1"},
                 'Failed to allocate IP for "default/svc-lb": "fd00::1" is not allowed in '
                 "config", id="ipv6-outside-an-ipv4-pool"),
    pytest.param({"  type: LoadBalancer": "  type: LoadBalancer\n"
                                          "  loadBalancerIP: 192.168.100.241",
                  "  name: svc-lb": "  name: svc-lb\n  annotations:\n"
                                    "    metallb.io/loadBalancerIPs: 192.168.100.242"},
                 'Failed to allocate IP for "default/svc-lb": service can not have both '
                 "metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP", id="both-requests"),
])
def test_an_impossible_request_stays_pending_with_the_reason(changes, message):
    sim = lecture()
    sim.apply(service("svc-lb", changes), create=True)
    assert external_ips(sim)["svc-lb"] == "<pending>"
    assert svc_events(sim, "svc-lb") == [("Warning", "AllocationFailed", message,
                                          "metallb-controller")]


def test_an_exhausted_pool_waits_for_an_address_to_come_back():
    sim = lecture(pool=["192.168.100.240/32"])
    sim.apply(service("first"), create=True)
    sim.apply(service("second"), create=True)
    assert external_ips(sim)["second"] == "<pending>"
    assert svc_events(sim, "second")[0][2] == \
        'Failed to allocate IP for "default/second": no available IPs'
    sim.delete("svc", "first")
    assert external_ips(sim)["second"] == "192.168.100.240"


def test_changing_the_type_releases_the_address():
    sim = lecture()
    sim.apply(service())
    sim.apply(service("svc-lb", {"type: LoadBalancer": "type: NodePort"}))
    svc = sim.get("svc", "svc-lb")
    assert svc["status"] == {"loadBalancer": {}}
    assert "annotations" not in svc["metadata"] or \
        "metallb.io/ip-allocated-from-pool" not in svc["metadata"]["annotations"]
    sim.apply(service("other"), create=True)
    assert external_ips(sim)["other"] == "192.168.100.240"
    assert announcing_node(sim.engine, "192.168.100.241") is None


def test_local_traffic_policy_announces_from_a_node_with_an_endpoint():
    sim = lecture()
    local = {"  type: LoadBalancer": "  type: LoadBalancer\n  externalTrafficPolicy: Local"}
    sim.apply(service("svc-lb", local), create=True)
    sim.advance(10)
    nodes = {p["spec"]["nodeName"] for p in sim.list("pods")}
    assert announcing_node(sim.engine, "192.168.100.240") in nodes


def test_the_announcement_moves_when_the_node_fails():
    # a DaemonSet puts an endpoint on each worker, so either can take over
    sim = Simulation.from_preset("lecture", seed=0, lb_pool=POOL)
    sim.apply((COURSE / "2022-07" / "03-RS-DS-JOB-CJ" / "hands-on" / "ds-web.yaml").read_text())
    sim.apply((COURSE / "2022-07" / "08-Deployment-StatefulSet" / "hands-on" /
               "svc-lb-web.yaml").read_text())
    sim.advance(10)
    first = announcing_node(sim.engine, "192.168.100.240")
    sim.stop_node(first)
    sim.advance(41)
    second = announcing_node(sim.engine, "192.168.100.240")
    assert second is not None and second not in (first, "master-stg")
    sim.start_node(first)
    assert announcing_node(sim.engine, "192.168.100.240") == first
