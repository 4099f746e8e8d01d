"""`pods/portforward` over WebSocket: `kubectl port-forward pod/x 8080` and `svc/x`.

Two framings reach the same simulated port (simcore/portforward.py):

- kubectl 1.30+ offers `SPDY/3.1+portforward.k8s.io` (seen on the wire from
  the bundled kubectl; client-go tools/portforward tunneling_dialer.go): an
  SPDY session tunneled in binary messages (spdy.py). Each connection to the
  local port becomes an error stream and a data stream sharing a
  `requestid`; the data stream carries the TCP bytes. Older kubectl, or a
  refused upgrade, falls back to plain SPDY over HTTP, which answers 400 as
  exec does.
- The kubelet's own WebSocket protocol, `v4.channel.k8s.io` (what the Python
  client's `portforward` negotiates): `?ports=8080,9090`, channel 2i carries
  port i's data and 2i+1 its error; each channel first gets the port number
  as two little-endian bytes. One socket is one connection per port.
  `kubectl port-forward svc/x` resolves the Service to a pod and a target
  port itself, so only the pod's subresource exists.

Before the upgrade the API server's checks run, and refusals answer the
handshake as exec's do (a missing pod: 404 and its Status). Each request is
answered in the cluster like an exec (the app's log line is saved) and the
reply is paced at the cluster's speed. A connection ends when the server
closes it (`Connection: close`, a port nothing listens on: the kubelet's
error on the error stream) or the client does.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import HttpRequest, HttpResponse

from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import ClusterNotFound, offload, run
from clusterviz.k8sapi import denial, spdy
from clusterviz.k8sapi.access import check_socket_access
from clusterviz.k8sapi.discovery import find
from clusterviz.k8sapi.routing import Route
from simcore import Simulation, errors
from simcore.portforward import Exchange, parse_request

log = logging.getLogger(__name__)

TUNNEL = "SPDY/3.1+portforward.k8s.io"
CHANNELS = ("v4.channel.k8s.io", "v4.base64.channel.k8s.io")
MAX_PENDING = 1024 * 1024  # bytes a client may send ahead of the server's answers
RST_CANCEL = 5
SPDY_REFUSAL = ("port-forward is only available over WebSocket (SPDY/3.1+portforward.k8s.io); "
                "use kubectl >= 1.30")


def check_pod(slug: str, namespace: str, pod_name: str) -> None:
    """The API server's checks before it proxies to the kubelet (raises their Status)."""
    def operation(sim: Simulation) -> None:
        pod = sim.api.get_ref("pods", pod_name, namespace)
        if not pod["spec"].get("nodeName"):
            raise errors.bad_request(f"pod {pod_name} does not have a host assigned")
    run(slug, operation)


def refuse_spdy(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    """port-forward over plain HTTP (SPDY: kubectl <= 1.29, or its fallback): the API
    server's checks, then a 400 that says what works."""
    try:
        check_pod(slug, route.namespace or "", route.name or "")
    except ClusterNotFound:
        raise errors.APIError(errors.status(
            404, "NotFound", "the server could not find the requested resource")) from None
    raise errors.bad_request(SPDY_REFUSAL)


def answer(slug: str, namespace: str, pod: str, port: int, data: bytes) -> tuple[Exchange, float]:
    """The pod's answer to the first request in `data`, and the cluster's speed."""
    result = run(slug, lambda sim: sim.port_forward(pod, namespace, port, data),
                 force_save=True)
    speed = Cluster.objects.filter(slug=slug).values_list("speed", flat=True).first()
    return result, (speed if speed and speed > 0 else 1.0)


def parse_ports(values: list[str]) -> tuple[list[int], str]:
    """The ports asked for, or the kubelet's words for what is wrong with them."""
    if not values:
        return [], 'query parameter "port" is required'
    ports: list[int] = []
    for value in values:
        if not value:
            return [], 'query parameter "port" cannot be empty'
        for text in value.split(","):
            if not text.isdigit():
                return [], (f'unable to parse "{value}" as a port: strconv.ParseUint: '
                            f'parsing "{text}": invalid syntax')
            if int(text) > 65535:
                return [], (f'unable to parse "{value}" as a port: strconv.ParseUint: '
                            f'parsing "{text}": value out of range')
            if int(text) < 1:
                return [], f'port "{value}" must be > 0'
            ports.append(int(text))
    return ports, ""


@dataclass
class Forwarded:
    """One TCP connection to the pod's port: bytes the client sent, and its state."""

    port: int
    inbox: bytearray = field(default_factory=bytearray)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    client_done: bool = False

    def add(self, data: bytes) -> bool:
        if len(self.inbox) + len(data) > MAX_PENDING:
            return False
        self.inbox += data
        self.arrived.set()
        return True

    def finish(self) -> None:
        self.client_done = True
        self.arrived.set()


async def serve(conn: Forwarded, where: tuple[str, str, str],
                reply: Callable[[bytes], Awaitable[None]],
                fail: Callable[[str], Awaitable[None]]) -> None:
    """Answer requests on `conn` until either side closes it: `reply(bytes)` sends to the
    client, `fail(text)` reports the kubelet's error; returns when the connection ends."""
    while True:
        while parse_request(bytes(conn.inbox)) is None and not conn.client_done:
            conn.arrived.clear()
            await conn.arrived.wait()
        if not conn.inbox:
            return  # the client closed without (more) requests
        if parse_request(bytes(conn.inbox)) is None:
            return  # closed mid-request: the server would drop it too
        exchange, speed = await offload(answer)(*where, conn.port, bytes(conn.inbox))
        del conn.inbox[:exchange.consumed]
        if exchange.error:
            await fail(exchange.error)
            return
        if exchange.hangs:
            while not conn.client_done:
                conn.arrived.clear()
                await conn.arrived.wait()
            return
        if exchange.elapsed > 0:
            await asyncio.sleep(exchange.elapsed / speed)
        if exchange.reply:
            await reply(exchange.reply)
        if exchange.close:
            return


class PortForwardConsumer(AsyncWebsocketConsumer):
    """The handshake, the checks, then the negotiated framing."""

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        self.slug, self.namespace, self.pod = kwargs["slug"], kwargs["namespace"], kwargs["name"]
        self.tasks: list[asyncio.Task] = []
        self.session: TunnelSession | ChannelSession | None = None  # once the checks pass
        offered = list(self.scope.get("subprotocols") or [])
        protocol = next((p for p in offered if p == TUNNEL or p in CHANNELS), None)
        if protocol is None and offered:
            await self.close()  # no protocol in common: the handshake fails (403)
            return
        if await self._refused():
            return
        self.session = (TunnelSession(self) if protocol == TUNNEL else
                        ChannelSession(self, protocol or ""))
        if not await self.session.start(self.scope):
            return
        await self.accept(subprotocol=protocol)
        await self.session.opened()

    async def _refused(self) -> bool:
        route = Route("resource", "", "v1", find("", "v1", "pods"), self.namespace, self.pod,
                      "portforward")
        refusal = await offload(check_socket_access)(self.scope, self.slug, route)
        if refusal is not None:
            await denial.deny_status(self, refusal)
            return True
        try:
            await offload(check_pod)(self.slug, self.namespace, self.pod)
        except ClusterNotFound:
            await denial.deny_status(self, errors.status(
                404, "NotFound", "the server could not find the requested resource"))
            return True
        except errors.APIError as exc:
            await denial.deny_status(self, exc.status)
            return True
        return False

    @property
    def where(self) -> tuple[str, str, str]:
        return self.slug, self.namespace, self.pod

    def spawn(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.append(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("port-forward to %s/%s failed", self.namespace, self.pod,
                      exc_info=task.exception())

    async def receive(self, text_data: str | None = None,
                      bytes_data: bytes | None = None) -> None:
        if self.session is not None:  # nothing is read from a refused socket
            await self.session.received(text_data, bytes_data)

    async def disconnect(self, code: int) -> None:
        for task in self.tasks:
            task.cancel()


class TunnelSession:
    """SPDY/3.1 tunneled in the socket: kubectl's port-forward."""

    def __init__(self, consumer: PortForwardConsumer) -> None:
        self.consumer = consumer
        self.reader = spdy.Reader()
        self.writer = spdy.Writer()
        self.error_streams: dict[str, int] = {}  # requestid -> the error stream's id
        self.data_streams: dict[int, Forwarded] = {}
        self.lock = asyncio.Lock()  # the header compressor's state is per frame order

    async def start(self, scope: dict) -> bool:
        return True

    async def opened(self) -> None:
        pass

    async def _write(self, make: Callable[[spdy.Writer], bytes]) -> None:
        async with self.lock:
            await self.consumer.send(bytes_data=make(self.writer))

    async def received(self, text_data: str | None, bytes_data: bytes | None) -> None:
        try:
            frames = self.reader.feed(bytes_data or b"")
        except spdy.ProtocolError:
            await self.consumer.close(code=1002)
            return
        for frame in frames:
            await self._frame(frame)

    async def _frame(self, frame: spdy.Frame) -> None:
        if frame.kind == spdy.SYN_STREAM:
            await self._open(frame)
        elif frame.kind == 0:
            conn = self.data_streams.get(frame.stream)
            if conn is not None:
                if frame.data and not conn.add(frame.data):
                    await self._write(lambda w: w.rst_stream(frame.stream, RST_CANCEL))
                if frame.fin:
                    conn.finish()
        elif frame.kind == spdy.RST_STREAM:
            conn = self.data_streams.pop(frame.stream, None)
            if conn is not None:
                conn.finish()
        elif frame.kind == spdy.PING:
            await self._write(lambda w: w.ping(frame.value))

    async def _open(self, frame: spdy.Frame) -> None:
        await self._write(lambda w: w.syn_reply(frame.stream))
        request_id = frame.headers.get("requestid", "")
        if frame.headers.get("streamtype") == "error":
            self.error_streams[request_id] = frame.stream
            return
        port = frame.headers.get("port", "")
        if frame.headers.get("streamtype") != "data" or not port.isdigit():
            await self._write(lambda w: w.rst_stream(frame.stream, 1))  # PROTOCOL_ERROR
            return
        conn = Forwarded(int(port))
        self.data_streams[frame.stream] = conn
        self.consumer.spawn(self._serve(frame.stream, request_id, conn))

    async def _serve(self, stream: int, request_id: str, conn: Forwarded) -> None:
        async def reply(data: bytes) -> None:
            await self._write(lambda w: w.data(stream, data))

        async def fail(text: str) -> None:
            errors_at = self.error_streams.get(request_id)
            if errors_at is not None:
                await self._write(lambda w: w.data(errors_at, text.encode(), fin=True))
                self.error_streams.pop(request_id, None)
        try:
            await serve(conn, self.consumer.where, reply, fail)
        finally:
            self.data_streams.pop(stream, None)
            with contextlib.suppress(Exception):
                await self._write(lambda w: w.data(stream, b"", fin=True))
                errors_at = self.error_streams.pop(request_id, None)
                if errors_at is not None:
                    await self._write(lambda w: w.data(errors_at, b"", fin=True))


class ChannelSession:
    """The kubelet's channel protocol: one connection per port, for the whole socket."""

    def __init__(self, consumer: PortForwardConsumer, protocol: str) -> None:
        self.consumer = consumer
        self.base64 = "base64" in protocol
        self.conns: list[Forwarded] = []

    async def start(self, scope: dict) -> bool:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"),
                         keep_blank_values=True)
        ports, problem = parse_ports(query.get("port", []) + query.get("ports", []))
        if problem:
            # the kubelet's http.Error: plain text and a newline
            await denial.deny(self.consumer, 400, (problem + "\n").encode(),
                              "text/plain; charset=utf-8")
            return False
        self.conns = [Forwarded(port) for port in ports]
        return True

    async def opened(self) -> None:
        for index, conn in enumerate(self.conns):
            number = conn.port.to_bytes(2, "little")
            await self._send(2 * index, number)
            await self._send(2 * index + 1, number)
        for index, conn in enumerate(self.conns):
            self.consumer.spawn(self._serve(index, conn))

    async def _send(self, channel: int, data: bytes) -> None:
        if self.base64:
            await self.consumer.send(text_data=str(channel) + base64.b64encode(data).decode())
        else:
            await self.consumer.send(bytes_data=bytes([channel]) + data)

    async def received(self, text_data: str | None, bytes_data: bytes | None) -> None:
        if self.base64 and text_data:
            channel, data = int(text_data[0]), base64.b64decode(text_data[1:])
        elif bytes_data:
            channel, data = bytes_data[0], bytes_data[1:]
        else:
            return
        if channel % 2 == 0 and channel // 2 < len(self.conns) and data:
            if not self.conns[channel // 2].add(data):
                await self.consumer.close(code=1009)

    async def _serve(self, index: int, conn: Forwarded) -> None:
        async def reply(data: bytes) -> None:
            await self._send(2 * index, data)

        async def fail(text: str) -> None:
            await self._send(2 * index + 1, text.encode())
        await serve(conn, self.consumer.where, reply, fail)
        conn.client_done = True
        if all(c.client_done for c in self.conns):
            await self.consumer.close(code=1000)
