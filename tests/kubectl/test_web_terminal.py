"""The Terminal tab end to end: a real daphne, its websocket, the sandboxed bundled kubectl.

Hostile command lines (the probe's payloads and every spelling of each flag that
reads a file or names another server) must print no server file and send no
request anywhere but the cluster's API: a canary file the server can read (world
readable, in a world-readable directory, so only the sandbox keeps it out) and a
listener on 127.0.0.1 that must accept nothing. The lecture's commands still work,
a watch ends with its socket, and the per-person cap refuses with a message.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import websocket
import yaml

from clusterviz.dashboard import webkubectl
from clusterviz.dashboard.webkubectl import Command
from tests.kubectl.kubectl_fixtures import LECTURE, teacher_cookies

pytest_plugins = ["kubectl_fixtures"]  # fixtures; see kubectl_fixtures.py for why not conftest.py

PASSWD_LINE = "root:x:0:0:"  # the first line of every Debian /etc/passwd


@pytest.fixture(scope="module")
def canary() -> Iterator[tuple[Path, str]]:
    """A file the server process can read, as can any user: only the sandbox hides it."""
    folder = Path(tempfile.mkdtemp(prefix="terminal-canary-"))
    folder.chmod(0o755)
    text = f"canary-{uuid.uuid4().hex}"
    path = folder / "canary.txt"
    path.write_text(f"{text}\n")
    path.chmod(0o644)
    yield path, text
    path.unlink()
    folder.rmdir()


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.sock.accept()
                self.accepted += 1
                conn.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    foreign = Listener()
    yield foreign
    foreign.sock.close()


@pytest.fixture
def slug(kubectl) -> str:
    """The test's own cluster (the kubectl fixture made it), with the lecture's web pods."""
    kubectl("apply", "-f", "rs-node-web.yaml", "-f", "svc-none-node-web.yaml")
    return yaml.safe_load(kubectl.kubeconfig.read_text())["current-context"]


class Terminal:
    """One Terminal tab: a websocket to /ws/clusters/<slug>/kubectl."""

    def __init__(self, server, slug: str) -> None:
        url = server.url.replace("http://", "ws://") + f"/ws/clusters/{slug}/kubectl"
        session = teacher_cookies(server.url)[0]["value"]  # the page's signed-in teacher
        self.ws = websocket.create_connection(url, origin=server.url, timeout=60,
                                              cookie=f"sessionid={session}")

    def start(self, line: str, stdin: str = "") -> None:
        self.ws.send(json.dumps({"type": "run", "command": line, "stdin": stdin}))

    def next(self) -> dict:
        return json.loads(self.ws.recv())

    def run(self, line: str, stdin: str = "") -> tuple[str, object]:
        """What the page shows for `line`: its text, and the exit code or "refused"."""
        self.start(line, stdin)
        shown = []
        while True:
            message = self.next()
            if message["type"] == "output":
                shown.append(message["data"])
            elif message["type"] == "refused":
                return message["message"], "refused"
            elif message["type"] == "exit":
                return "".join(shown), message["code"]

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def terminal(server, slug) -> Iterator[Terminal]:
    tab = Terminal(server, slug)
    yield tab
    tab.close()


def _payloads(canary: Path, port: int) -> list[str]:
    foreign = f"http://127.0.0.1:{port}"
    files = [str(canary), "/etc/passwd"]
    lines = [
        "get pods -Aogo-template-file={f}", "get pods -Ao go-template-file={f}",
        "get nodes -Aojsonpath-file={f}", "get pods -o custom-columns-file={f}",
        "get pods -o templatefile={f}", "get pods -o go-template-file --template={f}",
        "get pods -o=jsonpath-file={f}", "get pods --output=go-template-file={f}",
        "apply -Rf {f}", "apply -f {f}", "apply -f{f}", "apply -f={f}", "apply --filename={f}",
        "apply --filename {f}", "apply -Af {f}", "get pods -Afalse", "get -f {f}",
        "describe -f {f}", "delete -f {f}", "create -f {f}", "apply -k {d}",
        "get pods --kubeconfig={f}", "--kubeconfig {f} get pods", "get pods --certificate-authority={f}",
        "get pods --client-key={f}", "get pods --raw={f}", "get --raw /api",
        "get pods --kuberc={f}", "get pods -- -f {f}",
        "get pods -As {u}", "get pods -s{u}", "get pods -s={u}", "get pods --server={u}",
        "get pods --server {u}", "-s {u} get pods", "get pods --proxy-url={u}",
        "get pods --serv={u}", "get pods --context=x --cluster=y", "get pods -- --server={u}",
        "get pods --token=x --server={u}", "exec web -f {f} -- ls",
    ]
    out = []
    for line in lines:
        for f in files:
            out.append(line.format(f=f, d=os.path.dirname(f), u=foreign))
    return sorted(set(out))


def test_hostile_command_lines_print_no_server_file_and_reach_no_other_address(
        server, terminal, canary, listener):
    path, text = canary
    for line in _payloads(path, listener.port):
        shown, code = terminal.run(f"kubectl {line}")
        assert text not in shown and PASSWD_LINE not in shown, (line, shown)
        if " -- " not in line:  # after `--` the words are resource names: kubectl runs
            assert code == "refused", (line, shown)  # nothing started
    assert listener.accepted == 0


def test_the_sandbox_hides_server_files_even_from_a_command_the_checks_would_refuse(
        server, slug, canary, listener, kubectl):
    """Straight to the runner, past `parse`: the sandbox alone keeps the file out. The same
    words given to an unsandboxed kubectl print the canary (the test can fail)."""
    path, text = canary
    args = ["get", "nodes", "-o", f"go-template-file={path}"]
    shown, code = asyncio.run(_run_sandboxed(Command(args, "get", False, False), slug, kubectl))
    assert text not in shown and code != 0
    assert f"open {path}: no such file or directory" in shown
    plain = subprocess.run([str(webkubectl.KUBECTL), f"--kubeconfig={kubectl.kubeconfig}", *args],
                           capture_output=True, text=True, timeout=60)
    assert text in plain.stdout


def _access(kubectl) -> webkubectl.Access:
    """The teacher's address, token and CA from the test's kubeconfig, as `grant` gives."""
    config = yaml.safe_load(kubectl.kubeconfig.read_text())
    cluster, user = config["clusters"][0], config["users"][0]
    return webkubectl.Access(cluster["cluster"]["server"].split("/k8s/")[0],
                             user["name"].split("@")[0], user["user"]["token"],
                             base64.b64decode(cluster["cluster"]["certificate-authority-data"]))


async def _run_sandboxed(command: Command, slug: str, kubectl) -> tuple[str, int | None]:
    shown: list[str] = []

    async def emit(stream: str, data: str) -> None:
        shown.append(data)
    code = await webkubectl.run(command, slug, _access(kubectl), "", emit, asyncio.Event(),
                                "test")
    return "".join(shown), code


def test_the_lecture_commands_run_through_the_terminal(terminal, kubectl):
    kubectl.until(lambda out: out.count(" Running ") == 3, "get", "pods")
    pod = kubectl("get", "pods", "-o", "name").stdout.split()[0].split("/")[1]
    shown, code = terminal.run("kubectl get pods -o wide")
    assert code == 0 and shown.splitlines()[0].split()[:3] == ["NAME", "READY", "STATUS"]
    assert shown.count("rs-node-web-") == 3
    shown, code = terminal.run("kubectl get svc")
    assert code == 0 and "svc-node" in shown
    shown, code = terminal.run("kubectl get endpoints svc-node")
    assert code == 0 and any(row.startswith("svc-node ") for row in shown.splitlines())
    shown, code = terminal.run(f"kubectl describe pod {pod}")
    assert code == 0 and shown.startswith(f"Name:             {pod}\n")
    shown, code = terminal.run(f"kubectl exec {pod} -- curl -s http://svc-node")
    assert code == 0 and shown.startswith("You've hit rs-node-web-")
    shown, code = terminal.run(f"kubectl logs {pod}")
    assert code == 0
    plain = kubectl("explain", "pods", check=False)  # as far as this API serves OpenAPI
    assert terminal.run("kubectl explain pods") == (plain.stdout + plain.stderr, plain.returncode)
    shown, code = terminal.run("kubectl -n kube-system get pods -Aowide")
    assert code == 0 and "kube-proxy-" in shown


def test_apply_reads_the_pasted_text(terminal):
    text = (LECTURE / "svc-headless-node-web.yaml").read_text()
    shown, code = terminal.run("kubectl apply -f -", stdin=text)
    assert (shown, code) == ("service/svc-node-headless created\n", 0)


def _descendants(pid: int) -> list[str]:
    """The names of the processes below `pid` (from /proc)."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                names[int(entry.name)] = stat[stat.index("(") + 1:stat.rindex(")")]
                parents[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
    found, frontier = [], {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier}
        found += [names[p] for p in frontier]
    return found


def _until(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_watches_end_when_their_sockets_close_and_a_fourth_is_refused(server, slug):
    tabs = [Terminal(server, slug) for _ in range(4)]
    try:
        for tab in tabs[:3]:
            tab.start("kubectl get pods -w")
            assert tab.next()["type"] == "output"  # the watch is running
        shown, code = tabs[3].run("kubectl get pods")
        assert (shown, code) == ("refused: you already have 3 kubectl commands running (in "
                                 "other tabs or windows); stop one first", "refused")
        assert _descendants(server.pid).count("kubectl") == 3
    finally:
        for tab in tabs:
            tab.close()
    assert _until(lambda: not {"kubectl", "bwrap"} & set(_descendants(server.pid))), \
        _descendants(server.pid)
    again = Terminal(server, slug)
    try:
        assert again.run("kubectl get pods")[1] == 0  # the slots were given back
    finally:
        again.close()


def test_a_command_that_does_not_stream_is_stopped_at_its_time_limit(server, slug, kubectl,
                                                                    monkeypatch):
    monkeypatch.setattr(webkubectl, "TIMEOUT_SECONDS", 1.0)
    command = Command(["get", "pods", "--watch=true"], "get", False, False)
    shown, code = asyncio.run(_run_sandboxed(command, slug, kubectl))
    assert code is None and shown.endswith("\n[time limit of 1 s reached: kubectl was stopped]\n")
