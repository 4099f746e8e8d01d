"""Bounded controller work: bursts of 500 per sync in slow-start batches, and bounded steps
that leave the rest to the next one."""

import pytest

from simcore import Simulation, errors
from simcore.controllers import burst

RS = """apiVersion: apps/v1
kind: ReplicaSet
metadata: {{name: big}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: big}}}}
  template:
    metadata: {{labels: {{app: big}}}}
    spec: {{containers: [{{name: c, image: nginx}}]}}
"""


def _pods(sim):
    return len(sim.engine.store.list("pods", "default"))


def test_slow_start_batches_double_and_stop_after_a_failing_batch():
    calls = []

    def create():
        calls.append(1)
        if len(calls) == 5:  # the third batch (4 calls: 4th..7th) fails on its 2nd call
            raise errors.bad_request("quota")
    with pytest.raises(errors.APIError):
        burst.slow_start_batch(500, create)
    # batches 1, 2, 4: the failing batch is finished, the next (8) never starts
    assert len(calls) == 7


def test_a_replicaset_creates_one_burst_of_500_pods_per_sync():
    sim = Simulation.from_preset("lecture")
    sim.apply(RS.format(replicas=0), create=True)
    rs = sim.engine.by_name["replicaset"]
    sim.api.patch("replicasets.apps", "big", {"spec": {"replicas": 100_000_000}},
                  "application/merge-patch+json", "default")
    sim.engine._dispatch()
    before = _pods(sim)
    rs.sync(rs.queue.pop())
    assert _pods(sim) - before == 500
    sim.api.patch("replicasets.apps", "big", {"spec": {"replicas": 0}},
                  "application/merge-patch+json", "default")
    rs.sync("default/big")
    live = [p for p in sim.engine.store.list("pods", "default")
            if not p["metadata"].get("deletionTimestamp") and
            p["metadata"]["name"].startswith("big-")]
    assert len(live) == 0  # 500 were live: one deleting burst
    assert _pods(sim) >= before  # terminating pods stay until their grace period ends


def test_a_bounded_step_stops_and_the_next_steps_go_on_where_it_stopped():
    sim = Simulation.from_preset("lecture")
    with sim.engine.bounded(1000, 5000):
        result = sim.apply(RS.format(replicas=100_000_000))[0]
    assert result.action == "created"
    assert sim.engine.deferred() > 0
    first = _pods(sim)
    assert first < 1500
    with sim.engine.bounded(1000, 5000):
        sim.engine.settle()
    assert first < _pods(sim) < first + 1500
    # the leftover keys are part of the saved state: a restored engine goes on too
    restored = Simulation.from_state(sim.state())
    assert restored.engine.deferred() == sim.engine.deferred()
    with restored.engine.bounded(1000, 5000):
        restored.engine.settle()
    assert _pods(restored) > _pods(sim)


def test_unbounded_work_below_the_bursts_leaves_no_trace_in_the_state():
    sim = Simulation.from_preset("lecture")
    with sim.engine.bounded(100_000, 100_000):
        sim.apply(RS.format(replicas=30))
        sim.run_until_idle(60)
    assert "deferred" not in sim.state()["runtime"]
    assert _pods(sim) >= 30


def test_a_statefulset_of_100_million_looks_at_one_burst_of_ordinals():
    sim = Simulation.from_preset("lecture")
    statefulset = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  replicas: 100000000
  podManagementPolicy: Parallel
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
"""
    with sim.engine.bounded(500, 20_000):
        sim.apply(statefulset)
    names = [p["metadata"]["name"] for p in sim.engine.store.list("pods", "default")
             if p["metadata"]["name"].startswith("web-")]
    assert 0 < len(names) <= burst.STATEFULSET_BURST


def test_a_step_without_the_backlog_leaves_the_deferred_keys_for_a_later_step():
    sim = Simulation.from_preset("lecture")
    with sim.engine.bounded(1000, 5000):
        sim.apply(RS.format(replicas=100_000_000))
    left, pods = sim.engine.deferred(), _pods(sim)
    with sim.engine.bounded(1000, 5000, backlog=False):
        sim.engine.advance(1)
    assert (sim.engine.deferred(), _pods(sim)) == (left, pods)
