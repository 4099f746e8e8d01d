"""Job back-off: failed pods are replaced after 10 s, 20 s, 40 s ... and the Job gives up."""

from simcore import Simulation
from simcore.clock import parse_time

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


def test_it_replaces_failed_pods_after_a_doubling_back_off_then_fails_the_job():
    sim = Simulation.from_preset("lecture", seed=0, pod_startup_seconds=2.0)
    sim.apply(FAILING, create=True)
    sim.run_until_idle(600)
    pods = sorted(sim.list("pods"), key=lambda p: p["metadata"]["creationTimestamp"])
    created = [parse_time(p["metadata"]["creationTimestamp"]) for p in pods]
    gaps = [(b - a).total_seconds() for a, b in zip(created, created[1:], strict=False)]
    # each replacement waits 10 s, 20 s, 40 s after the failure it replaces, which itself
    # came the pod's 2 s start-up after that pod was created
    assert gaps == [12.0, 22.0, 42.0]
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
