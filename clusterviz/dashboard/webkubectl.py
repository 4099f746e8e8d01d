"""The Terminal tab's kubectl: which command lines run, and how they run.

The line is split with `shlex` (never a shell), an optional leading
`kubectl` dropped, and then checked before anything runs: the subcommand
must be one of `ALLOWED` (so no plugin, no `cp`, no `config`); no flag may
point kubectl at another server, identity or context (`REFUSED_FLAGS`);
and nothing may read or write a file on the server: `-f` takes only `-`
(the pasted text, sent on stdin), and kustomize, `--from-file`, template
files and log or profile files are refused. An allow-list of subcommands
and a deny-list of flags is the trade-off: kubectl's many harmless flags
(`-o wide`, `-l app=x`, `--show-labels`) need no listing, and the flags
that could escape are few and named.

Each run gets a temporary directory with a kubeconfig pointing at this
server's API for the cluster over its TLS endpoint (kubectl sends a token
only over TLS) with a token of the page's user made for that run alone
(`grant`), a fresh `--cache-dir`, and a bare environment; output is capped in bytes and the run in seconds, except that
`get -w` and `logs -f` stream until the page says stop (with a longer cap).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings

from clusterviz.classroom import kubeconfigs, tokens
from clusterviz.classroom.models import ApiToken
from clusterviz.dashboard.actions import MAX_COMMAND_CHARS, MAX_MANIFEST_BYTES, Refused

KUBECTL = Path(sys.executable).parent / "kubectl"
ALLOWED = ("get", "describe", "apply", "create", "delete", "scale", "exec", "logs", "explain",
           "api-resources", "rollout", "label", "annotate", "expose", "run", "version")
REFUSED_FLAGS = {
    "--kubeconfig", "--server", "-s", "--token", "--context", "--as", "--as-group", "--as-uid",
    "--cluster", "--user", "--username", "--password", "--client-certificate",
    "--client-key", "--certificate-authority", "--tls-server-name",
    "--insecure-skip-tls-verify", "--cache-dir", "--kustomize", "-k", "--from-file",
    "--from-env-file", "--env-file", "--log-file", "--log-dir", "--log_file", "--log_dir",
    "--profile", "--profile-output", "--output-directory", "--disable-compression",
    "--plugin",
}
FILE_FLAGS = ("-f", "--filename")
# kubectl's global flags that take their value as the next word (`kubectl -n web get pods`)
GLOBAL_VALUE_FLAGS = ("-n", "--namespace", "-v", "--v", "--request-timeout")
FILE_OUTPUTS = ("go-template-file", "jsonpath-file", "templatefile")
STREAMING = {"get": ("-w", "--watch", "--watch-only"), "logs": ("-f", "--follow")}
MAX_OUTPUT_BYTES = 256 * 1024
TIMEOUT_SECONDS = 20.0
STREAM_TIMEOUT_SECONDS = 600.0


@dataclass(frozen=True)
class Command:
    args: list[str]  # what follows `kubectl`
    verb: str
    stdin: bool  # `-f -`: the pasted text goes on stdin
    streams: bool  # runs until stopped


def parse(line: str) -> Command:
    """The kubectl arguments of `line`, or Refused with why, before anything runs."""
    if len(line) > MAX_COMMAND_CHARS:
        raise Refused(f"the command is longer than {MAX_COMMAND_CHARS} characters")
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise Refused(f"cannot read the command line: {exc}") from None
    if words and words[0] == "kubectl":
        words = words[1:]
    if not words:
        raise Refused("type a kubectl command, for example: kubectl get pods")
    _check_flags(words)
    verb = _verb(words)
    stdin = _wants_stdin(words, verb)
    if verb == "create" and not stdin:
        raise Refused("refused: this terminal runs `create -f -` only (paste the manifest below)")
    streams = any(_flag_name(w) in STREAMING.get(verb, ()) for w in words)
    return Command(words, verb, stdin, streams)


def _flag_name(word: str) -> str:
    """The flag a word sets, as kubectl's flag parser reads it: `--name[=v]`, or `-x[v]`."""
    if not word.startswith("-") or word in ("-", "--"):
        return ""
    if word.startswith("--"):
        return word.split("=", 1)[0]
    return word[:2]


def _flag_value(words: list[str], i: int) -> str:
    word = words[i]
    if word.startswith("--") and "=" in word:
        return word.split("=", 1)[1]
    if not word.startswith("--") and len(word) > 2:
        return word[2:].removeprefix("=")  # -fmanifest.yaml, -f=manifest.yaml
    return words[i + 1] if i + 1 < len(words) else ""


def _check_flags(words: list[str]) -> None:
    for i, word in enumerate(words):
        if word == "--":  # what follows is the command `exec` runs inside the pod
            return
        name = _flag_name(word)
        if name in REFUSED_FLAGS:
            raise Refused(f"refused: {name} is not allowed here; this terminal always talks "
                          "to this cluster as the student and reads no files on the server")
        if name in ("-o", "--output") and _flag_value(words, i).startswith(FILE_OUTPUTS):
            raise Refused("refused: template files would be read on the server; use an inline "
                          "-o jsonpath=... or -o go-template=...")


def _verb(words: list[str]) -> str:
    """The first word that is not a flag: kubectl's subcommand (or a plugin's name)."""
    verb, skip = "", False
    for word in words:
        if skip or word.startswith("-"):
            skip = word in GLOBAL_VALUE_FLAGS
            continue
        verb = word
        break
    if verb not in ALLOWED:
        raise Refused(f'refused: "{verb}" is not a command this terminal runs (no plugins or '
                      f"other commands here); it runs: {', '.join(ALLOWED)}")
    return verb


def _wants_stdin(words: list[str], verb: str) -> bool:
    """True when `-f -` asks for the pasted text; Refused for any file path."""
    if verb == "logs":  # there -f is --follow
        return False
    stdin = False
    for i, word in enumerate(words):
        if word == "--":
            break
        if _flag_name(word) in FILE_FLAGS:
            value = _flag_value(words, i)
            if value != "-":
                raise Refused(f"refused: {value or 'a file'} would be a path on the server; "
                              "paste the manifest in the box below and use -f -")
            stdin = True
    return stdin


@dataclass
class Sandbox:
    """A temporary directory with a kubeconfig for one cluster and a fresh cache."""
    root: Path

    @classmethod
    def make(cls, slug: str, access: Access) -> Sandbox:
        root = Path(tempfile.mkdtemp(prefix="webkubectl-"))
        (root / "cache").mkdir()
        document = kubeconfigs.document(slug, access.base_url, access.username, access.token,
                                        access.ca)
        (root / "kubeconfig").write_text(yaml.safe_dump(document))
        return cls(root)

    def argv(self, command: Command) -> list[str]:
        return [str(KUBECTL), "--kubeconfig", str(self.root / "kubeconfig"),
                "--cache-dir", str(self.root / "cache"), *command.args]

    def env(self) -> dict[str, str]:
        return {"PATH": "/usr/bin:/bin", "HOME": str(self.root), "LANG": "C.UTF-8",
                "KUBECONFIG": str(self.root / "kubeconfig")}

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


async def run(command: Command, slug: str, access: Access, stdin_text: str,
              emit: Callable[[str, str], Awaitable[None]], stop: asyncio.Event) -> int | None:
    """Run `command`, calling `emit(stream, text)` as output comes; the exit code (None if
    stopped or cut off)."""
    if command.stdin and len(stdin_text.encode()) > MAX_MANIFEST_BYTES:
        raise Refused(f"the pasted text is over {MAX_MANIFEST_BYTES} bytes")
    sandbox = Sandbox.make(slug, access)
    try:
        proc = await asyncio.create_subprocess_exec(
            *sandbox.argv(command), cwd=sandbox.root, env=sandbox.env(),
            stdin=asyncio.subprocess.PIPE if command.stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        if command.stdin:
            proc.stdin.write(stdin_text.encode())
            await proc.stdin.drain()
            proc.stdin.close()
        limit = STREAM_TIMEOUT_SECONDS if command.streams else TIMEOUT_SECONDS
        return await _supervise(proc, emit, stop, limit)
    finally:
        sandbox.remove()


async def _supervise(proc, emit, stop: asyncio.Event, limit: float) -> int | None:
    budget = [MAX_OUTPUT_BYTES]
    pumps = [asyncio.ensure_future(_pump(proc.stdout, "stdout", emit, budget)),
             asyncio.ensure_future(_pump(proc.stderr, "stderr", emit, budget))]
    waiter = asyncio.ensure_future(proc.wait())
    stopper = asyncio.ensure_future(stop.wait())
    capped = asyncio.gather(*pumps)
    done, _ = await asyncio.wait({waiter, stopper, capped}, timeout=limit,
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


async def _pump(stream, name: str, emit, budget: list[int]) -> None:
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
    loopback, with a token of the page's user made for this one run."""
    base_url: str
    username: str
    token: str
    ca: bytes


def grant(user, slug: str) -> Access:
    """A one-run token of `user` for cluster `slug` (sync: ORM); `revoke` it after the run."""
    if not settings.TLS_PORT:
        raise Refused("the Terminal needs the server's TLS endpoint "
                      "(CLUSTERVIZ_TLS_PORT; make run starts it)")
    token = tokens.issue(user, slug, ApiToken.TERMINAL, replace=False)
    return Access(kubeconfigs.https_base("127.0.0.1"), user.get_username(), token,
                  kubeconfigs.ca_pem())


def environment_ok() -> bool:
    return KUBECTL.exists() and os.access(KUBECTL, os.X_OK)
