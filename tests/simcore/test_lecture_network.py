"""Every network command of the lecture, replayed with its manifests through simcore."""

from collections import Counter

import pytest

from simcore import Simulation
from simcore.envvars import env_name
from simcore.net.coredns import CoreDNS

NODE_IPS = {"master-stg": "192.168.100.119", "worker1": "192.168.100.112",
            "worker2": "192.168.100.111"}
ECHO = """apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: echo}
spec:
  replicas: 2
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      containers:
      - {name: echo, image: "registry.k8s.io/echoserver:1.10", ports: [{containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  type: NodePort
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
"""


@pytest.fixture
def sim(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.run_until_idle(60)
    return sim


def pod_names(sim, label="app=node-web"):
    return [p["metadata"]["name"] for p in sim.list("pods", label_selector=label)]


def hit(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stdout.startswith("You've hit ")
    return result.stdout.removeprefix("You've hit ").strip()


def test_it_reaches_every_pod_ip_from_one_pod(sim):
    pods = sim.list("pods")
    first = pods[0]["metadata"]["name"]
    for pod in pods:
        result = sim.exec(first, f"curl -s http://{pod['status']['podIP']}:8080")
        assert result.stdout == f"You've hit {pod['metadata']['name']}\n"


def test_it_spreads_cluster_ip_requests_over_the_three_pods(sim, lecture_file):
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    ip = sim.get("services", "svc-node")["spec"]["clusterIP"]
    counts = Counter(hit(sim.exec_on_node("master-stg", f"curl -s http://{ip}"))
                     for _ in range(3000))
    assert set(counts) == set(pod_names(sim))
    assert all(850 <= n <= 1150 for n in counts.values()), counts


def test_it_pins_a_client_to_one_pod_with_client_ip_affinity(sim, lecture_file):
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    sim.apply(lecture_file("svc-clientip-node-web.yaml"))
    ip = sim.get("services", "svc-node")["spec"]["clusterIP"]
    answers = {hit(sim.exec_on_node("master-stg", f"curl -s http://{ip}")) for _ in range(300)}
    assert len(answers) == 1
    last = sim.exec_on_node("master-stg", f"curl -s http://{ip}")
    proxy = next(s for s in last.trace if s["step"] == "proxy")
    assert proxy["how"] == "affinity" and proxy["node"] == "master-stg"


def test_it_keeps_affinity_with_named_target_ports(lecture_file):
    sim = Simulation.from_preset("lecture", seed=1)
    sim.apply(lecture_file("rs-node-web-ports-name.yaml"), create=True)
    sim.apply(lecture_file("svc-clientip-node-web-ports-name.yaml"), create=True)
    sim.run_until_idle(60)
    ep = sim.get("endpoints", "svc-node")
    assert ep["subsets"][0]["ports"] == [{"port": 8080, "protocol": "TCP"}]
    ip = sim.get("services", "svc-node")["spec"]["clusterIP"]
    answers = {hit(sim.exec_on_node("worker1", f"curl -s http://{ip}")) for _ in range(50)}
    assert len(answers) == 1


def test_it_gives_service_variables_only_to_pods_started_after_the_service(sim, lecture_file):
    originals = set(pod_names(sim))
    old = sorted(originals)[0]
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    before = sim.exec(old, "env").stdout
    assert "KUBERNETES_SERVICE_PORT_HTTPS=443" in before and "SVC_NODE" not in before
    sim.delete("pods", old)
    sim.run_until_idle(120)
    [new] = set(pod_names(sim)) - originals
    ip = sim.get("services", "svc-node")["spec"]["clusterIP"]
    env = sim.exec(new, "env").stdout.splitlines()
    assert sorted(line for line in env if line.startswith("SVC_NODE")) == sorted([
        f"SVC_NODE_SERVICE_HOST={ip}", "SVC_NODE_SERVICE_PORT=80",
        f"SVC_NODE_PORT=tcp://{ip}:80", f"SVC_NODE_PORT_80_TCP=tcp://{ip}:80",
        "SVC_NODE_PORT_80_TCP_PROTO=tcp", "SVC_NODE_PORT_80_TCP_PORT=80",
        f"SVC_NODE_PORT_80_TCP_ADDR={ip}"])
    assert env[:2] == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                       f"HOSTNAME={new}"]
    assert env[-3:] == ["NODE_VERSION=15.14.0", "YARN_VERSION=1.22.5", "HOME=/root"]


def test_it_writes_the_lecture_resolv_conf(sim):
    result = sim.exec(pod_names(sim)[0], "cat /etc/resolv.conf")
    assert result.stdout == ("nameserver 10.96.0.10\n"
                             "search default.svc.cluster.local svc.cluster.local cluster.local "
                             "skbroadband\noptions ndots:5\n")


@pytest.mark.parametrize("name, code, queried", [
    pytest.param("svc-node", 0, ["svc-node.default.svc.cluster.local"], id="bare"),
    pytest.param("svc-node.default", 0, ["svc-node.default.default.svc.cluster.local",
                                         "svc-node.default.svc.cluster.local"], id="ns"),
    pytest.param("svc-node.default.svc", 0, [
        "svc-node.default.svc.default.svc.cluster.local", "svc-node.default.svc.svc.cluster.local",
        "svc-node.default.svc.cluster.local"], id="svc"),
    pytest.param("svc-node.default.svc.cluster", 28, [
        "svc-node.default.svc.cluster.default.svc.cluster.local",
        "svc-node.default.svc.cluster.svc.cluster.local",
        "svc-node.default.svc.cluster.cluster.local",
        "svc-node.default.svc.cluster.skbroadband"], id="cluster-hangs"),
    pytest.param("svc-node.default.svc.cluster.local", 28, [
        "svc-node.default.svc.cluster.local.default.svc.cluster.local",
        "svc-node.default.svc.cluster.local.svc.cluster.local",
        "svc-node.default.svc.cluster.local.cluster.local",
        "svc-node.default.svc.cluster.local.skbroadband"], id="fqdn-hangs"),
])
def test_it_walks_the_search_list_like_the_lecture(sim, lecture_file, name, code, queried):
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    result = sim.exec(pod_names(sim)[0], f"curl -s -m 2 http://{name}")
    assert result.exit_code == code
    asked = []
    for s in result.trace:
        if s["step"] == "dns-query" and s["name"] not in asked:
            asked.append(s["name"])
    assert asked[:len(queried)] == queried
    if code == 0:
        assert result.stdout.startswith("You've hit rs-node-web-")
    else:
        assert result.stdout == "" and result.stderr == ""


def test_a_healthy_upstream_resolves_the_fqdn_after_five_queries(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0, upstream="healthy")
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    sim.run_until_idle(60)
    pod = pod_names(sim)[0]
    result = sim.exec(pod, "curl -s -m 2 http://svc-node.default.svc.cluster.local")
    assert result.exit_code == 0
    assert [s["name"] for s in result.trace if s["step"] == "dns-query"][-1] == \
        "svc-node.default.svc.cluster.local"
    assert len([s for s in result.trace if s["step"] == "dns-query"]) == 5


def test_a_pod_reaches_itself_through_its_service(sim, lecture_file):
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    me = pod_names(sim)[0]
    selves = [hit(sim.exec(me, "curl -s http://svc-node")) for _ in range(60)]
    assert me in selves


def test_manual_endpoints_route_to_addresses_that_never_answer(sim, lecture_file):
    sim.apply(lecture_file("svc-no-selector.yaml"), create=True)
    sim.apply(lecture_file("endpoints.yaml"), create=True)
    result = sim.exec(pod_names(sim)[0], "curl -s -m 2 http://external-service")
    assert result.exit_code == 28
    proxy = next(s for s in result.trace if s["step"] == "proxy")
    assert proxy["candidates"] == ["11.11.11.11:80", "22.22.22.22:80"]
    assert result.trace[-1]["step"] in ("timeout",)


def test_external_name_is_a_cname_to_google(sim, lecture_file):
    sim.apply(lecture_file("external-name.yaml"), create=True)
    result = sim.exec(pod_names(sim)[0], "curl -s -o /dev/null -w '%{http_code}' "
                      "http://external-service")
    assert result.stdout == "301"
    answer = next(s for s in result.trace if s["step"] == "dns-query" and
                  s["name"] == "external-service.default.svc.cluster.local")
    assert answer["cname"] == ["google.com"]
    assert answer["answer"] == ["142.250.196.110"]


@pytest.mark.parametrize("node", sorted(NODE_IPS))
def test_node_port_answers_on_every_node_ip(sim, lecture_file, node):
    sim.apply(lecture_file("svc-nodeport.yaml"), create=True)
    result = sim.exec_external("192.168.100.50", f"curl -s http://{NODE_IPS[node]}:30123")
    assert hit(result) in pod_names(sim)


def test_load_balancer_stays_pending_without_a_pool(sim, lecture_file):
    sim.apply(lecture_file("svc-loadbalancer.yaml"), create=True)
    table = sim.table("services")
    row = next(r["cells"] for r in table["rows"] if r["cells"][0] == "svc-loadbalancer")
    assert row[1:4][0] == "LoadBalancer" and row[3] == "<pending>"
    assert row[4].startswith("80:3")


@pytest.mark.parametrize("path, seen", [
    pytest.param("pod", "pod", id="pod-to-pod keeps the pod IP"),
    pytest.param("node-clusterip", "node", id="node to ClusterIP is masqueraded"),
    pytest.param("external-nodeport", "node", id="NodePort with Cluster policy SNATs"),
])
def test_the_backend_sees_the_source_address_of_each_path(lecture_file, path, seen):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(ECHO, create=True)
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.run_until_idle(60)
    client_pod = sim.list("pods", label_selector="app=node-web")[0]
    ip = sim.get("services", "echo")["spec"]["clusterIP"]
    if path == "pod":
        result = sim.exec(client_pod["metadata"]["name"], f"curl -s http://{ip}")
    elif path == "node-clusterip":
        result = sim.exec_on_node("worker1", f"curl -s http://{ip}")
    else:
        result = sim.exec_external("192.168.100.50", "curl -s http://192.168.100.112:30080")
    line = next(x for x in result.stdout.splitlines() if "client_address=" in x)
    client = line.split("=", 1)[1]
    if seen == "pod":
        assert client == client_pod["status"]["podIP"]
    else:
        assert client.startswith("10.244.") and client != client_pod["status"]["podIP"]


def test_external_traffic_policy_local_keeps_the_client_ip_and_drops_elsewhere(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(ECHO.replace("type: NodePort", "type: NodePort\n  externalTrafficPolicy: Local"),
              create=True)
    sim.run_until_idle(60)
    nodes = {p["spec"]["nodeName"] for p in sim.list("pods", label_selector="app=echo")}
    for node, ip in NODE_IPS.items():
        result = sim.exec_external("192.168.100.50", f"curl -s -m 2 http://{ip}:30080")
        if node in nodes:
            assert "client_address=192.168.100.50" in result.stdout
        else:
            assert result.exit_code == 28


def test_ingress_routes_by_host_and_path_to_svc_node(sim, lecture_file):
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    sim.apply(lecture_file("svc-ingress-service.yaml"), create=True)
    sim.run_until_idle(60)
    port = next(p["nodePort"] for p in sim.get("services", "ingress-nginx-controller",
                                               "ingress-nginx")["spec"]["ports"]
                if p["name"] == "http")
    result = sim.exec_external("192.168.100.50", f"curl -s -H 'Host: k8s.whatwant.com' "
                               f"http://192.168.100.112:{port}/test")
    assert hit(result) in pod_names(sim)
    missing = sim.exec_external("192.168.100.50", f"curl -s -H 'Host: other.example' "
                                f"http://192.168.100.112:{port}/test")
    assert "<center><h1>404 Not Found</h1></center>" in missing.stdout
    assert "<hr><center>nginx</center>" in missing.stdout


def test_no_ready_endpoints_is_refused_at_once(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web-readiness.yaml"), create=True)
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    sim.run_until_idle(60)
    ip = sim.get("services", "svc-node")["spec"]["clusterIP"]
    result = sim.exec_on_node("master-stg", f"curl http://{ip}")
    assert result.exit_code == 7
    assert result.stderr.startswith(f"curl: (7) Failed to connect to {ip} port 80")
    assert result.trace[-1]["step"] == "reject"


def test_headless_service_answers_with_every_ready_pod(sim, lecture_file):
    sim.apply(lecture_file("svc-headless-node-web.yaml"), create=True)
    sim.run_until_idle(10)
    pod = sim.list("pods")[0]
    result = sim.exec(pod["metadata"]["name"], "curl -s http://svc-node-headless:8080")
    assert hit(result) in pod_names(sim)
    answer = next(s for s in result.trace if s["step"] == "dns-query" and
                  s["name"] == "svc-node-headless.default.svc.cluster.local")
    assert sorted(answer["answer"]) == sorted(p["status"]["podIP"] for p in sim.list("pods"))


def test_a_pool_gives_the_load_balancer_an_address_that_answers(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0, lb_pool=["192.168.100.240-192.168.100.250"])
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.apply(lecture_file("svc-loadbalancer.yaml"), create=True)
    sim.run_until_idle(60)
    row = next(r["cells"] for r in sim.table("services")["rows"]
               if r["cells"][0] == "svc-loadbalancer")
    assert row[3] == "192.168.100.240"
    result = sim.exec_external("192.168.100.50", "curl -s http://192.168.100.240")
    assert hit(result) in pod_names(sim)
    entry = next(s for s in result.trace if s["step"] == "forward")
    assert "announces 192.168.100.240" in entry["detail"]


def test_local_policy_answers_health_checks_per_node(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0, lb_pool=["192.168.100.240-192.168.100.250"])
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.apply(lecture_file("svc-externaltrafficpolicy.yaml"), create=True)
    sim.run_until_idle(60)
    svc = sim.get("services", "svc-loadbalancer")
    port = svc["spec"]["healthCheckNodePort"]
    local = Counter(p["spec"]["nodeName"] for p in sim.list("pods"))
    for node, ip in NODE_IPS.items():
        result = sim.exec_external("192.168.100.50", f"curl -s -i http://{ip}:{port}/")
        status = result.stdout.splitlines()[0]
        if local[node]:
            assert status.startswith("HTTP/1.1 200")
            assert f'"localEndpoints": {local[node]}' in result.stdout
        else:
            assert status.startswith("HTTP/1.1 503")
    lb = svc["status"]["loadBalancer"]["ingress"][0]["ip"]
    echo = sim.exec_external("192.168.100.50", f"curl -s http://{lb}")
    assert hit(echo) in pod_names(sim)


@pytest.mark.parametrize("query, expected", [
    pytest.param("_node-http._tcp.svc-node.default.svc.cluster.local",
                 "0 100 80 svc-node.default.svc.cluster.local.", id="named-port"),
    pytest.param("_nothing._tcp.svc-node.default.svc.cluster.local", "", id="unknown-port"),
])
def test_dns_serves_srv_records_for_named_ports(lecture_file, query, expected):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web-ports-name.yaml"), create=True)
    sim.apply(lecture_file("svc-clientip-node-web-ports-name.yaml").replace(
        "  - port: 80", "  - name: node-http\n    port: 80"), create=True)
    sim.run_until_idle(60)
    result = CoreDNS(sim.engine).answer(query, "SRV", "10.96.0.10")
    assert result.records == ((expected,) if expected else ())
    assert result.rcode == ("NOERROR" if expected else "NXDOMAIN")


@pytest.mark.parametrize("name, expected", [
    pytest.param("svc-node", "SVC_NODE", id="dash"),
    pytest.param("kubernetes", "KUBERNETES", id="plain"),
    pytest.param("3d-viewer", "_3D_VIEWER", id="leading-digit"),
    pytest.param("a.b-c", "A_B_C", id="dot"),
])
def test_service_variable_names(name, expected):
    assert env_name(name) == expected


BUSYBOX = """apiVersion: v1
kind: Pod
metadata: {name: bb}
spec:
  containers: [{name: bb, image: busybox, command: [sleep, "3600"]}]
"""


@pytest.mark.parametrize("command, code, out", [
    pytest.param("nslookup kubernetes.default", 0,
                 "Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n", id="nslookup"),
    pytest.param("wget -qO- http://svc-node", 0, "You've hit rs-node-web-", id="wget"),
    pytest.param("nslookup nothing-here", 1, "** server can't find nothing-here: NXDOMAIN",
                 id="nxdomain"),
    pytest.param("curl http://svc-node", 126, 'exec: "curl": executable file not found in $PATH',
                 id="busybox-has-no-curl"),
])
def test_busybox_tools_go_through_cluster_dns_and_proxy(sim, lecture_file, command, code, out):
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    sim.apply(BUSYBOX, create=True)
    sim.run_until_idle(60)
    result = sim.exec("bb", command)
    assert result.exit_code == code
    assert out in result.stdout + result.stderr


def test_internal_traffic_policy_local_keeps_pod_traffic_on_its_node(sim, lecture_file):
    sim.apply(lecture_file("svc-none-node-web.yaml").replace(
        "spec:", "spec:\n  internalTrafficPolicy: Local"), create=True)
    for pod in sim.list("pods"):
        node = pod["spec"]["nodeName"]
        local = {p["metadata"]["name"] for p in sim.list("pods") if p["spec"]["nodeName"] == node}
        answers = {hit(sim.exec(pod["metadata"]["name"], "curl -s http://svc-node"))
                   for _ in range(20)}
        assert answers <= local


def test_a_pod_is_ready_before_its_server_listens_and_the_trace_says_so(lecture_file):
    # No readiness probe: the kubelet reports Ready when the container starts, and kube-proxy
    # sends traffic at once, while node-web's app.js binds :8080 0.1 s later. A curl in that
    # gap is refused on a real cluster too; the trace names the gap instead of hiding it.
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    sim.advance(2.0)
    pods = sim.list("pods", label_selector="app=node-web")
    assert all(c["status"] == "True" for p in pods for c in p["status"]["conditions"]
               if c["type"] == "Ready")
    endpoints = sim.get("endpoints", "svc-node")
    assert len(endpoints["subsets"][0]["addresses"]) == 3
    ip = sim.get("services", "svc-node")["spec"]["clusterIP"]
    refused = sim.exec_on_node("master-stg", f"curl -s http://{ip}")
    assert refused.exit_code == 7
    assert ("has nothing listening on port 8080 yet (its process opens it in 0.10 s): its "
            "kernel answers with a TCP reset") in refused.trace[-2]["detail"]
    sim.advance(0.1)
    hit(sim.exec_on_node("master-stg", f"curl -s http://{ip}"))
