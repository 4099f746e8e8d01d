"""The lecture's kubectl commands, typed by the bundled kubectl against a running server."""

from __future__ import annotations

import re

pytest_plugins = ["kubectl_fixtures"]  # fixtures; see kubectl_fixtures.py for why not conftest.py


LECTURE_NODES = [
    ("master-stg", "Ready", "control-plane,master", "192.168.100.119"),
    ("worker1", "Ready", "<none>", "192.168.100.112"),
    ("worker2", "Ready", "<none>", "192.168.100.111"),
]
KUBE_SYSTEM_PREFIXES = ["coredns-", "coredns-", "etcd-master-stg", "kube-apiserver-master-stg",
                        "kube-controller-manager-master-stg", "kube-flannel-ds-",
                        "kube-flannel-ds-", "kube-flannel-ds-", "kube-proxy-", "kube-proxy-",
                        "kube-proxy-", "kube-scheduler-master-stg"]
APPLY_WARNING = (
    "Warning: resource services/svc-node is missing the "
    "kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl "
    "apply. kubectl apply should only be used on resources created declaratively by either "
    "kubectl create --save-config or kubectl apply. The missing annotation will be patched "
    "automatically.\n")


def _rows(text: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in text.strip().splitlines()[1:]]


def _running(text: str, count: int) -> bool:
    rows = _rows(text)
    return len(rows) == count and all(r[1] == "1/1" and r[2] == "Running" for r in rows)


def test_version_reports_the_server(kubectl):
    out = kubectl("version").stdout
    assert "Client Version: v1.37.1\n" in out
    assert "Server Version: v1.37.1\n" in out


def test_get_nodes_wide_shows_the_lecture_nodes(kubectl):
    out = kubectl("get", "nodes", "-o", "wide").stdout
    header = out.splitlines()[0].split()
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP",
                      "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]
    rows = _rows(out)
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == LECTURE_NODES
    assert all(r[4] == "v1.20.1" and r[9] == "docker://20.10.1" for r in rows)


def test_get_pods_in_kube_system(kubectl):
    rows = _rows(kubectl("get", "pods", "-n", "kube-system").stdout)
    assert len(rows) == len(KUBE_SYSTEM_PREFIXES)
    for row, prefix in zip(rows, KUBE_SYSTEM_PREFIXES, strict=True):
        assert row[0].startswith(prefix)
        # the preset replays the slide's restart counts, the last ones three days ago
        assert row[1:3] == ["1/1", "Running"]
        assert re.fullmatch(r"\d+ \(3d ago\)", row[3]), row


def test_empty_namespace_says_no_resources(kubectl):
    done = kubectl("get", "pods")
    assert done.stdout == ""
    assert done.stderr == "No resources found in default namespace.\n"


def test_replicaset_starts_three_running_pods(kubectl):
    done = kubectl("create", "-f", "rs-node-web.yaml")
    assert done.stdout == "replicaset.apps/rs-node-web created\n"
    out = kubectl.until(lambda o: _running(o, 3), "get", "pods", "-o", "wide")
    rows = _rows(out)
    assert _running(out, 3), out
    assert all(r[0].startswith("rs-node-web-") for r in rows)
    assert all(re.fullmatch(r"10\.244\.\d+\.\d+", r[5]) for r in rows)
    assert {r[6] for r in rows} <= {"worker1", "worker2"}


def test_create_twice_is_already_exists(kubectl):
    assert kubectl("create", "-f", "svc-none-node-web.yaml").stdout == "service/svc-node created\n"
    again = kubectl("create", "-f", "svc-none-node-web.yaml", check=False)
    assert again.returncode == 1
    assert again.stderr == ('Error from server (AlreadyExists): error when creating '
                            '"svc-none-node-web.yaml": services "svc-node" already exists\n')


def test_apply_after_create_warns_then_configures(kubectl):
    kubectl("create", "-f", "svc-none-node-web.yaml")
    done = kubectl("apply", "-f", "svc-clientip-node-web.yaml")
    assert done.stderr == APPLY_WARNING
    assert done.stdout == "service/svc-node configured\n"
    again = kubectl("apply", "-f", "svc-clientip-node-web.yaml")
    assert (again.stdout, again.stderr) == ("service/svc-node unchanged\n", "")


def test_describe_service_shows_affinity_and_endpoints(kubectl):
    kubectl("create", "-f", "rs-node-web.yaml")
    kubectl("apply", "-f", "svc-clientip-node-web.yaml")
    kubectl.until(lambda o: _running(o, 3), "get", "pods")
    out = kubectl.until(lambda o: o.count(":8080") == 3, "describe", "service", "svc-node")
    fields = dict(re.split(r":\s+", line, maxsplit=1) for line in out.splitlines()
                  if re.match(r"^[A-Z][\w ]+:\s+\S", line))
    assert fields["Name"] == "svc-node"
    assert fields["Session Affinity"] == "ClientIP"
    assert fields["Selector"] == "app=node-web"
    assert fields["TargetPort"] == "8080/TCP"
    pod_ips = sorted(r[5] for r in _rows(kubectl("get", "pods", "-o", "wide").stdout))
    assert sorted(e.split(":")[0] for e in fields["Endpoints"].split(",")) == pod_ips


def test_scale_and_delete(kubectl):
    kubectl("create", "-f", "rs-node-web.yaml")
    done = kubectl("scale", "rs", "rs-node-web", "--replicas=5")
    assert done.stdout == "replicaset.apps/rs-node-web scaled\n"
    out = kubectl.until(lambda o: _running(o, 5), "get", "pods")
    assert _running(out, 5), out
    rs = _rows(kubectl("get", "rs").stdout)
    assert [r[:4] for r in rs] == [["rs-node-web", "5", "5", "5"]]
    kubectl("create", "-f", "svc-none-node-web.yaml")
    assert kubectl("delete", "service", "svc-node").stdout == \
        'service "svc-node" deleted from default namespace\n'
    assert kubectl("delete", "rs", "rs-node-web").stdout == \
        'replicaset.apps "rs-node-web" deleted from default namespace\n'
    missing = kubectl("get", "rs", "rs-node-web", check=False)
    assert missing.stderr == 'Error from server (NotFound): replicasets.apps "rs-node-web" not found\n'


def test_events_and_logs(kubectl):
    kubectl("create", "-f", "rs-node-web.yaml")
    pods = kubectl.until(lambda o: _running(o, 3), "get", "pods")
    name = _rows(pods)[0][0]
    assert kubectl("logs", name).stdout == "node-web server starting...\n"
    events = kubectl("get", "events").stdout
    assert events.splitlines()[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT",
                                              "MESSAGE"]
    assert re.search(rf"Normal\s+Scheduled\s+pod/{name}\s+Successfully assigned default/{name} "
                     r"to worker\d", events)
    assert re.search(r"Normal\s+SuccessfulCreate\s+replicaset/rs-node-web\s+Created pod: ",
                     events)
