"""The contract every controller follows.

A controller is built with the engine's context (API server, clock, rng,
cluster config, and a dict of its own runtime state that is saved with the
cluster). Event handlers only turn a change into keys; `sync(key)` reads the
current state through the API server and writes through it. A controller
that wants to look again later asks the clock for a timer on its own key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from simcore.resources import object_key
from simcore.store import Event
from simcore.workqueue import WorkQueue

if TYPE_CHECKING:
    from simcore.engine import Engine


class Controller:
    name = "controller"
    watches: tuple[str, ...] = ()

    def __init__(self, engine: Engine):
        self.engine = engine
        self.api = engine.api
        self.clock = engine.clock
        self.rng = engine.rng
        self.config = engine.config
        self.queue = WorkQueue()
        self.state: dict = engine.runtime.setdefault(self.name, {})

    def keys_for(self, event: Event) -> Iterable[str]:
        meta = event.object["metadata"]
        return (object_key(meta.get("namespace"), meta["name"]),)

    def sync(self, key: str) -> None:
        raise NotImplementedError

    def requeue_after(self, key: str, delay: float) -> None:
        self.clock.call_later(delay, self.name, key)

    def requeue_at(self, when: float, key: str) -> None:
        self.clock.call_at(when, self.name, key)


def workload_selector(obj: dict):
    """The label selector of a workload's `spec.selector`, or None when it is malformed
    or empty (such an object selects nothing rather than everything)."""
    from simcore import labels
    try:
        selector = labels.from_label_selector(obj["spec"].get("selector"))
    except ValueError:
        return None
    return None if selector.empty() else selector


def owner_key(obj: dict, kind: str) -> str | None:
    """`ns/name` of the controlling owner of `obj` if it is of `kind`."""
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller") and ref.get("kind") == kind:
            return object_key(obj["metadata"].get("namespace"), ref["name"])
    return None


def controller_ref(owner: dict) -> dict:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"],
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}


def controller_of(obj: dict) -> dict | None:
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


class Alarm(Controller):
    """Timers that only need the clock to reach a moment (a port opening), with no work
    to do then: `run_until_idle` waits for them, and nothing is synced for them."""

    name = "alarm"

    def sync(self, key: str) -> None:
        return None
