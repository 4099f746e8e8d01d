"""Who is changing the cluster right now: the mark a save records for a person's change.

The save path cannot tell a person's `kubectl apply` from a controller's
write: both are store events. So the entry points a person uses (the
Kubernetes API's mutating verbs, the upload form, the request panel, a
lesson step, the failure menus) say so around their `runtime.run` with
`by_person("kubectl create deployments.apps/web")`, and the history hook
(`record`) reads it. A context variable rather than an argument threaded
through `run`: asgiref copies the context into the worker thread that runs
the operation, and the runtime's signature stays as it is.

Notable events are read from the save's own store events: the core Events
the engine records (NodeNotReady, a Job's Completed...) and pods entering
phase Failed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar

_person: ContextVar[str | None] = ContextVar("clusterviz_history_person", default=None)
MAX_LABEL = 300

# (involvedObject kind, Event reason) worth a mark on the timeline.
NOTABLE_REASONS = {
    ("Node", "NodeNotReady"), ("Pod", "TaintManagerEviction"), ("Pod", "Evicted"),
    ("Pod", "BackOff"), ("Job", "Completed"), ("Job", "BackoffLimitExceeded"),
    ("Job", "DeadlineExceeded"),
}
VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


@contextlib.contextmanager
def by_person(label: str) -> Iterator[None]:
    """Mark the saves made inside as a person's change, described by `label`."""
    token = _person.set(label[:MAX_LABEL])
    try:
        yield
    finally:
        _person.reset(token)


def person() -> str | None:
    return _person.get()


def api_label(method: str, resource: str, name: str | None, subresource: str | None) -> str:
    """`kubectl` words for an API request: "delete pods/web-1", "patch deployments.apps/web"."""
    verb = VERBS.get(method, method.lower())
    target = resource if name is None else f"{resource}/{name}"
    return f"kubectl {verb} {target}" + (f" ({subresource})" if subresource else "")


def notable(events: Sequence) -> list[str]:
    """Labels for the notable events among a save's store events, in order, once each."""
    out: list[str] = []
    for ev in events:
        label = _notable_one(ev.type, ev.resource, ev.object)
        if label and label not in out:
            out.append(label)
    return out


def _notable_one(kind: str, resource: str, obj: dict) -> str | None:
    if resource == "events" and kind == "ADDED":
        involved = obj.get("involvedObject") or {}
        if (involved.get("kind"), obj.get("reason")) in NOTABLE_REASONS:
            return f"{involved.get('kind')} {involved.get('name')}: {obj.get('reason')}"
    if resource == "pods" and kind == "MODIFIED" and \
            (obj.get("status") or {}).get("phase") == "Failed":
        return f"Pod {obj['metadata']['name']}: Failed"
    return None
