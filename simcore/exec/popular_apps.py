"""How the popular images' servers answer an HTTP request (apps.serve looks here second).

httpd's stock page, traefik/whoami's echo of the request, hello-app's three
lines, agnhost's netexec and serve-hostname, the RabbitMQ management page. The
servers that do not speak HTTP (redis, postgres, mysql, mariadb, memcached,
AMQP) close the connection without a reply: `EMPTY` (status 0), which
listeners.py turns into curl's `(52) Empty reply from server`. Redis also logs
why it closed (its "Possible SECURITY ATTACK" warning).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from simcore.exec.apps import (
    ServeContext,
    Served,
    _go_not_found,
    _go_reply,
    _log,
    _response,
    http_date,
)
from simcore.exec.netapi import HttpRequest, HttpResponse

EMPTY = HttpResponse(0, "")

_IT_WORKS = "<html><body><h1>It works!</h1></body></html>\n"


def _httpd(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    path = request.target.split("?", 1)[0]
    version = str(config.get("version", "2.4.62"))
    server = ("Server", f"Apache/{version} (Unix)")
    stamp = ctx.now.strftime("%d/%b/%Y:%H:%M:%S +0000")
    if path in ("/", "/index.html"):
        headers = [("Date", http_date(ctx.now)), server,
                   ("Last-Modified", "Mon, 11 Jun 2007 18:53:14 GMT"),
                   ("ETag", '"2d-432a5e4a73a80"'), ("Accept-Ranges", "bytes"),
                   ("Content-Length", str(len(_IT_WORKS))), ("Content-Type", "text/html")]
        body = "" if request.method == "HEAD" else _IT_WORKS
        status, size = 200, len(body)
    else:
        body = ("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n"
                "<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n"
                "<p>The requested URL was not found on this server.</p>\n</body></html>\n")
        headers = [("Date", http_date(ctx.now)), server, ("Content-Length", str(len(body))),
                   ("Content-Type", "text/html; charset=iso-8859-1")]
        status, size = 404, len(body)
    log = f'{ctx.client_ip} - - [{stamp}] "{request.method} {request.target} ' \
          f'HTTP/{request.version}" {status} {size}'
    return Served(_response(status, headers, body), (_log(log),), ctx.state)


def _whoami(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    lines = [f"Hostname: {ctx.hostname}", "IP: 127.0.0.1", f"IP: {ctx.server_ip}",
             f"RemoteAddr: {ctx.client_ip}:{ctx.client_port or 54321}"]
    # Go's Request.Write: the request line, Host, User-Agent, the rest, CRLF endings
    head = [f"{request.method} {request.target} HTTP/{request.version}", f"Host: {request.host}"]
    head += [f"{k}: {v}" for k, v in request.headers if k.lower() == "user-agent"]
    head += [f"{k}: {v}" for k, v in sorted(request.headers)
             if k.lower() not in ("host", "user-agent")]
    body = "\n".join(lines) + "\n" + "".join(x + "\r\n" for x in head) + "\r\n"
    return Served(_go_reply(ctx, 200, body, "text/plain; charset=utf-8"), (), ctx.state)


def _hello_app(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    body = (f"Hello, world!\nVersion: {config.get('version', '1.0.0')}\n"
            f"Hostname: {ctx.hostname}\n")
    path = request.target.split("?", 1)[0]
    log = _log(f"{ctx.now.strftime('%Y/%m/%d %H:%M:%S')} Serving request: {path}", "stderr")
    return Served(_go_reply(ctx, 200, body, "text/plain; charset=utf-8"), (log,), ctx.state)


def _netexec(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    path, _, query = request.target.partition("?")
    params = dict(p.partition("=")[::2] for p in query.split("&") if p)
    if path == "/hostname":
        body = ctx.hostname
    elif path == "/echo":
        body = params.get("msg", "")
    elif path == "/clientip":
        body = f"{ctx.client_ip}:{ctx.client_port or 54321}"
    elif path == "/healthz":
        body = ""
    elif path == "/":
        body = f"NOW: {ctx.now.strftime('%Y-%m-%d %H:%M:%S.000000000 +0000 UTC')}"
    else:
        return Served(_go_not_found(ctx), (), ctx.state)
    return Served(_go_reply(ctx, 200, body, "text/plain; charset=utf-8"), (), ctx.state)


def _serve_hostname(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    return Served(_go_reply(ctx, 200, ctx.hostname, "text/plain; charset=utf-8"), (), ctx.state)


def _rabbitmq_management(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    body = "<!DOCTYPE html>\n<html>\n  <head>\n    <title>RabbitMQ Management</title>\n"
    headers = [("content-type", "text/html"), ("date", http_date(ctx.now)),
               ("server", "Cowboy"), ("content-length", str(len(body)))]
    return Served(_response(200, headers, body), (), ctx.state)


def _redis(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    stamp = ctx.now.strftime("%d %b %Y %H:%M:%S.000")
    warning = (f"1:M {stamp} # Possible SECURITY ATTACK detected. It looks like somebody is "
               "sending POST or Host: commands to Redis. This is likely due to an attacker "
               "attempting to use Cross Protocol Scripting to compromise your Redis instance. "
               "Connection aborted.")
    return Served(EMPTY, (_log(warning),), ctx.state)


def _silent(config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    return Served(EMPTY, (), ctx.state)


HANDLERS: dict[str, Callable[[Mapping, HttpRequest, ServeContext], Served]] = {
    "httpd": _httpd, "whoami": _whoami, "hello-app": _hello_app,
    "agnhost-netexec": _netexec, "agnhost-serve-hostname": _serve_hostname,
    "rabbitmq-management": _rabbitmq_management, "redis": _redis,
    "postgres": _silent, "mysql": _silent, "mariadb": _silent, "memcached": _silent,
    "rabbitmq": _silent,
}
