"""`/openapi/v2` as kubectl downloads it: gnostic's `openapi.v2.Document` protobuf.

client-go's `OpenAPISchema()` sends `Accept: application/com.github.proto-
openapi.spec.v2@v1.0+protobuf` and unmarshals whatever comes back as that
message, so a JSON answer is no answer for it. This writes the message from
the v2 document, covering the part of gnostic's OpenAPIv2.proto the
document uses: info, paths with their `patch` operations (query parameters,
responses), and definitions with their schemas.

As in gnostic, a map is a repeated (name, value) message in the map's
order, and every free-form value (vendor extensions `x-...`, enum values,
defaults) is an `Any` holding YAML text; JSON is YAML, so the value is
written as compact JSON, which the readers (kube-openapi, kubectl) parse
with a YAML decoder.

Field numbers are gnostic's (openapiv2/OpenAPIv2.proto); the writer is a few
lines rather than the `protobuf` package, which needs compiled descriptors.
"""

from __future__ import annotations

import json

# Schema keys with their field numbers and how they are written (gnostic's Schema message).
_SCHEMA_STRINGS = {"$ref": 1, "format": 2, "title": 3, "description": 4, "pattern": 13,
                   "discriminator": 26}
_SCHEMA_BOOLS = {"exclusiveMaximum": 8, "exclusiveMinimum": 10, "uniqueItems": 16,
                 "readOnly": 27}
_SCHEMA_INTS = {"maxLength": 11, "minLength": 12, "maxItems": 14, "minItems": 15,
                "maxProperties": 17, "minProperties": 18}


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1  # negative int64 as two's complement, as Go writes it
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _bytes(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _string(number: int, text: str) -> bytes:
    return _bytes(number, text.encode()) if text else b""


def _bool(number: int, value: bool) -> bytes:
    return _varint(number << 3) + b"\x01" if value else b""


def _int(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value) if value else b""


def _any(value: object) -> bytes:
    """gnostic's Any: field 2, the value as YAML text."""
    return _string(2, json.dumps(value, separators=(",", ":")))


def _named_any(name: str, value: object) -> bytes:
    return _string(1, name) + _bytes(2, _any(value))


def _extensions(number: int, node: dict) -> bytes:
    return b"".join(_bytes(number, _named_any(k, v)) for k, v in node.items()
                    if k.startswith("x-"))


def encode_schema(schema: dict) -> bytes:
    out = bytearray()
    for key, value in schema.items():
        if key in _SCHEMA_STRINGS:
            out += _string(_SCHEMA_STRINGS[key], value)
        elif key in _SCHEMA_BOOLS:
            out += _bool(_SCHEMA_BOOLS[key], value)
        elif key in _SCHEMA_INTS:
            out += _int(_SCHEMA_INTS[key], value)
        elif key == "default":
            out += _bytes(5, _any(value))
        elif key == "required":
            out += b"".join(_string(19, name) for name in value)
        elif key == "enum":
            out += b"".join(_bytes(20, _any(v)) for v in value)
        elif key == "additionalProperties":
            item = _bytes(1, encode_schema(value)) if isinstance(value, dict) else \
                _varint(2 << 3) + (b"\x01" if value else b"\x00")
            out += _bytes(21, item)
        elif key == "type":
            out += _bytes(22, _string(1, value))
        elif key == "items":
            out += _bytes(23, _bytes(1, encode_schema(value)))
        elif key == "allOf":
            out += b"".join(_bytes(24, encode_schema(s)) for s in value)
        elif key == "properties":
            named = b"".join(_bytes(1, _string(1, k) + _bytes(2, encode_schema(v)))
                             for k, v in value.items())
            out += _bytes(25, named)
    return bytes(out + _extensions(31, schema))


def _query_parameter(param: dict) -> bytes:
    sub = (_bool(1, param.get("required", False)) + _string(2, param["in"]) +
           _string(3, param.get("description", "")) + _string(4, param["name"]) +
           _string(6, param.get("type", "")) + _bool(20, param.get("uniqueItems", False)))
    non_body = _bytes(3, sub)  # NonBodyParameter.query_parameter_sub_schema
    return _bytes(1, _bytes(2, non_body))  # ParametersItem.parameter -> Parameter.non_body


def _response(code: str, response: dict) -> bytes:
    body = _string(1, response["description"])
    if "schema" in response:
        body += _bytes(2, _bytes(1, encode_schema(response["schema"])))  # SchemaItem.schema
    return _string(1, code) + _bytes(2, _bytes(1, body))  # ResponseValue.response


def _operation(op: dict) -> bytes:
    out = bytearray(_string(3, op.get("description", "")) + _string(5, op["operationId"]))
    out += b"".join(_string(6, m) for m in op.get("produces", ()))
    out += b"".join(_string(7, m) for m in op.get("consumes", ()))
    out += b"".join(_bytes(8, _query_parameter(p)) for p in op.get("parameters", ()))
    responses = b"".join(_bytes(1, _response(c, r)) for c, r in op["responses"].items())
    out += _bytes(9, responses)
    return bytes(out + _extensions(13, op))


_OPERATIONS = {"get": 2, "put": 3, "post": 4, "delete": 5, "patch": 8}


def _path_item(item: dict) -> bytes:
    return b"".join(_bytes(_OPERATIONS[verb], _operation(op)) for verb, op in item.items())


def encode_document(doc: dict) -> bytes:
    info = _string(1, doc["info"]["title"]) + _string(2, doc["info"]["version"])
    paths = b"".join(_bytes(2, _string(1, p) + _bytes(2, _path_item(i)))
                     for p, i in doc["paths"].items())
    defs = b"".join(_bytes(1, _string(1, n) + _bytes(2, encode_schema(s)))
                    for n, s in doc["definitions"].items())
    return (_string(1, doc["swagger"]) + _bytes(2, info) + _bytes(8, paths) +
            _bytes(9, defs))
