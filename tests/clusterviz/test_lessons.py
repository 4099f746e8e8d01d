"""Lessons: the loader's checks, a replay of every step on a fresh lecture cluster, and the
runner through the runtime (go to a step, run its request, reset)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import F

from clusterviz.clusters.models import Cluster, StoredObject
from clusterviz.history.models import Entry
from clusterviz.lessons import checks, loader, runner
from clusterviz.lessons.models import LessonRun
from clusterviz.operations import timecontrol
from simcore.simulation import Simulation

pytest_plugins = ["django_fixtures"]

WEEK4 = "week4-services"
NODE_FAILURE = 18
TITLES = [
    "Job - 1/2, 2/2", "Service", "Pod Network 실습", "Create Service", "sessionAffinity",
    "ports name", "Service check", "DNS", "Trouble Shooting: Endpoints 1/2", "Endpoints 2/2",
    "ExternalName", "NodePort", "LoadBalancer", "externalTrafficPolicy", "Ingress",
    "Headless Service", "readinessProbe", "Node 장애: worker2",
]


def test_the_week4_lesson_follows_the_lecture_order():
    lesson = loader.load(WEEK4)
    assert [s.title for s in lesson.steps] == TITLES
    assert [m.command for m in lesson.step(3).apply] == ["kubectl create -f rs-node-web.yaml"]
    assert [m.command for m in lesson.step(5).apply] == [
        "kubectl apply -f svc-clientip-node-web.yaml"]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_step_explains_itself_in_two_or_three_sentences(language):
    for step in loader.load(WEEK4).steps:
        text = step.explain.in_(language)
        sentences = [s for s in text.replace("\n", " ").split(". ") if s.strip()]
        assert 2 <= len(sentences) <= 3, step.title


HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_the_week4_lesson_is_korean_first_with_every_text_in_english_too():
    lesson = loader.load(WEEK4)
    assert lesson.language == "ko" and str(lesson.title) == "4주차: Job과 Service"
    assert lesson.title.in_("en") == "Week 4: Jobs and Services"
    texts = [t for s in lesson.steps for t in (s.explain, s.observe)]
    assert all(HANGUL.search(t) for t in texts)  # the lesson's own words are Korean
    assert not any(HANGUL.search(t.in_("en")) for t in texts + [s.title for s in lesson.steps])
    assert lesson.step(3).title.in_("en") == "Pod Network practice"
    assert lesson.step(12).title.in_("en") == lesson.step(12).title == "NodePort"


@pytest.mark.parametrize(("raw", "message"), [
    pytest.param({"steps": []}, "x: a lesson is a mapping with a non-empty list of steps",
                 id="no-steps"),
    pytest.param({"steps": [{"title": "T"}]}, "step 1: explain is required", id="no-explain"),
    pytest.param({"steps": [{"title": "T", "explain": "E", "apply": [{"create": "nope.yaml"}]}]},
                 "step 1: no manifest nope.yaml in manifests/", id="missing-manifest"),
    pytest.param({"steps": [{"title": "T", "explain": "E", "apply": [{"patch": "a.yaml"}]}]},
                 "step 1: a manifest is {create: file} or {apply: file}", id="bad-verb"),
    pytest.param({"steps": [{"title": "T", "explain": "E",
                             "requests": [{"from": "moon", "run": "curl x"}]}]},
                 "step 1: from must be client, kubectl, {pod: selector} or {node: name}, "
                 "not 'moon'", id="bad-source"),
    pytest.param({"steps": [{"title": "T", "explain": "E",
                             "requests": [{"from": "kubectl", "run": "kubectl delete pod x"}]}]},
                 "step 1: a kubectl request runs `kubectl get ...` only", id="kubectl-write"),
    pytest.param({"steps": [{"title": "T", "explain": "E",
                             "requests": [{"from": "client", "run": "curl {clusterip}"}]}]},
                 "step 1: a placeholder in 'curl {clusterip}' is malformed", id="placeholder"),
    pytest.param({"steps": [{"title": "T", "explain": "E",
                             "requests": [{"from": {"pod": "a=b", "pick": "all"}, "run": "x"}]}]},
                 "step 1: a request runs in one pod; pick oldest or newest", id="pick-all"),
    pytest.param({"steps": [{"title": "T", "explain": "E", "check": [{"pods": "a=b"}]}]},
                 "step 1: pods needs one of ready, not_ready: {'pods': 'a=b'}", id="check-test"),
    pytest.param({"steps": [{"title": "T", "explain": "E",
                             "check": [{"endpoints": "s", "ready": 0}]}]},
                 "step 1: ready is a count of at least 1: {'endpoints': 's', 'ready': 0}",
                 id="check-count"),
    pytest.param({"steps": [{"title": "T", "explain": "E", "check": [{"volume": "v"}]}]},
                 "step 1: a condition names one of pods, endpoints, job, service, ingress, node: "
                 "{'volume': 'v'}", id="check-subject"),
    pytest.param({"steps": [{"title": "T", "explain": "E",
                             "requests": [{"from": "client", "run": "x", "wait": True}]}]},
                 "step 1: a request waits for the step's check, and it has none",
                 id="wait-without-check"),
    pytest.param({"language": "ko", "steps": [{"title": "T", "explain": {"en": "E"}}]},
                 "step 1: explain has no ko text, the lesson's language", id="text-own-language"),
    pytest.param({"steps": [{"title": {"en": "T", "fr": "T"}, "explain": "E"}]},
                 "step 1: title has no language fr; the languages are ko, en",
                 id="text-unknown-language"),
    pytest.param({"steps": [{"title": "T", "explain": ["E"]}]},
                 "step 1: explain is a string or a mapping of language to string",
                 id="text-shape"),
    pytest.param({"steps": [{"title": "T", "explain": "E",
                             "requests": [{"from": "client", "run": "curl x", "fire": 1000}]}]},
                 "step 1: fire is a count of 1 to 100 runs", id="fire-count"),
    pytest.param({"steps": [{"title": "T", "explain": "E", "check": [{"node": "w", "ready": 1}]}]},
                 "step 1: a node's ready is true or false: {'node': 'w', 'ready': 1}",
                 id="check-node-ready"),
    pytest.param({"steps": [{"title": "T", "explain": "E",
                             "check": [{"endpoints": "s", "ready": 1, "not_on": "w"}]}]},
                 "step 1: endpoints takes one of ready, empty: "
                 "{'endpoints': 's', 'ready': 1, 'not_on': 'w'}", id="check-qualifier"),
    pytest.param({"language": "de", "steps": [{"title": "T", "explain": "E"}]},
                 "x: language must be one of ko, en, not 'de'", id="lesson-language"),
])
def test_the_loader_refuses_a_broken_lesson(raw, message):
    with pytest.raises(loader.LessonError) as caught:
        loader.parse(raw, "x")
    assert str(caught.value) == message


def test_an_unknown_lesson_names_the_ones_there_are():
    with pytest.raises(loader.LessonError) as caught:
        loader.load("week9")
    assert str(caught.value) == "no lesson 'week9'; there are: week4-services"


def test_every_step_applies_cleanly_and_every_request_runs_on_a_fresh_lecture_cluster():
    lesson = loader.load(WEEK4)
    sim = Simulation.from_preset(lesson.preset)
    for step in lesson.steps:
        lines = runner.apply_step(sim, step)
        assert all(line["ok"] for line in lines), (step.title, lines)
        sim.advance(60)  # pods start, Jobs finish
        for request in step.requests:
            out = runner.run_request(sim, request)
            assert out.exit_code == request.exit, (step.title, request.run, out)
            assert not out.hangs, (step.title, request.run)


def test_each_steps_check_fails_before_the_cluster_shows_it_and_holds_after():
    # what Observe says is checked on the cluster: not yet right after the step's apply (pods
    # are still starting), and true once time has passed, for every step but two whose
    # Observe needs a request run first: the probe's file touched (17), the kubelet stopped
    lesson = loader.load(WEEK4)
    sim = Simulation.from_preset(lesson.preset)
    late, touched = {}, None
    for step in lesson.steps:
        runner.apply_step(sim, step)
        early = checks.evaluate(sim, step.check)
        # the Job's back-offs take a while, and so do NotReady (40 s) plus tolerationSeconds
        sim.advance({1: 1800, NODE_FAILURE: 400}.get(step.number, 60))
        late[step.number] = checks.evaluate(sim, step.check)
        if step.number in (1, 3, NODE_FAILURE):
            assert not early["holds"], (step.title, early)
        if step.number == 17:
            runner.run_request(sim, step.requests[1])  # touch /var/ready in the newest pod
            sim.advance(10)  # the readiness probe's period
            touched = checks.evaluate(sim, step.check)
        if step.number == NODE_FAILURE:  # Space stops worker2's kubelet; eviction at 340 s
            runner.run_request(sim, step.requests[1])
            sim.advance(400)
            late["stopped"] = checks.evaluate(sim, step.check)
    assert [n for n, result in late.items() if not result["holds"]] == [17, NODE_FAILURE]
    assert late[17]["conditions"] == [
        {"holds": False, "text": "1 pod(s) with app=node-web Running and Ready (now 0)"},
        {"holds": False, "text": "svc-node-headless has 1 ready endpoint(s) (now 0)"}]
    assert touched == {"holds": True, "conditions": [
        {"holds": True, "text": "1 pod(s) with app=node-web Running and Ready (now 1)"},
        {"holds": True, "text": "svc-node-headless has 1 ready endpoint(s) (now 1)"}]}
    assert late[NODE_FAILURE]["conditions"][0] == {"holds": False,
                                                   "text": "node worker2 NotReady"}
    assert late["stopped"] == {"holds": True, "conditions": [
        {"holds": True, "text": "node worker2 NotReady"},
        {"holds": True, "text": "3 pod(s) with app=node-web Running and Ready off worker2 "
                                "(now 3)"}]}


def test_the_node_failure_step_moves_the_traffic_off_worker2_and_evicts_its_pods():
    lesson = loader.load(WEEK4)
    sim = Simulation.from_preset(lesson.preset)
    for step in lesson.steps[:NODE_FAILURE - 1]:
        runner.apply_step(sim, step)
        sim.advance(60)
    step = lesson.step(NODE_FAILURE)
    assert step.number == len(lesson.steps)  # added at the end: the lecture's numbers stay
    runner.apply_step(sim, step)
    sim.advance(30)
    fire, stop, get_nodes, fire_again, get_pods = step.requests

    def answered() -> dict[str, int]:
        out = runner.run_request(sim, fire)
        assert out.stdout.startswith("20 × curl -s http://192.168.100.112:30123, answered by:\n")
        rows = [line.split() for line in out.stdout.splitlines()[1:]]
        assert sum(int(count) for _pod, _node, count in rows) == 20
        return {node: sum(int(c) for _p, n, c in rows if n == node) for _p, node, _c in rows}

    assert answered().keys() == {"worker1", "worker2"}  # the pods serve from both workers
    assert runner.run_request(sim, stop) == runner.Output(
        "", "", 0, ("systemd on worker2 stopped kubelet.service: the node posts no more status",))
    sim.advance(45)  # past the node monitor's 40 s grace period
    assert re.search(r"^worker2 +NotReady ", runner.run_request(sim, get_nodes).stdout, re.M)
    taints = sim.get("nodes", "worker2", None)["spec"]["taints"]
    assert {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"} in [
        {k: t[k] for k in ("key", "effect")} for t in taints]
    assert answered().keys() == {"worker1"}  # out of the Endpoints: the traffic moved
    assert not checks.evaluate(sim, step.check)["holds"]
    sim.advance(320)  # tolerationSeconds (300) run out: evicted, replaced on worker1
    table = runner.run_request(sim, get_pods).stdout
    assert re.search(r"^rs-node-web-\S+ +1/1 +Terminating .* worker2 ", table, re.M), table
    assert checks.evaluate(sim, step.check)["holds"]
    assert fire_again.fire == 20


def test_a_kubectl_get_request_prints_as_kubectl_does():
    sim = Simulation.from_preset("lecture")
    out = runner.kubectl_get(sim, "kubectl get services")
    assert out.stdout.splitlines()[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP",
                                                  "PORT(S)", "AGE"]
    assert out.stdout.splitlines()[1].startswith("kubernetes   ClusterIP   10.96.0.1 ")
    assert runner.kubectl_get(sim, "kubectl get jobs").stderr == \
        "No resources found in default namespace.\n"


def test_the_readiness_step_keeps_new_pods_out_of_the_endpoints_until_touched():
    lesson = loader.load(WEEK4)
    sim = Simulation.from_preset(lesson.preset)
    for step in lesson.steps:
        runner.apply_step(sim, step)
        sim.advance(60)
    get_pods, touch, get_endpoints = lesson.step(17).requests
    assert " 0/1 " in runner.run_request(sim, get_pods).stdout
    assert runner.run_request(sim, touch).exit_code == 0
    sim.advance(30)
    assert " 1/1 " in runner.run_request(sim, get_pods).stdout


def test_the_service_check_step_replaces_only_the_oldest_pod():
    # the lecture deletes one pod: the two left have no SVC_NODE_* variables, the new one seven
    lesson = loader.load(WEEK4)
    sim = Simulation.from_preset(lesson.preset)
    for step in lesson.steps[:6]:
        runner.apply_step(sim, step)
        sim.advance(60)
    before = {p["metadata"]["name"] for p in sim.list("pods", label_selector="app=node-web")}
    lines = runner.apply_step(sim, lesson.step(7))
    assert len(lines) == 1 and lines[0]["text"].endswith('" deleted')
    sim.advance(60)
    after = {p["metadata"]["name"] for p in sim.list("pods", label_selector="app=node-web")}
    assert len(before & after) == 2 and len(after) == 3
    old_env, new_env, _ = lesson.step(7).requests
    svc_vars = [line for line in runner.run_request(sim, old_env).stdout.splitlines()
                if line.startswith("SVC_NODE_")]
    assert svc_vars == []
    svc_vars = [line for line in runner.run_request(sim, new_env).stdout.splitlines()
                if line.startswith("SVC_NODE_")]
    assert len(svc_vars) == 7, svc_vars


# ---- through the runtime ----------------------------------------------------------------

def _age(cluster: Cluster, seconds: float) -> None:
    Cluster.objects.filter(pk=cluster.pk).update(saved_at=F("saved_at") - timedelta(seconds=seconds))


@pytest.mark.django_db
def test_go_to_applies_the_steps_up_to_n_once(cluster):
    lesson = loader.load(WEEK4)
    answer = runner.go_to("lecture", lesson, 4)
    assert [a["step"] for a in answer["applied"]] == [1, 2, 3, 4]
    assert [r["text"] for a in answer["applied"] for r in a["results"]] == [
        "job.batch/throw-dice-job created", "replicaset.apps/rs-node-web created",
        "service/svc-node created"]
    again = runner.go_to("lecture", lesson, 5)
    assert [a["step"] for a in again["applied"]] == [5] and again["restored"] is None
    assert LessonRun.objects.get(cluster=cluster).step == 5


def _names(resource: str) -> set[str]:
    return set(StoredObject.objects.filter(cluster__slug="lecture", resource=resource)
               .values_list("name", flat=True))


@pytest.mark.django_db
def test_going_back_restores_the_cluster_as_the_step_left_it_and_forward_applies_again(
        cluster):
    # on a paused clock, as a presenter holds it: steps 3 and 4 share one moment of the
    # timeline and only their resourceVersions tell their restore points apart
    timecontrol.set_speed("lecture", 0)
    lesson = loader.load(WEEK4)
    runner.go_to("lecture", lesson, 3)
    pods_of_step_3 = {n for n in _names("pods") if n.startswith("rs-node-web-")}
    assert len(pods_of_step_3) == 3
    runner.go_to("lecture", lesson, 4)
    assert "svc-node" in _names("services")
    back = runner.go_to("lecture", lesson, 3)
    assert back["applied_through"] == 3 and back["applied"] == []
    assert back["restored"]["label"].endswith("(lesson step 3)")
    assert "svc-node" not in _names("services")
    assert {n for n in _names("pods") if n.startswith("rs-node-web-")} == pods_of_step_3
    # the restore is on the timeline like any other, so it can be undone from there
    assert Entry.objects.filter(cluster=cluster, mark="restore").count() == 1
    back = runner.go_to("lecture", lesson, 2)
    assert not any(n.startswith("rs-node-web-") for n in _names("pods"))
    assert LessonRun.objects.get(cluster=cluster).moments.keys() == {"1", "2"}
    forward = runner.go_to("lecture", lesson, 4)
    assert [a["step"] for a in forward["applied"]] == [3, 4]
    assert "svc-node" in _names("services")


@pytest.mark.django_db
def test_going_back_to_a_step_without_a_restore_point_only_moves_the_place(cluster):
    lesson = loader.load(WEEK4)
    runner.go_to("lecture", lesson, 4)
    LessonRun.objects.filter(cluster=cluster).update(moments={})  # applied before points
    back = runner.go_to("lecture", lesson, 3)
    assert back == {"step": 3, "applied_through": 4, "applied": [], "restored": None}
    assert "svc-node" in _names("services")


@pytest.mark.django_db
def test_running_a_steps_request_returns_the_output_and_the_trace(cluster):
    lesson = loader.load(WEEK4)
    runner.go_to("lecture", lesson, 4)
    _age(cluster, 30)
    answer = runner.run_step_request("lecture", lesson, 4, 0)
    assert answer["source"] == "node master-stg"
    assert answer["command"].startswith("curl -s http://10.")
    assert answer["stdout"].startswith("You've hit rs-node-web-")
    assert answer["exit_code"] == 0
    assert any("kube-proxy rules: default/svc-node:80 has 3 endpoint(s)" in t
               for t in answer["trace"])


@pytest.mark.django_db
def test_a_request_without_a_running_pod_says_so(cluster):
    lesson = loader.load(WEEK4)
    answer = runner.run_step_request("lecture", lesson, 3, 1)
    assert answer["exit_code"] == 1
    assert answer["stderr"] == "no Running pod matches app=node-web yet: wait a moment and retry\n"


@pytest.mark.django_db
def test_checking_a_step_reads_the_stored_cluster_and_names_what_is_missing(cluster):
    lesson = loader.load(WEEK4)
    runner.go_to("lecture", lesson, 3)
    assert runner.check_step("lecture", lesson, 3) == {"holds": False, "conditions": [
        {"holds": False, "text": "3 pod(s) with app=node-web Running and Ready (now 0)"}]}
    _age(cluster, 30)
    assert runner.check_step("lecture", lesson, 3)["holds"]


@pytest.mark.django_db
def test_reset_recreates_the_cluster_from_its_preset(cluster):
    lesson = loader.load(WEEK4)
    runner.go_to("lecture", lesson, 4)
    assert StoredObject.objects.filter(cluster__slug="lecture", name="svc-node").exists()
    assert runner.reset("lecture") == {"step": 0, "applied_through": 0}
    assert not StoredObject.objects.filter(cluster__slug="lecture", name="svc-node").exists()
    assert not LessonRun.objects.exists()
    replay = runner.go_to("lecture", lesson, 4)
    assert [a["step"] for a in replay["applied"]] == [1, 2, 3, 4]


@pytest.mark.django_db
def test_the_node_failure_steps_requests_run_through_the_runtime(cluster):
    lesson = loader.load(WEEK4)
    runner.replay_to("lecture", lesson, NODE_FAILURE)
    _age(cluster, 30)
    fired = runner.run_step_request("lecture", lesson, NODE_FAILURE, 0)
    assert fired["stdout"].startswith("20 × curl -s http://192.168.100.112:30123, answered by:")
    assert fired["path"] is not None and fired["exit_code"] == 0
    stopped = runner.run_step_request("lecture", lesson, NODE_FAILURE, 1)
    assert (stopped["command"], stopped["stdout"], stopped["exit_code"]) == (
        "sudo systemctl stop kubelet", "", 0)
    assert stopped["trace"] == [
        "systemd on worker2 stopped kubelet.service: the node posts no more status"]
    _age(cluster, 400)
    assert runner.check_step("lecture", lesson, NODE_FAILURE)["holds"]


def test_deleting_all_pods_of_a_label_needs_none_running():
    # `kubectl delete pods -l app=node-web`: step 18 right after 17, on a paused clock, finds
    # 17's pods still starting, and deletes them all the same
    lesson = loader.load(WEEK4)
    sim = Simulation.from_preset(lesson.preset)
    for step in lesson.steps[:16]:
        runner.apply_step(sim, step)
        sim.advance(60)
    runner.apply_step(sim, lesson.step(17))
    assert not any(p["status"].get("phase") == "Running"
                   for p in sim.list("pods", "default", label_selector="app=node-web")
                   if not p["metadata"].get("deletionTimestamp"))
    lines = runner.apply_step(sim, lesson.step(NODE_FAILURE))
    assert [line["ok"] for line in lines] == [True] * 4
    assert lines[0]["text"] == "replicaset.apps/rs-node-web configured"
