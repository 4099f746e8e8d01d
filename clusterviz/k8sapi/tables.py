"""A listed Table's JSON, written from cached pieces: `kubectl get` on a large cluster.

`kubectl get pods -A` on a thousand pods asks for a Table whose every row
carries the pod's metadata (`includeObject=Metadata`): two thirds of the
bytes, and once the engine is warm, most of the server's time went into
`json.dumps` of it. Those metadata dicts are the store's own, which are
never changed in place (a new version is a new dict: contributing.md), so
their JSON can be kept by the identity of the dict and reused by every
later list until the object changes. A cache entry holds its dict, so an id
cannot be reused while the entry lives; the cache is cleared whole when it
reaches its limit. Only lists go through here, whose rows hold stored dicts
(`APIServer.list_ref`); the cells are small and printed afresh each time
(AGE moves), and the output is byte for byte what `json.dumps` writes.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii as _escape  # what json.dumps uses

from django.http import HttpResponse

from clusterviz.k8sapi.responses import JSON
from simcore.identitycache import IdentityCache

_encode = json.JSONEncoder(separators=(",", ":")).encode
_ROW_KEYS = ("cells", "conditions", "object")
# printers' fresh wrapper around a stored object's metadata (includeObject=Metadata)
_PARTIAL_KEYS = ["kind", "apiVersion", "metadata"]
_PARTIAL = '{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":'
# a stored dict's JSON text, by its identity (the store never changes a dict in place)
_stored: IdentityCache[dict, str] = IdentityCache(lambda value: _encode(value),
                                                  limit=50_000)


def table_response(table: dict) -> HttpResponse:
    """The answer for a Table of stored objects (their dicts, not copies)."""
    return HttpResponse(table_json(table), content_type=JSON)


def table_json(table: dict) -> str:
    rows = ",".join(_row(row) for row in table["rows"])
    head = _encode({key: value for key, value in table.items() if key != "rows"})
    return f'{head[:-1]},"rows":[{rows}]}}' if len(head) > 2 else f'{{"rows":[{rows}]}}'


def _row(row: dict) -> str:
    if any(key not in _ROW_KEYS for key in row):
        return _encode(row)
    text = '{"cells":' + _cells(row["cells"])
    if "conditions" in row:
        text += ',"conditions":' + _encode(row["conditions"])
    if "object" in row:
        text += ',"object":' + _object(row["object"])
    return text + "}"


def _cells(cells: list) -> str:
    try:  # most cells are strings: escape them without building an encoder per row
        return "[" + ",".join(map(_escape, cells)) + "]"
    except TypeError:  # a number, a bool or None among them
        return _encode(cells)


def _object(obj: dict | None) -> str:
    if obj is None:
        return "null"
    if obj.get("kind") != "PartialObjectMetadata":
        return _stored(obj)  # includeObject=Object: the stored object itself
    if list(obj) == _PARTIAL_KEYS and obj["apiVersion"] == "meta.k8s.io/v1" and \
            isinstance(obj["metadata"], dict):
        return _PARTIAL + _stored(obj["metadata"]) + "}"
    return _encode(obj)


