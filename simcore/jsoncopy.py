"""A deep copy for JSON-shaped data (dicts, lists, strings, numbers, booleans, None).

Every object the engine stores is such data, and copying it is the API
server's most frequent chore (each read-modify-write copies the object once).
`copy.deepcopy` pays for memo tables and arbitrary types; this does not.
"""

from __future__ import annotations

from typing import Any


def clone(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: clone(v) if isinstance(v, (dict, list)) else v for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) if isinstance(v, (dict, list)) else v for v in value]
    return value
