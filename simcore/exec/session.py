"""An interactive shell in a container: `kubectl exec -it <pod> -- sh` (or bash).

`kubectl exec -- sh -c '...'` runs a script at once (shell.py); an
interactive shell instead lives between the student's lines: it prints a
prompt, reads a line, runs it, and keeps its variables and `$?` for the
next one, until `exit` or end of input. `ShellSession` is that process's
state, plain data the caller keeps between lines (the web side holds it for
the life of the websocket); `run_line` returns the output and the next
state without touching the old one, so a caller that retries a line (a
concurrent save) runs it once.

What each shell prints, as the images ship them:
- dash (Debian's and Ubuntu's /bin/sh): `# ` for root, `$ ` otherwise; errors
  name the line it has read so far (`sh: 3: curl: not found`).
- BusyBox ash (busybox, Alpine): `\\w \\$ `, so `/ # ` in `/`.
- bash: Debian and Ubuntu images read /etc/bash.bashrc, whose PS1 is
  `\\u@\\h:\\w\\$ ` (`root@web-0:/# `); elsewhere bash's own `\\s-\\v\\$ `
  (`bash-5.1# `). At its prompt bash names no line in its errors, and `exit`
  (or Ctrl-D) prints `exit`.

The working directory is `/`: `cd` checks its argument but the simulated
commands resolve paths from `/`, so a prompt that followed `cd` would
promise what `ls` does not keep. Programs that read stdin (`cat` with no
file) read an empty stdin instead of waiting for the keyboard.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from simcore.exec.call import Call
from simcore.exec.context import ExecContext, ExecResult, Output
from simcore.exec.shell import Shell, dialect_of

SHELLS = frozenset({"sh", "bash", "ash", "dash"})
INTERACTIVE_FLAGS = frozenset({"-i", "-l", "--login", "-il", "-li"})
INTERRUPTED = 130


@dataclass(frozen=True)
class ShellSession:
    program: str  # argv[0] as typed: the name in error messages
    dialect: str
    version: str
    vars: tuple[tuple[str, str], ...]
    status: int = 0
    lines: int = 0  # lines read so far (dash numbers its errors with it)
    exited: bool = False

    @classmethod
    def start(cls, argv: list[str], ctx: ExecContext) -> ShellSession | None:
        """The session `argv` opens, or None when it is not an interactive shell (a script,
        `-c`, another program, or a shell the image lacks)."""
        if not argv or argv[0].rsplit("/", 1)[-1] not in SHELLS or not ctx.profile.has(argv[0]):
            return None
        if any(arg not in INTERACTIVE_FLAGS for arg in argv[1:]):
            return None
        dialect, version = dialect_of(argv[0], ctx)
        name = argv[0].rsplit("/", 1)[-1] if dialect != "dash" else argv[0]
        return cls(name, dialect, version, tuple(ctx.env.items()))

    def prompt(self, ctx: ExecContext) -> str:
        env = dict(self.vars)
        root = ctx.profile.user in ("root", "0")
        sign = "#" if root else "$"
        cwd = "/"
        if self.dialect == "dash":
            return f"{sign} "
        if self.dialect == "busybox":
            return f"{cwd} {sign} "
        if ctx.profile.base.startswith(("debian", "ubuntu")):
            user = env.get("USER") or ctx.profile.user
            return f"{user}@{ctx.hostname}:{cwd}{sign} "
        return f"bash-{'.'.join(self.version.split('.')[:2])}{sign} "

    def run_line(self, line: str, ctx: ExecContext) -> tuple[ExecResult, ShellSession]:
        """Run one typed line: its output and the session after it."""
        lines = self.lines + 1
        sh = Shell(Call(ctx, dict(self.vars), ""), name=self.program, dialect=self.dialect,
                   version=self.version, interactive=True)
        sh.status = self.status
        # blank lines before the typed one: dash's errors then name the line it has read
        result = sh.run_script("\n" * (lines - 1) + line)
        after = dataclasses.replace(self, vars=tuple(sh.vars.items()), status=sh.status,
                                    lines=lines, exited=sh.exited)
        if sh.exited and self.dialect == "bash":
            result = _with_exit_word(result)
        return result, after

    def interrupted(self) -> ShellSession:
        """After Ctrl-C stopped the running command: `$?` is 130."""
        return dataclasses.replace(self, status=INTERRUPTED)

    def end_of_input(self) -> tuple[str, ShellSession]:
        """Ctrl-D at an empty prompt: (what the shell prints, the ended session)."""
        said = "exit\n" if self.dialect == "bash" else ""
        return said, dataclasses.replace(self, exited=True)


def _with_exit_word(result: ExecResult) -> ExecResult:
    out = Output()
    out.chunks = list(result.chunks)
    out.clock = result.duration
    out.err("exit\n")
    done = out.result(result.exit_code, duration=result.duration, trace=result.trace)
    done.runtime_error = result.runtime_error
    return done
