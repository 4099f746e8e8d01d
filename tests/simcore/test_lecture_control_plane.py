"""The lecture's control-plane transcripts, replayed through the facade."""

import pytest
import yaml

from simcore import AlreadyExists, Invalid, Simulation
from simcore.objects import pod_ready as is_ready


@pytest.fixture
def sim():
    return Simulation.from_preset("lecture", seed=0)


def cells(sim, kind, namespace="default"):
    table = sim.table(kind, namespace)
    names = [c["name"] for c in table["columnDefinitions"]]
    return [dict(zip(names, row["cells"], strict=True)) for row in table["rows"]]


def test_it_runs_the_job_to_three_completions_keeping_failed_pods(sim, lecture_file):
    [result] = sim.apply(lecture_file("job-parallel.yaml"), create=True)
    assert (result.kind, result.name, result.action, result.error) == \
        ("Job", "throw-dice-job", "created", None)
    sim.run_until_idle(3600)
    [job] = cells(sim, "jobs")
    assert job["Completions"] == "3/3"
    assert job["Status"] == "Complete"
    pods = cells(sim, "pods")
    statuses = sorted({p["Status"] for p in pods})
    assert statuses == ["Completed", "Error"]
    assert sum(p["Status"] == "Completed" for p in pods) == 3
    assert all(p["Ready"] == "0/1" and p["Restarts"] == "0" for p in pods)
    assert len(pods) == 3 + sim.get("jobs", "throw-dice-job")["status"]["failed"]


def test_it_puts_three_running_pods_on_the_workers_only(sim, lecture_file):
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.advance(10)
    [rs] = cells(sim, "rs")
    assert (rs["Desired"], rs["Current"], rs["Ready"]) == (3, 3, 3)
    pods = cells(sim, "pods")
    assert [p["Status"] for p in pods] == ["Running"] * 3
    assert {p["Node"] for p in pods} <= {"worker1", "worker2"}
    for p in pods:
        index = {"worker1": 1, "worker2": 2}[p["Node"]]
        assert p["IP"].startswith(f"10.244.{index}.")


def test_it_keeps_endpoints_in_step_with_readiness(sim, lecture_file):
    sim.apply(lecture_file("rs-node-web-readiness.yaml"), create=True)
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    sim.advance(30)
    ep = sim.get("endpoints", "svc-node")
    assert "addresses" not in ep["subsets"][0]
    assert len(ep["subsets"][0]["notReadyAddresses"]) == 3
    pod = sim.list("pods")[0]
    result = sim.exec(pod["metadata"]["name"], "touch /var/ready")
    assert result.exit_code == 0
    sim.advance(11)
    ep = sim.get("endpoints", "svc-node")
    assert [a["targetRef"]["name"] for a in ep["subsets"][0]["addresses"]] == \
        [pod["metadata"]["name"]]
    assert is_ready(sim.get("pods", pod["metadata"]["name"]))


def test_it_replaces_a_deleted_pod(sim, lecture_file):
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.advance(10)
    victim = sim.list("pods")[0]["metadata"]["name"]
    sim.delete("pods", victim)
    sim.advance(5)
    names = {p["metadata"]["name"] for p in sim.list("pods")
             if not p["metadata"].get("deletionTimestamp")}
    assert victim not in names and len(names) == 3
    sim.advance(40)
    assert victim not in {p["metadata"]["name"] for p in sim.list("pods")}


def test_it_refuses_a_second_create_with_already_exists(sim, lecture_file):
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    [again] = sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    assert again.error["reason"] == "AlreadyExists"
    assert again.error["message"] == 'services "svc-node" already exists'
    with pytest.raises(AlreadyExists):
        sim.api.create("services", yaml.safe_load(lecture_file("svc-none-node-web.yaml")))


def test_it_refuses_a_taken_cluster_ip_before_checking_the_name(sim, lecture_file):
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    exported = sim.get("services", "svc-node")
    ip = exported["spec"]["clusterIP"]
    with pytest.raises(Invalid) as err:
        sim.api.create("services", exported)
    assert err.value.status["message"] == (
        f'Service "svc-node" is invalid: spec.clusterIPs: Invalid value: ["{ip}"]: failed to '
        f"allocate IP {ip}: provided IP is already allocated")


def test_it_warns_when_applying_over_a_created_service(sim, lecture_file):
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    [result] = sim.apply(lecture_file("svc-clientip-node-web.yaml"))
    assert result.action == "configured"
    assert result.warnings == (
        "resource services/svc-node is missing the kubectl.kubernetes.io/last-applied-"
        "configuration annotation which is required by kubectl apply. kubectl apply should only"
        " be used on resources created declaratively by either kubectl create --save-config or "
        "kubectl apply. The missing annotation will be patched automatically.",)
    assert sim.get("services", "svc-node")["spec"]["sessionAffinity"] == "ClientIP"
    [again] = sim.apply(lecture_file("svc-clientip-node-web.yaml"))
    assert (again.action, again.warnings) == ("unchanged", ())


def test_it_is_deterministic_for_a_seed(lecture_file):
    import json

    def run():
        sim = Simulation.from_preset("lecture", seed=7)
        sim.apply(lecture_file("job-parallel.yaml"), create=True)
        sim.apply(lecture_file("rs-node-web.yaml"), create=True)
        sim.advance(120)
        return json.dumps(sim.state(), sort_keys=True)
    assert run() == run()


def test_it_restores_a_saved_cluster_exactly(lecture_file):
    import json
    sim = Simulation.from_preset("lecture", seed=3)
    sim.apply(lecture_file("job-parallel.yaml"), create=True)
    sim.advance(30)
    copy = Simulation.from_state(json.loads(json.dumps(sim.state())))
    sim.advance(300)
    copy.advance(300)
    assert json.dumps(sim.state(), sort_keys=True) == json.dumps(copy.state(), sort_keys=True)


def test_a_deleted_namespace_terminates_then_goes_with_its_contents(sim, lecture_file):
    sim.apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: whatwant}\n", create=True)
    sim.apply(lecture_file("rs-node-web.yaml"), create=True, namespace="whatwant")
    sim.advance(10)
    sim.delete("namespaces", "whatwant", None)
    assert sim.get("namespaces", "whatwant", None)["status"]["phase"] == "Terminating"
    [refused] = sim.apply(lecture_file("svc-none-node-web.yaml"), create=True,
                          namespace="whatwant")
    assert refused.error["message"] == ("unable to create new content in namespace whatwant "
                                        "because it is being terminated")
    sim.advance(31)
    assert sim.list("pods", "whatwant") == []
    assert [n["metadata"]["name"] for n in sim.list("namespaces", None)].count("whatwant") == 0


def test_kube_system_pods_are_the_lectures(sim):
    rows = {r["Name"]: r for r in cells(sim, "pods", "kube-system")}
    expected = {  # name: (restarts, age, IP, node), from the lecture's DNS slide
        "coredns-74ff55c5b-dz8kq": ("10", "123d", "10.244.0.", "master-stg"),
        "etcd-master-stg": ("29", "123d", "192.168.100.119", "master-stg"),
        "kube-apiserver-master-stg": ("26", "123d", "192.168.100.119", "master-stg"),
        "kube-flannel-ds-99psb": ("14", "123d", "192.168.100.112", "worker1"),
        "kube-flannel-ds-sdcpc": ("4", "5d23h", "192.168.100.111", "worker2"),
        "kube-proxy-5lvx5": ("3", "5d23h", "192.168.100.111", "worker2"),
        "kube-scheduler-master-stg": ("15", "123d", "192.168.100.119", "master-stg"),
    }
    assert len(rows) == 12
    for name, (restarts, age, ip, node) in expected.items():
        row = rows[name]
        assert (row["Ready"], row["Status"]) == ("1/1", "Running")
        assert row["Restarts"].split(" ")[0] == restarts
        assert (row["Age"], row["Node"]) == (age, node)
        assert row["IP"].startswith(ip)


def test_nodes_are_the_lectures(sim):
    rows = [r["cells"] for r in sim.table("nodes", None)["rows"]]
    assert rows == [
        ["master-stg", "Ready", "control-plane,master", "123d", "v1.20.1", "192.168.100.119",
         "<none>", "Ubuntu 20.04.2 LTS", "5.4.0-72-generic", "docker://20.10.1"],
        ["worker1", "Ready", "<none>", "123d", "v1.20.1", "192.168.100.112", "<none>",
         "Ubuntu 20.04.2 LTS", "5.4.0-72-generic", "docker://20.10.1"],
        ["worker2", "Ready", "<none>", "5d23h", "v1.20.1", "192.168.100.111", "<none>",
         "Ubuntu 20.04.2 LTS", "5.4.0-72-generic", "docker://20.10.1"]]


TWO_PORTS = """apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: node-web}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: alt, port: 8080, targetPort: 8080}
"""


def test_apply_removes_a_list_item_the_manifest_dropped(sim):
    [first] = sim.apply(TWO_PORTS)
    assert first.action == "created"
    [second] = sim.apply(TWO_PORTS.replace("  - {name: alt, port: 8080, targetPort: 8080}\n",
                                           ""))
    assert second.action == "configured"
    ports = sim.get("services", "web")["spec"]["ports"]
    assert [(p["name"], p["port"], p["protocol"]) for p in ports] == [("http", 80, "TCP")]
    [third] = sim.apply(TWO_PORTS.replace("port: 80,", "port: 81,"))
    assert third.action == "configured"
    assert [(p["name"], p["port"]) for p in sim.get("services", "web")["spec"]["ports"]] == [
        ("http", 81), ("alt", 8080)]


def test_apply_keeps_what_the_server_filled_in(sim, lecture_file):
    sim.apply(lecture_file("svc-nodeport.yaml").replace("    nodePort: 30123\n", ""))
    before = sim.get("services", "svc-nodeport")["spec"]["ports"][0]["nodePort"]
    [again] = sim.apply(lecture_file("svc-nodeport.yaml").replace("    nodePort: 30123\n", "")
                        .replace("targetPort: 8080", "targetPort: 8081"))
    assert again.action == "configured"
    port = sim.get("services", "svc-nodeport")["spec"]["ports"][0]
    assert (port["nodePort"], port["targetPort"]) == (before, 8081)


@pytest.mark.parametrize("annotation", ["5", "[1]", '"text"', "{"])
def test_apply_refuses_a_last_applied_annotation_that_is_no_json_object(sim, annotation):
    # anyone may write the annotation: JSON that is not an object crashed the three-way patch
    sim.apply(CONFIG_MAP.format(data="1", annotation=annotation), create=True)
    [result] = sim.apply(CONFIG_MAP.format(data="2", annotation=annotation))
    assert result.action is None
    assert (result.error["code"], result.error["message"]) == (
        400, "error decoding the kubectl.kubernetes.io/last-applied-configuration annotation "
             "of configmaps/cm")
    assert sim.get("configmaps", "cm")["data"] == {"a": "1"}


CONFIG_MAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{annotation}'
data: {{a: "{data}"}}
"""


@pytest.mark.parametrize("namespace, deployment, rs_hash, replicas, containers", [
    pytest.param("kube-system", "coredns", "74ff55c5b", 2, "coredns", id="coredns"),
    pytest.param("ingress-nginx", "ingress-nginx-controller", "5c8d66c76d", 1, "controller",
                 id="ingress-nginx"),
])
def test_the_system_replica_sets_belong_to_their_deployments(sim, namespace, deployment,
                                                             rs_hash, replicas, containers):
    """`kubectl get deploy -A` lists them; each owns the set named <deployment>-<hash>,
    whose pods carry that hash, and nothing is rolled when the cluster starts."""
    [row] = cells(sim, "deployments", namespace)
    ready = f"{replicas}/{replicas}"
    assert (row["Name"], row["Ready"], row["Up-to-date"], row["Available"],
            row["Containers"]) == (deployment, ready, replicas, replicas, containers)
    [rs] = sim.list("replicasets", namespace)
    assert rs["metadata"]["name"] == f"{deployment}-{rs_hash}"
    assert [(r["kind"], r["name"]) for r in rs["metadata"]["ownerReferences"]] == \
        [("Deployment", deployment)]
    pods = [p for p in sim.list("pods", namespace)
            if p["metadata"]["name"].startswith(f"{deployment}-")]
    assert len(pods) == replicas
    for pod in pods:
        assert pod["metadata"]["name"].startswith(f"{deployment}-{rs_hash}-")
        assert pod["metadata"]["labels"]["pod-template-hash"] == rs_hash
    sim.advance(60)
    assert [r["metadata"]["name"] for r in sim.list("replicasets", namespace)] == \
        [f"{deployment}-{rs_hash}"]
