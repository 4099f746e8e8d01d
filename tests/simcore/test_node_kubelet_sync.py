"""The kubelet, sample-controller style: seed a store, run one sync(key), compare what it
wrote, the Events it recorded and the pod's status."""

import pytest
from fakecluster import actions, node, pod, recorded, seeded

from simcore.node.kubelet import Kubelet
from simcore.node.records import pod_record

NO_DELAY = {"pod_startup_seconds": 0}
PULLED = ("Normal", "Pulled", 'Successfully pulled image "nginx" in 1.2s (1.2s including '
          "waiting). Image size: 46021612 bytes.")
STARTED = [("Normal", "Pulling", 'Pulling image "nginx"'), PULLED,
           ("Normal", "Created", "Created container: web"),
           ("Normal", "Started", "Started container web")]
BAD_IMAGE = "no-such-image-anywhere"
PULL_ERROR = (f'failed to pull and unpack image "docker.io/library/{BAD_IMAGE}:latest": '
              f'failed to resolve reference "docker.io/library/{BAD_IMAGE}:latest": pull '
              "access denied, repository does not exist or may require authorization: server "
              "message: insufficient_scope: authorization failed")


def _status(engine) -> tuple:
    """(phase, podIP, the container's state) of default/web, None when it is gone."""
    found = engine.store.get("pods", "default", "web")
    if found is None:
        return None
    status = found["status"]
    states = [list(s["state"].items())[0] for s in status.get("containerStatuses") or []]
    return status.get("phase"), status.get("podIP"), states


@pytest.mark.parametrize("objects, config, expected_actions, events, status", [
    pytest.param([("nodes", node()), ("pods", pod())], NO_DELAY,
                 ["MODIFIED pods default/web"], STARTED,
                 ("Running", "10.244.1.2", [("running", {"startedAt": "2021-05-01T09:00:00Z"})]),
                 id="bound-pod-starts"),
    pytest.param([("nodes", node()), ("pods", pod())], {"pod_startup_seconds": 2},
                 ["MODIFIED pods default/web"], [],
                 ("Pending", "10.244.1.2", [("waiting", {"reason": "ContainerCreating"})]),
                 id="sandbox-first-then-containers"),
    pytest.param([("nodes", node()), ("pods", pod(image=BAD_IMAGE))], NO_DELAY,
                 ["MODIFIED pods default/web"],
                 [("Normal", "Pulling", f'Pulling image "{BAD_IMAGE}"'),
                  ("Warning", "Failed", f'Failed to pull image "{BAD_IMAGE}": {PULL_ERROR}'),
                  ("Warning", "Failed", "Error: ErrImagePull")],
                 ("Pending", "10.244.1.2",
                  [("waiting", {"reason": "ErrImagePull", "message": PULL_ERROR})]),
                 id="unknown-image-fails-to-pull"),
    pytest.param([("nodes", node(ready="Unknown")), ("pods", pod())], NO_DELAY, [], [],
                 ("Pending", None, []), id="node-not-ready-does-nothing"),
    pytest.param([("nodes", node()), ("pods", pod(node_name=None))], NO_DELAY, [], [],
                 ("Pending", None, []), id="unbound-pod-is-not-this-kubelets"),
    pytest.param([("nodes", node()), ("pods", {**pod(), "status": {"phase": "Succeeded"}})],
                 NO_DELAY, [], [], ("Succeeded", None, []), id="finished-pod-is-not-restarted"),
    pytest.param([("nodes", node()),
                  ("pods", pod(deletionTimestamp="2021-05-01T09:00:00Z",
                               deletionGracePeriodSeconds=30))],
                 NO_DELAY, ["DELETED pods default/web"], [], None,
                 id="pod-marked-for-deletion-without-containers-goes"),
    pytest.param([("nodes", node())], NO_DELAY, [], [], None, id="pod-gone-does-nothing"),
])
def test_one_sync(objects, config, expected_actions, events, status):
    engine, kubelet = seeded(Kubelet, objects, config=config)
    since = engine.store.rv
    kubelet.sync("default/web")
    assert actions(engine, since) == expected_actions
    assert recorded(engine) == events
    assert _status(engine) == status


def test_a_sync_after_the_pod_was_replaced_starts_a_new_sandbox():
    engine, kubelet = seeded(Kubelet, [("nodes", node()), ("pods", pod())], config=NO_DELAY)
    kubelet.sync("default/web")
    old = engine.store.get("pods", "default", "web")
    engine.store.remove("pods", "default", "web")
    engine.store.put("pods", {**pod(), "metadata": {**pod()["metadata"], "uid": "uid-web-2"}})
    new = engine.store.get("pods", "default", "web")
    # the record under that name is the old pod's until the kubelet looks again
    assert pod_record(engine.runtime, old) is not None
    assert pod_record(engine.runtime, new) is None
    kubelet.sync("default/web")
    assert pod_record(engine.runtime, new)["uid"] == "uid-web-2"
    assert pod_record(engine.runtime, old) is None
    # the old sandbox's IP went back to the pool, and the new one got the next address
    assert _status(engine)[1] == "10.244.1.3"
