"""simcore's explanations in the reader's language: every sentence of a request's trace and
of the upload preview's wiring account has its Korean, renders with its arguments untouched
in both languages, old stored steps still show, and the dashboard's /run and /preview
answer in the page's language."""

from __future__ import annotations

import json
import re
import typing
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.db.models import F
from django.utils import translation

from clusterviz.clusters import runtime
from clusterviz.clusters.models import Cluster
from clusterviz.lessons import loader, runner
from clusterviz.traces.models import RequestTrace, record
from clusterviz.traces.text import step_text, wiring_text
from simcore import trace as tr
from simcore.tracetext import TEMPLATES, msg, render
from simcore.tracetext import step as tstep
from simcore.wiring import _said
from tests.clusterviz.django_fixtures import (  # noqa: F401
    _in_test_thread,
    client,
    cluster,
    teacher,
)
from tests.conftest import LECTURE

HANGUL = re.compile(r"[\uac00-\ud7a3]")
PLACEHOLDER = re.compile(r"%\((\w+)\)")
CATALOG = Path(__file__).resolve().parents[2] / "locale/ko/LC_MESSAGES/django.po"
# the Korean says these with the same words (names, Kubernetes terms, arrows)
SAME_WORDS = {"wiring.bare-pod", "wiring.bare-pods", "wiring.dns-cluster-ip", "wiring.route-pods"}


def test_every_message_id_has_one_english_template():
    assert list(TEMPLATES) == list(typing.get_args(tr.MessageId))
    assert len(set(TEMPLATES.values())) == len(TEMPLATES)  # one msgid, one sentence


@pytest.fixture(scope="module")
def korean() -> dict[str, str]:
    return {e.msgid: e.msgstr for e in polib.pofile(str(CATALOG)).translated_entries()
            if "fuzzy" not in e.flags}


@pytest.mark.parametrize("message_id", list(TEMPLATES))
def test_every_message_has_a_korean_translation_with_the_same_arguments(korean, message_id):
    english = TEMPLATES[message_id]
    assert english in korean, "run makemessages and translate (docs/contributing.md)"
    said = korean[english]
    assert message_id in SAME_WORDS or HANGUL.search(said)
    assert sorted(set(PLACEHOLDER.findall(said))) == sorted(set(PLACEHOLDER.findall(english)))
    with translation.override("ko"):
        assert translation.gettext(english) == said  # the compiled catalogue says it too


POD = "rs-node-web-kghsf"
CASES = [
    pytest.param(msg("reject.pod", pod=POD, ip="10.244.1.2", port=8080),
                 f"{POD} (10.244.1.2) has nothing listening on port 8080: its kernel answers "
                 "with a TCP reset",
                 f"{POD}(10.244.1.2)에는 포트 8080에서 listen 중인 프로세스가 없습니다: Pod의 "
                 "커널이 TCP reset으로 응답합니다", id="reject-pod"),
    pytest.param(msg("reject.pod-not-yet", pod=POD, ip="10.244.1.2", port=8080, seconds=0.1),
                 f"{POD} (10.244.1.2) has nothing listening on port 8080 yet (its process "
                 "opens it in 0.10 s): its kernel answers with a TCP reset",
                 f"{POD}(10.244.1.2)에는 아직 포트 8080에서 listen 중인 프로세스가 없습니다"
                 "(프로세스가 0.10초 뒤에 포트를 엽니다): Pod의 커널이 TCP reset으로 응답합니다",
                 id="number-format"),
    pytest.param(msg("proxy.random", node="worker1", service="default/svc-node:", count=3,
                     rule=2, probability=0.5, chosen="10.244.2.3:8080", pod=POD),
                 "worker1's kube-proxy rules: default/svc-node: has 3 endpoint(s); rule 2 of 3 "
                 f"matched (p = 0.5000000000) and chose 10.244.2.3:8080 ({POD})",
                 "worker1의 kube-proxy 규칙: default/svc-node:에는 endpoint가 3개 있습니다. "
                 "규칙 3개 중 2번째가 맞았고(p = 0.5000000000), 선택된 곳은 10.244.2.3:8080 "
                 f"({POD})입니다", id="proxy-random"),
    pytest.param(msg("timeout.lost", why=msg("lost.rules-drop", node="worker2",
                                             reason=msg("reason.no-local-endpoints",
                                                        service="default/svc-local:")),
                     seconds=130),
                 "worker2's rules DROP the packet (default/svc-local: has no local endpoints); "
                 "the connection would hang, and ends after 130 s",
                 "worker2의 규칙이 패킷을 DROP합니다(default/svc-local:에 이 Node의 endpoint가 "
                 "없습니다). 연결은 응답 없이 기다리다가 130초 뒤에 끝납니다", id="nested"),
    pytest.param(msg("dns.asked", server="10.96.0.10", name="svc-node.default.svc.cluster.local",
                     qtype="A", outcome=msg("dns.no-reply")),
                 "Asked 10.96.0.10 for svc-node.default.svc.cluster.local (A): no reply.",
                 "10.96.0.10에 svc-node.default.svc.cluster.local (A) 질의: 응답 없음.",
                 id="dns-no-reply"),
    # an argument is never translated, even when it reads like a sentence of the catalogue
    pytest.param(msg("reject.closed", pod="no reply"),
                 "no reply closed the connection: nothing listens any more",
                 "no reply에서 연결을 닫았습니다: 더 이상 listen 중인 프로세스가 없습니다",
                 id="argument-untranslated"),
    pytest.param(msg("wiring.selects", selector="app=node-web", count=msg("wiring.n-pods", count=3),
                     pods=[msg("wiring.template-pods", count=3, owner="replicaset rs-node-web"),
                           msg("wiring.owned-pod", names="web-0", owner="statefulset web")]),
                 "selector app=node-web selects 3 pods: the 3 pods replicaset rs-node-web will "
                 "create; pod web-0 (statefulset web)",
                 "selector app=node-web -> Pod 3개 선택: replicaset rs-node-web의 새 Pod 3개; "
                 "Pod web-0(statefulset web 소속)", id="wiring-list"),
    pytest.param(msg("wiring.container-port",
                     head=msg("wiring.port-node-port", port="80", protocol="TCP",
                              node_port="30080", target="8080"),
                     container_port="8080", container="node-web",
                     pods=[msg("wiring.template-pod", owner="replicaset rs-node-web")]),
                 "port 80/TCP (nodePort 30080 on every node) -> targetPort 8080 -> containerPort "
                 "8080 (container node-web) on the pod replicaset rs-node-web will create",
                 "포트 80/TCP(모든 Node의 nodePort 30080) -> targetPort 8080 -> replicaset "
                 "rs-node-web의 새 Pod의 containerPort 8080(container node-web)",
                 id="wiring-nested"),
]


@pytest.mark.parametrize(("message", "english", "korean"), CASES)
def test_a_message_renders_with_its_arguments_in_both_languages(message, english, korean):
    assert render(message) == english
    step = {"step": "reject", "detail": render(message), "message": message}
    with translation.override("en"):
        assert step_text(step) == english
    with translation.override("ko"):
        assert step_text(step) == korean


@pytest.mark.parametrize("step", [
    pytest.param({"step": "reject", "detail": "stored before messages"}, id="no-message"),
    pytest.param({"step": "reject", "detail": "stored before messages",
                  "message": {"id": "gone.from.this.version", "args": {}}}, id="unknown-id"),
    pytest.param({"step": "reject", "detail": "stored before messages",
                  "message": {"id": "reject.closed", "args": {}}}, id="missing-argument"),
    pytest.param({"step": "reject", "detail": "stored before messages",
                  "message": {"id": "reject.closed", "args": ["x"]}}, id="odd-arguments"),
    pytest.param({"step": "reject", "detail": "stored before messages", "message": "text"},
                 id="odd-message"),
])
def test_a_step_that_cannot_be_rendered_shows_its_stored_detail(step):
    with translation.override("ko"):
        assert step_text(step) == "stored before messages"


def test_the_previews_titles_lines_and_problems_follow_the_language():
    line = _said(msg("wiring.selects-none", selector="app=x", namespace="default"), problem=True)
    wiring = {"sections": [{"kind": "Service", "namespace": "default", "name": "x",
                            "title": "service/x in default (ClusterIP, new)",
                            "title_message": msg("wiring.service-title", name="x",
                                                 namespace="default", type="ClusterIP",
                                                 where=msg("wiring.where-new")),
                            "lines": [line.as_dict()]}],
              "problems": ["service/x: " + line.text]}
    with translation.override("ko"):
        said = wiring_text(wiring)
    korean = ("selector app=x에 맞는 Pod가 namespace default에 없고, 이번 업로드의 어떤 workload도 "
              "그런 Pod를 만들지 않습니다: 이 Service에는 endpoint가 없습니다")
    assert said == {"sections": [{"kind": "Service", "namespace": "default", "name": "x",
                                  "title": "default 네임스페이스의 service/x (ClusterIP, 새로 만듦)",
                                  "lines": [{"text": korean, "problem": True}]}],
                    "problems": ["service/x: " + korean]}
    with translation.override("en"):
        assert wiring_text(wiring)["problems"] == wiring["problems"]


def test_a_preview_line_without_a_message_keeps_its_text():
    wiring = {"sections": [{"kind": "Ingress", "namespace": "default", "name": "web",
                            "title": "ingress/web in default (new)",
                            "lines": [{"text": "stored words", "problem": True}]}],
              "problems": []}
    with translation.override("ko"):
        said = wiring_text(wiring)
    assert said["sections"][0]["title"] == "ingress/web in default (new)"
    assert said["problems"] == ["ingress/web: stored words"]


def _curl(client, language: str) -> dict:  # noqa: F811 (the fixture's name)
    text = "\n---\n".join((LECTURE / n).read_text()
                          for n in ("rs-node-web.yaml", "svc-none-node-web.yaml"))
    runtime.run("lecture", lambda sim: sim.apply(text))
    runtime.run("lecture", lambda sim: sim.advance(30))
    pod = runtime.run("lecture", lambda sim: sim.list("pods")[0]["metadata"]["name"])
    body = {"source": {"kind": "pod", "name": pod}, "command": "curl -s http://svc-node",
            "graph_namespace": ""}
    return client.post("/clusters/lecture/run", json.dumps(body), content_type="application/json",
                       headers={"Accept-Language": language}).json()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "says"), [
    pytest.param("ko", "kube-proxy 규칙", id="korean"),
    pytest.param("en", "kube-proxy rules", id="english"),
])
def test_the_dashboards_trace_speaks_the_pages_language(
        client, cluster, language, says):  # noqa: F811
    trace = _curl(client, language)["trace"]
    assert trace and any(says in line for line in trace)
    assert all(bool(HANGUL.search(line)) == (language == "ko") for line in trace), trace


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title", "says"), [
    pytest.param("ko", "default 네임스페이스의 service/svc-node (ClusterIP, 새로 만듦)",
                 "selector app=node-web -> Pod 3개 선택: replicaset rs-node-web의 새 Pod 3개",
                 id="korean"),
    pytest.param("en", "service/svc-node in default (ClusterIP, new)",
                 "selector app=node-web selects 3 pods: the 3 pods replicaset rs-node-web will "
                 "create", id="english"),
])
def test_the_upload_previews_wiring_speaks_the_pages_language(
        client, cluster, language, title, says):  # noqa: F811
    text = "\n---\n".join((LECTURE / n).read_text()
                          for n in ("rs-node-web.yaml", "svc-none-node-web.yaml"))
    answer = client.post("/clusters/lecture/preview", json.dumps({"text": text}),
                         content_type="application/json",
                         headers={"Accept-Language": language}).json()
    section = answer["sections"][0]
    assert section["title"] == title and section["lines"][0]["text"] == says
    lines = [line["text"] for s in answer["sections"] for line in s["lines"]]
    assert all(bool(HANGUL.search(line)) == (language == "ko") for line in lines
               if not line.startswith("DNS: ") or "ClusterIP" not in line), lines
    assert "message" not in json.dumps(answer)  # the page gets words, not message data


@pytest.mark.django_db
@pytest.mark.parametrize(("cookie", "says"), [
    pytest.param(None, "kube-proxy 규칙: default/svc-node:80에는 endpoint가 3개 있습니다",
                 id="lesson-korean-first"),
    pytest.param("en", "kube-proxy rules: default/svc-node:80 has 3 endpoint(s)",
                 id="chosen-english"),
])
def test_the_presenters_trace_speaks_the_lessons_language_unless_one_was_chosen(
        client, cluster, cookie, says):  # noqa: F811
    runner.go_to("lecture", loader.load("week4-services"), 4)
    age = Cluster.objects.filter(pk=cluster.pk)
    age.update(saved_at=F("saved_at") - timedelta(seconds=30))  # the pods become ready
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    body = {"lesson": "week4-services", "step": 4, "index": 0}
    answer = client.post("/clusters/lecture/lesson/run", json.dumps(body),
                         content_type="application/json",
                         headers={"Accept-Language": "en-US,en;q=0.9"}).json()
    assert answer["stdout"].startswith("You've hit rs-node-web-")
    assert any(says in line for line in answer["trace"]), answer["trace"]


@pytest.mark.django_db
def test_stored_traces_render_old_rows_as_stored_and_new_rows_in_the_language(
        cluster):  # noqa: F811
    old = {"step": "reject", "detail": "nothing in web-0 listens on 127.0.0.1 port 81: its "
                                       "kernel answers with a TCP reset"}
    new = tstep("reject", msg("reject.loopback-pod", pod="web-0", ip="127.0.0.1", port=81))
    hang = tstep("timeout", msg("sleep.waits", seconds=float("inf")))  # JSON keeps no inf
    row = record(cluster.pk, "kubectl exec default/web-0 -c web", "curl", 7, [old, new, hang])
    stored = RequestTrace.objects.get(pk=row.pk).trace
    with translation.override("ko"):
        lines = [step_text(s) for s in stored]
    assert lines == [old["detail"], "web-0 안에는 127.0.0.1 포트 81에서 listen 중인 프로세스가 "
                                    "없습니다: 커널이 TCP reset으로 응답합니다",
                     "sleep waits inf seconds."]
