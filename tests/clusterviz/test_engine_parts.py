"""The kubelet's pods table stored one row per pod and the clock's timers in a part: exact
round trips, rows that follow the pods, a curl's save that writes one pod's row, the
cluster's row holding the soonest timers only, and migration 0006 in both directions."""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps

from clusterviz.clusters import engines, runtime
from clusterviz.clusters.models import Cluster, EnginePart
from simcore.simulation import Simulation

pytest_plugins = ["django_fixtures"]  # fixtures; see django_fixtures.py for why not conftest.py

pytestmark = pytest.mark.django_db
RS_NODE_WEB = Path(__file__).resolve().parents[2].parent / "shared" / "lecture" / "rs-node-web.yaml"
PODS = "runtime/kubelet/pods/"
migration = importlib.import_module("clusterviz.clusters.migrations.0006_per_pod_parts")


def _digest(state: dict) -> str:
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def _reloaded(cluster: Cluster) -> Simulation:
    """The engine as a restarted process rebuilds it from the rows."""
    return Simulation.from_state(engines.full_state(Cluster.objects.get(pk=cluster.pk)))


def _live(cluster: Cluster) -> Simulation:
    return engines.cached(Cluster.objects.get(pk=cluster.pk))


def _pod_rows(cluster: Cluster) -> list[str]:
    return sorted(EnginePart.objects.filter(cluster=cluster, name__startswith=PODS)
                  .values_list("name", flat=True))


def _running(cluster: Cluster, age) -> list[str]:
    runtime.run("lecture", lambda sim: sim.apply(RS_NODE_WEB.read_text(), create=True))
    age(cluster, 30)
    return runtime.run("lecture", lambda sim: [p["metadata"]["name"]
                                               for p in sim.list("pods", "default")])


def test_a_reload_is_byte_for_byte_the_live_engine_after_pods_come_and_go(cluster, age):
    pods = _running(cluster, age)
    runtime.run("lecture", lambda sim: sim.api.delete("pods", pods[1], "default"))
    age(cluster, 30)  # the ReplicaSet's replacement: a new key at the table's end
    runtime.run("lecture", lambda sim: sim.exec(pods[0], "touch /var/ready"), force_save=True)
    live = _live(cluster).state()
    assert list(live["runtime"]["kubelet"]["pods"])[-1] not in {f"default/{p}" for p in pods}
    assert _digest(_reloaded(cluster).state()) == _digest(live)


def test_a_pods_row_is_added_and_removed_with_the_pod(cluster, age):
    pods = _running(cluster, age)
    assert {f"{PODS}default/{p}" for p in pods} <= set(_pod_rows(cluster))
    runtime.run("lecture", lambda sim: sim.api.delete("pods", pods[0], "default"))
    age(cluster, 30)
    keys = runtime.run("lecture", lambda sim: list(sim.engine.runtime["kubelet"]["pods"]))
    assert _pod_rows(cluster) == sorted(PODS + key for key in keys)
    assert f"{PODS}default/{pods[0]}" not in _pod_rows(cluster)


def test_an_exec_writes_the_pods_row_only(cluster, age, monkeypatch):
    pod = _running(cluster, age)[0]
    written = []
    write = runtime._write_parts
    monkeypatch.setattr(runtime, "_write_parts", lambda c, changed, gone: (
        written.append(sorted(changed)), write(c, changed, gone)))
    runtime.run("lecture", lambda sim: sim.exec(pod, "touch /var/ready"), force_save=True)
    assert [name for name in written[0] if name.startswith("runtime/")] == [
        f"{PODS}default/{pod}"]
    row = EnginePart.objects.get(cluster=cluster, name=f"{PODS}default/{pod}")
    assert "/var/ready" in row.body["containers"]["node-web"]["files"]


def test_the_section_row_keeps_the_pods_keys_in_order(cluster, age):
    _running(cluster, age)
    row = EnginePart.objects.get(cluster=cluster, name="runtime/kubelet").body
    assert row["pods"] == list(_live(cluster).engine.runtime["kubelet"]["pods"])


def test_the_row_keeps_the_soonest_timers_and_the_part_all_of_them(cluster, monkeypatch):
    monkeypatch.setattr(engines, "TIMERS_IN_ROW", 2)
    runtime.run("lecture", lambda sim: sim.apply(RS_NODE_WEB.read_text(), create=True))
    timers = _live(cluster).state()["clock"]["timers"]
    assert len(timers) > 2  # the three pods start later
    row = Cluster.objects.get(pk=cluster.pk).state["clock"]["timers"]
    assert row == timers[:2]
    assert EnginePart.objects.get(cluster=cluster, name="clock/timers").body == timers


def test_migration_0006_joins_and_splits_again_exactly(cluster, age):
    _running(cluster, age)
    live = _digest(_live(cluster).state())
    row = Cluster.objects.get(pk=cluster.pk).state
    split = dict(EnginePart.objects.filter(cluster=cluster).values_list("name", "body"))
    migration.join_timers(apps, None)
    migration.join_tables(apps, None)
    assert Cluster.objects.get(pk=cluster.pk).state["clock"]["timers"] == split["clock/timers"]
    joined = dict(EnginePart.objects.filter(cluster=cluster).values_list("name", "body"))
    assert "clock/timers" not in joined
    assert not any(name.startswith(PODS) for name in joined)
    assert list(joined["runtime/kubelet"]["pods"]) == split["runtime/kubelet"]["pods"]
    assert joined["runtime/kubelet"]["pods"] == {
        name.removeprefix(PODS): body for name, body in split.items()
        if name.startswith(PODS)}
    migration.split_tables(apps, None)
    migration.split_timers(apps, None)
    assert Cluster.objects.get(pk=cluster.pk).state == row
    again = dict(EnginePart.objects.filter(cluster=cluster).values_list("name", "body"))
    assert again == split
    assert _digest(_reloaded(cluster).state()) == live
