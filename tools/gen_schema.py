"""Generate simcore/schema_data.json: every served kind's fields and their Go types.

Two published sources, each for what it knows best:

- the official `kubernetes` Python client's models (generated from the
  Kubernetes OpenAPI spec): `openapi_types` (attribute -> type name) and
  `attribute_map` (attribute -> JSON field) give exactly the fields the real
  API server knows, which is what strict field validation and pruning
  compare against;
- the Go struct tags and types of k8s.io/api kept in the bundled kubectl
  (read by tools/gen_proto_schema.py's ELF walker): the Go type of every
  field, which the apiserver's JSON decoder names in its messages
  (`json: cannot unmarshal number into Go struct field IngressSpec.spec.rules
  of type v1.IngressRule`) and which the client's models blur (`int` for
  int32 and int64, `str` for Quantity, `object` for IntOrString and
  RawExtension alike).

The two are walked side by side from each kind's root; a model's fields are
listed in the Go struct's declaration order. Every field maps to a code, a
JSON list:

    ["s", "v1.Protocol"]  a string (Go type named as reflect prints it)
    ["b", "bool"]         a boolean
    ["i", "int32"]        an integer ("int32" or "int64")
    ["f", "float64"]      a floating-point number
    ["y", "[]uint8"]      bytes: a base64 string
    ["x", "IntOrString"]  a type with its own UnmarshalJSON: IntOrString,
                          Quantity, Time, MicroTime, Duration, RawExtension,
                          FieldsV1 (free-form content)
    ["o", "v1.IngressRule", "V1IngressRule"]   an object of a model
    ["l", "[]v1.IngressRule", <code>]          a list of <code>
    ["m", "map[string]string", <code>]         a map (string keys) of <code>

Usage (the runtime never imports the client):

    pip install kubernetes==37.0.2
    python tools/gen_schema.py [path/to/kubectl]   # rewrites simcore/schema_data.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from gen_proto_schema import GoBinary, Walker, _tag  # noqa: E402
from kubernetes import __version__ as client_version  # noqa: E402
from kubernetes.client import models  # noqa: E402

from simcore.resources import RESOURCES, SERVED_VERSIONS  # noqa: E402

_CONTAINER = re.compile(r"(List|Dict)\[(?:str, )?(.+)\]$")
_SPECIAL_NAMES = {("", "v1", "Event"): "CoreV1Event"}
# Go types with their own UnmarshalJSON, by the walker's struct key
_SPECIAL = {"meta/v1.Time": "Time", "meta/v1.MicroTime": "MicroTime",
            "meta/v1.Duration": "Duration", "meta/v1.FieldsV1": "FieldsV1",
            "intstr.IntOrString": "IntOrString", "resource.Quantity": "Quantity",
            "runtime.RawExtension": "RawExtension"}
_EMPTY = "_Empty"
_SCALARS = {"string": "s", "bool": "b", "int32": "i", "int64": "i", "int": "i",
            "float64": "f", "float32": "f"}


def model_name(group: str, version: str, kind: str) -> str:
    return _SPECIAL_NAMES.get((group, version, kind), f"{version.capitalize()}{kind}")


def go_key(group: str, version: str, kind: str) -> str:
    """The walker's key of a kind's Go struct: `networking/v1.Ingress`."""
    return f"{group.split('.')[0] or 'core'}/{version}.{kind}"


class GoTypes:
    """The Go structs of k8s.io/api as JSON field -> type descriptor tables."""

    def __init__(self, kubectl: Path):
        self.walker = Walker(GoBinary(kubectl))
        for typ in self.walker.bin.typelinks():
            try:
                self.walker.describe(typ)
            except KeyError:  # a descriptor outside the mapped sections
                continue

    def fields(self, key: str) -> dict[str, tuple[tuple, str]]:
        """JSON name -> (the walker's type descriptor, the named map type or "")."""
        out: dict[str, tuple[tuple, str]] = {}
        for go_name, tag, embedded, desc in self.walker.structs.get(key, []):
            json_tag = (_tag(tag, "json") or "").split(",")
            name = json_tag[0] if json_tag[0] or embedded else go_name
            if name == "-":
                continue
            if name == "" and desc[0] == "struct":  # inlined: TypeMeta, VolumeSource
                out.update(self.fields(desc[1]))
                continue
            cast = re.search(r"casttype=(\w+)", _tag(tag, "protobuf") or "")
            named = f"{key.split('.')[0].rsplit('/', 1)[-1]}.{cast.group(1)}" \
                if cast and desc[0] == "map" else ""
            out[name] = (desc, named)
        return out


def go_name(desc: tuple) -> str:
    """A Go type as reflect's Type.String() prints it."""
    kind = desc[0]
    if kind == "ptr":
        return "*" + go_name(desc[1])
    if kind == "slice":
        return "[]" + go_name(desc[1])
    if kind == "map":
        return f"map[{go_name(desc[1])}]{go_name(desc[2])}"
    if kind == "struct":
        return desc[1].rsplit("/", 1)[-1] if "/" in desc[1] else desc[1]
    return desc[1]


class Generator:
    def __init__(self, go: GoTypes):
        self.go = go
        self.types: dict[str, dict[str, list]] = {}
        self.pending: list[tuple[str, str]] = []

    def code(self, desc: tuple, py_type: str, named: str = "") -> list:
        """The field code of a Go type (pointers dropped), its model from the client's type."""
        while desc[0] == "ptr":
            desc = desc[1]
        kind = desc[0]
        if kind == "slice" and desc[1][0] == "uint8":
            return ["y", "[]uint8"]
        if kind in ("slice", "map"):
            match = _CONTAINER.match(py_type)
            inner_py = match.group(2) if match else "object"
            inner = self.code(desc[1] if kind == "slice" else desc[2], inner_py)
            return ["l" if kind == "slice" else "m", named or go_name(desc), inner]
        if kind == "struct":
            if desc[1] in _SPECIAL:
                return ["x", _SPECIAL[desc[1]]]
            if py_type == "object" and not self.go.fields(desc[1]):
                self.types[_EMPTY] = {}  # the client's `object` for a struct with no fields
                return ["o", go_name(desc), _EMPTY]
            if not hasattr(models, py_type):
                raise SystemExit(f"no client model for {desc[1]} ({py_type})")
            self.pending.append((py_type, desc[1]))
            return ["o", go_name(desc), py_type]
        if kind in _SCALARS:
            return [_SCALARS[kind], desc[1]]
        if kind == "interface":
            return ["x", "RawExtension"]
        raise SystemExit(f"unexpected Go type {desc}")

    def visit(self, model: str, key: str) -> None:
        if model in self.types:
            return
        cls = getattr(models, model)
        go_fields = self.go.fields(key)
        fields: dict[str, list] = {}
        self.types[model] = fields
        for attr, py_type in sorted(cls.openapi_types.items()):
            name = cls.attribute_map[attr]
            if name not in go_fields:
                raise SystemExit(f"{model}.{name}: not in Go struct {key}")
            desc, named = go_fields[name]
            fields[name] = self.code(desc, py_type, named)
        # Go's declaration order: the order the unstructured converter (strategic merge
        # patches) visits fields in, so its first error is the first in this order
        self.types[model] = {name: fields[name] for name in go_fields if name in fields}

    def run(self, roots: dict[str, tuple[str, str]]) -> dict[str, dict[str, list]]:
        self.pending = sorted(set(roots.values()))
        while self.pending:
            self.visit(*self.pending.pop())
        return dict(sorted(self.types.items()))


def roots() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Kind (preferred version) and apiVersion/Kind (every served version) -> model name,
    and model name -> its Go struct key."""
    table: dict[str, str] = {}
    go: dict[str, tuple[str, str]] = {}
    for res in RESOURCES:
        table[res.kind] = model_name(res.group, res.version, res.kind)
        go[table[res.kind]] = (table[res.kind], go_key(res.group, res.version, res.kind))
        for version in SERVED_VERSIONS.get(res.group, (res.version,)):
            name = model_name(res.group, version, res.kind)
            if hasattr(models, name):
                api_version = f"{res.group}/{version}" if res.group else version
                table[f"{api_version}/{res.kind}"] = name
                go[name] = (name, go_key(res.group, version, res.kind))
    missing = [n for n in table.values() if not hasattr(models, n)]
    if missing:
        raise SystemExit(f"no client model for {missing}")
    return dict(sorted(table.items())), go


def main() -> None:
    kubectl = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(sys.executable).parent / "kubectl"
    table, go_roots = roots()
    types = Generator(GoTypes(kubectl)).run(go_roots)
    data = {"source": f"kubernetes Python client {client_version}",
            "types_source": "Go struct types of k8s.io/api in the bundled kubectl",
            "roots": table, "types": types}
    out = ROOT / "simcore" / "schema_data.json"
    text = json.dumps(data, separators=(",", ":"))
    out.write_text(text.replace('},"V', '},\n"V') + "\n")
    print(f"wrote {out.relative_to(ROOT)}: {len(types)} types, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
