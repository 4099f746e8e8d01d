"""The teacher's room: command history (what a line says, what is kept), roster cards, and
the roster and follow sockets (a change reaches the roster; a follower cannot write)."""

from __future__ import annotations

import functools
import json

import pytest
import yaml
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from clusterviz.classroom import tokens
from clusterviz.classroom.models import ApiToken, Classroom
from clusterviz.classroom.views import student_cluster
from clusterviz.clusters import runtime
from clusterviz.clusters.models import Cluster
from clusterviz.dashboard.routing import websocket_urlpatterns as dashboard_sockets
from clusterviz.k8sapi.routing import parse
from clusterviz.lessons import runner
from clusterviz.room import cards, record, summaries
from clusterviz.room.models import Command
from clusterviz.room.routing import websocket_urlpatterns as room_sockets
from tests.conftest import LECTURE

pytest_plugins = ["django_fixtures"]

PODS = "api/v1/namespaces/default/pods"
DEPLOYMENTS = "apis/apps/v1/namespaces/default/deployments"


def _line(method: str, path: str, command: str = "", query: dict | None = None,
          created: str = "") -> str | None:
    headers = {"Kubectl-Command": command} if command else {}
    return summaries.api_summary(method, parse(path), query or {}, headers, False, created)


@pytest.mark.parametrize(("method", "path", "command", "query", "created", "expected"), [
    pytest.param("GET", PODS, "kubectl get", None, "", "kubectl get: list pods", id="get"),
    pytest.param("GET", f"{PODS}/web-1", "kubectl describe", None, "",
                 "kubectl describe: get pods/web-1", id="describe"),
    pytest.param("GET", f"{PODS}/web-1/log", "kubectl logs", None, "",
                 "kubectl logs: get pods/web-1 (log)", id="logs"),
    pytest.param("POST", DEPLOYMENTS, "kubectl apply", None, "web",
                 "kubectl apply: create deployments.apps/web", id="apply-creates"),
    pytest.param("PATCH", f"{DEPLOYMENTS}/web", "kubectl apply", None, "",
                 "kubectl apply: patch deployments.apps/web", id="apply-patches"),
    pytest.param("GET", f"{DEPLOYMENTS}/web", "kubectl apply", None, "", None,
                 id="the-read-behind-apply"),
    pytest.param("PATCH", f"{DEPLOYMENTS}/web/scale", "kubectl scale", None, "",
                 "kubectl scale: patch deployments.apps/web (scale)", id="scale"),
    pytest.param("DELETE", "api/v1/namespaces/web/pods/x", "kubectl delete", None, "",
                 "kubectl delete: delete pods/x -n web", id="delete-in-a-namespace"),
    pytest.param("DELETE", PODS, "", None, "", "deletecollection pods", id="deletecollection"),
    pytest.param("POST", PODS, "", None, "curl-made", "create pods/curl-made",
                 id="no-kubectl-header"),
    pytest.param("GET", "api/v1/nodes", "kubectl get", None, "", "kubectl get: list nodes",
                 id="cluster-scoped"),
    pytest.param("GET", PODS, "kubectl get", {"watch": "true"}, "", None, id="watch"),
    pytest.param("GET", PODS, "", {"resourceVersion": "41"}, "", None, id="re-list"),
    pytest.param("GET", "api", "kubectl get", None, "", None, id="discovery"),
    pytest.param("GET", "apis/apps/v1", "kubectl get", None, "", None, id="resource-list"),
    pytest.param("GET", "version", "kubectl version", None, "", None, id="version"),
    pytest.param("GET", "openapi/v3", "kubectl apply", None, "", None, id="openapi"),
    pytest.param("GET", "api/v1/nope", "kubectl get", None, "", None, id="unknown-path"),
])
def test_a_request_is_summarised_as_a_teacher_reads_it(method, path, command, query, created,
                                                        expected):
    assert _line(method, path, command, query, created) == expected


# ---- recorded through the API, the request panel, the terminal -------------------------

@pytest.fixture
def student_room(db, settings):
    settings.TLS_PORT = 6443
    settings.TICKER_IN_PROCESS = False
    users = get_user_model().objects
    teacher = users.create_user("t1", is_staff=True)
    classroom = Classroom.objects.create(name="k8s", teacher=teacher, code="ABC234")
    ann, ben = users.create_user("ann", first_name="Ann"), users.create_user("ben")
    return {"teacher": teacher, "classroom": classroom, "ann": ann, "ben": ben,
            "a": student_cluster(classroom, ann).slug, "b": student_cluster(classroom, ben).slug}


def _api(user, purpose: str = ApiToken.KUBECONFIG, command: str = "") -> Client:
    headers = {"Authorization": f"Bearer {tokens.issue(user, 'x', purpose)}"}
    if command:
        headers["Kubectl-Command"] = command
    return Client(headers=headers)


def _pod(name: str, image: str = "nginx:1.25") -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                       "spec": {"containers": [{"name": "c", "image": image}]}})


def _lines(slug: str) -> list[tuple[str, str, int | None, bool]]:
    rows = Command.objects.filter(cluster__slug=slug).order_by("id")
    return [(r.source, r.text, r.code, r.ok) for r in rows]


def test_kubectl_through_the_api_is_recorded_with_its_code(student_room):
    slug = student_room["a"]
    base = f"/k8s/clusters/{slug}/{PODS}"
    kubectl = _api(student_room["ann"], command="kubectl create")
    assert kubectl.post(base, _pod("web"), content_type="application/json").status_code == 201
    assert kubectl.post(base, _pod("web"), content_type="application/json").status_code == 409
    _api(student_room["ann"], command="kubectl get").get(f"{base}/nope")
    _api(student_room["ann"], command="kubectl get").get(f"/k8s/clusters/{slug}/api")
    _api(student_room["ann"], command="kubectl get").get(f"{base}?watch=true&timeoutSeconds=1")
    assert _lines(slug) == [
        ("api", "kubectl create: create pods/web", 201, True),
        ("api", "kubectl create: create pods", 409, False),
        ("api", "kubectl get: get pods/nope", 404, False),
    ]
    assert _lines(student_room["b"]) == []


def test_the_reads_of_one_kubectl_run_are_one_line(student_room):
    slug = student_room["a"]
    headers = {"Kubectl-Command": "kubectl describe", "Kubectl-Session": "s-1"}
    client = Client(headers={**headers, "Authorization":
                             f"Bearer {tokens.issue(student_room['ann'], 'x')}"})
    client.get(f"/k8s/clusters/{slug}/api/v1/nodes/worker1")
    client.get(f"/k8s/clusters/{slug}/api/v1/namespaces/default/events")
    assert _lines(slug) == [("api", "kubectl describe: get nodes/worker1", 200, True)]


def test_the_terminal_tabs_own_requests_are_not_lines_twice(student_room):
    slug = student_room["a"]
    terminal = _api(student_room["ann"], ApiToken.TERMINAL, "kubectl get")
    assert terminal.get(f"/k8s/clusters/{slug}/{PODS}").status_code == 200
    record.terminal(slug, "kubectl get pods", 0)
    record.terminal(slug, "kubectl get pod nope", 1)
    assert _lines(slug) == [("terminal", "kubectl get pods", 0, True),
                            ("terminal", "kubectl get pod nope", 1, False)]


def test_a_request_panel_command_keeps_its_exit_code_and_trace(student_room):
    slug = student_room["a"]
    client = Client()
    client.force_login(student_room["ann"])
    answer = client.post(f"/clusters/{slug}/run", {
        "source": {"kind": "node", "name": "master-stg"},
        "command": "curl -s --max-time 1 http://10.96.0.99"},
        content_type="application/json").json()
    row = Command.objects.get(cluster__slug=slug)
    assert (row.source, row.text, row.code) == (
        "request", "[node master-stg] curl -s --max-time 1 http://10.96.0.99",
        answer["exit_code"])
    assert row.code != 0 and not row.ok
    listing = client.get(f"/clusters/{slug}/commands").json()["commands"]
    assert [(c["id"], c["trace"]) for c in listing] == [(row.id, True)]
    one = client.get(f"/clusters/{slug}/commands/{row.id}").json()
    assert one["trace"] == answer["trace"] and one["trace"]


def test_a_command_is_read_through_its_own_cluster_only(student_room):
    row = record._write(student_room["a"], Command.REQUEST, "[node worker1] hostname", 0,
                        True, ["worker1 answers"])
    ben = Client()
    ben.force_login(student_room["ben"])
    assert ben.get(f"/clusters/{student_room['b']}/commands/{row.id}").status_code == 404
    assert ben.get(f"/clusters/{student_room['a']}/commands/{row.id}").status_code == 404
    assert ben.get(f"/clusters/{student_room['b']}/commands").json() == {"commands": []}


def test_the_history_is_bounded(student_room, monkeypatch):
    monkeypatch.setattr(record, "KEEP", 5)
    monkeypatch.setattr(record, "TRIM_EVERY", 3)
    slug = student_room["a"]
    for n in range(20):
        record.terminal(slug, f"kubectl get pods # {n}", 0)
    kept = [text for _, text, _, _ in _lines(slug)]
    assert 5 <= len(kept) < 5 + 3
    assert kept[-1] == "kubectl get pods # 19"
    assert kept == [f"kubectl get pods # {n}" for n in range(20 - len(kept), 20)]


def test_a_broken_history_never_fails_the_request(student_room, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(record, "_submit", broken)
    response = _api(student_room["ann"]).post(f"/k8s/clusters/{student_room['a']}/{PODS}",
                                              _pod("web"), content_type="application/json")
    assert response.status_code == 201


# ---- the cards ---------------------------------------------------------------------------

def _card(slug: str) -> dict:
    return cards.card(Cluster.objects.select_related("owner").get(slug=slug))


def test_a_card_counts_pods_and_says_who_needs_help(student_room):
    slug = student_room["a"]
    fresh = _card(slug)
    assert (fresh["name"], fresh["online"], fresh["last"], fresh["help"]) == ("Ann", False,
                                                                              None, [])
    assert fresh["pods"] == {"running": 0, "pending": 0, "error": 0, "imagepull": 0}
    assert [n["name"] for n in fresh["thumb"]["nodes"]] == ["master-stg", "worker1", "worker2"]
    assert fresh["step"]["number"] == 0

    text = (LECTURE / "rs-node-web.yaml").read_text()

    def start(sim):
        sim.apply(text, create=True)
        sim.api.create("pods", json.loads(_pod("broken", "nosuch.example/none:1")))
        sim.advance(10)
    runtime.run(slug, start)
    early = _card(slug)
    assert early["pods"] == {"running": 3, "pending": 0, "error": 0, "imagepull": 1}
    assert early["help"] == []  # failing, but not for a minute yet
    runtime.run(slug, lambda sim: sim.advance(70))
    later = _card(slug)
    assert later["help"] == ["broken failing for more than a minute"]
    assert later["step"]["number"] >= 1  # the lesson's first checked step: 3 pods ready

    for n in range(3):
        record.terminal(slug, f"kubectl get pod nope-{n}", 1)
    failed = _card(slug)
    assert failed["help"][-1] == "the last three commands failed"
    assert failed["last"]["text"] == "kubectl get pod nope-2"
    assert failed["online"]  # a command just now
    assert cards.sort_key(failed) < cards.sort_key(_card(student_room["b"]))


# ---- the sockets -------------------------------------------------------------------------

class _As:
    """What AuthMiddlewareStack hands a consumer: the session's user (by username here)."""

    def __init__(self, inner, username: str):
        self.inner, self.username = inner, username

    async def __call__(self, scope, receive, send):
        user = await sync_to_async(get_user_model().objects.get)(username=self.username)
        return await self.inner({**scope, "user": user}, receive, send)


def _socket(path: str, username: str) -> WebsocketCommunicator:
    app = _As(URLRouter([*dashboard_sockets, *room_sockets]), username)
    return WebsocketCommunicator(app, path, headers=[(b"origin", b"http://127.0.0.1"),
                                                     (b"host", b"127.0.0.1")])


def run_async(test):
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return async_to_sync(test)(*args, **kwargs)
    return wrapper


@pytest.fixture
def live_room(transactional_db, settings):
    settings.TLS_PORT = 6443
    settings.TICKER_IN_PROCESS = False
    users = get_user_model().objects
    teacher = users.create_user("t1", is_staff=True)
    classroom = Classroom.objects.create(name="k8s", teacher=teacher, code="ABC234")
    ann, ben = users.create_user("ann"), users.create_user("ben")
    return {"classroom": classroom, "ann": ann, "a": student_cluster(classroom, ann).slug,
            "b": student_cluster(classroom, ben).slug}


async def _until(socket: WebsocketCommunicator, predicate, limit: int = 30) -> dict:
    for _ in range(limit):
        message = await socket.receive_json_from(timeout=10)
        if predicate(message):
            return message
    raise AssertionError("the message never came")


@run_async
async def test_the_roster_gets_one_card_when_a_student_applies(live_room):
    roster = _socket(f"/ws/classes/{live_room['classroom'].pk}/roster", "t1")
    assert (await roster.connect())[0]
    first = await roster.receive_json_from(timeout=10)
    assert first["type"] == "cards"
    assert sorted(c["slug"] for c in first["cards"]) == sorted([live_room["a"], live_room["b"]])

    client = await sync_to_async(_api)(live_room["ann"], command="kubectl apply")
    text = (LECTURE / "rs-node-web.yaml").read_text()
    body = json.dumps(yaml.safe_load(text))
    response = await sync_to_async(client.post, thread_sensitive=False)(
        f"/k8s/clusters/{live_room['a']}/apis/apps/v1/namespaces/default/replicasets", body,
        content_type="application/json")
    assert response.status_code == 201
    card = (await _until(roster, lambda m: m["type"] == "card" and m["card"]["last"]
                         and sum(m["card"]["pods"].values()) == 3))["card"]
    assert card["slug"] == live_room["a"]
    assert card["last"]["text"] == "kubectl apply: create replicasets.apps/rs-node-web"
    assert card["last"]["code"] == 201

    joined = await sync_to_async(Client().post, thread_sensitive=False)(
        "/join", {"code": "ABC234", "username": "cem", "password": "a long passphrase 1"})
    assert joined.status_code == 302
    everyone = await _until(roster, lambda m: m["type"] == "cards")
    assert len(everyone["cards"]) == 3

    teacher = Client()
    await sync_to_async(teacher.force_login, thread_sensitive=False)(
        live_room["classroom"].teacher)
    gone = await sync_to_async(teacher.post, thread_sensitive=False)(
        f"/clusters/{live_room['b']}/delete")
    assert gone.status_code == 302
    left = await _until(roster, lambda m: m["type"] == "cards")
    assert sorted(c["name"] for c in left["cards"]) == ["ann", "cem"]
    await roster.disconnect()


@run_async
async def test_a_follower_sees_the_graph_and_cannot_write(live_room):
    student = _socket(f"/ws/clusters/{live_room['a']}/graph", "ann")
    assert (await student.connect())[0]
    assert (await student.receive_json_from(timeout=10))["type"] == "snapshot"
    follower = _socket(f"/ws/clusters/{live_room['a']}/follow", "t1")
    assert (await follower.connect())[0]
    snapshot = await follower.receive_json_from(timeout=10)
    assert snapshot["type"] == "snapshot" and snapshot["elements"]
    # (the student's page may hear it twice: from its own connect's look and from the
    # follower's; saying it again changes nothing)
    await _until(student, lambda m: m == {"type": "viewers", "followed": True})

    before = await sync_to_async(lambda: Cluster.objects.get(slug=live_room["a"]).version)()
    for attempt in ({"type": "run", "command": "kubectl delete pod --all"},
                    {"type": "apply", "text": "kind: Pod"}, "hello"):
        await follower.send_json_to(attempt)
        refused = await follower.receive_json_from(timeout=10)
        assert refused["type"] == "refused"
        assert refused["message"] == ("You are following this student read-only: "
                                      "nothing was changed.")
    after = await sync_to_async(lambda: Cluster.objects.get(slug=live_room["a"]).version)()
    assert after == before
    await follower.disconnect()
    await _until(student, lambda m: m == {"type": "viewers", "followed": False})
    await student.disconnect()


def test_reset_all_asks_first_then_resets_every_cluster(student_room):
    teacher = Client()
    teacher.force_login(student_room["teacher"])
    for slug in (student_room["a"], student_room["b"]):
        runtime.run(slug, lambda sim: sim.api.create("pods", json.loads(_pod("mine"))))
    pk = student_room["classroom"].pk
    asked = teacher.post(f"/classes/{pk}/reset-all")
    assert asked.status_code == 200
    assert b"Yes, reset them all" in asked.content
    assert Cluster.objects.get(slug=student_room["a"]).stored_objects.filter(
        resource="pods", name="mine").exists()
    done = teacher.post(f"/classes/{pk}/reset-all", {"confirm": "yes"})
    assert (done.status_code, done["Location"]) == (302, f"/classes/{pk}/")
    for slug in (student_room["a"], student_room["b"]):
        assert not Cluster.objects.get(slug=slug).stored_objects.filter(
            resource="pods", name="mine").exists()
    assert timezone.now()


@run_async
async def test_a_student_stays_online_through_a_reset(live_room):
    card = sync_to_async(_card, thread_sensitive=False)
    assert (await card(live_room["a"]))["online"] is False
    student = _socket(f"/ws/clusters/{live_room['a']}/graph", "ann")
    assert (await student.connect())[0]
    assert (await student.receive_json_from(timeout=10))["type"] == "snapshot"
    assert (await card(live_room["a"]))["online"] is True
    assert (await card(live_room["b"]))["online"] is False
    await sync_to_async(runner.reset, thread_sensitive=False)(live_room["a"])
    assert (await card(live_room["a"]))["online"] is True  # the page is still open
    await student.disconnect()
    assert (await card(live_room["a"]))["online"] is False
