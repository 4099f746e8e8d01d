"""The OpenAPI v3 stub: just enough for kubectl's default `--validate=strict`.

kubectl looks, per object it sends, for a path whose `patch` operation
carries the object's `x-kubernetes-group-version-kind` and a
`fieldValidation` query parameter; finding one, it leaves validation to the
server (`fieldValidation=Strict`), which simcore does. Without it create
and apply fail ("failed to download openapi"). No schemas, and on purpose
no strategic-merge-patch request body: claiming SMP support without schemas
makes kubectl print a warning on every apply (kubectl-api.md section 5).
"""

from __future__ import annotations

from clusterviz.k8sapi.discovery import SERVER_VERSION, group_versions, resources_of


def gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def root(base: str) -> dict:
    return {"paths": {gv_path(g, v): {"serverRelativeURL": f"{base}/openapi/v3/{gv_path(g, v)}"}
                      for g, v in group_versions()}}


def document(group: str, version: str) -> dict | None:
    resources = resources_of(group, version)
    if not resources:
        return None
    paths = {}
    for res in resources:
        if "patch" not in res.verbs:
            continue
        scope = "/namespaces/{namespace}" if res.namespaced else ""
        path = f"/{gv_path(group, version)}{scope}/{res.plural}/{{name}}"
        paths[path] = {"patch": {
            "operationId": f"patch{res.kind}",
            "x-kubernetes-group-version-kind": {"group": group, "version": version,
                                                "kind": res.kind},
            "parameters": [{"name": "fieldValidation", "in": "query",
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK"}}}}
    return {"openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": SERVER_VERSION["gitVersion"]},
            "paths": paths, "components": {"schemas": {}}}
