"""Streams under the bundled kubectl: exec's stdin and refusals, interactive shells through a
pseudo-terminal, `kubectl cp` both ways, and `kubectl port-forward` to pods and Services.

The clusters run at ten times real speed (see test_streaming.py), so a pod's 30 s grace
period takes 3 s and a curl that would hang for 127 s takes under 13.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import pty
import select
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import websocket
import yaml
from autobahn.twisted.websocket import WebSocketServerFactory
from test_streaming import _fast_cluster, _pods

from bench import stack

pytest_plugins = ["kubectl_fixtures"]

KUBECTL = Path(sys.executable).parent / "kubectl"


@pytest.fixture(scope="module")
def cluster(server, cache_dir, tmp_path_factory):
    """One fast cluster with the node-web pods and svc-node: (kubectl, [(pod, ip), ...])."""
    kubectl = _fast_cluster(server, cache_dir, tmp_path_factory.mktemp("streams"))
    kubectl("create", "-f", "rs-node-web.yaml")
    kubectl("apply", "-f", "svc-clientip-node-web.yaml")
    return kubectl, _pods(kubectl)


def _argv(kubectl, *args: str) -> list[str]:
    return [str(KUBECTL), "--kubeconfig", str(kubectl.kubeconfig), "--cache-dir",
            str(kubectl.cache_dir), *args]


# exec's stdin ------------------------------------------------------------------------------
@pytest.mark.parametrize("command, stdin, stdout", [
    pytest.param(["cat"], "hi\nthere\n", "hi\nthere\n", id="cat"),
    pytest.param(["sh", "-c", "read x; echo got $x"], "hi\n", "got hi\n", id="read"),
    pytest.param(["sh", "-c", "cat > /tmp/in; cat /tmp/in /tmp/in"], "a\n", "a\na\n",
                 id="into-a-file"),
    pytest.param(["echo", "at once"], None, "at once\n", id="no-reader-does-not-wait"),
])
def test_exec_i_passes_stdin(cluster, command, stdin, stdout):
    kubectl, web = cluster
    proc = subprocess.run(_argv(kubectl, "exec", "-i", web[0][0], "--", *command),
                          input=stdin, capture_output=True, text=True, timeout=30,
                          stdin=None if stdin is not None else subprocess.PIPE)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, stdout, "")


def test_python_client_stream_with_stdin(cluster, server):
    from kubernetes import client, config
    from kubernetes.stream import stream
    kubectl, web = cluster
    api = client.CoreV1Api(config.new_client_from_config(str(kubectl.kubeconfig)))
    resp = stream(api.connect_get_namespaced_pod_exec, web[0][0], "default", command=["cat"],
                  stdin=True, stdout=True, stderr=True, tty=False, _preload_content=False)
    resp.write_stdin("from python\n")
    resp.close_channel(0)  # v5: the end of stdin
    out = ""
    deadline = time.monotonic() + 20
    while resp.is_open() and time.monotonic() < deadline:
        resp.update(timeout=1)
        out += resp.read_stdout() if resp.peek_stdout() else ""
    assert out == "from python\n"
    assert resp.returncode == 0


# refusals -----------------------------------------------------------------------------------
def _raw_handshake(kubectl, path: str, protocol: str) -> tuple[str, bytes]:
    """A websocket handshake to the API path as kubectl sends it (TLS, the token); the
    status line and the body daphne answers a refusal with."""
    parts = urllib.parse.urlsplit(kubectl.server_url())
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as raw, \
            kubectl.ssl_context().wrap_socket(raw, server_hostname=parts.hostname) as sock:
        sock.sendall((f"GET {parts.path}{path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      f"Authorization: Bearer {kubectl.token()}\r\n"
                      f"Sec-WebSocket-Protocol: {protocol}\r\n\r\n").encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body


def test_daphne_answers_a_refused_exec_with_the_status(cluster):
    kubectl, web = cluster
    prefix = "/api/v1/namespaces/default/pods"
    line, body = _raw_handshake(kubectl, f"{prefix}/gone/exec?command=ls&stdout=true",
                                "v5.channel.k8s.io")
    assert line == "HTTP/1.1 404 Not Found"
    assert json.loads(body)["message"] == 'pods "gone" not found'
    line, body = _raw_handshake(kubectl, f"{prefix}/{web[0][0]}/exec?command=ls",
                                "v4.channel.k8s.io")
    assert (line, body) == ("HTTP/1.1 400 Bad Request",
                            b"you must specify at least 1 of stdin, stdout, stderr")
    done = kubectl("exec", "gone", "--", "ls", check=False)
    assert (done.returncode, done.stderr) == (1, 'Error from server (NotFound): pods "gone" '
                                                 'not found\n')


# interactive shells ------------------------------------------------------------------------
class Terminal:
    """kubectl on a pseudo-terminal, as a student's shell runs it."""

    def __init__(self, argv: list[str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                     close_fds=True)
        os.close(slave)
        self.screen = b""

    def expect(self, token: str, timeout: float = 20.0) -> str:
        """The screen once `token` appears on it after what was read before."""
        start = len(self.screen)
        deadline = time.monotonic() + timeout
        while token.encode() not in self.screen[start:] and time.monotonic() < deadline:
            if select.select([self.master], [], [], 0.2)[0]:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:
                    break
        assert token.encode() in self.screen[start:], self.screen.decode(errors="replace")
        return self.screen.decode(errors="replace")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self, timeout: float = 20.0) -> tuple[int, str]:
        code = self.proc.wait(timeout=timeout)
        while select.select([self.master], [], [], 0.2)[0]:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                break
            if not data:
                break
            self.screen += data
        os.close(self.master)
        return code, self.screen.decode(errors="replace")


def test_an_interactive_sh_with_a_curl_and_ctrl_c(cluster):
    kubectl, web = cluster
    (pod, _), (target, ip) = web[0], web[1]
    term = Terminal(_argv(kubectl, "exec", "-it", pod, "--", "sh"))
    term.expect("# ")
    term.type("echo hellp\x7fo\r")
    assert term.expect("# ").endswith("# echo hellp\b \bo\r\nhello\r\n# ")
    term.type(f"curl -s {ip}:8080\r")
    assert term.expect("# ").endswith(f"You've hit {target}\r\n# ")
    term.type("curl -s 10.1.2.3\r")  # nothing answers: it hangs until Ctrl-C
    term.expect("curl -s 10.1.2.3\r\n")
    term.type("\x03")
    assert term.expect("# ").endswith("10.1.2.3\r\n^C\r\n# ")
    term.type("exit\r")
    code, screen = term.finish()
    assert code == 130  # the shell exits with $?, the interrupted curl's 130
    assert screen.endswith("# exit\r\ncommand terminated with exit code 130\r\n")


def test_bash_prompt_and_ctrl_d(cluster):
    kubectl, web = cluster
    pod = web[0][0]
    term = Terminal(_argv(kubectl, "exec", "-it", pod, "--", "bash"))
    term.expect(f"root@{pod}:/# ")
    term.type("x=1\x15echo $HOSTNAME\r")
    assert term.expect(f"root@{pod}:/# ").endswith(f"echo $HOSTNAME\r\n{pod}\r\nroot@{pod}:/# ")
    term.type("\x04")
    code, screen = term.finish()
    assert (code, screen.endswith(f"root@{pod}:/# exit\r\n")) == (0, True)


def test_the_session_ends_when_the_pod_goes(server, cache_dir, tmp_path):
    kubectl = _fast_cluster(server, cache_dir, tmp_path)
    kubectl("run", "lonely", "--image=whatwant/node-web:1.0")
    kubectl.until(lambda out: "Running" in out, "get", "pod", "lonely")
    term = Terminal(_argv(kubectl, "exec", "-it", "lonely", "--", "sh"))
    term.expect("# ")
    kubectl("delete", "pod", "lonely", "--wait=false")
    code, screen = term.finish(timeout=30)
    assert code == 137
    assert screen.endswith("command terminated with exit code 137\r\n")


# how an exec's connection ends ----------------------------------------------------------
# autobahn's own limit for the client's answer to a close frame (clusterviz/orderlyclose.py)
CLOSE_HANDSHAKE_TIMEOUT = WebSocketServerFactory().closeHandshakeTimeout


@pytest.mark.parametrize("answer_after", [
    pytest.param(0.0, id="client-answers-the-close-at-once"),
    pytest.param(CLOSE_HANDSHAKE_TIMEOUT + 0.5, id="client-answers-after-the-timeout"),
])
def test_an_exec_ends_with_the_close_frame_and_an_orderly_end(cluster, tmp_path, answer_after):
    """The status, the close frame, then TLS's close_notify and a FIN, as the API server
    ends it; never a reset, which made a slow kubectl lose the close frame and print
    `Copying stdout failed ... connection reset by peer` (issue 18's CI run)."""
    kubectl, web = cluster
    ca = tmp_path / "ca.pem"
    ca.write_bytes(base64.b64decode(yaml.safe_load(kubectl.kubeconfig.read_text())
                                    ["clusters"][0]["cluster"]["certificate-authority-data"]))
    ws = websocket.create_connection(
        kubectl.server_url().replace("https://", "wss://")
        + f"/api/v1/namespaces/default/pods/{web[0][0]}/exec?command=echo&command=hi"
        "&stdout=true&stderr=true", subprotocols=["v5.channel.k8s.io"],
        header=[f"Authorization: Bearer {kubectl.token()}"],
        sslopt={"ca_certs": str(ca), "suppress_ragged_eofs": False})
    frames = [ws.recv_frame()]
    while frames[-1].opcode != websocket.ABNF.OPCODE_CLOSE:
        frames.append(ws.recv_frame())
    time.sleep(answer_after)  # a kubectl the machine's load keeps from reading
    with contextlib.suppress(OSError, websocket.WebSocketException):
        ws.send_close()  # too late, after the timeout: the server has closed already
    try:
        end = ws.sock.recv(1)
    except OSError as exc:  # SSLEOFError: no close_notify; ConnectionResetError: a reset
        end = repr(exc)
    assert [(f.opcode, f.data) for f in frames] == [
        (2, b"\x01"), (2, b"\x01hi\n"), (2, b'\x03{"metadata":{},"status":"Success"}'),
        (8, b"\x03\xe8")]
    assert end == b""


# kubectl cp --------------------------------------------------------------------------------
def test_kubectl_cp_both_ways(cluster, tmp_path):
    kubectl, web = cluster
    pod = web[0][0]
    (tmp_path / "notes.txt").write_text("line one\n")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "inner.txt").write_text("inner\n")
    for name in ("notes.txt", "blob.bin", "dir"):
        done = kubectl("cp", str(tmp_path / name), f"{pod}:/tmp/{name}")
        assert (done.stdout, done.stderr) == ("", "")
    assert kubectl("exec", pod, "--", "cat", "/tmp/notes.txt", "/tmp/dir/inner.txt").stdout == \
        "line one\ninner\n"
    back = tmp_path / "back"
    back.mkdir()
    for name in ("notes.txt", "blob.bin", "dir"):
        done = kubectl("cp", f"{pod}:/tmp/{name}", str(back / name))
        assert done.stdout == "tar: Removing leading `/' from member names\n"
    assert (back / "notes.txt").read_text() == "line one\n"
    assert (back / "blob.bin").read_bytes() == bytes(range(256)) * 8
    assert (back / "dir" / "inner.txt").read_text() == "inner\n"


def test_kubectl_cp_into_a_directory_keeps_the_name(cluster, tmp_path):
    kubectl, web = cluster
    pod = web[1][0]
    (tmp_path / "keep.txt").write_text("kept\n")
    kubectl("cp", str(tmp_path / "keep.txt"), f"{pod}:/tmp")
    assert kubectl("exec", pod, "--", "cat", "/tmp/keep.txt").stdout == "kept\n"


# kubectl port-forward -------------------------------------------------------------------
def _forward(kubectl, target: str, remote: int):
    """(the process, the local port) once kubectl says it forwards."""
    local = stack.free_port()
    proc = subprocess.Popen(_argv(kubectl, "port-forward", target, f"{local}:{remote}"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    assert first == f"Forwarding from 127.0.0.1:{local} -> {remote if '/' in target else ''}" \
        or first.startswith(f"Forwarding from 127.0.0.1:{local} -> "), first
    return proc, local


@pytest.mark.parametrize("target, remote, hit", [
    pytest.param("pod/{pod}", 8080, "{pod}", id="pod"),
    pytest.param("svc/svc-node", 80, None, id="service"),
])
def test_port_forward_reaches_the_pod(cluster, target, remote, hit):
    kubectl, web = cluster
    pods = [name for name, _ in web]
    proc, local = _forward(kubectl, target.format(pod=pods[0]), remote)
    try:
        for _ in range(2):  # two connections, one after the other
            with urllib.request.urlopen(f"http://127.0.0.1:{local}/", timeout=20) as reply:
                body = reply.read().decode()
            assert body.startswith("You've hit ")
            assert body.removeprefix("You've hit ").strip() in (
                [hit.format(pod=pods[0])] if hit else pods)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_port_forward_to_a_port_nothing_listens_on(cluster):
    kubectl, web = cluster
    proc, local = _forward(kubectl, f"pod/{web[0][0]}", 9999)
    try:
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{local}/", timeout=20).read()
        _, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert "error forwarding port 9999 to pod " in stderr
    assert "E connect(5, AF=2 127.0.0.1:9999, 16): Connection refused" in stderr
    assert stderr.endswith("error: lost connection to pod\n")


def test_port_forward_over_spdy_is_refused_cleanly(cluster, monkeypatch):
    kubectl, web = cluster
    monkeypatch.setenv("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false")
    done = kubectl("port-forward", f"pod/{web[0][0]}", f"{stack.free_port()}:8080", check=False)
    assert done.returncode == 1
    assert done.stderr == ("error: error upgrading connection: unable to upgrade connection: "
                           "port-forward is only available over WebSocket "
                           "(SPDY/3.1+portforward.k8s.io); use kubectl >= 1.30\n")


def test_python_client_portforward(cluster):
    from kubernetes import client, config
    from kubernetes.stream import portforward
    kubectl, web = cluster
    api = client.CoreV1Api(config.new_client_from_config(str(kubectl.kubeconfig)))
    forward = portforward(api.connect_get_namespaced_pod_portforward, web[0][0], "default",
                          ports="8080")
    sock = forward.socket(8080)
    sock.setblocking(True)
    sock.settimeout(20)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    sock.close()
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert f"You've hit {web[0][0]}\n".encode() in data
    assert forward.error(8080) is None
