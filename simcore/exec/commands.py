"""The small utilities a container's PATH can hold (env, cat, ls, echo, test, ...).

The table of every program is exec/programs.py; `Call`, `run_program` and the
runtime's refusal (`missing_executable`, worded as below) live in exec/call.py.

Each program is a function `(argv, call) -> ExecResult`. Which ones exist in a
container is the image's business (`ImageProfile.commands`); how they word an
error is the business of the implementation the image ships: GNU coreutils
(Debian, Ubuntu) or BusyBox (busybox, Alpine), as `tools["coreutils"]` says.
A program the image has but the simulator does not model answers so on
stderr instead of pretending.

When the executable is missing, no process starts; what the user sees is the
runtime's error, which differs by runtime:

- docker (dockershim, the lecture's Docker 20.10.1 with runc 1.0.0-rc92):
  `OCI runtime exec failed: exec failed: container_linux.go:370: starting
  container process caused: exec: "curl": executable file not found in
  $PATH: unknown` on the exec stream, then kubectl's `command terminated with
  exit code 126` (moby reports 126 for a process that could not start).
  Sources: docker/for-linux#246 and kubernetes-retired/dashboard#2190
  (same wording, older runc line numbers), runc rc92 error format as in
  many `container_linux.go:370` reports.
- containerd (current clusters, runc >= 1.1): the exec never starts and
  the API server answers `Internal error occurred: error executing command
  in container: failed to exec in container: failed to start exec "<id>":
  OCI runtime exec failed: exec failed: unable to start container process:
  exec: "ps": executable file not found in $PATH: unknown`, printed by
  kubectl as `error: …` with exit 1 (nigelpoulton/TheK8sBook#30).
"""

from __future__ import annotations

from datetime import timedelta

from simcore.exec import fs
from simcore.exec.call import Call, Program, not_simulated, run_program
from simcore.exec.context import ExecResult, Output
from simcore.tracetext import msg, step


def _text(text: str, code: int = 0) -> ExecResult:
    out = Output()
    out.out(text)
    return out.result(code)


# --- environment and identity -------------------------------------------------------


def _env(argv: list[str], call: Call) -> ExecResult:
    env = dict(call.env)
    rest = argv[1:]
    while rest and "=" in rest[0] and not rest[0].startswith("-"):
        key, _, value = rest.pop(0).partition("=")
        env[key] = value
    if rest:
        if not call.ctx.profile.has(rest[0]):
            return _env_missing(rest[0], call)
        return run_program(rest, Call(call.ctx, env, call.stdin, call.started))
    return _text("".join(f"{k}={v}\n" for k, v in env.items()))


def _env_missing(program: str, call: Call) -> ExecResult:
    out = Output()
    if call.busybox:
        out.err(f"env: can't execute '{program}': No such file or directory\n")
    else:
        out.err(f"env: {fs.gnu_quote(program)}: No such file or directory\n")
    return out.result(127)


def _printenv(argv: list[str], call: Call) -> ExecResult:
    names = [a for a in argv[1:] if not a.startswith("-")]
    if not names:
        return _text("".join(f"{k}={v}\n" for k, v in call.env.items()))
    found = [call.env[n] + "\n" for n in names if n in call.env]
    return _text("".join(found), 0 if len(found) == len(names) else 1)


def _hostname(argv: list[str], call: Call) -> ExecResult:
    from simcore.exec.resolver import hosts_lookup

    ctx = call.ctx
    if "-i" in argv[1:] or "--ip-address" in argv[1:]:
        ips = hosts_lookup(ctx.hostname, ctx.files.get("/etc/hosts") or "")
        return _text(" ".join(ips) + (" \n" if not call.busybox else "\n"))
    return _text(ctx.hostname + "\n")


def _whoami(argv: list[str], call: Call) -> ExecResult:
    return _text(call.ctx.profile.user + "\n")


def _id(argv: list[str], call: Call) -> ExecResult:
    user = call.ctx.profile.user
    uid = 0 if user == "root" else 100 if user == "curl_user" else 65534
    return _text(f"uid={uid}({user}) gid={uid}({user}) groups={uid}({user})\n")


def _uname(argv: list[str], call: Call) -> ExecResult:
    if "-a" in argv[1:]:
        return _text(f"Linux {call.ctx.hostname} 5.4.0-72-generic #80-Ubuntu SMP Mon Apr 12 "
                     "17:35:00 UTC 2021 x86_64 GNU/Linux\n")
    if "-r" in argv[1:]:
        return _text("5.4.0-72-generic\n")
    return _text("Linux\n")


# --- files ---------------------------------------------------------------------------


def _cat(argv: list[str], call: Call) -> ExecResult:
    out = Output()
    code = 0
    paths = argv[1:]
    if not paths:
        out.out(call.stdin)
        return out.result(0)
    for arg in paths:
        if arg == "-":
            out.out(call.stdin)
            continue
        path = fs.norm(arg)
        content = call.ctx.files.get(path)
        if isinstance(content, str):
            out.out(fs.readable(content))
        elif fs.is_dir(call.ctx.files, path):
            out.err("cat: read error: Is a directory\n" if call.busybox
                    else f"cat: {fs.gnu_quotef(arg)}: Is a directory\n")
            code = 1
        else:
            out.err(fs.no_such_file("cat", arg, call.flavor, "open"))
            code = 1
    return out.result(code)


def _split_flags(args: list[str]) -> tuple[set[str], list[str]]:
    flags: set[str] = set()
    paths: list[str] = []
    for arg in args:
        if arg.startswith("-") and len(arg) > 1 and not paths:
            flags.update(arg[1:])
        else:
            paths.append(arg)
    return flags, paths


def _ls(argv: list[str], call: Call) -> ExecResult:
    flags, paths = _split_flags(argv[1:])
    files = call.ctx.files
    out = Output()
    code = 0
    singles: list[str] = []
    dirs: list[tuple[str, list[str]]] = []
    for arg in paths or ["."]:
        path = fs.norm(arg)
        if not fs.exists(files, path):
            out.err(fs.no_such_file("ls", arg, call.flavor, "access"))
            code = 1 if call.busybox else 2
        elif fs.is_dir(files, path) and "d" not in flags:
            names = fs.listdir(files, path)
            dirs.append((arg, [n for n in names if "a" in flags or not n.startswith(".")]))
        else:
            singles.append(arg)
    blocks = []
    if singles:
        blocks.append(_ls_render(sorted(singles), flags, call))
    for arg, names in dirs:
        header = f"{arg}:\n" if len(paths) > 1 else ""
        blocks.append(header + _ls_render(names, flags, call))
    out.out("\n".join(blocks))
    return out.result(code)


def _ls_render(names: list[str], flags: set[str], call: Call) -> str:
    if not names:
        return ""
    if "l" in flags:
        stamp = call.ctx.now.strftime("%b %d %H:%M").replace(" 0", "  ", 1)
        return "".join(f"-rw-r--r-- 1 root root 0 {stamp} {n}\n" for n in names)
    if "1" in flags or not call.ctx.tty:
        return "".join(n + "\n" for n in names)
    return _columns(names, 80)


def _columns(names: list[str], width: int) -> str:
    """GNU ls -C: columns filled top to bottom, two spaces between."""
    for rows in range(1, len(names) + 1):
        cols = -(-len(names) // rows)
        widths = [max(len(n) for n in names[c * rows:(c + 1) * rows]) for c in range(cols)]
        if sum(widths) + 2 * (cols - 1) <= width or rows == len(names):
            break
    lines = []
    for r in range(rows):
        cells = [names[c * rows + r] for c in range(cols) if c * rows + r < len(names)]
        padded = [cell.ljust(widths[i] + 2) for i, cell in enumerate(cells[:-1])]
        lines.append("".join(padded) + cells[-1])
    return "\n".join(lines) + "\n"


def _touch(argv: list[str], call: Call) -> ExecResult:
    _, paths = _split_flags(argv[1:])
    out = Output()
    code = 0
    files = call.ctx.files
    if not paths:
        out.err("touch: missing file operand\nTry 'touch --help' for more information.\n"
                if not call.busybox else "touch: missing operand\n")
        return out.result(1)
    for arg in paths:
        path = fs.norm(arg)
        if fs.exists(files, path):
            continue
        if not fs.parent_ok(files, path):
            out.err(fs.no_such_file("touch", arg, call.flavor, "touch"))
            code = 1
            continue
        files[path] = ""
    return out.result(code)


def _rm(argv: list[str], call: Call) -> ExecResult:
    flags, paths = _split_flags(argv[1:])
    force, recursive = "f" in flags, bool({"r", "R"} & flags)
    out = Output()
    code = 0
    files = call.ctx.files
    if not paths and not force:
        out.err("rm: missing operand\nTry 'rm --help' for more information.\n"
                if not call.busybox else "rm: missing operand\n")
        return out.result(1)
    for arg in paths:
        path = fs.norm(arg)
        if not fs.exists(files, path):
            if not force:
                out.err(fs.no_such_file("rm", arg, call.flavor, "remove"))
                code = 1
        elif fs.is_dir(files, path) and not recursive:
            out.err(f"rm: '{arg}' is a directory\n" if call.busybox
                    else f"rm: cannot remove {fs.gnu_quote(arg)}: Is a directory\n")
            code = 1
        else:
            fs.remove_tree(files, path)
    return out.result(code)


def _mkdir(argv: list[str], call: Call) -> ExecResult:
    flags, paths = _split_flags(argv[1:])
    out = Output()
    code = 0
    files = call.ctx.files
    for arg in paths:
        path = fs.norm(arg)
        if fs.exists(files, path):
            if "p" not in flags:
                out.err(f"mkdir: can't create directory '{arg}': File exists\n" if call.busybox
                        else f"mkdir: cannot create directory {fs.gnu_quote(arg)}: File exists\n")
                code = 1
            continue
        if "p" not in flags and not fs.parent_ok(files, path):
            out.err(fs.no_such_file("mkdir", arg, call.flavor, "mkdir"))
            code = 1
            continue
        files[path] = None
    return out.result(code)


# --- text and time ----------------------------------------------------------------------


def echo_text(args: list[str], escapes_default: bool, options: bool = True) -> str:
    """echo's output: dash interprets backslashes always; GNU/BusyBox only with -e."""
    newline, escapes = True, escapes_default
    while options and args and args[0].startswith("-") and len(args[0]) > 1 \
            and set(args[0][1:]) <= set("neE"):
        for flag in args[0][1:]:
            newline = newline and flag != "n"
            escapes = True if flag == "e" else False if flag == "E" else escapes
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text, stop = _backslashes(text)
        newline = newline and not stop
    return text + ("\n" if newline else "")


def dash_echo(args: list[str]) -> str:
    """dash's builtin echo: only -n is an option, backslash escapes always apply."""
    newline = True
    if args and args[0] == "-n":
        newline, args = False, args[1:]
    text, stop = _backslashes(" ".join(args))
    return text + ("\n" if newline and not stop else "")


def _backslashes(text: str) -> tuple[str, bool]:
    table = {"n": "\n", "t": "\t", "\\": "\\", "a": "\a", "b": "\b", "r": "\r", "v": "\v",
             "f": "\f", "e": "\x1b"}
    out, i = "", 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "c":
                return out, True
            if nxt in table:
                out += table[nxt]
                i += 2
                continue
        out += text[i]
        i += 1
    return out, False


def _echo(argv: list[str], call: Call) -> ExecResult:
    return _text(echo_text(argv[1:], False))


_SLEEP_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_sleep(arg: str) -> float | None:
    if arg in ("inf", "infinity"):
        return float("inf")
    unit = _SLEEP_UNITS.get(arg[-1:], None) if arg else None
    number = arg[:-1] if unit else arg
    try:
        value = float(number)
    except ValueError:
        return None
    return value * (unit or 1) if value >= 0 else None


def _sleep(argv: list[str], call: Call) -> ExecResult:
    out = Output()
    if len(argv) < 2:
        out.err("sleep: missing operand\nTry 'sleep --help' for more information.\n"
                if not call.busybox else
                "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\n"
                "Usage: sleep [N]...\n\nPause for a time equal to the total of the args given, "
                "where each arg can\nhave an optional suffix of (s)econds, (m)inutes, (h)ours, "
                "or (d)ays\n")
        return out.result(1)
    total = 0.0
    for arg in argv[1:]:
        seconds = parse_sleep(arg)
        if seconds is None:
            out.err(f"sleep: invalid number '{arg}'\n" if call.busybox else
                    f"sleep: invalid time interval {fs.gnu_quote(arg)}\n"
                    "Try 'sleep --help' for more information.\n")
            return out.result(1)
        total += seconds
    trace = [step("timeout", msg("sleep.waits", seconds=total), seconds=total)]
    return out.result(0, duration=total, trace=trace)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_text(call: Call, fmt: str | None = None) -> str:
    t = call.ctx.now + timedelta(seconds=call.started)
    if fmt == "%s":
        return f"{int(t.timestamp())}\n"
    if fmt:
        return t.strftime(fmt) + "\n"
    return (f"{_WEEKDAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day:2d} "
            f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} UTC {t.year}\n")


def _date(argv: list[str], call: Call) -> ExecResult:
    fmt = next((a[1:] for a in argv[1:] if a.startswith("+")), None)
    return _text(date_text(call, fmt))


_FORTUNES = (
    "You will be surprised by a loud noise.\n",
    "Your lucky number has been disconnected.\n",
    "Don't Worry, Be Happy.\n\t\t-- Meher Baba\n",
    "You have a deep interest in all that is artistic.\n",
    "Today is the first day of the rest of your life.\n",
)


def _fortune(argv: list[str], call: Call) -> ExecResult:
    return _text(call.ctx.rng.choice(_FORTUNES))


def _dd(argv: list[str], call: Call) -> ExecResult:
    # `dd if=/dev/zero of=/dev/null` (the limits lesson) copies forever.
    if "if=/dev/zero" in argv and not any(a.startswith("count=") for a in argv):
        return ExecResult(duration=float("inf"))
    return not_simulated("dd")


# --- test / [ ----------------------------------------------------------------------


def test_eval(args: list[str], files: dict) -> tuple[int, str]:
    """POSIX test: (status, error). Status 2 with an error for a malformed expression."""
    if args and args[0] == "!":
        status, error = test_eval(args[1:], files)
        return (status if error else 1 - status), error
    if len(args) == 0:
        return 1, ""
    if len(args) == 1:
        return (0 if args[0] else 1), ""
    if len(args) == 2:
        return _unary(args[0], args[1], files)
    if len(args) == 3:
        return _binary(args[0], args[1], args[2])
    return 2, "too many arguments"


def _unary(op: str, arg: str, files: dict) -> tuple[int, str]:
    path = fs.norm(arg)
    checks = {
        "-e": lambda: fs.exists(files, path), "-f": lambda: isinstance(files.get(path), str),
        "-d": lambda: fs.is_dir(files, path), "-s": lambda: bool(files.get(path)),
        "-r": lambda: fs.exists(files, path), "-w": lambda: fs.exists(files, path),
        "-x": lambda: fs.is_dir(files, path), "-z": lambda: arg == "", "-n": lambda: arg != "",
    }
    if op not in checks:
        return 2, f"{op}: unary operator expected"
    return (0 if checks[op]() else 1), ""


def _binary(left: str, op: str, right: str) -> tuple[int, str]:
    if op in ("=", "==", "!="):
        return (0 if (left == right) == (op != "!=") else 1), ""
    numeric = {"-eq": "__eq__", "-ne": "__ne__", "-lt": "__lt__", "-gt": "__gt__",
               "-le": "__le__", "-ge": "__ge__"}
    if op not in numeric:
        return 2, f"{op}: binary operator expected"
    try:
        result = getattr(int(left), numeric[op])(int(right))
    except ValueError:
        bad = left if not left.lstrip("-").isdigit() else right
        return 2, f"{bad}: integer expression expected"
    return (0 if result else 1), ""


def _test(argv: list[str], call: Call) -> ExecResult:
    args = argv[1:]
    if argv[0].endswith("["):
        if not args or args[-1] != "]":
            return _err_text("[: missing ]\n" if not call.busybox else "[: missing ]\n", 2)
        args = args[:-1]
    status, error = test_eval(args, call.ctx.files)
    return _err_text(f"{argv[0].rsplit('/', 1)[-1]}: {error}\n", 2) if error else ExecResult(
        exit_code=status)


def _err_text(text: str, code: int) -> ExecResult:
    out = Output()
    out.err(text)
    return out.result(code)


BUILTINS: dict[str, Program] = {
    "env": _env, "printenv": _printenv, "hostname": _hostname, "cat": _cat, "ls": _ls,
    "touch": _touch, "rm": _rm, "mkdir": _mkdir, "echo": _echo, "sleep": _sleep,
    "true": lambda a, c: ExecResult(), "false": lambda a, c: ExecResult(exit_code=1),
    "date": _date, "pwd": lambda a, c: _text("/\n"), "whoami": _whoami, "id": _id,
    "uname": _uname, "fortune": _fortune, "test": _test, "[": _test, "dd": _dd,
}
