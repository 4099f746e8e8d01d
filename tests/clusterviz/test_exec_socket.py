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
from clusterviz.k8sapi import execstream
from clusterviz.k8sapi.sockets import websocket_urlpatterns
from clusterviz.traces.models import RequestTrace
from simcore.exec.context import ExecResult
from tests.conftest import LECTURE

pytestmark = pytest.mark.django_db(transaction=True)
APP = URLRouter(websocket_urlpatterns)
AUTH: list[tuple[bytes, bytes]] = []  # the teacher's bearer token, as kubectl sends it
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
