"""The engine: store, API server, clock and controllers, run to a steady state.

`settle()` is the informer loop. It reads the change feed from where it last
stopped, hands each change to the controllers that watch its resource (they
turn it into keys on their queues), then runs one `sync(key)` at a time,
taking queues in the fixed order of `CONTROLLERS`, until nothing is queued
and no change is unread. `advance(seconds)` fires due timers in time order,
settling after each instant. One thread, fixed orders, one seeded rng: the
same inputs give the same cluster, byte for byte.
"""

from __future__ import annotations

import random

from simcore.apiserver import APIServer
from simcore.clock import Clock
from simcore.controllers.base import Controller
from simcore.errors import APIError
from simcore.store import Store

MAX_SYNCS_PER_SETTLE = 5_000_000


class Engine:
    def __init__(self, store: Store, clock: Clock, rng: random.Random, config: dict,
                 runtime: dict | None = None, cursor: int | None = None):
        self.store = store
        self.clock = clock
        self.rng = rng
        self.config = config
        self.runtime: dict = runtime if runtime is not None else {}
        self.api = APIServer(store, clock, rng, config)
        self.controllers: list[Controller] = []
        self.by_name: dict[str, Controller] = {}
        self._watchers: dict[str, list[Controller]] = {}
        self.cursor = store.rv if cursor is None else cursor
        self.syncs = 0

    def add(self, controller: Controller) -> None:
        self.controllers.append(controller)
        self.by_name[controller.name] = controller
        for res in controller.watches:
            self._watchers.setdefault(res, []).append(controller)

    def enqueue_all(self) -> None:
        """Queue every object once, as informers do on their first list."""
        for controller in self.controllers:
            for res in controller.watches:
                for obj in self.store.list(res):
                    from simcore.store import Event
                    for key in controller.keys_for(Event(self.store.rv, "ADDED", res, obj)):
                        controller.queue.add(key)

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
        """Run rounds until quiet. In a round each controller drains the keys queued so far;
        the changes it makes reach the others in the next round, so a burst of pod changes
        costs a ReplicaSet one sync per round, not one per pod."""
        budget = MAX_SYNCS_PER_SETTLE
        while True:
            self._dispatch()
            ran = 0
            for controller in self.controllers:
                for _ in range(len(controller.queue)):
                    key = controller.queue.pop()
                    if key is None:
                        break
                    self._sync(controller, key)
                    ran += 1
            self.syncs += ran
            budget -= ran
            if not ran and self.cursor >= self.store.rv:
                return
            if budget <= 0:
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
        while True:
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
        while True:
            work = self.clock.next_work_due()
            if work is None or work > limit:
                break
            due = self.clock.next_due()  # a background tick before the work fires on time
            self.clock.elapsed = max(self.clock.elapsed, due)
            self._fire_due()
            self.settle()
        return self.clock.elapsed - start
