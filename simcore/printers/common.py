"""Pieces every printer module shares: column definitions and common cells.

A column is the dict a `meta.k8s.io/v1` Table carries (`name`, `type`, `format`,
`description`, `priority`), built by `column()` so every module writes one line
per column, in printers.go's order. The descriptions are the API's field
documentation, as printers.go takes them from `SwaggerDoc()`; kubectl never shows
them, but a client reading the Table does, so they are kept word for word with
the Kubernetes 1.3x API reference (see each module for the field they document).

A `Printer` pairs a kind's columns with its row function. Row functions take the
object and the caller's `now` and return the cells; where printers.go appends an
`int64`, the cell is a Python int (a JSON integer), whatever the column's declared
type, because that is what the real server sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

NAME_DOC = ("Name must be unique within a namespace. Is required when creating resources, "
            "although some resources may allow a client to request the generation of an "
            "appropriate name automatically. Name is primarily intended for creation "
            "idempotence and configuration definition. Cannot be updated. More info: "
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
AGE_DOC = ("CreationTimestamp is a timestamp representing the server time when this object "
           "was created. It is not guaranteed to be set in happens-before order across "
           "separate operations. Clients may not set this value. It is represented in "
           "RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for "
           "lists. More info: https://git.k8s.io/community/contributors/devel/"
           "sig-architecture/api-conventions.md#metadata")
CONTAINERS_DOC = "Names of each container in the template."
IMAGES_DOC = "Images referenced by each container in the template."

Cells = list
RowFunction = Callable[[dict, datetime], Cells]
ConditionsFunction = Callable[[dict], list]


def column(name: str, description: str, type_: str = "string", priority: int = 0,
           format_: str = "") -> dict:
    """One TableColumnDefinition, keys in the order the apiserver writes them."""
    return {"name": name, "type": type_, "format": format_, "description": description,
            "priority": priority}


def name_column(priority: int = 0) -> dict:
    return column("Name", NAME_DOC, priority=priority, format_="name")


def age_column() -> dict:
    return column("Age", AGE_DOC)


def wide_containers_images() -> list[dict]:
    return [column("Containers", CONTAINERS_DOC, priority=1),
            column("Images", IMAGES_DOC, priority=1)]


@dataclass(frozen=True)
class Printer:
    columns: tuple[dict, ...]
    cells: RowFunction
    conditions: ConditionsFunction | None = None


def meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def status(obj: dict) -> dict:
    return obj.get("status") or {}


def pod_template_spec(template: dict | None) -> dict:
    return ((template or {}).get("spec")) or {}


def layout_containers(containers: list | None) -> tuple[str, str]:
    """layoutContainerCells: container names and images, each comma-joined."""
    containers = containers or []
    return (",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers))


def list_with_more(items: list[str], count: int, limit: int = 3, empty: str = "<unset>") -> str:
    """listWithMoreString: the first `limit` entries, then ` + N more...`."""
    text = ",".join(items[:limit])
    if count > limit:
        return f"{text} + {count - limit} more..."
    return text or empty


def bool_text(value: bool | None) -> str:
    """printBoolPtr: `True`, `False`, or `<unset>` for a missing pointer."""
    if value is None:
        return "<unset>"
    return "True" if value else "False"
