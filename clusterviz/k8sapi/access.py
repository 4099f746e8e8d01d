"""Who may use a cluster's API: authentication by bearer token, authorization by owner.

Every API request carries `Authorization: Bearer <token>` (kubectl sends it
only over TLS, which is why `make run` serves the API over https). No
token, or one nobody holds, is the API server's bare `401 Unauthorized`
Status. A known user on a cluster `classroom.policy` says is not theirs
gets the authorizer's refusal, worded as the real API server words it
(k8s.io/apiserver `responsewriters.forbiddenMessage` wrapped by
apimachinery's `NewForbidden`), e.g. `pods is forbidden: User "bob" cannot
list resource "pods" in API group "" in the namespace "default"`.

As with RBAC's default `system:discovery` and `system:basic-user` roles,
any signed-in user may read discovery (version, groups, resource lists,
OpenAPI) and ask `SelfSubjectAccessReview`/`SelfSubjectRulesReview`, so
that kubectl gets far enough to print the refusal of the real request, and
`kubectl auth can-i` answers "no" instead of failing.

Cookies are never read here: a page of another site cannot drive the API
with a student's session, and the API stays free of CSRF tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.http import HttpRequest

from clusterviz.classroom import policy, tokens
from clusterviz.k8sapi.routing import Route
from simcore import errors

UNAUTHORIZED = errors.status(401, "Unauthorized", "Unauthorized")
# Endpoints every authenticated user may read (RBAC's system:discovery, system:basic-user).
OPEN_ENDPOINTS = ("version", "api", "apis", "resourcelist", "openapi", "openapi-doc", "review")


@dataclass(frozen=True)
class Attributes:
    """What a request asks for, as the authorizer sees it (authorizer.Attributes)."""
    verb: str
    path: str = ""
    group: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""

    @property
    def is_resource_request(self) -> bool:
        return bool(self.resource)


def authenticate(request: HttpRequest) -> User | None:
    """The user behind the request's bearer token, or None; the token's purpose is kept on
    the request (`k8s_token_purpose`: the command history skips the Terminal's own)."""
    token = tokens.bearer(request.headers.get("Authorization", ""))
    row = tokens.row_for(token) if token else None
    request.k8s_token_purpose = row.purpose if row is not None else ""
    return row.user if row is not None else None


def verb_for(method: str, route: Route | None, watching: bool) -> str:
    if route is None or route.endpoint != "resource":
        return {"GET": "get", "HEAD": "get", "POST": "post", "PUT": "put",
                "PATCH": "patch", "DELETE": "delete"}.get(method, method.lower())
    if route.subresource in ("exec", "portforward"):
        return "create"  # a websocket upgrade for these needs create (Kubernetes 1.30+)
    if method in ("GET", "HEAD"):
        if route.name is None:
            return "watch" if watching else "list"
        return "get"
    if method == "DELETE":
        return "delete" if route.name else "deletecollection"
    return {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(method, method.lower())


def attributes(method: str, path: str, route: Route | None, watching: bool = False) -> Attributes:
    verb = verb_for(method, route, watching)
    if route is None or route.endpoint != "resource" or route.resource is None:
        return Attributes(verb, path="/" + path.lstrip("/"))
    return Attributes(verb, group=route.group, resource=route.resource.plural,
                      subresource=route.subresource or "", namespace=route.namespace or "",
                      name=route.name or "")


def forbidden(username: str, attrs: Attributes) -> dict:
    """The 403 Status the API server sends when the authorizer says no."""
    if not attrs.is_resource_request:
        reason = f'User "{username}" cannot {attrs.verb} path "{attrs.path}"'
        return errors.status(403, "Forbidden", f"forbidden: {reason}", {})
    resource = attrs.resource + (f"/{attrs.subresource}" if attrs.subresource else "")
    where = (f'in the namespace "{attrs.namespace}"' if attrs.namespace
             else "at the cluster scope")
    reason = (f'User "{username}" cannot {attrs.verb} resource "{resource}" '
              f'in API group "{attrs.group}" {where}')
    qualified = attrs.resource + (f".{attrs.group}" if attrs.group else "")
    subject = f'{qualified} "{attrs.name}"' if attrs.name else qualified
    details: dict = {}
    if attrs.name:
        details["name"] = attrs.name
    if attrs.group:
        details["group"] = attrs.group
    details["kind"] = attrs.resource
    return errors.status(403, "Forbidden", f"{subject} is forbidden: {reason}", details)


def decide(user: User | None, slug: str, endpoint: str | None, attrs: Attributes) -> dict | None:
    """None when `user` may do it on cluster `slug`, else the Status refusing it."""
    if user is None:
        return UNAUTHORIZED
    if endpoint in OPEN_ENDPOINTS or policy.may_use_slug(user, slug):
        return None
    return forbidden(user.get_username(), attrs)


def check_access(request: HttpRequest, slug: str, path: str, route: Route | None,
                 watching: bool = False) -> dict | None:
    """None when the request may proceed, else the Status dict to refuse it with."""
    user = authenticate(request)
    request.k8s_user = user
    endpoint = route.endpoint if route is not None else None
    return decide(user, slug, endpoint, attributes(request.method or "GET", path, route,
                                                   watching))


def check_socket_access(scope: dict, slug: str, route: Route) -> dict | None:
    """The same decision for a websocket (`pods/exec`), from its ASGI scope's headers."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1")
               for k, v in scope.get("headers") or []}
    token = tokens.bearer(headers.get("authorization", ""))
    user = tokens.user_for(token) if token else None
    return decide(user, slug, route.endpoint, attributes("GET", "", route))
