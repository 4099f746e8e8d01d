"""The Deployment controller, driven through the facade with the course's manifests."""

from pathlib import Path

import pytest

from simcore import Simulation
from simcore.controllers.deployment import resolve_fenceposts

COURSE = Path(__file__).resolve().parents[3] / "shared" / "course"
HANDS_ON = COURSE / "2022-07" / "08-Deployment-StatefulSet" / "hands-on"


@pytest.fixture
def sim():
    return Simulation.from_preset("lecture", seed=0)


def cells(sim, kind, namespace="default"):
    table = sim.table(kind, namespace)
    names = [c["name"] for c in table["columnDefinitions"]]
    return [dict(zip(names, row["cells"], strict=True)) for row in table["rows"]]


def scaling_events(sim, name="dp-web"):
    found = [e for e in sim.list("events") if e["involvedObject"]["name"] == name and
             e["involvedObject"]["kind"] == "Deployment"]
    return [e["message"] for e in sorted(found, key=lambda e: e["metadata"]["name"])
            if e["reason"] == "ScalingReplicaSet"]


def replica_sets(sim):
    return {rs["metadata"]["name"]: rs for rs in sim.list("rs")}


def conditions(obj):
    return [(c["type"], c["status"], c["reason"], c["message"])
            for c in obj["status"]["conditions"]]


def manifest(name="dp-web-v1.yaml", *changes: dict):
    text = (HANDS_ON / name).read_text()
    for change in changes:
        for old, new in change.items():
            assert old in text
            text = text.replace(old, new)
    return text


@pytest.mark.parametrize(("replicas", "surge", "unavailable", "expected"), [
    pytest.param(10, "25%", "25%", (3, 2), id="percent-surge-rounds-up-unavailable-down"),
    pytest.param(3, "25%", "25%", (1, 0), id="three-replicas-default"),
    pytest.param(10, 1, "25%", (1, 2), id="course-rolling-update"),
    pytest.param(4, "50%", "0%", (2, 0), id="half-surge"),
    pytest.param(1, 0, 0, (0, 1), id="both-zero-means-one-unavailable"),
])
def test_it_resolves_surge_and_unavailability_as_the_real_controller(replicas, surge,
                                                                        unavailable, expected):
    deploy = {"spec": {"replicas": replicas, "strategy": {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge,
                                                   "maxUnavailable": unavailable}}}}
    assert resolve_fenceposts(deploy) == expected


def test_it_creates_a_hashed_replica_set_and_reports_rollout_status(sim):
    [result] = sim.apply(manifest())
    assert (result.action, result.error) == ("created", None)
    sim.advance(10)
    [rs] = replica_sets(sim).values()
    hash_ = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"dp-web-{hash_}"
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "node-web", "pod-template-hash": hash_}
    assert rs["spec"]["template"]["metadata"]["labels"] == {"app": "node-web",
                                                            "pod-template-hash": hash_}
    assert rs["metadata"]["annotations"] == {"deployment.kubernetes.io/revision": "1",
                                             "deployment.kubernetes.io/desired-replicas": "3",
                                             "deployment.kubernetes.io/max-replicas": "4"}
    assert rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    assert scaling_events(sim) == [f"Scaled up replica set dp-web-{hash_} from 0 to 3"]
    [row] = cells(sim, "deploy")
    assert (row["Ready"], row["Up-to-date"], row["Available"]) == ("3/3", 3, 3)
    deploy = sim.get("deploy", "dp-web")
    assert deploy["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert {k: v for k, v in deploy["status"].items() if k != "conditions"} == {
        "observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3,
        "availableReplicas": 3}
    assert conditions(deploy) == [
        ("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
        ("Progressing", "True", "NewReplicaSetAvailable",
         f'ReplicaSet "dp-web-{hash_}" has successfully progressed.')]


def test_it_reports_minimum_unavailability_before_the_pods_are_ready(sim):
    sim.apply(manifest())
    deploy = sim.get("deploy", "dp-web")
    [rs] = replica_sets(sim)
    assert conditions(deploy) == [
        ("Available", "False", "MinimumReplicasUnavailable",
         "Deployment does not have minimum availability."),
        ("Progressing", "True", "ReplicaSetUpdated", f'ReplicaSet "{rs}" is progressing.')]
    assert deploy["status"]["unavailableReplicas"] == 3


def test_it_rolls_three_replicas_one_surge_pod_at_a_time(sim):
    sim.apply(manifest())
    sim.advance(10)
    [old] = replica_sets(sim)
    sim.apply(manifest("dp-web-v2.yaml"))
    sim.advance(60)
    [new] = [name for name in replica_sets(sim) if name != old]
    assert scaling_events(sim)[1:] == [
        f"Scaled up replica set {new} from 0 to 1",
        f"Scaled down replica set {old} from 3 to 2",
        f"Scaled up replica set {new} from 1 to 2",
        f"Scaled down replica set {old} from 2 to 1",
        f"Scaled up replica set {new} from 2 to 3",
        f"Scaled down replica set {old} from 1 to 0",
    ]
    rows = {r["Name"]: (r["Desired"], r["Current"], r["Ready"]) for r in cells(sim, "rs")}
    assert rows == {old: (0, 0, 0), new: (3, 3, 3)}
    sets = replica_sets(sim)
    assert sets[new]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert sets[old]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    deploy = sim.get("deploy", "dp-web")
    assert deploy["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert deploy["status"]["observedGeneration"] == 2
    assert conditions(deploy)[-1] == ("Progressing", "True", "NewReplicaSetAvailable",
                                      f'ReplicaSet "{new}" has successfully progressed.')
    assert {p["spec"]["containers"][0]["image"] for p in sim.list("pods")} == \
        {"whatwant/node-web:2.0"}


def test_it_honours_a_surge_of_one_and_a_quarter_unavailable_on_ten_replicas(sim):
    sim.apply(manifest("dp-web-RollingUpdate.yaml"))
    sim.advance(20)
    [old] = replica_sets(sim)
    sim.apply(manifest("dp-web-RollingUpdate.yaml", {"node-web:1.0": "node-web:2.0"}))
    [new] = [name for name in replica_sets(sim) if name != old]
    assert scaling_events(sim)[1:4] == [
        f"Scaled up replica set {new} from 0 to 1",
        f"Scaled down replica set {old} from 10 to 8",
        f"Scaled up replica set {new} from 1 to 3",
    ]
    live = [p for p in sim.list("pods") if not p["metadata"].get("deletionTimestamp")]
    assert len(live) <= 11


def test_recreate_starts_the_new_pods_only_after_the_old_ones_are_gone(sim):
    recreate = {"  selector:": "  strategy:\n    type: Recreate\n\n  selector:"}
    sim.apply(manifest("dp-web-v1.yaml", recreate))
    sim.advance(10)
    [old] = replica_sets(sim)
    sim.apply(manifest("dp-web-v2.yaml", recreate))
    sim.advance(5)
    assert list(replica_sets(sim)) == [old]
    assert all(p["metadata"].get("deletionTimestamp") for p in sim.list("pods"))
    sim.advance(60)
    [new] = [name for name in replica_sets(sim) if name != old]
    assert scaling_events(sim)[1:] == [f"Scaled down replica set {old} from 3 to 0",
                                       f"Scaled up replica set {new} from 0 to 3"]
    assert [r["Ready"] for r in cells(sim, "deploy")] == ["3/3"]


def test_scaling_resizes_the_replica_set_without_a_rollout(sim):
    sim.apply(manifest())
    sim.advance(10)
    [rs] = replica_sets(sim)
    sim.apply(manifest("dp-web-v1.yaml", {"replicas: 3": "replicas: 5"}))
    sim.advance(10)
    assert scaling_events(sim) == [f"Scaled up replica set {rs} from 0 to 3",
                                   f"Scaled up replica set {rs} from 3 to 5"]
    assert replica_sets(sim)[rs]["metadata"]["annotations"][
        "deployment.kubernetes.io/desired-replicas"] == "5"
    assert [r["Ready"] for r in cells(sim, "deploy")] == ["5/5"]


def test_a_paused_deployment_scales_but_does_not_roll(sim):
    sim.apply(manifest())
    sim.advance(10)
    [rs] = replica_sets(sim)
    paused = {"  selector:": "  paused: true\n\n  selector:"}
    sim.apply(manifest("dp-web-v2.yaml", paused, {"replicas: 3": "replicas: 4"}))
    sim.advance(10)
    assert list(replica_sets(sim)) == [rs]
    deploy = sim.get("deploy", "dp-web")
    assert conditions(deploy)[-1] == ("Progressing", "Unknown", "DeploymentPaused",
                                      "Deployment is paused")
    assert [r["Ready"] for r in cells(sim, "deploy")] == ["4/4"]
    sim.apply(manifest("dp-web-v2.yaml", {"replicas: 3": "replicas: 4"}))
    sim.advance(60)
    assert len(replica_sets(sim)) == 2
    assert conditions(sim.get("deploy", "dp-web"))[-1][2] == "NewReplicaSetAvailable"


def test_rolling_back_gives_the_old_set_the_next_revision_and_keeps_its_history(sim):
    sim.apply(manifest())
    sim.advance(10)
    [first] = replica_sets(sim)
    sim.apply(manifest("dp-web-v2.yaml"))
    sim.advance(60)
    sim.apply(manifest())
    sim.advance(60)
    annotations = replica_sets(sim)[first]["metadata"]["annotations"]
    assert annotations["deployment.kubernetes.io/revision"] == "3"
    assert annotations["deployment.kubernetes.io/revision-history"] == "1"
    assert sim.get("deploy", "dp-web")["metadata"]["annotations"][
        "deployment.kubernetes.io/revision"] == "3"


def test_old_replica_sets_beyond_the_history_limit_are_deleted(sim):
    limit = {"  selector:": "  revisionHistoryLimit: 1\n\n  selector:"}
    for image in ("1.0", "2.0", "3.0"):
        sim.apply(manifest("dp-web-v1.yaml", limit, {"node-web:1.0": f"node-web:{image}"}))
        sim.advance(60)
    revisions = sorted(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                       for rs in sim.list("rs"))
    assert revisions == ["2", "3"]


def test_a_rollout_that_never_becomes_ready_times_out(sim):
    deadline = {"  selector:": "  progressDeadlineSeconds: 30\n\n  selector:",
                "node-web:1.0": "node-web:9.9"}
    sim.apply(manifest("dp-web-v1.yaml", deadline))
    sim.advance(40)
    [rs] = replica_sets(sim)
    assert conditions(sim.get("deploy", "dp-web"))[-1] == (
        "Progressing", "False", "ProgressDeadlineExceeded",
        f'ReplicaSet "{rs}" has timed out progressing.')


def test_the_course_deployment_with_min_ready_seconds_passes_it_to_its_replica_set(sim):
    text = (COURSE / "2022-01" / "06-week" / "Deployment" / "dp-web-minreadysec.yaml").read_text()
    sim.apply(text)
    sim.advance(30)
    [rs] = replica_sets(sim).values()
    assert rs["spec"]["minReadySeconds"] == 10
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] == "4"
    assert [r["Ready"] for r in cells(sim, "deploy")] == ["3/3"]


def test_the_2021_course_deployment_rolls_out(sim):
    sim.apply((COURSE / "2021-04" / "07-week" / "03-node-web-deployment.yaml").read_text())
    sim.advance(10)
    [rs] = replica_sets(sim)
    assert rs.startswith("node-web-")
    assert scaling_events(sim, "node-web") == [f"Scaled up replica set {rs} from 0 to 3"]
