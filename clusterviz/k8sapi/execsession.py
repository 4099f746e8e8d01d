"""`kubectl exec -it <pod> -- sh`: an interactive shell over the exec websocket.

A one-shot exec (execstream.py) runs its command at once and replays the
output in wall time. An interactive shell is a conversation instead: the
prompt goes out, keystrokes come in on the stdin channel, the terminal's
line editor (simcore/exec/tty.py) echoes them and hands over whole lines,
and each line runs in the cluster like a one-shot exec (`sim.shell_line`,
saved like any write, traced for the dashboard) with the shell's variables
and `$?` kept between lines (simcore/exec/session.py). Output is paced at
the cluster's speed, as a one-shot exec's is.

While a line runs, Ctrl-C ends it: what it had not printed yet is dropped,
the screen shows `^C`, `$?` becomes 130 and a new prompt appears; a line
that never ends (a curl to an address nothing answers) waits for exactly
that. Other keys typed meanwhile are kept and edited after the command, as
type-ahead. `exit [n]` or Ctrl-D at an empty prompt ends the session with
the shell's status: Success, or `NonZeroExitCode` (kubectl prints `command
terminated with exit code n`; after an interrupted command a bare `exit`
gives 130, as bash's `$?` would). Resize messages are accepted and ignored
(no simulated program draws on the full screen).

The session ends when its container does: it watches the cluster's pulse
(which also keeps the cluster's clock moving, so a `kubectl delete pod`
elsewhere completes its grace period) and, when the container is gone,
closes with 137, what a process killed with its container reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import ClusterNotFound, offload, run
from clusterviz.k8sapi import pulse
from clusterviz.traces.models import record
from simcore import ExecResult, errors
from simcore.exec import tty
from simcore.simulation import ShellSession

log = logging.getLogger(__name__)

INTERRUPTED, KILLED = 130, 137
MAX_TYPED_AHEAD = 64 * 1024  # characters typed ahead that are kept while a command runs
WATCH_SECONDS = 1.0  # the longest a gone container keeps an idle session open (wall)
T = TypeVar("T")


def open_shell(slug: str, namespace: str, pod: str, container: str,
               argv: tuple[str, ...]) -> tuple[ShellSession, str] | None:
    """(session, prompt) when `argv` is an interactive shell in that container, else None."""
    opened: tuple[ShellSession | None, str] | ExecResult = run(
        slug, lambda sim: sim.start_shell(pod, list(argv), namespace, container))
    if isinstance(opened, ExecResult):
        return None
    session, prompt = opened
    return None if session is None else (session, prompt)


def run_line(slug: str, namespace: str, pod: str, container: str, session: ShellSession,
             line: str) -> tuple[ExecResult, ShellSession, str, float]:
    """(result, next session, next prompt, cluster speed) of one typed line, traced."""
    ran: tuple[ExecResult, ShellSession, str] = run(
        slug, lambda sim: sim.shell_line(pod, session, line, namespace, container),
        force_save=True)
    result, after, prompt = ran
    row = Cluster.objects.filter(slug=slug).values_list("pk", "speed").first()
    cluster_id, speed = row if row is not None else (None, 1.0)
    if cluster_id is not None and line.strip():
        code = INTERRUPTED if result.hangs else result.exit_code
        record(cluster_id, f"kubectl exec -it {namespace}/{pod} -c {container}", line, code,
               result.trace)
    return result, after, prompt, (speed if speed and speed > 0 else 1.0)


def still_running(slug: str, namespace: str, pod: str, container: str) -> bool:
    try:
        return run(slug, lambda sim: sim.container_running(pod, namespace, container))
    except (ClusterNotFound, errors.APIError):
        return False


class ShellConversation:
    """One interactive session on an accepted exec socket.

    `send(text)` writes to the terminal (stdout channel); `feed(data)` is called with
    every stdin frame; `run()` returns the shell's final exit code.
    """

    def __init__(self, send: Callable[[str], Awaitable[None]], slug: str, namespace: str,
                 pod: str, container: str, session: ShellSession, prompt: str) -> None:
        self.send = send
        self.where = (slug, namespace, pod, container)
        self.session = session
        self.prompt = prompt
        self.editor = tty.LineEditor()
        self.typed: asyncio.Queue[str] = asyncio.Queue()
        self.interrupt = asyncio.Event()
        self.busy = False
        self.waiting = 0  # characters in `typed`

    def feed(self, data: bytes) -> None:
        text = data.decode("utf-8", "replace")
        if self.busy and tty.CTRL_C in text:
            self.interrupt.set()
            # the tty flushes its input queue on SIGINT: what was typed ahead is gone
            while not self.typed.empty():
                self.typed.get_nowait()
            self.waiting = 0
            text = text[text.rindex(tty.CTRL_C) + 1:]
        text = text[:max(0, MAX_TYPED_AHEAD - self.waiting)]  # beyond it, keys are dropped
        if text:
            self.waiting += len(text)
            self.typed.put_nowait(text)

    async def run(self) -> int:
        beat = pulse.join(self.where[0])
        watcher = asyncio.get_running_loop().create_task(self._watch(beat))
        try:
            return await self._converse(watcher)
        finally:
            watcher.cancel()
            pulse.leave(beat)

    async def _converse(self, watcher: asyncio.Task) -> int:
        await self.send(self.prompt)
        while not self.session.exited:
            text = await _first(self.typed.get(), watcher)
            if text is None:
                return KILLED
            self.waiting -= len(text)
            echo, events = self.editor.feed(text)
            if echo:
                await self.send(echo)
            for event in events:
                if await self._handle(event, watcher):
                    return KILLED
                if self.session.exited:
                    break
        return self.session.status

    async def _handle(self, event: tty.Event, watcher: asyncio.Task) -> bool:
        """Act on one editor event; True when the container went meanwhile."""
        if isinstance(event, tty.EndOfInput):
            said, self.session = self.session.end_of_input()
            await self.send(tty.onlcr(said))
            return False
        if isinstance(event, tty.Interrupt):
            self.session = self.session.interrupted()
            await self.send(self.prompt)
            return False
        return await self._run(event.text, watcher)

    async def _run(self, line: str, watcher: asyncio.Task) -> bool:
        self.busy = True
        self.interrupt.clear()
        try:
            result, after, prompt, speed = await offload(run_line)(*self.where,
                                                                    self.session, line)
            interrupted = await self._replay(result, speed, watcher)
        finally:
            self.busy = False
        if watcher.done():
            return True
        self.session = after.interrupted() if interrupted else after
        self.prompt = prompt or self.prompt
        if interrupted:
            await self.send("^C\r\n")
        if not self.session.exited:
            await self.send(self.prompt)
        return False

    async def _replay(self, result: ExecResult, speed: float, watcher: asyncio.Task) -> bool:
        """Send the output at its moments; True when Ctrl-C cut it short."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _stream, text, at in result.chunks:
            if await self._pause_until(started + at / speed, watcher):
                return True
            await self.send(tty.onlcr(text))
        end = None if result.hangs else started + result.duration / speed
        return await self._pause_until(end, watcher)

    async def _pause_until(self, moment: float | None, watcher: asyncio.Task) -> bool:
        """Wait until `moment` (None: forever); True when interrupted first."""
        if self.interrupt.is_set():
            return True
        delay = None if moment is None else moment - asyncio.get_running_loop().time()
        if delay is not None and delay <= 0:
            return False
        waiter = asyncio.ensure_future(self.interrupt.wait())
        try:
            done, _ = await asyncio.wait({waiter, watcher}, timeout=delay,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        return waiter in done or watcher in done

    async def _watch(self, beat: pulse.Pulse) -> None:
        """Return when the container is gone (the cluster moved and it is not running)."""
        rv = None
        while True:
            if rv is not None:
                await beat.wait_beyond(rv, WATCH_SECONDS)
            if beat.gone:
                return
            if beat.rv == rv:
                continue  # nothing committed: the container cannot have gone
            rv = beat.rv
            if not await offload(still_running)(*self.where):
                return


async def _first(getter: Awaitable[T], watcher: asyncio.Task) -> T | None:
    """The awaited value of `getter`, or None when `watcher` finished first."""
    task = asyncio.ensure_future(getter)
    done, _ = await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None
