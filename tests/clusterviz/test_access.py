"""Every door against every role: each URL pattern and socket route, for the anonymous
visitor, student A (whose cluster is the target), student B, the teacher of their class and
the teacher of another class, with the status each must get.

A route the table does not list fails `test_every_route_has_a_row`: the routes are read
from Django's URL resolver and from the websocket URLRouter inside `clusterviz.asgi`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from clusterviz.classroom import tokens
from clusterviz.classroom.models import Classroom
from clusterviz.classroom.views import student_cluster
from clusterviz.clusters import runtime
from clusterviz.lessons import loader
from clusterviz.room.models import Command
from tests.conftest import LECTURE

pytest_plugins = ["django_fixtures"]

ROLES = ("anonymous", "student_b", "other_teacher", "student_a", "teacher")
LESSON = loader.lesson_slugs()[0]


@dataclass(frozen=True)
class Row:
    pattern: str
    method: str
    url: str  # {a}: student A's cluster, {cls}: their class, {a_id}: student A's user id
    expect: dict[str, int]
    body: dict | None = None
    form: dict | None = None
    headers: dict = field(default_factory=dict)


def page(anonymous=302, a=200, b=404, teacher=200, other=404) -> dict[str, int]:
    return {"anonymous": anonymous, "student_a": a, "student_b": b, "teacher": teacher,
            "other_teacher": other}


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


API = {"anonymous": 401, "student_a": 200, "student_b": 403, "teacher": 200,
       "other_teacher": 403}
TEACHERS_ONLY = page(a=404, b=404, teacher=302, other=302)
CLASS_TEACHER = page(a=404, b=404, teacher=302, other=404)

ROWS = [
    Row("", "GET", "/", everyone(200)),
    Row("signin", "GET", "/signin", everyone(200)),
    Row("signout", "POST", "/signout", everyone(302)),
    Row("join", "GET", "/join", everyone(200)),
    Row("classes/new", "POST", "/classes/new", TEACHERS_ONLY,
        form={"name": "c", "preset": "lecture", "pod_quota": 10, "object_quota": 100}),
    Row("classes/<int:pk>/", "GET", "/classes/{cls}/", page(a=404, b=404, other=404)),
    Row("classes/<int:pk>/open", "POST", "/classes/{cls}/open", CLASS_TEACHER,
        form={"open": "1"}),
    Row("classes/<int:pk>/students/<int:user_id>/revoke", "POST",
        "/classes/{cls}/students/{a_id}/revoke", CLASS_TEACHER),
    Row("clusters/new", "POST", "/clusters/new", TEACHERS_ONLY,
        form={"slug": "{role}-made", "preset": "lecture"}),
    # the language switch and the scripts' catalog: for everyone, the landing page too
    Row("i18n/setlang/", "POST", "/i18n/setlang/", everyone(302),
        form={"language": "en", "next": "/"}),
    Row("i18n/js/<str:code>", "GET", "/i18n/js/ko", everyone(200)),
    Row("clusters/<slug:slug>/kubeconfig", "GET", "/clusters/{a}/kubeconfig", page()),
    Row("clusters/<slug:slug>/reset", "POST", "/clusters/{a}/reset", page(a=302, teacher=302)),
    Row("clusters/<slug:slug>/delete", "POST", "/clusters/{a}/delete", page(a=404, teacher=302)),
    Row("lessons/", "GET", "/lessons/", page(b=200, other=200)),
    Row("clusters/<slug:slug>/present", "GET", "/clusters/{a}/present", page()),
    Row("clusters/<slug:slug>/lesson/goto", "POST", "/clusters/{a}/lesson/goto", page(),
        body={"lesson": LESSON, "step": 1}),
    Row("clusters/<slug:slug>/lesson/run", "POST", "/clusters/{a}/lesson/run", page(),
        body={"lesson": LESSON, "step": 1, "index": 0}),
    Row("clusters/<slug:slug>/lesson/check", "GET",
        f"/clusters/{{a}}/lesson/check?lesson={LESSON}&step=1", page()),
    Row("clusters/<slug:slug>/lesson/reset", "POST", "/clusters/{a}/lesson/reset", page()),
    # the student's Lesson tab, the presenter for a class, the push to a class
    Row("clusters/<slug:slug>/lesson/data", "GET", "/clusters/{a}/lesson/data", page()),
    Row("clusters/<slug:slug>/lesson/at", "POST", "/clusters/{a}/lesson/at", page(),
        body={"lesson": LESSON, "step": 2}),
    Row("clusters/<slug:slug>/present", "GET", "/clusters/{a}/present?class={cls}", page()),
    Row("clusters/<slug:slug>/present", "GET",
        "/clusters/{a}/present?class={cls}&spotlight={a}", page()),
    Row("classes/<int:pk>/lesson/push", "POST", "/classes/{cls}/lesson/push",
        page(a=404, b=404, other=404), body={"lesson": LESSON, "step": 1}),
    Row("clusters/<slug:slug>/", "GET", "/clusters/{a}/", page()),
    Row("clusters/<slug:slug>/pods/<str:namespace>/<str:name>/shell", "GET",
        "/clusters/{a}/pods/default/web/shell", page()),
    Row("clusters/<slug:slug>/apply", "POST", "/clusters/{a}/apply", page(),
        body={"text": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"}),
    Row("clusters/<slug:slug>/preview", "POST", "/clusters/{a}/preview", page(),
        body={"text": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"}),
    Row("clusters/<slug:slug>/run", "POST", "/clusters/{a}/run", page(),
        body={"source": {"kind": "node", "name": "master-stg"}, "command": "hostname"}),
    Row("clusters/<slug:slug>/fire", "POST", "/clusters/{a}/fire", page(),
        body={"source": {"kind": "node", "name": "master-stg"}, "command": "hostname",
              "count": 1}),
    Row("clusters/<slug:slug>/clock", "GET", "/clusters/{a}/clock", page()),
    Row("clusters/<slug:slug>/inspect", "GET", "/clusters/{a}/inspect?id=node/worker1", page()),
    Row("clusters/<slug:slug>/history", "GET", "/clusters/{a}/history", page()),
    Row("clusters/<slug:slug>/history/graph", "GET", "/clusters/{a}/history/graph?at=0", page()),
    Row("clusters/<slug:slug>/history/inspect", "GET",
        "/clusters/{a}/history/inspect?at=0&id=node/worker1", page()),
    Row("clusters/<slug:slug>/history/replay", "GET", "/clusters/{a}/history/replay?at=0",
        page()),
    Row("clusters/<slug:slug>/history/restore", "POST", "/clusters/{a}/history/restore",
        page(), body={"at": 0}),
    Row("clusters/<slug:slug>/failures", "GET", "/clusters/{a}/failures", page()),
    # the room: command history (student and teacher), follow (the teacher), reset a class
    Row("clusters/<slug:slug>/commands", "GET", "/clusters/{a}/commands", page()),
    Row("clusters/<slug:slug>/commands/<int:pk>", "GET", "/clusters/{a}/commands/{cmd}",
        page()),
    Row("clusters/<slug:slug>/follow", "GET", "/clusters/{a}/follow", page(a=404)),
    Row("classes/<int:pk>/reset-all", "POST", "/classes/{cls}/reset-all",
        page(a=404, b=404, teacher=200, other=404), form={"confirm": "not yet"}),
    Row("k8s/clusters/<slug:slug>/", "GET", "/k8s/clusters/{a}/version",
        {**API, "student_b": 200, "other_teacher": 200}),  # discovery: any signed-in user
    Row("k8s/clusters/<slug:slug>/^(?P<path>.+)$", "GET",
        "/k8s/clusters/{a}/api/v1/namespaces/default/pods", API),
    Row("^static/(?P<path>.*)$", "GET", "/static/dashboard/cluster.css", everyone(200)),
    Row("favicon.ico", "GET", "/favicon.ico", everyone(200)),
]
# (route, expected per role): True accepted, else the close code; the exec socket closes
# before accepting (1000 here), which daphne turns into a 403 answer to the handshake.
SOCKETS = {
    "ws/clusters/<slug:slug>/graph": page(anonymous=4401, a=True, b=4404, teacher=True,
                                          other=4404),
    "ws/clusters/<slug:slug>/kubectl": page(anonymous=4401, a=True, b=4404, teacher=True,
                                            other=4404),
    "ws/clusters/<slug:slug>/lesson": page(anonymous=4401, a=True, b=4404, teacher=True,
                                           other=4404),
    "^ws/clusters/(?P<slug>[-a-zA-Z0-9_]+)/shell/(?P<namespace>[^/]+)/(?P<name>[^/]+)$":
        page(anonymous=4401, a=True, b=4404, teacher=True, other=4404),
    # the teacher's roster of the class, and following student A read-only
    "ws/classes/<int:pk>/roster": page(anonymous=4401, a=4404, b=4404, teacher=True,
                                       other=4404),
    "ws/clusters/<slug:slug>/follow": page(anonymous=4401, a=4404, b=4404, teacher=True,
                                           other=4404),
    "^k8s/clusters/(?P<slug>[-a-zA-Z0-9_]+)/api/v1/namespaces/(?P<namespace>[^/]+)/pods/"
    "(?P<name>[^/]+)/exec$": page(anonymous=1000, a=True, b=1000, teacher=True, other=1000),
    "^k8s/clusters/(?P<slug>[-a-zA-Z0-9_]+)/api/v1/namespaces/(?P<namespace>[^/]+)/pods/"
    "(?P<name>[^/]+)/portforward$": page(anonymous=1000, a=True, b=1000, teacher=True,
                                         other=1000),
    # any other API socket: the API server's 404 for everyone
    "^k8s/clusters/(?P<slug>[-a-zA-Z0-9_]+)/": everyone(1000),
}
SOCKET_PATHS = {
    "ws/clusters/<slug:slug>/graph": "/ws/clusters/{a}/graph",
    "ws/clusters/<slug:slug>/kubectl": "/ws/clusters/{a}/kubectl",
    "ws/clusters/<slug:slug>/lesson": "/ws/clusters/{a}/lesson",
    "^ws/clusters/(?P<slug>[-a-zA-Z0-9_]+)/shell/(?P<namespace>[^/]+)/(?P<name>[^/]+)$":
        "/ws/clusters/{a}/shell/default/web",
    "ws/classes/<int:pk>/roster": "/ws/classes/{cls}/roster",
    "ws/clusters/<slug:slug>/follow": "/ws/clusters/{a}/follow",
}


def url_patterns() -> set[str]:
    def walk(patterns, prefix: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)
    return set(walk(get_resolver().url_patterns, ""))


def socket_routes() -> set[str]:
    from clusterviz import asgi
    app, seen = asgi.application, 0
    while not hasattr(app, "routes") and seen < 20:
        # down through the middleware (each keeps its inner app under one of these names)
        mapping = getattr(app, "application_mapping", None)
        app = mapping["websocket"] if mapping else next(
            getattr(app, name) for name in ("inner", "application", "app") if hasattr(app, name))
        seen += 1
    return {str(route.pattern.pattern if hasattr(route.pattern, "pattern") else route.pattern)
            for route in app.routes}


def test_every_route_has_a_row():
    assert url_patterns() == {row.pattern for row in ROWS}
    assert socket_routes() == set(SOCKETS)


@dataclass
class Classroom2:
    users: dict
    a_slug: str
    class_pk: int
    command_pk: int = 0


@pytest.fixture
def room(db, settings) -> Classroom2:
    return make_room(settings)


def make_room(settings) -> Classroom2:
    settings.TLS_PORT = 6443
    settings.TICKER_IN_PROCESS = False
    users = get_user_model().objects
    teacher = users.create_user("t1", is_staff=True)
    other = users.create_user("t2", is_staff=True)
    classroom = Classroom.objects.create(name="k8s", teacher=teacher, code="ABC234")
    Classroom.objects.create(name="other", teacher=other, code="XYZ789")
    a, b = users.create_user("alice"), users.create_user("bob")
    cluster_a = student_cluster(classroom, a)
    student_cluster(classroom, b)
    command = Command.objects.create(cluster=cluster_a, at=timezone.now(), source="request",
                                     text="[node worker1] hostname", code=0, ok=True,
                                     trace=["worker1 runs hostname"])
    return Classroom2({"teacher": teacher, "other_teacher": other, "student_a": a,
                       "student_b": b}, cluster_a.slug, classroom.pk, command.pk)


def _client(room: Classroom2, role: str) -> Client:
    user = room.users.get(role)
    if user is None:
        return Client()
    client = Client(headers={"Authorization": f"Bearer {tokens.issue(user, 'table')}"})
    client.force_login(user)
    return client


def _fill(text: str, room: Classroom2, role: str) -> str:
    return text.format(a=room.a_slug, cls=room.class_pk, a_id=room.users["student_a"].pk,
                       cmd=room.command_pk, role=role.replace("_", "-"))


@pytest.mark.parametrize("row", [pytest.param(r, id=f"{r.method} {r.pattern or '/'}")
                                 for r in ROWS])
def test_each_role_gets_its_status(row: Row, room):
    got = {}
    for role in ROLES:  # the roles that may change something go last
        client, url = _client(room, role), _fill(row.url, room, role)
        if row.body is not None:
            response = client.generic(row.method, url, json.dumps(row.body),
                                      content_type="application/json")
        elif row.form is not None:
            response = client.post(url, {k: _fill(str(v), room, role)
                                         for k, v in row.form.items()})
        else:
            response = client.generic(row.method, url)
        got[role] = response.status_code
    assert got == row.expect


def test_the_api_refuses_in_the_apiservers_words(room):
    bob = _client(room, "student_b")
    base = f"/k8s/clusters/{room.a_slug}"
    listing = bob.get(f"{base}/api/v1/namespaces/default/pods").json()
    assert listing == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" '
                   'in the namespace "default"',
        "reason": "Forbidden", "details": {"kind": "pods"}, "code": 403}
    node = bob.get(f"{base}/api/v1/nodes/worker1").json()
    assert node["message"] == ('nodes "worker1" is forbidden: User "bob" cannot get resource '
                               '"nodes" in API group "" at the cluster scope')
    assert node["details"] == {"name": "worker1", "kind": "nodes"}
    scale = bob.patch(f"{base}/apis/apps/v1/namespaces/web/deployments/d/scale", "{}",
                      content_type="application/merge-patch+json").json()
    assert scale["message"] == (
        'deployments.apps "d" is forbidden: User "bob" cannot patch resource '
        '"deployments/scale" in API group "apps" in the namespace "web"')
    assert scale["details"] == {"name": "d", "group": "apps", "kind": "deployments"}
    anonymous = Client().get(f"{base}/api/v1/namespaces/default/pods")
    assert anonymous.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                "status": "Failure", "message": "Unauthorized",
                                "reason": "Unauthorized", "code": 401}


def test_the_api_takes_no_cookie(room):
    """A signed-in browser session is not an API credential: a page of another site cannot
    drive the API with a student's cookie."""
    client = Client()
    client.force_login(room.users["student_a"])
    response = client.get(f"/k8s/clusters/{room.a_slug}/api/v1/namespaces/default/pods")
    assert response.status_code == 401


def test_a_revoked_token_is_refused(room):
    alice = room.users["student_a"]
    token = tokens.issue(alice, room.a_slug)
    url = f"/k8s/clusters/{room.a_slug}/api/v1/namespaces/default/pods"
    assert Client(headers={"Authorization": f"Bearer {token}"}).get(url).status_code == 200
    tokens.revoke(alice)
    assert Client(headers={"Authorization": f"Bearer {token}"}).get(url).status_code == 401


def test_forms_need_the_csrf_token(room):
    """Django's CSRF check on every state-changing page endpoint: a cross-site POST (here a
    text/plain one, which needs no preflight) is refused before it resets anything."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(room.users["student_a"])
    for path in ("lesson/reset", "reset", "apply", "clock"):
        response = client.post(f"/clusters/{room.a_slug}/{path}", "{}",
                                content_type="text/plain")
        assert response.status_code == 403, path


@pytest.fixture
def live_room(transactional_db, settings) -> Classroom2:
    made = make_room(settings)
    text = (LECTURE / "rs-node-web-readiness.yaml").read_text()

    def start(sim):
        sim.apply(text, create=True)
        sim.advance(30)
        return sim.list("pods")[0]["metadata"]["name"]
    made.pod = runtime.run(made.a_slug, start)
    return made


def _socket_headers(room: Classroom2, role: str, exec_socket: bool) -> list:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    user = room.users.get(role)
    if user is None:
        return headers if not exec_socket else [(b"host", b"testserver")]
    if exec_socket:
        return [(b"host", b"testserver"),  # as kubectl sends: a Host, no Origin
                (b"authorization", f"Bearer {tokens.issue(user, 'sock')}".encode())]
    client = Client()
    client.force_login(user)
    return [*headers, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


@pytest.mark.parametrize("route", [pytest.param(r, id=r.split("/")[-1].split("$")[0][:20])
                                   for r in SOCKETS])
def test_each_role_gets_its_socket(route: str, live_room):
    from clusterviz import asgi
    exec_socket = route not in SOCKET_PATHS  # the API's sockets take a bearer token
    pod = f"/k8s/clusters/{live_room.a_slug}/api/v1/namespaces/default/pods/{live_room.pod}"
    path = _fill(SOCKET_PATHS[route], live_room, "") if not exec_socket else \
        f"{pod}/exec?command=hostname&stdout=true" if route.endswith("exec$") else \
        f"{pod}/portforward?ports=8080" if route.endswith("portforward$") else \
        f"/k8s/clusters/{live_room.a_slug}/api/v1/nope"
    protocol = "v4.channel.k8s.io" if route.endswith("portforward$") else "v5.channel.k8s.io"
    got = {}
    for role in ROLES:
        headers = _socket_headers(live_room, role, exec_socket)

        async def attempt(headers=headers):
            socket = WebsocketCommunicator(asgi.application, path, headers=headers,
                                           subprotocols=[protocol])
            connected, code = await socket.connect(timeout=10)
            if connected:  # a refusal is accepted only to carry its close code
                message = await socket.receive_output(timeout=10) if not \
                    await socket.receive_nothing(timeout=0.5) else {}
                code = message.get("code") if message.get("type") == "websocket.close" else None
            await socket.disconnect()
            return code if code is not None else connected
        got[role] = async_to_sync(attempt)()
    assert got == SOCKETS[route]

