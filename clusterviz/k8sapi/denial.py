"""Refusing a WebSocket handshake with a real HTTP answer, as the API server does.

A real API server refuses `pods/x/exec` before any upgrade when the pod is
missing (404 and a NotFound Status in JSON), and the kubelet refuses a
request that asks for no stream with a plain-text 400. Clients read that
body: client-go turns the Status into the error kubectl prints, the Python
client puts it into its exception. daphne knows only one refusal, `403
Access denied` with no body, so every refusal looked alike.

ASGI has the message pair for it, the "WebSocket Denial Response" extension
(`websocket.http.response.start`/`.body`, announced in
`scope["extensions"]`), but daphne 4 does not implement it. `install()`
teaches daphne's protocol the two messages and announces the extension in
the scopes daphne makes; a consumer calls `deny()`, which falls back to a
plain close (daphne's 403) where the server lacks the extension, as the test
communicator does. The trade-off is a patch of a third-party server's class,
kept to two methods and checked for at install time: a daphne whose
internals moved keeps its 403 rather than breaking.
"""

from __future__ import annotations

import http
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # no stubs, so Any to mypy: named for the reader (what is patched, refused)
    from channels.generic.websocket import AsyncWebsocketConsumer
    from daphne.server import Server
    from daphne.ws_protocol import WebSocketProtocol

EXTENSION = "websocket.http.response"


def install() -> bool:
    """Add the denial response to daphne (once); False when daphne is not the one here."""
    try:
        from daphne.server import Server
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:
        return False
    if getattr(WebSocketProtocol, "_denial_installed", False):
        return True
    if not all(hasattr(WebSocketProtocol, n) for n in ("handle_reply", "sendHttpErrorResponse",
                                                        "serverReject")):
        return False
    _patch_scope(Server)
    _patch_protocol(WebSocketProtocol)
    WebSocketProtocol._denial_installed = True
    return True


def _patch_scope(server_class: type[Server]) -> None:
    create = server_class.create_application

    def create_application(self: Server, protocol: WebSocketProtocol,
                           scope: dict[str, Any]) -> object:
        if scope.get("type") == "websocket":
            scope = {**scope, "extensions": {**(scope.get("extensions") or {}), EXTENSION: {}}}
        return create(self, protocol, scope)
    server_class.create_application = create_application


def _patch_protocol(protocol_class: type[WebSocketProtocol]) -> None:
    handle_reply = protocol_class.handle_reply
    send_error = protocol_class.sendHttpErrorResponse

    def handle(self: WebSocketProtocol, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "websocket.http.response.start" and self.state == self.STATE_CONNECTING:
            self._denial = (int(message["status"]), list(message.get("headers") or []), [])
            return
        if kind == "websocket.http.response.body" and getattr(self, "_denial", None):
            self._denial[2].append(bytes(message.get("body") or b""))
            if not message.get("more_body"):
                self._reject_with_denial()
            return
        handle_reply(self, message)

    def reject_with_denial(self: WebSocketProtocol) -> None:
        from autobahn.websocket.types import ConnectionDeny
        status = self._denial[0]
        if not hasattr(self, "handshake_deferred"):
            return  # the handshake timed out meanwhile: daphne already answered
        # daphne's own rejection path (logging, bookkeeping), with our code and reason;
        # the headers and body go out in sendHttpErrorResponse below
        self.handshake_deferred.errback(ConnectionDeny(code=status, reason=_phrase(status)))
        del self.handshake_deferred
        self.server.protocol_disconnected(self)

    def send_http_error(self: WebSocketProtocol, code: int, reason: str,
                        responseHeaders: list[tuple[str, str]] | None = None) -> None:
        denial = getattr(self, "_denial", None)
        if denial is None:
            send_error(self, code, reason, responseHeaders)
            return
        status, headers, chunks = denial
        body = b"".join(chunks)
        head = [f"HTTP/1.1 {status} {_phrase(status)}"]
        head += [f"{k.decode('latin-1')}: {v.decode('latin-1')}" for k, v in headers
                 if k.lower() != b"content-length"]
        head.append(f"Content-Length: {len(body)}")
        self.sendData(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    protocol_class.handle_reply = handle
    protocol_class._reject_with_denial = reject_with_denial
    protocol_class.sendHttpErrorResponse = send_http_error


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def supported(scope: dict) -> bool:
    return EXTENSION in (scope.get("extensions") or {})


async def deny(consumer: AsyncWebsocketConsumer, status: int, body: bytes,
               content_type: str) -> None:
    """Refuse `consumer`'s handshake with `status` and `body` (a bare close without the
    extension)."""
    if not supported(consumer.scope):
        await consumer.close()
        return
    await consumer.base_send({"type": "websocket.http.response.start", "status": status,
                              "headers": [(b"content-type", content_type.encode())]})
    await consumer.base_send({"type": "websocket.http.response.body", "body": body})


async def deny_status(consumer: AsyncWebsocketConsumer, status: dict) -> None:
    """Refuse with a Kubernetes Status as the API server writes it."""
    body = json.dumps(status, separators=(",", ":")).encode()
    await deny(consumer, int(status.get("code") or 500), body, "application/json")
