"""What the servers inside the course's images answer.

A `ProcessPlan` names its listeners' behaviour by a string (`"node-web"`,
`"nginx"`, `"echoserver"` …) so the plan stays plain data. When the data
plane delivers a request to such a listener it calls `servers.serve(app,
config, request, ctx)` and gets back the response, the log lines the server writes
(`kubectl logs`), its new state (kubia-unhealthy counts requests) and any file
it wrote (node-web:3.0 stores POSTed data in /var/data/data.txt).

The bodies, headers and log lines are the programs' own: node's `http`
module answering `response.writeHead(200); response.end(...)` (chunked, with
`Keep-Alive: timeout=5` since node 12), nginx's stock pages and combined
access log, the echoserver's Lua template, mongod's warning on its native
port, Go's `http.Error` texts for the Prometheus-family servers. Where a
detail is remembered rather than read, the function says so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from simcore.exec.netapi import HttpRequest, HttpResponse

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
REASONS = {
    200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified",
    400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Not Allowed",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
}


# what a server remembers between requests, kept in its container's record: counters only
# (kubia-unhealthy's requests, nginx's connections and worker pid)
ServerMemory = Mapping[str, int]


@dataclass(frozen=True, slots=True)
class ServeContext:
    """The server side of one request: who asked, where, when, and the server's memory."""

    hostname: str
    now: datetime
    client_ip: str
    client_port: int = 0
    server_ip: str = ""
    server_port: int = 80
    env: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, str | None] = field(default_factory=dict)
    state: ServerMemory = field(default_factory=dict)
    # Optional hooks for servers that talk to the cluster themselves.
    forward: Callable[[HttpRequest], HttpResponse] | None = None  # kubectl proxy's upstream
    srv_lookup: Callable[[str], list[str]] | None = None  # node-web:4.0 peer discovery
    peer_get: Callable[[str, int, str], str] | None = None  # GET http://name:port/path -> body


@dataclass(frozen=True, slots=True)
class Served:
    response: HttpResponse
    logs: tuple[dict, ...] = ()  # {"stream": "stdout"|"stderr", "text": line}
    state: ServerMemory = field(default_factory=dict)
    files: Mapping[str, str | None] = field(default_factory=dict)  # writes (None = delete)


@functools.lru_cache(maxsize=16)
def http_date(now: datetime) -> str:
    """RFC 7231 IMF-fixdate, independent of the locale (kept: every reply of a burst of
    requests at one virtual moment carries the same date)."""
    t = _utc(now)
    return (f"{_DAYS[t.weekday()]}, {t.day:02d} {_MONTHS[t.month - 1]} {t.year} "
            f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} GMT")


def _utc(now: datetime) -> datetime:
    return now.astimezone(UTC) if now.tzinfo else now


def _log(text: str, stream: str = "stdout") -> dict:
    return {"stream": stream, "text": text}


def _response(status: int, headers: list[tuple[str, str]], body: str,
              version: str = "1.1") -> HttpResponse:
    return HttpResponse(status, REASONS.get(status, ""), tuple(headers), body, version)


# --- node's http module ---------------------------------------------------------


def _node_headers(ctx: ServeContext, request: HttpRequest, node_major: int) -> list[tuple[str, str]]:
    headers = [("Date", http_date(ctx.now)), ("Connection", "keep-alive")]
    if node_major >= 12:
        headers.append(("Keep-Alive", "timeout=5"))
    if request.method != "HEAD":
        # writeHead() fixes the header before end(body) knows the length: chunked.
        headers.append(("Transfer-Encoding", "chunked"))
    return headers


def _node_reply(ctx: ServeContext, request: HttpRequest, status: int, body: str,
                node_major: int = 15) -> HttpResponse:
    body = "" if request.method == "HEAD" else body
    return _response(status, _node_headers(ctx, request, node_major), body)


def _received(ctx: ServeContext) -> dict:
    # node listens on "::", so an IPv4 peer shows as an IPv4-mapped address.
    return _log(f"Received request from ::ffff:{ctx.client_ip}")


def _node_web(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    suffix = str(config.get("suffix", ""))
    body = f"You've hit {ctx.hostname}{suffix}\n"
    major = int(config.get("node_major", 15))
    return Served(_node_reply(ctx, request, 200, body, major), (_received(ctx),), ctx.state)


def _kubia_unhealthy(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    count = int(ctx.state.get("requests", 0)) + 1
    state = {**ctx.state, "requests": count}
    if count > 5:
        reply = _node_reply(ctx, request, 500, "I'm not well. Please restart me!", 7)
    else:
        reply = _node_reply(ctx, request, 200, f"You've hit {ctx.hostname}\n", 7)
    return Served(reply, (_received(ctx),), state)


_DATA_FILE = "/var/data/data.txt"


def _node_web_v3(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    """06-week/StatefulSet/app.js: POST stores the body, GET shows it."""
    if request.method == "POST":
        reply = _node_reply(ctx, request, 200, f"Data stored on pod {ctx.hostname}\n", 18)
        logs = (_log("New data has been received and stored."),)
        return Served(reply, logs, ctx.state, {_DATA_FILE: request.body})
    data = ctx.files.get(_DATA_FILE)
    stored = data if data is not None else "No data posted yet"
    body = f"You've hit {ctx.hostname} (Ver3.0)\nData stored on this pod: {stored}\n"
    return Served(_node_reply(ctx, request, 200, body, 18), (), ctx.state)


_PEER_SERVICE = "svc-web.default.svc.cluster.local"


def _node_web_v4(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    """08-Deployment-StatefulSet/hands-on/app-2.js: GET / lists every peer's data via SRV."""
    if request.method == "POST":
        reply = _node_reply(ctx, request, 200, f"Data stored on pod {ctx.hostname}\n", 18)
        return Served(reply, (), ctx.state, {"/var/data/kubia.txt": request.body})
    if request.target == "/data":
        data = ctx.files.get("/var/data/kubia.txt")
        return Served(_node_reply(ctx, request, 200, data if data is not None
                                  else "No data posted yet", 18), (), ctx.state)
    body = f"You've hit {ctx.hostname}\nData stored in the cluster:\n" + _peer_lines(ctx)
    return Served(_node_reply(ctx, request, 200, body, 18), (), ctx.state)


def _peer_lines(ctx: ServeContext) -> str:
    peers = ctx.srv_lookup(_PEER_SERVICE) if ctx.srv_lookup else []
    if not peers:
        return f"Could not look up DNS SRV records: Error: querySrv ENOTFOUND {_PEER_SERVICE}"
    fetch = ctx.peer_get or (lambda name, port, path: "Error: connect ECONNREFUSED")
    return "".join(f"- {name}: {fetch(name, 8080, '/data')}\n" for name in peers)


# --- nginx ------------------------------------------------------------------------

_INDEX_OLD = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
    body {
        width: 35em;
        margin: 0 auto;
        font-family: Tahoma, Verdana, Arial, sans-serif;
    }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

_INDEX_NEW = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

NGINX_DOCROOT = "/usr/share/nginx/html"


def nginx_index(modern: bool) -> str:
    """The stock index.html: 612 bytes up to 1.20, 615 with 1.21's color-scheme."""
    return _INDEX_NEW if modern else _INDEX_OLD


def nginx_error_page(status: int, version: str, modern: bool) -> str:
    """ngx_http_special_response.c: CRLF lines; `bgcolor="white"` before the 1.19 cleanup
    [inference for the exact release that dropped it]."""
    title = f"{status} {REASONS.get(status, '')}"
    body_tag = "<body>" if modern else '<body bgcolor="white">'
    lines = ["<html>", f"<head><title>{title}</title></head>", body_tag,
             f"<center><h1>{title}</h1></center>", f"<hr><center>nginx/{version}</center>",
             "</body>", "</html>"]
    return "".join(line + "\r\n" for line in lines)


def _nginx(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    version = str(config.get("version", "1.14.2"))
    modern = bool(config.get("modern", False))
    path = request.target.split("?", 1)[0]
    content = _nginx_lookup(path, config, ctx)
    if content is None:
        return _nginx_error(404, version, modern, request, ctx, path)
    if request.method not in ("GET", "HEAD"):
        return _nginx_error(405, version, modern, request, ctx, path)
    headers = [("Server", f"nginx/{version}"), ("Date", http_date(ctx.now)),
               ("Content-Type", _mime(path)), ("Content-Length", str(len(content.encode()))),
               ("Last-Modified", str(config.get("last_modified", http_date(ctx.now)))),
               ("Connection", "keep-alive"), ("ETag", _etag(config, content)),
               ("Accept-Ranges", "bytes")]
    body = "" if request.method == "HEAD" else content
    sent = len(body.encode())
    log = _access_log(ctx, request, 200, sent)
    return Served(_response(200, headers, body), (log,), _bump(ctx))


def _nginx_lookup(path: str, config: Mapping, ctx: ServeContext) -> str | None:
    target = NGINX_DOCROOT + (path + "index.html" if path.endswith("/") else path)
    served = {k: v for k, v in ctx.files.items() if k.startswith(NGINX_DOCROOT + "/")}
    if served or NGINX_DOCROOT in ctx.files:
        return served.get(target)
    if path in ("/", "/index.html"):
        return str(config.get("index") or nginx_index(bool(config.get("modern", False))))
    return None


def _mime(path: str) -> str:
    if path.endswith("/") or path.endswith(".html") or path.endswith(".htm"):
        return "text/html"
    return {"txt": "text/plain", "css": "text/css", "js": "application/javascript",
            "json": "application/json"}.get(path.rsplit(".", 1)[-1], "application/octet-stream")


def _etag(config: Mapping, content: str) -> str:
    """nginx's ETag: hex mtime, dash, hex length (ngx_http_set_etag)."""
    modified = str(config.get("last_modified", "Thu, 01 Jan 1970 00:00:00 GMT"))
    _, day, month, year, clock, _ = modified.replace(",", "").split(" ")
    hour, minute, second = (int(x) for x in clock.split(":"))
    when = datetime(int(year), _MONTHS.index(month) + 1, int(day), hour, minute, second,
                    tzinfo=UTC)
    return f'"{int(when.timestamp()):x}-{len(content.encode()):x}"'


def _nginx_error(status: int, version: str, modern: bool, request: HttpRequest,
                 ctx: ServeContext, path: str) -> Served:
    page = nginx_error_page(status, version, modern)
    headers = [("Server", f"nginx/{version}"), ("Date", http_date(ctx.now)),
               ("Content-Type", "text/html"), ("Content-Length", str(len(page))),
               ("Connection", "keep-alive")]
    body = "" if request.method == "HEAD" else page
    logs = [_access_log(ctx, request, status, len(body))]
    if status == 404:
        logs.insert(0, _nginx_open_failed(ctx, request, path))
    return Served(_response(status, headers, body), tuple(logs), _bump(ctx))


def _bump(ctx: ServeContext) -> dict[str, int]:
    return {**ctx.state, "connections": int(ctx.state.get("connections", 0)) + 1}


def _nginx_open_failed(ctx: ServeContext, request: HttpRequest, path: str) -> dict:
    t = _utc(ctx.now)
    pid = int(ctx.state.get("worker_pid", 29))
    conn = int(ctx.state.get("connections", 0)) + 1
    stamp = f"{t.year:04d}/{t.month:02d}/{t.day:02d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    text = (f'{stamp} [error] {pid}#{pid}: *{conn} open() "{NGINX_DOCROOT}{path}" failed '
            f'(2: No such file or directory), client: {ctx.client_ip}, server: localhost, '
            f'request: "{request.method} {request.target} HTTP/{request.version}", '
            f'host: "{request.host}"')
    return _log(text, "stderr")


def _access_log(ctx: ServeContext, request: HttpRequest, status: int, sent: int,
                forwarded: bool = True) -> dict:
    """nginx's `main` format (the image's nginx.conf): combined plus X-Forwarded-For."""
    t = _utc(ctx.now)
    stamp = (f"{t.day:02d}/{_MONTHS[t.month - 1]}/{t.year}:"
             f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} +0000")
    ua = _header(request, "User-Agent") or "-"
    ref = _header(request, "Referer") or "-"
    line = (f'{ctx.client_ip} - - [{stamp}] "{request.method} {request.target} '
            f'HTTP/{request.version}" {status} {sent} "{ref}" "{ua}"')
    if forwarded:
        line += f' "{_header(request, "X-Forwarded-For") or "-"}"'
    return _log(line)


def _header(request: HttpRequest, name: str) -> str | None:
    wanted = name.lower()
    for key, value in request.headers:
        if key.lower() == wanted:
            return value
    return None


# --- echoserver -----------------------------------------------------------------


def _lua_escape(text: str) -> str:
    # lua-resty-template HTML_ENTITIES as vendored by k/k ("/" removed).
    table = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
    return "".join(table.get(ch, ch) for ch in text)


def _echo_pod_info(env: Mapping[str, str]) -> str:
    if not env.get("POD_NAME"):
        return "\t-no pod information available-\n"
    keys = (("node name", "NODE_NAME"), ("pod name", "POD_NAME"),
            ("pod namespace", "POD_NAMESPACE"), ("pod IP", "POD_IP"))
    return "".join(f"\t{label}:\t{_lua_escape(env.get(key) or 'N/A')}\n" for label, key in keys)


def _echo_headers(request: HttpRequest) -> str:
    grouped: dict[str, list[str]] = {}
    for key, value in request.headers:
        grouped.setdefault(key.lower(), []).append(value)
    lines = []
    for key in sorted(grouped):
        values = grouped[key]
        if len(values) == 1:
            lines.append(f"\t{_lua_escape(key)}={_lua_escape(values[0])}  \n")
        else:
            lines.extend(f"\t{_lua_escape(key)}={_lua_escape(v)}\n" for v in values)
    return "".join(lines)


def echoserver_body(config: Mapping, request: HttpRequest, ctx: ServeContext) -> str:
    """test/images/echoserver/nginx.conf template, rendered, plus ngx.say's newline."""
    path, _, query = request.target.partition("?")
    host = request.host.rsplit(":", 1)[0] if request.host.count(":") == 1 else request.host
    body_text = _lua_escape(request.body) if request.body else "\t-no body in request-"
    return (
        f"\n\nHostname: {_lua_escape(ctx.env.get('HOSTNAME') or ctx.hostname or 'N/A')}\n"
        f"\nPod Information:\n{_echo_pod_info(ctx.env)}"
        f"\nServer values:\n\tserver_version=nginx: {config.get('nginx', '1.13.3')} - "
        f"lua: {config.get('lua', '10008')}\n"
        f"\nRequest Information:\n\tclient_address={ctx.client_ip}\n"
        f"\tmethod={request.method}\n\treal path={_lua_escape(request.target)}\n"
        f"\tquery={_lua_escape(query)}\n\trequest_version={request.version}\n"
        f"\trequest_scheme={request.scheme}\n"
        f"\trequest_uri={request.scheme}://{host}:{ctx.server_port}{_lua_escape(path)}"
        f"{'?' + _lua_escape(query) if query else ''}\n"
        f"\nRequest Headers:\n{_echo_headers(request)}"
        f"\nRequest Body:\n{body_text}\n\n"
    )


def _echoserver(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    body = echoserver_body(config, request, ctx)
    headers = [("Date", http_date(ctx.now)), ("Content-Type", "text/plain"),
               ("Transfer-Encoding", "chunked"), ("Connection", "keep-alive"),
               ("Server", "echoserver")]
    body = "" if request.method == "HEAD" else body
    log = _access_log(ctx, request, 200, len(body), forwarded=False)
    return Served(_response(200, headers, body), (log,), ctx.state)


def _echoserver_14(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    path, _, query = request.target.partition("?")
    lines = [
        "CLIENT VALUES:", f"client_address={ctx.client_ip}", f"command={request.method}",
        f"real path={path}", f"query={query or 'nil'}", f"request_version={request.version}",
        f"request_uri=http://{request.host.split(':')[0]}:{ctx.server_port}{request.target}",
        "", "SERVER VALUES:", f"server_version=nginx: {config.get('nginx')} - lua: "
        f"{config.get('lua')}", "", "HEADERS RECEIVED:",
        *[f"{k.lower()}={v}" for k, v in sorted(request.headers, key=lambda kv: kv[0].lower())],
        "BODY:", request.body or "-no body in request-",
    ]
    body = "\n".join(lines)
    headers = [("Server", f"nginx/{config.get('nginx')}"), ("Date", http_date(ctx.now)),
               ("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked"),
               ("Connection", "keep-alive")]
    return Served(_response(200, headers, body), (), ctx.state)


# --- listeners that only need a plausible answer ------------------------------------


def _mongo(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    body = "It looks like you are trying to access MongoDB over HTTP on the native driver port.\n"
    headers = [("Connection", "close"), ("Content-Type", "text/plain"),
               ("Content-Length", str(len(body)))]
    return Served(_response(200, headers, body, version="1.0"), (), ctx.state)


def _go_reply(ctx: ServeContext, status: int, body: str, content_type: str,
              extra: list[tuple[str, str]] | None = None) -> HttpResponse:
    """net/http writes header keys sorted, Content-Length when the body is short."""
    headers = dict(extra or [])
    headers.update({"Content-Type": content_type, "Date": http_date(ctx.now),
                    "Content-Length": str(len(body.encode()))})
    if status == 404:
        headers["X-Content-Type-Options"] = "nosniff"
    return _response(status, sorted(headers.items()), body)


def _go_found(ctx: ServeContext, location: str) -> HttpResponse:
    return _go_reply(ctx, 302, f'<a href="{location}">Found</a>.\n\n',
                     "text/html; charset=utf-8", [("Location", location)])


def _go_not_found(ctx: ServeContext) -> HttpResponse:
    return _go_reply(ctx, 404, "404 page not found\n", "text/plain; charset=utf-8")


_METRICS = "# HELP up 1 if the target is up.\n# TYPE up gauge\nup 1\n"


def _prometheus(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    path = request.target.split("?", 1)[0]
    texts = {"/-/healthy": "Prometheus Server is Healthy.\n",
             "/-/ready": "Prometheus Server is Ready.\n", "/metrics": _METRICS}
    if path == "/":
        return Served(_go_found(ctx, "/query"), (), ctx.state)
    if path in texts:
        kind = "text/plain; version=0.0.4; charset=utf-8" if path == "/metrics" else \
            "text/plain; charset=utf-8"
        return Served(_go_reply(ctx, 200, texts[path], kind), (), ctx.state)
    return Served(_go_not_found(ctx), (), ctx.state)


def _grafana(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    path = request.target.split("?", 1)[0]
    if path == "/api/health":
        body = '{\n  "database": "ok",\n  "version": "11.4.0"\n}'
        return Served(_go_reply(ctx, 200, body, "application/json"), (), ctx.state)
    if path == "/login":
        return Served(_go_reply(ctx, 200, "<!DOCTYPE html>\n<title>Grafana</title>\n",
                                "text/html; charset=UTF-8"), (), ctx.state)
    return Served(_go_found(ctx, "/login"), (), ctx.state)


def _simple_metrics(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    path = request.target.split("?", 1)[0]
    if path == "/metrics":
        return Served(_go_reply(ctx, 200, _METRICS, "text/plain; version=0.0.4; charset=utf-8"),
                      (), ctx.state)
    if path in ("/", "/healthz"):
        body = "ok" if path == "/healthz" else str(config.get("index", "<html></html>\n"))
        kind = "text/plain; charset=utf-8" if path == "/healthz" else "text/html; charset=utf-8"
        return Served(_go_reply(ctx, 200, body, kind), (), ctx.state)
    return Served(_go_not_found(ctx), (), ctx.state)


def _kubectl_proxy(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    if ctx.forward is not None:
        return Served(ctx.forward(request), (), ctx.state)
    return Served(_go_reply(ctx, 502, "", "text/plain; charset=utf-8"), (), ctx.state)


_APPS: dict[str, Callable[[Mapping, HttpRequest, ServeContext], Served]] = {
    "node-web": _node_web,
    "node-web-v2": lambda c, r, x: _node_web({**c, "suffix": " (Ver2.0)", "node_major": 17}, r, x),
    "node-web-v3": _node_web_v3,
    "node-web-v4": _node_web_v4,
    "kubia": lambda c, r, x: _node_web({**c, "node_major": 7}, r, x),
    "kubia-unhealthy": _kubia_unhealthy,
    "nginx": _nginx,
    "echoserver": _echoserver,
    "echoserver-1.4": _echoserver_14,
    "mongo": _mongo,
    "prometheus": _prometheus,
    "grafana": _grafana,
    "node-exporter": _simple_metrics,
    "kube-state-metrics": _simple_metrics,
    "metallb": _simple_metrics,
    "kubectl-proxy": _kubectl_proxy,
}
