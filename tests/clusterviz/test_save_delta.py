"""A save writes what changed (clusters.delta): after a request-panel curl or a kubectl exec
the rows hold what a save of every part would hold, a pod the request did not reach keeps
its row as it was, and the delta equals a whole comparison after each kind of change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clusterviz.clusters import delta, engines, runtime
from clusterviz.clusters.models import Cluster, EnginePart
from clusterviz.k8sapi import execstream
from clusterviz.operations import actions

pytest_plugins = ["django_fixtures"]  # fixtures; see django_fixtures.py for why not conftest.py

pytestmark = pytest.mark.django_db
RS_NODE_WEB = Path(__file__).resolve().parents[2].parent / "shared" / "lecture" / "rs-node-web.yaml"
PODS = "runtime/kubelet/pods/"
SLUG = "lecture"


def _running(cluster: Cluster, age) -> list[str]:
    runtime.run(SLUG, lambda sim: sim.apply(RS_NODE_WEB.read_text(), create=True))
    age(cluster, 30)
    return runtime.run(SLUG, lambda sim: [p["metadata"]["name"]
                                          for p in sim.list("pods", "default")])


def _pod_ip(name: str) -> str:
    return runtime.run(SLUG, lambda sim: sim.get("pods", name)["status"]["podIP"])


def _rows(cluster: Cluster) -> dict[str, tuple[int, object]]:
    return {name: (pk, body) for pk, name, body in
            EnginePart.objects.filter(cluster=cluster).values_list("pk", "name", "body")}


def _as_a_full_save_stores(cluster: Cluster) -> tuple[dict, dict]:
    """The row's state and the parts a save of every part would write now, as JSON reads
    them back."""
    live = engines.cached(Cluster.objects.get(pk=cluster.pk))
    state, parts, _ = engines.split_state(live, objects=False)
    return json.loads(json.dumps(state)), json.loads(json.dumps(parts))


def _stored(cluster: Cluster) -> tuple[dict, dict]:
    row = Cluster.objects.get(pk=cluster.pk)
    return row.state, {name: body for name, (_, body) in _rows(cluster).items()}


def test_after_a_request_panel_curl_the_rows_are_what_a_full_save_stores(cluster, age):
    pods = _running(cluster, age)
    service_ip = runtime.run(SLUG, lambda sim: sim.apply(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
        "  selector: {app: node-web}\n  ports: [{port: 80, targetPort: 8080}]\n",
        create=True) and sim.get("services", "web")["spec"]["clusterIP"])
    answer = actions.run_command(SLUG, actions.Source("pod", pods[0], "default"),
                                 f"curl -s http://{service_ip}")
    assert answer["exit_code"] == 0
    assert _stored(cluster) == _as_a_full_save_stores(cluster)


def test_after_a_kubectl_exec_the_rows_are_what_a_full_save_stores(cluster, age):
    pod = _running(cluster, age)[0]
    options = execstream.ExecOptions(command=("sh", "-c", "echo hi > /tmp/note"), stdout=True)
    outcome = execstream.execute(SLUG, "default", pod, "node-web", options)
    assert outcome is not None
    assert _stored(cluster) == _as_a_full_save_stores(cluster)


def test_a_pod_the_curl_did_not_reach_keeps_its_row(cluster, age, monkeypatch):
    source, served, bystander = _running(cluster, age)
    before = _rows(cluster)
    written = []
    write = runtime._write_parts
    monkeypatch.setattr(runtime, "_write_parts", lambda c, changed, gone: (
        written.extend(changed), write(c, changed, gone)))
    answer = actions.run_command(SLUG, actions.Source("pod", source, "default"),
                                 f"curl -s http://{_pod_ip(served)}:8080")
    assert answer["exit_code"] == 0
    after = _rows(cluster)
    assert set(written) <= {"rng", f"{PODS}default/{source}", f"{PODS}default/{served}"}
    assert f"{PODS}default/{served}" in written  # its server logged the request
    assert after[f"{PODS}default/{bystander}"] == before[f"{PODS}default/{bystander}"]


def _curl(sim, pods):
    ip = sim.get("pods", pods[1])["status"]["podIP"]
    sim.exec(pods[0], f"curl -s http://{ip}:8080")


def _replace_a_pod(sim, pods):
    sim.delete("pods", pods[1])
    sim.advance(40)  # gone after its grace period; the ReplicaSet's new pod runs


def _read_everything_then_exec(sim, pods):
    json.dumps(sim.state())  # a history snapshot: every record handed out at once
    sim.exec(pods[0], "touch /var/ready")


@pytest.mark.parametrize("change", [
    pytest.param(_curl, id="curl-to-a-pod"),
    pytest.param(lambda sim, pods: sim.exec(pods[0], "touch /var/ready"), id="exec-writes"),
    pytest.param(lambda sim, pods: sim.kill_container(pods[2]), id="container-killed"),
    pytest.param(_replace_a_pod, id="pod-replaced"),
    pytest.param(lambda sim, pods: (sim.kill_container(pods[2]), sim.advance(60)),
                 id="container-restarted-in-time"),
    pytest.param(_read_everything_then_exec, id="everything-read"),
])
def test_the_delta_is_what_comparing_every_part_finds(cluster, age, change):
    pods = _running(cluster, age)
    row = Cluster.objects.get(pk=cluster.pk)
    sim, saved = engines.engine_for(row), engines.saved_parts(row)
    change(sim, pods)
    found = delta.delta(sim, saved, row.state["parts"])
    changed, gone = delta.changed_parts(saved, engines.split_state(sim, objects=False)[1])
    assert (sorted(found.changed), sorted(found.gone)) == (sorted(changed), sorted(gone))
    assert changed  # each change changes something
