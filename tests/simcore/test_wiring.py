"""The upload preview's wiring (simcore.wiring), with the lecture's manifests.

Each case previews an upload on the lecture cluster and pins what the Upload tab
will say: the dry run's action per document and, per Service and Ingress, the
pods selected, port -> targetPort -> containerPort, DNS names and routes, with
`!` marking what does not connect. Then: a preview changes nothing at all.
"""

from __future__ import annotations

import json

import pytest

from simcore import Simulation
from simcore.simulation import parse_documents
from simcore.wiring import preview
from tests.conftest import LECTURE


def _text(*names: str) -> str:
    return "\n---\n".join((LECTURE / n).read_text() for n in names)


def _lines(wiring: dict) -> list[str]:
    """A section as its title, then its lines; a problem line starts with `!`."""
    out = []
    for section in wiring["sections"]:
        out.append(section["title"])
        out += [("! " if line["problem"] else "  ") + line["text"] for line in section["lines"]]
    return out


@pytest.fixture
def sim() -> Simulation:
    return Simulation.from_preset("lecture", seed=0)


RS3 = "the 3 pods replicaset rs-node-web will create"
SVC_DNS = ("  DNS: svc-node.default.svc.cluster.local -> its ClusterIP, picked from the "
           "service range when it is created")

CASES = [
    pytest.param(("rs-node-web.yaml", "svc-none-node-web.yaml"), [
        "service/svc-node in default (ClusterIP, new)",
        f"  selector app=node-web selects 3 pods: {RS3}",
        f"  port 80/TCP -> targetPort 8080 -> containerPort 8080 (container node-web) on {RS3}",
        SVC_DNS,
    ], id="rs-and-service-select-3-pods-on-8080"),
    pytest.param(("rs-node-web-ports-name.yaml", "svc-clientip-node-web-ports-name.yaml"), [
        "service/svc-node in default (ClusterIP, new)",
        f"  selector app=node-web selects 3 pods: {RS3}",
        "  port 80/TCP -> targetPort node-http -> containerPort 8080 (container node-web) "
        f"on {RS3}",
        SVC_DNS,
    ], id="named-target-port-resolved"),
    pytest.param(("rs-node-web.yaml", "svc-clientip-node-web-ports-name.yaml"), [
        "service/svc-node in default (ClusterIP, new)",
        f"  selector app=node-web selects 3 pods: {RS3}",
        "! port 80/TCP -> targetPort node-http: no selected pod defines a port named node-http "
        f"({RS3}), so port 80 has no endpoints",
        SVC_DNS,
    ], id="named-target-port-no-pod-defines"),
    pytest.param(("svc-none-node-web.yaml",), [
        "service/svc-node in default (ClusterIP, new)",
        "! selector app=node-web matches no pod in namespace default, and no workload of this "
        "upload makes one: the Service has no endpoints",
        SVC_DNS,
    ], id="selector-matching-nothing"),
    pytest.param(("external-name.yaml",), [
        "service/external-service in default (ExternalName, new)",
        "  DNS: external-service.default.svc.cluster.local is a CNAME for google.com; no pods, "
        "no ports: clients resolve the other name and connect there",
    ], id="external-name"),
    pytest.param(("rs-node-web.yaml", "svc-headless-node-web.yaml"), [
        "service/svc-node-headless in default (headless, new)",
        f"  selector app=node-web selects 3 pods: {RS3}",
        f"  port 80/TCP -> targetPort 8080 -> containerPort 8080 (container node-web) on {RS3}",
        "  DNS: svc-node-headless.default.svc.cluster.local -> the IP of every ready pod it "
        "selects (one A record each; NXDOMAIN while none is ready)",
        "  DNS: <pod-ip-with-dashes>.svc-node-headless.default.svc.cluster.local for each of "
        f"{RS3}, while ready",
    ], id="headless"),
    pytest.param(("svc-ingress-service.yaml",), [
        "ingress/svc-ingress in default (new)",
        "! k8s.whatwant.com/test (Prefix) -> service svc-node:80, which does not exist in "
        "default: ingress-nginx answers 503",
    ], id="ingress-backend-missing"),
    pytest.param(("rs-node-web.yaml", "svc-none-node-web.yaml", "svc-ingress-service.yaml"), [
        "service/svc-node in default (ClusterIP, new)",
        f"  selector app=node-web selects 3 pods: {RS3}",
        f"  port 80/TCP -> targetPort 8080 -> containerPort 8080 (container node-web) on {RS3}",
        SVC_DNS,
        "ingress/svc-ingress in default (new)",
        f"  k8s.whatwant.com/test (Prefix) -> service svc-node:80 -> targetPort 8080 -> {RS3}",
    ], id="ingress-to-service-to-pods"),
    pytest.param(("rs-node-web.yaml", "svc-nodeport.yaml"), [
        "service/svc-nodeport in default (NodePort, new)",
        f"  selector app=node-web selects 3 pods: {RS3}",
        "  port 80/TCP (nodePort 30123 on every node) -> targetPort 8080 -> containerPort 8080 "
        f"(container node-web) on {RS3}",
        "  DNS: svc-nodeport.default.svc.cluster.local -> its ClusterIP, picked from the "
        "service range when it is created",
    ], id="nodeport"),
    pytest.param(("svc-no-selector.yaml", "endpoints.yaml"), [
        "service/external-service in default (ClusterIP, new)",
        "  no selector: port 80/TCP -> 11.11.11.11, 22.22.22.22 port 80 (from Endpoints "
        "external-service)",
        "  DNS: external-service.default.svc.cluster.local -> its ClusterIP, picked from the "
        "service range when it is created",
    ], id="no-selector-with-endpoints"),
    pytest.param(("svc-no-selector.yaml",), [
        "service/external-service in default (ClusterIP, new)",
        "! no selector: its endpoints must come from an Endpoints object named "
        "external-service in default, and there is none, so nothing is behind it",
        "  DNS: external-service.default.svc.cluster.local -> its ClusterIP, picked from the "
        "service range when it is created",
    ], id="no-selector-without-endpoints"),
    pytest.param(("job-parallel.yaml",), [], id="nothing-to-wire"),
]


@pytest.mark.parametrize("names, expected", CASES)
def test_the_wiring_of_a_lecture_upload(sim, names, expected):
    results, wiring = preview(sim, _text(*names))
    assert [r.action for r in results] == ["created"] * len(names)
    assert _lines(wiring) == expected
    problems = [line[2:] for line in expected if line.startswith("! ")]
    assert [p.split(": ", 1)[1] for p in wiring["problems"]] == problems


def test_a_numeric_target_port_no_container_declares_is_a_problem(sim):
    text = _text("rs-node-web.yaml") + """
---
apiVersion: v1
kind: Service
metadata: {name: svc-node}
spec:
  selector: {app: node-web}
  ports: [{port: 80, targetPort: 9090}]
"""
    _, wiring = preview(sim, text)
    assert wiring["problems"] == [
        "service/svc-node: port 80/TCP -> targetPort 9090: no container of the 3 pods "
        "replicaset rs-node-web will create declares containerPort 9090 (they declare 8080), "
        "so nothing may listen there"]


def _pods(sim: Simulation) -> str:
    return ", ".join(p["metadata"]["name"] for p in sim.list("pods"))


def test_existing_pods_are_named_and_a_headless_service_names_them_by_ip(sim):
    sim.apply(_text("rs-node-web.yaml"))
    sim.run_until_idle(60)
    _, wiring = preview(sim, _text("svc-headless-node-web.yaml"))
    pods = sim.list("pods")
    names = f"pods {_pods(sim)} (replicaset rs-node-web)"
    dashed = [f"  DNS: {p['status']['podIP'].replace('.', '-')}.svc-node-headless.default.svc."
              "cluster.local -> that pod's IP, while it is ready" for p in pods]
    assert _lines(wiring)[1:3] == [
        f"  selector app=node-web selects 3 pods: {names}",
        f"  port 80/TCP -> targetPort 8080 -> containerPort 8080 (container node-web) on {names}"]
    assert _lines(wiring)[4:] == dashed


def test_a_new_ingress_shows_the_existing_service_it_leads_to(sim):
    sim.apply(_text("rs-node-web.yaml", "svc-none-node-web.yaml"))
    sim.run_until_idle(60)
    ip = sim.get("Service", "svc-node")["spec"]["clusterIP"]
    _, wiring = preview(sim, _text("svc-ingress-service.yaml"))
    names = f"pods {_pods(sim)} (replicaset rs-node-web)"
    assert _lines(wiring) == [
        "service/svc-node in default (ClusterIP, already in the cluster)",
        f"  selector app=node-web selects 3 pods: {names}",
        f"  port 80/TCP -> targetPort 8080 -> containerPort 8080 (container node-web) on {names}",
        f"  DNS: svc-node.default.svc.cluster.local -> ClusterIP {ip}",
        "ingress/svc-ingress in default (new)",
        f"  k8s.whatwant.com/test (Prefix) -> service svc-node:80 -> targetPort 8080 -> {names}",
    ]


def test_a_changed_replicaset_template_does_not_reach_its_existing_pods(sim):
    """The lecture's trap: the ReplicaSet is configured with a named port, but its three
    pods keep the old template, so the Service's named targetPort finds nothing."""
    sim.apply(_text("rs-node-web.yaml", "svc-none-node-web.yaml"))
    sim.run_until_idle(60)
    results, wiring = preview(sim, _text("rs-node-web-ports-name.yaml",
                                         "svc-clientip-node-web-ports-name.yaml"))
    assert [r.action for r in results] == ["configured", "configured"]
    assert wiring["problems"] == [
        "service/svc-node: port 80/TCP -> targetPort node-http: no selected pod defines a port "
        f"named node-http (pods {_pods(sim)} (replicaset rs-node-web)), so port 80 has no "
        "endpoints"]


STATEFUL = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx, ports: [{name: http, containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
"""


def test_statefulset_pods_get_per_pod_names_under_their_headless_service(sim):
    _, wiring = preview(sim, STATEFUL)
    assert _lines(wiring) == [
        "service/web in default (headless, new)",
        "  selector app=web selects 2 pods: pods web-0, web-1 (statefulset web will create them)",
        "  port 80/TCP -> targetPort http -> containerPort 80 (container nginx) on pods web-0, "
        "web-1 (statefulset web will create them)",
        "  DNS: web.default.svc.cluster.local -> the IP of every ready pod it selects (one A "
        "record each; NXDOMAIN while none is ready)",
        "  DNS: web-0.web.default.svc.cluster.local -> that pod's IP, while it is ready",
        "  DNS: web-1.web.default.svc.cluster.local -> that pod's IP, while it is ready",
        "  DNS: _http._tcp.web.default.svc.cluster.local SRV -> port 80",
    ]


DAEMONSET = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: nginx}]
---
apiVersion: v1
kind: Service
metadata: {name: agent}
spec:
  selector: {app: agent}
  ports: [{port: 80}]
"""


def test_a_daemonset_makes_a_pod_per_worker_and_undeclared_ports_are_only_a_note(sim):
    _, wiring = preview(sim, DAEMONSET)
    assert _lines(wiring)[1:3] == [
        "  selector app=agent selects 2 pods: the 2 pods daemonset agent will create",
        "  port 80/TCP -> targetPort 80 on the 2 pods daemonset agent will create, which "
        "declare no containerPort: it connects only if the container listens on 80"]
    assert wiring["problems"] == []


def test_an_ingress_of_another_class_and_a_missing_service_port_do_not_connect(sim):
    text = _text("rs-node-web.yaml", "svc-none-node-web.yaml") + """
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: other}
spec:
  ingressClassName: traefik
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: svc-node, port: {name: web}}}}
"""
    _, wiring = preview(sim, text)
    assert wiring["problems"] == [
        "ingress/other: ingress class traefik: this cluster's ingress-nginx serves class "
        "nginx only, so no controller routes these rules",
        "ingress/other: any host, path / (Prefix) -> service svc-node:web, but svc-node has "
        "no port web: ingress-nginx answers 503"]


@pytest.mark.parametrize("create", [False, True], ids=["apply", "create"])
def test_a_preview_changes_nothing_and_says_what_the_real_upload_then_does(sim, create):
    sim.apply(_text("rs-node-web.yaml", "svc-none-node-web.yaml"))
    sim.run_until_idle(60)
    text = _text("rs-node-web-ports-name.yaml", "svc-headless-node-web.yaml", "svc-nodeport.yaml",
                 "svc-ingress-service.yaml", "external-name.yaml")
    before = json.dumps(sim.state(), sort_keys=True)
    results, _ = preview(sim, text, create)
    assert json.dumps(sim.state(), sort_keys=True) == before
    real = sim.apply(text, create=create)
    assert [(r.action, r.error) for r in results] == [(r.action, r.error) for r in real]


@pytest.mark.parametrize("create", [False, True], ids=["apply", "create"])
def test_parsed_documents_preview_and_apply_as_their_text_and_stay_as_they_were(sim, create):
    # the dashboard parses once to count the objects, then hands the documents over; a
    # retried attempt (runtime.run) must find them as they were
    text = _text("rs-node-web.yaml", "svc-none-node-web.yaml")
    docs = parse_documents(text)
    parsed = json.dumps(docs, sort_keys=True)
    assert preview(sim, docs, create) == preview(sim, text, create)
    results = sim.apply(docs, create=create)
    assert [(r.kind, r.name, r.action) for r in results] == [
        ("ReplicaSet", "rs-node-web", "created"), ("Service", "svc-node", "created")]
    assert json.dumps(docs, sort_keys=True) == parsed


def test_a_dry_run_of_bad_yaml_is_the_api_servers_error(sim):
    results, wiring = preview(sim, "a: [\n")
    assert results[0].error["message"] == ("error converting YAML to JSON: yaml: line 2: did "
                                           "not find expected node content")
    assert wiring == {"sections": [], "problems": []}


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: nginx, ports: [{containerPort: 80%s}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: %s}]
"""


def test_a_deployment_rollout_replaces_its_pods_and_an_unchanged_upload_keeps_them(sim):
    sim.apply(DEPLOYMENT % ("", "80"))
    sim.run_until_idle(60)
    _, same = preview(sim, DEPLOYMENT % ("", "80"))
    assert _lines(same)[:2] == [
        "service/api in default (ClusterIP, unchanged by this upload)",
        f"  selector app=api selects 2 pods: pods {_pods(sim)} (replicaset "
        f"{sim.list('replicasets')[0]['metadata']['name']})"]
    results, rollout = preview(sim, DEPLOYMENT % (", name: http", "http"))
    assert [r.action for r in results] == ["configured", "configured"]
    assert _lines(rollout)[:3] == [
        "service/api in default (ClusterIP, updated by this upload)",
        "  selector app=api selects 2 pods: the 2 pods deployment api will create",
        "  port 80/TCP -> targetPort http -> containerPort 80 (container api) on the 2 pods "
        "deployment api will create"]


def test_a_bare_pod_with_hostname_and_subdomain_is_named_under_its_headless_service(sim):
    text = """apiVersion: v1
kind: Pod
metadata: {name: busybox1, labels: {name: busybox}}
spec:
  hostname: busybox-1
  subdomain: busybox-subdomain
  containers: [{name: busybox, image: busybox, command: [sleep, "3600"]}]
---
apiVersion: v1
kind: Service
metadata: {name: busybox-subdomain}
spec:
  clusterIP: None
  selector: {name: busybox}
  ports: [{name: foo, port: 1234}]
"""
    _, wiring = preview(sim, text)
    assert _lines(wiring)[1:2] + _lines(wiring)[4:] == [
        "  selector name=busybox selects 1 pod: pod busybox1 (this upload will create it)",
        "  DNS: busybox-1.busybox-subdomain.default.svc.cluster.local -> that pod's IP, while "
        "it is ready",
        "  DNS: _foo._tcp.busybox-subdomain.default.svc.cluster.local SRV -> port 1234"]
