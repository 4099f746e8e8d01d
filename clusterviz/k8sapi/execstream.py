"""`pods/exec` over WebSocket: kubectl's channel protocol in front of `sim.exec`.

kubectl 1.30 and newer open `GET .../pods/<name>/exec?command=...` as a
WebSocket offering `v5.channel.k8s.io` (the Python client offers v5 and
v4). Each binary message starts with its channel: 0 stdin, 1 stdout,
2 stderr, 3 the final status, 4 terminal size, 255 (v5) a stream closing.
The kubelet's older protocols are served too: `v4.channel.k8s.io` (the
same status JSON), `channel.k8s.io` (v1: the status is the error text, and
nothing on success) and their base64 variants, text messages whose first
character is the channel digit. The server picks the first protocol in
the client's list that it knows; a client that names none gets v1 framing.

One exec, in order (as the real API server answers kubectl, verified request by request):
1. before accepting, the API server's checks: the pod exists, the container
   is valid (or the only one), the pod has a node. A refusal answers the
   handshake as the API server does, its HTTP status and Status JSON
   (denial.py; daphne alone could only say `403 Access denied`). kubectl
   then falls back to SPDY, and the SPDY POST is answered by `refuse_spdy`,
   which runs the same checks, so the user reads the API server's own error
   (`Error from server (NotFound): pods "x" not found`); with all checks
   passed, SPDY gets a clean 400 explaining that exec needs WebSocket (what
   kubectl 1.29 and older see). Asking for no stream at all is the
   kubelet's refusal, `you must specify at least 1 of stdin, stdout,
   stderr`: a plain-text 400 at the handshake, except over v5, where the
   API server's stream translator has already upgraded and reports it as an
   InternalError status (apiserver util/proxy/streamtranslator.go);
2. accept, echoing the protocol, and send an empty frame on the lowest
   writable channel, as the kubelet does to say the streams are open;
3. run the command through the runtime in a worker thread
   (`runtime.run(..., force_save=True)`): an exec changes engine state that
   is not an object (files: `touch /var/ready`; conntrack and session
   affinity; the log line of the pod that answered a curl), and all of it
   must be saved like any write. simcore runs the command at once and says
   when each piece of output was written (virtual seconds from its start);
4. send its output at those moments, in wall time at the cluster's clock
   speed (x1 when paused: a paused clock stops the controllers, not the
   user's terminal), so `curl -m 2` to an address nothing answers takes
   its two seconds, as on a real cluster (a tty puts everything on stdout,
   as a terminal would), then exactly one status when the command ends: Success, or Failure `NonZeroExitCode` with the
   exit code as the `ExitCode` cause (kubectl prints `command terminated
   with exit code 28` and exits 28), or the runtime's refusal (containerd's
   missing executable) as an InternalError that kubectl prints as `error:`;
5. wait 100 ms, then close with 1000. Closing at once races kubectl's stdin
   and resize goroutines under a tty (`websocket: close sent`); waiting for
   the client to hang up stalls non-tty kubectl until its timeout.

Standard input: an exec with `stdin=true` whose command reads it (`cat`,
`tar x`, `sh -c 'read x'`; simcore's `reads_stdin` says which) waits until
the input ends, v5's CLOSE frame for channel 0 (`echo hi | kubectl exec -i`,
the Python client's `close_channel(0)`), or, for protocols that cannot say
so, a second of silence; the command then runs with all of it (bounded by
MAX_STDIN). A command that reads nothing runs at once, so `kubectl exec -i
pod -- ls` at a terminal does not wait for Ctrl-D. Under a tty with stdin,
an interactive shell (`-it ... -- sh`) is a conversation instead
(execsession.py).

A command that never ends (`curl` to an address nothing answers, without
`-m`) shows what it printed and then hangs, like the real one: with a tty,
Ctrl-C arrives as `\\x03` on stdin and ends it with 130 (the terminal echoes
`^C`), also while its output is still being paced; otherwise it lasts until
the client hangs up.

Every exec's trace (`simcore` records each hop) is stored as a
`RequestTrace` for the dashboard.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import HttpRequest, HttpResponse

from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import ClusterNotFound, offload, run
from clusterviz.k8sapi import denial
from clusterviz.k8sapi.access import check_socket_access
from clusterviz.k8sapi.discovery import find
from clusterviz.k8sapi.execsession import ShellConversation, open_shell
from clusterviz.k8sapi.routing import Route
from clusterviz.k8sapi.watch import query_bool
from clusterviz.traces.models import record
from simcore import ExecResult, errors
from simcore.exec import tty
from simcore.exec.shell import reads_stdin
from simcore.simulation import ShellSession

log = logging.getLogger(__name__)

STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
CTRL_C = b"\x03"
INTERRUPTED = 130
CLOSE_DELAY = 0.1  # seconds between the status and the close (see step 5)
STDIN_QUIET = 1.0  # seconds of silence that end stdin where the protocol cannot say it
MAX_STDIN = 64 * 1024 * 1024  # bytes of stdin one exec keeps (a `kubectl cp` archive)
PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io", "v4.base64.channel.k8s.io",
             "channel.k8s.io", "base64.channel.k8s.io")
# the kubelet's words (remotecommand.NewOptions), answered after the API server's checks
NO_STREAMS = "you must specify at least 1 of stdin, stdout, stderr"
SPDY_REFUSAL = ("exec is only available over WebSocket (v5.channel.k8s.io); "
                "use kubectl >= 1.30")


# framing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Framing:
    """One negotiated subprotocol: how frames are written and how the status is told."""

    protocol: str  # "" when the client offered none

    @property
    def base64(self) -> bool:
        return "base64." in self.protocol

    @property
    def stdin_closes(self) -> bool:
        """Can the client say its stdin ended (v5's CLOSE frame)?"""
        return self.protocol.startswith("v5.")

    @property
    def json_status(self) -> bool:
        return self.protocol.startswith(("v4.", "v5."))

    def encode(self, channel: int, data: bytes) -> dict:
        """The `send()` arguments of one frame."""
        if self.base64:
            return {"text_data": str(channel) + base64.b64encode(data).decode("ascii")}
        return {"bytes_data": bytes([channel]) + data}

    def decode(self, text_data: str | None, bytes_data: bytes | None) -> tuple[int, bytes] | None:
        if self.base64 and text_data:
            try:
                return int(text_data[0]), base64.b64decode(text_data[1:])
            except ValueError:
                return None
        if text_data and not bytes_data:
            # the Python client writes stdin as text messages, the channel as their first
            # character; the kubelet reads a message's bytes whatever its opcode
            bytes_data = text_data.encode("utf-8")
        if bytes_data:
            return bytes_data[0], bytes_data[1:]
        return None

    def status_frames(self, status: dict) -> list[tuple[int, bytes]]:
        """The error channel's content: the Status as JSON (v4, v5), or its message (v1)."""
        if self.json_status:
            return [(ERROR, json.dumps(status, separators=(",", ":")).encode())]
        if status.get("status") == "Success":
            return []
        return [(ERROR, status.get("message", "").encode())]


def negotiate(offered: list[str]) -> Framing | None:
    """The first offered protocol this server speaks; None when it speaks none of them."""
    if not offered:
        return Framing("")
    for protocol in offered:
        if protocol in PROTOCOLS:
            return Framing(protocol)
    return None


# statuses ---------------------------------------------------------------------------------
def success() -> dict:
    return {"metadata": {}, "status": "Success"}


def exit_failure(argv: tuple[str, ...], code: int) -> dict:
    command = "[" + " ".join(argv) + "]"
    return {"metadata": {}, "status": "Failure",
            "message": "command terminated with non-zero exit code: error executing command "
                       f"{command}, exit code {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


def internal_error(message: str) -> dict:
    cause = message.removeprefix("Internal error occurred: ")
    return {"metadata": {}, "status": "Failure", "message": f"Internal error occurred: {cause}",
            "reason": "InternalError", "details": {"causes": [{"message": cause}]}, "code": 500}


def failure(message: str) -> dict:
    return {"metadata": {}, "status": "Failure", "message": message}


# the request ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExecOptions:
    command: tuple[str, ...]
    container: str | None = None
    stdin: bool = False
    stdout: bool = False
    stderr: bool = False
    tty: bool = False

    @property
    def any_stream(self) -> bool:
        return self.stdin or self.stdout or self.stderr

    @classmethod
    def from_query(cls, query: dict[str, list[str]]) -> ExecOptions:
        def flag(name: str) -> bool:
            return query_bool((query.get(name) or [""])[-1])
        return cls(command=tuple(query.get("command") or ()),
                   container=(query.get("container") or [""])[-1] or None,
                   stdin=flag("stdin"), stdout=flag("stdout"), stderr=flag("stderr"),
                   tty=flag("tty"))


def precheck(slug: str, namespace: str, pod_name: str, options: ExecOptions) -> str:
    """The container the exec runs in, after the API server's checks (raises their Status)."""
    if not options.command:
        raise errors.bad_request("you must specify at least 1 command")

    container = run(slug, lambda sim: sim.exec_container(pod_name, namespace,
                                                         options.container))
    if not options.any_stream:
        raise errors.bad_request(NO_STREAMS)
    return container


def refusal_of(slug: str, namespace: str, pod_name: str, options: ExecOptions) -> dict | None:
    """The Status the API server would refuse this exec with, or None."""
    try:
        precheck(slug, namespace, pod_name, options)
    except errors.APIError as exc:
        return exc.status
    except ClusterNotFound:
        return errors.status(404, "NotFound", "the server could not find the requested resource")
    return None


def refuse_spdy(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    """Exec over plain HTTP (SPDY, kubectl <= 1.29 or its fallback): the checks, then 400."""
    options = ExecOptions.from_query({k: request.GET.getlist(k) for k in request.GET})
    namespace, name = route.namespaced_name()
    refusal = refusal_of(slug, namespace, name, options)
    if refusal is not None:
        raise errors.APIError(refusal)
    upgrade = request.headers.get("Upgrade", "")
    if request.method == "POST" or "spdy" in upgrade.lower():
        raise errors.bad_request(SPDY_REFUSAL)
    raise errors.bad_request("Upgrade request required")


# running ----------------------------------------------------------------------------------
@dataclass
class Outcome:
    frames: list[tuple[int, bytes, float]] = field(default_factory=list)  # channel, data, at
    status: dict = field(default_factory=success)
    hangs: bool = False
    duration: float = 0.0  # virtual seconds until the command ended
    speed: float = 1.0  # virtual seconds per wall second

    def wall(self, at: float) -> float:
        """Wall seconds from the start until virtual offset `at`."""
        return at / self.speed


def execute(slug: str, namespace: str, pod_name: str, container: str,
            options: ExecOptions, stdin: str = "") -> Outcome:
    """Run the command in the cluster (saving what it changed) and record its trace."""
    argv = list(options.command)
    result = run(slug, lambda sim: sim.exec(pod_name, argv, namespace, container, options.tty,
                                            stdin), force_save=True)
    outcome = _outcome(result, options)
    row = Cluster.objects.filter(slug=slug).values_list("pk", "speed").first()
    cluster_id, speed = row if row is not None else (None, 1.0)
    outcome.speed = speed if speed > 0 else 1.0
    if cluster_id is not None:
        code = INTERRUPTED if result.hangs else result.exit_code
        record(cluster_id, f"kubectl exec {namespace}/{pod_name} -c {container}",
               " ".join(argv), code, result.trace)
    return outcome


def _outcome(result: ExecResult, options: ExecOptions) -> Outcome:
    if result.runtime_error:
        return Outcome(status=internal_error(result.runtime_error))
    refusal = _refusal_text(result)
    if refusal is not None:
        return Outcome(status=failure(refusal))
    frames = _frames(result, options)
    if result.hangs:
        return Outcome(frames, exit_failure(options.command, INTERRUPTED), hangs=True)
    status = success() if result.exit_code == 0 else \
        exit_failure(options.command, result.exit_code)
    return Outcome(frames, status, duration=result.duration)


def _refusal_text(result: ExecResult) -> str | None:
    """simcore words a refusal before anything ran as kubectl prints it (`error: ...`);
    over the protocol it is the status message kubectl prefixes with `error: ` itself."""
    steps = result.trace or []
    if result.exit_code == 1 and not result.stdout and len(steps) == 1 and \
            steps[0].get("step") == "reject" and result.stderr.startswith("error: "):
        return result.stderr.removeprefix("error: ").rstrip("\n")
    return None


def _frames(result: ExecResult, options: ExecOptions) -> list[tuple[int, bytes, float]]:
    """The output as frames, one per stream and moment: writes at one moment to one
    stream reach the client together, as one read of a pipe would."""
    chunks = result.chunks or [("stdout", result.stdout, 0.0), ("stderr", result.stderr, 0.0)]
    frames: list[tuple[int, bytes, float]] = []
    for stream, text, at in chunks:
        channel = STDOUT if options.tty or stream == "stdout" else STDERR
        wanted = options.stdout if channel == STDOUT else options.stderr
        if not text or not wanted:
            continue
        if options.tty:
            text = tty.onlcr(text)  # the container's terminal ends lines with CR LF
        data = text.encode("utf-8", "surrogateescape")  # binary output (tar) as written
        if frames and frames[-1][0] == channel and frames[-1][2] == at:
            frames[-1] = (channel, frames[-1][1] + data, at)
        else:
            frames.append((channel, data, at))
    return frames


# the consumer -----------------------------------------------------------------------------
class ExecConsumer(AsyncWebsocketConsumer):
    """One `kubectl exec`: checks, accept, then a one-shot run or an interactive shell."""

    framing: Framing  # set once negotiated: a socket without one is closed unaccepted

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        self.slug, self.namespace, self.pod = kwargs["slug"], kwargs["namespace"], kwargs["name"]
        framing = negotiate(list(self.scope.get("subprotocols") or []))
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"),
                         keep_blank_values=True)
        self.options = ExecOptions.from_query(query)
        self.interrupted = asyncio.Event()
        self.stdin = StdinBuffer()
        self.shell: ShellConversation | None = None
        self.task: asyncio.Task[None] | None = None
        if framing is None:
            await self.close()  # as x/net/websocket: 403 for a protocol nobody speaks
            return
        self.framing = framing
        if await self._refused():
            return
        await self.accept(subprotocol=self.framing.protocol or None)
        await self._send_frame(self._opening_channel(), b"")
        self.task = asyncio.get_running_loop().create_task(self._start())

    async def _refused(self) -> bool:
        """The API server's and the kubelet's refusals, each as a real server words it."""
        route = Route("resource", "", "v1", find("", "v1", "pods"), self.namespace, self.pod,
                      "exec")
        refusal = await offload(check_socket_access)(self.scope, self.slug, route)
        if refusal is not None:
            await denial.deny_status(self, refusal)
            return True
        try:
            self.container = await offload(precheck)(self.slug, self.namespace, self.pod,
                                                      self.options)
        except ClusterNotFound:
            await denial.deny_status(self, errors.status(
                404, "NotFound", "the server could not find the requested resource"))
            return True
        except errors.APIError as exc:
            if exc.status.get("message") == NO_STREAMS:
                await self._refuse_no_streams()
            else:
                await denial.deny_status(self, exc.status)
            return True
        return False

    async def _refuse_no_streams(self) -> None:
        """The kubelet's 400. Over v5 the API server has already upgraded (its stream
        translator opens the socket, then the kubelet refuses its SPDY request): the
        refusal arrives as an InternalError on the error channel. Older protocols reach
        the kubelet's own handshake: a plain-text 400."""
        if self.framing.protocol != "v5.channel.k8s.io":
            await denial.deny(self, 400, NO_STREAMS.encode(), "text/plain; charset=utf-8")
            return
        await self.accept(subprotocol=self.framing.protocol)
        await self._send_frame(ERROR, b"")
        status = internal_error(f"unable to upgrade connection: {NO_STREAMS}")
        for channel, data in self.framing.status_frames(status):
            await self._send_frame(channel, data)
        await asyncio.sleep(CLOSE_DELAY)
        await self.close(code=1000)

    def _opening_channel(self) -> int:
        if self.options.stdout:
            return STDOUT
        return STDERR if self.options.stderr else ERROR

    async def _start(self) -> None:
        if self.options.tty and self.options.stdin:
            opened = await offload(open_shell)(self.slug, self.namespace, self.pod,
                                                self.container, self.options.command)
            if opened is not None:
                await self._converse(*opened)
                return
        await self._run()

    async def _converse(self, session: ShellSession, prompt: str) -> None:
        async def write(text: str) -> None:
            await self._send_frame(STDOUT, text.encode("utf-8", "surrogateescape"))
        self.shell = ShellConversation(write, self.slug, self.namespace, self.pod,
                                       self.container, session, prompt)
        for data in self.stdin.take_early():
            self.shell.feed(data)
        try:
            code = await self.shell.run()
        except Exception:
            log.exception("shell in %s/%s failed", self.namespace, self.pod)
            code = 1
        status = success() if code == 0 else exit_failure(self.options.command, code)
        await self._finish(status)

    async def _run(self) -> None:
        stdin = ""
        argv = list(self.options.command)
        if self.options.stdin and not self.options.tty and reads_stdin(argv):
            stdin = await self.stdin.until_closed(self.framing.stdin_closes)
        try:
            outcome = await offload(execute)(self.slug, self.namespace, self.pod,
                                              self.container, self.options, stdin)
        except errors.APIError as exc:
            outcome = Outcome(status=failure(exc.status.get("message", "")))
        except Exception:
            log.exception("exec in %s/%s failed", self.namespace, self.pod)
            outcome = Outcome(status=internal_error("the simulator failed to run the command"))
        started = asyncio.get_running_loop().time()
        for channel, data, at in outcome.frames:
            if await self._wait(started + outcome.wall(at)):
                break
            await self._send_frame(channel, data)
        if self.interrupted.is_set() or outcome.hangs or await self._wait(
                started + outcome.wall(outcome.duration)):
            await self.interrupted.wait()  # only a tty's Ctrl-C ends it; else the hang-up
            await self._send_frame(STDOUT, b"^C")
            outcome.status = exit_failure(self.options.command, INTERRUPTED)
        await self._finish(outcome.status)

    async def _wait(self, moment: float) -> bool:
        """Sleep until `moment`; True when a tty's Ctrl-C came first."""
        if self.interrupted.is_set():
            return True
        delay = moment - asyncio.get_running_loop().time()
        if delay <= 0:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.interrupted.wait(), delay)
        return self.interrupted.is_set()

    async def _finish(self, status: dict) -> None:
        for channel, data in self.framing.status_frames(status):
            await self._send_frame(channel, data)
        await asyncio.sleep(CLOSE_DELAY)
        await self.close(code=1000)

    async def _send_frame(self, channel: int, data: bytes) -> None:
        await self.send(**self.framing.encode(channel, data))

    async def receive(self, text_data: str | None = None,
                      bytes_data: bytes | None = None) -> None:
        frame = self.framing.decode(text_data, bytes_data)
        if frame is None:
            return
        channel, data = frame
        if channel == CLOSE and data[:1] == bytes([STDIN]):
            self.stdin.close()
        elif channel != STDIN or not data:
            return  # resize (4) and anything else: accepted, nothing to do
        elif self.shell is not None:
            self.shell.feed(data)
        elif self.options.tty and CTRL_C in data:
            self.interrupted.set()
        else:
            self.stdin.add(data)

    async def disconnect(self, code: int) -> None:
        self.stdin.close()
        if self.task is not None and not self.task.done():
            self.task.cancel()


class StdinBuffer:
    """What the client sent on stdin before the command wanted it, and whether it ended.

    v5 says end of input with a CLOSE frame for channel 0 (kubectl sends it when its
    own stdin ends: `echo hi | kubectl exec -i`); the older protocols have no such
    signal, so there the input counts as complete once it has been quiet for
    `STDIN_QUIET` seconds: a client that pipes its input sends it at once.
    """

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.closed = asyncio.Event()
        self.arrived = asyncio.Event()

    def add(self, data: bytes) -> None:
        if self.size + len(data) > MAX_STDIN:
            self.close()  # a bounded buffer: what is beyond the limit is not read
            return
        self.chunks.append(data)
        self.size += len(data)
        self.arrived.set()

    def close(self) -> None:
        self.closed.set()

    def take_early(self) -> list[bytes]:
        chunks, self.chunks = self.chunks, []
        return chunks

    async def until_closed(self, signalled: bool) -> str:
        if signalled:
            await self.closed.wait()
        else:
            while not self.closed.is_set():
                self.arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.arrived.wait(), STDIN_QUIET)
                if not self.arrived.is_set():
                    break
        # binary bytes survive as surrogates: tar's archive is not text
        return b"".join(self.chunks).decode("utf-8", "surrogateescape")
