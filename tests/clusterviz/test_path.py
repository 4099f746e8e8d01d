"""A request's path on the graph: trace steps to the graph elements they touch.

Real traces from the lecture cluster (seed 0: rs-node-web-kghsf runs on
worker1, -gjbj4 and -mw2nh on worker2; CoreDNS on master-stg), each case on
a fresh copy of the same state so the kube-proxy picks do not depend on the
order the cases run in. The viewer draws the default namespace filter, so
kube-system (CoreDNS, kube-dns) is drawn as the node it runs on.
"""

from __future__ import annotations

import json

import pytest

from clusterviz.clusters import runtime
from clusterviz.operations.graph import ALL_NAMESPACES, Outside, elements
from clusterviz.operations.path import cluster_zone, request_path, source_id
from simcore.presets import lecture
from simcore.simulation import Simulation
from tests.conftest import LECTURE

pytest_plugins = ["django_fixtures"]  # fixtures; see django_fixtures.py for why not conftest.py

MANIFESTS = ("rs-node-web.yaml", "svc-none-node-web.yaml", "svc-nodeport.yaml",
             "svc-no-selector.yaml", "svc-externaltrafficpolicy.yaml")
W1 = "pod/default/rs-node-web-kghsf"  # on worker1
W2 = "pod/default/rs-node-web-gjbj4"  # on worker2
CLIENT = "ext/client/192.168.100.50"
EP = "ep/default/svc-node/rs-node-web-"


def _state(**options) -> dict:
    sim = Simulation.from_preset("lecture", seed=0, **options)
    for name in MANIFESTS:
        assert all(r.error is None for r in sim.apply((LECTURE / name).read_text()))
    sim.run_until_idle()
    return sim.state()


@pytest.fixture(scope="module")
def lecture_state() -> dict:
    return _state()


@pytest.fixture(scope="module")
def corp_state() -> dict:
    """The lecture cluster built with another DNS domain (kubelet clusterDomain, CoreDNS zone)."""
    return _state(cluster_domain="corp.example")


def _run(state: dict, kind: str, name: str, command: str, namespace: str = "") -> dict:
    sim = Simulation.from_state(state)
    objects = sim.engine.store.state()["objects"]
    outside = Outside(dns=tuple(sim.engine.config.get("host_nameservers") or ()))
    everything = elements(objects, ALL_NAMESPACES, outside)
    shown = {e["data"]["id"] for e in elements(objects, namespace, outside)}
    run = {"pod": sim.exec, "node": sim.exec_on_node, "client": sim.exec_external}[kind]
    result = run(name, command)
    path = request_path(result.trace, source_id(kind, name), everything, shown,
                        cluster_zone(sim.engine.config))
    # one entry per numbered trace line, in order
    assert [s["step"] for s in path["steps"]] == [s["step"] for s in result.trace
                                                 if s.get("detail")]
    return path


CASES = [
    pytest.param(
        "pod", "rs-node-web-kghsf", "curl -s http://10.96.85.44", [
            ("proxy", ["node/worker1", "svc/default/svc-node", EP + "kghsf"], "node/worker1", None),
            ("dnat", ["node/worker1", W1], None, None),
            ("snat", ["node/worker1"], None, None),  # hairpin: the pod reaches itself
            ("deliver", [EP + "kghsf", W1], W1, None),
            ("connect", [W1], None, None),
            ("response", [W1], W1, None),
            ("response", [W1], W1, None),
        ], "answered", W1, id="clusterip-from-a-pod"),
    pytest.param(
        "pod", "rs-node-web-kghsf", "curl -s http://svc-node", [
            ("dns-query", ["node/master-stg"], "node/master-stg", None),
            ("dns-answer", [W1], W1, None),
            ("proxy", ["node/worker1", "svc/default/svc-node", EP + "gjbj4"], "node/worker1", None),
            ("dnat", ["node/worker1", W2], None, None),
            ("forward", ["node/worker2"], "node/worker2", None),
            ("deliver", [EP + "gjbj4", W2], W2, None),
            ("connect", [W2], None, None),
            ("response", [W2], W2, None),
            ("response", [W1], W1, None),
        ], "answered", W2, id="dns-name-from-a-pod-crossing-nodes"),
    pytest.param(
        "node", "master-stg", "curl -s http://192.168.100.111:30123", [
            ("connect", ["node/worker2"], "node/worker2", None),
            ("proxy", ["node/worker2", "svc/default/svc-nodeport",
                       "ep/default/svc-nodeport/rs-node-web-kghsf"], "node/worker2", None),
            ("dnat", ["node/worker2", W1], None, None),
            ("snat", ["node/worker2"], None, None),
            ("forward", ["node/worker1"], "node/worker1", None),
            ("deliver", ["ep/default/svc-nodeport/rs-node-web-kghsf", W1], W1, None),
            ("connect", [W1], None, None),
            ("response", [W1], W1, None),
            ("response", ["node/master-stg"], "node/master-stg", None),
        ], "answered", W1, id="nodeport-from-a-node-crossing-nodes"),
    pytest.param(
        "pod", "rs-node-web-kghsf", "curl -s http://external-service", [
            ("dns-query", ["node/master-stg"], "node/master-stg", None),
            ("dns-answer", [W1], W1, None),
            ("proxy", ["node/worker1", "svc/default/external-service"], "node/worker1", None),
            ("reject", ["node/worker1", "svc/default/external-service"], "node/worker1", "reject"),
            ("reject", ["node/worker1", "svc/default/external-service"], "node/worker1", "reject"),
        ], "reject", "node/worker1", id="refused-by-a-service-without-endpoints"),
    pytest.param(
        "pod", "rs-node-web-gjbj4", "curl -s http://10.244.1.3:9999", [
            ("reject", [W1], W1, "reject"),
            ("reject", [W1], W1, "reject"),
        ], "reject", W1, id="refused-by-a-pod-port-nobody-listens-on"),
    pytest.param(
        "client", "192.168.100.50", "curl -s -m 3 http://192.168.100.119:30887", [
            ("connect", ["node/master-stg"], "node/master-stg", None),
            ("proxy", ["node/master-stg", "svc/default/svc-loadbalancer"], "node/master-stg", None),
            ("timeout", ["node/master-stg", "svc/default/svc-loadbalancer"], "node/master-stg",
             "drop"),
            ("timeout", ["node/master-stg", "svc/default/svc-loadbalancer"], "node/master-stg",
             "drop"),
        ], "drop", "node/master-stg", id="dropped-by-external-traffic-policy-local"),
    pytest.param(
        "pod", "rs-node-web-kghsf", "curl -s -m 2 http://10.1.2.3", [
            ("timeout", [W1], W1, "timeout"),
            ("timeout", [W1], W1, "timeout"),
        ], "timeout", W1, id="timeout-nothing-answers"),
    pytest.param(
        "client", "192.168.100.50", "curl -s http://www.google.com", [
            ("dns-query", ["ext/dns/192.168.100.1"], "ext/dns/192.168.100.1", None),
            ("dns-answer", [CLIENT], CLIENT, None),
            ("forward", [], None, None),
            ("connect", [], None, None),
            ("response", [], None, None),
            ("response", [CLIENT], CLIENT, None),
        ], "answered", None, id="outside-client-via-the-upstream-dns-to-the-internet"),
]


@pytest.mark.parametrize("kind, name, command, steps, outcome, end", CASES)
def test_each_trace_line_names_the_graph_elements_it_touches(lecture_state, kind, name, command,
                                                            steps, outcome, end):
    path = _run(lecture_state, kind, name, command)
    assert path["source"] == source_id(kind, name)
    assert [(s["step"], s["ids"], s["at"], s["fail"]) for s in path["steps"]] == steps
    assert (path["outcome"], path["end"]) == (outcome, end)


def test_an_unknown_name_fails_at_the_source_after_the_search_list(lecture_state):
    path = _run(lecture_state, "pod", "rs-node-web-kghsf", "curl -s http://nosuch")
    queries = [s for s in path["steps"] if s["step"] == "dns-query"]
    assert [q["at"] for q in queries] == ["node/master-stg"] * 3 + ["ext/dns/192.168.100.1"] * 3
    assert path["steps"][-1] == {"step": "dns-answer", "ids": [W1], "at": W1,
                                 "fail": "unresolved"}
    assert (path["outcome"], path["end"]) == ("unresolved", W1)


def test_a_viewer_of_all_namespaces_sees_the_query_reach_the_coredns_pods(lecture_state):
    path = _run(lecture_state, "pod", "rs-node-web-kghsf", "curl -s http://svc-node",
                ALL_NAMESPACES)
    query = path["steps"][0]
    assert query["ids"][0] == "svc/kube-system/kube-dns"
    coredns = [i for i in query["ids"] if i.startswith("pod/kube-system/coredns-")]
    edges = [i for i in query["ids"] if i.startswith("ep/kube-system/kube-dns/coredns-")]
    assert len(coredns) == 2 and len(edges) == 2
    assert query["at"] == coredns[0]


def test_a_cluster_with_another_dns_domain_has_coredns_answer_its_names(corp_state):
    path = _run(corp_state, "pod", "rs-node-web-kghsf", "curl -s http://svc-node")
    query = path["steps"][0]
    # svc-node.default.svc.corp.example: in the cluster's zone, so not sent upstream
    assert (query["step"], query["ids"], query["at"]) == (
        "dns-query", ["node/master-stg"], "node/master-stg")
    assert path["outcome"] == "answered"


def test_a_name_outside_another_dns_domain_goes_upstream(corp_state):
    path = _run(corp_state, "pod", "rs-node-web-kghsf", "curl -s http://www.google.com")
    queries = [s["at"] for s in path["steps"] if s["step"] == "dns-query"]
    # the search list's default.svc.corp.example, svc.corp.example and corp.example are
    # CoreDNS's own; skbroadband (asked twice) and the name as is go upstream
    assert queries == ["node/master-stg"] * 3 + ["ext/dns/192.168.100.1"] * 3


@pytest.mark.parametrize("config, zone", [
    pytest.param({"cluster_domain": "corp.example"}, "corp.example", id="configured"),
    pytest.param({"cluster_domain": "Corp.Example."}, "corp.example", id="as-coredns-compares"),
    pytest.param({}, "cluster.local", id="none-configured"),
])
def test_the_zone_is_the_clusters_configured_domain(config, zone):
    assert cluster_zone(config) == zone


def test_elements_the_graph_does_not_have_are_left_out():
    trace = [{"step": "proxy", "node": "gone", "service": "default/nope:80", "how": "reject",
              "candidates": [], "detail": "x"},
             {"step": "reject", "detail": "y"},
             {"step": "proxy", "detail": ""}]  # no detail: not a numbered line
    path = request_path(trace, "pod/default/gone", [])
    assert path == {"source": None, "end": None, "outcome": "reject",
                    "steps": [{"step": "proxy", "ids": [], "at": None, "fail": None},
                              {"step": "reject", "ids": [], "at": None, "fail": "reject"}]}


def _curl_svc_node(client, slug: str) -> tuple[str, dict]:
    """The lecture's pods and Service on cluster `slug`, then curl from a pod through /run."""
    text = "\n---\n".join((LECTURE / n).read_text() for n in MANIFESTS[:2])
    runtime.run(slug, lambda sim: sim.apply(text))
    runtime.run(slug, lambda sim: sim.advance(30))
    pod = runtime.run(slug, lambda sim: sim.list("pods")[0]["metadata"]["name"])
    body = {"source": {"kind": "pod", "name": pod}, "command": "curl -s http://svc-node",
            "graph_namespace": ""}
    return pod, client.post(f"/clusters/{slug}/run", json.dumps(body),
                            content_type="application/json").json()


@pytest.mark.django_db
def test_the_run_endpoint_sends_the_path_with_the_trace(client, cluster):
    pod, answer = _curl_svc_node(client, "lecture")
    assert "steps" not in answer
    path = answer["path"]
    assert len(path["steps"]) == len(answer["trace"])
    assert path["source"] == f"pod/default/{pod}" and path["outcome"] == "answered"
    answered = answer["stdout"].removeprefix("You've hit ").strip()
    assert path["end"] == f"pod/default/{answered}"
    assert path["steps"][0]["at"] == "node/master-stg"  # CoreDNS, drawn as its node


@pytest.mark.django_db
def test_the_run_endpoint_uses_the_clusters_own_dns_domain(client, monkeypatch):
    monkeypatch.setitem(lecture.CONFIG, "cluster_domain", "corp.example")
    runtime.create_cluster("corp")
    _, answer = _curl_svc_node(client, "corp")
    assert "svc-node.default.svc.corp.example" in answer["trace"][0]
    assert answer["path"]["steps"][0]["at"] == "node/master-stg"  # CoreDNS, not upstream
    assert answer["path"]["outcome"] == "answered"
