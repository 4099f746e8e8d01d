"""The world outside the cluster: a few internet hosts and the nodes' upstream DNS.

Nothing ever leaves the process. A handful of well-known names answer with
fixed addresses and plain HTTP, so an ExternalName Service pointing at
google.com has somewhere to go. The upstream resolver (the home router the
lecture's nodes got `skbroadband` from) comes in two behaviours:

- `silent` (the lecture's default): a question for a name under the host
  search domain gets no answer at all, which is why
  `curl http://svc-node.default.svc.cluster` hung until Ctrl-C;
- `healthy`: such names get NXDOMAIN at once, so the resolver moves on and
  `svc-node.default.svc.cluster.local` resolves after five questions.

Any other unknown name gets NXDOMAIN; an address no host owns swallows
packets (a connection to it times out), like 11.11.11.11 in the lecture.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Host:
    names: tuple[str, ...]
    ip: str
    status: int
    reason: str
    location: str = ""
    body: str = ""
    server: str = "gws"


_GOOGLE_301 = ('<HTML><HEAD><meta http-equiv="content-type" content="text/html;charset=utf-8">\n'
               "<TITLE>301 Moved</TITLE></HEAD><BODY>\n<H1>301 Moved</H1>\nThe document has "
               'moved\n<A HREF="http://www.google.com/">here</A>.\r\n</BODY></HTML>\r\n')
_EXAMPLE = ("<!doctype html>\n<html>\n<head>\n    <title>Example Domain</title>\n</head>\n\n"
            "<body>\n<div>\n    <h1>Example Domain</h1>\n    <p>This domain is for use in "
            "illustrative examples in documents. You may use this\n    domain in literature "
            "without prior coordination or asking for permission.</p>\n</div>\n</body>\n"
            "</html>\n")

HOSTS: tuple[Host, ...] = (
    Host(("google.com",), "142.250.196.110", 301, "Moved Permanently",
         "http://www.google.com/", _GOOGLE_301),
    Host(("www.google.com",), "142.250.196.100", 200, "OK", "",
         "<!doctype html><html><head><title>Google</title></head><body>Search</body></html>\n"),
    Host(("example.com", "www.example.com"), "93.184.215.14", 200, "OK", "", _EXAMPLE,
         server="ECAcc (sec/96EE)"),
    Host(("kubernetes.io",), "147.75.40.148", 200, "OK", "",
         "<!doctype html><html><head><title>Kubernetes</title></head><body>Production-Grade "
         "Container Orchestration</body></html>\n", server="Netlify"),
)
_BY_NAME = {name: host for host in HOSTS for name in host.names}
_BY_IP = {host.ip: host for host in HOSTS}


def lookup(name: str) -> Host | None:
    return _BY_NAME.get(name.lower().rstrip("."))


def host_at(ip: str) -> Host | None:
    return _BY_IP.get(ip)


def upstream_answer(name: str, config: dict) -> tuple[str, tuple[str, ...]]:
    """(rcode, addresses) the nodes' upstream resolver gives for `name`; rcode TIMEOUT: silence."""
    name = name.lower().rstrip(".")
    host = lookup(name)
    if host is not None:
        return "NOERROR", (host.ip,)
    if config.get("upstream", "silent") == "silent":
        for domain in config.get("host_search") or []:
            if name == domain or name.endswith("." + domain):
                return "TIMEOUT", ()
    return "NXDOMAIN", ()
