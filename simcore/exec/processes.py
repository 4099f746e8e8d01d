"""What a container's main process does once started: the ProcessPlan.

The kubelet does not run code for a simulated container; it asks the image
profile once, at start, for a plan, and replays it on the cluster clock. A
plan is plain data (dicts, lists, numbers, strings) so the engine can store
it and the UI can show it:

    {
      "argv": ["node", "app.js"],           # after ENTRYPOINT/CMD and $(VAR) expansion
      "output": [{"at": 0.0, "stream": "stdout", "text": "node-web server starting...\\n"}],
      "files": [{"at": 0.0, "op": "write", "path": "/tmp/healthy", "content": ""}],
      "listeners": [{"at": 0.1, "port": 8080, "protocol": "TCP", "address": "::",
                     "app": "node-web", "config": {}}],
      "exit": {"at": 1.0, "code": 0} or None (runs until killed),
      "repeat": None or {"start": s, "every": s, "output": [...], "files": [...]},
      "sigterm": {"action": "exit", "after": 0.0, "code": 0} or {"action": "ignore"},
      "start_error": None or {"reason", "message", "exit_code"} per runtime,
      "notes": ["…"],
    }

`at` is seconds after the process started. `repeat` is an endless loop: its
output and file events happen at `start + k*every + at` for k = 0, 1, …
(`expand_repeat` unrolls it). `sigterm` is what `kubectl delete pod` meets:
node as PID 1 installs no handler, and the kernel drops signals a PID 1 does
not handle, so deletion waits the whole grace period and ends in SIGKILL
(exit 137); nginx exits at once; a shell as PID 1 ignores SIGTERM too.

Commands and args follow the Kubernetes rules: `command` replaces the
image's ENTRYPOINT (and drops its CMD), `args` replaces CMD, and `$(VAR)`
references are expanded from the container's environment by the kubelet
(k8s.io/kubernetes third_party/forked/golang/expansion), `$$` escaping `$`.
Shell scripts (`sh -c`, shebang files) run through shell.py in plan mode.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from simcore.exec.call import Call
from simcore.exec.context import ExecContext
from simcore.exec.plan import new_plan as _plan
from simcore.exec.plan import run_once as _run_once

if TYPE_CHECKING:  # images.py asks this module for a profile's plan: types only
    from simcore.exec.images import ImageProfile

_EPOCH = datetime(2021, 5, 1, tzinfo=UTC)


def expand_kube_vars(text: str, env: Mapping[str, str]) -> str:
    """The kubelet's $(VAR) expansion of command and args."""
    out, i = "", 0
    while i < len(text):
        if text[i] != "$" or i + 1 >= len(text):
            out += text[i]
            i += 1
        elif text[i + 1] == "$":
            out += "$"
            i += 2
        elif text[i + 1] == "(" and (end := text.find(")", i + 2)) >= 0:
            name = text[i + 2:end]
            out += env[name] if name in env else text[i:end + 1]
            i = end + 1
        else:
            out += text[i]
            i += 1
    return out


def resolve_argv(profile: ImageProfile, command: list[str] | None, args: list[str] | None,
                 env: Mapping[str, str]) -> list[str]:
    if command:
        argv = list(command) + list(args or [])
    elif args is not None:
        argv = list(profile.entrypoint or ()) + list(args)
    else:
        argv = list(profile.entrypoint or ()) + list(profile.cmd or ())
    return [expand_kube_vars(a, env) for a in argv]


def _line(text: str, at: float = 0.0, stream: str = "stdout") -> dict:
    return {"at": at, "stream": stream, "text": text if text.endswith("\n") else text + "\n"}


def start_error(program: str) -> dict:
    """How each runtime reports a main process that cannot start (no such executable)."""
    if "/" in program:
        cause = f'exec: "{program}": stat {program}: no such file or directory'
    else:
        cause = f'exec: "{program}": executable file not found in $PATH'
    return {
        "docker": {"reason": "ContainerCannotRun", "exit_code": 127,
                   "message": "OCI runtime create failed: container_linux.go:370: starting "
                              f"container process caused: {cause}: unknown"},
        "containerd": {"reason": "StartError", "exit_code": 128,
                       "message": "failed to create containerd task: failed to create shim "
                                  "task: OCI runtime create failed: runc create failed: unable "
                                  f"to start container process: {cause}: unknown"},
    }


def plan_start(profile: ImageProfile, command: list[str] | None, args: list[str] | None, env: dict,
               rng: random.Random, *, now: datetime | None = None,
               files: Mapping[str, str | None] | None = None, tty: bool = False,
               stdin: bool = False) -> dict:
    argv = resolve_argv(profile, command, args, env)
    if not argv:
        return _plan(argv, start_error={"docker": {"reason": "ContainerCannotRun", "exit_code": 127,
                                                   "message": "No command specified"},
                                        "containerd": {"reason": "StartError", "exit_code": 128,
                                                       "message": "no command specified"}})
    if not profile.has(argv[0]):
        return _plan(argv, start_error=start_error(argv[0]))
    ctx = ExecContext(profile, dict(env), env.get("HOSTNAME", ""), dict(files or profile.files),
                      now or _EPOCH, rng, None, tty=tty)
    return _dispatch(argv, ctx, stdin)


def _dispatch(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    name = argv[0].rsplit("/", 1)[-1]
    profile = ctx.profile
    default = resolve_argv(profile, None, None, {}) == argv
    if name in ("node", "nodejs") and profile.app:
        return _node(argv, profile.app)
    if profile.app in _NGINX_APPS and (name in ("nginx", "run.sh") or (
            name == "docker-entrypoint.sh" and argv[1:2] == ["nginx"])):
        return _nginx_plan(argv, ctx)
    if default and profile.app in _APP_PROGRAM:
        return _server(argv, *_SERVERS[_APP_PROGRAM[profile.app]])
    if name in _SERVERS:
        return _server(argv, *_SERVERS[name])
    from simcore.exec.server_plans import PROGRAMS
    handler = PROGRAMS.get(name) or _BATCH.get(name)
    if handler is not None:
        return handler(argv, ctx, stdin)
    if name.startswith("perl"):
        return _perl(argv)
    if name in ("docker-entrypoint.sh", "entrypoint.sh") and len(argv) > 1:
        return _dispatch(_entrypoint_args(name, argv), ctx, stdin)
    script = ctx.files.get(argv[0]) if "/" in argv[0] else None
    if isinstance(script, str) and script.startswith("#!"):
        return _shell_plan(argv, ctx, script=script)
    return _run_once(argv, ctx)


def _entrypoint_args(name: str, argv: list[str]) -> list[str]:
    # curl-container's entrypoint.sh: a first argument starting with "-" means "curl …".
    if name == "entrypoint.sh" and argv[1].startswith("-"):
        return ["curl", *argv[1:]]
    return argv[1:]


# --- servers ---------------------------------------------------------------------------

_NODE_START = {
    "node-web": "node-web server starting...", "node-web-v2": "node-web server starting...",
    "kubia": "Kubia server starting...", "kubia-unhealthy": "Kubia server starting...",
}


def _node(argv: list[str], app: str) -> dict:
    if app == "err-pod":
        return _plan(argv, exit={"at": 0.5, "code": 1},
                     notes=["whatwant/err-pod:1.0 is modelled as exiting 1 at once (no source)."])
    output = [_line(_NODE_START[app])] if app in _NODE_START else []
    listener = {"at": 0.1, "port": 8080, "protocol": "TCP", "address": "::", "app": app,
                "config": {}}
    return _plan(argv, output=output, listeners=[listener],
                 notes=["node as PID 1 has no SIGTERM handler: deletion waits the grace period."])


def _nginx_plan(argv: list[str], ctx: ExecContext) -> dict:
    profile = ctx.profile
    config = dict(profile.app_config)
    if profile.app == "echoserver" or profile.app == "echoserver-1.4":
        listeners = [{"at": 0.05, "port": p, "protocol": "TCP", "address": "0.0.0.0",
                      "app": profile.app, "config": config} for p in (8080, 8443)]
        return _plan(argv, listeners=listeners, sigterm={"action": "exit", "after": 0.0, "code": 0})
    output = _nginx_startup(ctx, config) if argv[0].endswith("docker-entrypoint.sh") else []
    listener = {"at": 0.05, "port": 80, "protocol": "TCP", "address": "0.0.0.0", "app": "nginx",
                "config": config}
    return _plan(argv, output=output, listeners=[listener],
                 sigterm={"action": "exit", "after": 0.0, "code": 0},
                 notes=["nginx's master process exits at once on SIGTERM (fast shutdown)."])


def _nginx_startup(ctx: ExecContext, config: Mapping) -> list[dict]:
    entry = "/docker-entrypoint.sh"
    scripts = ["10-listen-on-ipv6-by-default.sh"]
    lines = [f"{entry}: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
             f"{entry}: Looking for shell scripts in /docker-entrypoint.d/",
             f"{entry}: Launching /docker-entrypoint.d/{scripts[0]}",
             f"{scripts[0]}: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
             f"{scripts[0]}: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf"]
    if str(config.get("version", "")) >= "1.25":
        lines.append(f"{entry}: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh")
    lines += [f"{entry}: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
              f"{entry}: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
              f"{entry}: Configuration complete; ready for start up"]
    t = ctx.now.astimezone(UTC) if ctx.now.tzinfo else ctx.now
    stamp = t.strftime("%Y/%m/%d %H:%M:%S")
    notices = ['using the "epoll" event method', f"nginx/{config.get('version')}",
               "OS: Linux 5.4.0-72-generic", "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
               "start worker processes", "start worker process 29"]
    return [_line(x) for x in lines] + [_line(f"{stamp} [notice] 1#1: {n}", 0.0, "stderr")
                                        for n in notices]


# program -> (port, app, address, start delay, sigterm)
_SERVERS: dict[str, tuple[int, str, str, float, dict[str, object]]] = {
    "mongod": (27017, "mongo", "0.0.0.0", 1.0, {"action": "exit", "after": 1.0, "code": 0}),
    "prometheus": (9090, "prometheus", "::", 0.5, {"action": "exit", "after": 0.5, "code": 0}),
    "grafana": (3000, "grafana", "::", 2.0, {"action": "exit", "after": 0.5, "code": 0}),
    "node_exporter": (9100, "node-exporter", "::", 0.1, {"action": "exit", "after": 0.0, "code": 0}),
    "kube-state-metrics": (8080, "kube-state-metrics", "::", 0.5,
                           {"action": "exit", "after": 0.0, "code": 2}),
    "controller": (7472, "metallb", "::", 0.5, {"action": "exit", "after": 0.0, "code": 2}),
    "speaker": (7472, "metallb", "::", 0.5, {"action": "exit", "after": 0.0, "code": 2}),
    "kubectl-proxy.sh": (8001, "kubectl-proxy", "127.0.0.1", 0.2, {"action": "ignore"}),
    "git-sync": (0, "", "", 0.0, {"action": "exit", "after": 0.0, "code": 0}),
}


_NGINX_APPS = ("nginx", "echoserver", "echoserver-1.4")
# The server program an image's default ENTRYPOINT/CMD ends up running.
_APP_PROGRAM = {"grafana": "grafana", "kubectl-proxy": "kubectl-proxy.sh", "git-sync": "git-sync",
                "mongo": "mongod", "prometheus": "prometheus", "node-exporter": "node_exporter",
                "kube-state-metrics": "kube-state-metrics"}


def _server(argv: list[str], port: int, app: str, address: str, delay: float,
            sigterm: dict[str, object]) -> dict:
    listeners = [] if not port else [{"at": delay, "port": port, "protocol": "TCP",
                                      "address": address, "app": app, "config": {}}]
    output = [_line("Starting to serve on 127.0.0.1:8001", delay, "stderr")] \
        if app == "kubectl-proxy" else []
    return _plan(argv, listeners=listeners, output=output, sigterm=sigterm)


# --- batch processes -------------------------------------------------------------------


def _throw_dice(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    """F8.9: one roll, printed; success only on a six, after about a second."""
    roll = ctx.rng.randint(1, 6)
    took = round(ctx.rng.uniform(1.0, 2.0), 3)
    return _plan(argv, output=[_line(str(roll), took)], exit={"at": took, "code": 0 if roll == 6
                                                              else 1})


def _shell_or_interactive(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    if "-c" in argv[1:]:
        return _shell_plan(argv, ctx)
    if len(argv) > 1 and not argv[1].startswith("-"):
        script = ctx.files.get(argv[1])
        if not isinstance(script, str):
            return _run_once(argv, ctx)  # the shell's own "cannot open" error
        return _shell_plan(argv[1:], ctx, script="#!" + argv[0] + "\n" + script)
    if stdin:
        return _plan(argv, notes=["An interactive shell waits on its standard input."])
    return _plan(argv, exit={"at": 0.0, "code": 0},
                 notes=["A shell with no script and no stdin reads EOF and exits 0."])


def _shell_plan(argv: list[str], ctx: ExecContext, script: str | None = None) -> dict:
    from simcore.exec.shell import Shell, dialect_of

    if script is not None:
        interpreter = script.split("\n", 1)[0][2:].strip() or "/bin/sh"
        dialect, version = dialect_of(interpreter, ctx)
        sh = Shell(Call(ctx, dict(ctx.env)), name=argv[0], dialect=dialect, version=version,
                   positional=argv[1:], plan=True)
        sh.run_script(script)
    else:
        dialect, version = dialect_of(argv[0], ctx)
        rest = argv[argv.index("-c") + 1:] if "-c" in argv else argv[1:]
        body = rest[0] if rest else ""
        sh = Shell(Call(ctx, dict(ctx.env)), name=rest[1] if len(rest) > 1 else argv[0],
                   dialect=dialect, version=version, positional=rest[2:], plan=True)
        sh.run_script(body)
    output = [{"at": at, "stream": s, "text": t} for s, t, at in sh.out.chunks]
    exit_ = None if sh.hung else {"at": sh.clock, "code": sh.status}
    return _plan(argv, output=output, files=sh.file_events, exit=exit_, repeat=sh.repeat,
                 notes=["A shell as PID 1 ignores SIGTERM: deletion waits the grace period."])


def _perl(argv: list[str]) -> dict:
    script = " ".join(argv[1:])
    if "bpi(" in script:
        digits = int(script.split("bpi(", 1)[1].split(")", 1)[0] or "40")
        text = pi_digits(digits) + "\n"
        # Math::BigFloat computes 2000 digits in a few seconds on a 2021 laptop.
        took = round(0.5 + digits / 500, 3)
        return _plan(argv, output=[{"at": took, "stream": "stdout", "text": text}],
                     exit={"at": took, "code": 0})
    return _plan(argv, exit={"at": 0.0, "code": 0},
                 notes=["perl without a script reads EOF from an empty stdin and exits."])


def pi_digits(significant: int) -> str:
    """pi to `significant` significant digits, rounded like Math::BigFloat->bpi(n)."""
    guard = 10
    scale = 10 ** (significant + guard)
    value = 4 * (4 * _arctan_inv(5, scale) - _arctan_inv(239, scale))
    rounded = (value + 10 ** (guard + 1) // 2) // 10 ** (guard + 1)
    text = str(rounded)
    return text[0] + "." + text[1:]


def _arctan_inv(x: int, scale: int) -> int:
    total = term = scale // x
    n, sign, x2 = 1, -1, x * x
    while term:
        term //= x2
        n += 2
        total += sign * (term // n)
        sign = -sign
    return total


_BATCH = {
    "throw-dice": _throw_dice,
    "sh": _shell_or_interactive, "bash": _shell_or_interactive, "ash": _shell_or_interactive,
    "dash": _shell_or_interactive,
}


def expand_repeat(plan: dict, until: float) -> list[dict]:
    """Unroll a plan's repeating block into concrete events up to `until` seconds."""
    repeat = plan.get("repeat")
    if not repeat or repeat["every"] <= 0:
        return []
    from simcore.exec.loopcount import render
    events: list[dict] = []
    k = 0
    while (base := repeat["start"] + k * repeat["every"]) <= until:
        for kind in ("output", "files"):
            for event in repeat[kind]:
                if base + event["at"] <= until:
                    out = {**event, "at": base + event["at"], "kind": kind}
                    if "steps" in event:
                        out["text"] = render(event["text"], out.pop("steps"), k)
                    events.append(out)
        k += 1
    return sorted(events, key=lambda e: e["at"])
