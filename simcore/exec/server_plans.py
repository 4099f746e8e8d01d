"""What the popular images' main processes do when started (plans, see processes.py).

One function per program, keyed by its name: the port it opens and when, what
it logs, how it ends, and the environment it insists on. The databases check
their entrypoint's required variables the way docker-entrypoint.sh does, and
without them print the script's own words and exit 1, which the kubelet turns
into CrashLoopBackOff. Interactive interpreters (python3, node, zsh) started
without a terminal read EOF from the empty stdin and exit 0.

Log lines carry the container's start time where the real program prints one
(ctx.now, the virtual clock). Texts come from the images' entrypoint scripts
and the programs' startup messages as sources name them in families.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from simcore.exec.context import ExecContext
from simcore.exec.plan import new_plan as _plan
from simcore.exec.plan import run_once

_EXIT_NOW = {"action": "exit", "after": 0.0, "code": 0}


def _line(text: str, at: float = 0.0, stream: str = "stdout") -> dict:
    return {"at": at, "stream": stream, "text": text if text.endswith("\n") else text + "\n"}


def _listen(port: int, app: str, at: float, config: dict | None = None,
            address: str = "0.0.0.0") -> dict:
    return {"at": at, "port": port, "protocol": "TCP", "address": address, "app": app,
            "config": dict(config or {})}


def _stamp(ctx: ExecContext, fmt: str) -> str:
    now = ctx.now.astimezone(UTC) if ctx.now.tzinfo else ctx.now
    return now.strftime(fmt)


def _version(ctx: ExecContext) -> str:
    return str(ctx.profile.app_config.get("version", ""))


def _pod_ip(ctx: ExecContext) -> str:
    hosts = ctx.files.get("/etc/hosts") or ""
    last = [line for line in hosts.splitlines() if line and not line.startswith("#")]
    return last[-1].split("\t")[0] if last else "127.0.0.1"


def _httpd(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    ip = _pod_ip(ctx)
    fqdn = ("AH00558: httpd: Could not reliably determine the server's fully qualified domain "
            f"name, using {ip}. Set the 'ServerName' directive globally to suppress this message")
    stamp = _stamp(ctx, "%a %b %d %H:%M:%S.000000 %Y")
    output = [_line(fqdn, 0.05, "stderr"), _line(fqdn, 0.05, "stderr"),
              _line(f"[{stamp}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/"
                    f"{_version(ctx)} (Unix) configured -- resuming normal operations",
                    0.05, "stderr"),
              _line(f"[{stamp}] [core:notice] [pid 1:tid 1] AH00094: Command line: "
                    "'httpd -D FOREGROUND'", 0.05, "stderr")]
    return _plan(argv, output=output, listeners=[_listen(80, "httpd", 0.05, {
        "version": _version(ctx)}, "::")], sigterm={"action": "exit", "after": 0.0, "code": 0})


def _redis(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    stamp = _stamp(ctx, "%d %b %Y %H:%M:%S.000")
    version = _version(ctx)
    ready = "* Ready to accept connections tcp" if version >= "7" else \
        "* Ready to accept connections"
    lines = [f"1:C {stamp} # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
             f"1:C {stamp} # Redis version={version}, bits=64, commit=00000000, modified=0, "
             "pid=1, just started",
             f"1:M {stamp} * Server initialized", f"1:M {stamp} {ready}"]
    return _plan(argv, output=[_line(x, 0.05) for x in lines],
                 listeners=[_listen(6379, "redis", 0.05)],
                 sigterm={"action": "exit", "after": 0.1, "code": 0})


_POSTGRES_NO_PASSWORD = """Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.

       See PostgreSQL documentation about "trust":
       https://www.postgresql.org/docs/current/auth-trust.html
"""


def _postgres(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    env = ctx.env
    if not env.get("POSTGRES_PASSWORD") and env.get("POSTGRES_HOST_AUTH_METHOD") != "trust":
        return _plan(argv, output=[_line(_POSTGRES_NO_PASSWORD, 0.1, "stderr")],
                     exit={"at": 0.1, "code": 1})
    stamp = _stamp(ctx, "%Y-%m-%d %H:%M:%S.000 UTC")
    lines = [f"{stamp} [1] LOG:  starting PostgreSQL {_version(ctx)} on x86_64-pc-linux-gnu",
             f'{stamp} [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432',
             f"{stamp} [1] LOG:  database system is ready to accept connections"]
    return _plan(argv, output=[_line("PostgreSQL init process complete; ready for start up.",
                                     2.0)] + [_line(x, 2.5, "stderr") for x in lines],
                 listeners=[_listen(5432, "postgres", 2.5)],
                 sigterm={"action": "exit", "after": 0.5, "code": 0})


def _mysql_like(product: str, app: str, variables: tuple[str, ...], need: str,
                port2: int | None) -> Callable[[list[str], ExecContext, bool], dict]:
    def plan(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
        stamp = _stamp(ctx, "%Y-%m-%d %H:%M:%S+00:00")
        note = f"{stamp} [Note] [Entrypoint]: "
        started = f"{note}Entrypoint script for {product} Server {_version(ctx)} started."
        head = [_line(started), _line(f"{note}Switching to dedicated user 'mysql'"),
                _line(started)]
        if not any(ctx.env.get(v) for v in variables):
            error = f"{stamp} [ERROR] [Entrypoint]: {need}"
            return _plan(argv, output=head + [_line(error, 0.1, "stderr")],
                         exit={"at": 0.1, "code": 1})
        listeners = [_listen(3306, app, 8.0, address="::")]
        if port2:
            listeners.append(_listen(port2, app, 8.0, address="::"))
        ready = f"{stamp} [Note] [Entrypoint]: MySQL init process done. Ready for start up."
        return _plan(argv, output=head + [_line(ready, 8.0)], listeners=listeners,
                     sigterm={"action": "exit", "after": 1.0, "code": 0})
    return plan


_mysql = _mysql_like(
    "MySQL", "mysql", ("MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD",
                       "MYSQL_RANDOM_ROOT_PASSWORD"),
    "Database is uninitialized and password option is not specified\n"
    "    You need to specify one of the following as an environment variable:\n"
    "    - MYSQL_ROOT_PASSWORD\n    - MYSQL_ALLOW_EMPTY_PASSWORD\n"
    "    - MYSQL_RANDOM_ROOT_PASSWORD", 33060)
_mariadb = _mysql_like(
    "MariaDB", "mariadb", ("MARIADB_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD_HASH",
                           "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "MARIADB_RANDOM_ROOT_PASSWORD",
                           "MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD",
                           "MYSQL_RANDOM_ROOT_PASSWORD"),
    "Database is uninitialized and password option is not specified\n"
    "\tYou need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD_HASH, "
    "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD", None)


def _memcached(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    return _plan(argv, listeners=[_listen(11211, "memcached", 0.05)], sigterm=_EXIT_NOW)


def _rabbitmq(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    management = ctx.profile.app.endswith("-management")
    listeners = [_listen(5672, "rabbitmq", 8.0, address="::")]
    if management:
        listeners.append(_listen(15672, "rabbitmq-management", 8.0))
    stamp = _stamp(ctx, "%Y-%m-%d %H:%M:%S.000000+00:00")
    return _plan(argv, output=[_line(f"{stamp} [info] <0.9.0>  Server startup complete; "
                                     f"{4 if management else 3} plugins started.", 8.0)],
                 listeners=listeners, sigterm={"action": "exit", "after": 2.0, "code": 0})


def _whoami(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    port = _flag(argv, "--port") or ctx.env.get("WHOAMI_PORT_NUMBER") or "80"
    stamp = _stamp(ctx, "%Y/%m/%d %H:%M:%S")
    return _plan(argv, output=[_line(f"{stamp} Starting up on port {port}", 0.01, "stderr")],
                 listeners=[_listen(int(port), "whoami", 0.01, address="::")],
                 sigterm=_EXIT_NOW)


def _hello_app(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    port = ctx.env.get("PORT") or "8080"
    stamp = _stamp(ctx, "%Y/%m/%d %H:%M:%S")
    return _plan(argv, output=[_line(f"{stamp} Server listening on port {port}", 0.01,
                                     "stderr")],
                 listeners=[_listen(int(port), "hello-app", 0.01,
                                    dict(ctx.profile.app_config), "::")],
                 sigterm=_EXIT_NOW)


_AGNHOST_USAGE = """Usage:
  agnhost [command]

Use "agnhost [command] --help" for more information about a command.
"""


def _agnhost(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    sub = argv[1] if len(argv) > 1 else ""
    if sub == "netexec":
        port = int(_flag(argv, "--http-port") or 8080)
        return _plan(argv, listeners=[_listen(port, "agnhost-netexec", 0.05, address="::")],
                     output=[_line(f"Started HTTP server on port {port}", 0.05, "stderr")],
                     sigterm=_EXIT_NOW)
    if sub == "serve-hostname":
        port = int(_flag(argv, "--port") or 9376)
        return _plan(argv, listeners=[_listen(port, "agnhost-serve-hostname", 0.05,
                                              address="::")],
                     output=[_line(f"Serving on port {port}.", 0.05, "stderr")],
                     sigterm=_EXIT_NOW)
    if sub == "pause":
        return _plan(argv, output=[_line("Paused", 0.0)], sigterm=_EXIT_NOW)
    return _plan(argv, output=[_line(_AGNHOST_USAGE)], exit={"at": 0.0, "code": 0})


def _interpreter(argv: list[str], ctx: ExecContext, stdin: bool) -> dict:
    """python3, node, zsh with no script: an interactive prompt that reads stdin."""
    if len(argv) > 1:
        return run_once(argv, ctx, stdin)
    if stdin:
        return _plan(argv, notes=["An interactive interpreter waits on its standard input."])
    return _plan(argv, exit={"at": 0.05, "code": 0},
                 notes=["With no terminal and an empty stdin the interpreter reads EOF and "
                        "exits 0: as a Deployment's pod it ends in CrashLoopBackOff."])


def _flag(argv: list[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
    return None


PROGRAMS: dict[str, Callable[[list[str], ExecContext, bool], dict]] = {
    "httpd-foreground": _httpd, "redis-server": _redis, "postgres": _postgres,
    "mysqld": _mysql, "mariadbd": _mariadb, "memcached": _memcached,
    "rabbitmq-server": _rabbitmq, "whoami": _whoami, "hello-app": _hello_app,
    "agnhost": _agnhost, "python3": _interpreter, "python": _interpreter,
    "node": _interpreter, "zsh": _interpreter,
}
