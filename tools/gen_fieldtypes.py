"""Generate simcore/fieldtypes_data.json: how server-side apply sees each field.

Server-side apply (simcore.fieldmanager) needs, for every field, whether it is
a scalar, a struct or map whose keys are owned one by one, an atomic value
owned whole, or a list that is atomic, a set (`v:` items) or a map keyed by
some of its items' fields (`k:{"name":"x"}` items). The apiserver takes this
from the OpenAPI extensions (`x-kubernetes-list-type`, `-list-map-keys`,
`-map-type`), falling back to the strategic-merge-patch tags as kube-openapi's
schemaconv does (a merge list with a merge key is keyed by it, others are
atomic). We read the same published OpenAPI the project already serves
(clusterviz/k8sapi/openapi_data.json) and keep only those facts:

    "s"                          a scalar or atomic value (owned whole)
    ["r", "<definition>"]        a struct: its fields one by one
    ["m", <code>]                a map: each key, values of <code>
    ["set"]                      a set list: `v:` items
    ["k", [keys], <code>]        a keyed list: `k:` items of <code>

Run: python tools/gen_fieldtypes.py
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "clusterviz" / "k8sapi" / "openapi_data.json"
TARGET = ROOT / "simcore" / "fieldtypes_data.json"
PREFIX = "#/definitions/"


def code(prop: dict, defs: dict):
    if "$ref" in prop:
        name = prop["$ref"][len(PREFIX):]
        target = defs.get(name, {})
        if target.get("x-kubernetes-map-type") == "atomic" or "properties" not in target:
            return "s"
        return ["r", name]
    if prop.get("type") == "array":
        return list_code(prop, defs)
    if prop.get("type") == "object" and "additionalProperties" in prop:
        if prop.get("x-kubernetes-map-type") == "atomic":
            return "s"
        return ["m", code(prop["additionalProperties"], defs)]
    return "s"


def list_code(prop: dict, defs: dict):
    kind = prop.get("x-kubernetes-list-type")
    keys = prop.get("x-kubernetes-list-map-keys")
    if kind is None and "merge" in prop.get("x-kubernetes-patch-strategy", ""):
        key = prop.get("x-kubernetes-patch-merge-key")
        kind, keys = ("map", [key]) if key else ("atomic", None)
    if kind == "set":
        return ["set"]
    if kind == "map" and keys:
        return ["k", keys, code(prop.get("items", {}), defs)]
    return "s"


def main() -> None:
    data = json.loads(SOURCE.read_text())
    defs = data["definitions"]
    types, roots = {}, {}
    for name, schema in defs.items():
        if "properties" in schema and schema.get("x-kubernetes-map-type") != "atomic":
            types[name] = {f: code(p, defs) for f, p in schema["properties"].items()}
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            group_version = f"{gvk['group']}/{gvk['version']}".lstrip("/")
            roots[f"{group_version}/{gvk['kind']}"] = name
    out = {"source": data.get("source", ""), "roots": roots, "types": types}
    TARGET.write_text(json.dumps(out, sort_keys=True, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
