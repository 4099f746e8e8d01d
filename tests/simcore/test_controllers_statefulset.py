"""The StatefulSet controller, with the course's sf-web.yaml and its headless Service."""

from pathlib import Path

import pytest

from simcore import Simulation

COURSE = Path(__file__).resolve().parents[3] / "shared" / "course"
HANDS_ON = COURSE / "2022-07" / "08-Deployment-StatefulSet" / "hands-on"


@pytest.fixture
def sim():
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply((HANDS_ON / "svc-headless.yaml").read_text(), create=True)
    return sim


def sf_web(*changes: dict) -> str:
    text = (HANDS_ON / "sf-web.yaml").read_text()
    for change in changes:
        for old, new in change.items():
            assert old in text
            text = text.replace(old, new)
    return text


def pods(sim):
    return {p["metadata"]["name"]: p for p in sim.list("pods")}


def states(sim):
    return {name: ("Terminating" if p["metadata"].get("deletionTimestamp")
                   else p["status"].get("phase")) for name, p in pods(sim).items()}


def sts_events(sim):
    found = [e for e in sim.list("events") if e["involvedObject"]["kind"] == "StatefulSet"]
    return [(e["reason"], e["message"]) for e in sorted(found, key=lambda e: e["metadata"]["name"])]


def test_ordered_ready_creates_each_pod_after_the_previous_is_ready(sim):
    sim.apply(sf_web(), create=True)
    assert states(sim) == {"sf-web-0": "Pending"}
    sim.advance(2)
    assert states(sim) == {"sf-web-0": "Running", "sf-web-1": "Pending"}
    sim.advance(10)
    assert states(sim) == {"sf-web-0": "Running", "sf-web-1": "Running"}
    assert sts_events(sim) == [
        ("SuccessfulCreate", "create Claim data-sf-web-0 Pod sf-web-0 in StatefulSet sf-web "
                             "success"),
        ("SuccessfulCreate", "create Pod sf-web-0 in StatefulSet sf-web successful"),
        ("SuccessfulCreate", "create Claim data-sf-web-1 Pod sf-web-1 in StatefulSet sf-web "
                             "success"),
        ("SuccessfulCreate", "create Pod sf-web-1 in StatefulSet sf-web successful"),
    ]
    table = sim.table("sts")
    assert [row["cells"][:2] for row in table["rows"]] == [["sf-web", "2/2"]]


def test_pods_get_a_stable_identity_and_their_own_claims(sim):
    sim.apply(sf_web(), create=True)
    sim.advance(20)
    revision = sim.get("sts", "sf-web")["status"]["updateRevision"]
    for ordinal in (0, 1):
        name = f"sf-web-{ordinal}"
        pod = pods(sim)[name]
        assert pod["metadata"]["labels"] == {
            "app": "node-web", "statefulset.kubernetes.io/pod-name": name,
            "apps.kubernetes.io/pod-index": str(ordinal), "controller-revision-hash": revision}
        assert (pod["spec"]["hostname"], pod["spec"]["subdomain"]) == (name, "svc-web")
        assert pod["spec"]["volumes"][0] == {"name": "data", "persistentVolumeClaim": {
            "claimName": f"data-{name}"}}
        claim = sim.get("pvc", f"data-{name}")
        assert claim["metadata"]["labels"] == {"app": "node-web"}
        assert claim["spec"]["resources"] == {"requests": {"storage": "1Mi"}}
    hostnames = sorted(a["hostname"] for a in sim.get("ep", "svc-web")["subsets"][0]["addresses"])
    assert hostnames == ["sf-web-0", "sf-web-1"]


def test_status_reports_counts_and_revisions(sim):
    sim.apply(sf_web(), create=True)
    sim.advance(20)
    status = sim.get("sts", "sf-web")["status"]
    revision = status["currentRevision"]
    assert revision.startswith("sf-web-")
    assert status == {"observedGeneration": 1, "replicas": 2, "readyReplicas": 2,
                      "currentReplicas": 2, "updatedReplicas": 2, "currentRevision": revision,
                      "updateRevision": revision, "collisionCount": 0, "availableReplicas": 2}


def test_a_deleted_pod_comes_back_with_the_same_name(sim):
    sim.apply(sf_web(), create=True)
    sim.advance(20)
    uid = pods(sim)["sf-web-0"]["metadata"]["uid"]
    sim.delete("pods", "sf-web-0")
    assert states(sim) == {"sf-web-0": "Terminating", "sf-web-1": "Running"}
    sim.advance(40)
    assert states(sim) == {"sf-web-0": "Running", "sf-web-1": "Running"}
    assert pods(sim)["sf-web-0"]["metadata"]["uid"] != uid
    assert sorted(c["metadata"]["name"] for c in sim.list("pvc")) == ["data-sf-web-0",
                                                                      "data-sf-web-1"]


def test_scale_down_removes_the_highest_ordinal_first_one_at_a_time(sim):
    sim.apply(sf_web({"replicas: 2": "replicas: 3"}), create=True)
    sim.advance(30)
    sim.api.patch("sts", "sf-web", {"spec": {"replicas": 1}}, "application/merge-patch+json",
                  "default")
    sim.advance(1)
    assert states(sim) == {"sf-web-0": "Running", "sf-web-1": "Running",
                           "sf-web-2": "Terminating"}
    sim.advance(35)
    assert states(sim) == {"sf-web-0": "Running", "sf-web-1": "Terminating"}
    sim.advance(35)
    assert states(sim) == {"sf-web-0": "Running"}
    deletes = [m for r, m in sts_events(sim) if r == "SuccessfulDelete"]
    assert deletes == ["delete Pod sf-web-2 in StatefulSet sf-web successful",
                       "delete Pod sf-web-1 in StatefulSet sf-web successful"]
    assert len(sim.list("pvc")) == 3


def test_parallel_management_creates_all_pods_at_once(sim):
    parallel = {"  serviceName: svc-web": "  serviceName: svc-web\n"
                                          "  podManagementPolicy: Parallel"}
    sim.apply(sf_web(parallel, {"replicas: 2": "replicas: 3"}), create=True)
    assert states(sim) == {"sf-web-0": "Pending", "sf-web-1": "Pending", "sf-web-2": "Pending"}


def test_a_rolling_update_replaces_pods_from_the_highest_ordinal(sim):
    sim.apply(sf_web())
    sim.advance(20)
    before = sim.get("sts", "sf-web")["status"]["currentRevision"]
    sim.apply(sf_web({"node-web:3.0": "node-web:4.0"}))
    sim.advance(1)
    assert states(sim) == {"sf-web-0": "Running", "sf-web-1": "Terminating"}
    status = sim.get("sts", "sf-web")["status"]
    assert status["currentRevision"] == before and status["updateRevision"] != before
    sim.advance(120)
    images = {n: p["spec"]["containers"][0]["image"] for n, p in pods(sim).items()}
    assert images == {"sf-web-0": "whatwant/node-web:4.0", "sf-web-1": "whatwant/node-web:4.0"}
    status = sim.get("sts", "sf-web")["status"]
    assert status["currentRevision"] == status["updateRevision"] != before
    assert [m for r, m in sts_events(sim) if r == "SuccessfulDelete"] == [
        "delete Pod sf-web-1 in StatefulSet sf-web successful",
        "delete Pod sf-web-0 in StatefulSet sf-web successful"]


def test_the_2021_course_statefulset_names_pods_and_claims_after_the_set():
    week = COURSE / "2021-04" / "07-week"
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply((week / "05-headless-service.yaml").read_text(), create=True)
    sim.apply((week / "05-statefulset.yaml").read_text(), create=True)
    sim.advance(20)
    assert states(sim) == {"node-web-0": "Running", "node-web-1": "Running"}
    assert sorted(c["metadata"]["name"] for c in sim.list("pvc")) == ["data-node-web-0",
                                                                      "data-node-web-1"]
    assert {p["spec"]["subdomain"] for p in pods(sim).values()} == {"node-web"}
