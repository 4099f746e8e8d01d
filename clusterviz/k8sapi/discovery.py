"""Discovery documents, built from simcore's resource table.

Two styles, both from the same table: legacy (`APIVersions`, `APIGroupList`,
one `APIResourceList` per group-version) and aggregated (one
`APIGroupDiscoveryList` for `/api`, one for `/apis`, v2 or v2beta1 as the
client asked). kubectl needs `shortNames` (`get po`) and `categories`
(`get all`) in both; subresources are listed in the aggregated form only,
as the real server does.
"""

from __future__ import annotations

from simcore.resources import RESOURCES, SERVED_VERSIONS, ResourceType

SERVER_VERSION = {
    "major": "1", "minor": "37", "emulationMajor": "1", "emulationMinor": "37",
    "minCompatibilityMajor": "1", "minCompatibilityMinor": "36",
    "gitVersion": "v1.37.1", "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean", "buildDate": "2026-09-01T00:00:00Z", "goVersion": "go1.26.1",
    "compiler": "gc", "platform": "linux/amd64",
}
_SUBRESOURCE_KIND = {"scale": ("autoscaling", "v1", "Scale"), "log": ("", "v1", "Pod"),
                     "exec": ("", "v1", "PodExecOptions"), "binding": ("", "v1", "Binding"),
                     "portforward": ("", "v1", "PodPortForwardOptions"),
                     "eviction": ("policy", "v1", "Eviction"),
                     "token": ("authentication.k8s.io", "v1", "TokenRequest"),
                     "proxy": ("", "v1", "Status")}
_SUBRESOURCE_VERBS = {"status": ["get", "patch", "update"], "scale": ["get", "patch", "update"],
                      "log": ["get"], "exec": ["create", "get"], "binding": ["create"],
                      "portforward": ["create", "get"],
                      "eviction": ["create"], "token": ["create"], "proxy": ["get"]}


# Served by the web layer over another resource's storage (clusterviz/k8sapi/eventsv1.py):
# events.k8s.io/v1 Events are the core Events in their newer shape.
EVENTS_V1 = ResourceType("Event", "events", "events.k8s.io", "v1", True, ("ev",),
                         verbs=("create", "delete", "deletecollection", "get", "list", "patch",
                                "update", "watch"))
CONVERTED = (EVENTS_V1,)
# Create-only reviews that `k8sapi.reviews` answers and nothing stores (so not in simcore's
# table); listed so that kubectl maps `auth can-i ... selfsubjectaccessreviews` to its group.
REVIEWS = (ResourceType("SelfSubjectAccessReview", "selfsubjectaccessreviews",
                        "authorization.k8s.io", "v1", False, verbs=("create",)),
           ResourceType("SelfSubjectRulesReview", "selfsubjectrulesreviews",
                        "authorization.k8s.io", "v1", False, verbs=("create",)))
SERVED = (*RESOURCES, *CONVERTED, *REVIEWS)


def group_versions() -> list[tuple[str, str]]:
    """Every (group, version) that serves at least one resource, core first."""
    seen: list[tuple[str, str]] = []
    for group, versions in SERVED_VERSIONS.items():
        for version in versions:
            if any(r.group == group and r.version == version for r in RESOURCES):
                seen.append((group, version))
    seen += [(r.group, r.version) for r in (*CONVERTED, *REVIEWS)
             if (r.group, r.version) not in seen]
    return seen


def resources_of(group: str, version: str) -> list[ResourceType]:
    return [r for r in SERVED if r.group == group and r.version == version]


def find(group: str, version: str, plural: str) -> ResourceType | None:
    return next((r for r in resources_of(group, version) if r.plural == plural), None)


def gv_string(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


# legacy --------------------------------------------------------------------------------------
def api_versions() -> dict:
    return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
        {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}


def api_group_list() -> dict:
    groups: dict[str, list[str]] = {}
    for group, version in group_versions():
        if group:
            groups.setdefault(group, []).append(version)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
         "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]}}
        for g, vs in groups.items()]}


def api_resource_list(group: str, version: str) -> dict | None:
    resources = resources_of(group, version)
    if not resources:
        return None
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": gv_string(group, version),
            "resources": [_legacy_entry(r) for r in resources]}


def _legacy_entry(res: ResourceType) -> dict:
    entry = {"name": res.plural, "singularName": res.singular, "namespaced": res.namespaced,
             "kind": res.kind, "verbs": list(res.verbs)}
    if res.short_names:
        entry["shortNames"] = list(res.short_names)
    if res.categories:
        entry["categories"] = list(res.categories)
    return entry


# aggregated ----------------------------------------------------------------------------------
def aggregated(core: bool, api_version: str) -> dict:
    """`/api` (core=True) or `/apis` as an APIGroupDiscoveryList of `api_version`."""
    groups: dict[str, list[str]] = {}
    for group, version in group_versions():
        if (group == "") == core:
            groups.setdefault(group, []).append(version)
    return {"kind": "APIGroupDiscoveryList", "apiVersion": api_version, "metadata": {},
            "items": [{"metadata": {"name": g, "creationTimestamp": None},
                       "versions": [_aggregated_version(g, v) for v in vs]}
                      for g, vs in groups.items()]}


def _aggregated_version(group: str, version: str) -> dict:
    return {"version": version, "freshness": "Current",
            "resources": [_aggregated_entry(r) for r in resources_of(group, version)]}


def _aggregated_entry(res: ResourceType) -> dict:
    entry: dict = {"resource": res.plural,
                   "responseKind": {"group": res.group, "version": res.version, "kind": res.kind},
                   "scope": "Namespaced" if res.namespaced else "Cluster",
                   "singularResource": res.singular, "verbs": list(res.verbs)}
    if res.short_names:
        entry["shortNames"] = list(res.short_names)
    if res.categories:
        entry["categories"] = list(res.categories)
    if res.subresources:
        entry["subresources"] = [_subresource(res, s) for s in res.subresources]
    return entry


def _subresource(res: ResourceType, name: str) -> dict:
    group, version, kind = _SUBRESOURCE_KIND.get(name, (res.group, res.version, res.kind))
    return {"subresource": name, "responseKind": {"group": group, "version": version,
                                                   "kind": kind},
            "verbs": _SUBRESOURCE_VERBS.get(name, ["get"])}
