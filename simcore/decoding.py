"""Typed decoding: a manifest read as the apiserver's JSON decoder reads it into Go structs.

A real apiserver never stores what its JSON decoder (sigs.k8s.io/json, a fork
of encoding/json) cannot put into the kind's Go struct: `spec.rules: [5]` on
an Ingress is a 400 BadRequest

    Ingress in version "v1" cannot be handled as a Ingress: json: cannot
    unmarshal number into Go struct field IngressSpec.spec.rules of type
    v1.IngressRule

and what it does store is the struct encoded again, so fields the struct lacks
are gone (pruned) and a `null` became the field's zero value. Here the kind's
field table (`schema_data.json`, made by tools/gen_schema.py: each field's Go
type) is walked beside the manifest, reproducing the decoder's rules:

- a wrong JSON type for a plain field is an `UnmarshalTypeError`: the decoder
  remembers the first one (with the innermost struct's name and the dotted
  JSON field path, no list indices) and goes on, so the first in document
  order is reported (kubectl's documents have their keys sorted); a number that does not fit an integer field is
  `number 2.5` / `number 3000000000` (the JSON literal);
- types with their own UnmarshalJSON (IntOrString, Quantity, Time, ...)
  return their error at once, without the field context
  (`json: cannot unmarshal bool into Go value of type int32`,
  `quantities must match the regular expression ...`);
- `null` is always accepted: the field keeps its zero value (dropped here), a
  list or map element becomes the element type's zero value;
- a NaN or infinity cannot even be turned into JSON (YAML `.inf`), which
  kubectl and the apiserver's YAML reader both say before decoding:
  `error converting YAML to JSON: json: unsupported value: +Inf`.

A strategic merge patch's result is not JSON to the apiserver but a map read
by runtime.DefaultUnstructuredConverter (`converter=True`): fields in Go's
declaration order, the first error returned at once, in its own words
(`unrecognized type: int32`, `cannot restore struct from: int64`).

Trade-offs: the first error and the unknown fields are taken in sorted key
order (what kubectl sends: JSON made from YAML through Go maps), so a
hand-written JSON body with two wrong types may name a different first one
than a real server; a float with an integral
value (`replicas: 1.0`) is taken as the integer, as it arrives from YAML
through sigs.k8s.io/yaml, although a JSON body's literal `1.0` is refused by
a real server; stored Quantities are not canonicalised (`1000m` stays).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from simcore.jsoncopy import clone

_DROP = object()
_INT_RANGE = {"int32": (-(2 ** 31), 2 ** 31 - 1), "int64": (-(2 ** 63), 2 ** 63 - 1)}
_ZERO = {"s": "", "b": False, "i": 0, "f": 0, "o": {}}
QUANTITY_FORMAT = ("quantities must match the regular expression "
                   "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_QUANTITY_SUFFIX = re.compile(r"^(|[numkMGTPE]|[KMGTPE]i|[eE][-+]?[0-9]+)$")
_RFC3339 = "2006-01-02T15:04:05Z07:00"
_UNSUPPORTED = "json: unsupported value: "


class DecodeError(Exception):
    """The decoder's error text, as it follows `... cannot be handled as a Kind: `."""


class UnsupportedValue(DecodeError):
    """A NaN or infinity: the YAML could not even be made JSON, before any decoding."""


@dataclass
class Decoded:
    """A decoded object: what would be stored, and its unknown fields' paths (sorted)."""

    obj: dict
    unknown: list[str] = field(default_factory=list)


# where a value sits: None for the root, else (parent, "." for a struct field or "[" for a
# list index or map key, the key); built as the walk goes, turned into text only on an error
Position = tuple | None


@dataclass
class _State:
    types: dict
    converter: bool = False  # the unstructured converter's rules, not encoding/json's
    unknown: list[Position] = field(default_factory=list)
    saved: tuple[tuple, str] | None = None  # (sort key, message) of the first type error
    fatal: tuple[tuple, str] | None = None  # ... of the first error an UnmarshalJSON returned

    def converted(self, value: Any, code: list) -> None:
        """The unstructured converter returns its first error at once (fields visited in
        Go's declaration order): the first one met is kept."""
        if self.fatal is None:
            self.fatal = ((), _converter_error(value, code))

    def save(self, at: Position, value: str, go_type: str, struct: str) -> None:
        """encoding/json's saveError: the first type error (in key order) is kept."""
        stack = [key for sep, key in _steps(at) if sep == "."]
        where = f"Go struct field {struct}.{'.'.join(stack)}" if struct or stack \
            else "Go value"
        self.keep("saved", at, f"json: cannot unmarshal {value} into {where} of type {go_type}")

    def keep(self, which: str, at: Position, message: str) -> None:
        key = tuple(key for _, key in _steps(at))
        current = getattr(self, which)
        if current is None or key < current[0]:
            setattr(self, which, (key, message))


def _steps(at: Position) -> list[tuple[str, Any]]:
    steps = []
    while at is not None:
        at, sep, key = at
        steps.append((sep, key))
    return steps[::-1]


def _path_text(at: Position) -> str:
    """A strict-decoding field path: `spec.containers[0].imagee`."""
    text = ""
    for sep, key in _steps(at):
        text += f"[{key}]" if sep == "[" else f".{key}" if text else key
    return text


def decode(types: dict, model: str, obj: Any, kind: str, converter: bool = False) -> Decoded:
    """Decode `obj`, a `kind` object (the model `model` of the field table `types`);
    raises DecodeError. `converter`: as runtime.DefaultUnstructuredConverter reads a
    strategic-merge-patched map instead of JSON (its own messages; an integral float or
    an int that overflows is converted as Go's reflect converts)."""
    state = _State(types, converter)
    out = _value(state, ["o", kind, model], obj, None, "", in_container=True)
    # an UnmarshalJSON's error ends decoding and wins over a type error saved before it
    for found in (state.fatal, state.saved):
        if found is not None:
            error = UnsupportedValue if found[1].startswith(_UNSUPPORTED) else DecodeError
            raise error(found[1])
    unknown = [_path_text(at) for at in sorted(state.unknown, key=_sort_key)]
    return Decoded(out if isinstance(out, dict) else {}, unknown)


def _sort_key(at: Position) -> tuple:
    return tuple(key for _, key in _steps(at))


def json_kind(value: Any) -> str:
    """The JSON value's name in decoder messages."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if value is None:
        return "null"
    return "number"


def _value(state: _State, code: list, value: Any, at: Position, struct: str,
           in_container: bool = False) -> Any:
    """The decoded value, or _DROP for a null that leaves a struct field unset."""
    tag = code[0]
    if value.__class__ is float and not math.isfinite(value):
        state.keep("fatal", at, f"{_UNSUPPORTED}{_go_nonfinite(value)}")
        return _DROP
    if tag == "x":
        return _special(state, code[1], value, at, in_container)
    if value is None:
        return _zero(code) if in_container else _DROP
    if tag == "o":
        if value.__class__ is not dict:
            return _mismatch(state, value, code[1], at, struct, code=code)
        return _struct(state, code, value, at)
    if tag == "l":
        if value.__class__ is not list:
            return _mismatch(state, value, code[1], at, struct, code=code)
        inner = code[2]
        return [_value(state, inner, item, (at, "[", i), struct, True)
                for i, item in enumerate(value)]
    if tag == "m":
        if value.__class__ is not dict:
            return _mismatch(state, value, code[1], at, struct, code=code)
        inner = code[2]
        out = {}
        for key, item in value.items():
            text = key if key.__class__ is str else map_key(key)
            if inner[0] == "s" and item.__class__ is str:
                out[text] = item  # labels, annotations, data: the common case, directly
            else:
                out[text] = _value(state, inner, item, (at, "[", text), struct, True)
        return out
    return _scalar(state, code, value, at, struct)


def _struct(state: _State, code: list, value: dict, at: Position) -> dict:
    fields = state.types[code[2]]
    name = code[1].rpartition(".")[2]
    out: dict = {}
    items: Iterable[tuple[Any, Any]] = value.items()
    if state.converter:  # the struct's fields in declaration order, then the unknown ones
        items = [(k, value[k]) for k in fields if k in value] + \
            [(k, v) for k, v in value.items() if k not in fields]
    for key, item in items:
        text = key if key.__class__ is str else map_key(key)
        field_code = fields.get(text)
        if field_code is None:
            state.unknown.append((at, ".", text))
            _check_finite(state, item, (at, ".", text))
            continue
        if field_code[0] == "s" and item.__class__ is str:
            out[text] = item  # the common case, without a call
            continue
        decoded = _value(state, field_code, item, (at, ".", text), name)
        if decoded is not _DROP:
            out[text] = decoded
    return out


def _scalar(state: _State, code: list, value: Any, at: Position, struct: str) -> Any:
    tag, go_type = code[0], code[1]
    if state.converter and tag == "i" and value.__class__ is int:
        bits = 32 if go_type == "int32" else 64  # reflect's Convert wraps, as Go's int32()
        return (value + 2 ** (bits - 1)) % 2 ** bits - 2 ** (bits - 1)
    fits = {"s": str, "b": bool, "y": str}.get(tag)
    if fits is not None:
        if value.__class__ is not fits:
            return _mismatch(state, value, go_type, at, struct, code=code)
        if tag == "y" and isinstance(value, str):  # always a str here: it fits
            bad = base64_error(value)
            if bad is not None:
                state.keep("saved", at, bad)
        return value
    if tag == "f":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        return _mismatch(state, value, go_type, at, struct, code=code)
    number = _integer(value, go_type)
    if number.__class__ is str:
        return _mismatch(state, value, go_type, at, struct, number, code)
    return number


def _integer(value: Any, go_type: str) -> int | str | None:
    """The int an integer field gets, or the decoder's `Value` text when it cannot."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return json_kind(value)
    if isinstance(value, float) and not value.is_integer():
        return f"number {go_float(value)}"
    number = int(value)
    low, high = _INT_RANGE.get(go_type, _INT_RANGE["int64"])
    if not low <= number <= high:
        return f"number {number if isinstance(value, int) else go_float(value)}"
    return number


def _mismatch(state: _State, value: Any, go_type: str, at: Position, struct: str,
              text: str | None = None, code: list | None = None) -> object:
    _check_finite(state, value, at)
    if state.converter:
        state.converted(value, code or ["s", go_type])
    else:
        state.save(at, text or json_kind(value), go_type, struct)
    return _DROP


_GO_KIND = {dict: "map", list: "slice", str: "string", bool: "bool", int: "int64",
            float: "float64"}
_SCALAR_KIND = {"s": "string", "b": "bool", "f": "float64", "y": "slice"}


def _converter_error(value: Any, code: list) -> str:
    """runtime.DefaultUnstructuredConverter's words for `value` (as a patched map holds it:
    int64, float64, string, bool, map, slice) that does not fit `code`."""
    kind = _GO_KIND.get(value.__class__, "invalid")
    tag, go_type = code[0], code[1]
    if tag == "o":
        return f"cannot restore struct from: {kind}"
    if tag in ("l", "y"):
        return f"cannot restore slice from {kind}"
    if tag == "m":
        return f"cannot restore map from {kind}"
    dest = go_type if tag == "i" else _SCALAR_KIND.get(tag, "string")
    # Go converts an int to a string type (a rune) and a float to an int type, but the
    # converter only takes the conversions JSON has: the rest "cannot convert"
    if kind == "int64" and tag == "s" or kind == "float64" and tag == "i":
        return f"cannot convert {kind} to {go_type}"
    return f"unrecognized type: {dest}"


def _zero(code: list) -> Any:
    """A null list or map element: the element type's zero value."""
    if code[0] in ("l", "m"):
        return None
    return {} if code[0] == "o" else _ZERO.get(code[0], "")


# types with their own UnmarshalJSON ---------------------------------------------------------
def _special(state: _State, name: str, value: Any, at: Position, in_container: bool) -> Any:
    if name in ("RawExtension", "FieldsV1"):
        _check_finite(state, value, at)
        return _DROP if value is None and not in_container else clone(value)
    if value is None:
        return None if in_container else _DROP
    try:
        return _special_value(name, value)
    except DecodeError as exc:
        state.keep("fatal", at, str(exc))
        return _DROP


def _special_value(name: str, value: Any) -> Any:
    if name == "IntOrString":
        return _int_or_string(value)
    if name == "Quantity":
        return _quantity(value)
    if not isinstance(value, str):  # Time, MicroTime, Duration read a JSON string first
        raise DecodeError(f"json: cannot unmarshal {json_kind(value)} into Go value of type "
                          "string")
    if name in ("Time", "MicroTime"):
        problem = rfc3339_error(value)
        if problem:
            raise DecodeError(problem)
    return value


def _int_or_string(value: Any) -> Any:
    if isinstance(value, str):
        return value
    number = _integer(value, "int32")
    if isinstance(number, str):
        raise DecodeError(f"json: cannot unmarshal {number} into Go value of type int32")
    return number


def _quantity(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise DecodeError(QUANTITY_FORMAT)
    text = value.strip() if isinstance(value, str) else \
        str(value) if isinstance(value, int) else go_float(value)
    problem = quantity_error(text)
    if problem:
        raise DecodeError(problem)
    return text


def quantity_error(text: str) -> str | None:
    """resource.ParseQuantity's error for `text`, or None when it parses."""
    match = _QUANTITY.match(text)
    if not text or not match:
        return QUANTITY_FORMAT
    number, suffix = match.groups()
    if number.count(".") > 1 or number.strip("+-") in ("", "."):
        return "unable to parse numeric part of quantity"
    if not _QUANTITY_SUFFIX.match(suffix):
        return "unable to parse quantity's suffix"
    return None


# helpers ------------------------------------------------------------------------------------
def map_key(key: Any) -> str:
    """A YAML key as sigs.k8s.io/yaml makes it a JSON object key."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return go_float(key) if math.isfinite(key) else _go_nonfinite(key)
    return str(key)


def _check_finite(state: _State, value: Any, at: Position) -> None:
    """Content the decoder never types (unknown fields, RawExtension) still had to become
    JSON first: a NaN or infinity anywhere is refused."""
    if value.__class__ not in (dict, list, float):
        return
    pending = [value]
    while pending:
        item = pending.pop()
        if item.__class__ is float and not math.isfinite(item):
            state.keep("fatal", at, f"{_UNSUPPORTED}{_go_nonfinite(item)}")
            return
        if item.__class__ is dict:
            pending.extend(item.values())
        elif item.__class__ is list:
            pending.extend(item)


def _go_nonfinite(value: float) -> str:
    return "NaN" if math.isnan(value) else "+Inf" if value > 0 else "-Inf"


def go_float(value: float) -> str:
    """A float64 as Go's encoding/json writes it ('f' format in [1e-6, 1e21), else 'e')."""
    if value == 0:
        return "0"
    text = repr(value)
    if 1e-6 <= abs(value) < 1e21:
        plain = format(Decimal(text), "f")
        return plain[:-2] if plain.endswith(".0") else plain
    mantissa, _, exponent = text.partition("e")
    sign = exponent[0] if exponent[0] in "+-" else "+"
    digits = exponent.lstrip("+-").lstrip("0") or "0"
    # strconv writes two exponent digits at least; encoding/json trims e-07 to e-7
    return f"{mantissa.removesuffix('.0')}e{sign}{digits if sign == '-' else digits.zfill(2)}"


def go_value_text(value: Any) -> str:
    """A decoded JSON value as Go's fmt prints it with %+v (maps with sorted keys)."""
    if isinstance(value, dict):
        items = sorted((map_key(k), v) for k, v in value.items())
        return "map[" + " ".join(f"{k}:{go_value_text(v)}" for k, v in items) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_value_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, float):
        return _go_g(value)
    return str(value)


def _go_g(value: float) -> str:
    """fmt's %v of a float64: strconv's shortest 'g', the exponent form for a decimal
    exponent below -4 or from 6 on (`2.5`, `1e+06`, `1.23456789e+08`, `1e-05`)."""
    if not math.isfinite(value):
        return _go_nonfinite(value)
    if value == 0:
        return "0"
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)  # a letter only for NaN and infinities, handled above
    digits = list(digit_tuple)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exponent += 1
    first = exponent + len(digits) - 1  # the decimal exponent of the first digit
    if -4 <= first < 6:
        return go_float(value)
    text = "".join(map(str, digits))
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'-' if first < 0 else '+'}{abs(first):02d}"


def base64_error(text: str) -> str | None:
    """encoding/base64 StdEncoding's CorruptInputError text for `text`, or None."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    data = text.replace("\r", "").replace("\n", "")
    stripped = data.rstrip("=")
    for i, char in enumerate(stripped):
        if char not in alphabet:
            return f"illegal base64 data at input byte {i}"
    padding = len(data) - len(stripped)
    if len(data) % 4 or padding > 2 or (padding and len(stripped) % 4 + padding != 4):
        return f"illegal base64 data at input byte {len(stripped) - len(stripped) % 4}"
    return None


_LAYOUT = (("2006", r"\d{4}"), ("-", "-"), ("01", r"\d{2}"), ("-", "-"), ("02", r"\d{2}"),
           ("T", "T"), ("15", r"\d{2}"), (":", ":"), ("04", r"\d{2}"), (":", ":"),
           ("05", r"\d{2}(?:\.\d+)?"), ("Z07:00", r"Z|[+-]\d{2}:\d{2}"))
# the common case at once: every stored object carries a few timestamps
_RFC3339_VALID = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T"
                            r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
_RANGES = {"01": (1, 12, "month"), "02": (1, 31, "day"), "15": (0, 23, "hour"),
           "04": (0, 59, "minute"), "05": (0, 59, "second")}


def rfc3339_error(text: str) -> str | None:
    """time.Parse(time.RFC3339, text)'s error, or None: element by element as Go reports."""
    if _RFC3339_VALID.fullmatch(text):
        return None
    rest = text
    quoted = _go_quote(text)
    for element, pattern in _LAYOUT:
        match = re.match(pattern, rest)
        if not match:
            return (f"parsing time {quoted} as \"{_RFC3339}\": cannot parse "
                    f"{_go_quote(rest)} as \"{element}\"")
        if element in _RANGES:
            low, high, what = _RANGES[element]
            if not low <= int(match.group()[:2]) <= high:
                return f"parsing time {quoted}: {what} out of range"
        rest = rest[match.end():]
    if rest:
        return f"parsing time {quoted}: extra text: {_go_quote(rest)}"
    return None


def _go_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
