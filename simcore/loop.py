"""The contract every loop the engine runs follows: controllers, the kubelet, kube-proxy.

A loop is built with the engine's context (API server, clock, rng, cluster config, and a
dict of its own runtime state that is saved with the cluster, `engine.runtime[name]`).
Event handlers only turn a change into keys (`keys_for`); `sync(key)` reads the current
state through the API server and writes through it. A loop that wants to look again later
asks the clock for a timer on its own key (`requeue_at`/`requeue_after`).

Why here and not in controllers/: the control plane's controllers, the node's kubelet and
the data plane's kube-proxy all follow it, and controllers/, node/ and net/ must not import
one another (tests/simcore/test_imports.py). The class keeps client-go's name,
`Controller`, since that is what Kubernetes calls a reconcile loop wherever it runs.
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


class Alarm(Controller):
    """Timers that only need the clock to reach a moment (a port opening), with no work
    to do then: `run_until_idle` waits for them, and nothing is synced for them."""

    name = "alarm"

    def sync(self, key: str) -> None:
        return None
