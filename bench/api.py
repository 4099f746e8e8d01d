"""`make bench`, second half: the Kubernetes API's speed goals, measured end to end and printed.

Two numbers from issue 4, each beside a floor measured in the same run, so the
ratio means something on any machine:

- `kubectl get pods -A` on a cluster of 1,000 Running pods, timed as a whole
  command (process start to exit, median of several runs with a discovery
  cache warmed once), against `kubectl version` timed the same way: kubectl's
  own start-up and one round trip, which is what our server cannot shave off.
  Beside it, kubectl's own floor for that answer: the same two commands
  against a canned server that sends the same bytes at once. kubectl's
  decoding and printing of a thousand rows is part of the command, so the
  server's share is the gap between the two.
- From a create request's response to the matching watch event reaching a
  second client (p50 and p99 over 200 creates), against the round trip of a
  bare Channels echo consumer served by the same daphne process.

The server is real: a daphne subprocess on a free 127.0.0.1 port against a
temporary SQLite database, started as `make run` starts it, except that it
serves `bench.echo_asgi:application` (ClusterViz's own application with one
extra websocket route, the echo consumer), so the bench adds nothing to the
product's routes. Everything is client-side from here: subprocesses for
`manage.py` and kubectl, `http.client` for the API and the watch, and
`websocket-client` for the echo. The bench prints numbers only and asserts
nothing; it stops daphne and removes its temporary folder however it ends.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import websocket

from bench import stack

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KUBECTL = BIN / "kubectl"
SLUG = "bench"
PODS = 1000
CREATES = 200
ECHOES = 200
KUBECTL_RUNS = 20

REPLICASET = {
    "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "bench"},
    "spec": {"replicas": PODS, "selector": {"matchLabels": {"app": "bench"}},
             "template": {"metadata": {"labels": {"app": "bench"}},
                          "spec": {"enableServiceLinks": False, "containers": [
                              {"name": "web", "image": "whatwant/node-web:1.0",
                               "ports": [{"containerPort": 8080}]}]}}},
}


class Server:
    """A daphne serving ClusterViz (plus the echo route) on a free port, in a temp folder."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port, self.tls_port = stack.free_port(), stack.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.api = f"/k8s/clusters/{SLUG}"
        self.tls = workdir / "tls"
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
                    "DJANGO_SETTINGS_MODULE": "clusterviz.settings",
                    "CLUSTERVIZ_TLS_PORT": str(self.tls_port), "CLUSTERVIZ_TLS_DIR": str(self.tls)}
        self.proc: subprocess.Popen | None = None
        self.token = self.password = ""

    def manage(self, *args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=self.env,
                              check=True, capture_output=True, timeout=300, text=True).stdout

    def start(self) -> None:
        """As `make run`: a teacher, the cluster, the TLS endpoint, the teacher's kubeconfig
        (kubectl over https with its token); requests here carry that token."""
        self.manage("migrate", "--noinput", "-v0")
        self.password = self.manage("ensure_teacher").split("password ")[1].split()[0]
        self.manage("ensure_cluster", SLUG, "--preset", "large")
        self.manage("ensure_tls")
        kubeconfig = self.workdir / "kubeconfig"
        self.manage("kubeconfig", SLUG, "-o", str(kubeconfig))
        self.token = kubeconfig.read_text().split("token: ")[1].split()[0]
        log = open(self.workdir / "daphne.log", "w")  # noqa: SIM115 (closed with the process)
        tls = (f"ssl:port={self.tls_port}:interface=127.0.0.1:privateKey={self.tls}/server.key"
               f":certKey={self.tls}/server.crt")
        self.proc = subprocess.Popen(
            [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(self.port), "-e", tls,
             "bench.echo_asgi:application"], cwd=REPO, env=self.env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited with {self.proc.returncode}: "
                                   + (self.workdir / "daphne.log").read_text()[-2000:])
            try:
                urllib.request.urlopen(self.base + "/", timeout=1).read()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("daphne did not answer within 30 s") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def session_cookie(self) -> str:
        """The teacher's signed-in session (the pages need one): the sign-in form, as a
        browser fills it, with Django's CSRF cookie and token."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", "/signin")
        response = conn.getresponse()
        response.read()
        csrf = response.headers["Set-Cookie"].split("csrftoken=")[1].split(";")[0]
        form = f"username=teacher&password={self.password}&csrfmiddlewaretoken={csrf}"
        conn.request("POST", "/signin", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
            "Referer": self.base + "/"})
        response = conn.getresponse()
        response.read()
        conn.close()
        cookies = response.headers.get_all("Set-Cookie") or []
        return next(c.split("sessionid=")[1].split(";")[0] for c in cookies
                    if c.startswith("sessionid="))

    def request(self, method: str, path: str, body: dict | None = None,
                conn: http.client.HTTPConnection | None = None) -> tuple[int, dict]:
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, self.api + path, body=data,
                         headers={"Content-Type": "application/json",
                                  "Accept": "application/json", **self.auth()})
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            if own:
                conn.close()


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds through running_server's cleanup


@contextmanager
def running_server(server_class: type[Server] = Server, prefix: str = "clusterviz-bench-"):
    """A started server of `server_class` in a fresh folder, stopped and removed after."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    server = server_class(workdir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# the cluster ---------------------------------------------------------------------------
def fill(server: Server) -> float:
    """Create the 1,000-pod ReplicaSet and wait until every pod runs; seconds it took."""
    start = time.perf_counter()
    status, body = server.request("POST", "/apis/apps/v1/namespaces/default/replicasets",
                                  REPLICASET)
    if status != 201:
        raise RuntimeError(f"creating the ReplicaSet: {status} {body}")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        _, pods = server.request("GET", "/api/v1/namespaces/default/pods"
                                 "?labelSelector=app%3Dbench&fieldSelector=status.phase%3DRunning")
        if len(pods.get("items") or []) >= PODS:
            return time.perf_counter() - start
        time.sleep(0.5)
    raise RuntimeError(f"fewer than {PODS} pods Running after 300 s")


# kubectl -------------------------------------------------------------------------------
def kubectl_command(kubeconfig: Path, cache: Path, *args: str) -> list[str]:
    return [str(KUBECTL), "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache), *args]


def interleaved_medians(commands: dict[str, list[str]]) -> dict[str, float]:
    """The median wall time of each command over KUBECTL_RUNS rounds (after one warm-up
    each). A round runs every command once, in turn, so all of them see the same machine:
    four medians taken one command after another drifted apart with the machine's load,
    and their ratio with them (0.96 to 1.21 in three runs of the same code)."""
    for command in commands.values():
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # warms caches
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(KUBECTL_RUNS):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, timeout=120)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;" \
               "v=v1beta1;g=meta.k8s.io,application/json"


class CannedServer:
    """kubectl's own floor: a server on another port that answers `get pods -A`'s list and
    `version` at once with the bytes the real one sent, reached through a copy of the
    warmed kubectl cache (its folders are named after host and port)."""

    def __init__(self, server: Server, cache: Path) -> None:
        self.answers = {path: _fetch(server, path, accept) for path, accept in (
            *((p, TABLE_ACCEPT) for p in list_pages(server)),
            ("/version?timeout=32s", "application/json"))}
        self.port = stack.free_port()
        self.cache = server.workdir / "canned-cache"
        shutil.copytree(cache, self.cache)
        for folder in (self.cache / "discovery").iterdir():
            folder.rename(folder.with_name(folder.name.replace(str(server.tls_port),
                                                               str(self.port))))
        self.kubeconfig = server.workdir / "canned-kubeconfig"
        self.kubeconfig.write_text((server.workdir / "kubeconfig").read_text()
                                   .replace(f"https://127.0.0.1:{server.tls_port}",
                                            f"http://127.0.0.1:{self.port}"))
        answers, prefix = self.answers, server.api

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                content_type, body = answers.get(self.path.removeprefix(prefix),
                                                 ("application/json", b"{}"))
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> CannedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def list_pages(server: Server) -> list[str]:
    """The paths of the requests `get pods -A` sends: kubectl lists in chunks of 500
    (`--chunk-size`), following each page's `continue` token, as with a real server."""
    paths, path = [], "/api/v1/pods?limit=500"
    while path:
        paths.append(path)
        _, body = _fetch(server, path, TABLE_ACCEPT)
        token = json.loads(body).get("metadata", {}).get("continue")
        # kubectl's query: url.Values.Encode (keys sorted); the token is base64url
        path = f"/api/v1/pods?continue={token}&limit=500" if token else ""
    return paths


def _fetch(server: Server, path: str, accept: str) -> tuple[str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request("GET", server.api + path, headers={"Accept": accept, **server.auth()})
        response = conn.getresponse()
        return response.getheader("Content-Type") or "application/json", response.read()
    finally:
        conn.close()


def time_table_request(server: Server) -> float:
    """The median time of the requests `get pods -A` makes (its pages), sent bare one after
    the other (the server's share)."""
    pages = list_pages(server)
    times = []
    for _ in range(KUBECTL_RUNS + 1):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        start = time.perf_counter()
        for path in pages:
            conn.request("GET", f"{server.api}{path}", headers={"Accept": TABLE_ACCEPT,
                                                                     **server.auth()})
            conn.getresponse().read()
        times.append(time.perf_counter() - start)
        conn.close()
    return statistics.median(times[1:])


# watch latency -------------------------------------------------------------------------
class WatchListener(threading.Thread):
    """A second client: one chunked watch on ConfigMaps, noting when each name arrives."""

    def __init__(self, server: Server, resource_version: str) -> None:
        super().__init__(daemon=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        self.conn.request("GET", f"{server.api}/api/v1/namespaces/default/configmaps"
                                 f"?watch=true&resourceVersion={resource_version}",
                          headers={"Accept": "application/json", **server.auth()})
        self.response = self.conn.getresponse()
        self.arrived: dict[str, float] = {}
        self.cond = threading.Condition()

    def run(self) -> None:
        try:
            while True:
                line = self.response.readline()
                if not line:
                    return
                now = time.perf_counter()
                event = json.loads(line)
                if event.get("type") == "ADDED":
                    with self.cond:
                        self.arrived[event["object"]["metadata"]["name"]] = now
                        self.cond.notify_all()
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            return  # close() shut the socket under the read (http.client raises any of these)

    def wait_for(self, name: str, timeout: float = 10.0) -> float:
        with self.cond:
            if not self.cond.wait_for(lambda: name in self.arrived, timeout):
                raise RuntimeError(f"no watch event for {name} within {timeout} s")
            return self.arrived[name]

    def close(self) -> None:
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


def watch_latencies(server: Server, round_trips: list[float] | None = None) -> list[float]:
    """Seconds from each create's response to its watch event at the listener (negative when
    the event came first: the change is published on commit, before the response is sent).
    Each create's own round trip goes into `round_trips` when given."""
    _, listing = server.request("GET", "/api/v1/namespaces/default/configmaps")
    listener = WatchListener(server, listing["metadata"]["resourceVersion"])
    listener.start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    out = []
    try:
        for i in range(CREATES):
            name = f"bench-{i}"
            sent = time.perf_counter()
            status, body = server.request(
                "POST", "/api/v1/namespaces/default/configmaps",
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                 "data": {"i": str(i)}}, conn=conn)
            answered = time.perf_counter()
            if status != 201:
                raise RuntimeError(f"creating {name}: {status} {body}")
            if round_trips is not None:
                round_trips.append(answered - sent)
            out.append(listener.wait_for(name) - answered)
    finally:
        conn.close()
        listener.close()
        listener.join(timeout=5)
    return out


def version_round_trips(server: Server) -> list[float]:
    """Seconds per `GET /version` on one kept-alive connection, as the creates are sent: the
    floor of an API request that touches no cluster."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    out = []
    try:
        for i in range(CREATES + 10):  # warm-up first, as the echo's
            start = time.perf_counter()
            status, _ = server.request("GET", "/version", conn=conn)
            if status != 200:
                raise RuntimeError(f"GET /version: {status}")
            if i >= 10:
                out.append(time.perf_counter() - start)
    finally:
        conn.close()
    return out


def echo_round_trips(server: Server) -> list[float]:
    """Seconds per round trip through the bare Channels echo consumer."""
    sock = websocket.create_connection(f"ws://127.0.0.1:{server.port}/bench/echo", timeout=10)
    out = []
    try:
        for i in range(10):  # warm-up: first frames pay for imports and buffers
            sock.send(f"warm-{i}")
            sock.recv()
        for i in range(ECHOES):
            start = time.perf_counter()
            sock.send(f"ping-{i}")
            if sock.recv() != f"ping-{i}":
                raise RuntimeError("the echo consumer answered something else")
            out.append(time.perf_counter() - start)
    finally:
        sock.close()
    return out


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def main() -> None:
    with running_server() as server:
        took = fill(server)
        print(f"API: cluster of {PODS} Running pods (large preset, 100 nodes) ready in "
              f"{took:.1f} s")
        cache = server.workdir / "kubectl-cache"
        kubeconfig = server.workdir / "kubeconfig"
        subprocess.run(kubectl_command(kubeconfig, cache, "get", "pods", "-A"), check=True,
                       capture_output=True, timeout=120)  # the discovery the canned one copies
        with CannedServer(server, cache) as canned:
            t = interleaved_medians({
                "get": kubectl_command(kubeconfig, cache, "get", "pods", "-A"),
                "version": kubectl_command(kubeconfig, cache, "version"),
                "canned get": kubectl_command(canned.kubeconfig, canned.cache, "get", "pods",
                                              "-A"),
                "canned version": kubectl_command(canned.kubeconfig, canned.cache, "version")})
        print(f"kubectl get pods -A ({PODS} bench pods and the rest): {t['get'] * 1000:.0f} ms; "
              f"kubectl version: {t['version'] * 1000:.0f} ms; ratio "
              f"{t['get'] / t['version']:.2f} [median of {KUBECTL_RUNS} rounds, each running "
              "the four kubectl commands of this part in turn]")
        t_table = time_table_request(server)
        print(f"  of which the server's answers to its list requests (Tables of every pod, "
              f"{len(list_pages(server))} pages of 500, sent bare): {t_table * 1000:.0f} ms")
        size = sum(len(body) for path, (_, body) in canned.answers.items()
                   if path.startswith("/api/v1/pods"))
        ratio, floor_ratio = t["get"] / t["version"], t["canned get"] / t["canned version"]
        print(f"  kubectl's own floor, the same {size // 1000} kB answered at once by a canned "
              f"server: get pods -A {t['canned get'] * 1000:.0f} ms, version "
              f"{t['canned version'] * 1000:.0f} ms, ratio {floor_ratio:.2f}")
        print(f"  the ratio over kubectl's own: {ratio / floor_ratio:.2f} "
              "(goal <= 1.1: the server adds at most 10 % to what kubectl costs)")
        echo = echo_round_trips(server)
        versions = version_round_trips(server)
        creates: list[float] = []
        latencies = watch_latencies(server, creates)
        print(f"create round trip (a ConfigMap, JSON POST, one kept-alive connection): p50 "
              f"{percentile(creates, 0.50) * 1000:.2f} ms, p99 {percentile(creates, 0.99) * 1000:.2f} "
              f"ms (goal p50 < 5 ms); floor GET /version on the same kind of connection: p50 "
              f"{percentile(versions, 0.50) * 1000:.2f} ms, p99 "
              f"{percentile(versions, 0.99) * 1000:.2f} ms")
        floor = statistics.median(echo)
        p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
        early = sum(1 for t in latencies if t < 0)
        print(f"create -> watch event at a second client, {CREATES} creates: p50 "
              f"{p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms; Channels echo round trip: p50 "
              f"{floor * 1000:.2f} ms, p99 {percentile(echo, 0.99) * 1000:.2f} ms; "
              f"p99 / echo floor {p99 / floor:.1f}x (goal <= 20x); {early} events reached the "
              "watcher before the create's response reached its client")


if __name__ == "__main__":
    main()
