"""wget, in the two shapes the course's images ship.

BusyBox wget (busybox, Alpine, curlimages/curl): `wget -qO- URL` is the
classic way to test a Service from a pod without curl. Its failures are one
line each and exit 1: `wget: bad address 'x'`, `wget: can't connect to remote
host (10.96.0.1): Connection refused`, `wget: server returned error: HTTP/1.1
404 Not Found`, `wget: download timed out` (networking/wget.c). Without -q it
reports `Connecting to host (ip:port)`, `writing to stdout` / `saving to
'index.html'`, a progress bar and `written to stdout` / `'index.html' saved`.

GNU wget (Debian-based images: node, perl) is chattier and uses exit codes
4 (network failure) and 8 (server error response); the C locale quotes with
apostrophes; -q silences everything, errors included. The progress line is
simplified to its final form.
"""

from __future__ import annotations

import math
import posixpath
from datetime import timedelta

from simcore.exec import fs
from simcore.exec.call import Call
from simcore.exec.context import ExecResult, Output
from simcore.exec.netapi import (
    ConnectFailure,
    Connection,
    HttpFailure,
    HttpRequest,
    HttpResponse,
)
from simcore.exec.resolver import hosts_lookup, is_ip_literal
from simcore.trace import Message, StepKind, TraceStep
from simcore.tracetext import msg, step

_BUSYBOX_DEFAULT_TIMEOUT = 900.0


class _Usage(Exception):
    pass


def _parse(args: list[str]) -> tuple[dict, list[str]]:
    opts: dict = {"quiet": False, "output": None, "timeout": None, "headers": [], "spider": False,
                  "agent": None}
    urls: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg.startswith("--"):
            name, _, value = arg[2:].partition("=")
            if name in ("quiet",):
                opts["quiet"] = True
            elif name == "spider":
                opts["spider"] = True
            elif name in ("output-document", "timeout", "header", "user-agent", "tries"):
                if not value:
                    if i >= len(args):
                        raise _Usage(f"option '--{name}' requires an argument")
                    value, i = args[i], i + 1
                _store(opts, {"output-document": "O", "timeout": "T", "header": "H",
                              "user-agent": "U", "tries": "t"}[name], value)
            else:
                raise _Usage(f"unrecognized option '--{name}'")
        elif arg.startswith("-") and len(arg) > 1:
            i = _short(arg[1:], args, i, opts)
        else:
            urls.append(arg)
    return opts, urls


def _short(letters: str, args: list[str], i: int, opts: dict) -> int:
    for pos, letter in enumerate(letters):
        if letter == "q":
            opts["quiet"] = True
        elif letter in "OTUHt":
            value = letters[pos + 1:]
            if not value:
                if i >= len(args):
                    raise _Usage(f"option requires an argument -- '{letter}'")
                value, i = args[i], i + 1
            _store(opts, letter, value)
            return i
        elif letter not in "SscnvY":
            raise _Usage(f"invalid option -- '{letter}'")
    return i


def _store(opts: dict, letter: str, value: str) -> None:
    if letter == "O":
        opts["output"] = value
    elif letter == "T":
        opts["timeout"] = float(value) if value.replace(".", "", 1).isdigit() else 0.0
    elif letter == "H":
        opts["headers"].append(value)
    elif letter == "U":
        opts["agent"] = value


def _split_url(url: str) -> tuple[str, str, int, str]:
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "http", url
    cut = min((rest.find(c) for c in "/?" if c in rest), default=len(rest))
    authority, target = rest[:cut], rest[cut:] or "/"
    host, _, port = authority.partition(":")
    return scheme.lower(), host, int(port) if port.isdigit() else 80, target


class Wget:
    def __init__(self, argv: list[str], call: Call) -> None:
        self.call = call
        self.ctx = call.ctx
        self.gnu = self.ctx.profile.tool("wget", "busybox").startswith("gnu")
        self.opts, self.urls = _parse(argv[1:])
        self.out = Output()
        self.trace: list[TraceStep] = []
        self.elapsed = 0.0

    def say(self, text: str) -> None:
        if not self.opts["quiet"]:
            self.out.err(text)

    def fail(self, busybox_text: str, gnu_code: int = 4) -> int:
        if not self.gnu:
            self.out.err(f"wget: {busybox_text}\n")
            return 1
        return gnu_code

    def run(self) -> ExecResult:
        if not self.urls:
            self.out.err("wget: missing URL\n" + ("Usage: wget [OPTION]... [URL]...\n\nTry `wget "
                                                  "--help' for more options.\n" if self.gnu else ""))
            return self.out.result(1)
        code = 0
        for url in self.urls:
            code = self._one(url) or code
            if math.isinf(self.elapsed):
                break
        return self.out.result(code, duration=self.elapsed, trace=self.trace)

    def _one(self, url: str) -> int:
        scheme, host, port, target = _split_url(url)
        if self.gnu:
            stamp = self._stamp()
            self.say(f"--{stamp}--  {scheme}://{host}{'' if port == 80 else f':{port}'}{target}\n")
        ip = self._resolve(host)
        if ip is None:
            return self.fail(f"bad address '{host}'")
        conn = self._connect(host, ip, port)
        if conn is None:
            return self._last_code
        return self._fetch(conn, host, port, target)

    def _stamp(self) -> str:
        t = self.ctx.now + timedelta(seconds=self.call.started + self.elapsed)
        return t.strftime("%Y-%m-%d %H:%M:%S")

    def _resolve(self, host: str) -> str | None:
        if is_ip_literal(host):
            return host
        local = hosts_lookup(host, self.ctx.files.get("/etc/hosts") or "")
        if local:
            return local[0]
        if self.ctx.net is None:
            return None
        resolution = self.ctx.net.resolve(host, "A")
        self.trace.extend(resolution.trace)
        self.elapsed += resolution.elapsed
        if resolution.ok:
            self._step("dns-answer", msg("dns.resolved", host=host, ip=resolution.addresses[0]))
            if self.gnu:
                self.say(f"Resolving {host} ({host})... {', '.join(resolution.addresses)}\n")
            return resolution.addresses[0]
        self._step("dns-answer", msg("dns.not-resolved", host=host, why=str(resolution.failure)))
        if self.gnu:
            self.say(f"Resolving {host} ({host})... failed: Name or service not known.\n")
            self.say(f"wget: unable to resolve host address '{host}'\n")
        return None

    def _connect(self, host: str, ip: str, port: int) -> Connection | None:
        self._last_code = 0
        timeout = self.opts["timeout"] or (None if self.gnu else _BUSYBOX_DEFAULT_TIMEOUT)
        if not self.gnu:
            self.say(f"Connecting to {host} ({ip}:{port})\n")
        result = self.ctx.net.connect(ip, port, timeout) if self.ctx.net else \
            ConnectFailure("unreachable", ip, port)
        self.trace.extend(result.trace)
        if not isinstance(result, ConnectFailure):
            self.elapsed += result.elapsed
            self._step("connect", msg("connect.connected", ip=ip, port=port))
            if self.gnu:
                self.say(f"Connecting to {_gnu_peer(host, ip, port)}... connected.\n")
            return result
        self._connect_failed(result, host, ip, port, timeout)
        return None

    def _connect_failed(self, result: ConnectFailure, host: str, ip: str, port: int,
                        timeout: float | None) -> None:
        self.elapsed += result.elapsed
        reason = {"refused": "Connection refused", "timeout": "Connection timed out",
                  "unreachable": "No route to host"}[result.kind]
        self._step("reject" if result.kind == "refused" else "timeout",
                   msg("reject.tool-failed", ip=ip, port=port, reason=reason))
        if result.kind == "timeout" and timeout is not None and result.elapsed >= timeout \
                and not self.gnu:
            self._last_code = self.fail("download timed out")
            return None
        if self.gnu:
            self.say(f"Connecting to {_gnu_peer(host, ip, port)}... failed: {reason}.\n")
        self._last_code = self.fail(f"can't connect to remote host ({ip}): {reason}")
        return None

    def _fetch(self, conn: Connection, host: str, port: int, target: str) -> int:
        authority = host if port == 80 else f"{host}:{port}"
        agent = self.opts["agent"] or ("Wget/1.21" if self.gnu else "Wget")
        headers = [("Host", authority), ("User-Agent", agent)]
        headers += [tuple(h.split(":", 1)) for h in self.opts["headers"] if ":" in h]
        headers.append(("Connection", "close"))
        method = "HEAD" if self.opts["spider"] else "GET"
        request = HttpRequest(method, target, authority,
                              tuple((k.strip(), v.strip()) for k, v in headers))
        timeout = self.opts["timeout"] or (None if self.gnu else _BUSYBOX_DEFAULT_TIMEOUT)
        net = self.ctx.net
        assert net is not None, "a connection was made, so there is a network"
        response = net.http(conn, request, timeout)
        self.trace.extend(response.trace)
        if isinstance(response, HttpFailure):
            return self._http_failed(response)
        self.elapsed += response.elapsed
        self._step("response", msg("response.status", status=response.status,
                                   reason=response.reason))
        if self.gnu:
            self.say(f"HTTP request sent, awaiting response... {response.status} "
                     f"{response.reason}\n")
        if response.status >= 400:
            if self.gnu:
                self.say(f"{self._stamp()} ERROR {response.status}: {response.reason}.\n\n")
                return 8
            return self.fail(f"server returned error: HTTP/{response.version} {response.status} "
                             f"{response.reason}")
        return self._save(response, target)

    def _http_failed(self, failure: HttpFailure) -> int:
        if math.isinf(failure.elapsed):
            self.elapsed = math.inf
            return 0
        self.elapsed += failure.elapsed
        if failure.kind == "timeout":
            return self.fail("download timed out")
        return self.fail("error getting response: Connection reset by peer")

    def _save(self, response: HttpResponse, target: str) -> int:
        output = self.opts["output"]
        name = output or posixpath.basename(target.split("?", 1)[0]) or "index.html"
        size = len(response.body.encode())
        if self.opts["spider"]:
            return 0
        if name == "-":
            self.say("writing to stdout\n" if not self.gnu else "Saving to: 'STDOUT'\n\n")
            self.out.out(response.body)
            self.say(self._bar("-", size) + ("written to stdout\n" if not self.gnu else
                                              f"{self._stamp()} - written to stdout [{size}]\n\n"))
            return 0
        path = fs.norm(name)
        if not self.gnu and path in self.ctx.files and output is None:
            return self.fail(f"can't open '{name}': File exists")
        if not fs.parent_ok(self.ctx.files, path):
            return self.fail(f"can't open '{name}': No such file or directory", 3)
        self.say(f"saving to '{name}'\n" if not self.gnu else f"Saving to: '{name}'\n\n")
        self.ctx.files[path] = response.body
        self.say(self._bar(name, size) + (f"'{name}' saved\n" if not self.gnu else
                                          f"{self._stamp()} - '{name}' saved [{size}]\n\n"))
        return 0

    def _bar(self, name: str, size: int) -> str:
        if self.gnu:
            return f"     0K{' ' * 56}100% {size}B/s   in 0s\n\n"
        return f"{name:<20.20}100% |{'*' * 32}| {size:>5}  0:00:00 ETA\n"

    def _step(self, kind: StepKind, said: Message | str) -> None:
        self.trace.append(step(kind, said, tool="wget"))


def _gnu_peer(host: str, ip: str, port: int) -> str:
    """GNU wget names a peer `host (host)|ip|:port`, or `ip:port` when given an address."""
    return f"{ip}:{port}" if host == ip else f"{host} ({host})|{ip}|:{port}"


def main(argv: list[str], call: Call) -> ExecResult:
    try:
        tool = Wget(argv, call)
    except _Usage as error:
        out = Output()
        gnu = call.ctx.profile.tool("wget", "busybox").startswith("gnu")
        out.err(f"wget: {error}\n" + ("Usage: wget [OPTION]... [URL]...\n\nTry `wget --help' for "
                                      "more options.\n" if gnu else ""))
        return out.result(2 if gnu else 1)
    return tool.run()
