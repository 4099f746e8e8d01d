"""How deep and how big a decoded document may be.

Two limits stand between a small request and a large cost:

- depth. Go's decoders refuse nesting past 10,000 levels (`exceeded max
  depth`); this Python engine copies, validates and prints objects with
  recursive functions, and CPython stops at 1,000 frames with a
  RecursionError (a 500). So every decoder here refuses documents deeper
  than `MAX_DEPTH` with the decoder's own words. No built-in kind nests
  deeper than about 15 levels; the trade-off is that a deeper value in an
  unknown field, which the real server would drop or refuse later, is
  refused here at decoding.
- size. etcd refuses a request over 1.5 MiB (`--max-request-bytes`), and
  the API server passes its `etcdserver: request is too large` on. The
  3 MiB body limit bounds the request, not the object: YAML aliases and a
  strategic merge patch can make a stored object far larger than the body.
  `json_size_exceeds` estimates the object's JSON size and stops counting as
  soon as it passes the limit, so the check costs at most the limit, not the
  object (an object of shared references may be huge when written out).

Both walks use an explicit stack: they must not recurse on the very input
they exist to refuse.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_DEPTH = 100
MAX_OBJECT_BYTES = 3 * 1024 * 1024 // 2  # etcd's default --max-request-bytes (1.5 MiB)
TOO_LARGE = "etcdserver: request is too large"


def depth_exceeds(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether dicts and lists nest in `value` deeper than `limit` levels."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[object]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
    return False


def json_size_exceeds(value: object, limit: int = MAX_OBJECT_BYTES) -> bool:
    """Whether `value` written as compact JSON would take more than `limit` bytes (strings
    counted by characters, numbers as 8: an estimate that errs on the small side for ASCII).
    Stops as soon as the count passes `limit`."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 3  # quotes and a separator
        elif isinstance(item, dict):
            total += 2
            for key, child in item.items():
                total += len(key) + 4 if isinstance(key, str) else 8
                stack.append(child)
        elif isinstance(item, list):
            total += 2
            stack.extend(item)
        else:
            total += 8
        if total > limit:
            return True
    return False
