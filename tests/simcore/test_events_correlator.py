"""The event recorder's correlator, as `kubectl get events` shows it: a repeat is counted
on the Event it repeats while the source's correlator remembers it. Every source (a
node's kubelet, a controller) has its own least-recently-used correlator, so one
source's events never push another's out, and a repeat keeps its own entry fresh."""

import pytest

from simcore import Simulation, events

POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec: {containers: [{name: web, image: nginx}]}
"""


@pytest.fixture
def small_correlators(monkeypatch):
    monkeypatch.setattr(events, "CORRELATOR_ENTRIES", 2)


def _record(sim: Simulation, host: str, message: str) -> None:
    pod = sim.api.get_ref("pods", "web", "default")
    events.record(sim.engine, pod, "Warning", "Noted", message, "kubelet", host=host)
    sim.advance(1)


def _rows(sim: Simulation) -> list[tuple]:
    """(Message, Source, Count) of the recorded rows, in kubectl's order."""
    table = sim.table("events")
    column = {c["name"]: i for i, c in enumerate(table["columnDefinitions"])}
    return [tuple(row["cells"][column[name]] for name in ("Message", "Source", "Count"))
            for row in table["rows"] if row["cells"][column["Reason"]] == "Noted"]


def _pod() -> Simulation:
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(POD, create=True)
    sim.advance(5)
    return sim


W1, W2 = "kubelet, worker1", "kubelet, worker2"


@pytest.mark.parametrize("records, rows", [
    pytest.param([("worker1", "a")] * 3, [("a", W1, 3)], id="a-repeat-is-counted"),
    pytest.param([("worker1", "a"), ("worker2", "b"), ("worker2", "c"), ("worker2", "d"),
                  ("worker1", "a")],
                 [("a", W1, 2), ("b", W2, 1), ("c", W2, 1), ("d", W2, 1)],
                 id="each-source-remembers-its-own"),
    pytest.param([("worker1", "a"), ("worker1", "b"), ("worker1", "a"), ("worker1", "c"),
                  ("worker1", "a")],
                 [("a", W1, 3), ("b", W1, 1), ("c", W1, 1)],
                 id="the-least-recently-used-goes-first"),
    pytest.param([("worker1", "a"), ("worker1", "b"), ("worker1", "c"), ("worker1", "a")],
                 [("a", W1, 1), ("b", W1, 1), ("c", W1, 1), ("a", W1, 1)],
                 id="a-forgotten-event-starts-a-new-one"),
])
def test_what_kubectl_get_events_lists(small_correlators, records, rows):
    sim = _pod()
    for host, message in records:
        _record(sim, host, message)
    assert sorted(_rows(sim)) == sorted(rows)


def test_a_cluster_loaded_from_its_saved_state_keeps_counting(small_correlators):
    sim = _pod()
    for host, message in [("worker1", "a"), ("worker1", "b"), ("worker1", "a")]:
        _record(sim, host, message)
    loaded = Simulation.from_state(sim.state())
    _record(loaded, "worker1", "a")
    _record(loaded, "worker1", "c")  # worker1's correlator forgets "b", used longest ago
    _record(loaded, "worker1", "a")
    assert sorted(_rows(loaded)) == [("a", W1, 4), ("b", W1, 1), ("c", W1, 1)]
