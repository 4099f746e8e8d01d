"""curl -w: the write-out variables scripts and probes use most.

src/tool_writeout.c prints `%{http_code}` as a three-digit number (`000`
when nothing came back), times as seconds with six decimals, and warns
`curl: unknown --write-out variable: 'x'` for a name it does not know. The
backslash escapes `\\n`, `\\r`, `\\t` and `\\\\` and `%%` are curl's own, not
the shell's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simcore.exec.curl import Curl, Transfer


def _times(t: Transfer) -> dict[str, str]:
    return {
        "time_namelookup": f"{t.t_dns:.6f}", "time_connect": f"{t.t_connect:.6f}",
        "time_appconnect": "0.000000", "time_pretransfer": f"{t.t_connect:.6f}",
        "time_starttransfer": f"{t.t_total if t.response else 0:.6f}",
        "time_redirect": "0.000000", "time_total": f"{t.t_total:.6f}",
    }


def _values(t: Transfer, curl: Curl, code: int) -> dict[str, str]:
    response = t.response
    status = f"{response.status:03d}" if response else "000"
    body = len(response.body.encode()) if response and not curl.opts.has("head") else 0
    head = (len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + sum(
        len(f"{k}: {v}\r\n") for k, v in response.headers) + 2) if response else 0
    speed = int(body / t.t_total) if t.t_total > 0 else body
    return {
        "http_code": status, "response_code": status, "remote_ip": t.ip,
        "remote_port": str(t.url.port) if t.ip else "0", "local_ip": t.local_ip,
        "local_port": str(t.local_port), "size_download": str(body), "size_header": str(head),
        "size_request": str(t.request_size), "size_upload": str(len("&".join(curl.opts.data))),
        "speed_download": f"{speed}", "speed_upload": "0",
        "url_effective": str(t.url), "content_type": (response.header("Content-Type") or "")
        if response else "", "num_connects": "1" if t.ip else "0", "num_redirects": "0",
        "redirect_url": (response.header("Location") or "") if response else "",
        "http_version": response.version if response else "0", "scheme": t.url.scheme.upper()
        if curl.dialect.seven else t.url.scheme, "exitcode": str(code),
        "errormsg": t.message, "method": "HEAD" if curl.opts.has("head") else
        curl.opts.values.get("request", "POST" if curl.opts.data else "GET"),
        **_times(t),
    }


def write_out(template: str, t: Transfer, curl: Curl, code: int) -> tuple[str, str]:
    """(text for stdout, warnings for stderr)."""
    values = _values(t, curl, code)
    out, warnings, i = "", "", 0
    escapes = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}
    while i < len(template):
        ch = template[i]
        if ch == "%" and template.startswith("%%", i):
            out, i = out + "%", i + 2
        elif ch == "%" and template.startswith("%{", i) and "}" in template[i:]:
            end = template.index("}", i)
            name = template[i + 2:end]
            if name in values:
                out += values[name]
            else:
                warnings += f"curl: unknown --write-out variable: '{name}'\n"
            i = end + 1
        elif ch == "\\" and template[i + 1: i + 2] in escapes:
            out, i = out + escapes[template[i + 1]], i + 2
        else:
            out, i = out + ch, i + 1
    return out, warnings
