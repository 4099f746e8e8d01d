"""A request's trace in the reader's language: every sentence simcore can say has its Korean,
renders with its arguments untouched in both languages, old stored steps still show, and
the dashboard's /run answers in the page's language."""

from __future__ import annotations

import json
import re
import typing

import pytest
from django.utils import translation

from clusterviz.clusters import runtime
from clusterviz.traces.text import step_text
from simcore import trace as tr
from simcore.tracetext import TEMPLATES, msg, render
from tests.clusterviz.django_fixtures import (  # noqa: F401
    _in_test_thread,
    client,
    cluster,
    teacher,
)
from tests.conftest import LECTURE

HANGUL = re.compile(r"[\uac00-\ud7a3]")
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def test_every_message_id_has_one_english_template():
    assert list(TEMPLATES) == list(typing.get_args(tr.MessageId))


@pytest.mark.parametrize("message_id", list(TEMPLATES))
def test_every_message_has_a_korean_translation_with_the_same_arguments(message_id):
    english = TEMPLATES[message_id]
    with translation.override("ko"):
        korean = translation.gettext(english)
    assert korean != english and HANGUL.search(korean)
    assert sorted(set(PLACEHOLDER.findall(korean))) == sorted(set(PLACEHOLDER.findall(english)))


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
