"""curl: the command line, the transfer, and every line curl prints, per version.

The class reads curl's output more than any other, so the words follow the
curl the image ships (`tools["curl"]`): node-web:1.0 is Debian buster's
7.64.0, perl:5.34.1 bullseye's 7.74.0, curlimages/curl and nginx:alpine an
8.x. What changed between them, and how sure we are:

- `*   Trying 10.0.0.1...` gained `:80` and lost `* TCP_NODELAY set` around
  7.68/7.69 (seen: 7.68.0 prints both, 7.75.0 neither) — verified by transcripts.
- `Failed to connect to H port P: Connection refused` (7.64.0, curl/curl#9358)
  gained `after N ms` between 7.75 and 7.79 (threshold 7.77 assumed; no image
  here falls in between) and switched its reason to curl_easy_strerror's
  `Couldn't connect to server` in 7.86 (curl/curl PR #9554); the newest 8.x
  say `Could not connect to server` (assumed from 8.15).
- `(22) The requested URL returned error: 404 Not Found` lost the reason
  phrase in the same 7.7x window (assumed 7.77).
- A connect timeout read `Connection timed out after 2001 milliseconds` in
  7.x and `Failed to connect to H port P after 2002 ms: Timeout was reached`
  after the connection-filter rewrite (7.87+, seen in curl/curl#18484).
- `* Mark bundle as not supporting multiuse` precedes `< HTTP/1.1 …` in 7.x
  verbose output (seen 7.68 to 7.86) and is gone in 8.x; `(#0)` after
  `Connected to` and the number in `Closing connection 0` went with 8.x.

Exit codes: 0, 2 (usage), 3 (bad URL), 6 (resolve), 7 (connect), 22 (-f and
status >= 400), 23 (write), 28 (timeouts), 47 (redirects), 52 (empty reply),
56 (reset), 1 (protocol). Option parsing follows src/tool_getparam.c: short
flags combine (`-sSL`), a short option taking a value eats the rest of its
word or the next word (`-XPOST`, `-m 5`), long options may be abbreviated
while unambiguous, `--opt=value` is not a thing, and a bad number is
"expected a proper numerical parameter".
"""

from __future__ import annotations

import base64
import functools
import math
from dataclasses import dataclass, field

from simcore.exec import fs
from simcore.exec.call import Call
from simcore.exec.context import ExecResult, Output
from simcore.exec.netapi import ConnectFailure, Connection, HttpFailure, HttpRequest, HttpResponse
from simcore.exec.resolver import hosts_lookup, is_ip_literal
from simcore.trace import Message, StepKind, TraceStep
from simcore.tracetext import msg, step

TRY_HELP = "curl: try 'curl --help' or 'curl --manual' for more information\n"
DEFAULT_CONNECT_TIMEOUT = 300.0


# --- versions ---------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _version_tuple(version: str) -> tuple[int, int, int]:
    # a handful of curl versions, compared several times per run: parse each once
    parts = [int(p) for p in version.split("-")[0].split(".")[:3] if p.isdigit()]
    major, minor, patch = (parts + [0, 0, 0])[:3]
    return major, minor, patch


@dataclass(frozen=True)
class Dialect:
    version: str

    @functools.cached_property
    def v(self) -> tuple[int, int, int]:
        # asked a few times per transfer: kept on the (frozen, per-version shared) dialect
        return _version_tuple(self.version)

    @property
    def trying_with_port(self) -> bool:
        return self.v >= (7, 66, 0)

    @property
    def tcp_nodelay_line(self) -> bool:
        return (7, 50, 2) <= self.v < (7, 69, 0)

    @property
    def after_ms(self) -> bool:
        return self.v >= (7, 77, 0)

    @property
    def easy_strerror(self) -> bool:
        return self.v >= (7, 86, 0)

    @property
    def could_not(self) -> bool:
        return self.v >= (8, 15, 0)

    @property
    def reason_on_fail(self) -> bool:
        return self.v < (7, 77, 0)

    @property
    def filter_timeouts(self) -> bool:
        return self.v >= (7, 87, 0)

    @property
    def seven(self) -> bool:
        return self.v < (8, 0, 0)

    @property
    def mark_bundle(self) -> bool:
        return (7, 50, 0) <= self.v < (8, 0, 0)

    def closing(self) -> str:
        return "* Closing connection 0\n" if self.seven else "* Closing connection\n"

    def connected(self, host: str, ip: str, port: int) -> str:
        tail = " (#0)" if self.seven else ""
        return f"* Connected to {host} ({ip}) port {port}{tail}\n"

    def trying(self, ip: str, port: int) -> str:
        line = f"*   Trying {ip}:{port}...\n" if self.trying_with_port else f"*   Trying {ip}...\n"
        return line + ("* TCP_NODELAY set\n" if self.tcp_nodelay_line else "")

    def connect_failed(self, host: str, port: int, ms: int, reason: str) -> str:
        if self.easy_strerror:
            reason = "Could not connect to server" if self.could_not else "Couldn't connect to server"
        after = f" after {ms} ms" if self.after_ms else ""
        return f"Failed to connect to {host} port {port}{after}: {reason}"


@functools.lru_cache(maxsize=64)
def dialect_of(version: str) -> Dialect:
    """The shared dialect of one curl version (a handful exist)."""
    return Dialect(version)


# --- the command line -------------------------------------------------------------------

_SHORT_FLAGS = {"s": "silent", "S": "show-error", "v": "verbose", "i": "include", "I": "head",
                "L": "location", "k": "insecure", "f": "fail", "4": "ipv4", "6": "ipv6",
                "g": "globoff", "G": "get", "N": "no-buffer", "0": "http1.0", "#": "progress-bar"}
_SHORT_VALUES = {"H": "header", "X": "request", "d": "data", "m": "max-time", "o": "output",
                 "w": "write-out", "A": "user-agent", "e": "referer", "u": "user", "x": "proxy",
                 "b": "cookie", "r": "range", "D": "dump-header"}
_LONG_FLAGS = {"silent", "show-error", "verbose", "include", "head", "location", "insecure",
               "fail", "ipv4", "ipv6", "globoff", "get", "no-buffer", "http1.0", "http1.1",
               "http2", "compressed", "no-progress-meter", "fail-with-body", "progress-bar",
               "no-keepalive", "tcp-nodelay", "disable"}
_LONG_VALUES = {"header", "request", "data", "data-raw", "data-binary", "data-ascii",
                "data-urlencode", "max-time", "connect-timeout", "output", "write-out",
                "user-agent", "referer", "user", "proxy", "resolve", "url", "retry", "noproxy",
                "cookie", "range", "dump-header", "cacert", "max-redirs", "interface"}
_NUMERIC = {"max-time", "connect-timeout", "retry", "max-redirs"}


class UsageError(Exception):
    """A command-line error: curl prints the message, the help hint, exits 2."""


@dataclass
class Options:
    flags: set[str] = field(default_factory=set)
    headers: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    resolve: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    def has(self, flag: str) -> bool:
        return flag in self.flags

    def number(self, name: str) -> float | None:
        return float(self.values[name]) if name in self.values else None


def parse_args(args: list[str]) -> Options:
    opts = Options()
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            opts.urls.extend(args[i:])
            break
        if arg.startswith("--"):
            i = _long(arg, args, i, opts)
        elif arg.startswith("-") and len(arg) > 1:
            i = _short(arg, args, i, opts)
        else:
            opts.urls.append(arg)
    return opts


def _long(arg: str, args: list[str], i: int, opts: Options) -> int:
    name = arg[2:]
    negated = name.startswith("no-") and name[3:] in _LONG_FLAGS
    if negated:
        opts.flags.discard(name[3:])
        return i
    name = _expand_long(name, arg)
    if name in _LONG_FLAGS:
        opts.flags.add(name)
        return i
    if i >= len(args):
        raise UsageError(f"curl: option {arg}: requires parameter\n")
    _set_value(opts, name, args[i], arg)
    return i + 1


def _expand_long(name: str, arg: str) -> str:
    everything = _LONG_FLAGS | _LONG_VALUES
    if name in everything:
        return name
    matches = [n for n in everything if n.startswith(name)] if name else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UsageError(f"curl: option {arg}: is ambiguous\n")
    raise UsageError(f"curl: option {arg}: is unknown\n")


def _short(arg: str, args: list[str], i: int, opts: Options) -> int:
    letters = arg[1:]
    for pos, letter in enumerate(letters):
        if letter in _SHORT_FLAGS:
            opts.flags.add(_SHORT_FLAGS[letter])
            continue
        if letter not in _SHORT_VALUES:
            raise UsageError(f"curl: option -{letters[pos:]}: is unknown\n")
        rest = letters[pos + 1:]
        if rest:
            _set_value(opts, _SHORT_VALUES[letter], rest, f"-{letter}")
            return i
        if i >= len(args):
            raise UsageError(f"curl: option -{letter}: requires parameter\n")
        _set_value(opts, _SHORT_VALUES[letter], args[i], f"-{letter}")
        return i + 1
    return i


def _set_value(opts: Options, name: str, value: str, spelled: str) -> None:
    if name in _NUMERIC:
        try:
            if float(value) < 0 or not value.replace(".", "", 1).isdigit():
                raise ValueError
        except ValueError:
            raise UsageError(f"curl: option {spelled}: expected a proper numerical parameter\n") \
                from None
    if name == "header":
        opts.headers.append(value)
    elif name.startswith("data"):
        opts.data.append(value)
    elif name == "resolve":
        opts.resolve.append(value)
    elif name == "url":
        opts.urls.append(value)
    else:
        opts.values[name] = value


# --- URLs ---------------------------------------------------------------------------------


@dataclass
class Url:
    scheme: str
    host: str
    port: int
    target: str

    @property
    def authority(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.authority}{self.target}"


class CurlError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_url(text: str, dialect: Dialect) -> Url:
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "http", text
    scheme = scheme.lower()
    if scheme not in ("http", "https"):
        tail = " or disabled in libcurl" if dialect.seven else ""
        raise CurlError(1, f'Protocol "{scheme}" not supported{tail}')
    rest = rest.split("#", 1)[0]
    cut = len(rest)  # the authority ends at the first "/" or "?"
    for c in "/?":
        at = rest.find(c)
        if 0 <= at < cut:
            cut = at
    authority, target = rest[:cut], rest[cut:] or "/"
    if target.startswith("?"):
        target = "/" + target
    host, _, port_text = authority.rpartition(":") if ":" in authority else (authority, "", "")
    if not host:
        raise CurlError(3, "URL using bad/illegal format or missing URL" if dialect.seven
                        else "URL rejected: No host part in the URL")
    if port_text and (not port_text.isdigit() or int(port_text) > 65535):
        raise CurlError(3, "URL using bad/illegal format or missing URL" if dialect.seven else
                        "URL rejected: Port number was not a decimal number between 0 and 65535")
    port = int(port_text) if port_text else (443 if scheme == "https" else 80)
    return Url(scheme, host.lower(), port, target)


# --- one transfer -----------------------------------------------------------------------------


@dataclass
class Transfer:
    url: Url
    response: HttpResponse | None = None
    code: int = 0
    message: str = ""
    ip: str = ""
    local_ip: str = ""
    local_port: int = 0
    t_dns: float = 0.0
    t_connect: float = 0.0
    t_total: float = 0.0
    request: HttpRequest | None = None
    hung: bool = False

    @property
    def request_size(self) -> int:
        # only `-w %{size_request}` reads it: measured then, not for every transfer
        return len(_request_text(self.request).encode()) if self.request else 0


class Curl:
    def __init__(self, argv: list[str], call: Call) -> None:
        self.call = call
        self.ctx = call.ctx
        self.dialect = dialect_of(self.ctx.profile.tool("curl", "7.64.0"))
        self.opts = parse_args(argv[1:])
        self.out = Output()
        self.trace: list[TraceStep] = []
        self.elapsed = 0.0
        self.stdout_tty = self.ctx.tty and "output" not in self.opts.values
        # the options never change once parsed; these two are asked at every step
        self.silent = self.opts.has("silent")
        self.verbose = self.opts.has("verbose")

    # --- what the user sees ---------------------------------------------------------

    def info(self, text: str) -> None:
        if self.verbose:
            self.out.err(text)

    def error(self, code: int, message: str) -> int:
        if not self.silent or self.opts.has("show-error"):
            self.out.err(f"curl: ({code}) {message}\n")
        return code

    @property
    def meter(self) -> bool:
        return not self.silent and not self.verbose and not self.stdout_tty and \
            not self.opts.has("no-progress-meter")

    # --- the run --------------------------------------------------------------------------

    def run(self) -> ExecResult:
        if not self.opts.urls:
            self.out.err("curl: no URL specified!\n" + TRY_HELP)
            return self.out.result(2)
        code = 0
        for text in self.opts.urls:
            code = self._one(text)
            if math.isinf(self.elapsed):
                break
        return self.out.result(code, duration=self.elapsed, trace=self.trace)

    def _one(self, text: str) -> int:
        try:
            url = parse_url(text, self.dialect)
        except CurlError as error:
            return self.error(error.code, str(error))
        transfer = Transfer(url)
        redirects = 0
        if self.meter:
            self.out.err(_METER_HEAD + _meter_zero())
        while True:
            self._transfer(transfer)
            follow = self._redirect_target(transfer)
            if follow is None:
                break
            redirects += 1
            if redirects > int(self.opts.number("max-redirs") or 50):
                transfer.code, transfer.message = 47, "Maximum (50) redirects followed"
                break
            self.info(f"* Issue another request to this URL: '{follow}'\n")
            transfer = Transfer(parse_url(follow, self.dialect))
        return self._finish(transfer)

    def _finish(self, transfer: Transfer) -> int:
        if transfer.hung:
            self.elapsed = math.inf
            return 0
        if transfer.code:
            code = self.error(transfer.code, transfer.message)
        else:
            code = self._emit_body(transfer)
        if "write-out" in self.opts.values:
            from simcore.exec.curl_writeout import write_out

            text, warnings = write_out(self.opts.values["write-out"], transfer, self, code)
            self.out.err(warnings)
            self.out.out(text)
        return code

    def _emit_body(self, transfer: Transfer) -> int:
        response = transfer.response
        assert response is not None
        body = "" if self.opts.has("head") else response.body
        head = ""
        if self.opts.has("include") or self.opts.has("head"):
            head = _status_line(response) + "".join(f"{k}: {v}\r\n" for k, v in response.headers)
            head += "\r\n"
        if self.meter:
            self.out.err(_meter_final(response, len(body.encode()), transfer.t_total) + "\n")
        target = self.opts.values.get("output")
        if target is None or target == "-":
            self.out.out(head + body)
            return 0
        return self._write_file(target, head + body) if target != "/dev/null" else 0

    def _write_file(self, target: str, content: str) -> int:
        path = fs.norm(target)
        if fs.is_dir(self.ctx.files, path) or not fs.parent_ok(self.ctx.files, path):
            if not self.silent:  # -s mutes warnings even with -S
                self.out.err(f"Warning: Failed to create the file {target}: No such file or "
                             "directory\n")
            return self.error(23, f"Failed writing body (0 != {len(content.encode())})")
        self.ctx.files[path] = content
        return 0

    def _redirect_target(self, transfer: Transfer) -> str | None:
        response = transfer.response
        if transfer.code or response is None or not self.opts.has("location"):
            return None
        location = response.header("Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return None
        if "://" in location:
            return location
        base = transfer.url
        path = location if location.startswith("/") else "/" + location
        return f"{base.scheme}://{base.authority}{path}"

    # --- resolve, connect, request ------------------------------------------------------------

    def _budget(self) -> tuple[float, float | None]:
        """(connect budget, whole-operation budget) in seconds from transfer start."""
        max_time = self.opts.number("max-time")
        connect = self.opts.number("connect-timeout") or DEFAULT_CONNECT_TIMEOUT
        if max_time:
            connect = min(connect, max_time)
        return connect, max_time or None

    def _transfer(self, t: Transfer) -> None:
        started = self.elapsed
        connect_budget, max_time = self._budget()
        addresses = self._resolve(t, connect_budget)
        t.t_dns = self.elapsed - started
        if t.code or t.hung:
            t.t_total = self.elapsed - started
            return
        conn = self._connect(t, addresses, started, connect_budget)
        t.t_connect = self.elapsed - started
        if conn is None:
            t.t_total = self.elapsed - started
            return
        self._request(t, conn, started, max_time)
        t.t_total = self.elapsed - started

    def _resolve(self, t: Transfer, budget: float) -> tuple[str, ...]:
        host = t.url.host
        if is_ip_literal(host):
            return (host,)
        pinned = self._pinned(host, t.url.port)
        if pinned:
            self.info(f"* Added {host}:{t.url.port}:{','.join(pinned)} to DNS cache\n"
                      f"* Hostname {host} was found in DNS cache\n")
            return pinned
        local = hosts_lookup(host, self.ctx.files.get("/etc/hosts") or "")
        if local:
            self._step("dns-answer", msg("dns.hosts-file", host=host, ip=local[0]), name=host,
                       answer=local[0])
            return local
        if self.ctx.net is None:
            return self._resolve_failed(t, host)
        resolution = self.ctx.net.resolve(host, "A")
        self.trace.extend(resolution.trace)
        if resolution.elapsed > budget:
            self.elapsed += budget
            ms = int(budget * 1000)
            self._step("timeout", msg("dns.resolve-timeout", host=host, ms=ms), name=host)
            t.code, t.message = 28, f"Resolving timed out after {ms} milliseconds"
            self.info(f"* {t.message}\n" + self.dialect.closing())
            return ()
        self.elapsed += resolution.elapsed
        if not resolution.ok:
            return self._resolve_failed(t, host, resolution.failure)
        self._step("dns-answer", msg("dns.resolved-as", host=host,
                                     addresses=", ".join(resolution.addresses),
                                     name=resolution.name), name=resolution.name,
                   answer=list(resolution.addresses))
        return resolution.addresses

    def _resolve_failed(self, t: Transfer, host: str, why: str = "no network") -> tuple[str, ...]:
        # "no network" is a sentence (translated); a failure is the resolver's code (NXDOMAIN)
        told = msg("dns.no-network") if why == "no network" else why
        self._step("dns-answer", msg("dns.no-address", host=host, why=told), name=host,
                   answer=why)
        t.code, t.message = 6, f"Could not resolve host: {host}"
        self.info(f"* {t.message}\n" + self.dialect.closing())
        return ()

    def _pinned(self, host: str, port: int) -> tuple[str, ...]:
        for entry in self.opts.resolve:
            parts = entry.lstrip("+").split(":", 2)
            if len(parts) == 3 and parts[0].lower() == host and parts[1] == str(port):
                return tuple(a.strip("[]") for a in parts[2].split(","))
        return ()

    def _connect(self, t: Transfer, addresses: tuple[str, ...], started: float,
                 budget: float) -> Connection | None:
        last: ConnectFailure | None = None
        for ip in addresses:
            if self.verbose:  # the line is only formatted when it is printed
                self.out.err(self.dialect.trying(ip, t.url.port))
            remaining = budget - (self.elapsed - started)
            result = self.ctx.net.connect(ip, t.url.port, remaining) if self.ctx.net else \
                ConnectFailure("unreachable", ip, t.url.port)
            self.trace.extend(result.trace)
            if isinstance(result, Connection):
                self.elapsed += result.elapsed
                t.ip, t.local_ip, t.local_port = ip, result.src_ip, result.src_port
                said = msg("connect.connected-dnat", ip=ip, port=t.url.port,
                           backend=result.backend) if result.backend else \
                    msg("connect.connected", ip=ip, port=t.url.port)
                self._step("connect", said, ip=ip, port=t.url.port, backend=result.backend)
                if self.verbose:
                    self.out.err(self.dialect.connected(t.url.host, ip, t.url.port))
                return result
            last = result
            if result.kind == "timeout" and result.elapsed >= remaining:
                self.elapsed = started + budget
                self._connect_timeout(t, budget)
                return None
            self.elapsed += result.elapsed
            self.info(f"* connect to {ip} port {t.url.port} failed: {_REASONS[result.kind]}\n")
        self._connect_failed(t, last, started)
        return None

    def _connect_timeout(self, t: Transfer, budget: float) -> None:
        ms = int(budget * 1000) + 1  # curl notices the deadline a millisecond late
        self._step("timeout", msg("timeout.syn", ms=ms), ip=t.url.host)
        if self.dialect.filter_timeouts:
            t.message = f"Failed to connect to {t.url.host} port {t.url.port} after {ms} ms: " \
                        "Timeout was reached"
        else:
            t.message = f"Connection timed out after {ms} milliseconds"
        t.code = 28
        self.info(f"* {t.message}\n" + self.dialect.closing())

    def _connect_failed(self, t: Transfer, last: ConnectFailure | None, started: float) -> None:
        kind = last.kind if last else "unreachable"
        ms = int((self.elapsed - started) * 1000)
        t.code = 28 if kind == "timeout" else 7
        t.message = self.dialect.connect_failed(t.url.host, t.url.port, ms, _REASONS[kind])
        self._step("reject" if kind == "refused" else "timeout",
                   msg("reject.connect-failed", host=t.url.host, port=t.url.port,
                       reason=_REASONS[kind]),
                   failure=kind)
        self.info(f"* {t.message}\n" + self.dialect.closing())

    def _request(self, t: Transfer, conn: Connection, started: float,
                 max_time: float | None) -> None:
        request = t.request = self._build_request(t.url)
        self._verbose_request(request)
        remaining = None if max_time is None else max_time - (self.elapsed - started)
        net = self.ctx.net
        assert net is not None, "a connection was made, so there is a network"
        result = net.http(conn, request, remaining)
        self.trace.extend(result.trace)
        if isinstance(result, HttpFailure):
            self._http_failed(t, result, started, max_time)
            return
        self.elapsed += result.elapsed
        t.response = result
        self._step("response", msg("response.from", status=result.status,
                                   reason=result.reason, ip=t.ip, port=t.url.port),
                   status=result.status)
        self._verbose_response(t, result)
        if self.opts.has("fail") and result.status >= 400:
            reason = f" {result.reason}" if self.dialect.reason_on_fail and result.reason else ""
            t.code, t.message = 22, f"The requested URL returned error: {result.status}{reason}"
            self.info(f"* {t.message}\n" + self.dialect.closing())

    def _http_failed(self, t: Transfer, failure: HttpFailure, started: float,
                     max_time: float | None) -> None:
        if failure.kind == "timeout" and (max_time is None or math.isinf(failure.elapsed)):
            t.hung = True
            self._step("timeout", msg("timeout.no-response"))
            return
        if failure.kind == "timeout":
            self.elapsed = started + (max_time or 0)
            ms = int((max_time or 0) * 1000) + 1
            t.code, t.message = 28, f"Operation timed out after {ms} milliseconds with 0 bytes " \
                                    "received"
        else:
            self.elapsed += failure.elapsed
            t.code, t.message = {"empty": (52, "Empty reply from server"),
                                 "reset": (56, "Recv failure: Connection reset by peer"),
                                 "tls": (35, failure.message)}.get(failure.kind, (56, failure.message))
        self._step("timeout" if t.code == 28 else "reject",
                   msg("curl.error", code=t.code, message=t.message))
        self.info(f"* {t.message}\n" + self.dialect.closing())

    def _build_request(self, url: Url) -> HttpRequest:
        opts = self.opts
        method = "HEAD" if opts.has("head") else "POST" if opts.data else "GET"
        method = opts.values.get("request", method)
        # most curls have no -H: skip building the (empty) lists and maps for them
        custom = [h.split(":", 1) for h in opts.headers if ":" in h] if opts.headers else []
        named = {k.strip().lower(): v.strip() for k, v in custom} if custom else {}
        headers: list[tuple[str, str]] = [("Host", named.get("host", url.authority))]
        if "user" in opts.values:
            token = base64.b64encode(opts.values["user"].encode()).decode()
            headers.append(("Authorization", f"Basic {token}"))
        ua = opts.values.get("user-agent", f"curl/{self.dialect.version.split('-')[0]}")
        defaults = [("User-Agent", ua), ("Accept", "*/*")]
        if "referer" in opts.values:
            defaults.append(("Referer", opts.values["referer"]))
        headers += [(k, v) for k, v in defaults if k.lower() not in named] if named else defaults
        if custom:
            headers += [(k.strip(), v.strip()) for k, v in custom
                        if k.strip().lower() != "host" and v.strip()]
        body = "&".join(opts.data)
        if opts.data:
            headers.append(("Content-Length", str(len(body.encode()))))
            if "content-type" not in named:
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        return HttpRequest(method, url.target, headers[0][1], tuple(headers), body,
                           "1.0" if opts.has("http1.0") else "1.1", url.scheme,
                           opts.has("insecure"))

    def _verbose_request(self, request: HttpRequest) -> None:
        if not self.verbose:
            return
        self.out.err("".join("> " + line + "\r\n" for line in
                             _request_text(request).split("\r\n")[:-2]) + "> \r\n")
        if request.body:
            size = len(request.body.encode())
            if not self.ctx.tty:
                self.out.err(f"}} [{size} bytes data]\n")
            tail = f"{size} out of {size} bytes" if self.dialect.seven else f"{size} bytes"
            self.out.err(f"* upload completely sent off: {tail}\n")

    def _verbose_response(self, t: Transfer, response: HttpResponse) -> None:
        if not self.verbose:
            return
        lines = ""
        if self.dialect.mark_bundle:
            lines += "* Mark bundle as not supporting multiuse\n"
        if response.version == "1.0":
            lines += "* HTTP 1.0, assume close after body\n"
        lines += "< " + _status_line(response)
        lines += "".join(f"< {k}: {v}\r\n" for k, v in response.headers) + "< \r\n"
        self.out.err(lines)
        if response.body and not self.opts.has("head") and not self.stdout_tty:
            self.out.err(f"{{ [{len(response.body.encode())} bytes data]\n")
        if self.opts.has("fail") and response.status >= 400:
            return
        close = response.version == "1.0" or (response.header("Connection") or "").lower() == "close"
        self.out.err(self.dialect.closing() if close else
                     f"* Connection #0 to host {t.url.host} left intact\n")

    def _step(self, kind: StepKind, said: Message | str, **extra: object) -> None:
        self.trace.append(step(kind, said, tool="curl", **extra))


_REASONS = {"refused": "Connection refused", "timeout": "Connection timed out",
            "unreachable": "No route to host"}


def _status_line(response: HttpResponse) -> str:
    reason = f" {response.reason}" if response.reason else " "
    return f"HTTP/{response.version} {response.status}{reason}\r\n"


def _request_text(request: HttpRequest) -> str:
    head = f"{request.method} {request.target} HTTP/{request.version}\r\n"
    return head + "".join(f"{k}: {v}\r\n" for k, v in request.headers) + "\r\n"


# --- the progress meter --------------------------------------------------------------------

_METER_HEAD = ("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
               "                                 Dload  Upload   Total   Spent    Left  Speed\n")


def _max5(value: int) -> str:
    if value < 100000:
        return f"{value:5d}"
    if value < 10000 * 1024:
        return f"{value // 1024:4d}k"
    return f"{value // (1024 * 1024):4d}M"


def _clock(seconds: float) -> str:
    if seconds < 1:
        return "--:--:--"
    s = int(seconds)
    return f"{s // 3600:2d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _meter_zero() -> str:
    return "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"


def _meter_final(response: HttpResponse, size: int, seconds: float) -> str:
    """lib/progress.c's last line; the speed is bytes over the simulated seconds."""
    known = response.header("Content-Length") is not None
    speed = int(size / max(seconds, 0.001))
    spent = _clock(seconds)
    return (f"\r{100:3d} {_max5(size)}  {100 if known else 0:3d} {_max5(size)}  {0:3d} "
            f"{_max5(0)}  {_max5(speed)}  {_max5(0)} {spent if known else '--:--:--'} "
            f"{spent} --:--:-- {_max5(speed)}")


def main(argv: list[str], call: Call) -> ExecResult:
    try:
        tool = Curl(argv, call)
    except UsageError as error:
        out = Output()
        out.err(str(error) + TRY_HELP)
        return out.result(2)
    return tool.run()
