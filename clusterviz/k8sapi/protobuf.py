"""Kubernetes protobuf request bodies, decoded into the dicts the JSON path produces.

kubectl's typed commands (`create deployment`, `create service`, `create
secret`, `autoscale`, the pod deletes of `drain`, ...) send their bodies as
`application/vnd.kubernetes.protobuf` whatever discovery says, and client-go
retries in JSON only after a 415 to CBOR. So the server reads them: the magic
`k8s\\x00`, then a `runtime.Unknown` envelope (typeMeta{apiVersion, kind},
raw, contentEncoding, contentType) whose `raw` is the object's message.

The field table (`proto_schema.json`, made by tools/gen_proto_schema.py from
the bundled kubectl's own struct tags) gives each message's fields with their
JSON names and Go shapes, so the result is what Go would print after decoding:
kubectl's Go structs put every non-pointer field on the wire, zero or not,
and `encoding/json` drops the zero ones tagged `omitempty` while keeping
pointers that are set (`replicas: 0`), structs (`resources: {}`) and untagged
zeros (`port: 0`). Special messages become their JSON forms: Time and
MicroTime RFC 3339 strings (the zero time `null`), IntOrString an int or a
string, Quantity its string, Duration Go's `1h0m0s`, RawExtension and
FieldsV1 their parsed JSON, bytes base64. Unknown fields are skipped, as the
generated Go code does.

The wire decoder is written out here (a few dozen lines) rather than taken
from the `protobuf` package, which decodes nothing without compiled
descriptors. Malformed input raises `ProtobufError` in the words of the Go
generated code (`unexpected EOF`, `proto: integer overflow`, ...), which the
caller turns into the API server's 400.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
SCHEMA_FILE = Path(__file__).with_name("proto_schema.json")
VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
GO_ZERO_TIME_SECONDS = -62135596800  # time.Time{}.Unix()
SCALAR_WIRE = {"bool": VARINT, "int32": VARINT, "int64": VARINT}
# Options kinds are registered in every group version but live in meta/v1.
META_KINDS = ("DeleteOptions", "CreateOptions", "PatchOptions", "UpdateOptions", "GetOptions",
              "ListOptions", "Status")
# one field of a message in proto_schema.json: [number, JSON name, type, flags]
FieldSpec = tuple[int, str, str, str]


class ProtobufError(ValueError):
    """A body that is not a well-formed protobuf message; str() is Go's wording.

    `api_version` and `kind` are the envelope's when it could be read (the API
    server words the 400 differently then)."""

    api_version: str = ""
    kind: str = ""


@cache
def schema() -> dict[str, list[FieldSpec]]:
    messages: dict[str, list[FieldSpec]] = json.loads(SCHEMA_FILE.read_text())["messages"]
    return messages


@cache
def _fields_by_number(message: str) -> dict[int, FieldSpec]:
    return {f[0]: f for f in schema()[message]}


# -- the wire format --------------------------------------------------------------------

def _varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if shift >= 64:
            raise ProtobufError("proto: integer overflow")
        if pos >= end:
            raise ProtobufError("unexpected EOF")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value & 0xFFFFFFFFFFFFFFFF, pos
        shift += 7


def fields(buf: bytes, pos: int = 0,
           end: int | None = None) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield (number, wire type, value) for each field of one message: ints for the
    varint and fixed types, bytes for the length-delimited ones."""
    end = len(buf) if end is None else end
    while pos < end:
        key, pos = _varint(buf, pos, end)
        number, wire = key >> 3, key & 7
        if number <= 0:
            raise ProtobufError(f"proto: illegal tag {number} (wire type {wire})")
        value: int | bytes
        if wire == VARINT:
            value, pos = _varint(buf, pos, end)
        elif wire == BYTES:
            length, pos = _varint(buf, pos, end)
            if length >= 1 << 63:
                raise ProtobufError("proto: negative length found during unmarshaling")
            if pos + length > end:
                raise ProtobufError("unexpected EOF")
            value, pos = buf[pos:pos + length], pos + length
        elif wire in (FIXED64, FIXED32):
            size = 8 if wire == FIXED64 else 4
            if pos + size > end:
                raise ProtobufError("unexpected EOF")
            value, pos = int.from_bytes(buf[pos:pos + size], "little"), pos + size
        else:
            raise ProtobufError(f"proto: illegal wireType {wire}")
        yield number, wire, value


def _signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _go_name(json_name: str) -> str:
    return json_name[:1].upper() + json_name[1:]


# -- envelope -----------------------------------------------------------------------------

def decode_unknown(body: bytes) -> tuple[str, str, bytes]:
    """(apiVersion, kind, raw) of a `k8s\\x00` + runtime.Unknown body."""
    if not body:
        raise ProtobufError("empty data")
    if not body.startswith(MAGIC):
        raise ProtobufError("provided data does not appear to be a protobuf message, "
                            f"expected prefix [{' '.join(str(b) for b in MAGIC)}]")
    if body == MAGIC:
        raise ProtobufError("empty body")
    api_version = kind = encoding = ""
    raw = b""
    # a value is bytes exactly when its wire type is BYTES (fields)
    for number, _wire, value in fields(body, len(MAGIC)):
        if number == 1 and isinstance(value, bytes):
            for sub, _sub_wire, sub_value in fields(value):
                if sub in (1, 2) and isinstance(sub_value, bytes):
                    text = sub_value.decode("utf-8", "replace")
                    api_version, kind = (text, kind) if sub == 1 else (api_version, text)
        elif number == 2 and isinstance(value, bytes):
            raw = value
        elif number == 3 and isinstance(value, bytes):
            encoding = value.decode("utf-8", "replace")
    if encoding:
        raise ProtobufError(f"unsupported content encoding {encoding!r}")
    return api_version, kind, raw


def message_for(api_version: str, kind: str) -> str:
    group, _, version = api_version.rpartition("/")
    package = group.split(".")[0] if group else "core"
    for name in (f"{package}/{version}.{kind}", f"meta/v1.{kind}" if kind in META_KINDS
                 else ""):
        if name in schema():
            return name
    raise ProtobufError(f'no kind "{kind}" is registered for version "{api_version}" in '
                        'scheme "pkg/runtime/scheme.go:110"')


def decode(body: bytes, default_api_version: str = "",
           default_kind: str = "") -> dict[str, Any]:
    """A protobuf request body as the JSON-shaped object (kind and apiVersion first); an
    envelope without them takes the URL's, as the API server's copyKindDefaults does."""
    api_version, kind, raw = decode_unknown(body)
    api_version, kind = api_version or default_api_version, kind or default_kind
    if not kind or not api_version:
        missing = "Kind" if not kind else "Version"
        raise ProtobufError(f"Object '{missing}' is missing in 'runtime.TypeMeta{{APIVersion:"
                            f'"{api_version}", Kind:"{kind}"}}\'')
    try:
        obj: dict[str, Any] = {"kind": kind, "apiVersion": api_version}
        obj.update(decode_message(message_for(api_version, kind), raw))
    except ProtobufError as exc:
        exc.api_version, exc.kind = api_version, kind
        raise
    return obj


# -- messages -----------------------------------------------------------------------------

def decode_message(message: str, buf: bytes) -> dict[str, Any]:
    table = _fields_by_number(message)
    # JSON values by field number: a map's dict, a repeated field's list, else the value
    values: dict[int, Any] = {}
    for number, wire, raw in fields(buf):
        spec = table.get(number)
        if spec is None:
            continue  # unknown field: skipped, as gogo's skipGenerated does
        _, name, typ, flags = spec
        if "m" in flags:
            key, value = _map_entry(typ, flags, raw, wire, name)
            values.setdefault(number, {})[key] = value
        elif "r" in flags:
            values.setdefault(number, []).extend(_repeated(typ, raw, wire, name))
        else:
            values[number] = _value(typ, raw, wire, name)
    return _as_json(message, values)


def _as_json(message: str, values: dict[int, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, name, typ, flags in schema()[message]:
        if number not in values:
            if ("r" in flags or "m" in flags) and not ("o" in flags or "p" in flags):
                out[name] = None  # a nil slice or map without omitempty prints as null
            continue
        value = values[number]
        if "i" in flags:
            out.update(value)
        elif "m" in flags:
            out[name] = dict(sorted(value.items()))
        elif "p" in flags or "r" in flags:
            out[name] = value
        elif "z" in flags and value is None:
            continue  # omitzero: the zero Time
        elif "o" in flags and value in (0, "", False) and typ not in _STRUCT_LIKE \
                and "." not in typ:
            continue
        else:
            out[name] = value
    return out


def _wrong_wire(wire: int, name: str) -> ProtobufError:
    return ProtobufError(f"proto: wrong wireType = {wire} for field {_go_name(name)}")


def _varint_of(raw: int | bytes, wire: int, name: str) -> int:
    if wire != VARINT or not isinstance(raw, int):
        raise _wrong_wire(wire, name)
    return raw


def _bytes_of(raw: int | bytes, wire: int, name: str) -> bytes:
    if wire != BYTES or not isinstance(raw, bytes):
        raise _wrong_wire(wire, name)
    return raw


def _value(typ: str, raw: int | bytes, wire: int, name: str) -> object:
    if typ in SCALAR_WIRE:
        number = _varint_of(raw, wire, name)
        return bool(number) if typ == "bool" else _signed(number, 32 if typ == "int32" else 64)
    raw = _bytes_of(raw, wire, name)
    if typ == "string":
        return raw.decode("utf-8", "replace")
    if typ == "bytes":
        return base64.b64encode(raw).decode("ascii")
    special = _SPECIAL.get(typ)
    return special(raw) if special else decode_message(typ, raw)


def _repeated(typ: str, raw: int | bytes, wire: int, name: str) -> list[object]:
    if typ in SCALAR_WIRE and isinstance(raw, bytes):  # packed
        out: list[object] = []
        pos = 0
        while pos < len(raw):
            value, pos = _varint(raw, pos, len(raw))
            out.append(_value(typ, value, VARINT, name))
        return out
    return [_value(typ, raw, wire, name)]


def _map_entry(typ: str, flags: str, raw: int | bytes, wire: int,
               name: str) -> tuple[str, object]:
    key: str = ""
    value: object = None
    for number, entry_wire, entry_value in fields(_bytes_of(raw, wire, name)):
        if number == 1:
            key = _bytes_of(entry_value, entry_wire, name).decode("utf-8", "replace")
        elif number == 2:
            if "w" in flags:  # map[string]ExtraValue: {repeated string items = 1}
                items = _bytes_of(entry_value, entry_wire, name)
                value = [_value("string", v, w, name) for n, w, v in fields(items) if n == 1]
            else:
                value = _value(typ, entry_value, entry_wire, name)
    if value is None:
        value = [] if "w" in flags else _zero(typ)
    return key, value


def _zero(typ: str) -> object:
    if typ in ("string", "bytes"):
        return ""
    if typ in SCALAR_WIRE:
        return False if typ == "bool" else 0
    special = _SPECIAL.get(typ)
    return special(b"") if special else {}


# -- special messages ---------------------------------------------------------------------

def _ints(raw: bytes) -> dict[int, int]:
    return {n: v for n, w, v in fields(raw) if w == VARINT and isinstance(v, int)}


def _timestamp(raw: bytes) -> datetime | None:
    if not raw:
        return None
    parts = _ints(raw)
    seconds, nanos = _signed(parts.get(1, 0), 64), _signed(parts.get(2, 0), 32)
    if seconds == GO_ZERO_TIME_SECONDS and nanos == 0:
        return None
    try:
        return EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)
    except OverflowError:
        raise ProtobufError(f"Time.Unmarshal: seconds {seconds} out of range") from None


def _time(raw: bytes) -> str | None:
    moment = _timestamp(raw)
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _micro_time(raw: bytes) -> str | None:
    moment = _timestamp(raw)
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _int_or_string(raw: bytes) -> int | str:
    kind = intval = 0
    strval = ""
    for number, wire, value in fields(raw):
        if number == 1 and wire == VARINT and isinstance(value, int):
            kind = value
        elif number == 2 and wire == VARINT and isinstance(value, int):
            intval = _signed(value, 32)
        elif number == 3 and isinstance(value, bytes):
            strval = value.decode("utf-8", "replace")
    return strval if kind == 1 else intval


def _string_field(raw: bytes) -> str:
    text = ""
    for number, _wire, value in fields(raw):
        if number == 1 and isinstance(value, bytes):
            text = value.decode("utf-8", "replace")
    return text


def _quantity(raw: bytes) -> str:
    return _string_field(raw) or "0"


def _raw_json(raw: bytes) -> object:
    data = b""
    for number, _wire, value in fields(raw):
        if number == 1 and isinstance(value, bytes):
            data = value
    if not data:
        return None
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProtobufError(f"error decoding embedded JSON: {exc}") from None


def _duration(raw: bytes) -> str:
    return go_duration(_signed(_ints(raw).get(1, 0), 64))


def go_duration(nanos: int) -> str:
    """Go's time.Duration.String()."""
    if nanos == 0:
        return "0s"
    sign, nanos = ("-" if nanos < 0 else ""), abs(nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return sign + _decimal(nanos, size) + unit
    hours, rest = divmod(nanos, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    text = _decimal(rest, 10**9) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    return f"{sign}{minutes}m{text}" if minutes else sign + text


def _decimal(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    digits = str(frac).rjust(len(str(unit)) - 1, "0").rstrip("0") if frac else ""
    return f"{whole}.{digits}" if digits else str(whole)


_SPECIAL: dict[str, Callable[[bytes], object]] = {
    "Time": _time, "MicroTime": _micro_time, "IntOrString": _int_or_string,
    "Quantity": _quantity, "RawExtension": _raw_json, "FieldsV1": _raw_json,
    "Duration": _duration}
_STRUCT_LIKE = frozenset({"Time", "MicroTime", "IntOrString", "Quantity", "Duration",
                          "RawExtension", "FieldsV1"})
