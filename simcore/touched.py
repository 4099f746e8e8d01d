"""The runtime tables that grow with the cluster, and which of their entries were touched.

What: `Table`, a dict that notes the keys looked up or written through it
since it was last told to forget (`untouch`), and whether an entry was added
or removed (`reshaped`: the keys or their order moved). Two tables of
`engine.runtime` are Tables (`TABLES`): the kubelet's pod records
(the "pods" table of the "kubelet" section, a few kB per pod) and the event
correlator (`runtime["events"]`, up to 4,096 entries per source).

Why: a saver that stored the state at some moment wants to know what changed
since, and comparing everything costs what the cluster weighs (15 ms at 2,000
pods, for a curl that changed one pod's log). An entry of a table can only be
reached through a lookup (`get`, `[]`, `setdefault`, `pop`), and a lookup is
what the Table notes, so the entries it did not note are the entries as they
were: a saver compares the noted ones only. Reaching every value at once
(`values()`, `items()`, `copy()`, or `json.dumps` and `clone`, which use
`items()`) notes `everything`, and such a save compares them all, as before.

Trade-off: the notes are a superset (a read is noted as if it wrote), which
costs a needless comparison, never a missed change. What C code reads
without calling the methods (`dict(table)`, `{**table}`, `==`) is not noted:
values reached that way must not be changed in place. The engine only reads
the correlator that way (the keys, to rebuild their use order; simcore.events),
whose values are strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_values

    from _typeshed import SupportsKeysAndGetItem

# (section, table) of engine.runtime; None: the section itself is the table
TABLES: tuple[tuple[str, str | None], ...] = (("kubelet", "pods"), ("events", None))


@dataclass(frozen=True)
class Touched:
    """What a table noted since it last forgot: compare `keys` (all when `everything`);
    `reshaped` means an entry came or went, so the table's keys differ as well."""
    keys: frozenset[str]
    everything: bool
    reshaped: bool


class Table(dict[str, Any]):
    __slots__ = ("noted", "everything", "reshaped")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.untouch()

    def untouch(self) -> None:
        self.noted: set[str] = set()
        self.everything = False
        self.reshaped = False

    def touched(self) -> Touched:
        return Touched(frozenset(self.noted), self.everything, self.reshaped)

    # lookups: the value handed out may be changed in place by whoever gets it
    def __getitem__(self, key: str) -> Any:
        self.noted.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.noted.add(key)
        return super().get(key, default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.noted.add(key)
        if key not in self:
            self.reshaped = True
        return super().setdefault(key, default)

    # writes
    def __setitem__(self, key: str, value: Any) -> None:
        self.noted.add(key)
        if key not in self:
            self.reshaped = True
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.noted.add(key)
        self.reshaped = True
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self.noted.add(key)
        if key in self:
            self.reshaped = True
        return super().pop(key, *default)

    # every value at once
    def popitem(self) -> tuple[str, Any]:
        self.everything = self.reshaped = True
        return super().popitem()

    def clear(self) -> None:
        self.everything = self.reshaped = True
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.everything = self.reshaped = True
        super().update(*args, **kwargs)

    # dict's |= takes any mapping or pairs while | takes dicts only; mypy flags that
    # asymmetry on any __ior__ wider than __or__ (typeshed ignores it on dict too)
    def __ior__(  # type: ignore[misc, override]
            self, other: SupportsKeysAndGetItem[str, Any] | Iterable[tuple[str, Any]], /) -> Self:
        self.update(other)
        return self

    def values(self) -> dict_values[str, Any]:
        self.everything = True
        return super().values()

    def items(self) -> dict_items[str, Any]:
        self.everything = True
        return super().items()

    def copy(self) -> dict[str, Any]:
        self.everything = True
        return dict(self)

    def __reduce__(self) -> tuple[type[Table], tuple[dict[str, Any]]]:
        # pickle and deepcopy: a Table of copies of the entries, with nothing noted
        self.everything = True
        return (Table, (dict(self),))


def table(holder: dict[str, Any], key: str) -> Table:
    """`holder[key]` as a Table: made empty when missing, converted when a plain dict (as
    `from_state` leaves it), with nothing noted since its entries are as they were."""
    found = holder.get(key)
    if not isinstance(found, Table):
        found = holder[key] = Table(found or ())
    return found


def adopt(runtime: dict[str, Any]) -> None:
    """Make the `TABLES` present in a runtime state Tables (the others appear as Tables)."""
    for section, name in TABLES:
        holder = runtime.get(section) if name is not None else runtime
        if isinstance(holder, dict) and isinstance(holder.get(name or section), dict):
            table(holder, name or section)


def touched(runtime: dict[str, Any]) -> dict[str, Touched]:
    """Per table present, as "section/table" (or "section"): what it noted."""
    found: dict[str, Touched] = {}
    for section, name in TABLES:
        holder = runtime.get(section) if name is not None else runtime
        value = holder.get(name or section) if isinstance(holder, dict) else None
        if isinstance(value, Table):
            found[section if name is None else f"{section}/{name}"] = value.touched()
    return found


def untouch(runtime: dict[str, Any]) -> None:
    for section, name in TABLES:
        holder = runtime.get(section) if name is not None else runtime
        value = holder.get(name or section) if isinstance(holder, dict) else None
        if isinstance(value, Table):
            value.untouch()
