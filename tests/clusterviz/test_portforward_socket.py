"""`pods/portforward` over a websocket: kubectl's SPDY tunnel and the kubelet's channels."""

from __future__ import annotations

import struct
import zlib

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient

from clusterviz.classroom import tokens
from clusterviz.clusters import engines, runtime
from clusterviz.k8sapi import spdy
from clusterviz.k8sapi.sockets import websocket_urlpatterns
from tests.conftest import LECTURE

pytestmark = pytest.mark.django_db(transaction=True)
APP = URLRouter(websocket_urlpatterns)
BASE = "/k8s/clusters/pf/api/v1/namespaces/default/pods"
GET = b"GET / HTTP/1.1\r\nHost: localhost:8080\r\nConnection: close\r\n\r\n"


AUTH: list[tuple[bytes, bytes]] = []  # the teacher's bearer token, as kubectl sends it


@pytest.fixture(autouse=True)
def _fresh_engines():
    teacher = get_user_model().objects.create_user("teacher", is_staff=True)
    AUTH[:] = [(b"authorization", f"Bearer {tokens.issue(teacher, 'forward')}".encode())]
    engines.forget()
    yield
    engines.forget()


@pytest.fixture
def pod() -> str:
    """A running node-web pod on a paused cluster named `pf`."""
    runtime.create_cluster("pf", speed=0)

    def start(sim):
        sim.apply((LECTURE / "rs-node-web.yaml").read_text(), create=True)
        sim.advance(30)
        return sim.list("pods")[0]["metadata"]["name"]
    return runtime.run("pf", start)


class Client:
    """kubectl's side of the SPDY session: SYN_STREAMs out, frames in."""

    def __init__(self) -> None:
        self.deflate = zlib.compressobj(zdict=spdy.DICTIONARY)
        self.reader = spdy.Reader()

    def syn_stream(self, stream: int, headers: dict[str, str]) -> bytes:
        raw = struct.pack(">I", len(headers)) + b"".join(
            struct.pack(">I", len(k)) + k.encode() + struct.pack(">I", len(v)) + v.encode()
            for k, v in headers.items())
        block = self.deflate.compress(raw) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
        body = struct.pack(">IIBB", stream, 0, 0, 0) + block
        return struct.pack(">HHI", 0x8003, spdy.SYN_STREAM, len(body)) + body


async def _tunnel(path: str, port: str, request: bytes) -> tuple[str | None, list]:
    """One forwarded connection through the tunnel: (protocol, frames from the server)."""
    socket = WebsocketCommunicator(APP, path, headers=AUTH,
                                   subprotocols=["SPDY/3.1+portforward.k8s.io"])
    connected, protocol = await socket.connect()
    client, frames = Client(), []
    headers = {"streamtype": "error", "port": port, "requestid": "0"}
    await socket.send_to(bytes_data=client.syn_stream(1, headers))
    await socket.send_to(bytes_data=spdy.Writer().data(1, b"", fin=True))
    await socket.send_to(bytes_data=client.syn_stream(3, {**headers, "streamtype": "data"}))
    await socket.send_to(bytes_data=spdy.Writer().data(3, request[:10]))  # split on purpose
    await socket.send_to(bytes_data=spdy.Writer().data(3, request[10:]) +
                         spdy.Writer().ping(7))
    while not any(f.kind == 0 and f.stream == 1 and f.fin for f in frames):
        message = await socket.receive_output(timeout=5)
        frames.extend(client.reader.feed(message["bytes"]))
    await socket.disconnect()
    return protocol if connected else None, frames


def test_kubectls_tunnel_forwards_a_request(pod):
    protocol, frames = async_to_sync(_tunnel)(f"{BASE}/{pod}/portforward", "8080", GET)
    assert protocol == "SPDY/3.1+portforward.k8s.io"
    assert [(f.kind, f.stream) for f in frames[:2]] == [(spdy.SYN_REPLY, 1),
                                                        (spdy.SYN_REPLY, 3)]
    assert any(f.kind == spdy.PING and f.value == 7 for f in frames)
    data = b"".join(f.data for f in frames if f.kind == 0 and f.stream == 3)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert f"You've hit {pod}\n".encode() in data
    assert [f.fin for f in frames if f.kind == 0 and f.stream == 3][-1] is True
    assert b"".join(f.data for f in frames if f.kind == 0 and f.stream == 1) == b""


def test_the_tunnel_carries_the_kubelets_error(pod):
    _, frames = async_to_sync(_tunnel)(f"{BASE}/{pod}/portforward", "9999", GET)
    error = b"".join(f.data for f in frames if f.kind == 0 and f.stream == 1).decode()
    assert error.startswith("error forwarding port 9999 to pod ")
    assert error.endswith("E connect(5, AF=2 127.0.0.1:9999, 16): Connection refused\n")


async def _channels(path: str, request: bytes) -> list[bytes]:
    socket = WebsocketCommunicator(APP, path, headers=AUTH, subprotocols=["v5.channel.k8s.io",
                                                            "v4.channel.k8s.io"])
    connected, protocol = await socket.connect()
    assert (connected, protocol) == (True, "v4.channel.k8s.io")
    frames = [(await socket.receive_output(timeout=5))["bytes"] for _ in range(2)]
    await socket.send_to(bytes_data=b"\x00" + request)
    while (message := await socket.receive_output(timeout=5))["type"] != "websocket.close":
        frames.append(message["bytes"])
    await socket.disconnect()
    return frames


def test_the_kubelets_channel_protocol(pod):
    frames = async_to_sync(_channels)(f"{BASE}/{pod}/portforward?ports=8080", GET)
    assert frames[:2] == [b"\x00\x90\x1f", b"\x01\x90\x1f"]  # 8080, little-endian
    data = b"".join(f[1:] for f in frames[2:] if f[0] == 0)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and f"You've hit {pod}".encode() in data


async def _refusal(path: str, protocols: list[str]) -> tuple:
    async def with_denials(scope, receive, send):
        return await APP({**scope, "extensions": {"websocket.http.response": {}}}, receive,
                         send)
    socket = WebsocketCommunicator(with_denials, path, headers=AUTH, subprotocols=protocols)
    await socket.send_input({"type": "websocket.connect"})
    start = await socket.receive_output(timeout=5)
    if start["type"] != "websocket.http.response.start":
        await socket.disconnect()
        return (start["type"],)
    body = await socket.receive_output(timeout=5)
    await socket.disconnect()
    return start["status"], body["body"]


@pytest.mark.parametrize("path, protocols, expected", [
    pytest.param(f"{BASE}/nope/portforward", ["SPDY/3.1+portforward.k8s.io"],
                 (404, b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
                       b'"message":"pods \\"nope\\" not found","reason":"NotFound",'
                       b'"details":{"name":"nope","kind":"pods"},"code":404}'),
                 id="no-such-pod"),
    pytest.param("{pod}/portforward", ["v4.channel.k8s.io"],
                 (400, b'query parameter "port" is required\n'), id="no-port"),
    pytest.param("{pod}/portforward?ports=80,x", ["v4.channel.k8s.io"],
                 (400, b'unable to parse "80,x" as a port: strconv.ParseUint: parsing "x": '
                       b'invalid syntax\n'), id="bad-port"),
    pytest.param("{pod}/portforward?ports=0", ["v4.channel.k8s.io"],
                 (400, b'port "0" must be > 0\n'), id="port-zero"),
    pytest.param("{pod}/attach", ["v5.channel.k8s.io"],
                 (404, b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
                       b'"message":"the server could not find the requested resource",'
                       b'"reason":"NotFound","code":404}'), id="a-path-that-does-not-upgrade"),
    pytest.param("{pod}/portforward?ports=80", ["v9.channel.k8s.io"], ("websocket.close",),
                 id="no-common-protocol"),
])
def test_refusals(pod, path, protocols, expected):
    if path.startswith("{pod}"):
        path = f"{BASE}/" + path.format(pod=pod)
    assert async_to_sync(_refusal)(path, protocols) == expected


def test_spdy_gets_the_checks_then_a_clean_refusal(pod):
    client = HttpClient(headers={"Authorization": AUTH[0][1].decode()})
    missing = client.post(f"{BASE}/nope/portforward", HTTP_UPGRADE="SPDY/3.1",
                          HTTP_CONNECTION="Upgrade")
    assert (missing.status_code, missing.json()["message"]) == (404, 'pods "nope" not found')
    refused = client.post(f"{BASE}/{pod}/portforward", HTTP_UPGRADE="SPDY/3.1",
                          HTTP_CONNECTION="Upgrade")
    assert (refused.status_code, refused.json()["message"]) == (
        400, "port-forward is only available over WebSocket (SPDY/3.1+portforward.k8s.io); "
             "use kubectl >= 1.30")
