"""Which Ingress rule answers an HTTP request, the way ingress-nginx decides.

ingress-nginx turns every Ingress of its class into nginx `server` blocks,
one per host, plus the catch-all server `_` that holds the host-less rules.
nginx first picks the server (an exact host name beats a `*.` wildcard,
and a request no server names falls to `_`), then a location inside it
(the longest matching path; an Exact path beats a Prefix of the same
length). Rules for one host are merged across Ingress objects, oldest
Ingress first, so on a clash the older one keeps the path.

Once a host's server is chosen nginx never looks at other servers: a path
that matches none of that host's rules is answered by the server's root
location, which is the `spec.defaultBackend` of the Ingress that first
named the host, or else the controller's 404. The catch-all server's
root is the defaultBackend of the oldest Ingress that has one and no rules.
`None` means that 404.

Paths follow the Kubernetes path types (Prefix by whole `/` segments,
trailing slash ignored; ImplementationSpecific treated as Prefix). Two
ingress-nginx details are deliberately not reproduced: a Prefix path with
a trailing slash answers the slashless URI with a 301, and
ImplementationSpecific is a plain nginx string prefix. A `*.` wildcard
covers exactly one DNS label, as the Ingress API defines (nginx itself
would accept several).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from simcore.trace import Message
from simcore.tracetext import msg, render

CLASS_ANNOTATION = "kubernetes.io/ingress.class"

_HOST_MATCHES = ("exact", "wildcard", "default")


@dataclass(frozen=True)
class Match:
    """The rule (or defaultBackend) that answered, with all a trace needs to explain it."""

    ingress: str                # "namespace/name" of the Ingress that answered
    host_match: str             # "exact", "wildcard", or "default" (no rule names the host)
    rule_host: str              # the rule's host as written, "" for host-less rules
    rule_index: int | None      # None when spec.defaultBackend answered
    path_index: int | None
    path: str | None            # the rule's path and pathType, None for a defaultBackend
    path_type: str | None
    service: str
    port: int | str             # the backend's port number, or its port name
    request_host: str
    request_path: str

    @property
    def default_backend(self) -> bool:
        return self.rule_index is None

    def explain(self) -> str:
        return render(self.message())

    def message(self) -> Message:
        """Why this rule answered, as a trace message (`explain()` is its English)."""
        where = {"host": self.request_host, "path": self.request_path,
                 "ingress": self.ingress, "service": self.service, "port": self.port}
        if self.default_backend and self.host_match == "default":
            return msg("ingress.default-only", **where)
        if self.default_backend:
            return msg("ingress.default", host_match=self._host_phrase(), **where)
        # str(): the sentence always said what the fields hold, None included
        return msg("ingress.rule", host_match=self._host_phrase(), rule=str(self.rule_index),
                   index=str(self.path_index), rule_path=str(self.path),
                   path_type=str(self.path_type), **where)

    def _host_phrase(self) -> Message:
        if self.host_match == "exact":
            return msg("ingress.host-exact", rule_host=self.rule_host)
        if self.host_match == "wildcard":
            return msg("ingress.host-wildcard", rule_host=self.rule_host)
        return msg("ingress.host-none")


def match_ingress(ingresses: list[dict], host: str, path: str, default_class: str | None,
                  class_name: str) -> Match | None:
    """The rule answering `host` + `path` among the Ingresses of `class_name`, or None (404)."""
    served = _in_serving_order([i for i in ingresses
                                if ingress_class(i, default_class) == class_name])
    request_host, request_path = request_host_name(host), request_uri_path(path)
    for host_match in _HOST_MATCHES:
        rules = [(ing, index, rule) for ing in served
                 for index, rule in enumerate((ing.get("spec") or {}).get("rules") or [])
                 if _host_matches(host_match, rule.get("host") or "", request_host)]
        if rules or host_match == "default":
            found = _longest_path(rules, request_path)
            context = (host_match, request_host, request_path)
            if found:
                return _path_match(*found, *context)
            return _server_default(served, rules, *context)
    return None


def ingress_class(ingress: dict, default_class: str | None) -> str | None:
    """The class an Ingress belongs to: ingressClassName, else the old annotation, else default."""
    named = (ingress.get("spec") or {}).get("ingressClassName")
    if named:
        return str(named)
    annotations = (ingress.get("metadata") or {}).get("annotations") or {}
    annotated = annotations.get(CLASS_ANNOTATION)
    return str(annotated) if annotated else default_class


def request_host_name(host: str) -> str:
    """The Host header as nginx compares it: port stripped, lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[:host.find("]") + 1] if "]" in host else host
    name, sep, port = host.rpartition(":")
    return name if sep and port.isdigit() else host


def request_uri_path(path: str) -> str:
    """The path nginx matches: no query string or fragment, decoded, slashes merged."""
    path = unquote(path.split("#", 1)[0].split("?", 1)[0])
    return re.sub("/{2,}", "/", "/" + path.lstrip("/"))


def path_matches(rule_path: str, path_type: str, request_path: str) -> bool:
    """Exact compares whole strings; Prefix (and ImplementationSpecific) whole segments."""
    if path_type == "Exact":
        return request_path == rule_path
    wanted = [e for e in (rule_path or "/").split("/") if e]
    return [e for e in request_path.split("/") if e][:len(wanted)] == wanted


def _in_serving_order(ingresses: list[dict]) -> list[dict]:
    # ingress-nginx sorts by creationTimestamp; equal stamps by namespace/name, descending
    by_name = sorted(ingresses, key=_key, reverse=True)
    return sorted(by_name, key=lambda i: (i.get("metadata") or {}).get("creationTimestamp", ""))


def _key(ingress: dict) -> str:
    meta = ingress.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"


def _host_matches(host_match: str, rule_host: str, request_host: str) -> bool:
    rule_host = rule_host.lower()
    if host_match == "exact":
        return bool(rule_host) and rule_host == request_host
    if host_match == "wildcard":
        if not rule_host.startswith("*.") or not request_host.endswith(rule_host[1:]):
            return False
        label = request_host[:-len(rule_host) + 1]
        return bool(label) and "." not in label
    return rule_host == ""


def _longest_path(rules: list, request_path: str) -> tuple[dict, int, dict, int, dict] | None:
    candidates = []
    for order, (ing, rule_index, rule) in enumerate(rules):
        for path_index, item in enumerate((rule.get("http") or {}).get("paths") or []):
            service = (item.get("backend") or {}).get("service")
            path, path_type = item.get("path") or "/", item.get("pathType", "")
            if service and path_matches(path, path_type, request_path):
                length = len(path) if path_type == "Exact" else len(path.rstrip("/") or "/")
                rank = (-length, path_type != "Exact", order, path_index)
                candidates.append((rank, (ing, rule_index, rule, path_index, item)))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def _path_match(ing: dict, rule_index: int, rule: dict, path_index: int, item: dict,
                host_match: str, request_host: str, request_path: str) -> Match:
    service, port = _service(item["backend"])
    return Match(_key(ing), host_match, rule.get("host") or "", rule_index, path_index,
                 item.get("path") or "/", item.get("pathType", ""), service, port,
                 request_host, request_path)


def _server_default(served: list[dict], rules: list, host_match: str, request_host: str,
                    request_path: str) -> Match | None:
    """The server's root location: a defaultBackend, or None for the controller's 404."""
    if host_match == "default":
        owners = [i for i in served if not (i.get("spec") or {}).get("rules")]
    else:
        owners = [rules[0][0]] if rules else []  # the oldest Ingress naming the host
    for ing in owners:
        backend = (ing.get("spec") or {}).get("defaultBackend") or {}
        if backend.get("service"):
            service, port = _service(backend)
            rule_host = rules[0][2].get("host", "") if rules else ""
            return Match(_key(ing), host_match, rule_host, None, None, None, None, service,
                         port, request_host, request_path)
    return None


def _service(backend: dict) -> tuple[str, int | str]:
    service = backend["service"]
    port = service.get("port") or {}
    return service.get("name", ""), port.get("number", port.get("name", ""))
