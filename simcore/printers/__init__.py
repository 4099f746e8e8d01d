"""Server-side printing: the `meta.k8s.io/v1` Table a real apiserver returns to kubectl.

kubectl 1.11+ asks the server to print (`Accept: application/json;as=Table;...`)
and only lays out what comes back, so every column a student sees in `kubectl
get` is decided here. The server's TableConvertor always renders with
`Wide: true`: priority-1 columns are always present and kubectl hides them
unless `-o wide` (kubectl-api.md section 3). Each area module holds one row
function per kind, ported from k/k `pkg/printers/internalversion/printers.go`;
kinds without one get the apiserver's default NAME / CREATED AT table.

Each row carries `object` according to `includeObject`: PartialObjectMetadata
(the default, which kubectl needs for `-A`, `--show-labels` and `-w`), the full
object (`--sort-by` asks for it), or nothing.

The trade-off: rows are computed from the stored dicts at request time with the
caller's `now`, so AGE and DURATION cells are as fresh as on a real server and
the same inputs always give the same bytes. A stored object the row function
cannot read (stored before bodies were decoded by their schema) gets a row of
its name and `<unknown>` cells, logged, rather than failing the whole list. Only what cannot depend on `now` is
memoised: an AGE per (stamp, now), and a pod's other cells by the identity of
the stored dict, which is never changed in place (`pods._timeless`); a list of
a thousand pods then costs little more than its AGE cells.
"""

from __future__ import annotations

import logging
from datetime import datetime

from simcore.printers import cluster, config, network, pods, storage, workloads
from simcore.printers.common import Printer
from simcore.printers.default import DEFAULT_PRINTER

__all__ = ["columns", "table", "printer_for"]

_PRINTERS: dict[str, Printer] = {
    **pods.PRINTERS, **workloads.PRINTERS, **network.PRINTERS, **cluster.PRINTERS,
    **config.PRINTERS, **storage.PRINTERS,
}
_INCLUDE_OBJECT = ("Metadata", "Object", "None", "")
log = logging.getLogger(__name__)


def printer_for(kind: str) -> Printer:
    """The kind's printer, or the default table's for kinds printers.go does not know."""
    return _PRINTERS.get(kind, DEFAULT_PRINTER)


def columns(kind: str) -> list[dict]:
    """The kind's TableColumnDefinitions, priority-1 (wide) columns included."""
    return [dict(c) for c in printer_for(kind).columns]


def _row_object(obj: dict, include_object: str) -> dict | None:
    if include_object == "None":
        return None
    if include_object == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata") or {}}


def _row(printer: Printer, obj: dict, now: datetime, include_object: str) -> dict:
    try:
        row: dict = {"cells": printer.cells(obj, now)}
        conditions = printer.conditions(obj) if printer.conditions else []
    except Exception:  # one odd stored object costs its own cells, never the whole table
        log.warning("printers: no row for %s", _name(obj), exc_info=True)
        row, conditions = {"cells": _unknown_cells(printer, obj)}, []
    if conditions:
        row["conditions"] = conditions
    partial = _row_object(obj, include_object)
    if partial is not None:
        row["object"] = partial
    return row


def _name(obj: dict) -> str:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    return str(meta.get("name") or "") if isinstance(meta, dict) else ""


def _unknown_cells(printer: Printer, obj: dict) -> list:
    """A row for an object the printer cannot read: its name, `<unknown>` elsewhere."""
    return [_name(obj)] + ["<unknown>"] * (len(printer.columns) - 1)


def table(kind: str, objects: list[dict], now: datetime, include_object: str = "Metadata",
          resource_version: str = "") -> dict:
    """The Table for `objects` of one kind, as the apiserver answers a list or a get.

    `include_object` is the request's includeObject (Metadata, Object or None);
    `resource_version` goes to the Table's metadata, where `kubectl get -w` resumes.
    Raises ValueError for an includeObject the apiserver would refuse.
    """
    if include_object not in _INCLUDE_OBJECT:
        raise ValueError(f'unrecognized includeObject value: "{include_object}"')
    printer = printer_for(kind)
    metadata = {"resourceVersion": resource_version} if resource_version else {}
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": columns(kind),
        "rows": [_row(printer, obj, now, include_object) for obj in objects],
    }
