"""Failure demos (clusterviz.operations.failures): the graph's node and pod menus, the
endpoint behind them, the countdown and the `cluster_failure` command."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clusterviz.clusters import runtime
from clusterviz.history.models import Entry
from tests.clusterviz.django_fixtures import teacher_client

pytest_plugins = ["django_fixtures"]

pytestmark = pytest.mark.django_db
LECTURE = Path(__file__).resolve().parents[2].parent / "shared" / "lecture"


def _post(body: dict):
    return teacher_client().post("/clusters/lecture/failures", body, content_type="application/json")


def _pods(sim, node: str | None = None) -> list[dict]:
    pods = sim.api.list("pods", "default")["items"]
    return [p for p in pods if node is None or p["spec"].get("nodeName") == node]


def _web(cluster, age, name: str = "rs-node-web.yaml") -> list[dict]:
    runtime.run("lecture", lambda sim: sim.apply((LECTURE / name).read_text()))
    age(cluster, 30)
    return runtime.run("lecture", _pods)


def test_stop_kubelet_counts_down_to_not_ready_and_eviction(cluster, age):
    _web(cluster, age)
    assert _post({"action": "stop-kubelet", "node": "worker2"}).json()["lines"] == \
        ["kubelet on node/worker2 stopped"]
    first = teacher_client().get("/clusters/lecture/failures").json()
    worker2 = first["nodes"]["worker2"]
    assert worker2["kubelet"] == "stopped" and worker2["evictions"] == []
    assert worker2["not_ready_at"] - first["clock"]["elapsed"] == pytest.approx(40, abs=0.5)
    assert first["nodes"]["worker1"] == {"kubelet": "running", "not_ready_at": None,
                                         "evictions": []}
    age(cluster, 41)
    later = teacher_client().get("/clusters/lecture/failures").json()
    worker2 = later["nodes"]["worker2"]
    assert worker2["not_ready_at"] is None
    on_worker2 = runtime.run("lecture", lambda sim: _pods(sim, "worker2"))
    assert sorted(e["pod"] for e in worker2["evictions"]) == \
        sorted(f"default/{p['metadata']['name']}" for p in on_worker2)
    # the API server's default toleration: 300 s from the taint
    assert all(e["at"] - later["clock"]["elapsed"] == pytest.approx(299, abs=1.5)
               for e in worker2["evictions"])
    assert Entry.objects.filter(mark="person", label="stop-kubelet node/worker2").exists()


def test_kill_restarts_the_container_and_counts_it(cluster, age):
    pod = _web(cluster, age)[0]["metadata"]["name"]
    answer = _post({"action": "kill", "pod": pod})
    assert answer.json()["lines"] == [f"container node-web of pod/{pod} killed (exit code 137)"]
    age(cluster, 5)
    status = runtime.run("lecture", lambda sim: sim.get("pods", pod))["status"]
    container = status["containerStatuses"][0]
    assert container["restartCount"] == 1
    assert container["lastState"]["terminated"]["exitCode"] == 137
    assert container["lastState"]["terminated"]["reason"] == "Error"


def test_readiness_follows_the_file_its_exec_probe_checks(cluster, age):
    pods = _web(cluster, age, "rs-node-web-readiness.yaml")
    pod = pods[0]["metadata"]["name"]

    def ready() -> str:
        conditions = runtime.run("lecture", lambda sim: sim.get("pods", pod))["status"]
        return next(c["status"] for c in conditions["conditions"] if c["type"] == "Ready")
    assert ready() == "False"
    assert _post({"action": "readiness-succeed", "pod": pod}).json()["lines"] == \
        [f"pod/{pod}: touch /var/ready"]
    age(cluster, 15)
    assert ready() == "True"
    _post({"action": "readiness-fail", "pod": pod})
    age(cluster, 40)
    assert ready() == "False"


def test_cordon_uncordon_and_drain(cluster, age):
    _web(cluster, age)
    assert _post({"action": "cordon", "node": "worker1"}).json()["lines"] == \
        ["node/worker1 cordoned"]
    assert _post({"action": "cordon", "node": "worker1"}).json()["lines"] == \
        ["node/worker1 already cordoned"]
    assert _post({"action": "uncordon", "node": "worker1"}).json()["lines"] == \
        ["node/worker1 uncordoned"]
    node = runtime.run("lecture", lambda sim: sim.get("nodes", "worker1", None))
    assert "unschedulable" not in node["spec"]
    on_worker1 = runtime.run("lecture", lambda sim: sim.api.list(
        "pods", None, field_selector="spec.nodeName=worker1")["items"])
    lines = _post({"action": "drain", "node": "worker1"}).json()["lines"]
    assert lines[0] == "node/worker1 cordoned" and lines[-1] == "node/worker1 drained"
    daemons = [p for p in on_worker1 if p["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet"]
    assert sorted(f"pod/{p['metadata']['name']} evicted" for p in on_worker1
                  if p not in daemons) == sorted(line for line in lines if line.endswith(" evicted"))
    assert lines[1] == "Warning: ignoring DaemonSet-managed Pods: " + ", ".join(
        f"kube-system/{p['metadata']['name']}" for p in daemons)
    age(cluster, 60)
    assert runtime.run("lecture", lambda sim: _pods(sim, "worker1")) == []
    assert len(runtime.run("lecture", _pods)) == 3  # replaced on the other nodes


@pytest.mark.parametrize(("body", "error"), [
    pytest.param({"action": "explode", "node": "worker1"}, "unknown action explode", id="action"),
    pytest.param({"action": "cordon"}, "name the node or the pod", id="no-name"),
    pytest.param({"action": "cordon", "node": "nope"}, 'nodes "nope" not found', id="no-node"),
    pytest.param({"action": "kill", "pod": "nope"}, 'pods "nope" not found', id="no-pod"),
])
def test_refusals_are_400_with_a_message(cluster, body, error):
    answer = _post(body)
    assert (answer.status_code, answer.json()) == (400, {"error": error})


def test_readiness_of_a_pod_without_a_file_probe_is_refused(cluster, age):
    pod = _web(cluster, age)[0]["metadata"]["name"]
    answer = _post({"action": "readiness-fail", "pod": pod})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("the simulation does not control")


def test_the_command_runs_the_same_actions(cluster):
    out = StringIO()
    call_command("cluster_failure", "lecture", "cordon", "worker2", stdout=out)
    assert out.getvalue() == "node/worker2 cordoned\n"
    with pytest.raises(CommandError, match='nodes "nope" not found'):
        call_command("cluster_failure", "lecture", "cordon", "nope")


def test_the_restore_command_lists_points_and_restores(cluster):
    out = StringIO()
    call_command("cluster_restore", "lecture", "--list", stdout=out)
    assert out.getvalue() == "0.000\n"
    call_command("cluster_restore", "lecture", "0", stdout=out)
    assert "restored to 0.000: restore to " in out.getvalue()
