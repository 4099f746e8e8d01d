"""The classroom quota in the API server: refused creates in the quota admission's words,
and a ReplicaSet scaled far past it stops at the limit with a FailedCreate event."""

from __future__ import annotations

import pytest

from simcore import Simulation, errors


def _sim(more_pods: int) -> Simulation:
    """The lecture cluster with room for `more_pods` pods beside its system pods (the quota
    counts every pod of the cluster, kube-system's too)."""
    sim = Simulation.from_preset("lecture", seed=0, pod_startup_seconds=0)
    pods = sim.engine.store.count("pods")
    sim.engine.config["quota"] = {"pods": pods + more_pods, "objects": 100000}
    return sim, pods + more_pods


def _configmap(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}


def _pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


@pytest.mark.parametrize(("kind", "body", "room", "message"), [
    pytest.param("pods", _pod("p2"), 100,
                 'pods "p2" is forbidden: exceeded quota: clusterviz-classroom, requested: '
                 'pods=1, used: pods={pods}, limited: pods={pods}', id="pods"),
    pytest.param("configmaps", _configmap("c9"), 2, None, id="objects"),
    pytest.param("pods", _pod("p2"), 2,
                 'pods "p2" is forbidden: exceeded quota: clusterviz-classroom, requested: '
                 'pods=1,count/objects=1, used: pods={pods},count/objects={total}, '
                 'limited: pods={pods},count/objects={total}', id="both"),
])
def test_a_create_past_the_quota_is_forbidden(kind, body, room, message):
    sim = Simulation.from_preset("lecture", seed=0, pod_startup_seconds=0)
    total, pods = sim.engine.store.total(), sim.engine.store.count("pods") + 1
    sim.engine.config["quota"] = {"pods": pods, "objects": total + room}
    api = sim.api
    api.create("pods", _pod("p1"), "default")
    api.create("configmaps", _configmap("c1"), "default")
    with pytest.raises(errors.APIError) as refused:
        api.create(kind, body, "default")
    status = refused.value.status
    assert (status["code"], status["reason"]) == (403, "Forbidden")
    expected = message.format(pods=pods, total=total + room) if message else (
        f'configmaps "c9" is forbidden: exceeded quota: clusterviz-classroom, requested: '
        f'count/objects=1, used: count/objects={total + 2}, limited: count/objects={total + 2}')
    assert status["message"] == expected
    assert status["details"]["kind"] == kind


def test_a_replicaset_scaled_past_the_quota_stops_there(lecture_file):
    sim, limit = _sim(more_pods=5)
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.run_until_idle()
    sim.api.patch("replicasets", "rs-node-web", {"spec": {"replicas": 100000000}},
                         "application/merge-patch+json", "default", subresource="scale")
    sim.advance(60)
    assert len(sim.list("pods")) == 5
    warnings = [e for e in sim.list("events")
                if e.get("reason") == "FailedCreate"]
    assert warnings and warnings[0]["message"].startswith(
        'Error creating: pods "rs-node-web-')
    assert warnings[0]["message"].endswith(
        "is forbidden: exceeded quota: clusterviz-classroom, requested: pods=1, "
        f"used: pods={limit}, limited: pods={limit}")
    [failure] = sim.get("replicasets", "rs-node-web")["status"]["conditions"]
    assert (failure["type"], failure["status"], failure["reason"]) == \
        ("ReplicaFailure", "True", "FailedCreate")
    assert failure["message"] == warnings[0]["message"].removeprefix("Error creating: ")


def test_a_replicaset_back_within_the_quota_loses_its_replica_failure(lecture_file):
    sim, _ = _sim(more_pods=5)
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.api.patch("replicasets", "rs-node-web", {"spec": {"replicas": 6}},
                  "application/merge-patch+json", "default", subresource="scale")
    sim.advance(60)
    assert "conditions" in sim.get("replicasets", "rs-node-web")["status"]
    sim.api.patch("replicasets", "rs-node-web", {"spec": {"replicas": 5}},
                  "application/merge-patch+json", "default", subresource="scale")
    sim.advance(60)
    assert "conditions" not in sim.get("replicasets", "rs-node-web")["status"]


def test_no_quota_no_limit():
    sim = Simulation.from_preset("lecture", seed=0)
    for i in range(20):
        sim.api.create("configmaps", _configmap(f"c{i}"), "default")


WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
       "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def test_a_deployment_shows_its_replica_sets_failure():
    """syncRolloutStatus copies the new ReplicaSet's ReplicaFailure into the Deployment's
    conditions (getReplicaFailures), and removes it once the set has none."""
    sim, limit = _sim(more_pods=2)
    sim.api.create("deployments", WEB, "default")
    sim.advance(60)
    [rs] = sim.list("replicasets")
    [failure] = [c for c in rs["status"]["conditions"]]
    shown = [c for c in sim.get("deployments", "web")["status"]["conditions"]
             if c["type"] == "ReplicaFailure"]
    assert shown == [{"type": "ReplicaFailure", "status": "True",
                      "lastUpdateTime": failure["lastTransitionTime"],
                      "lastTransitionTime": failure["lastTransitionTime"],
                      "reason": "FailedCreate", "message": failure["message"]}]
    sim.api.patch("deployments", "web", {"spec": {"replicas": 2}},
                  "application/merge-patch+json", "default")
    sim.advance(60)
    assert [c["type"] for c in sim.get("deployments", "web")["status"]["conditions"]] == \
        ["Available", "Progressing"]
