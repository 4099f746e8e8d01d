"""Slow clients against the live server: request headers have a deadline, watches do not.

The server is `python -m clusterviz.serve`, as `make run` starts it, with its
default header deadline (`serve.HEADER_TIMEOUT`). A client that sends half a
request line and stops, or trickles its headers a byte a second, is closed
by the server; pytest-timeout is the guard (Twisted's own idle timeout, 60 s,
would close the first only after the guard, and the second never). A watch
and the graph websocket, opened before those clients and fed after they were
closed, still stream: the deadline ends with the headers.
"""

from __future__ import annotations

import json
import select
import socket
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import websocket  # websocket-client, installed with the kubernetes client

from bench import bombs
from clusterviz.serve import HEADER_TIMEOUT
from tests.kubectl.kubectl_fixtures import server, teacher_web  # noqa: F401

GUARD = HEADER_TIMEOUT + 15  # well under Twisted's 60 s idle timeout
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "late"},
       "spec": {"containers": [{"name": "web", "image": "nginx"}]}}


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=GUARD)


def _closed_by_server(sock: socket.socket) -> bool:
    """Wait until the server hangs up: an EOF or a reset, never data."""
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True


def _half_a_request_line(url: str) -> bool:
    with _connect(url) as sock:
        sock.sendall(b"GET /k8s/clusters/lec")
        return _closed_by_server(sock)


def _headers_a_byte_a_second(url: str) -> bool:
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 10_000
    with _connect(url) as sock:
        for byte in request:
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                return True  # closed while we were still sending
            readable, _, _ = select.select([sock], [], [], 1.0)
            if readable:
                return _closed_by_server(sock)
    return False  # the server read 10,000 header bytes at a byte a second


def _open_watch(url: str, slug: str, token: str) -> socket.socket:
    sock = _connect(url)
    path = f"/k8s/clusters/{slug}/api/v1/namespaces/default/pods?watch=1"
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 f"Authorization: Bearer {token}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 200")
    return sock


# pytest-timeout guards the whole test, setup included (a loaded machine takes a while to
# start the server and run manage.py); each slow client has GUARD from its first byte
@pytest.mark.timeout(4 * GUARD + 60)
def test_slow_headers_are_closed_while_a_watch_and_the_graph_socket_stream(server):  # noqa: F811
    slug = "slow-watchers"
    server.manage("ensure_cluster", slug)
    # the teacher's: a kubeconfig's token for the API, the signed-in session for the graph
    token = bombs.token_of(server.manage("kubeconfig", slug))
    session = next(c.value for c in teacher_web(server.url).jar if c.name == "sessionid")
    watch = _open_watch(server.url, slug, token)
    graph = websocket.create_connection(
        f"ws://127.0.0.1:{urlsplit(server.url).port}/ws/clusters/{slug}/graph?namespace=default",
        origin=server.url, cookie=f"sessionid={session}", timeout=GUARD)
    assert json.loads(graph.recv())["type"] == "snapshot"
    with ThreadPoolExecutor(2) as pool:  # opened after both: closed after they are older
        slow = [pool.submit(_half_a_request_line, server.url),
                pool.submit(_headers_a_byte_a_second, server.url)]
        assert [s.result(timeout=GUARD) for s in slow] == [True, True]
    created = urllib.request.Request(
        f"{server.url}/k8s/clusters/{slug}/api/v1/namespaces/default/pods",
        data=json.dumps(POD).encode(), headers={"Content-Type": "application/json",
                                                 "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(created, timeout=30) as answer:
        assert answer.status == 201
    streamed = b""
    while b'"name":"late"' not in streamed.replace(b" ", b""):
        chunk = watch.recv(65536)
        assert chunk, "the server closed the watch"
        streamed += chunk
    assert b'"type":"ADDED"' in streamed.replace(b" ", b"")
    while True:  # the graph socket carries the new pod too
        message = json.loads(graph.recv())
        if "pod/default/late" in json.dumps(message):
            break
    watch.close()
    graph.close()
