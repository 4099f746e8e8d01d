"""`pods/exec` over a websocket: subprotocols, channel framing, the status, close timing."""

from __future__ import annotations

import base64
import functools
import json
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from clusterviz.classroom import tokens
from clusterviz.clusters import engines, runtime
from clusterviz.clusters.models import Cluster
from clusterviz.dashboard.routing import websocket_urlpatterns as page_socket_patterns
from clusterviz.k8sapi import execstream
from clusterviz.k8sapi.sockets import websocket_urlpatterns
from clusterviz.traces.models import RequestTrace
from simcore.exec.context import ExecResult
from tests.conftest import LECTURE

pytestmark = pytest.mark.django_db(transaction=True)
APP = URLRouter(websocket_urlpatterns)
AUTH: list[tuple[bytes, bytes]] = []  # the teacher's bearer token, as kubectl sends it


def _as_teacher(inner):
    """What AuthMiddlewareStack hands the page's sockets: the session's user, a teacher."""
    async def app(scope, receive, send):
        user = await sync_to_async(get_user_model().objects.get)(username="teacher")
        return await inner({**scope, "user": user}, receive, send)
    return app


PAGE_SOCKETS = _as_teacher(URLRouter(page_socket_patterns))  # the page's shell
SUCCESS = b'\x03{"metadata":{},"status":"Success"}'


def run_async(test):
    """Run an async test body on an event loop (the suite has no asyncio plugin)."""
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return async_to_sync(test)(*args, **kwargs)
    return wrapper


@pytest.fixture(autouse=True)
def _fresh_engines():
    teacher = get_user_model().objects.create_user("teacher", is_staff=True)
    AUTH[:] = [(b"authorization", f"Bearer {tokens.issue(teacher, 'exec')}".encode())]
    engines.forget()
    yield
    engines.forget()


@pytest.fixture
def pods() -> list[dict]:
    """The lecture's node-web pods, running, on a paused cluster named `exec`."""
    runtime.create_cluster("exec", speed=0)
    text = (LECTURE / "rs-node-web-readiness.yaml").read_text()

    def start(sim):
        sim.apply(text, create=True)
        sim.advance(30)
        return sim.list("pods")
    return runtime.run("exec", start)


def _path(pod: str, *command: str, **flags: str) -> str:
    query = "&".join([f"command={c}" for c in command] + [f"{k}={v}" for k, v in flags.items()])
    return f"/k8s/clusters/exec/api/v1/namespaces/default/pods/{pod}/exec?{query}"


async def _session(path: str, protocols: list[str], stdin: bytes | None = None):
    """Connect, optionally type on stdin, and collect every frame until the server closes."""
    socket = WebsocketCommunicator(APP, path, subprotocols=protocols, headers=AUTH)
    connected, chosen = await socket.connect()
    frames = []
    if connected:
        if stdin is not None:
            await socket.send_to(bytes_data=b"\x00" + stdin)
        while True:
            message = await socket.receive_output(timeout=5)
            if message["type"] == "websocket.close":
                frames.append(("close", message.get("code")))
                break
            frames.append(message.get("bytes") if message.get("bytes") is not None
                          else message.get("text"))
    await socket.disconnect()
    return connected, chosen, frames


@run_async
async def test_v5_stdout_then_success_then_close(pods):
    name = pods[0]["metadata"]["name"]
    connected, chosen, frames = await _session(
        _path(name, "cat", "/etc/resolv.conf", stdout="true", stderr="true"),
        ["v5.channel.k8s.io"])
    assert (connected, chosen) == (True, "v5.channel.k8s.io")
    assert frames == [b"\x01",
                      b"\x01nameserver 10.96.0.10\nsearch default.svc.cluster.local "
                      b"svc.cluster.local cluster.local skbroadband\noptions ndots:5\n",
                      SUCCESS, ("close", 1000)]


@run_async
async def test_output_arrives_when_the_command_writes_it(pods):
    """`sleep 1` between two echos: two frames, the second and the status a second later
    (a lower bound: the simulated command takes its time, as the real one does)."""
    name = pods[0]["metadata"]["name"]
    socket = WebsocketCommunicator(APP, _path(name, "sh", "-c", "echo%20a%3B%20sleep%201%3B%20echo%20b",
                                              stdout="true", stderr="true"),
                                   subprotocols=["v5.channel.k8s.io"], headers=AUTH)
    await socket.connect()
    arrivals = []
    while (message := await socket.receive_output(timeout=5))["type"] != "websocket.close":
        arrivals.append((message["bytes"], time.monotonic()))
    await socket.disconnect()
    assert [data for data, _ in arrivals] == [b"\x01", b"\x01a\n", b"\x01b\n", SUCCESS]
    assert arrivals[2][1] - arrivals[1][1] >= 0.95
    assert arrivals[3][1] - arrivals[1][1] >= 0.95


@run_async
async def test_exit_code_travels_as_non_zero_exit_code(pods):
    name = pods[0]["metadata"]["name"]
    _, _, frames = await _session(
        _path(name, "sh", "-c", "echo%20out%3B%20echo%20err%20%3E%262%3B%20exit%203",
              stdout="true", stderr="true"),
        ["v5.channel.k8s.io", "v4.channel.k8s.io"])
    assert frames[:3] == [b"\x01", b"\x01out\n", b"\x02err\n"]
    assert json.loads(frames[3][1:]) == {
        "metadata": {}, "status": "Failure",
        "message": "command terminated with non-zero exit code: error executing command "
                   "[sh -c echo out; echo err >&2; exit 3], exit code 3",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": "3"}]}}
    assert frames[4] == ("close", 1000)


@run_async
async def test_the_close_waits_a_tenth_of_a_second_after_the_status(pods):
    name = pods[0]["metadata"]["name"]
    socket = WebsocketCommunicator(APP, _path(name, "hostname", stdout="true"),
                                   subprotocols=["v5.channel.k8s.io"], headers=AUTH)
    await socket.connect()
    while (await socket.receive_from(timeout=5)) != SUCCESS:
        pass
    status_at = time.monotonic()
    assert (await socket.receive_output(timeout=5))["type"] == "websocket.close"
    assert time.monotonic() - status_at >= 0.09
    await socket.disconnect()


@run_async
async def test_tty_puts_both_streams_on_stdout(pods):
    name = pods[0]["metadata"]["name"]
    _, _, frames = await _session(
        _path(name, "sh", "-c", "echo%20err%20%3E%262", stdin="true", stdout="true",
              tty="true"), ["v5.channel.k8s.io"])
    assert {f[0] for f in frames[:-2]} == {1}
    assert b"".join(f[1:] for f in frames[:-2]).replace(b"\r", b"") == b"err\n"
    assert frames[-2:] == [SUCCESS, ("close", 1000)]


@run_async
async def test_a_hanging_command_ends_with_ctrl_c_under_a_tty(pods):
    name = pods[0]["metadata"]["name"]
    _, _, frames = await _session(
        _path(name, "sleep", "infinity", stdin="true", stdout="true", tty="true"),
        ["v5.channel.k8s.io"], stdin=b"\x03")
    assert frames[-3] == b"\x01^C"
    assert json.loads(frames[-2][1:])["details"] == {"causes": [{"reason": "ExitCode",
                                                                 "message": "130"}]}


@pytest.mark.parametrize("protocol, expected", [
    pytest.param("channel.k8s.io", [b"\x01", b"\x01OCI", b"\x03command terminated"], id="v1"),
    pytest.param("base64.channel.k8s.io", ["1", "1" + base64.b64encode(b"OCI").decode()[:4],
                                           "3" + base64.b64encode(b"command term").decode()],
                 id="v1-base64"),
    pytest.param("v4.base64.channel.k8s.io", ["1", "1" + base64.b64encode(b"OCI").decode()[:4],
                                              "3" + base64.b64encode(b'{"metadata"').decode()
                                              [:12]], id="v4-base64"),
])
def test_older_protocols_frame_the_same_exec(pods, protocol, expected):
    name = pods[0]["metadata"]["name"]
    _, chosen, frames = async_to_sync(_session)(_path(name, "nocommand", stdout="true"),
                                               [protocol])
    assert chosen == protocol
    assert [f[:len(e)] for f, e in zip(frames, expected, strict=False)] == expected
    assert frames[-1] == ("close", 1000)


def test_v1_says_nothing_on_success(pods):
    name = pods[0]["metadata"]["name"]
    _, _, frames = async_to_sync(_session)(_path(name, "true", stdout="true"),
                                           ["channel.k8s.io"])
    assert frames == [b"\x01", ("close", 1000)]


@pytest.mark.parametrize("path, protocols", [
    pytest.param("/k8s/clusters/exec/api/v1/namespaces/default/pods/nope/exec?command=env"
                 "&stdout=true", ["v5.channel.k8s.io"], id="no-such-pod"),
    pytest.param("/k8s/clusters/gone/api/v1/namespaces/default/pods/nope/exec?command=env"
                 "&stdout=true", ["v5.channel.k8s.io"], id="no-such-cluster"),
    pytest.param(None, ["v9.channel.k8s.io"], id="unknown-protocol"),
    pytest.param(None, ["v5.channel.k8s.io", "container=nope"], id="bad-container"),
])
def test_refusals_reject_the_handshake(pods, path, protocols):
    name = pods[0]["metadata"]["name"]
    if path is None:
        extra = {"container": "nope"} if "container=nope" in protocols else {}
        path = _path(name, "env", stdout="true", **extra)
        protocols = [p for p in protocols if "=" not in p]
    connected, _, frames = async_to_sync(_session)(path, protocols)
    assert (connected, frames) == (False, [])


def test_spdy_gets_the_checks_then_a_clean_refusal(pods):
    client = Client(headers={"Authorization": AUTH[0][1].decode()})
    name = pods[0]["metadata"]["name"]
    base = "/k8s/clusters/exec/api/v1/namespaces/default/pods"
    missing = client.post(f"{base}/nope/exec?command=env&stdout=true",
                          HTTP_UPGRADE="SPDY/3.1", HTTP_CONNECTION="Upgrade")
    assert (missing.status_code, missing.json()["message"]) == (404, 'pods "nope" not found')
    refused = client.post(f"{base}/{name}/exec?command=env&stdout=true",
                          HTTP_UPGRADE="SPDY/3.1", HTTP_CONNECTION="Upgrade")
    assert refused.status_code == 400
    assert refused.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                              "status": "Failure", "message": execstream.SPDY_REFUSAL,
                              "reason": "BadRequest", "code": 400}


@run_async
async def test_files_the_command_changes_are_saved_and_traced(pods):
    name = pods[0]["metadata"]["name"]
    before = await sync_to_async(lambda: Cluster.objects.get(slug="exec").version)()
    _, _, frames = await _session(_path(name, "touch", "/var/ready", stdout="true"),
                                  ["v5.channel.k8s.io"])
    assert frames[-2:] == [SUCCESS, ("close", 1000)]

    def stored():
        cluster = Cluster.objects.get(slug="exec")
        record = engines.full_state(cluster)["runtime"]["kubelet"]["pods"][f"default/{name}"]
        trace = RequestTrace.objects.get(cluster=cluster)
        return (cluster.version > before, "/var/ready" in record["containers"]["node-web"]
                ["files"], trace.command, trace.exit_code, trace.source)
    assert await sync_to_async(stored)() == (
        True, True, "touch /var/ready", 0, f"kubectl exec default/{name} -c node-web")


def test_traces_are_bounded_per_cluster(pods, settings):
    settings.TRACE_LIMIT = 2
    name = pods[0]["metadata"]["name"]
    for word in ("one", "two", "three"):
        async_to_sync(_session)(_path(name, "echo", word, stdout="true"), ["v5.channel.k8s.io"])
    assert list(RequestTrace.objects.values_list("command", flat=True)) == ["echo three",
                                                                          "echo two"]


@pytest.mark.parametrize("result, status", [
    pytest.param(ExecResult(exit_code=1, runtime_error="Internal error occurred: error "
                            "executing command in container: boom"),
                 {"metadata": {}, "status": "Failure",
                  "message": "Internal error occurred: error executing command in container: "
                             "boom", "reason": "InternalError",
                  "details": {"causes": [{"message": "error executing command in container: "
                                                     "boom"}]}, "code": 500},
                 id="containerd-refusal"),
    pytest.param(ExecResult(stderr='error: unable to upgrade connection: container not found '
                                   '("node-web")\n', exit_code=1,
                            trace=[{"step": "reject", "detail": "x"}]),
                 {"metadata": {}, "status": "Failure",
                  "message": 'unable to upgrade connection: container not found ("node-web")'},
                 id="container-not-running"),
    pytest.param(ExecResult(stderr="error: it printed this\n", exit_code=1,
                            trace=[{"step": "a"}, {"step": "b"}]),
                 execstream.exit_failure(("x",), 1), id="a-program-writing-error"),
])
def test_outcome_of_refusals(result, status):
    assert execstream._outcome(result, execstream.ExecOptions(("x",), stdout=True,
                                                             stderr=True)).status == status


# refusals as a real server words them --------------------------------------------------
def _with_denials(app):
    """The app behind a server that offers ASGI's denial response (daphne with denial.py)."""
    async def wrapped(scope, receive, send):
        return await app({**scope, "extensions": {"websocket.http.response": {}}}, receive,
                         send)
    return wrapped


async def _handshake(path: str, protocols: list[str]) -> tuple:
    """(status, content type, body) of a refused handshake, or ("accepted", protocol)."""
    socket = WebsocketCommunicator(_with_denials(APP), path, subprotocols=protocols,
                                   headers=AUTH)
    await socket.send_input({"type": "websocket.connect"})
    first = await socket.receive_output(timeout=5)
    if first["type"] == "websocket.accept":
        await socket.disconnect()
        return ("accepted", first.get("subprotocol"))
    if first["type"] == "websocket.close":
        return ("closed",)
    body = await socket.receive_output(timeout=5)
    await socket.disconnect()
    return (first["status"], dict(first["headers"])[b"content-type"].decode(), body["body"])


def _status_body(code: int, reason: str, message: str, details: dict | None = None) -> bytes:
    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": message, "reason": reason}
    if details is not None:
        status["details"] = details
    return json.dumps({**status, "code": code}, separators=(",", ":")).encode()


@pytest.mark.parametrize("pod, query, protocol, expected", [
    pytest.param("nope", "command=env&stdout=true", "v5.channel.k8s.io",
                 (404, "application/json", _status_body(
                     404, "NotFound", 'pods "nope" not found', {"name": "nope", "kind": "pods"})),
                 id="no-such-pod"),
    pytest.param(None, "command=env&stdout=true&container=nope", "v4.channel.k8s.io",
                 (400, "application/json", None), id="bad-container"),
    pytest.param(None, "command=env", "v4.channel.k8s.io",
                 (400, "text/plain; charset=utf-8",
                  b"you must specify at least 1 of stdin, stdout, stderr"),
                 id="no-streams-v4"),
    pytest.param(None, "command=env", "v5.channel.k8s.io", ("accepted", "v5.channel.k8s.io"),
                 id="no-streams-v5-is-upgraded"),
    pytest.param(None, "command=env&stdout=true", "v9.channel.k8s.io", ("closed",),
                 id="unknown-protocol"),
])
def test_refusals_answer_the_handshake_as_the_api_server(pods, pod, query, protocol, expected):
    name = pod or pods[0]["metadata"]["name"]
    path = f"/k8s/clusters/exec/api/v1/namespaces/default/pods/{name}/exec?{query}"
    got = async_to_sync(_handshake)(path, [protocol])
    if expected[2:] == (None,):
        assert json.loads(got[2])["message"] == f"container nope is not valid for pod {name}"
        got = got[:2] + (None,)
    assert got == expected


def test_no_streams_over_v5_is_the_translators_internal_error(pods):
    name = pods[0]["metadata"]["name"]
    _, chosen, frames = async_to_sync(_session)(_path(name, "env"), ["v5.channel.k8s.io"])
    message = ("unable to upgrade connection: you must specify at least 1 of stdin, stdout, "
               "stderr")
    assert frames[0] == b"\x03"  # the empty frame on the lowest writable channel: error
    assert json.loads(frames[1][1:]) == {
        "metadata": {}, "status": "Failure", "message": f"Internal error occurred: {message}",
        "reason": "InternalError", "details": {"causes": [{"message": message}]}, "code": 500}
    assert frames[2:] == [("close", 1000)]


# stdin --------------------------------------------------------------------------------
async def _with_stdin(path: str, protocol: str, chunks: list[bytes], close: bool) -> list:
    socket = WebsocketCommunicator(APP, path, subprotocols=[protocol], headers=AUTH)
    await socket.connect()
    for chunk in chunks:
        await socket.send_to(bytes_data=b"\x00" + chunk)
    if close:
        await socket.send_to(bytes_data=b"\xff\x00")
    frames = []
    while (message := await socket.receive_output(timeout=5))["type"] != "websocket.close":
        frames.append(message["bytes"])
    await socket.disconnect()
    return frames


@pytest.mark.parametrize("command, protocol, close, output", [
    pytest.param(("cat",), "v5.channel.k8s.io", True, b"hi\nthere\n", id="cat-v5-close"),
    pytest.param(("sh", "-c", "read%20x%3B%20echo%20got%20%24x"), "v5.channel.k8s.io", True,
                 b"got hi\n", id="read-v5"),
    pytest.param(("cat", "-"), "v4.channel.k8s.io", False, b"hi\nthere\n",
                 id="cat-v4-quiet-ends-input"),
    pytest.param(("echo", "now"), "v5.channel.k8s.io", False, b"now\n",
                 id="echo-does-not-wait-for-input"),
])
def test_stdin_reaches_the_command(pods, command, protocol, close, output):
    name = pods[0]["metadata"]["name"]
    frames = async_to_sync(_with_stdin)(
        _path(name, *command, stdin="true", stdout="true", stderr="true"), protocol,
        [b"hi\n", b"there\n"], close)
    assert b"".join(f[1:] for f in frames if f[0] == 1) == output
    assert json.loads(frames[-1][1:])["status"] == "Success"


# an interactive shell ----------------------------------------------------------------------
async def _typing(path: str, keys: list[bytes]) -> tuple[str, dict]:
    """Type `keys` one message at a time (each after the screen settles): (screen, status)."""
    socket = WebsocketCommunicator(APP, path, subprotocols=["v5.channel.k8s.io"], headers=AUTH)
    await socket.connect()
    screen = b""
    status = None
    pending = list(keys)
    while True:
        if pending and await socket.receive_nothing(timeout=0.3):
            await socket.send_to(bytes_data=b"\x00" + pending.pop(0))
            continue
        message = await socket.receive_output(timeout=5)
        if message["type"] == "websocket.close":
            break
        data = message["bytes"]
        if data[0] == 1:
            screen += data[1:]
        elif data[0] == 3:
            status = json.loads(data[1:])
    await socket.disconnect()
    return screen.decode(), status


@pytest.mark.parametrize("shell, keys, screen, code", [
    pytest.param("sh", [b"echo hello\x7f\x7f\x7f\x7f\x7fbye\r", b"exit\r"],
                 "# echo hello\b \b\b \b\b \b\b \b\b \bbye\r\nbye\r\n# exit\r\n", 0,
                 id="dash-echo-backspace-exit"),
    pytest.param("sh", [b"x=5\r", b"echo $x\r", b"nocmd\r", b"exit\r"],
                 "# x=5\r\n# echo $x\r\n5\r\n# nocmd\r\nsh: 3: nocmd: not found\r\n# exit\r\n",
                 127, id="dash-keeps-variables-and-counts-lines"),
    pytest.param("bash", [b"junk\x15echo $((1+2))\r", b"exit 3\r"],
                 "root@{pod}:/# junk\b \b\b \b\b \b\b \becho $((1+2))\r\n3\r\n"
                 "root@{pod}:/# exit 3\r\nexit\r\n", 3, id="bash-ctrl-u-and-exit-code"),
    pytest.param("sh", [b"sleep 3600\r", b"\x03", b"\x04"],
                 "# sleep 3600\r\n^C\r\n# ", 130, id="ctrl-c-then-ctrl-d"),
])
def test_an_interactive_shell(pods, shell, keys, screen, code):
    name = pods[0]["metadata"]["name"]
    got, status = async_to_sync(_typing)(
        _path(name, shell, stdin="true", stdout="true", tty="true"), keys)
    assert got == screen.format(pod=name)
    if code == 0:
        assert status == {"metadata": {}, "status": "Success"}
    else:
        assert status["details"]["causes"] == [{"reason": "ExitCode", "message": str(code)}]


# the page's shell socket (xterm.js) ------------------------------------------------------------
async def _web_shell(path: str, keys: list[str]) -> list[dict]:
    socket = WebsocketCommunicator(PAGE_SOCKETS, path,
                                   headers=[(b"origin", b"http://testserver")])
    connected, _ = await socket.connect()
    assert connected
    await socket.send_to(text_data="not json")  # ignored, as an unknown message is
    messages = []
    pending = list(keys)
    while True:
        if pending and await socket.receive_nothing(timeout=0.3):
            await socket.send_json_to({"type": "input", "data": pending.pop(0)})
            continue
        message = await socket.receive_output(timeout=5)
        if message["type"] == "websocket.close":
            break
        messages.append(json.loads(message["text"]))
    await socket.disconnect()
    return messages


@pytest.mark.parametrize("pod, query, keys, output, end", [
    pytest.param(None, "command=sh", ["echo hi\r", "exit 4\r"], "# echo hi\r\nhi\r\n# exit 4\r\n",
                 {"type": "exit", "code": 4, "message": "command terminated with exit code 4"},
                 id="interactive"),
    pytest.param(None, "command=hostname", [], "{pod}\r\n",
                 {"type": "exit", "code": 0, "message": ""}, id="one-command"),
    pytest.param("nope", "command=sh", [], "",
                 {"type": "error", "message": 'Error from server (NotFound): pods "nope" not '
                                              'found'}, id="no-such-pod"),
])
def test_the_pages_shell_socket(pods, settings, pod, query, keys, output, end):
    settings.ALLOWED_HOSTS = ["testserver"]
    name = pod or pods[0]["metadata"]["name"]
    messages = async_to_sync(_web_shell)(f"/ws/clusters/exec/shell/default/{name}?{query}", keys)
    assert "".join(m["data"] for m in messages if m["type"] == "output") == \
        output.format(pod=name)
    assert messages[-1] == end
