"""Same-origin checks for every browser-reachable entry point: websockets and unsafe HTTP.

A browser lets any page open a websocket to any server, and send a `no-cors`
POST or submit a form to it; what it cannot forge is the `Origin` header. So
a request is the app's own page's when its Origin is exactly the origin the
request came to: the same scheme, host and port as its `Host` header (a page
on another port of the same host is another site). The Host must itself be
one of `ALLOWED_HOSTS`, which keeps DNS-rebinding pages out.

Two policies, one per kind of route:
- `browser_only`: the dashboard's sockets (graph, web terminal) need an
  Origin, and it must be the server's own. Anything else is refused at the
  handshake (daphne answers 403), so the page's script gets nothing.
- `no_foreign_origin`: the Kubernetes API's sockets (`pods/exec`) and its
  HTTP API serve kubectl and the Python client, which send no Origin; a
  request without one passes, one whose Origin is not the server's own is
  refused, so a page elsewhere cannot drive a cluster through a student's
  browser.

The scheme: daphne puts none in a websocket's scope, so `ws` is assumed
except on daphne's TLS endpoint (the local port is `TLS_PORT`), and behind a TLS proxy `SECURE_PROXY_SSL_HEADER` (Django's own setting, set
by `CLUSTERVIZ_BEHIND_TLS_PROXY=1`) says when the browser spoke https. The
trade-off: an app served under two names (say localhost and 127.0.0.1)
accepts each page only on its own name, which is what a browser does anyway.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port, validate_host

log = logging.getLogger(__name__)
DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def parse_origin(value: str) -> Origin | None:
    """`scheme://host[:port]` as (scheme, host, port), default port filled; None if malformed."""
    try:
        parts = urlsplit(value.strip())
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is no number, or out of range
        return None
    if scheme not in DEFAULT_PORTS or not host or port is None:
        return None
    return scheme, host, port


def own_origin(host: str, secure: bool) -> Origin | None:
    """The origin a request to `Host: host` came to, if the host is an allowed one."""
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return parse_origin(f"{'https' if secure else 'http'}://{host}")


def _headers(scope: dict) -> dict[str, str]:
    return {name.decode("latin1").lower(): value.decode("latin1")
            for name, value in scope.get("headers", [])}


def _proxy_says_secure(headers: dict[str, str]) -> bool:
    """Django's SECURE_PROXY_SSL_HEADER, read from raw headers (it names the META key)."""
    setting = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not setting:
        return False
    meta_key: str
    expected: str
    meta_key, expected = setting
    name = meta_key.removeprefix("HTTP_").replace("_", "-").lower()
    return headers.get(name, "").split(",")[0].strip() == expected


def _on_tls_endpoint(scope: dict) -> bool:
    """Whether the socket came in over TLS: daphne's websocket scope has no scheme, so its
    https endpoint (settings.TLS_PORT, where kubeconfigs point) is told by the local port.
    The Python client's wss handshake sends `Origin: https://host:TLS_PORT`."""
    if scope.get("scheme") == "wss":
        return True
    server = scope.get("server") or (None, None)
    return bool(settings.TLS_PORT) and server[1] == settings.TLS_PORT


def socket_verdict(scope: dict, origin_required: bool) -> str | None:
    """None when the socket may open, else why not (for the log)."""
    headers = _headers(scope)
    secure = _on_tls_endpoint(scope) or _proxy_says_secure(headers)
    own = own_origin(headers.get("host", ""), secure)
    if own is None:
        return f"Host {headers.get('host', '')!r} is not allowed"
    origin = headers.get("origin")
    if origin is None:
        return "no Origin" if origin_required else None
    if parse_origin(origin) != own:
        return f"Origin {origin!r} is not this server's"
    return None


class _SocketGuard:
    """ASGI middleware that refuses a websocket at the handshake unless the verdict is clear."""

    def __init__(self, application: Callable, origin_required: bool) -> None:
        self.application, self.origin_required = application, origin_required

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        reason = socket_verdict(scope, self.origin_required)
        if reason is None:
            await self.application(scope, receive, send)
            return
        log.info("websocket %s refused: %s", scope.get("path"), reason)
        await WebsocketDenier()(scope, receive, send)


def _guarded(patterns: Iterable, origin_required: bool) -> list:
    out = []
    for pattern in patterns:
        guarded = copy.copy(pattern)
        guarded.callback = _SocketGuard(pattern.callback, origin_required)
        out.append(guarded)
    return out


def browser_only(patterns: Iterable) -> list:
    """The dashboard's socket routes, each refusing any Origin but the server's own."""
    return _guarded(patterns, origin_required=True)


def no_foreign_origin(patterns: Iterable) -> list:
    """The API's socket routes: kubectl (no Origin) passes, another site's page does not."""
    return _guarded(patterns, origin_required=False)


def foreign_http_request(request: HttpRequest) -> str | None:
    """Why an unsafe HTTP request comes from another site's page, or None if it does not.

    A browser sends Origin with every POST, PUT, PATCH and DELETE (a form,
    a `no-cors` fetch); kubectl sends none. Django's `get_host` has checked
    the Host against ALLOWED_HOSTS already.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    own = own_origin(request.get_host(), request.is_secure())
    if own is None or parse_origin(origin) != own:
        return f"Origin {origin!r} is not this server's"
    return None


class ForeignOriginMiddleware:
    """Refuses an unsafe request another site's page sent (403) before any view runs.

    The Kubernetes API's refusal is a Status, as kubectl would print it; the
    dashboard's is its JSON error shape. Sync and async capable, so the async
    views keep running without a thread hop.
    """

    sync_capable = async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        refusal = _refusal(request)
        if iscoroutinefunction(self.get_response):  # as marked in __init__
            return self._acall(request, refusal)
        return refusal or self.get_response(request)

    async def _acall(self, request: HttpRequest, refusal: JsonResponse | None) -> HttpResponse:
        return refusal or await self.get_response(request)


def _refusal(request: HttpRequest) -> JsonResponse | None:
    reason = foreign_http_request(request)
    if reason is None:
        return None
    log.info("%s %s refused: %s", request.method, request.path, reason)
    message = f"cross-origin request refused: {reason}"
    if request.path.startswith("/k8s/"):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": "Forbidden", "details": {}, "code": 403}
        return JsonResponse(body, status=403)
    return JsonResponse({"error": message}, status=403)
