"""Container and image IDs name the runtime the node reports (`containerRuntimeVersion`)."""

import re

import pytest

from simcore import Simulation

POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: worker1
  containers:
  - {name: web, image: whatwant/node-web:1.0}
"""


def use_runtime(sim, version):
    def edit(node):
        node["status"]["nodeInfo"]["containerRuntimeVersion"] = version
    sim.api.mutate("nodes", "worker1", None, edit, subresource="status")


@pytest.mark.parametrize("runtime, image, image_id, container_id", [
    # dockershim: docker's short names, docker-pullable:// digests, docker:// ids
    pytest.param("docker://20.10.1", "whatwant/node-web:1.0",
                 r"docker-pullable://whatwant/node-web@sha256:[0-9a-f]{64}",
                 r"docker://[0-9a-f]{64}", id="lecture-docker"),
    pytest.param("containerd://1.7.24", "docker.io/whatwant/node-web:1.0",
                 r"docker\.io/whatwant/node-web@sha256:[0-9a-f]{64}",
                 r"containerd://[0-9a-f]{64}", id="containerd"),
])
def test_ids_follow_the_nodes_runtime(runtime, image, image_id, container_id):
    sim = Simulation.from_preset("lecture", seed=0)
    use_runtime(sim, runtime)
    sim.apply(POD, create=True)
    sim.advance(5)
    [status] = sim.get("pods", "web")["status"]["containerStatuses"]
    assert status["image"] == image
    assert re.fullmatch(image_id, status["imageID"])
    assert re.fullmatch(container_id, status["containerID"])


def test_the_lectures_system_pods_run_on_docker():
    sim = Simulation.from_preset("lecture", seed=0)
    ids = {c["containerID"].split("://")[0] for p in sim.list("pods", "kube-system")
           for c in p["status"]["containerStatuses"]}
    assert ids == {"docker"}
