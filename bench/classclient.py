"""A student's connections, as a browser and kubectl make them (bench.classroom).

- `Web`: the pages on one daphne over plain http, one kept-alive connection, the
  cookies Django sets (session, CSRF) sent back, and the page's `X-CSRFToken`
  and `Origin` on its JSON POSTs, as `static/` sends them.
- `Api`: the Kubernetes API the way kubectl reaches it: the kubeconfig's https
  server, its CA and bearer token, and kubectl's `Kubectl-Command` and
  `Kubectl-Session` headers (what the command history reads).
- `Feed`: a websocket read by its own thread until closed: the dashboard's graph
  socket (its `seq` must count up without a hole) or the teacher's roster.
- `Terminal`: the web terminal's socket, read all the time by a `Feed` (pings
  answered at once, as a browser does); `run` sends one command line and waits
  until kubectl exits.

A connection that the server closed while idle is opened again once and the
request sent again, as browsers do; anything else is the caller's error.
"""

from __future__ import annotations

import base64
import http.client
import json
import queue
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import websocket
import yaml

TIMEOUT = 120.0
# what a kept-alive connection the server closed while idle (Twisted's 60 s) raises on reuse
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
          ssl.SSLEOFError, ssl.SSLZeroReturnError)


class Reply:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> dict:
        return json.loads(self.body)


class _Connection:
    """One kept-alive connection, opened again once if the server closed it while idle."""

    def __init__(self, make: Callable[[], http.client.HTTPConnection]) -> None:
        self.make, self.conn = make, None

    def send(self, method: str, path: str, body: bytes | None, headers: dict) -> Reply:
        for attempt in (1, 2):
            fresh = self.conn is None
            if fresh:
                self.conn = self.make()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                return Reply(response.status, response.headers, response.read())
            except _STALE:
                self.close()
                if fresh or attempt == 2:
                    raise
            except BaseException:  # a timeout mid-answer: this connection is done for
                self.close()
                raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Web:
    """A browser on one daphne's pages: cookies, CSRF, kept-alive."""

    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)
        self.connection = _Connection(
            lambda: http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT))
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> Reply:
        headers = {**(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reply = self.connection.send(method, path, body, headers)
        for line in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return reply

    def post_form(self, path: str, fields: dict) -> Reply:
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        return self.request("POST", path, urlencode(fields).encode(), {
            "Content-Type": "application/x-www-form-urlencoded", "Origin": self.base,
            "Referer": self.base + path})

    def post_json(self, path: str, body: dict) -> Reply:
        return self.request("POST", path, json.dumps(body).encode(), {
            "Content-Type": "application/json", "X-CSRFToken": self.cookies.get("csrftoken", ""),
            "Origin": self.base})

    def socket(self, path: str) -> websocket.WebSocket:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return websocket.create_connection(self.base.replace("http://", "ws://") + path,
                                           origin=self.base, header=[f"Cookie: {cookie}"],
                                           timeout=TIMEOUT)


class Api:
    """The Kubernetes API as kubectl reaches it with a downloaded kubeconfig."""

    def __init__(self, kubeconfig: str) -> None:
        document = yaml.safe_load(kubeconfig)
        cluster = document["clusters"][0]["cluster"]
        self.token = document["users"][0]["user"]["token"]
        server = urlsplit(cluster["server"])
        self.prefix = server.path
        context = ssl.create_default_context(
            cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
        self.connection = _Connection(lambda: http.client.HTTPSConnection(
            server.hostname, server.port, context=context, timeout=TIMEOUT))

    def call(self, method: str, path: str, body: dict | None = None,
             command: str = "kubectl get", session: str | None = None) -> Reply:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                   "Kubectl-Command": command, "Kubectl-Session": session or uuid.uuid4().hex}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return self.connection.send(method, self.prefix + path, data, headers)


class Feed(threading.Thread):
    """A websocket read until it closes; `on_message(at, message)` for each message."""

    def __init__(self, sock: websocket.WebSocket,
                 on_message: Callable[[float, dict], None]) -> None:
        super().__init__(daemon=True)
        self.sock, self.on_message = sock, on_message
        self.closing = False
        self.failure: str | None = None

    def run(self) -> None:
        self.sock.settimeout(None)
        while True:
            try:
                data = self.sock.recv()
            except Exception as exc:  # closed by us (fine) or by the server (a failure)
                if not self.closing:
                    self.failure = f"{type(exc).__name__}: {exc}"
                return
            if not data:
                if not self.closing:
                    self.failure = "closed by the server"
                return
            self.on_message(time.time(), json.loads(data))

    def close(self) -> None:
        self.closing = True
        self.sock.close()


class GraphCheck:
    """The graph socket's messages, checked as the page checks them: `seq` without holes."""

    def __init__(self) -> None:
        self.seq = 0
        self.messages = 0
        self.holes: list[tuple[int, int]] = []

    def __call__(self, at: float, message: dict) -> None:
        seq = message.get("seq")
        if seq is None:  # the viewers badge rides beside the feed
            return
        if seq != self.seq + 1:
            self.holes.append((self.seq, seq))
        self.seq, self.messages = seq, self.messages + 1


class Terminal:
    """The web terminal's socket: one command at a time, read until kubectl exits. A thread
    reads it all the time, as a browser does: daphne pings every socket every 20 s and drops
    one whose pong is late (a socket read only while a command runs missed them)."""

    def __init__(self, web: Web, slug: str) -> None:
        self.messages: queue.Queue[dict] = queue.Queue()
        self.feed = Feed(web.socket(f"/ws/clusters/{slug}/kubectl"),
                         lambda at, message: self.messages.put(message))
        self.feed.start()

    def run(self, line: str) -> tuple[int | None, str]:
        """kubectl's exit code (None: refused) and what it printed (or the refusal)."""
        self.feed.sock.send(json.dumps({"type": "run", "command": line}))
        out, deadline = [], time.monotonic() + TIMEOUT
        while True:
            try:
                message = self.messages.get(timeout=1.0)
            except queue.Empty:
                if self.feed.failure:
                    raise ConnectionError(f"the terminal's socket: {self.feed.failure}") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no exit within {TIMEOUT:.0f} s") from None
                continue
            if message["type"] == "output":
                out.append(message["data"])
            elif message["type"] == "refused":
                return None, message["message"]
            elif message["type"] == "exit":
                return message["code"], "".join(out)

    def close(self) -> None:
        self.feed.close()
