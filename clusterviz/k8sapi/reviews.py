"""`kubectl auth can-i`: SelfSubjectAccessReview and SelfSubjectRulesReview.

Both are create-only virtual resources of `authorization.k8s.io/v1`: the
server fills in `status` and stores nothing. The answer is the same rule
every request meets (`classroom.policy`): on a cluster the user may use,
everything is allowed (a student is their cluster's admin); elsewhere only
what RBAC's default `system:basic-user` and `system:discovery` roles give
every authenticated user, which is how `kubectl auth can-i --list` on
someone else's cluster reads on a real one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from django.http import HttpRequest, HttpResponse

from clusterviz.classroom import policy
from clusterviz.k8sapi.negotiation import decode_object
from clusterviz.k8sapi.responses import json_response
from simcore import errors

GROUP_VERSION = "authorization.k8s.io/v1"
PATHS = {f"apis/{GROUP_VERSION}/selfsubjectaccessreviews": "SelfSubjectAccessReview",
         f"apis/{GROUP_VERSION}/selfsubjectrulesreviews": "SelfSubjectRulesReview"}


class ResourceRule(TypedDict):
    verbs: list[str]
    apiGroups: list[str]
    resources: list[str]


class NonResourceRule(TypedDict):
    verbs: list[str]
    nonResourceURLs: list[str]


class RulesStatus(TypedDict):
    """A SelfSubjectRulesReview's status."""
    resourceRules: list[ResourceRule]
    nonResourceRules: list[NonResourceRule]
    incomplete: bool


ADMIN_RULES: RulesStatus = {
    "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
    "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
    "incomplete": False}
# What every authenticated user may do (RBAC's system:basic-user and system:discovery).
BASIC_RULES: RulesStatus = {
    "resourceRules": [
        {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
         "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
        {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"],
         "resources": ["selfsubjectreviews"]}],
    "nonResourceRules": [
        {"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*",
                                               "/healthz", "/livez", "/openapi", "/openapi/*",
                                               "/readyz", "/version", "/version/"]}],
    "incomplete": False}


def kind_for(path: str) -> str | None:
    """The review kind of a path under one of the two collections (deeper paths too: they
    are refused here rather than reaching the store, which has no such resource)."""
    path = path.strip("/")
    return next((kind for prefix, kind in PATHS.items()
                 if path == prefix or path.startswith(prefix + "/")), None)


def answer(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    if request.method != "POST" or request.path.rstrip("/").rsplit("/", 1)[1] not in (
            "selfsubjectaccessreviews", "selfsubjectrulesreviews"):
        raise errors.method_not_allowed()
    body = decode_object(request)
    spec = body.get("spec")
    if not isinstance(spec, dict):
        spec = {}
    allowed = policy.may_use_slug(request.k8s_user, slug)
    status: Mapping[str, object]
    if kind == "SelfSubjectAccessReview":
        status = {"allowed": allowed or _basic(spec)}
    else:
        status = ADMIN_RULES if allowed else BASIC_RULES
    metadata = body.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    return json_response({"kind": kind, "apiVersion": GROUP_VERSION,
                          "metadata": {**metadata, "creationTimestamp": None},
                          "spec": spec, "status": status}, status=201)


def _basic(spec: dict) -> bool:
    """Whether the basic-user roles alone allow what `spec` asks."""
    res = spec.get("resourceAttributes")
    if isinstance(res, dict):
        return any(str(res.get("verb")) in rule["verbs"]
                   and str(res.get("group") or "") in rule["apiGroups"]
                   and str(res.get("resource")) in rule["resources"]
                   for rule in BASIC_RULES["resourceRules"])
    url = spec.get("nonResourceAttributes")
    if isinstance(url, dict):
        path, verb = str(url.get("path") or ""), str(url.get("verb") or "")
        return verb == "get" and any(path == p or (p.endswith("*") and path.startswith(p[:-1]))
                                     for p in BASIC_RULES["nonResourceRules"][0]["nonResourceURLs"])
    return False
