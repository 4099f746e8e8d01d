"""Generate clusterviz/k8sapi/proto_schema.json: the protobuf field table of the API types.

kubectl's typed commands send Kubernetes protobuf bodies; decoding them needs,
for every message, field number -> (JSON name, type, repeated/map/pointer and
the JSON omission rules). The `generated.proto` files carry the numbers and
types but not the JSON side (inlined messages such as `Volume.volumeSource`,
`omitempty`/`omitzero`, pointer fields whose zero value must survive). The Go
struct tags carry both: every API field is declared as

    Replicas *int32 `json:"replicas,omitempty" protobuf:"varint,1,opt,name=replicas"`

and those tags (with the field's Go type) are kept in any Go binary that
encodes JSON by reflection, so they are read here from the bundled kubectl
itself: exactly the version of the types whose bodies the server receives,
with nothing fetched or hand-typed. The ELF file is walked through the Go
runtime's type descriptors (abi.Type, StructType, Name), starting from the
`.typelink` table; the layouts are Go 1.22+'s on amd64.

The output keeps the stable API packages (`k8s.io/api/<group>/v1`, `v2`) and
`meta/v1` (DeleteOptions, ObjectMeta, ...). Each message maps to its fields
in declaration order (Go's JSON order), each field to
`[number, json name, type, flags]`: type is a scalar (`string`, `bool`,
`int32`, `int64`, `bytes`), a special (`Time`, `MicroTime`, `Duration`,
`IntOrString`, `Quantity`, `RawExtension`, `FieldsV1`) or another message;
flags: `r` repeated, `m` map (string keys; type is the value's), `w` map
values are `[]string` wrapped in an `items` message (ExtraValue), `p` a Go
pointer, `o` omitempty, `z` omitzero, `i` inlined into the parent's JSON.

Spot checks against `staging/src/k8s.io/api/*/generated.proto` are in
tests/clusterviz/test_protobuf.py.

Usage:  .venv/bin/python tools/gen_proto_schema.py [path/to/kubectl]
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "clusterviz" / "k8sapi" / "proto_schema.json"
KINDS = {1: "bool", 2: "int", 5: "int32", 6: "int64", 8: "uint8", 17: "array", 20: "interface",
         21: "map", 22: "ptr", 23: "slice", 24: "string", 25: "struct"}
TFLAG_UNCOMMON, TFLAG_EXTRA_STAR, TFLAG_NAMED = 1, 2, 4
SPECIAL = {"meta/v1.Time": "Time", "meta/v1.MicroTime": "MicroTime",
           "meta/v1.Duration": "Duration", "meta/v1.FieldsV1": "FieldsV1",
           "intstr.IntOrString": "IntOrString", "resource.Quantity": "Quantity",
           "runtime.RawExtension": "RawExtension"}
SHORT = {"k8s.io/apimachinery/pkg/apis/meta/v1": "meta/v1",
         "k8s.io/apimachinery/pkg/util/intstr": "intstr",
         "k8s.io/apimachinery/pkg/api/resource": "resource",
         "k8s.io/apimachinery/pkg/runtime": "runtime"}
STABLE = re.compile(r"^(?:[a-z]+/v[12]|meta/v1)$")


class GoBinary:
    """Reads Go runtime type descriptors out of a non-PIE amd64 ELF executable."""

    def __init__(self, path: Path):
        self.data = path.read_bytes()
        self.sections = self._sections()
        self.types_base = self.sections[".rodata"][0]

    def _sections(self) -> dict[str, tuple[int, int, int]]:
        data = self.data
        shoff = struct.unpack_from("<Q", data, 0x28)[0]
        entsize, count, strndx = struct.unpack_from("<HHH", data, 0x3A)
        raw = [struct.unpack_from("<IIQQQQ", data, shoff + i * entsize) for i in range(count)]
        names_at = raw[strndx][4]
        out = {}
        for name, _typ, _flags, addr, off, size in raw:
            start = names_at + name
            out[data[start:data.index(b"\0", start)].decode()] = (addr, off, size)
        return out

    def offset(self, addr: int) -> int:
        for base, off, size in self.sections.values():
            if base and off and base <= addr < base + size:
                return off + addr - base
        raise KeyError(hex(addr))

    def u8(self, addr: int) -> int:
        return self.data[self.offset(addr)]

    def u64(self, addr: int) -> int:
        return struct.unpack_from("<Q", self.data, self.offset(addr))[0]

    def i32(self, addr: int) -> int:
        return struct.unpack_from("<i", self.data, self.offset(addr))[0]

    def _uvarint(self, addr: int) -> tuple[int, int]:
        value = shift = used = 0
        while True:
            byte = self.u8(addr + used)
            used += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value, used

    def name(self, addr: int) -> tuple[str, str, bool]:
        """An abi.Name: (name, tag, embedded)."""
        flags = self.u8(addr)
        length, used = self._uvarint(addr + 1)
        start = self.offset(addr + 1 + used)
        text = self.data[start:start + length].decode("utf-8", "replace")
        tag = ""
        if flags & 2:
            tag_len, tag_used = self._uvarint(addr + 1 + used + length)
            tag_start = self.offset(addr + 1 + used + length + tag_used)
            tag = self.data[tag_start:tag_start + tag_len].decode("utf-8", "replace")
        return text, tag, bool(flags & 8)

    def type_name(self, typ: int) -> str:
        text = self.name(self.types_base + self.i32(typ + 40))[0]
        return text[1:] if self.u8(typ + 20) & TFLAG_EXTRA_STAR else text

    def typelinks(self) -> list[int]:
        _addr, off, size = self.sections[".typelink"]
        return [self.types_base + o for o in struct.unpack_from(f"<{size // 4}i", self.data, off)]


class Walker:
    """Describes Go types as nested tuples and collects the k8s.io struct types."""

    def __init__(self, binary: GoBinary):
        self.bin = binary
        self.seen: dict[int, tuple] = {}
        self.structs: dict[str, list] = {}

    def describe(self, typ: int) -> tuple:
        if typ in self.seen:
            return self.seen[typ]
        b = self.bin
        kind = KINDS.get(b.u8(typ + 23) & 0x1F, "other")
        if kind in ("ptr", "slice", "array"):
            self.seen[typ] = (kind, None)
            desc = (kind, self.describe(b.u64(typ + 48)))
        elif kind == "map":
            self.seen[typ] = (kind, None, None)
            desc = (kind, self.describe(b.u64(typ + 48)), self.describe(b.u64(typ + 56)))
        elif kind == "struct":
            desc = self._struct(typ)
        else:
            desc = (kind, b.type_name(typ))
        self.seen[typ] = desc
        return desc

    def _struct(self, typ: int) -> tuple:
        b = self.bin
        pkg = b.name(b.u64(typ + 48))[0] if b.u64(typ + 48) else ""
        if b.u8(typ + 20) & TFLAG_UNCOMMON:
            pkg = b.name(b.types_base + b.i32(typ + 80))[0] or pkg
        key = f"{SHORT.get(pkg, pkg.removeprefix('k8s.io/api/'))}.{b.type_name(typ).split('.')[-1]}"
        desc = ("struct", key)
        self.seen[typ] = desc
        if pkg.startswith("k8s.io/") and key not in self.structs:
            fields: list = []
            self.structs[key] = fields
            start, count = b.u64(typ + 56), b.u64(typ + 64)
            for i in range(count):
                field = start + 24 * i
                name, tag, embedded = b.name(b.u64(field))
                fields.append((name, tag, embedded, self.describe(b.u64(field + 8))))
        return desc


def _tag(tag: str, key: str) -> str | None:
    match = re.search(rf'(?:^|\s){key}:"([^"]*)"', tag)
    return match.group(1) if match else None


def _field_type(desc: tuple) -> tuple[str, str]:
    """(type, flags) of a Go field type, pointer and container flags included."""
    flags = ""
    if desc[0] == "ptr":
        flags, desc = "p", desc[1]
    if desc[0] == "slice" and desc[1][0] == "uint8":
        return "bytes", flags
    if desc[0] == "slice":
        flags, desc = flags + "r", desc[1]
    elif desc[0] == "map":
        flags, desc = flags + "m", desc[2]
        if desc[0] == "slice" and desc[1][0] == "string":
            return "string", flags + "w"
        if desc[0] == "slice" and desc[1][0] == "uint8":
            return "bytes", flags
    if desc[0] == "struct":
        return SPECIAL.get(desc[1], desc[1]), flags
    if desc[0] in ("string", "bool", "int32", "int64"):
        return desc[0], flags
    raise ValueError(f"unexpected Go type {desc}")


def message_fields(fields: list) -> list:
    out = []
    for go_name, tag, embedded, desc in fields:
        proto = _tag(tag, "protobuf")
        if not proto or proto == "-":
            continue
        number = int(proto.split(",")[1])
        json_tag = (_tag(tag, "json") or "").split(",")
        json_name = json_tag[0] if json_tag[0] or embedded else go_name
        if json_name == "-":
            continue
        typ, flags = _field_type(desc)
        flags += "o" * ("omitempty" in json_tag[1:]) + "z" * ("omitzero" in json_tag[1:])
        flags += "i" * (json_name == "")
        out.append([number, json_name, typ, flags])
    return out


def generate(kubectl: Path) -> dict:
    walker = Walker(GoBinary(kubectl))
    for typ in walker.bin.typelinks():
        try:
            walker.describe(typ)
        except KeyError:  # a descriptor outside the mapped sections
            continue
    messages: dict[str, list] = {}
    pending = sorted(k for k in walker.structs if STABLE.match(k.rsplit(".", 1)[0]))
    while pending:  # the stable packages and every message they use
        key = pending.pop()
        if key in messages or key in SPECIAL:
            continue
        messages[key] = message_fields(walker.structs[key])
        pending.extend(f[2] for f in messages[key] if "." in f[2] and f[2] not in messages)
    version = subprocess.run([str(kubectl), "version", "--client"], capture_output=True,
                             text=True, check=True).stdout.split("\n")[0]
    return {"source": f"struct tags of k8s.io/api in the bundled kubectl ({version.strip()})",
            "messages": dict(sorted((k, v) for k, v in messages.items() if v))}


def main() -> None:
    kubectl = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(sys.executable).parent / "kubectl"
    schema = generate(kubectl)
    text = json.dumps(schema, separators=(",", ":"))
    OUT.write_text(text.replace('],"', '],\n"') + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(schema['messages'])} messages, {len(text)} bytes")


if __name__ == "__main__":
    main()
