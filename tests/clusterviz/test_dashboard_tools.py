"""The dashboard's tools behind the drawer and the top bar, through Django's test client:
the clock controls, Fire N's chunks, Inspect, and the web kubectl's command-line checks."""

from __future__ import annotations

import json

import pytest

from clusterviz.clusters import runtime
from clusterviz.clusters.models import Cluster
from clusterviz.dashboard.webkubectl import parse
from clusterviz.operations import fire
from clusterviz.operations.actions import Source
from clusterviz.web import Refused
from simcore.apiserver import Request
from tests.kubectl.kubectl_fixtures import LECTURE

pytest_plugins = ["django_fixtures"]  # fixtures; see django_fixtures.py for why not conftest.py


def _post(client, slug: str, path: str, body: dict):
    return client.post(f"/clusters/{slug}/{path}", json.dumps(body),
                       content_type="application/json")


def _lecture_web(slug: str, *names: str) -> None:
    text = "\n---\n".join((LECTURE / n).read_text() for n in ("rs-node-web.yaml", *names))
    runtime.run(slug, lambda sim: sim.apply(text))
    runtime.run(slug, lambda sim: sim.advance(30))


@pytest.mark.django_db
def test_pause_stops_virtual_time_and_resume_runs_it_at_the_chosen_speed(client, cluster, age):
    before = client.get("/clusters/lecture/clock").json()
    paused = _post(client, "lecture", "clock", {"action": "pause"}).json()
    assert (paused["paused"], paused["speed"]) == (True, 0)
    assert paused["elapsed"] >= before["elapsed"]
    age(cluster, 10)
    assert client.get("/clusters/lecture/clock").json()["elapsed"] == paused["elapsed"]
    resumed = _post(client, "lecture", "clock", {"action": "resume", "speed": 2}).json()
    assert (resumed["paused"], resumed["speed"]) == (False, 2)
    assert resumed["elapsed"] == pytest.approx(paused["elapsed"], abs=0.5)
    age(Cluster.objects.get(pk=cluster.pk), 10)
    later = client.get("/clusters/lecture/clock").json()["elapsed"]
    assert later == pytest.approx(resumed["elapsed"] + 20, abs=0.5)


@pytest.mark.django_db
def test_a_step_moves_a_paused_clock_one_virtual_second(client, cluster):
    paused = _post(client, "lecture", "clock", {"action": "pause"}).json()
    stepped = _post(client, "lecture", "clock", {"action": "step"}).json()
    assert stepped["elapsed"] == pytest.approx(paused["elapsed"] + 1, abs=1e-3)
    assert Cluster.objects.get(pk=cluster.pk).speed == 0


@pytest.mark.django_db
@pytest.mark.parametrize("body, message", [
    pytest.param({"action": "speed", "speed": 50}, "speed must be between x0.25 and x20 "
                 "(0 pauses)", id="too-fast"),
    pytest.param({"action": "speed", "speed": 0.1}, "speed must be between x0.25 and x20 "
                 "(0 pauses)", id="too-slow"),
    pytest.param({"action": "rewind"}, "action must be pause, resume, step or speed",
                 id="unknown-action"),
    pytest.param({"action": "step", "seconds": -1}, "a step is more than 0 and at most "
                 "600 seconds", id="backwards-step"),
])
def test_clock_requests_out_of_range_are_refused(client, cluster, body, message):
    response = _post(client, "lecture", "clock", body)
    assert (response.status_code, response.json()) == (400, {"error": message})


@pytest.mark.django_db
def test_pending_lists_the_pods_the_kubelet_is_starting(client, cluster):
    text = (LECTURE / "rs-node-web.yaml").read_text()
    runtime.run("lecture", lambda sim: sim.apply(text))
    _post(client, "lecture", "clock", {"action": "pause"})
    pending = client.get("/clusters/lecture/clock").json()["pending"]
    kubelet = [p for p in pending if p["controller"] == "kubelet"
               and p["key"].startswith("default/rs-node-web-")]
    assert len(kubelet) == 3
    assert kubelet[0]["what"].startswith("the kubelet acts on pod default/rs-node-web-")
    assert all(0 <= p["in"] <= 5 for p in kubelet)


@pytest.mark.django_db
def test_a_fire_chunk_counts_the_pod_that_answered_and_predicts_uniform(client, cluster):
    _lecture_web("lecture", "svc-none-node-web.yaml")
    ip = runtime.run("lecture", lambda sim: sim.api.try_get_ref(
        "services", "svc-node", "default")["spec"]["clusterIP"])
    body = {"source": {"kind": "node", "name": "worker1"}, "command": f"curl -s http://{ip}",
            "count": 90}
    answer = _post(client, "lecture", "fire", body).json()
    assert answer["ran"] == 90 and answer["exit_codes"] == {"0": 90}
    assert sum(answer["hits"].values()) == 90 and len(answer["hits"]) == 3
    assert answer["prediction"]["how"] == "uniform"
    assert sorted(answer["prediction"]["pods"]) == sorted(answer["hits"])


@pytest.mark.django_db
def test_fire_chunks_keep_client_ip_affinity_across_chunks(cluster):
    _lecture_web("lecture", "svc-clientip-node-web.yaml")
    ip = runtime.run("lecture", lambda sim: sim.api.try_get_ref(
        "services", "svc-node", "default")["spec"]["clusterIP"])
    source = Source("node", "worker2")
    first = fire.fire_chunk("lecture", source, f"curl -s http://{ip}", 10)
    second = fire.fire_chunk("lecture", source, f"curl -s http://{ip}", 10)
    assert len(first["hits"]) == 1 and first["hits"] == second["hits"]
    assert first["prediction"]["how"] == "affinity"
    assert first["prediction"]["chosen"] in first["hits"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [pytest.param(0, id="none"), pytest.param(101, id="too-many")])
def test_a_fire_chunk_is_one_to_a_hundred_runs(client, cluster, count):
    body = {"source": {"kind": "node", "name": "worker1"}, "command": "curl -s x",
            "count": count}
    response = _post(client, "lecture", "fire", body)
    assert response.json() == {"error": "a chunk is 1 to 100 runs; fire up to 1000 in all"}


@pytest.mark.parametrize("trace, pod", [
    pytest.param([{"step": "deliver", "pod": "a"}, {"step": "response", "pod": "a"},
                  {"step": "response"}], "a", id="http"),
    pytest.param([{"step": "deliver", "pod": "b"}], "b", id="tcp-only"),
    pytest.param([{"step": "timeout"}], "", id="no-answer"),
])
def test_answered_by_reads_the_trace(trace, pod):
    assert fire.answered_by(trace) == pod


@pytest.mark.django_db
def test_inspect_shows_the_yaml_and_the_events_of_a_pod(client, cluster):
    _lecture_web("lecture")
    name = runtime.run("lecture", lambda sim: sorted(
        p["metadata"]["name"] for p in sim.api.list_ref("pods", "default")))[0]
    answer = client.get(f"/clusters/lecture/inspect?id=pod/default/{name}").json()
    assert answer["yaml"].startswith("apiVersion: v1\nkind: Pod\nmetadata:\n")
    assert f"  name: {name}\n" in answer["yaml"]
    reasons = [e["reason"] for e in answer["events"]]
    assert "Scheduled" in reasons and "Started" in reasons


@pytest.mark.django_db
def test_inspect_hides_managed_fields_as_kubectl_get_does(client, cluster):
    _lecture_web("lecture", "svc-none-node-web.yaml")
    runtime.run("lecture", lambda sim: sim.api.patch(
        "services", "svc-node", {"metadata": {"labels": {"tier": "web"}}},
        "application/merge-patch+json", "default", request=Request(field_manager="kubectl")))
    answer = client.get("/clusters/lecture/inspect?id=svc/default/svc-node").json()
    assert "    tier: web\n" in answer["yaml"]
    assert "managedFields" not in answer["yaml"]
    stored = runtime.run("lecture", lambda sim: sim.api.get("services", "svc-node", "default"))
    assert stored["metadata"]["managedFields"][0]["manager"] == "kubectl"


@pytest.mark.django_db
def test_inspect_of_an_endpoint_edge_shows_the_services_endpointslice(client, cluster):
    _lecture_web("lecture", "svc-none-node-web.yaml")
    name = runtime.run("lecture", lambda sim: sorted(
        p["metadata"]["name"] for p in sim.api.list_ref("pods", "default")))[0]
    answer = client.get(f"/clusters/lecture/inspect?id=ep/default/svc-node/{name}").json()
    assert "kind: EndpointSlice\n" in answer["yaml"]
    assert "kubernetes.io/service-name: svc-node\n" in answer["yaml"]


@pytest.mark.parametrize("line, args, stdin, streams", [
    pytest.param("kubectl get pods", ["get", "pods"], False, False, id="get"),
    pytest.param("get pods -o wide", ["get", "pods", "--output=wide"], False, False,
                 id="without-kubectl"),
    pytest.param("kubectl -n kube-system get pods", ["--namespace=kube-system", "get", "pods"],
                 False, False, id="global-flag-first"),
    pytest.param("kubectl apply -f -", ["apply", "--filename=-"], True, False, id="apply-stdin"),
    pytest.param("kubectl create -f -", ["create", "--filename=-"], True, False,
                 id="create-stdin"),
    pytest.param("kubectl get pods -w", ["get", "pods", "--watch=true"], False, True, id="watch"),
    pytest.param("kubectl logs -f web", ["logs", "--follow=true", "web"], False, True,
                 id="follow"),
    pytest.param("kubectl exec web -- cat /etc/hosts -f x",
                 ["exec", "web", "--", "cat", "/etc/hosts", "-f", "x"], False, False,
                 id="exec-args-are-the-pods"),
    pytest.param("kubectl get pods -l 'app in (a, b)'", ["get", "pods", "--selector=app in (a, b)"],
                 False, False, id="quoted"),
])
def test_command_lines_that_run(line, args, stdin, streams):
    command = parse(line)
    assert (command.args, command.stdin, command.streams) == (args, stdin, streams)


@pytest.mark.parametrize("line, message", [
    pytest.param("kubectl --kubeconfig=/etc/passwd get pods",
                 "refused: --kubeconfig is not allowed here", id="kubeconfig"),
    pytest.param("kubectl get pods --server http://evil", "refused: --server is not",
                 id="server"),
    pytest.param("kubectl -shttp://evil get pods", "refused: -s is not", id="server-short"),
    pytest.param("kubectl get pods --token=x", "refused: --token is not", id="token"),
    pytest.param("kubectl get pods --context other", "refused: --context is not",
                 id="context"),
    pytest.param("kubectl get pods --as=system:admin", "refused: --as is not", id="as"),
    pytest.param("kubectl foo", 'refused: "foo" is not a command this terminal runs',
                 id="plugin"),
    pytest.param("kubectl config view", 'refused: "config" is not a command', id="config"),
    pytest.param("kubectl cp web:/etc/hosts hosts", 'refused: "cp" is not a command',
                 id="cp"),
    pytest.param("kubectl apply -f /etc/passwd", "refused: -f /etc/passwd would read a path on "
                 "the server", id="apply-path"),
    pytest.param("kubectl apply --filename=x.yaml", "refused: -f x.yaml would read a path",
                 id="filename-long"),
    pytest.param("kubectl apply -fx.yaml", "refused: -f x.yaml would read a path",
                 id="f-joined"),
    pytest.param("kubectl apply -k .", "refused: -k is not", id="kustomize"),
    pytest.param("kubectl get pods -o jsonpath-file=/etc/passwd",
                 "refused: -o jsonpath-file=/etc/passwd is not an output format this terminal "
                 "prints (no *-file formats: they read a file on the server)",
                 id="template-file"),
    pytest.param("kubectl create deployment web --image=nginx",
                 'refused: "kubectl create deployment" is not a command this terminal runs; '
                 "it runs kubectl create -f -", id="create-generator"),
    pytest.param("kubectl create", "refused: this terminal runs `create -f -` only",
                 id="create-without-f"),
    pytest.param("kubectl get 'pods", "cannot read the command line: No closing quotation",
                 id="bad-quote"),
    pytest.param("kubectl", "type a kubectl command", id="empty"),
])
def test_command_lines_refused_before_anything_runs(line, message):
    with pytest.raises(Refused) as refused:
        parse(line)
    assert str(refused.value).startswith(message)
