"""A tiny shell: what `kubectl exec … -- sh -c '…'` and a container's command line run.

`run(argv_or_string, ctx)` is the entry point the engine calls for `kubectl
exec`: a list is an argv the runtime starts directly (so a missing `curl` is
the runtime's error, see commands.py), a string is a command line for the
image's /bin/sh. The interpreter (`Shell`) runs the tree shellparse.py builds
on a virtual clock: `sleep 30` advances it, a command that never returns
makes the whole run hang (`duration = inf`), every write is stamped with the
time it happened, and every change to the file system is recorded, which is
how processes.py turns `touch /tmp/healthy; sleep 30; rm -rf /tmp/healthy;
sleep 600` into a timeline of file events without a second interpreter.

Three dialects word their errors differently and the class sees them:
dash (Debian/Ubuntu /bin/sh: `sh: 1: curl: not found`), bash (`bash: line 1:
curl: command not found` from 5.1, `bash: curl: command not found` before),
BusyBox ash (`sh: curl: not found`). All three exit 127 for a missing
command; dash has no `[[`. `echo` is the shell's builtin: dash's interprets
backslashes, bash's and BusyBox's only with -e.

An endless `while true` loop that sleeps is run once in plan mode and
recorded as a repeating block; in exec mode it runs until `horizon` virtual
seconds and then reports a hang with what it printed so far.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from simcore.exec import fs
from simcore.exec.call import Call, missing_executable, run_program
from simcore.exec.commands import dash_echo, echo_text, test_eval
from simcore.exec.context import ExecContext, ExecResult, Output
from simcore.exec.shellparse import (
    AndOr,
    Command,
    For,
    Group,
    If,
    Loop,
    Pipeline,
    Redirect,
    ShellSyntaxError,
    Simple,
    Word,
    parse,
)
from simcore.trace import Message, TraceStep
from simcore.tracetext import msg
from simcore.tracetext import step as trace_step

_SPLIT = " \t\n"
# the programs here that read their standard input when given no file
STDIN_READERS = frozenset({"cat", "tar", "sh", "bash", "ash", "dash"})


def run(argv_or_string: list[str] | str, ctx: ExecContext) -> ExecResult:
    """Run a command in the container as `kubectl exec` would."""
    if isinstance(argv_or_string, str):
        argv = ["sh", "-c", argv_or_string]
    else:
        argv = list(argv_or_string)
    if not argv:
        return ExecResult(stderr="you must specify at least one command for the container\n",
                          exit_code=1)
    if not ctx.profile.has(argv[0]):
        return missing_executable(argv[0], ctx)
    # the container's environment as it is (read-only: a program that changes its
    # environment copies it), not a copy of thousands of service-link variables per exec
    return run_program(argv, Call(ctx, ctx.env, ctx.stdin))


def reads_stdin(argv: list[str]) -> bool:
    """Might this command read its standard input? (An exec that says no runs at once,
    without waiting for input a terminal user would have to end with Ctrl-D.)"""
    if not argv:
        return False
    name, args = argv[0].rsplit("/", 1)[-1], argv[1:]
    if name == "cat":
        return not args or "-" in args
    if name == "tar":
        return _tar_reads_stdin(args)
    if name in ("sh", "bash", "ash", "dash"):
        if "-c" not in args:
            return not [a for a in args if not a.startswith("-")]
        script = args[args.index("-c") + 1] if args.index("-c") + 1 < len(args) else ""
        words = set(script.replace(";", " ").replace("|", " ").replace("(", " ").split())
        return bool(words & (STDIN_READERS | {"read"}))
    return False


def _tar_reads_stdin(args: list[str]) -> bool:
    modes = (args[0].lstrip("-") if args else "") + "".join(
        a.lstrip("-") for a in args[1:] if a.startswith("-") and not a.startswith("--"))
    if "c" in modes:
        return False
    if "f" not in modes and "--file" not in " ".join(args):
        return True  # no archive named: tar's default here is stdin
    return "-" in args or "--file=-" in args


def dialect_of(program: str, ctx: ExecContext) -> tuple[str, str]:
    """(dialect, version) of the shell `program` names in this image."""
    name = program.rsplit("/", 1)[-1]
    if name == "bash":
        return "bash", ctx.profile.tool("bash", "5.1")
    shell = ctx.profile.tool("shell", "dash")
    if shell == "bash":
        return "bash", ctx.profile.tool("bash", "5.1")
    return ("busybox", "") if shell == "busybox" else ("dash", "")


def shell_program(argv: list[str], call: Call) -> ExecResult:
    """`sh -c SCRIPT [NAME [ARGS…]]`, `sh FILE [ARGS…]`, or `sh` reading stdin."""
    dialect, version = dialect_of(argv[0], call.ctx)
    args = argv[1:]
    while args and args[0] in ("-e", "-x", "-u", "-l", "--login", "-i"):
        args = args[1:]
    if args and args[0] == "-c":
        if len(args) < 2:
            return _option_requires_argument(argv[0], dialect)
        name = args[2] if len(args) > 2 else argv[0]
        sh = Shell(call, name=name, dialect=dialect, version=version, positional=args[3:])
        return sh.run_script(args[1])
    if args:
        script = call.ctx.files.get(fs.norm(args[0]))
        if not isinstance(script, str):
            out = Output()
            out.err(f"{argv[0]}: 0: cannot open {args[0]}: No such file\n" if dialect == "dash"
                    else f"{argv[0]}: {args[0]}: No such file or directory\n")
            return out.result(127 if dialect != "dash" else 2)
        sh = Shell(call, name=args[0], dialect=dialect, version=version, positional=args[1:])
        return sh.run_script(script)
    sh = Shell(call, name=argv[0], dialect=dialect, version=version)
    return sh.run_script(call.stdin)


def _option_requires_argument(program: str, dialect: str) -> ExecResult:
    out = Output()
    if dialect == "bash":
        out.err(f"{program}: -c: option requires an argument\n")
    else:
        out.err(f"{program}: -c requires an argument\n")
    return out.result(2)


class _Stop(Exception):
    """Unwinds the interpreter: `exit`, a hang, or a recorded endless loop."""


class Shell:
    """One shell process running one script on the virtual clock."""

    def __init__(self, call: Call, *, name: str = "sh", dialect: str = "dash", version: str = "",
                 positional: list[str] | None = None, plan: bool = False,
                 horizon: float = 300.0, interactive: bool = False) -> None:
        self.call = call
        self.ctx = call.ctx
        self.name = name
        self.dialect = dialect
        self.version = version
        self.positional = list(positional or [])
        self.vars: dict[str, str] = dict(call.env)
        self.plan = plan
        self.horizon = horizon
        self.interactive = interactive  # bash names no script line at its prompt
        self.stdin_left = call.stdin  # the shell's own stdin: `read` takes lines from it
        self.status = 0
        self.clock = 0.0
        self.hung = False
        self.exited = False
        self.out = Output()
        self.trace: list[TraceStep] = []
        self.file_events: list[dict] = []
        self.repeat: dict | None = None
        self._fd: dict[int, object] = {1: "stdout", 2: "stderr"}
        self._line = 1
        self.status_of_subst = 0

    # --- driving --------------------------------------------------------------

    def run_script(self, script: str) -> ExecResult:
        try:
            tree = parse(script)
        except ShellSyntaxError as error:
            self._syntax_error(error)
            return self._result()
        try:
            self.run_list(tree)
        except _Stop:
            pass
        return self._result()

    def _result(self) -> ExecResult:
        duration = math.inf if self.hung else self.clock
        return self.out.result(self.status, duration=duration, trace=self.trace)

    def _syntax_error(self, error: ShellSyntaxError) -> None:
        if self.dialect == "dash":
            self._write(2, f"{self.name}: {error.line}: Syntax error: {error}\n")
        elif self.dialect == "bash":
            self._write(2, f"{self.name}: -c: line {error.line}: syntax error: {error}\n")
        else:
            self._write(2, f"{self.name}: syntax error: {error}\n")
        self.status = 2

    # --- lists, pipelines, compound commands ------------------------------------------

    def run_list(self, items: list) -> int:
        for andor, _sep in items:
            self.status = self.run_andor(andor)
        return self.status

    def run_andor(self, andor: AndOr) -> int:
        status = self.run_pipeline(andor.first)
        for op, pipeline in andor.rest:
            if (op == "&&") == (status == 0):
                status = self.run_pipeline(pipeline)
        return status

    def run_pipeline(self, pipeline: Pipeline) -> int:
        stdin: str | None = None
        status = 0
        for index, command in enumerate(pipeline.commands):
            last = index == len(pipeline.commands) - 1
            if last:
                status = self.run_command(command, stdin)
            else:
                with self._capture() as buffer:
                    self.run_command(command, stdin)
                stdin = "".join(buffer)
        return (0 if status else 1) if pipeline.negate else status

    def run_command(self, command: Command, stdin: str | None = None) -> int:
        if isinstance(command, Simple):
            self.status = self.run_simple(command, stdin)
        elif isinstance(command, If):
            self.status = self._run_if(command)
        elif isinstance(command, Loop):
            self.status = self._run_loop(command)
        elif isinstance(command, For):
            self.status = self._run_for(command)
        elif isinstance(command, Group):
            self.status = self.run_list(command.body)
        return self.status

    def _run_if(self, command: If) -> int:
        for condition, body in command.branches:
            if self.run_list(condition) == 0:
                return self.run_list(body)
        return self.run_list(command.otherwise) if command.otherwise else 0

    def _run_for(self, command: For) -> int:
        items = [f for word in command.items for f in self.expand(word)]
        status = 0
        for item in items:
            self.vars[command.name] = item
            status = self.run_list(command.body)
        return status

    def _run_loop(self, loop: Loop) -> int:
        status, iterations = 0, 0
        endless = _always_true(loop)
        while True:
            if (self.run_list(loop.condition) == 0) == loop.until:
                return status
            start, mark, files_mark = self.clock, len(self.out.chunks), len(self.file_events)
            before = dict(self.vars) if endless and self.plan else None
            status = self.run_list(loop.body)
            iterations += 1
            if endless and self.plan and self.clock > start:
                if before != self.vars:
                    self._record_counting(loop, start, mark, files_mark)
                self._record_repeat(start, mark, files_mark)
            if endless and self.clock == start and iterations > 1:
                self._hang(msg("shell.busy-loop"))
            if self.clock > self.horizon or iterations > 10000:
                self._hang(msg("shell.horizon"))

    def _record_repeat(self, start: float, mark: int, files_mark: int,
                       steps: list | None = None) -> None:
        every = self.clock - start
        output = [{"at": at - start, "stream": s, "text": t}
                  for s, t, at in self.out.chunks[mark:]]
        for event, step in zip(output, steps or (), strict=False):
            if any(step):
                event["steps"] = step  # a counted line: loopcount.render writes iteration k
        files = [{**e, "at": e["at"] - start} for e in self.file_events[files_mark:]]
        # the block replays the first iteration too: keep it out of the plain output
        del self.out.chunks[mark:]
        del self.file_events[files_mark:]
        self.repeat = {"start": start, "every": every, "output": output, "files": files}
        self.hung = True
        raise _Stop

    def _record_counting(self, loop: Loop, start: float, mark: int, files_mark: int) -> None:
        """A loop whose iterations change variables: run two more; when the three print the
        same lines at the same offsets but for integers moving by constant steps, record a
        counted repeating block (loopcount.py, raises _Stop). Else return with the first
        iteration's output as it was, for the plain repeating block."""
        from simcore.exec.loopcount import counters
        every, first_end = self.clock - start, len(self.out.chunks)
        files_end = len(self.file_events)
        runs = [self.out.chunks[mark:]]
        steps: list | None = None
        for _ in range(2):
            begin, at = self.clock, len(self.out.chunks)
            self.run_list(loop.body)
            if self.clock - begin != every:
                break
            runs.append([(s, t, when - (begin - start)) for s, t, when in self.out.chunks[at:]])
        shapes = [[(s, when) for s, _t, when in run] for run in runs]
        if len(runs) == 3 and all(shape == shapes[0] for shape in shapes):
            found = [counters([run[i][1] for run in runs]) for i in range(len(runs[0]))]
            # a line that is no progression is repeated as it first was
            steps = [step or [] for step in found] if any(found) else None
        # the extra iterations were only a look ahead: the block is the first one
        del self.out.chunks[first_end:]
        del self.file_events[files_end:]
        self.clock = start + every
        if steps is not None:
            self._record_repeat(start, mark, files_mark, steps)

    def _hang(self, said: Message) -> None:
        self.trace.append(trace_step("timeout", said))
        self.hung = True
        raise _Stop

    # --- simple commands -------------------------------------------------------------

    def run_simple(self, command: Simple, stdin: str | None) -> int:
        self._line = command.line
        self.status_of_subst = 0
        argv = [field for word in command.words for field in self.expand(word)]
        assigns = {name: "".join(self.expand(value, split=False)) for name, value in command.assigns}
        saved = dict(self._fd)
        try:
            stdin, ok = self._apply_redirects(command.redirects, stdin)
            if not ok:
                return 1 if self.dialect != "dash" else 2
            if not argv:
                self.vars.update(assigns)
                return self.status_of_subst
            return self._dispatch(argv, assigns, stdin)
        finally:
            self._fd = saved

    def _dispatch(self, argv: list[str], assigns: dict[str, str], stdin: str | None) -> int:
        builtin = _BUILTINS.get(argv[0])
        if builtin is not None and (argv[0] != "[[" or self.dialect != "dash"):
            return builtin(self, argv, stdin)  # None: not piped (`read` takes its own)
        if not self.ctx.profile.has(argv[0]):
            return self._not_found(argv[0])
        env = {**self.vars, **assigns}
        stdin = self._stdin_for(argv[0], stdin)
        call = Call(self.ctx, env, stdin, self.call.started + self.clock)
        before = dict(self.ctx.files)
        result = run_program(argv, call)
        self._absorb(result, before)
        return result.exit_code

    def _absorb(self, result: ExecResult, before: dict) -> None:
        for stream, text, at in result.chunks:
            self.out.clock = self.clock + at
            self._write(1 if stream == "stdout" else 2, text)
        self.trace.extend(result.trace)
        self._diff_files(before)
        if math.isinf(result.duration):
            self.status = result.exit_code
            self._hang(msg("shell.never-returns"))
        self.clock += result.duration
        self.out.clock = self.clock

    def _diff_files(self, before: dict) -> None:
        after = self.ctx.files
        for path in sorted(set(before) | set(after)):
            if path not in after:
                self.file_events.append({"at": self.clock, "op": "delete", "path": path})
            elif path not in before or before[path] != after[path]:
                op = "mkdir" if after[path] is None else "write"
                event = {"at": self.clock, "op": op, "path": path}
                if op == "write":
                    event["content"] = after[path]
                self.file_events.append(event)

    def _not_found(self, program: str) -> int:
        if self.dialect == "dash":
            self._write(2, f"{self.name}: {self._line}: {program}: not found\n")
        elif self.dialect == "bash":
            self._write(2, f"{self.name}: {self._where()}{program}: command not found\n")
        else:
            self._write(2, f"{self.name}: {program}: not found\n")
        self.trace.append(trace_step("reject", msg("shell.not-found", program=program),
                               program=program))
        return 127

    def _where(self) -> str:
        """bash 5.1+ names the script's line (`bash: line 1: x: command not found`)."""
        if self.interactive or not _version_at_least(self.version, 5, 1):
            return ""
        return f"line {self._line}: "

    def _stdin_for(self, program: str, stdin: str | None) -> str:
        """What a program reads: the pipe or redirection it was given, else the shell's
        own stdin, which a program that reads it (cat, tar, a shell) drains."""
        if stdin is not None:
            return stdin
        if program.rsplit("/", 1)[-1] not in STDIN_READERS:
            return ""
        taken, self.stdin_left = self.stdin_left, ""
        return taken

    # --- output and redirections ----------------------------------------------------

    def _write(self, fd: int, text: str) -> None:
        target = self._fd.get(fd, "stdout")
        if target == "null" or not text:
            return
        if isinstance(target, list):
            target.append(text)
        elif isinstance(target, tuple):
            path = target[1]
            self.ctx.files[path] = (self.ctx.files.get(path) or "") + text
        elif target == "stderr":
            self.out.err(text)
        else:
            self.out.out(text)

    @contextmanager
    def _capture(self) -> Iterator[list[str]]:
        buffer: list[str] = []
        saved = self._fd.get(1)
        self._fd[1] = buffer
        try:
            yield buffer
        finally:
            self._fd[1] = saved

    def _apply_redirects(self, redirects: list[Redirect], stdin: str | None) -> tuple[str | None, bool]:
        for redirect in redirects:
            if redirect.op == ">&":
                self._fd[redirect.fd] = self._fd.get(redirect.dup or 1, "stdout")
                continue
            target = "".join(self.expand(redirect.target, split=False)) if redirect.target else ""
            if redirect.op == "<":
                content = self.ctx.files.get(fs.norm(target))
                if not isinstance(content, str):
                    self._redirect_error(target, "open")
                    return stdin, False
                stdin = content
                continue
            if not self._open_for_write(redirect, target):
                return stdin, False
        return stdin, True

    def _open_for_write(self, redirect: Redirect, target: str) -> bool:
        if target in ("/dev/null",):
            self._fd[redirect.fd] = "null"
            return True
        if target in ("/dev/stdout", "/dev/stderr"):
            self._fd[redirect.fd] = target[5:]
            return True
        path = fs.norm(target)
        if fs.is_dir(self.ctx.files, path) or not fs.parent_ok(self.ctx.files, path):
            self._redirect_error(target, "isdir" if fs.is_dir(self.ctx.files, path) else "create")
            return False
        if redirect.op == ">" or path not in self.ctx.files:
            before = dict(self.ctx.files)
            self.ctx.files[path] = ""
            self._diff_files(before)
        self._fd[redirect.fd] = ("file", path)
        return True

    def _redirect_error(self, target: str, why: str) -> None:
        if self.dialect == "dash":
            reason = {"create": "Directory nonexistent", "isdir": "Is a directory",
                      "open": "No such file"}[why]
            verb = "open" if why == "open" else "create"
            self._write(2, f"{self.name}: {self._line}: cannot {verb} {target}: {reason}\n")
        elif self.dialect == "bash":
            reason = "Is a directory" if why == "isdir" else "No such file or directory"
            self._write(2, f"{self.name}: {self._where()}{target}: {reason}\n")
        else:
            reason = {"create": "nonexistent directory", "isdir": "Is a directory",
                      "open": "no such file"}[why]
            verb = "open" if why == "open" else "create"
            self._write(2, f"{self.name}: can't {verb} {target}: {reason}\n")

    # --- expansion --------------------------------------------------------------------

    def expand(self, word: Word | None, split: bool = True) -> list[str]:
        if word is None:
            return [""]
        pieces: list[tuple[str, bool]] = []
        for segment in word.segments:
            pieces.extend(self._expand_segment(segment, quoted=False))
        if not split:
            return ["".join(text for text, _ in pieces)]
        return _split_fields(pieces)

    def _expand_segment(self, segment: tuple, quoted: bool) -> list[tuple[str, bool]]:
        kind = segment[0]
        if kind == "lit":
            return [(segment[1], False)]
        if kind == "sq":
            return [(segment[1], False)] if segment[1] else [("", False)]
        if kind == "tilde":
            return [(self.vars.get("HOME", self.ctx.profile.home), False)]
        if kind == "dq":
            inner = [p for part in segment[1] for p in self._expand_segment(part, quoted=True)]
            return [("".join(t for t, _ in inner), False)]
        if kind == "var":
            return [(self._variable(*segment[1:]), not quoted)]
        if kind == "cmd":
            return [(self._substitute(segment[1]), not quoted)]
        if kind == "arith":
            return [(self._arithmetic(segment[1]), not quoted)]
        return []

    def _variable(self, name: str, op: str, arg: str) -> str:
        value = self._lookup(name)
        if op in (":-", "-"):
            empty = value is None or (op == ":-" and value == "")
            return self._expand_text(arg) if empty else value or ""
        if op in (":=", "="):
            if value is None or (op == ":=" and value == ""):
                value = self._expand_text(arg)
                self.vars[name] = value
            return value
        if op in (":+", "+"):
            present = value is not None and (op == "+" or value != "")
            return self._expand_text(arg) if present else ""
        return value or ""

    def _expand_text(self, text: str) -> str:
        from simcore.exec.shellparse import tokenize

        words = [tok for tok in tokenize(text) if isinstance(tok, Word)]
        return " ".join("".join(self.expand(w, split=False)) for w in words)

    def _lookup(self, name: str) -> str | None:
        special = {"?": str(self.status), "$": "1", "#": str(len(self.positional)),
                   "0": self.name, "@": " ".join(self.positional),
                   "*": " ".join(self.positional), "-": "", "!": ""}
        if name in special:
            return special[name]
        if name.isdigit():
            index = int(name) - 1
            return self.positional[index] if index < len(self.positional) else None
        return self.vars.get(name)

    def _substitute(self, script: str) -> str:
        saved_status = self.status
        with self._capture() as buffer:
            try:
                self.run_list(parse(script))
            except ShellSyntaxError as error:
                self._syntax_error(error)
        self.status_of_subst = self.status
        self.status = saved_status
        return "".join(buffer).rstrip("\n")

    def _arithmetic(self, expression: str) -> str:
        text = expression
        for name in sorted(self.vars, key=len, reverse=True):
            if name.isidentifier():
                text = text.replace("$" + name, self.vars[name] or "0")
        try:
            return str(_arith(ast.parse(text.strip() or "0", mode="eval").body, self.vars))
        except (SyntaxError, ValueError, ZeroDivisionError, KeyError):
            return "0"


def _split_fields(pieces: list[tuple[str, bool]]) -> list[str]:
    fields: list[str] = []
    current, has = "", False
    for text, splittable in pieces:
        if not splittable:
            current += text
            has = True
            continue
        for ch in text:
            if ch in _SPLIT:
                if has or current:
                    fields.append(current)
                current, has = "", False
            else:
                current += ch
                has = True
    if has or current:
        fields.append(current)
    return fields


_ARITH_OPS: dict[type[ast.operator], Callable[[int, int], int]] = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.FloorDiv: operator.floordiv, ast.Div: operator.floordiv, ast.Mod: operator.mod}


def _arith(node: ast.AST, names: dict[str, str]) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.Name):
        return int(names.get(node.id, "0") or "0")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_arith(node.operand, names)
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH_OPS:
        return _ARITH_OPS[type(node.op)](_arith(node.left, names), _arith(node.right, names))
    raise ValueError("unsupported arithmetic")


def _always_true(loop: Loop) -> bool:
    if loop.until or len(loop.condition) != 1:
        return False
    andor = loop.condition[0][0]
    command = andor.first.commands[0] if not andor.rest and len(andor.first.commands) == 1 else None
    if not isinstance(command, Simple) or len(command.words) != 1 or command.redirects:
        return False
    return command.words[0].plain() in ("true", ":")


def _version_at_least(version: str, major: int, minor: int) -> bool:
    try:
        parts = tuple(int(p) for p in version.split(".")[:2])
    except ValueError:
        return True
    return parts >= (major, minor)


# --- builtins -------------------------------------------------------------------------


def _b_true(sh: Shell, argv: list[str], stdin: str | None) -> int:
    return 0


def _b_false(sh: Shell, argv: list[str], stdin: str | None) -> int:
    return 1


def _b_echo(sh: Shell, argv: list[str], stdin: str | None) -> int:
    if sh.dialect == "dash":
        sh._write(1, dash_echo(argv[1:]))
        return 0
    sh._write(1, echo_text(argv[1:], False))
    return 0


def _b_printf(sh: Shell, argv: list[str], stdin: str | None) -> int:
    if len(argv) < 2:
        sh._write(2, f"{sh.name}: printf: usage: printf format [arguments]\n")
        return 2
    fmt, args = argv[1], argv[2:]
    text = fmt.replace("\\n", "\n").replace("\\t", "\t")
    for spec in ("%s", "%d"):
        while spec in text and args:
            text = text.replace(spec, args.pop(0), 1)
    sh._write(1, text.replace("%s", "").replace("%d", "0"))
    return 0


def _b_exit(sh: Shell, argv: list[str], stdin: str | None) -> int:
    code = int(argv[1]) & 255 if len(argv) > 1 and argv[1].lstrip("-").isdigit() else sh.status
    sh.status = code
    sh.exited = True
    raise _Stop


def _b_export(sh: Shell, argv: list[str], stdin: str | None) -> int:
    for arg in argv[1:]:
        if "=" in arg:
            key, _, value = arg.partition("=")
            sh.vars[key] = value
    return 0


def _b_unset(sh: Shell, argv: list[str], stdin: str | None) -> int:
    for name in argv[1:]:
        sh.vars.pop(name, None)
    return 0


def _b_cd(sh: Shell, argv: list[str], stdin: str | None) -> int:
    target = argv[1] if len(argv) > 1 else sh.vars.get("HOME", "/")
    if not fs.is_dir(sh.ctx.files, fs.norm(target)):
        if sh.dialect == "dash":
            sh._write(2, f"{sh.name}: {sh._line}: cd: can't cd to {target}\n")
        elif sh.dialect == "bash":
            sh._write(2, f"{sh.name}: line {sh._line}: cd: {target}: No such file or directory\n")
        else:
            sh._write(2, f"{sh.name}: cd: can't cd to {target}: No such file or directory\n")
        return 2 if sh.dialect == "dash" else 1
    return 0


def _b_test(sh: Shell, argv: list[str], stdin: str | None) -> int:
    args = argv[1:]
    closing = {"[": "]", "[[": "]]"}.get(argv[0])
    if closing:
        if not args or args[-1] != closing:
            sh._write(2, f"{sh.name}: {sh._line}: [: missing ]\n" if sh.dialect == "dash"
                      else f"{sh.name}: [: missing ]\n")
            return 2
        args = args[:-1]
    status, error = test_eval(args, sh.ctx.files)
    if error:
        prefix = f"{sh.name}: {sh._line}: " if sh.dialect == "dash" else f"{sh.name}: "
        sh._write(2, f"{prefix}{argv[0]}: {error}\n")
    return status


def _b_noop(sh: Shell, argv: list[str], stdin: str | None) -> int:
    return 0


def _b_shift(sh: Shell, argv: list[str], stdin: str | None) -> int:
    count = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
    sh.positional = sh.positional[count:]
    return 0


def _b_read(sh: Shell, argv: list[str], stdin: str | None) -> int:
    names = [a for a in argv[1:] if not a.startswith("-")] or ["REPLY"]
    if stdin is None:  # no pipe: a line of the shell's own stdin
        stdin, _, sh.stdin_left = sh.stdin_left.partition("\n")
    if not stdin:
        return 1
    line = stdin.split("\n", 1)[0]
    parts = line.split(None, len(names) - 1)
    for index, name in enumerate(names):
        sh.vars[name] = parts[index] if index < len(parts) else ""
    return 0


def _b_exec(sh: Shell, argv: list[str], stdin: str | None) -> int:
    if len(argv) == 1:
        return 0
    sh.status = sh._dispatch(argv[1:], {}, stdin)
    sh.exited = True
    raise _Stop


# None for stdin: not piped (`read` then takes a line of the shell's own)
_BUILTINS: dict[str, Callable[[Shell, list[str], str | None], int]] = {
    ":": _b_true, "true": _b_true, "false": _b_false, "echo": _b_echo, "printf": _b_printf,
    "exit": _b_exit, "export": _b_export, "unset": _b_unset, "cd": _b_cd, "test": _b_test,
    "[": _b_test, "[[": _b_test, "trap": _b_noop, "set": _b_noop, "wait": _b_noop,
    "shift": _b_shift, "read": _b_read, "exec": _b_exec, "ulimit": _b_noop, "umask": _b_noop,
}
