"""Same-origin checks: every websocket route of the app, and unsafe HTTP from another site.

The websocket table goes through the app's own router (`asgi.py`, under the
clock ticker), so a route added without a guard, or with the wrong one,
fails here. A refused socket is refused at the handshake: daphne turns a
close before accept into `HTTP 403`, which the browser's page sees as a
failed socket.
"""

from __future__ import annotations

import functools
import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import RequestFactory

from clusterviz import origin
from clusterviz.asgi import application


def _router(app):
    """The URLRouter under the ASGI application's middleware (ticker, auth, cookies...)."""
    for _ in range(20):
        if hasattr(app, "routes"):
            return app
        mapping = getattr(app, "application_mapping", None)
        app = mapping["websocket"] if mapping else next(
            getattr(app, name) for name in ("inner", "application", "app") if hasattr(app, name))
    raise LookupError("no URLRouter under the application")


WEBSOCKETS = _router(application)
ROUTES = {
    "graph": "/ws/clusters/lecture/graph",
    "terminal": "/ws/clusters/lecture/kubectl",
    "shell": "/ws/clusters/lecture/shell/default/web?command=sh",
    "exec": "/k8s/clusters/lecture/api/v1/namespaces/default/pods/web/exec?command=ls",
    "portforward": "/k8s/clusters/lecture/api/v1/namespaces/default/pods/web/portforward?ports=80",
    "lesson": "/ws/clusters/lecture/lesson",
    "roster": "/ws/classes/1/roster",
    "follow": "/ws/clusters/lecture/follow",
    "attach (unrouted)": "/k8s/clusters/lecture/api/v1/namespaces/default/pods/web/attach",
}
BROWSER_ROUTES = ("graph", "terminal", "shell", "lesson", "roster", "follow")


def run_async(test):
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return async_to_sync(test)(*args, **kwargs)
    return wrapper


def _scope(host: str | None, origin_header: str | None, scheme: str = "ws",
           extra: tuple = ()) -> dict:
    headers = [(b"host", host.encode())] if host is not None else []
    if origin_header is not None:
        headers.append((b"origin", origin_header.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers + list(extra)}


# (host, origin, scheme, browser route verdict, API route verdict): True = opens
VERDICTS = [
    pytest.param("127.0.0.1:8000", "http://127.0.0.1:8000", "ws", True, True, id="own-page"),
    pytest.param("127.0.0.1:8000", "http://127.0.0.1:9000", "ws", False, False,
                 id="other-port-same-host"),
    pytest.param("127.0.0.1:8000", "https://127.0.0.1:8000", "ws", False, False,
                 id="other-scheme"),
    pytest.param("127.0.0.1:8000", "http://localhost:8000", "ws", False, False,
                 id="other-allowed-host"),
    pytest.param("127.0.0.1:8000", "http://evil.example", "ws", False, False, id="other-site"),
    pytest.param("127.0.0.1:8000", "null", "ws", False, False, id="opaque-origin"),
    pytest.param("127.0.0.1:8000", "http://127.0.0.1:99999", "ws", False, False,
                 id="malformed-port"),
    pytest.param("127.0.0.1:8000", None, "ws", False, True, id="no-origin-kubectl"),
    pytest.param("evil.example:8000", "http://evil.example:8000", "ws", False, False,
                 id="host-not-allowed-dns-rebinding"),
    pytest.param("evil.example", None, "ws", False, False, id="host-not-allowed-no-origin"),
    pytest.param(None, None, "ws", False, False, id="no-host"),
    pytest.param("localhost", "http://localhost:80", "ws", True, True, id="default-port"),
    pytest.param("[::1]:8000", "http://[::1]:8000", "ws", True, True, id="ipv6"),
    pytest.param("LOCALHOST:8000", "HTTP://localhost:8000", "ws", True, True, id="case"),
    pytest.param("localhost", "https://localhost", "wss", True, True, id="wss"),
    pytest.param("localhost", "http://localhost", "wss", False, False, id="wss-page-on-http"),
]


@pytest.mark.parametrize("host, origin_header, scheme, browser, api", VERDICTS)
def test_the_socket_verdict_compares_scheme_host_and_port(host, origin_header, scheme,
                                                           browser, api):
    scope = _scope(host, origin_header, scheme)
    assert (origin.socket_verdict(scope, origin_required=True) is None) is browser
    assert (origin.socket_verdict(scope, origin_required=False) is None) is api


@pytest.mark.parametrize("forwarded, origin_header, opens", [
    pytest.param(b"https", "https://localhost", True, id="tls-at-the-proxy"),
    pytest.param(b"https", "http://localhost", False, id="http-page-behind-tls"),
    pytest.param(b"http", "https://localhost", False, id="proxy-says-http"),
])
def test_behind_a_tls_proxy_the_forwarded_scheme_counts(settings, forwarded, origin_header,
                                                        opens):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    scope = _scope("localhost", origin_header, extra=((b"x-forwarded-proto", forwarded),))
    assert (origin.socket_verdict(scope, origin_required=True) is None) is opens


def _route_of(url: str):
    path = url.split("?")[0].lstrip("/")
    return next(route for route in WEBSOCKETS.routes if route.pattern.match(path))


def test_every_socket_route_is_guarded_by_its_policy():
    guards = {pattern.callback.origin_required for pattern in WEBSOCKETS.routes
              if isinstance(pattern.callback, origin._SocketGuard)}
    # a socket route added without a sample here (so without the handshake checks) fails
    reached = {str(_route_of(url).pattern) for url in ROUTES.values()}
    assert reached == {str(route.pattern) for route in WEBSOCKETS.routes}
    browser = {str(_route_of(ROUTES[name]).pattern) for name in BROWSER_ROUTES}
    assert browser == {str(p.pattern) for p in WEBSOCKETS.routes if p.callback.origin_required}
    assert all(isinstance(p.callback, origin._SocketGuard) for p in WEBSOCKETS.routes)
    assert guards == {True, False}


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("headers", [
    pytest.param([(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8001")],
                 id="other-port"),
    pytest.param([(b"host", b"evil.example"), (b"origin", b"http://evil.example")],
                 id="rebound-host"),
])
@pytest.mark.django_db  # Channels' denier closes stale connections after a DB test
@run_async
async def test_a_foreign_page_is_refused_at_the_handshake(route, headers):
    socket = WebsocketCommunicator(WEBSOCKETS, ROUTES[route], headers=headers)
    connected, code = await socket.connect()
    assert (connected, code) == (False, 1000)  # closed before accept: daphne's 403
    await socket.disconnect()


@pytest.mark.parametrize("route", BROWSER_ROUTES)
@pytest.mark.django_db
@run_async
async def test_a_browser_socket_needs_an_origin(route):
    socket = WebsocketCommunicator(WEBSOCKETS, ROUTES[route],
                                   headers=[(b"host", b"127.0.0.1:8000")])
    assert (await socket.connect())[0] is False
    await socket.disconnect()


def _post(path: str, **headers: str):
    request = RequestFactory().post(path, data=b"{}", content_type="application/json",
                                    headers=headers)
    return origin.ForeignOriginMiddleware(lambda request: "view ran")(request)


@pytest.mark.parametrize("path", ["/k8s/clusters/lecture/api/v1/namespaces/default/pods",
                                  "/clusters/lecture/apply"])
@pytest.mark.parametrize("origin_header, runs", [
    pytest.param(None, True, id="kubectl-no-origin"),
    pytest.param("http://testserver", True, id="own-page"),
    pytest.param("http://testserver:8001", False, id="other-port"),
    pytest.param("http://evil.example", False, id="other-site"),
    pytest.param("null", False, id="opaque-origin"),
])
def test_an_unsafe_request_from_another_site_is_refused(path, origin_header, runs):
    answer = _post(path, **({"Origin": origin_header} if origin_header else {}))
    if runs:
        assert answer == "view ran"
        return
    assert answer.status_code == 403
    message = f"cross-origin request refused: Origin {origin_header!r} is not this server's"
    if path.startswith("/k8s/"):
        assert json.loads(answer.content) == {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": "Forbidden", "details": {}, "code": 403}
    else:
        assert json.loads(answer.content) == {"error": message}


def test_a_read_from_another_site_is_left_to_the_browser():
    request = RequestFactory().get("/clusters/lecture/", headers={"Origin": "http://evil.example"})
    assert origin.ForeignOriginMiddleware(lambda request: "view ran")(request) == "view ran"


@pytest.mark.parametrize("server_port, origin_header, opens", [
    pytest.param(6443, "https://127.0.0.1:6443", True, id="python-client-over-wss"),
    pytest.param(6443, "http://127.0.0.1:6443", False, id="http-origin-on-the-tls-port"),
    pytest.param(8000, "https://127.0.0.1:6443", False, id="https-origin-on-the-http-port"),
])
def test_daphnes_tls_endpoint_counts_as_wss(settings, server_port, origin_header, opens):
    # daphne's websocket scope has no scheme; the local port tells its TLS endpoint
    settings.TLS_PORT = 6443
    scope = {**_scope(f"127.0.0.1:{server_port}", origin_header),
             "server": ("127.0.0.1", server_port)}
    del scope["scheme"]
    assert (origin.socket_verdict(scope, origin_required=False) is None) is opens
