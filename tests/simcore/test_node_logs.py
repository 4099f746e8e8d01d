"""Which run of a container's log `kubectl logs` reads (Simulation.container_log), and the
API server's words when there is none to read."""

import pytest
from fakecluster import node, pod, seeded

from simcore import BadRequest, Simulation
from simcore.node.kubelet import Kubelet

NGINX_LAST = "2021/05/01 09:00:00 [notice] 1#1: start worker process 29\n"


def _sim(*pods, startup: float = 0) -> Simulation:
    engine, kubelet = seeded(Kubelet, [("nodes", node())] + [("pods", p) for p in pods],
                             config={"pod_startup_seconds": startup})
    for p in pods:
        kubelet.sync(f"default/{p['metadata']['name']}")
    return Simulation(engine)


def test_a_running_container_serves_its_current_run():
    found = _sim(pod()).container_log("web")
    assert (len(found.lines), found.lines[-1][2], found.started_at, found.live) == (
        15, NGINX_LAST, 0.0, True)


def _two_containers() -> dict:
    two = pod()
    two["spec"]["containers"] = [{"name": "a", "image": "nginx"}, {"name": "b", "image": "nginx"}]
    return two


@pytest.mark.parametrize("pods, startup, ask, message", [
    pytest.param([pod()], 0, {"previous": True},
                 'previous terminated container "web" in pod "web" not found',
                 id="previous-without-a-terminated-run"),
    pytest.param([pod()], 2, {},
                 'container "web" in pod "web" is waiting to start: ContainerCreating',
                 id="not-started-yet"),
    pytest.param([pod()], 0, {"container": "nope"}, "container nope is not valid for pod web",
                 id="unknown-container"),
    pytest.param([_two_containers()], 0, {},
                 "a container name must be specified for pod web, choose one of: [a b]",
                 id="several-containers-and-none-named"),
])
def test_refusals(pods, startup, ask, message):
    with pytest.raises(BadRequest) as refused:
        _sim(*pods, startup=startup).container_log("web", **ask)
    assert refused.value.status["message"] == message


def test_a_pod_recreated_under_the_same_name_does_not_show_its_predecessors_log():
    sim = _sim(pod())
    sim.engine.store.remove("pods", "default", "web")
    sim.engine.store.put("pods", {**pod(), "metadata": {**pod()["metadata"], "uid": "uid-2"}})
    # the kubelet has not looked yet: its record under default/web is the old pod's
    with pytest.raises(BadRequest) as refused:
        sim.container_log("web")
    assert refused.value.status["message"] == (
        'container "web" in pod "web" is waiting to start: ContainerCreating')
