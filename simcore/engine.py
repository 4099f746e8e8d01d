"""The engine: store, API server, clock and controllers, run to a steady state.

`settle()` is the informer loop. It reads the change feed from where it last
stopped, hands each change to the controllers that watch its resource (they
turn it into keys on their queues), then runs one `sync(key)` at a time,
taking queues in the fixed order of `components.COMPONENTS`, until nothing is queued
and no change is unread. `advance(seconds)` fires due timers in time order,
settling after each instant. One thread, fixed orders, one seeded rng: the
same inputs give the same cluster, byte for byte.

Bounded steps. Alone, `settle()` runs until quiet, however long that is. A
server that holds a cluster's lock while it runs cannot allow that: one
`replicas: 100000000` would hold the lock for hours. `with
engine.bounded(writes, syncs):` makes every settle and advance inside it
stop once the step has made `writes` store writes or run `syncs` syncs
(checked between syncs, and one sync is bounded by the controllers' bursts,
`controllers.burst`). The keys still queued then are saved in the runtime
state (`deferred`, so they survive a save and a restart) and queued again by
the next settle: the next request or the clock's next tick goes on where
this step stopped (a step may also leave that backlog alone: a request
that should answer soon). Timers that fall due in a step that ran out fire in a
later one, late, as an overloaded controller's would. Outside `bounded`
nothing changes: the engine settles fully, and the deferred list is absent
from the state.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from simcore import touched
from simcore.apiserver import APIServer
from simcore.clock import Clock
from simcore.errors import APIError
from simcore.loop import Controller
from simcore.store import Store

C = TypeVar("C", bound=Controller)
MAX_SYNCS_PER_SETTLE = 5_000_000
DEFERRED = "deferred"  # the runtime section holding a bounded step's leftover keys


class Engine:
    def __init__(self, store: Store, clock: Clock, rng: random.Random, config: dict,
                 runtime: dict | None = None, cursor: int | None = None):
        self.store = store
        self.clock = clock
        self.rng = rng
        self.config = config
        self.runtime: dict = runtime if runtime is not None else {}
        touched.adopt(self.runtime)  # before anyone looks an entry up (simcore.touched)
        self.api = APIServer(store, clock, rng, config)
        self.controllers: list[Controller] = []
        self.by_name: dict[str, Controller] = {}
        self._watchers: dict[str, list[Controller]] = {}
        self.cursor = store.rv if cursor is None else cursor
        self.syncs = 0
        # simcore.events: the order each source used the correlator's entries (not saved)
        self.event_recency: object | None = None
        self._limit: tuple[int, int] | None = None  # (store rv, syncs) where a step ends
        self._backlog = True  # whether settling takes up the keys an earlier step deferred

    @contextmanager
    def bounded(self, writes: int, syncs: int, backlog: bool = True) -> Iterator[None]:
        """Within the block, stop settling after `writes` store writes or `syncs` syncs and
        defer what is left (see the module doc). Without `backlog` the keys deferred by
        earlier steps stay deferred: the block does its own work and the timers' only."""
        saved = self._limit, self._backlog
        self._limit = (self.store.rv + writes, self.syncs + syncs)
        self._backlog = backlog
        try:
            yield
        finally:
            self._limit, self._backlog = saved

    def spent(self) -> bool:
        """Whether the current bounded step has used its budget."""
        limit = self._limit
        return limit is not None and (self.store.rv >= limit[0] or self.syncs >= limit[1])

    def deferred(self) -> int:
        """How many keys a bounded step left for the next one."""
        return len(self.runtime.get(DEFERRED) or ())

    def _defer(self) -> None:
        """Save every queued key in the runtime state, in queue order, and empty the queues."""
        self._dispatch()
        left = self.runtime.setdefault(DEFERRED, [])
        for controller in self.controllers:
            while (key := controller.queue.pop()) is not None:
                left.append([controller.name, key])

    def _resume(self) -> None:
        for name, key in self.runtime.pop(DEFERRED, ()):
            controller = self.by_name.get(name)
            if controller is not None:
                controller.queue.add(key)

    def controller(self, name: str, kind: type[C]) -> C:
        """The controller named `name` as the `kind` it is (by_name only knows Controller)."""
        found = self.by_name[name]
        if not isinstance(found, kind):
            raise TypeError(f"controller {name} is a {type(found).__name__}, not a "
                            f"{kind.__name__}")
        return found

    def add(self, controller: Controller) -> None:
        self.controllers.append(controller)
        self.by_name[controller.name] = controller
        for res in controller.watches:
            self._watchers.setdefault(res, []).append(controller)

    def _dispatch(self) -> bool:
        if self.cursor >= self.store.rv:
            return False
        watchers = self._watchers.get  # looked up once: this loop runs for every change
        for event in self.store.events_since(self.cursor):
            for controller in watchers(event.resource, ()):
                for key in controller.keys_for(event):
                    controller.queue.add(key)
            self.cursor = event.rv
        self.store.trim(self.cursor)
        return True

    def settle(self) -> None:
        """Run rounds until quiet (or until a bounded step is spent). In a round each
        controller drains the keys queued so far; the changes it makes reach the others in
        the next round, so a burst of pod changes costs a ReplicaSet one sync per round, not
        one per pod."""
        if DEFERRED in self.runtime and self._backlog:
            self._resume()
        start = self.syncs
        while True:
            self._dispatch()
            ran = self.syncs
            for controller in self.controllers:
                for _ in range(len(controller.queue)):
                    if self._limit is not None and self.spent():
                        self._defer()
                        return
                    key = controller.queue.pop()
                    if key is None:
                        break
                    self._sync(controller, key)
                    self.syncs += 1
            if self.syncs == ran and self.cursor >= self.store.rv:
                return
            if self.syncs - start >= MAX_SYNCS_PER_SETTLE:
                raise RuntimeError("controllers did not settle")

    def _sync(self, controller: Controller, key: str) -> None:
        """One sync; a refusal from the API server requeues the key with back-off, as a
        client-go worker does, instead of stopping the cluster."""
        try:
            controller.sync(key)
        except APIError:
            controller.requeue_after(key, controller.queue.backoff(key))
        else:
            controller.queue.forget(key)

    def _fire_due(self) -> None:
        for name, key in self.clock.pop_due():
            controller = self.by_name.get(name)
            if controller is not None:
                controller.queue.add(key)

    def advance(self, seconds: float) -> None:
        target = self.clock.elapsed + max(seconds, 0.0)
        self.settle()
        while not self.spent():
            due = self.clock.next_due()
            if due is None or due > target + 1e-9:
                break
            self.clock.elapsed = max(self.clock.elapsed, due)
            self._fire_due()
            self.settle()
        self.clock.elapsed = target

    def run_until_idle(self, max_seconds: float) -> float:
        """Advance timer by timer until none is pending or `max_seconds` pass; the time used.
        Background timers (clock.BACKGROUND) fire on the way but are not waited for."""
        start = self.clock.elapsed
        limit = start + max_seconds
        self.settle()
        while not self.spent():
            work = self.clock.next_work_due()
            if work is None or work > limit:
                break
            due = self.clock.next_due()  # a background tick before the work fires on time
            assert due is not None, "work is pending, so some timer is due"
            self.clock.elapsed = max(self.clock.elapsed, due)
            self._fire_due()
            self.settle()
        return self.clock.elapsed - start
