"""The runtime: persistence of what changed, reloads, and compare-and-swap under a race."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from clusterviz.clusters import engines, runtime
from clusterviz.clusters.models import Change, Cluster, StoredObject
from simcore import errors
from simcore.simulation import Simulation

pytest_plugins = ["django_fixtures"]  # fixtures; see django_fixtures.py for why not conftest.py

pytestmark = pytest.mark.django_db
RS_NODE_WEB = Path(__file__).resolve().parents[2].parent / "shared" / "lecture" / "rs-node-web.yaml"

SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc-a"},
           "spec": {"selector": {"app": "a"}, "ports": [{"port": 80, "targetPort": 8080}]}}


def _service(name: str) -> dict:
    return {**SERVICE, "metadata": {"name": name}}


def _rows(cluster: Cluster, resource: str, namespace: str = "default") -> list[str]:
    return sorted(StoredObject.objects.filter(cluster=cluster, resource=resource,
                                              namespace=namespace)
                  .values_list("name", flat=True))


def test_create_cluster_stores_every_object(cluster):
    sim = Simulation.from_preset("lecture", seed=0)
    count = sum(len(objs) for objs in sim.engine.store.state()["objects"].values())
    assert StoredObject.objects.filter(cluster=cluster).count() == count
    assert _rows(cluster, "nodes", "") == ["master-stg", "worker1", "worker2"]
    assert "objects" not in cluster.state["store"]


def test_a_write_persists_rows_changes_and_version(cluster):
    created = runtime.run("lecture", lambda sim: sim.api.create("services", _service("svc-a"),
                                                                "default"))
    fresh = Cluster.objects.get(pk=cluster.pk)
    assert fresh.version == cluster.version + 1
    row = StoredObject.objects.get(cluster=cluster, resource="services", name="svc-a")
    assert row.body["spec"]["clusterIP"] == created["spec"]["clusterIP"]
    assert row.resource_version == int(created["metadata"]["resourceVersion"])
    kinds = set(Change.objects.filter(cluster=cluster).values_list("type", "resource"))
    assert ("ADDED", "services") in kinds and ("ADDED", "endpoints") in kinds


def test_a_refusal_changes_nothing_and_raises_the_status(cluster):
    runtime.run("lecture", lambda sim: sim.api.create("services", _service("svc-a"), "default"))
    version = Cluster.objects.get(pk=cluster.pk).version
    with pytest.raises(errors.APIError) as caught:
        runtime.run("lecture", lambda sim: sim.api.create("services", _service("svc-a"),
                                                          "default"))
    assert caught.value.status["message"] == 'services "svc-a" already exists'
    assert Cluster.objects.get(pk=cluster.pk).version == version


def test_a_reload_from_rows_equals_the_cached_engine(cluster, age):
    runtime.run("lecture", lambda sim: sim.apply(RS_NODE_WEB.read_text(), create=True))
    cached = engines.cached(Cluster.objects.get(pk=cluster.pk)).state()
    engines.forget()
    reloaded = engines.engine_for(Cluster.objects.get(pk=cluster.pk)).state()
    assert reloaded == cached


def test_the_clock_catches_up_on_the_next_operation(cluster, age):
    runtime.run("lecture", lambda sim: sim.apply(RS_NODE_WEB.read_text(), create=True))
    engines.forget()  # as after a restart
    age(cluster, 30)
    phases = runtime.run("lecture", lambda sim: [
        p["status"]["phase"] for p in sim.list("pods", "default")])
    assert phases == ["Running"] * 3
    assert Cluster.objects.get(pk=cluster.pk).elapsed >= 30


def test_a_lost_race_is_retried_and_loses_nothing(cluster):
    """Another process saves between our operation and our save: we must redo, not overwrite."""
    attempts = []

    def other_process(stale: Cluster) -> None:
        attempts.append(stale.version)
        if len(attempts) > 1:
            return
        rival = Cluster.objects.get(pk=stale.pk)
        sim = Simulation.from_state(engines.full_state(rival))
        sim.api.create("services", _service("svc-rival"), "default")
        sim.engine.settle()
        assert runtime.save(rival, sim, timezone.now())
        engines.forget()  # the rival's engine belongs to the other process

    runtime._attempt_hook.before_save = other_process
    try:
        runtime.run("lecture", lambda sim: sim.api.create("services", _service("svc-mine"),
                                                          "default"))
    finally:
        runtime._attempt_hook.before_save = None
    assert len(attempts) == 2 and attempts[1] == attempts[0] + 1
    assert _rows(cluster, "services") == ["kubernetes", "svc-mine", "svc-rival"]
    engines.forget()
    names = runtime.run("lecture", lambda sim: [s["metadata"]["name"]
                                                 for s in sim.list("services", "default")])
    assert names == ["kubernetes", "svc-mine", "svc-rival"]


def test_unknown_cluster():
    with pytest.raises(runtime.ClusterNotFound):
        runtime.run("nope", lambda sim: None)
