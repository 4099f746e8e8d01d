"""`kubectl port-forward`: the kubelet's end, bytes in and bytes out of a pod's port.

For each connection the student's browser opens to the forwarded local
port, kubectl opens a stream to the kubelet, which connects inside the
pod's network namespace to the port (dockershim runs `socat` there) and
copies bytes both ways. Here the bytes are HTTP, the only protocol the
simulated servers speak: `exchange` takes what the client has sent so far,
cuts one request off the front, has the pod's own server answer it through
the simulated data plane (the same path a curl from inside the pod takes,
so the app's log line and its answer are the real ones), and returns the
answer as the bytes on the wire. The caller keeps the connection, calling
again for the next request, until either side closes it: the server after
a `Connection: close` (urllib sends one), the client when it is done.

The connection goes to the pod's IP from the pod itself (the kubelet's
`localhost:port` inside the namespace; a process listening on the pod IP
answers both ways in this simulation). A port nothing listens on gives the
kubelet's error text, which kubectl prints as `an error occurred
forwarding 8080 -> 8080: error forwarding port ...`. Input that is not HTTP
gets the `400 Bad Request` Node's and nginx's parsers answer before they
close the connection.

Trade-off: one request at a time and whole messages only (a request whose
body has not all arrived waits for more bytes), which is how HTTP/1.1
clients without pipelining talk.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Literal

from simcore.exec.netapi import ConnectFailure, HttpFailure, HttpRequest, HttpResponse
from simcore.net.fabric import Fabric, Source, SourceNetwork
from simcore.node import records

if TYPE_CHECKING:  # the caller's engine: no import at run time
    from simcore.engine import Engine

MAX_HEAD = 64 * 1024  # bytes of request line and headers a server reads before giving up
BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"
_REQUEST_LINE = re.compile(rb"^([A-Z]+) (\S+) HTTP/(1\.[01])$")


@dataclass(frozen=True)
class Exchange:
    reply: bytes = b""
    consumed: int = 0  # bytes of the input the server read (0: it waits for more)
    close: bool = False  # the server closes the connection after `reply`
    error: str = ""  # the kubelet's words when it could not reach the port
    elapsed: float = 0.0  # virtual seconds the server took
    hangs: bool = False  # the server never answers


def parse_request(data: bytes) -> tuple[HttpRequest, int] | None | Literal[False]:
    """(request, bytes it took) from the front of `data`; None when more bytes are needed;
    False when it is not HTTP/1.x."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        if len(data) > MAX_HEAD or (data and not data[:1].isalpha()):
            return False
        return None
    lines = data[:head_end].split(b"\r\n")
    match = _REQUEST_LINE.match(lines[0])
    if match is None:
        return False
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name.strip():
            return False
        headers.append((name.decode("latin-1").strip(), value.decode("latin-1").strip()))
    length = _content_length(headers)
    if length is None:
        return False
    end = head_end + 4 + length
    if len(data) < end:
        return None
    host = next((v for k, v in headers if k.lower() == "host"), "")
    body = data[head_end + 4:end].decode("utf-8", "surrogateescape")
    method, target, version = (g.decode("latin-1") for g in match.groups())
    return HttpRequest(method, target, host, tuple(headers), body, version), end


def _content_length(headers: list[tuple[str, str]]) -> int | None:
    value = next((v for k, v in headers if k.lower() == "content-length"), "0")
    return int(value) if value.isdigit() else None


def exchange(engine: Engine, pod_name: str, namespace: str, port: int, data: bytes) -> Exchange:
    """One request of `data` answered by the pod's server on `port`."""
    parsed = parse_request(data)
    if parsed is None:
        return Exchange()
    if parsed is False:
        return Exchange(BAD_REQUEST, len(data), close=True)
    request, consumed = parsed
    net, target_ip = _pod_network(engine, pod_name, namespace)
    if net is None:
        return Exchange(consumed=consumed, close=True, error=f"pod {pod_name} not found")
    conn = net.connect(target_ip, port, None)
    if isinstance(conn, ConnectFailure):
        return Exchange(consumed=consumed, close=True,
                        error=_refused(engine, pod_name, namespace, port))
    answer = net.http(conn, request, None)
    if isinstance(answer, HttpFailure):
        if answer.kind == "timeout":
            return Exchange(consumed=consumed, hangs=True)
        return Exchange(consumed=consumed, close=True, elapsed=answer.elapsed)
    closing = _closes(request, answer)
    return Exchange(wire_bytes(answer), consumed, closing, elapsed=answer.elapsed)


def _pod_network(engine: Engine, pod_name: str, namespace: str
                 ) -> tuple[SourceNetwork | None, str]:
    pod = engine.api.try_get_ref("pods", pod_name, namespace)
    record = None if pod is None else records.pod_record(engine.runtime, pod)
    if record is None or not record.get("ip"):
        return None, ""
    source = Source("pod", record["ip"], record.get("node"), namespace, pod_name)
    return SourceNetwork(Fabric.of(engine), source), record["ip"]


def _closes(request: HttpRequest, answer: HttpResponse) -> bool:
    said = [v.lower() for k, v in request.headers if k.lower() == "connection"]
    said.append((answer.header("Connection") or "").lower())
    if request.version == "1.0" and "keep-alive" not in said:
        return True
    return "close" in said


def wire_bytes(answer: HttpResponse) -> bytes:
    """The response as the server writes it: status line, headers, the (chunked) body."""
    head = f"HTTP/{answer.version} {answer.status} {answer.reason}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in answer.headers) + "\r\n"
    body = answer.body.encode("utf-8", "surrogateescape")
    if (answer.header("Transfer-Encoding") or "").lower() == "chunked":
        body = (f"{len(body):x}\r\n".encode() + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
    return head.encode("latin-1", "replace") + body


def _refused(engine: Engine, pod_name: str, namespace: str, port: int) -> str:
    """The kubelet's error when nothing listens on the port (dockershim's socat)."""
    pod = engine.api.try_get_ref("pods", pod_name, namespace) or {}
    uid = pod.get("metadata", {}).get("uid", pod_name)
    sandbox = hashlib.sha256(f"sandbox/{uid}".encode()).hexdigest()
    now = engine.clock.now.astimezone(UTC).strftime("%Y/%m/%d %H:%M:%S")
    pid = 1000 + int(sandbox[:4], 16) % 30000
    return (f"error forwarding port {port} to pod {sandbox}, uid : exit status 1: {now} "
            f"socat[{pid}] E connect(5, AF=2 127.0.0.1:{port}, 16): Connection refused\n")
