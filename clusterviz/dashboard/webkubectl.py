"""The Terminal tab's kubectl: which command lines run, and how they run.

The line is split with `shlex` (never a shell) and an optional leading
`kubectl` dropped; `kubectlargs.check` then reads the words as kubectl's own
flag parser does and accepts only its allowlist of subcommands, flags and
values (no flag names another server, identity, kubeconfig or file; `-f` takes
only `-`, the pasted text, sent on stdin). kubectl runs the rewritten words, in
a bubblewrap sandbox (`kubectlsandbox`) that holds only the kubectl binary and
a kubeconfig pointing at this server's API for the cluster over its TLS
endpoint, with a token of the page's user made for that run alone (`grant`): even a command the
checks misread cannot read a server file. `terminalslots` bounds how many run
at once, per person and in this process.

Output is capped in bytes and a run in seconds, except that `get -w`,
`logs -f` and `rollout status` stream until the page says stop or the socket
closes (with a longer cap).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from clusterviz.classroom import kubeconfigs, tokens
from clusterviz.classroom.models import ApiToken
from clusterviz.dashboard import kubectlargs, kubectlsandbox
from clusterviz.dashboard.shellpage import SHELLS
from clusterviz.dashboard.terminalslots import SLOTS
from clusterviz.operations.actions import MAX_COMMAND_CHARS, MAX_MANIFEST_BYTES
from clusterviz.web import Refused

KUBECTL = Path(sys.executable).parent / "kubectl"
MAX_OUTPUT_BYTES = 256 * 1024
TIMEOUT_SECONDS = 20.0
STREAM_TIMEOUT_SECONDS = 600.0
Emit = Callable[[str, str], Awaitable[None]]  # (stream, text): stdout, stderr or notice


@dataclass(frozen=True)
class Shell:
    """`exec -it <pod> -- sh`: an interactive session. kubectl run here has no terminal
    (it would print "Unable to use a TTY" and read nothing), so the pod's shell page
    (`shellpage`, xterm.js) holds it instead."""
    namespace: str
    pod: str
    container: str
    command: str


@dataclass(frozen=True)
class Command:
    args: list[str]  # what follows `kubectl`, every flag spelled `--name=value`
    verb: str
    stdin: bool  # `-f -`: the pasted text goes on stdin
    streams: bool  # runs until stopped
    shell: Shell | None = None  # an interactive shell: opened on its page, not run here


def parse(line: str) -> Command:
    """The kubectl arguments of `line`, or Refused with why, before anything runs."""
    if len(line) > MAX_COMMAND_CHARS:
        raise Refused(_("the command is longer than %(limit)d characters")
                      % {"limit": MAX_COMMAND_CHARS})
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise Refused(_("cannot read the command line: %(error)s") % {"error": exc}) from None
    if words and words[0] == "kubectl":
        words = words[1:]
    parsed = kubectlargs.check(words)
    verb, stdin = parsed.path[0], "filename" in parsed.values
    if verb == "create" and not stdin:
        raise Refused(_("refused: this terminal runs `create -f -` only (paste the manifest "
                        "below)"))
    return Command(parsed.args, verb, stdin, _streams(parsed), _shell(parsed))


def _shell(parsed: kubectlargs.Parsed) -> Shell | None:
    """The session `exec -it` asks for, when its command is a shell the page can hold."""
    if parsed.path != ["exec"] or not (parsed.is_true("tty") and parsed.is_true("stdin")):
        return None
    words = parsed.args[1:]
    split = words.index("--") if "--" in words else len(words)
    targets = [w for w in words[:split] if not w.startswith("-")]
    command = [w.rsplit("/", 1)[-1] for w in words[split + 1:]]  # /bin/sh reads as sh
    if len(targets) != 1 or len(command) != 1 or command[0] not in SHELLS:
        return None
    kind, _slash, pod = targets[0].rpartition("/")
    if kind not in ("", "pod", "pods", "po"):
        return None  # deploy/web and the like: kubectl picks the pod, so let it run
    values = parsed.values
    return Shell((values.get("namespace") or ["default"])[-1], pod,
                 (values.get("container") or [""])[-1], command[0])


def _streams(parsed: kubectlargs.Parsed) -> bool:
    """Commands that run until stopped: watches, followed logs, rollout status."""
    if parsed.path == ["get"]:
        return parsed.is_true("watch") or parsed.is_true("watch-only")
    if parsed.path == ["logs"]:
        return parsed.is_true("follow")
    if parsed.path == ["rollout", "status"]:  # --watch is true unless said otherwise
        return "watch" not in parsed.values or parsed.is_true("watch")
    return False


async def run(command: Command, slug: str, access: Access, stdin_text: str,
              emit: Emit, stop: asyncio.Event,
              who: str = "") -> int | None:
    """Run `command` sandboxed, calling `emit(stream, text)` as output comes; the exit code
    (None if stopped or cut off). Refused when the pasted text is too long, the sandbox is
    missing, or `who` or the server already runs its limit of commands."""
    if command.stdin and len(stdin_text.encode()) > MAX_MANIFEST_BYTES:
        raise Refused(_("the pasted text is over %(limit)d bytes") % {"limit": MAX_MANIFEST_BYTES})
    reason = kubectlsandbox.unavailable_reason(KUBECTL)
    if reason:
        raise Refused(_("the web terminal cannot run kubectl: %(reason)s") % {"reason": reason})
    with SLOTS.hold(who):
        proc = await _spawn(command, slug, access)
        if command.stdin and proc.stdin is not None:  # a pipe: spawned so for `-f -`
            with contextlib.suppress(ConnectionError):  # kubectl may exit before reading
                proc.stdin.write(stdin_text.encode())
                await proc.stdin.drain()
                proc.stdin.close()
        limit = STREAM_TIMEOUT_SECONDS if command.streams else TIMEOUT_SECONDS
        return await _supervise(proc, emit, stop, limit)


async def _spawn(command: Command, slug: str, access: Access) -> asyncio.subprocess.Process:
    config = yaml.safe_dump(kubeconfigs.document(slug, access.base_url, access.username,
                                                 access.token, access.ca))
    fd = kubectlsandbox.kubeconfig_fd(config)
    try:
        return await asyncio.create_subprocess_exec(
            *kubectlsandbox.argv(KUBECTL, command.args, fd), pass_fds=(fd,), env={},
            stdin=asyncio.subprocess.PIPE if command.stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    finally:
        os.close(fd)


async def _supervise(proc: asyncio.subprocess.Process, emit: Emit, stop: asyncio.Event,
                     limit: float) -> int | None:
    budget = [MAX_OUTPUT_BYTES]
    assert proc.stdout is not None and proc.stderr is not None  # _spawn pipes both
    pumps = [asyncio.ensure_future(_pump(proc.stdout, "stdout", emit, budget)),
             asyncio.ensure_future(_pump(proc.stderr, "stderr", emit, budget))]
    waiter = asyncio.ensure_future(proc.wait())
    stopper = asyncio.ensure_future(stop.wait())
    capped = asyncio.gather(*pumps)
    racing: set[asyncio.Future[Any]] = {waiter, stopper, capped}  # each of its own result
    done, _ = await asyncio.wait(racing, timeout=limit,
                                 return_when=asyncio.FIRST_COMPLETED)
    if capped in done and waiter not in done:
        await asyncio.wait({waiter}, timeout=0.5)
    reason = None
    if waiter not in done and proc.returncode is None:
        reason = ("stopped" if stop.is_set() else
                  "output limit reached" if budget[0] <= 0 else
                  f"time limit of {limit:g} s reached" if not done else None)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
    await asyncio.wait(pumps, timeout=2)
    stopper.cancel()
    if budget[0] <= 0:
        reason = reason or "output limit reached"
    if reason:
        await emit("notice", f"\n[{reason}: kubectl was stopped]\n")
        return None
    return proc.returncode


async def _pump(stream: asyncio.StreamReader, name: str, emit: Emit, budget: list[int]) -> None:
    while True:
        chunk = await stream.read(4096)
        if not chunk:
            return
        if budget[0] <= 0:
            return
        text = chunk[:budget[0]].decode("utf-8", "replace")
        budget[0] -= len(chunk)
        await emit(name, text)
        if budget[0] <= 0:
            return


@dataclass(frozen=True)
class Access:
    """Where and as whom the Terminal's kubectl talks: this server's TLS endpoint on
    loopback (kubectl sends a token only over TLS), with a token of the page's user made
    for this one run."""
    base_url: str
    username: str
    token: str
    ca: bytes


def grant(user: User, slug: str) -> Access:
    """A one-run token of `user` for cluster `slug` (sync: ORM); `tokens.forget` it after."""
    if not settings.TLS_PORT:
        raise Refused(_("the web terminal needs the server's TLS endpoint "
                        "(CLUSTERVIZ_TLS_PORT; make run starts it)"))
    token = tokens.issue(user, slug, ApiToken.TERMINAL, replace=False)
    return Access(kubeconfigs.https_base("127.0.0.1"), user.get_username(), token,
                  kubeconfigs.ca_pem())
