"""The OpenAPI documents: `/openapi/v2` (JSON or protobuf) and `/openapi/v3/<group-version>`.

kubectl reads them for three things. Validation: for each object it asks
whether the server takes the `fieldValidation` query parameter for that
group-version-kind, i.e. whether some path's `patch` operation carries the
kind's `x-kubernetes-group-version-kind` and that parameter; kubectl 1.27
and 1.28 also download `/openapi/v2` (protobuf) first, and fail `create -f`
without it. `kubectl explain`: the kind's schema with every field's type and
description (v3 since 1.27, v2 with `--output=plaintext-openapiv2`). And
`kubectl apply`: the strategic-merge-patch keys (`x-kubernetes-patch-*`).

The schemas are the official ones (openapi_data.json, made by
tools/gen_openapi.py from a published copy of the Kubernetes OpenAPI), kept
in v2 form; the v3 documents derive from them as the API server's do:
references live under `#/components/schemas/` and a reference with its own
description is wrapped in `allOf`. Each group-version document carries its
kinds and every schema they reach.

Paths are only the `patch` operations, one per kind: they are what kubectl
looks up, and the other operations would double the documents for no
client. The v3 `patch` declares no request body on purpose: declaring
strategic-merge-patch support sends kubectl 1.37's apply through its v3 patch
path, while without it kubectl takes the same keys from `/openapi/v2`.

Documents are built once per process and cached as bytes: they depend only
on the code (the same for every cluster).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from clusterviz.k8sapi.discovery import SERVER_VERSION, group_versions, resources_of
from simcore.resources import ResourceType

DATA_FILE = Path(__file__).with_name("openapi_data.json")
# kubectl asks with an `@`, which Go's mime parser refuses in the answer: the server
# answers with the dotted spelling (kube-openapi's handler)
V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
INFO = {"title": "Kubernetes", "version": SERVER_VERSION["gitVersion"]}
_V2_REF, _V3_REF = "#/definitions/", "#/components/schemas/"


@cache
def definitions() -> dict[str, dict]:
    found: dict[str, dict] = json.loads(DATA_FILE.read_text())["definitions"]
    return found


def gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def root(base: str) -> dict:
    return {"paths": {gv_path(g, v): {"serverRelativeURL": f"{base}/openapi/v3/{gv_path(g, v)}"}
                      for g, v in group_versions()}}


def schema_name(res: ResourceType) -> str:
    """The definition whose `x-kubernetes-group-version-kind` names this resource's kind."""
    return _schema_names()[(res.group, res.version, res.kind)]


@cache
def _schema_names() -> dict[tuple[str, str, str], str]:
    names = {}
    for name, schema in definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or []:
            names[(gvk["group"], gvk["version"], gvk["kind"])] = name
    return names


def _item_path(res: ResourceType) -> str:
    scope = "/namespaces/{namespace}" if res.namespaced else ""
    return f"/{gv_path(res.group, res.version)}{scope}/{res.plural}/{{name}}"


def _gvk(res: ResourceType) -> dict:
    return {"group": res.group, "version": res.version, "kind": res.kind}


# v2 ------------------------------------------------------------------------------------------
def _v2_patch(res: ResourceType) -> dict:
    return {"description": f"partially update the specified {res.kind}",
            "consumes": ["application/json-patch+json", "application/merge-patch+json",
                         "application/strategic-merge-patch+json",
                         "application/apply-patch+yaml"],
            "produces": ["application/json", "application/yaml",
                         "application/vnd.kubernetes.protobuf"],
            "operationId": f"patch{res.kind}",
            "parameters": [{"uniqueItems": True, "type": "string", "name": "fieldValidation",
                            "in": "query"}],
            "responses": {"200": {"description": "OK",
                                  "schema": {"$ref": _V2_REF + schema_name(res)}}},
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": _gvk(res)}


def _patchable(group: str, version: str) -> list[ResourceType]:
    """The resources with a patch path: not the create-only reviews (`k8sapi.reviews`)."""
    return [r for r in resources_of(group, version) if "patch" in r.verbs]


def v2_document() -> dict:
    paths = {_item_path(r): {"patch": _v2_patch(r)}
             for g, v in group_versions() for r in _patchable(g, v)}
    return {"swagger": "2.0", "info": INFO, "paths": paths, "definitions": definitions()}


@cache
def v2_json() -> bytes:
    return json.dumps(v2_document(), separators=(",", ":")).encode()


@cache
def v2_protobuf() -> bytes:
    from clusterviz.k8sapi.openapi_proto import encode_document
    return encode_document(v2_document())


def wants_protobuf(accept: str) -> bool:
    """kubectl asks for gnostic's protobuf; the older `.v1.0+protobuf` spelling counts too."""
    return "application/com.github.proto-openapi.spec.v2" in accept


# v3 ------------------------------------------------------------------------------------------
def _v3(node: object) -> object:
    """A v2 schema node in the API server's v3 form."""
    if isinstance(node, list):
        return [_v3(v) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"].replace(_V2_REF, _V3_REF)
        rest = {k: _v3(v) for k, v in node.items() if k != "$ref"}
        return {"allOf": [{"$ref": ref}], **rest} if rest else {"$ref": ref}
    return {k: _v3(v) for k, v in node.items()}


def _reachable(roots: list[str]) -> list[str]:
    defs, seen, pending = definitions(), set(), list(roots)
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(_refs(defs[name]))
    return sorted(seen)


def _refs(node: object) -> list[str]:
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    if not isinstance(node, dict):
        return []
    found = [node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else []
    return found + [r for v in node.values() for r in _refs(v)]


def _v3_patch(res: ResourceType) -> dict:
    return {"description": f"partially update the specified {res.kind}",
            "operationId": f"patch{res.kind}",
            "parameters": [{"name": "fieldValidation", "in": "query",
                            "schema": {"type": "string", "uniqueItems": True}}],
            "responses": {"200": {"description": "OK", "content": {
                "application/json": {"schema": {"$ref": _V3_REF + schema_name(res)}}}}},
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": _gvk(res)}


@cache
def v3_json(group: str, version: str) -> bytes | None:
    if not resources_of(group, version):
        return None
    resources = _patchable(group, version)
    defs = definitions()
    schemas = {n: _v3(defs[n]) for n in _reachable([schema_name(r) for r in resources])}
    body = {"openapi": "3.0.0", "info": INFO,
            "paths": {_item_path(r): {"patch": _v3_patch(r)} for r in resources},
            "components": {"schemas": schemas}}
    return json.dumps(body, separators=(",", ":")).encode()
