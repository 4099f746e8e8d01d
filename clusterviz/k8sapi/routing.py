"""Turning a path under a cluster's base URL into what it names.

One parser instead of dozens of URL patterns, because Kubernetes paths are
a grammar: `api/v1` or `apis/<group>/<version>`, then optionally
`namespaces/<ns>/`, then `<resource>[/<name>[/<subresource>]]`. The one
ambiguity, `namespaces/<name>` (the Namespace itself) against
`namespaces/<ns>/<resource>` (something in it), is settled by whether the
third segment is a namespaced resource of that group-version.
"""

from __future__ import annotations

from dataclasses import dataclass

from clusterviz.k8sapi.discovery import find
from simcore import errors
from simcore.resources import ResourceType


@dataclass(frozen=True)
class Route:
    endpoint: str  # version, api, apis, resourcelist, openapi(-v2,-doc), resource
    group: str = ""
    version: str = ""
    resource: ResourceType | None = None
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None

    def resource_type(self) -> ResourceType:
        """The resource of a `resource` route (`parse` sets it on every one of those)."""
        if self.resource is None:
            raise ValueError(f"a {self.endpoint!r} route names no resource")
        return self.resource

    def object_name(self) -> str:
        """The name of the one object a get, replace, patch or delete route names (`parse`
        routes only paths that name one to them)."""
        if self.name is None:
            raise ValueError(f"a {self.endpoint!r} route names no object")
        return self.name

    def namespaced_name(self) -> tuple[str, str]:
        """The namespace and name of the one object a route names. Without a namespace
        (`/api/v1/pods/<name>/log`) it names none: NotFound, as a get of that path answers."""
        res = self.resource_type()
        if self.namespace is None or self.name is None:
            raise errors.not_found(res, self.name or "")
        return self.namespace, self.name


_FIXED = {("version",): Route("version"), ("api",): Route("api"), ("apis",): Route("apis"),
          ("openapi", "v3"): Route("openapi"), ("openapi", "v2"): Route("openapi-v2")}


def parse(path: str) -> Route | None:
    """The Route for a path relative to the cluster's base URL, or None (404)."""
    segments = [s for s in path.strip("/").split("/") if s]
    fixed = _FIXED.get(tuple(segments))
    if fixed is not None:
        return fixed
    if segments[:2] == ["openapi", "v3"]:
        gv = _group_version(segments[2:])
        return Route("openapi-doc", gv[0], gv[1]) if gv and not gv[2] else None
    gv = _group_version(segments)
    if gv is None:
        return None
    group, version, rest = gv
    if not rest:
        return Route("resourcelist", group, version)
    return _resource_route(group, version, rest)


def _group_version(segments: list[str]) -> tuple[str, str, list[str]] | None:
    if len(segments) >= 2 and segments[0] == "api":
        return "", segments[1], segments[2:]
    if len(segments) >= 3 and segments[0] == "apis":
        return segments[1], segments[2], segments[3:]
    return None


def _resource_route(group: str, version: str, rest: list[str]) -> Route | None:
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        inner = find(group, version, rest[2])
        if inner is not None and inner.namespaced:
            namespace, rest = rest[1], rest[2:]
    if len(rest) > 3:
        return None
    res = find(group, version, rest[0])
    if res is None or (namespace is not None and not res.namespaced):
        return None
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    if sub is not None and sub not in res.subresources:
        return None
    return Route("resource", group, version, res, namespace, name, sub)
