"""The kinds' schema: typed decoding, pruning and strict field validation.

A real API server decodes every body into the kind's Go struct before anything
else (simcore/decoding.py does it here from the field table): a wrong type is a
400 BadRequest, fields the struct lacks are dropped from what is stored, and
`fieldValidation` says what the client hears about them. kubectl sends
`fieldValidation=Strict` by default (it used to validate on the client), so a
typo such as `imagee` makes a real API server refuse the whole request:

    Deployment in version "v1" cannot be handled as a Deployment: strict decoding
    error: unknown field "spec.template.spec.containers[0].imagee"

With `fieldValidation=Warn` the object is stored without them and each unknown
field comes back as a warning (`unknown field "spec.foo"`); `Ignore` drops them
silently. Once pruned, an object's later writes carry nothing to warn about.

The schema is data, not code: `tools/gen_schema.py` reads the official
`kubernetes` Python client's models (the fields) and the bundled kubectl's Go
struct types (each field's Go type) once and writes `schema_data.json`; here
we only load that JSON. Free-form content (labels, annotations, ConfigMap
data, RawExtension) is never flagged: maps have no unknown keys and
RawExtension takes anything.

Paths are reported as sigs.k8s.io/json does: dotted field names with `[i]`
for list items, in sorted key order (kubectl sends JSON converted from YAML
through Go maps, which marshal their keys sorted).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from simcore import decoding
from simcore.errors import BadRequest, FieldError, Invalid, bad_request, invalid, status


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    text = resources.files("simcore").joinpath("schema_data.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _root(kind: str, api_version: str | None) -> str | None:
    roots: dict[str, str] = _schema()["roots"]  # kind or "apiVersion/kind" -> type name
    if api_version and f"{api_version}/{kind}" in roots:
        return roots[f"{api_version}/{kind}"]
    return roots.get(kind)


def unknown_fields(kind: str, obj: dict) -> list[str]:
    """Dotted paths of the fields in `obj` that a `kind` object does not have."""
    root = _root(kind, obj.get("apiVersion") if isinstance(obj, dict) else None)
    if root is None or not isinstance(obj, dict):
        return []
    try:
        return decoding.decode(_schema()["types"], root, obj, kind).unknown
    except decoding.DecodeError:
        return []


class DecodingFailed(BadRequest):
    """The 400 for a body the decoder refuses; `problem` is the decoder's own words."""

    def __init__(self, status: dict, problem: str):
        super().__init__(status)
        self.problem = problem


def decode(kind: str, api_version: str, obj: Any, converter: bool = False) -> decoding.Decoded:
    """`obj` decoded as the apiserver decodes a `kind` body: pruned, nulls dropped, with its
    unknown fields listed. A wrong type raises the 400 BadRequest a real server returns.
    `converter`: read as the unstructured converter reads a strategic-merge-patched map."""
    root = _root(kind, api_version)
    if root is None:
        return decoding.Decoded(obj)
    try:
        return decoding.decode(_schema()["types"], root, obj, kind, converter)
    except decoding.UnsupportedValue as exc:
        raise bad_request(f"error converting YAML to JSON: {exc}") from None
    except decoding.DecodeError as exc:
        message = decoding_message(kind, api_version, str(exc))
        raise DecodingFailed(bad_request(message).status, str(exc)) from None


def patch_invalid(patch_type: str, patch: Any, patched: dict, problem: str) -> Invalid:
    """A patched object the decoder refuses (a wrong type, or unknown fields under Strict):
    the apiserver's patch handler answers 422 with the patch as the invalid value: a
    strategic merge patch printed as Go prints the map (`%+v`), a JSON or merge patch as
    the patched object's JSON (here with sorted keys). The problem of a strategic merge
    patch is the unstructured converter's (`unrecognized type: int32`)."""
    if patch_type == "application/strategic-merge-patch+json":
        body = json.loads(patch) if isinstance(patch, (str, bytes)) else patch
        value = decoding.go_value_text(body)
    else:
        value = json.dumps(patched, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    error: FieldError = invalid("patch", value, problem)
    return Invalid(status(422, "Invalid", f' "" is invalid: {error}',
                          {"causes": [error.cause()]}))


def decoding_message(kind: str, api_version: str, problem: str) -> str:
    """transformDecodeError's words around the decoder's `problem`."""
    version = api_version.rpartition("/")[2]
    return f"{kind} in version {json.dumps(version)} cannot be handled as a {kind}: {problem}"


def _field_errors(fields: list[str]) -> list[str]:
    return [f"unknown field {json.dumps(f, ensure_ascii=False)}" for f in fields]


def strict_decoding_problem(fields: list[str]) -> str:
    return f"strict decoding error: {', '.join(_field_errors(fields))}"


def strict_decoding_message(kind: str, api_version: str, fields: list[str]) -> str:
    """The BadRequest message for unknown `fields` under fieldValidation=Strict."""
    return decoding_message(kind, api_version,
                            f"strict decoding error: {', '.join(_field_errors(fields))}")


def strict_decoding_error(kind: str, api_version: str, fields: list[str]) -> BadRequest:
    """The 400 BadRequest a real server returns for `fields` under fieldValidation=Strict."""
    return bad_request(strict_decoding_message(kind, api_version, fields))


def strict_decoding_warnings(fields: list[str]) -> list[str]:
    """The Warning headers (one per field) a real server sends under fieldValidation=Warn."""
    return _field_errors(fields)
