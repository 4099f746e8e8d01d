"""The patch `kubectl apply` (client-side) sends, computed from three versions.

`original` is the last-applied configuration kept in the annotation,
`modified` the manifest being applied, `current` the live object. Fields the
manifest stopped naming (in original, not in modified) are deleted; fields
whose manifest value differs from the live one are set. Lists are sent
whole when they differ, and the strategic merge on the server keeps what it
allocated (a Service's nodePort, a pod's defaults) by its merge keys. An
empty patch means `unchanged`.
"""

from __future__ import annotations


def three_way_patch(original: dict | None, modified: dict, current: dict, kind: str) -> dict:
    return _diff(original or {}, modified, current)


def _diff(original: dict, modified: dict, current: dict) -> dict:
    patch: dict = {}
    for key in original:
        if key not in modified:
            patch[key] = None
    for key, want in modified.items():
        have = current.get(key) if isinstance(current, dict) else None
        was = original.get(key) if isinstance(original, dict) else None
        if isinstance(want, dict) and isinstance(have, dict):
            sub = _diff(was if isinstance(was, dict) else {}, want, have)
            if sub:
                patch[key] = sub
        elif isinstance(want, list) and isinstance(have, list):
            if not _list_contained(want, have):
                patch[key] = want
        elif want != have:
            patch[key] = want
    return patch


def _list_contained(want: list, have: list) -> bool:
    """Whether the live list already says everything the manifest's list says."""
    if len(want) != len(have):
        return False
    for w, h in zip(want, have, strict=True):
        if isinstance(w, dict) and isinstance(h, dict):
            if _diff({}, w, h):
                return False
        elif w != h:
            return False
    return True
