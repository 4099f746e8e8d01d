"""`Warning Unhealthy` events for failing probes, as the kubelet records them.

prober.go records "<Readiness|Liveness> probe failed: <output>" at every failing run;
the event recorder counts the repeats on one event (describe's "x7 over 60s").
"""

import pytest

from simcore import Simulation

NOT_READY = "ls: cannot access '/var/ready': No such file or directory\n"


def unhealthy(sim):
    return sorted((e["involvedObject"]["name"], e["message"], e["count"], e["firstTimestamp"],
                   e["lastTimestamp"], e["involvedObject"].get("fieldPath"))
                  for e in sim.list("events") if e["reason"] == "Unhealthy")


def test_the_readiness_step_records_one_counted_event_per_pod(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web-readiness.yaml"), create=True)
    sim.advance(65)
    events = unhealthy(sim)
    assert [e[0] for e in events] == sorted(p["metadata"]["name"] for p in sim.list("pods"))
    # started at 2 s, probed at once and every 10 s: runs at 2, 12, ... 62 s
    assert {e[1:] for e in events} == {(
        f"Readiness probe failed: {NOT_READY}", 7, "2021-05-01T09:00:02Z",
        "2021-05-01T09:01:02Z", "spec.containers{node-web}")}
    warning = next(e for e in sim.list("events") if e["reason"] == "Unhealthy")
    assert (warning["type"], warning["source"]["component"]) == ("Warning", "kubelet")


def test_a_passing_probe_stops_the_count(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web-readiness.yaml"), create=True)
    sim.advance(5)
    name = sim.list("pods")[0]["metadata"]["name"]
    sim.exec(name, "touch /var/ready")
    sim.advance(60)
    counts = {e[0]: e[2] for e in unhealthy(sim)}
    assert counts[name] == 1
    assert sorted(counts.values()) == [1, 7, 7]


POD = """apiVersion: v1
kind: Pod
metadata: {{name: probed}}
spec:
  containers:
  - name: web
    image: busybox
    command: [sleep, "3600"]
    {kind}Probe:
{probe}
      periodSeconds: 5
"""


@pytest.mark.parametrize("kind, probe, message", [
    pytest.param("readiness", "      httpGet: {path: /healthz, port: 8081}",
                 'Readiness probe failed: Get "http://{ip}:8081/healthz": dial tcp {ip}:8081: '
                 "connect: connection refused", id="readiness-http"),
    pytest.param("readiness", "      tcpSocket: {port: 9000}",
                 "Readiness probe failed: dial tcp {ip}:9000: connect: connection refused",
                 id="readiness-tcp"),
    pytest.param("liveness", "      exec: {command: [cat, /tmp/healthy]}",
                 "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or "
                 "directory\n", id="liveness-exec"),
])
def test_each_failing_run_is_counted(kind, probe, message):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(POD.format(kind=kind, probe=probe), create=True)
    sim.advance(11)
    ip = sim.get("pods", "probed")["status"]["podIP"]
    [event] = unhealthy(sim)
    # runs 2 s and 7 s after the pod was made (its start-up): two by 11 s
    assert event[1:3] == (message.format(ip=ip), 2)


def test_the_spam_filter_lets_25_through_then_one_per_five_minutes(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web-readiness.yaml"), create=True)
    sim.advance(2 + 10 * 30)  # 31 runs in 300 s
    assert {e[2] for e in unhealthy(sim)} == {25}
    sim.advance(300)
    assert {e[2] for e in unhealthy(sim)} == {26}


def test_a_failing_probe_is_no_work_to_wait_for(lecture_file):
    """`run_until_idle` ends once the pods run, though their probes keep failing."""
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web-readiness.yaml"), create=True)
    used = sim.run_until_idle(600)
    assert used < 5
    assert [p["status"]["phase"] for p in sim.list("pods")] == ["Running"] * 3


def test_a_probe_runs_in_the_image_the_container_started_from():
    """A running pod's image changed to one no registry has: the container runs on as it
    was started, and so do its exec probe's runs (they looked the new image up, found
    none, and the simulation stopped with an AttributeError)."""
    sim = Simulation.from_preset("lecture", seed=0)
    text = POD.format(kind="readiness", probe="      exec: {command: [cat, /tmp/ready]}")
    sim.apply(text, create=True)
    sim.advance(5)
    sim.apply(text.replace("image: busybox", "image: no-such-image-anywhere"))
    sim.advance(20)
    assert sim.get("pods", "probed")["spec"]["containers"][0]["image"] == \
        "no-such-image-anywhere"
    [event] = unhealthy(sim)
    # runs 2, 7, 12, 17 and 22 s after the pod was made
    assert event[1:3] == ("Readiness probe failed: cat: can't open '/tmp/ready': No such "
                          "file or directory\n", 5)


def test_kubectl_exec_runs_in_the_image_the_container_started_from():
    """The same change seen from `kubectl exec`: it looked the new image up too, found
    none, and stopped with an AttributeError instead of running the command."""
    sim = Simulation.from_preset("lecture", seed=0)
    text = POD.format(kind="readiness", probe="      exec: {command: [cat, /tmp/ready]}")
    sim.apply(text, create=True)
    sim.advance(5)
    sim.apply(text.replace("image: busybox", "image: no-such-image-anywhere"))
    result = sim.exec("probed", "echo still busybox")
    assert (result.exit_code, result.stdout) == (0, "still busybox\n")
