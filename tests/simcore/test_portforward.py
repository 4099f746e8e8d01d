"""`kubectl port-forward`'s far end: HTTP requests cut from a byte stream, answered by the pod."""

from __future__ import annotations

import pytest

from simcore import Simulation
from simcore.exec.netapi import HttpResponse
from simcore.portforward import BAD_REQUEST, parse_request, wire_bytes
from tests.conftest import LECTURE


@pytest.mark.parametrize("data, expected", [
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", ("GET", "/", "x", "", 27), id="get"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /b", ("GET", "/", "x", "", 27),
                 id="the-next-request-stays"),
    pytest.param(b"POST /p HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi", ("POST", "/p", "", "hi", 41),
                 id="body"),
    pytest.param(b"POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhi", None, id="body-incomplete"),
    pytest.param(b"GET / HTTP/1.1\r\nHost", None, id="head-incomplete"),
    pytest.param(b"\x16\x03\x01\x02", False, id="tls-hello-is-not-http"),
    pytest.param(b"hello\r\n\r\n", False, id="no-request-line"),
    pytest.param(b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", False, id="bad-length"),
])
def test_parse_request(data, expected):
    parsed = parse_request(data)
    if isinstance(expected, tuple):
        request, used = parsed
        assert (request.method, request.target, request.host, request.body, used) == expected
    else:
        assert parsed is expected


def test_chunked_bodies_are_framed_on_the_wire():
    answer = HttpResponse(200, "OK", (("Transfer-Encoding", "chunked"),), "hi\n")
    assert wire_bytes(answer) == (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  b"3\r\nhi\n\r\n0\r\n\r\n")


@pytest.fixture(scope="module")
def web() -> tuple[Simulation, str]:
    sim = Simulation.from_preset("lecture", seed=1)
    sim.apply((LECTURE / "rs-node-web.yaml").read_text(), create=True)
    sim.advance(30)
    return sim, sim.list("pods")[0]["metadata"]["name"]


def test_the_pods_server_answers(web):
    sim, pod = web
    request = b"GET / HTTP/1.1\r\nHost: localhost:8080\r\nConnection: close\r\n\r\n"
    got = sim.port_forward(pod, "default", 8080, request + b"GET /next")
    assert got.reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert got.reply.endswith(f"You've hit {pod}\n\r\n0\r\n\r\n".encode())
    assert (got.close, got.error, got.consumed) == (True, "", len(request))


def test_keep_alive_keeps_the_connection(web):
    sim, pod = web
    got = sim.port_forward(pod, "default", 8080, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (got.close, got.error) == (False, "")


def test_a_port_nothing_listens_on_is_the_kubelets_error(web):
    sim, pod = web
    got = sim.port_forward(pod, "default", 9999, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert got.reply == b"" and got.close
    assert got.error.startswith("error forwarding port 9999 to pod ")
    assert got.error.endswith(" E connect(5, AF=2 127.0.0.1:9999, 16): Connection refused\n")


def test_what_is_not_http_gets_a_400(web):
    sim, pod = web
    got = sim.port_forward(pod, "default", 8080, b"\x16\x03\x01")
    assert (got.reply, got.close) == (BAD_REQUEST, True)
