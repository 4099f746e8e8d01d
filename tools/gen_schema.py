"""Generate simcore/schema_data.json from the official `kubernetes` Python client.

The client's model classes are generated from the Kubernetes OpenAPI spec:
each has `openapi_types` (attribute -> type name) and `attribute_map`
(attribute -> JSON field). Walking them from the root kind of every resource
in simcore/resources.py gives exactly the fields the real API server knows,
which is what strict field validation compares against.

The output is compact: each model appears once under its client name, and a
field maps to the model name to descend into (`"V1PodSpec"`), that name
prefixed with `[` for a list or `{` for a map of such models, or 0 for a
field whose content is not checked (scalars, lists and maps of scalars, and
free-form `object` fields such as IntOrString or RawExtension).

Usage (the runtime never imports the client):

    pip install kubernetes==37.0.2
    python tools/gen_schema.py            # rewrites simcore/schema_data.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kubernetes import __version__ as client_version  # noqa: E402
from kubernetes.client import models  # noqa: E402

from simcore.resources import RESOURCES, SERVED_VERSIONS  # noqa: E402

_CONTAINER = re.compile(r"(List|Dict)\[(?:str, )?(.+)\]$")
_SPECIAL_NAMES = {("", "v1", "Event"): "CoreV1Event"}


def model_name(group: str, version: str, kind: str) -> str:
    return _SPECIAL_NAMES.get((group, version, kind), f"{version.capitalize()}{kind}")


def field_code(type_name: str) -> tuple[str | int, str | None]:
    """(the JSON encoding of a field's type, the model to visit next or None)."""
    match = _CONTAINER.match(type_name)
    if match:
        inner_code, inner_model = field_code(match.group(2))
        if inner_model is None:
            return 0, None
        prefix = "[" if match.group(1) == "List" else "{"
        return prefix + str(inner_code), inner_model
    if hasattr(models, type_name) and hasattr(getattr(models, type_name), "openapi_types"):
        return type_name, type_name
    return 0, None


def walk(roots: list[str]) -> dict[str, dict[str, str | int]]:
    types: dict[str, dict[str, str | int]] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in types:
            continue
        cls = getattr(models, name)
        fields: dict[str, str | int] = {}
        for attr, type_name in sorted(cls.openapi_types.items()):
            code, nested = field_code(type_name)
            fields[cls.attribute_map[attr]] = code
            if nested is not None:
                pending.append(nested)
        types[name] = dict(sorted(fields.items()))
    return dict(sorted(types.items()))


def roots() -> dict[str, str]:
    """Kind (preferred version) and apiVersion/Kind (every served version) -> model name."""
    table: dict[str, str] = {}
    for res in RESOURCES:
        table[res.kind] = model_name(res.group, res.version, res.kind)
        for version in SERVED_VERSIONS.get(res.group, (res.version,)):
            name = model_name(res.group, version, res.kind)
            if hasattr(models, name):
                api_version = f"{res.group}/{version}" if res.group else version
                table[f"{api_version}/{res.kind}"] = name
    missing = [n for n in table.values() if not hasattr(models, n)]
    if missing:
        raise SystemExit(f"no client model for {missing}")
    return dict(sorted(table.items()))


def main() -> None:
    table = roots()
    data = {"source": f"kubernetes Python client {client_version}", "roots": table,
            "types": walk(sorted(set(table.values())))}
    out = ROOT / "simcore" / "schema_data.json"
    out.write_text(json.dumps(data, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"wrote {out.relative_to(ROOT)}: {len(data['types'])} types, "
          f"{out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
