"""Finalizers and foreground deletion, through the API server and the garbage collector."""

from __future__ import annotations

import pytest

from simcore import Simulation, errors

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


@pytest.fixture
def sim():
    return Simulation.from_preset("lecture", seed=0)


def names(sim, resource):
    return [o["metadata"]["name"] for o in sim.api.list_ref(resource, "default")]


def config_map(finalizers):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "held", "finalizers": finalizers}}


REPLICASET = {**DEPLOYMENT, "kind": "ReplicaSet"}


@pytest.mark.parametrize("resource, manifest", [
    pytest.param("deployments", DEPLOYMENT, id="deployment-replicaset-pods"),
    pytest.param("replicasets", REPLICASET, id="replicaset-pods"),
])
def test_foreground_deletion_completes_down_the_owner_chain(sim, resource, manifest):
    sim.api.create(resource, manifest, "default")
    sim.run_until_idle()
    obj, gone = sim.api.delete(resource, "web", "default", propagation_policy="Foreground")
    assert not gone and obj["metadata"]["finalizers"] == ["foregroundDeletion"]
    sim.advance(31)  # the running pods' grace period
    assert (names(sim, "deployments"), names(sim, "replicasets"), names(sim, "pods")) == \
        ([], [], [])


def test_a_deleted_object_with_finalizers_stays_marked(sim):
    sim.api.create("configmaps", config_map(["example.com/hold"]), "default")
    obj, gone = sim.api.delete("configmaps", "held", "default")
    assert not gone
    meta = sim.api.get("configmaps", "held", "default")["metadata"]
    assert meta["deletionTimestamp"] == sim.api.clock.timestamp()
    assert meta["deletionGracePeriodSeconds"] == 0
    assert meta["finalizers"] == ["example.com/hold"]
    again, gone = sim.api.delete("configmaps", "held", "default")
    assert not gone and again["metadata"] == meta


def test_it_goes_when_the_last_finalizer_is_removed(sim):
    sim.api.create("configmaps", config_map(["example.com/a", "example.com/b"]), "default")
    sim.api.delete("configmaps", "held", "default")
    sim.api.patch("configmaps", "held", {"metadata": {"finalizers": ["example.com/b"]}},
                  "application/merge-patch+json", "default")
    assert "held" in names(sim, "configmaps")
    sim.api.patch("configmaps", "held", {"metadata": {"finalizers": None}},
                  "application/merge-patch+json", "default")
    assert "held" not in names(sim, "configmaps")


def test_other_updates_of_a_terminating_object_keep_its_deletion_marks(sim):
    sim.api.create("configmaps", config_map(["example.com/a"]), "default")
    sim.api.delete("configmaps", "held", "default")
    current = sim.api.get("configmaps", "held", "default")
    current["data"] = {"k": "v"}
    del current["metadata"]["deletionTimestamp"]  # a client that drops it changes nothing
    updated = sim.api.update("configmaps", current, "default")
    assert updated["data"] == {"k": "v"}
    assert updated["metadata"]["deletionTimestamp"] == sim.api.clock.timestamp()


@pytest.mark.parametrize("patch, message", [
    pytest.param({"metadata": {"finalizers": ["example.com/a", "example.com/new"]}},
                 'ConfigMap "held" is invalid: metadata.finalizers: Forbidden: no new finalizers '
                 'can be added if the object is being deleted, found new finalizers '
                 '[]string{"example.com/new"}', id="new-finalizer"),
    pytest.param({"metadata": {"finalizers": ["example.com/z", "example.com/y"]}},
                 'ConfigMap "held" is invalid: metadata.finalizers: Forbidden: no new finalizers '
                 'can be added if the object is being deleted, found new finalizers '
                 '[]string{"example.com/y", "example.com/z"}', id="two-new-sorted"),
])
def test_a_terminating_object_refuses_what_the_apiserver_refuses(sim, patch, message):
    sim.api.create("configmaps", config_map(["example.com/a"]), "default")
    sim.api.delete("configmaps", "held", "default")
    with pytest.raises(errors.APIError) as caught:
        sim.api.patch("configmaps", "held", patch, "application/merge-patch+json", "default")
    assert caught.value.status["code"] == 422
    assert caught.value.status["message"] == message


def test_a_waiting_owner_goes_when_its_last_blocking_dependent_lets_go(sim):
    owner = sim.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                          "metadata": {"name": "owner"}}, "default")
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
           "uid": owner["metadata"]["uid"], "blockOwnerDeletion": True}
    sim.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "dependent", "ownerReferences": [ref], "finalizers": ["example.com/a"]}},
        "default")
    sim.api.delete("configmaps", "owner", "default", propagation_policy="Foreground")
    sim.run_until_idle()
    # the dependent is being deleted but its finalizer holds it: the owner waits
    assert {"owner", "dependent"} <= set(names(sim, "configmaps"))
    sim.api.patch("configmaps", "dependent", {"metadata": {"ownerReferences": None}},
                  "application/merge-patch+json", "default")
    sim.run_until_idle()
    assert "owner" not in names(sim, "configmaps")
    assert "dependent" in names(sim, "configmaps")
