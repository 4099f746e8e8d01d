"""The streaming half of the API under the bundled kubectl: exec, watch, `logs -f`, delete.

The clusters here run at ten times real speed, so that the 30 s grace period
of a node-web pod (`kubectl delete pod` waits for it on a watch) takes 3 s;
every wait below is on virtual time the server's clock moves by itself.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest_plugins = ["kubectl_fixtures"]  # fixtures; see kubectl_fixtures.py for why not conftest.py

KUBECTL = Path(sys.executable).parent / "kubectl"
SPEED = "10"
RESOLV_CONF = ("nameserver 10.96.0.10\n"
               "search default.svc.cluster.local svc.cluster.local cluster.local skbroadband\n"
               "options ndots:5\n")
_count = iter(range(1, 1000))


def _fast_cluster(server, cache_dir, folder: Path):
    """kubectl on a fresh lecture cluster whose clock runs ten times real speed."""
    from kubectl_fixtures import LECTURE, Kubectl  # registered by pytest_plugins by now
    slug = f"fast-{next(_count)}"
    server.manage("ensure_cluster", slug, "--speed", SPEED)
    server.manage("kubeconfig", slug, "-o", str(folder / "kubeconfig"))  # the teacher's token
    return Kubectl(folder / "kubeconfig", cache_dir, LECTURE)


@pytest.fixture
def fast(server, cache_dir, tmp_path):
    return _fast_cluster(server, cache_dir, tmp_path)


@pytest.fixture(scope="module")
def shared(server, cache_dir, tmp_path_factory):
    """One fast cluster with the node-web pods running, for the execs that change nothing
    another test looks at: (kubectl, [(pod, ip), ...])."""
    kubectl = _fast_cluster(server, cache_dir, tmp_path_factory.mktemp("shared"))
    kubectl("create", "-f", "rs-node-web.yaml")
    return kubectl, _pods(kubectl)


def _pods(kubectl, count: int = 3) -> list[tuple[str, str]]:
    """(name, IP) of the default namespace's pods once `count` of them run."""
    def running(out: str) -> bool:
        rows = [line.split() for line in out.splitlines()[1:]]
        return len(rows) == count and all(r[1] == "1/1" and r[2] == "Running" for r in rows)
    out = kubectl.until(running, "get", "pods", "-o", "wide")
    assert running(out), out
    return [(r.split()[0], r.split()[5]) for r in out.splitlines()[1:]]


def _spawn(kubectl, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(KUBECTL), "--kubeconfig", str(kubectl.kubeconfig),
                             "--cache-dir", str(kubectl.cache_dir), *args],
                            cwd=kubectl.workdir, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _read_until(proc: subprocess.Popen, predicate, timeout: float = 15.0) -> list[str]:
    """Lines of a running kubectl's stdout until `predicate(lines)` holds; then kill it."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not predicate(lines):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
    finally:
        proc.kill()
        proc.wait(timeout=5)
    return lines


@pytest.fixture
def web(fast) -> list[tuple[str, str]]:
    fast("create", "-f", "rs-node-web.yaml")
    return _pods(fast)


def test_exec_curl_reaches_a_pod_by_its_ip(shared):
    fast, web = shared
    (client, _), (target, ip) = web[0], web[1]
    done = fast("exec", client, "--", "curl", "-s", f"http://{ip}:8080")
    assert (done.stdout, done.stderr) == (f"You've hit {target}\n", "")


def test_exec_curl_timeout_passes_in_virtual_time(shared):
    fast, web = shared
    fast("apply", "-f", "svc-none-node-web.yaml")
    started = time.monotonic()
    done = fast("exec", web[0][0], "--", "curl", "-s", "-m", "2",
                "http://svc-node.default.svc.cluster", check=False)
    assert time.monotonic() - started < 1.5
    assert (done.returncode, done.stdout) == (28, "")
    assert done.stderr == "command terminated with exit code 28\n"


def test_exec_cat_resolv_conf(shared):
    fast, web = shared
    assert fast("exec", web[0][0], "--", "cat", "/etc/resolv.conf").stdout == RESOLV_CONF


def test_exec_of_a_missing_program_prints_the_runtime_error(shared):
    fast, web = shared
    done = fast("exec", web[0][0], "--", "nocommand", check=False)
    assert done.returncode == 126
    assert done.stdout == ('OCI runtime exec failed: exec failed: container_linux.go:370: '
                           'starting container process caused: exec: "nocommand": executable '
                           'file not found in $PATH: unknown\n')  # text mode reads \r\n
    assert done.stderr == "command terminated with exit code 126\n"


def test_exec_over_spdy_is_refused_cleanly(shared, monkeypatch):
    fast, web = shared
    monkeypatch.setenv("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false")
    done = fast("exec", web[0][0], "--", "env", check=False)
    assert done.returncode == 1
    assert done.stderr == ("error: unable to upgrade connection: exec is only available over "
                           "WebSocket (v5.channel.k8s.io); use kubectl >= 1.30\n")


def test_service_links_appear_only_in_a_replacement_pod(fast, web):
    old = web[0][0]
    assert "SVC_NODE" not in fast("exec", old, "--", "env").stdout
    fast("create", "-f", "svc-none-node-web.yaml")
    cluster_ip = fast("get", "svc", "svc-node", "-o", "jsonpath={.spec.clusterIP}").stdout
    assert "SVC_NODE" not in fast("exec", old, "--", "env").stdout
    started = time.monotonic()
    done = fast("delete", "pod", old)
    assert done.stdout == f'pod "{old}" deleted from default namespace\n'
    assert time.monotonic() - started >= 2.5  # the 30 s grace period, at ten times speed
    fresh = next(name for name, _ in _pods(fast) if name not in {n for n, _ in web})
    env = fast("exec", fresh, "--", "env").stdout
    assert f"SVC_NODE_SERVICE_HOST={cluster_ip}\n" in env
    assert f"SVC_NODE_PORT=tcp://{cluster_ip}:80\n" in env


def test_get_svc_watch_shows_the_pending_load_balancer(fast):
    fast("create", "-f", "svc-loadbalancer.yaml")
    done = fast("get", "services", "-o", "wide", "-w", "--request-timeout=2s")
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines()[1:]}
    assert rows["svc-loadbalancer"][1:4] == ["LoadBalancer", rows["svc-loadbalancer"][2],
                                             "<pending>"]
    assert re.fullmatch(r"80:3\d{4}/TCP", rows["svc-loadbalancer"][4])
    assert rows["svc-loadbalancer"][-1] == "app=node-web"


def test_get_pods_watch_follows_pods_until_they_run(fast):
    fast("create", "-f", "rs-node-web.yaml")
    watcher = _spawn(fast, "get", "pods", "-w")
    lines = _read_until(watcher, lambda ls: sum(" Running " in line for line in ls) >= 3)
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert sum(" Running " in line for line in lines) == 3, lines
    assert all(line.startswith("rs-node-web-") for line in lines[1:])


def test_logs_follow_streams_new_lines(fast, web):
    (client, client_ip), (target, target_ip) = web[0], web[1]
    follower = _spawn(fast, "logs", "-f", target)
    assert follower.stdout.readline() == "node-web server starting...\n"
    fast("exec", client, "--", "curl", "-s", f"http://{target_ip}:8080")
    lines = _read_until(follower, lambda ls: len(ls) >= 1, timeout=10)
    assert lines == [f"Received request from ::ffff:{client_ip}"]


def test_logs_tail_and_timestamps(fast, web):
    (client, _), (target, target_ip) = web[0], web[1]
    fast("exec", client, "--", "curl", "-s", f"http://{target_ip}:8080")
    assert fast("logs", target, "--tail=1").stdout.startswith("Received request from ")
    stamped = fast("logs", target, "--timestamps").stdout.splitlines()[0]
    assert re.fullmatch(r"2021-05-01T09:\d\d:\d\d\.\d{9}Z node-web server starting\.\.\.",
                        stamped)
    previous = fast("logs", target, "--previous", check=False)
    assert previous.stderr == (f'Error from server (BadRequest): previous terminated container '
                               f'"node-web" in pod "{target}" not found\n')


def test_a_watch_resumed_from_an_expired_rv_gets_410(fast):
    done = fast("get", "--raw", "/api/v1/namespaces/default/pods?watch=true&resourceVersion=1")
    event = json.loads(done.stdout)
    assert event["type"] == "ERROR"
    assert event["object"]["code"] == 410
    assert event["object"]["reason"] == "Expired"
    assert re.fullmatch(r"too old resource version: 1 \(\d+\)", event["object"]["message"])
