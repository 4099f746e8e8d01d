"""Job back-off: failed pods are replaced after 10 s, 20 s, 40 s ... and the Job gives up.

What doubles depends on the version the cluster reports: v1.20 (the lecture) paces by
the work queue's requeues, v1.27 and later by failed pods since the last success.
"""

import pytest

from simcore import Simulation
from simcore.clock import parse_time
from simcore.exec import processes

FAILING = """apiVersion: batch/v1
kind: Job
metadata: {name: always-fails}
spec:
  backoffLimit: 3
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: fail, image: busybox, command: ["sh", "-c", "exit 1"]}
"""


@pytest.mark.parametrize("version, gaps", [
    # newer: each replacement waits 10 s, 20 s, 40 s after the failure it replaces, which
    # itself came the pod's 2 s start-up after that pod was created
    pytest.param("v1.37.1", [12.0, 22.0, 42.0], id="v1.37-failed-pods"),
    # v1.20: the first failure is synced at once (no requeues yet) and replaced; that
    # sync's error requeues the Job after 10 s, the next after 20 s (from the sync)
    pytest.param("v1.20.1", [2.0, 10.0, 20.0], id="v1.20-requeues"),
])
def test_it_replaces_failed_pods_after_a_doubling_back_off_then_fails_the_job(version, gaps):
    sim = Simulation.from_preset("lecture", seed=0, pod_startup_seconds=2.0,
                                 kubernetes_version=version)
    sim.apply(FAILING, create=True)
    sim.run_until_idle(600)
    pods = sorted(sim.list("pods"), key=lambda p: p["metadata"]["creationTimestamp"])
    assert creation_gaps(pods) == gaps
    assert [p["status"]["phase"] for p in pods] == ["Failed"] * 4
    job = sim.get("jobs", "always-fails")
    failed = next(c for c in job["status"]["conditions"] if c["type"] == "Failed")
    assert (failed["reason"], failed["message"]) == (
        "BackoffLimitExceeded", "Job has reached the specified backoff limit")
    assert job["status"]["failed"] == 4 and "completionTime" not in job["status"]
    reasons = [e["reason"] for e in sim.list("events")
               if e["involvedObject"]["name"] == "always-fails"]
    assert reasons.count("SuccessfulCreate") == 4 and "BackoffLimitExceeded" in reasons


def test_the_job_table_shows_the_lecture_columns():
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(FAILING, create=True)
    sim.advance(1)
    table = sim.table("jobs")
    assert [c["name"] for c in table["columnDefinitions"]][:5] == [
        "Name", "Status", "Completions", "Duration", "Age"]
    assert table["rows"][0]["cells"][:5] == ["always-fails", "Running", "0/1", "1s", "1s"]


def creation_gaps(pods: list[dict]) -> list[float]:
    created = [parse_time(p["metadata"]["creationTimestamp"]) for p in pods]
    return [(b - a).total_seconds() for a, b in zip(created, created[1:], strict=False)]


def test_the_version_comes_from_the_nodes_when_the_config_does_not_say():
    """The lecture's nodes report v1.20.1, the large preset's v1.37.1."""
    gaps = {}
    for preset in ("lecture", "large"):
        sim = Simulation.from_preset(preset, seed=0)
        sim.apply(FAILING, create=True)
        sim.run_until_idle(600)
        pods = sorted((p for p in sim.list("pods") if p["metadata"]["name"].startswith("always")),
                      key=lambda p: p["metadata"]["creationTimestamp"])
        gaps[preset] = creation_gaps(pods)
    assert gaps == {"lecture": [2.0, 10.0, 20.0], "large": [12.0, 22.0, 42.0]}


# The slide's run (ages 60/56/46/26/22/12 s, 3/3 in 52 s): per pod in creation order, its
# roll and how long it ran. The run times are what the slide's timeline needs: the first
# pod failed at once, two others only after its replacement started, and the last Error
# of the third wave after the 38 s pod started (else another pod would have been made).
SLIDE_ROLLS = [(1, 2.0), (1, 4.5), (1, 5.0), (1, 2.0), (1, 2.0), (1, 2.0), (1, 2.0),
               (6, 1.5), (1, 2.5), (1, 6.0), (1, 2.0), (6, 2.0), (6, 2.0)]


def test_the_lecture_job_keeps_the_slides_pace(monkeypatch, lecture_file):
    rolls = iter(SLIDE_ROLLS)

    def scripted(argv, ctx, stdin):
        roll, took = next(rolls)
        return processes._plan(argv, output=[processes._line(str(roll), took)],
                               exit={"at": took, "code": 0 if roll == 6 else 1})

    monkeypatch.setitem(processes._BATCH, "throw-dice", scripted)
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("job-parallel.yaml"), create=True)
    sim.run_until_idle(3600)
    job = sim.get("jobs", "throw-dice-job")
    start = parse_time(job["status"]["startTime"])
    pods = sorted(sim.list("pods"), key=lambda p: p["metadata"]["creationTimestamp"])
    offsets = [(parse_time(p["metadata"]["creationTimestamp"]) - start).total_seconds()
               for p in pods if p["metadata"]["name"].startswith("throw-dice-job-")]
    # the slide: ages 60, 56, 46, 26, 22, 12 s at 60 s, i.e. back-offs of 4, 10, 20, 4, 10 s
    assert offsets == [0, 0, 0, 4, 14, 14, 14, 34, 34, 34, 38, 48, 48]
    done = parse_time(job["status"]["completionTime"]) - start
    assert done.total_seconds() == 52
    assert (job["status"]["succeeded"], job["status"]["failed"]) == (3, 10)


@pytest.mark.parametrize("version, conditions", [
    pytest.param("v1.20.1", [("Complete", None)], id="v1.20-bare-complete"),
    pytest.param("v1.37.1", [("SuccessCriteriaMet", "CompletionsReached"),
                             ("Complete", "CompletionsReached")], id="v1.31-and-later"),
])
def test_the_complete_conditions_follow_the_version(version, conditions):
    sim = Simulation.from_preset("lecture", seed=0, kubernetes_version=version)
    sim.apply(FAILING.replace("always-fails", "ok").replace('"exit 1"', '"exit 0"'),
              create=True)
    sim.run_until_idle(60)
    job = sim.get("jobs", "ok")
    assert [(c["type"], c.get("reason")) for c in job["status"]["conditions"]] == conditions
