"""The scaled-out stack on 127.0.0.1: PostgreSQL, Redis, daphne and runsim processes.

Shared by the service tests (tests/clusterviz/service_fixtures.py wraps these in
pytest fixtures) and the benches that need the real thing (bench.classroom), so
both start it the one way. PostgreSQL is Debian's, started from
`/usr/lib/postgresql/*/bin` by `initdb` and `pg_ctl` in a temporary folder on a
free port (as the `postgres` user when run as root, since PostgreSQL refuses to
run as root), tuned for throwaway data (no fsync); Redis is `redis-server`
without persistence. Daphne and `manage.py runsim` run exactly as a deployment
starts them, configured through the same environment variables.

A missing binary raises `Unavailable` with what to install: the fixtures turn
it into a skip, a bench into its message.
"""

from __future__ import annotations

import glob
import os
import pwd
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# This process's own CA and certificate (never the checkout's .venv/tls).
TLS_DIR = Path(tempfile.gettempdir()) / f"clusterviz-test-tls-{os.getpid()}"


class Unavailable(RuntimeError):
    """A service this machine cannot start; the message says what to install."""


# A server's port comes from below the kernel's ephemeral range: the port bind(0) hands out
# lies in that range, where any client connection of the suite may take it as its source
# port in the second before the server binds it (a daphne then logs "Listen failure" and
# exits: seen in a full run). Workers seed their own generator, so they rarely pick alike.
_PORTS = random.Random()
LOWEST_PORT = 10000


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port of 127.0.0.1 nothing is bound to, outside the ephemeral range."""
    highest = max(_ephemeral_low(), LOWEST_PORT + 1000)
    while True:
        port = _PORTS.randrange(LOWEST_PORT, highest)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def wait_for_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 90) -> None:
    # a guard against a server that never listens, not a speed check: a 2-core machine
    # running the suite on three workers has taken more than 30 s to start a daphne
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout} s")


# PostgreSQL -------------------------------------------------------------------------------

def postgres_bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


@dataclass
class PostgreSQL:
    host: str
    port: int
    user: str = "clusterviz"
    data: Path | None = None  # the cluster's folder: its postmaster.pid names the server
    _count: int = 0

    def url(self, name: str = "postgres") -> str:
        return f"postgres://{self.user}@{self.host}:{self.port}/{name}"

    def create_database(self, prefix: str = "clusterviz") -> str:
        """A new empty database; its URL."""
        import psycopg
        self._count += 1
        name = f"{prefix}_{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def server_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError, TypeError):
            return None


def _as_postgres_user() -> dict:
    """subprocess arguments that drop root to the `postgres` user (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("PostgreSQL: running as root and there is no `postgres` user to run "
                          "the server as (install Debian's postgresql package)") from None
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


@contextmanager
def postgres() -> Iterator[PostgreSQL]:
    """A PostgreSQL server of its own, in a temporary folder, stopped and removed at the end."""
    bindir = postgres_bindir()
    if bindir is None:
        raise Unavailable("PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb "
                          "(make test installs Debian's postgresql)")
    drop = _as_postgres_user()
    root = Path(tempfile.mkdtemp(prefix="clusterviz-pg-"))  # not under a root-only tmp
    if drop:
        os.chown(root, drop["user"], drop["group"])
    port = free_port()
    run = {"cwd": root, "capture_output": True, "text": True, "check": True, **drop}
    subprocess.run([bindir / "initdb", "-D", root / "data", "-U", "clusterviz", "-A", "trust",
                    "-E", "UTF8", "--no-sync"], **run)
    options = (f"-k {root} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")
    subprocess.run([bindir / "pg_ctl", "-D", root / "data", "-o", options, "-l",
                    root / "server.log", "-w", "start"], **run)
    try:
        yield PostgreSQL("127.0.0.1", port, data=root / "data")
    finally:
        subprocess.run([bindir / "pg_ctl", "-D", root / "data", "-m", "immediate", "stop"],
                       **{**run, "check": False})
        shutil.rmtree(root, ignore_errors=True)


# Redis ------------------------------------------------------------------------------------

@dataclass
class Redis:
    url: str
    pid: int


@contextmanager
def redis(workdir: Path) -> Iterator[Redis]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise Unavailable("Redis is not installed: no redis-server on PATH "
                          "(make test installs Debian's redis-server)")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, "redis-server")
        yield Redis(f"redis://127.0.0.1:{port}/0", proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ClusterViz processes ---------------------------------------------------------------------

def app_env(database_url: str, **extra: str) -> dict:
    """The environment of a ClusterViz process on this checkout and that database."""
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(REPO),
           "DJANGO_SETTINGS_MODULE": "clusterviz.settings", "CLUSTERVIZ_TLS_DIR": str(TLS_DIR)}
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


_TOKEN_SCRIPT = ("from django.contrib.auth import get_user_model; "
                 "from clusterviz.classroom import tokens; "
                 "user = get_user_model().objects.get_or_create(username='teacher', "
                 "defaults={'is_staff': True})[0]; print(tokens.issue(user, 'tests'))")


def api_token(env: dict) -> str:
    """A bearer token of the teacher account (made if missing) on that database: the
    clusters `ensure_cluster` makes have no owner, so they are the teachers'."""
    return manage(env, "shell", "-c", _TOKEN_SCRIPT).strip().splitlines()[-1]  # after its notes


def manage(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@dataclass
class Process:
    """A daphne or runsim process with its log file; `stop()` ends it (SIGKILL with kill)."""
    proc: subprocess.Popen
    log: Path
    url: str = ""
    port: int = 0
    tls_url: str = ""  # the Kubernetes API over https, as kubectl needs it
    env: dict = field(default_factory=dict)

    def stop(self, kill: bool = False) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:  # stuck on its way out: the services go next
            self.proc.kill()
            self.proc.wait(timeout=15)

    def output(self) -> str:
        return self.log.read_text()


@dataclass
class Processes:
    """Starts processes in a folder and stops whatever is still running at the end."""
    workdir: Path
    started: list[Process] = field(default_factory=list)

    def _spawn(self, argv: list, env: dict, name: str) -> tuple[subprocess.Popen, Path]:
        log = self.workdir / f"{name}-{len(self.started)}.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=out,
                                    stderr=subprocess.STDOUT)
        return proc, log

    def daphne(self, env: dict, port: int | None = None) -> Process:
        """A daphne on `port` (or a free one) and a free TLS port, once it answers."""
        for _attempt in range(3):
            server = self._daphne(env, port or free_port(), free_port())
            if answers(server):
                return server
        raise RuntimeError(f"daphne could not bind its ports three times:\n{server.output()}")

    def _daphne(self, env: dict, port: int, tls_port: int) -> Process:
        env = {**env, "CLUSTERVIZ_TLS_PORT": str(tls_port)}
        manage(env, "ensure_tls")
        tls = (f"ssl:port={tls_port}:interface=127.0.0.1:privateKey={TLS_DIR / 'server.key'}"
               f":certKey={TLS_DIR / 'server.crt'}")
        proc, log = self._spawn([BIN / "python", "-m", "clusterviz.serve", "-b", "127.0.0.1",
                                 "-p", str(port), "-e", tls, "clusterviz.asgi:application"],
                                env, "daphne")
        server = Process(proc, log, f"http://127.0.0.1:{port}", port,
                         f"https://127.0.0.1:{tls_port}", env)
        self.started.append(server)
        return server

    def runsim(self, env: dict, *args: str) -> Process:
        proc, log = self._spawn([sys.executable, "manage.py", "runsim", *args], env, "runsim")
        runner = Process(proc, log)
        self.started.append(runner)
        deadline = time.monotonic() + 30
        while "runsim is now running" not in runner.output():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"runsim did not start:\n{runner.output()}")
            time.sleep(0.05)
        return runner

    def stop_all(self) -> None:
        for process in self.started:
            if process.proc.poll() is None:
                process.stop()


def answers(server: Process) -> bool:
    """Whether a starting daphne listens on both its ports and answers; False when another
    process took one of them between our pick and daphne's bind (daphne's log says so, and
    it stops), so the caller picks others. daphne tries both ports before it accepts a
    connection, so once it has answered its log has any such line."""
    try:
        wait_for_port(server.port, server.proc, "daphne")
        urllib.request.urlopen(server.url + "/", timeout=10).read()  # first request
    except (RuntimeError, OSError):
        if "Listen failure" not in server.output():
            raise
    if "Listen failure" in server.output():
        server.stop()
        return False
    return True


# Reading a database the way the app left it -------------------------------------------------

def query(database_url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of `sql` (with %s placeholders) on a SQLite or PostgreSQL URL."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        return conn.execute(sql, params).fetchall()


def change_log_rvs(database_url: str, slug: str) -> tuple[list[int], int]:
    """The rvs in a cluster's change log, and the cluster's stored resourceVersion."""
    rows = query(database_url, "SELECT c.rv FROM clusters_change c JOIN clusters_cluster k "
                 "ON k.id = c.cluster_id WHERE k.slug = %s ORDER BY c.rv", (slug,))
    stored = query(database_url, "SELECT resource_version FROM clusters_cluster WHERE slug = %s",
                   (slug,))
    return [r[0] for r in rows], stored[0][0]
