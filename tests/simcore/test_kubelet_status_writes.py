"""The kubelet writes a pod's status only when it changed (the status manager skips an
equal one): a failing probe's runs count `Unhealthy` and leave the pod alone, so its
resourceVersion stays and a watch sees nothing; the run that passes writes Ready, with
lastTransitionTime at that moment."""

import pytest

from simcore import Simulation

POD = """apiVersion: v1
kind: Pod
metadata: {{name: probed}}
spec:
  containers:
  - name: web
    image: {image}
    readinessProbe: {{exec: {{command: {probe}}}, periodSeconds: 1}}
"""
NODE_WEB = POD.format(image="whatwant/node-web:1.0", probe="[ls, /var/ready]")


def busybox(command: str, probe: str) -> str:
    return POD.format(image="busybox", probe=probe) + f"    command: {command}\n"


def _started(text: str) -> Simulation:
    """The pod running (its container starts at 2 s) and settled: Running, not Ready."""
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(text, create=True)
    sim.advance(5)
    return sim


def _ready(pod: dict) -> tuple[str, str]:
    [ready] = [c for c in pod["status"]["conditions"] if c["type"] == "Ready"]
    return ready["status"], ready["lastTransitionTime"]


def _unhealthy(sim: Simulation) -> list[tuple]:
    """`kubectl get events` rows of the probe's failures: (reason, object, first seen,
    count, last seen)."""
    table = sim.table("events")
    column = {c["name"]: i for i, c in enumerate(table["columnDefinitions"])}
    return [tuple(row["cells"][column[name]] for name in
                  ("Reason", "Object", "First Seen", "Count", "Last Seen"))
            for row in table["rows"] if row["cells"][column["Reason"]] == "Unhealthy"]


def test_a_pod_whose_probe_keeps_failing_keeps_its_resource_version():
    sim = _started(NODE_WEB)
    before, since = sim.get("pods", "probed")["metadata"]["resourceVersion"], sim.rv
    sim.advance(20)
    assert sim.get("pods", "probed")["metadata"]["resourceVersion"] == before
    assert sim.api.watch("pods", since=since) == []
    assert _ready(sim.get("pods", "probed")) == ("False", "2021-05-01T09:00:02Z")


def test_repeated_failures_are_one_event_with_a_growing_count():
    sim = _started(NODE_WEB)
    sim.advance(20)
    # runs every second from the start at 2 s: 2, 3, ... 25
    assert _unhealthy(sim) == [("Unhealthy", "pod/probed", "23s", 24, "0s")]
    sim.advance(10)
    # the spam filter's burst of 25 ends with the run at 26 s; the next is 5 minutes on
    assert _unhealthy(sim) == [("Unhealthy", "pod/probed", "33s", 25, "9s")]


def test_a_failing_run_is_the_probers_work_alone():
    """One sync per run (the prober's): the kubelet's pod sync, which would compute the
    whole status again, is not woken by a result that did not change."""
    sim = _started(NODE_WEB)
    syncs = sim.engine.syncs
    sim.advance(20)
    assert sim.engine.syncs - syncs == 20


@pytest.mark.parametrize("pod, act, ready_at, failed_runs", [
    pytest.param(NODE_WEB, lambda sim: sim.exec("probed", "touch /var/ready"), 11, 9,
                 id="a-file-touched-by-kubectl-exec"),
    pytest.param(busybox('[sh, -c, "sleep 8; touch /tmp/ready; sleep 3600"]',
                         "[cat, /tmp/ready]"), None, 10, 8, id="a-file-the-container-writes"),
    # 1619859612 is 09:00:12Z: nothing in the pod changes, only the prober's run sees it
    pytest.param(busybox('[sleep, "3600"]', '[sh, -c, "[ $(date +%s) -ge 1619859612 ]"]'),
                 None, 12, 10, id="a-probe-that-passes-as-time-goes-by"),
])
def test_the_run_that_passes_writes_ready_at_that_moment(pod, act, ready_at, failed_runs):
    sim = _started(pod)
    since = sim.rv
    sim.advance(5.5)
    if act is not None:
        act(sim)
    sim.advance(10)
    written = [(w["type"], _ready(w["object"])) for w in sim.api.watch("pods", since=since)]
    assert written == [("MODIFIED", ("True", f"2021-05-01T09:00:{ready_at:02}Z"))]
    assert [row[3] for row in _unhealthy(sim)] == [failed_runs]

