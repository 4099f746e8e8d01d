"""The patch `kubectl apply` (client-side) sends, computed from three versions.

`original` is the last-applied configuration kept in the annotation,
`modified` the manifest being applied, `current` the live object. Fields the
manifest stopped naming (in original, not in modified) are deleted; fields
whose manifest value differs from the live one are set. Lists that the
strategic merge patch merges by key (a Service's ports by `port`, containers
by `name`; the table is simcore.patch's, from the API types' struct tags)
are patched item by item: changed or new items by their key, items the
manifest dropped with `$patch: delete`, and `$setElementOrder` giving the
manifest's order, as kubectl does; any other list is sent whole when it
differs. An empty patch means `unchanged`.
"""

from __future__ import annotations

from simcore.patch import _Field, _field


def three_way_patch(original: dict | None, modified: dict, current: dict, kind: str) -> dict:
    return _diff(original or {}, modified, current, f"kind:{kind}")


def _diff(original: dict, modified: dict, current: dict, struct: str | None) -> dict:
    patch: dict = {}
    for key in original:
        if key not in modified:
            patch[key] = None
    for key, want in modified.items():
        have = current.get(key) if isinstance(current, dict) else None
        was = original.get(key) if isinstance(original, dict) else None
        field = _field(struct, key)
        if isinstance(want, dict) and isinstance(have, dict):
            sub = _diff(was if isinstance(was, dict) else {}, want, have, field.type)
            if sub:
                patch[key] = sub
        elif isinstance(want, list) and isinstance(have, list):
            if field.key and all(isinstance(i, dict) for i in want + have):
                _merge_list(patch, key, field, was if isinstance(was, list) else [], want, have)
            elif not _list_contained(want, have, field.type):
                patch[key] = want
        elif want != have:
            patch[key] = want
    return patch


def _merge_list(patch: dict, key: str, field: _Field, was: list, want: list, have: list) -> None:
    """A merge-keyed list: changed and new items by key, dropped ones deleted, the order kept."""
    merge = field.key
    live = {item.get(merge): item for item in have}
    before = {item.get(merge): item for item in was if isinstance(item, dict)}
    items = []
    for item in want:
        name = item.get(merge)
        if name not in live:
            items.append(item)
            continue
        sub = _diff(before.get(name, {}), item, live[name], field.type)
        if sub:
            items.append({merge: name, **sub})
    wanted = {item.get(merge) for item in want}
    items += [{"$patch": "delete", merge: name} for name in before
              if name not in wanted and name in live]
    if items:
        patch[key] = items
        patch[f"$setElementOrder/{key}"] = [{merge: item.get(merge)} for item in want]


def _list_contained(want: list, have: list, struct: str | None) -> bool:
    """Whether the live list already says everything the manifest's list says."""
    if len(want) != len(have):
        return False
    for w, h in zip(want, have, strict=True):
        if isinstance(w, dict) and isinstance(h, dict):
            if _diff({}, w, h, struct):
                return False
        elif w != h:
            return False
    return True
