"""The table for every kind without a printer of its own.

The apiserver's `rest.DefaultTableConvertor` (staging/src/k8s.io/apiserver/pkg/
registry/rest/table.go) prints NAME and CREATED AT, the latter as an RFC 3339
UTC date rather than an age: it is what `kubectl get limitranges` or a custom
resource without printer columns shows. Keeping it separate lets a new kind work
in `kubectl get` before anyone writes its printer.
"""

from __future__ import annotations

from datetime import UTC, datetime

from simcore.printers.common import AGE_DOC, Printer, column, meta, name_column
from simcore.printers.duration import parse_time

_COLUMNS = (name_column(), column("Created At", AGE_DOC, "date"))


def created_at(timestamp: str | None) -> str:
    """CreationTimestamp.UTC().Format(time.RFC3339); Go's zero time when unset."""
    moment = parse_time(timestamp)
    if moment is None:
        return "0001-01-01T00:00:00Z"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_cells(obj: dict, now: datetime) -> list:
    return [meta(obj).get("name", ""), created_at(meta(obj).get("creationTimestamp"))]


DEFAULT_PRINTER = Printer(_COLUMNS, default_cells)
