"""Field ownership: `metadata.managedFields` and server-side apply.

Every client write records which fields its *field manager* set: an Update
entry for create/update/patch (the manager named by `fieldManager`, else the
User-Agent's first segment, as the apiserver derives it), an Apply entry for
an apply patch. Fields are paths in the apiserver's `fieldsV1` form: `f:spec`
for a struct field or map key, `k:{"name":"web"}` for an item of a list keyed
by some of its fields, `v:"x"` for an item of a set list, `.` for a node that
is owned itself and has owned children. Which field is which comes from the
OpenAPI extensions (fieldtypes_data.json, tools/gen_fieldtypes.py).

Apply (structured-merge-diff's Updater.Apply, simplified): the applied
configuration is merged into the live object; a field the configuration sets
to a value other than the live one, owned by another manager, is a conflict
(409 naming the fields and their managers) unless `force` takes it over;
fields the manager applied last time and no longer applies are removed when
nobody else owns them.

Trade-offs: an Update entry's `.` marks come from a comparison of the old
and new JSON, where the apiserver compares typed Go objects whose non-pointer
structs always exist; the OpenAPI does not tell pointers apart, so a short
list of such structs (_ALWAYS_THERE) stands in for Go's zero values. Keyed-list
items keep the live order, new ones appended. Controllers'
internal writes record nothing (see APIServer): nobody reads their entries in
a classroom and every pod status write would pay for a comparison.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from simcore import errors
from simcore.jsoncopy import clone

Path = tuple[str, ...]
_MISSING = object()
_DEDUCED = "d"  # no schema: maps are granular, lists atomic (SMD's deduced type)
# Struct fields that are not pointers in the Go types, so present (empty) in the zero
# object an update is compared with: a create does not own them themselves. The OpenAPI
# does not say which fields are pointers; these are the ones the lecture's kinds nest.
_ALWAYS_THERE = {"metadata", "spec", "status", "template", "strategy", "updateStrategy",
                 "jobTemplate", "resources"}
# what the apiserver strips from every field set (fieldmanager's stripMeta)
_STRIPPED = {("f:apiVersion",), ("f:kind",)} | {
    ("f:metadata", f"f:{name}") for name in (
        "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName",
        "generation", "managedFields", "resourceVersion")}


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("simcore").joinpath("fieldtypes_data.json").read_text())
    return data


def root_code(api_version: str, kind: str) -> Any:
    name = _data()["roots"].get(f"{api_version}/{kind}")
    return ["r", name] if name else _DEDUCED


# --- walking values by their types ------------------------------------------------------

def _child_code(code: Any, name: str) -> Any:
    if code == _DEDUCED:
        return _DEDUCED
    if code[0] == "r":
        return _data()["types"].get(code[1], {}).get(name, _DEDUCED)
    return code[1]  # a map's values


def _item_key(item: Any, keys: list[str]) -> str:
    fields = {k: item.get(k, "TCP" if k == "protocol" else None) for k in keys}
    # the apiserver fills a defaulted key (a port's protocol) before computing the key
    fields = {k: v for k, v in fields.items() if v is not None}
    return "k:" + json.dumps(fields, sort_keys=True, separators=(",", ":"))


def _children(value: Any, code: Any) -> Iterator[tuple[str, Any, Any, bool]]:
    """(token, child value, child code, is a list item) for each child of a granular node."""
    if code == "s" or code == _DEDUCED and not isinstance(value, dict):
        return
    if code == _DEDUCED or code[0] in ("r", "m"):
        if isinstance(value, dict):
            for name, child in value.items():
                yield f"f:{name}", child, _child_code(code, name), False
    elif code[0] == "set" and isinstance(value, list):
        for item in value:
            yield "v:" + json.dumps(item, separators=(",", ":")), item, "s", True
    elif code[0] == "k" and isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield _item_key(item, code[1]), item, code[2], True


def _is_leaf(value: Any, code: Any) -> bool:
    if code == "s":
        return True
    if code == _DEDUCED or code[0] in ("r", "m"):
        return not isinstance(value, dict)
    return not isinstance(value, list)


def applied_set(obj: dict, code: Any) -> set[Path]:
    """The fields a configuration sets (SMD's ToFieldSet): leaves and list items."""
    out: set[Path] = set()

    def walk(value: Any, code: Any, path: Path) -> None:
        if _is_leaf(value, code):
            out.add(path)
            return
        for token, child, child_code, item in _children(value, code):
            if item:
                out.add(path + (token,))
            walk(child, child_code, path + (token,))
    walk(obj, code, ())
    out.discard(())
    return out


def changed_set(old: Any, new: dict, code: Any) -> set[Path]:
    """The fields an update added or changed: what its manager comes to own (SMD's
    Compare, Added and Modified). A node the old object lacked is owned itself (`.`),
    except the structs a Go object always has, even empty (see _ALWAYS_THERE)."""
    out: set[Path] = set()

    def walk(before: Any, after: Any, code: Any, path: Path, item: bool,
             new_above: bool) -> None:
        if _is_leaf(after, code):
            if before is _MISSING or before != after:
                out.add(path)
            return
        is_list = code != _DEDUCED and code[0] in ("k", "set")  # a list is never owned itself
        added = before is _MISSING and not is_list and (
            item or new_above or bool(path) and path[-1][2:] not in _ALWAYS_THERE)
        if added:
            out.add(path)
        before_children = {t: c for t, c, _, _ in _children(before, code)} \
            if before is not _MISSING else {}
        for token, child, child_code, is_item in _children(after, code):
            walk(before_children.get(token, _MISSING), child, child_code, path + (token,),
                 is_item, added)
    walk(old if old is not None else _MISSING, new, code, (), False, False)
    out.discard(())
    return out


def value_at(obj: Any, path: Path, code: Any) -> Any:
    node = obj
    for token in path:
        for child_token, child, child_code, _ in _children(node, code):
            if child_token == token:
                node, code = child, child_code
                break
        else:
            return _MISSING
    return node


# --- fieldsV1 -----------------------------------------------------------------------------

def to_fields_v1(paths: set[Path]) -> dict:
    tree: dict = {}
    for path in paths:
        node = tree
        for token in path:
            node = node.setdefault(token, {})
        node["."] = {}

    def tidy(node: dict) -> dict:
        if set(node) == {"."}:
            return {}
        return {k: (v if k == "." else tidy(v)) for k, v in sorted(node.items())}
    return tidy(tree)


def from_fields_v1(tree: Any, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    if not isinstance(tree, dict):
        return out
    for token, sub in tree.items():
        if token == ".":
            out.add(prefix)
        elif isinstance(sub, dict) and sub:
            out |= from_fields_v1(sub, prefix + (token,))
        else:
            out.add(prefix + (token,))
    return out


def path_text(path: Path) -> str:
    """A path as SMD prints it: `.spec.containers[name="web"].image`."""
    parts = []
    for token in path:
        kind, _, rest = token.partition(":")
        if kind == "f":
            parts.append("." + rest)
        elif kind == "k":
            keys = json.loads(rest)
            parts.append("[" + ",".join(f"{k}={json.dumps(v)}" for k, v in keys.items()) + "]")
        else:
            parts.append(f"[={rest}]")
    return "".join(parts)


# --- entries ------------------------------------------------------------------------------

@dataclass
class Entry:
    manager: str
    operation: str
    api_version: str
    time: str
    fields: set[Path] = field(default_factory=set)
    subresource: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.manager, self.operation, self.subresource

    def as_dict(self) -> dict:
        out = {"manager": self.manager, "operation": self.operation,
               "apiVersion": self.api_version, "time": self.time, "fieldsType": "FieldsV1",
               "fieldsV1": to_fields_v1(self.fields)}
        if self.subresource:
            out["subresource"] = self.subresource
        return out


def read(meta: dict) -> list[Entry]:
    out = []
    given = meta.get("managedFields")
    for raw in given if isinstance(given, list) else []:
        if not isinstance(raw, dict) or not raw.get("manager") and not raw.get("fieldsV1"):
            continue
        out.append(Entry(str(raw.get("manager", "")), str(raw.get("operation", "Update")),
                         str(raw.get("apiVersion", "")), str(raw.get("time", "")),
                         from_fields_v1(raw.get("fieldsV1")), str(raw.get("subresource", ""))))
    return out


def write(meta: dict, entries: list[Entry]) -> None:
    kept = [e.as_dict() for e in entries if e.fields]
    if kept:
        meta["managedFields"] = kept
    else:
        meta.pop("managedFields", None)


def _entry(entries: list[Entry], key: tuple[str, str, str], api_version: str,
           now: str) -> Entry:
    for e in entries:
        if e.key == key:
            return e
    e = Entry(key[0], key[1], api_version, now, subresource=key[2])
    entries.append(e)
    return e


def record_update(old: dict | None, new: dict, manager: str, subresource: str,
                  now: str) -> None:
    """Set `new`'s managedFields after an Update by `manager`: it owns what it changed,
    taken from whoever owned it before (an update never conflicts)."""
    code = root_code(new.get("apiVersion", ""), new.get("kind", ""))
    entries = read(new["metadata"])
    changed = scope(changed_set(old, new, code), subresource)
    if changed:
        for e in entries:
            e.fields -= changed
        mine = _entry(entries, (manager, "Update", subresource or ""), new["apiVersion"], now)
        mine.fields |= changed
        mine.api_version, mine.time = new["apiVersion"], now
    write(new["metadata"], entries)


def scope(paths: set[Path], subresource: str | None) -> set[Path]:
    """What a write may own: the status through `/status`, everything else otherwise,
    never the metadata the server sets (the strategies' reset fields)."""
    if subresource == "status":
        return {p for p in paths if p[0] == "f:status"}
    return {p for p in paths if p[:2] not in _STRIPPED and p[:1] not in _STRIPPED
            and p[0] != "f:status"}


def conflict_error(conflicts: list[tuple[Entry, Path]]) -> errors.Conflict:
    """The apiserver's NewConflictError: 409 Conflict, causes per field."""
    def who(e: Entry) -> str:
        text = json.dumps(e.manager)
        if e.subresource:
            text += f" with subresource {json.dumps(e.subresource)}"
        return f"{text} using {e.api_version}" if e.operation == "Update" else text
    causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {who(e)}",
               "field": path_text(p)} for e, p in conflicts]
    if len(conflicts) == 1:
        e, p = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {who(e)}: {path_text(p)}"
    else:
        lines = []
        for key in sorted({e.key for e, _ in conflicts}):
            group = [(e, p) for e, p in conflicts if e.key == key]
            lines.append(f"conflicts with {who(group[0][0])}:")
            lines += [f"- {path_text(p)}" for _, p in group]
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return errors.Conflict(errors.status(409, "Conflict", message, {"causes": causes}))


# --- apply --------------------------------------------------------------------------------

def apply(live: dict | None, config: dict, manager: str, force: bool, subresource: str | None,
          now: str) -> dict:
    """The object after `manager` applies `config` to `live` (None: a create), with its
    managedFields; a Conflict error when another manager owns a field set differently."""
    code = root_code(config.get("apiVersion", ""), config.get("kind", ""))
    entries = read(live["metadata"]) if live is not None else []
    mine_key = (manager, "Apply", subresource or "")
    wanted = scope(applied_set(config, code), subresource)
    before = next((e.fields for e in entries if e.key == mine_key), set())
    conflicts = _conflicts(live, config, code, wanted, entries, mine_key)
    if conflicts and not force:
        raise conflict_error(conflicts)
    for e, p in conflicts:
        e.fields.discard(p)
    merged = _merge(clone(live), config, code) if live is not None else config
    # kept: what others own, and parents of what is still applied (a map marked owned
    # itself by an Update entry that kubectl's client-side-apply upgrade moved over)
    kept = wanted.union(*(e.fields for e in entries if e.key != mine_key))
    for path in sorted(before - wanted, key=len, reverse=True):
        if not any(k[:len(path)] == path for k in kept):
            _remove(merged, path, code)
    mine = _entry(entries, mine_key, config["apiVersion"], now)
    if mine.fields != wanted or merged != live:
        mine.time = now
    mine.fields, mine.api_version = wanted, config["apiVersion"]
    write(merged.setdefault("metadata", {}), entries)
    return merged


def _conflicts(live: dict | None, config: dict, code: Any, wanted: set[Path],
               entries: list[Entry], mine_key: tuple) -> list[tuple[Entry, Path]]:
    if live is None:
        return []
    out = []
    for e in sorted(entries, key=lambda e: e.key):
        if e.key == mine_key:
            continue
        for path in sorted(wanted & e.fields):
            have = value_at(live, path, code)
            item = path[-1][:2] in ("k:", "v:")
            if have is _MISSING or not item and have != value_at(config, path, code):
                out.append((e, path))
    return out


def _merge(live: Any, config: Any, code: Any) -> Any:
    """SMD's merge: config wins on leaves; maps by key; keyed lists by item key."""
    if _is_leaf(config, code) or _is_leaf(live, code):
        return config
    if isinstance(config, dict):
        out = dict(live)
        for name, value in config.items():
            out[name] = _merge(live[name], value, _child_code(code, name)) \
                if name in live else value
        return out
    by_token = {t: (i, c) for i, (t, _, c, _) in enumerate(_children(live, code))}
    items = list(live)
    for token, item, item_code, _ in _children(config, code):
        if token in by_token:
            index, _ = by_token[token]
            items[index] = _merge(items[index], item, item_code)
        else:
            items.append(item)
    return items


def _remove(obj: Any, path: Path, code: Any) -> None:
    parent = value_at(obj, path[:-1], code) if len(path) > 1 else obj
    parent_code = _code_at(path[:-1], code)
    if parent is _MISSING:
        return
    token = path[-1]
    if isinstance(parent, dict) and token.startswith("f:"):
        parent.pop(token[2:], None)
    elif isinstance(parent, list):
        for index, (t, _, _, _) in enumerate(_children(parent, parent_code)):
            if t == token:
                del parent[index]
                return


def _code_at(path: Path, code: Any) -> Any:
    for token in path:
        if code == _DEDUCED or code == "s":
            return code
        code = _child_code(code, token[2:]) if token.startswith("f:") else \
            (code[2] if code[0] == "k" else "s")
    return code
