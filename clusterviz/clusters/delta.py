"""What a save writes: the engine parts that differ from the stored ones, found in
O(sections + entries touched), not O(cluster).

The stored parts are known as `engines` snapshots them (`saved`). The small
parts (the rng, the clock's timers, each runtime section but the big tables)
are compared whole: a few hundred µs at 2,000 pods. The two tables that grow
with the cluster are not, since comparing them costs what the cluster
weighs (15 ms at 2,000 pods for a curl that changed one pod's log). The
engine's tables note which entries were looked up or written since their
state was stored (`Simulation.touched`, simcore.touched), and only those are
compared:

- the kubelet's pod records (`engines.FINE`, one row each): the noted keys,
  plus, when the section's list of keys moved, the keys that came and went
  (a set difference, paid only by the saves that add or remove a pod);
- the event correlator (one row, up to 4,096 entries): the noted keys; a
  table that gained or lost an entry is written without a comparison (its
  keys changed).

A table that handed out every value at once (`everything`: a whole-state
snapshot, a dry run's copy) is compared whole, as every part was before.
The notes are a superset, so the result is the same as comparing all parts
(`changed_parts`), which tests check after each kind of request.
"""

from __future__ import annotations

from dataclasses import dataclass

from clusterviz.clusters import engines
from simcore import Simulation, Touched

_MISSING = object()


@dataclass
class Delta:
    state: dict  # Cluster.state: the row every request reads
    changed: dict[str, object]  # parts to write: the live engine's own dicts (read only)
    gone: list[str]  # parts stored that are no longer there


def delta(sim: Simulation, saved: dict[str, object] | None, stored_names: list[str] | None
          ) -> Delta:
    """The parts of `sim` that differ from `saved`, the parts stored (every part when
    unknown: None); `stored_names` is the row's list of the parts but FINE entries (None
    in a row older than that list: `saved` is searched)."""
    if saved is None:
        state, parts, _ = engines.split_state(sim, objects=False)
        return Delta(state, parts, [])
    state, parts, tables, _ = engines.split_rows(sim)
    notes = sim.touched()
    changed = {name: value for name, value in parts.items()
               if _differs(saved.get(name, _MISSING), value, _note_of(notes, name))}
    if stored_names is None:
        stored_names = [name for name in saved if name.count("/") < 2]  # not an entry
    gone = [name for name in stored_names if name not in parts]
    for section, table in engines.FINE.items():
        prefix = f"{engines.RUNTIME}{section}/{table}/"
        entries, removed = _entries(saved, prefix, tables.get(prefix),
                                    notes.get(f"{section}/{table}"), changed)
        changed.update(entries)
        gone += removed
    return Delta(state, changed, gone)


def changed_parts(saved: dict[str, object] | None, parts: dict[str, object]
                  ) -> tuple[dict[str, object], list[str]]:
    """The parts that differ, compared whole, and the names stored but gone: what `delta`
    must agree with (its tests compare the two)."""
    if saved is None:
        return dict(parts), []
    changed = {name: value for name, value in parts.items()
               if name not in saved or saved[name] != value}
    return changed, [name for name in saved if name not in parts]


def _note_of(notes: dict[str, Touched], name: str) -> Touched | None:
    """The `Simulation.touched()` note of the table a part is, if it is one ("events")."""
    if not name.startswith(engines.RUNTIME):
        return None
    return notes.get(name.removeprefix(engines.RUNTIME))


def _differs(stored: object, value: object, note: Touched | None) -> bool:
    if stored is _MISSING:
        return True
    if note is None or note.everything or not isinstance(stored, dict) \
            or not isinstance(value, dict):
        return stored != value
    if note.reshaped:
        return True  # an entry came or went
    return any(stored.get(key, _MISSING) != dict.get(value, key, _MISSING)
               for key in note.keys)


def _entries(saved: dict[str, object], prefix: str, table: dict | None, note: Touched | None,
             changed: dict[str, object]) -> tuple[dict[str, object], list[str]]:
    """A FINE table's entries to write and the names of those gone (all, with no table).
    Its section's row (in `changed` when its list of keys moved) says which keys came and
    went; a table that noted nothing useful is compared whole."""
    section_name = prefix.rstrip("/").rsplit("/", 1)[0]
    if table is None or note is None or note.everything:
        table = table or {}
        keys, gone = set(table), {name.removeprefix(prefix) for name in saved
                                  if name.startswith(prefix)} - set(table)
    else:
        keys, gone = set(note.keys), set()
        if section_name in changed:
            before = _keys_stored(saved.get(section_name), prefix)
            keys |= set(table) - before
            gone = before - set(table)
    entries = {}
    for key in keys:
        value = dict.get(table, key, _MISSING)
        name = prefix + key
        if value is _MISSING:
            if name in saved:
                gone.add(key)
        elif saved.get(name, _MISSING) != value:
            entries[name] = value
    return entries, [prefix + key for key in sorted(gone)]


def _keys_stored(section: object, prefix: str) -> set[str]:
    table = prefix.rstrip("/").rsplit("/", 1)[1]
    keys = section.get(table) if isinstance(section, dict) else None
    return set(keys) if isinstance(keys, list) else set()
