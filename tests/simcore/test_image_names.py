"""One image-name normaliser (exec/imageref.py) for status.image, status.imageID and pull
errors, parsing as distribution's `reference.ParseNormalizedNamed` does.

The kubelet's status writer once had a second, ad hoc normaliser that put a registry with a
port but no dot (`localhost:5000/app`) and `localhost/app` under `docker.io/`; distribution
treats a first component with a dot, a colon or exactly `localhost` as the registry."""

import hashlib

import pytest

from simcore.exec.imageref import canonical_name, familiar_name
from simcore.node.podstatus import docker_image_id, image_id


def _sha(image: str) -> str:
    return hashlib.sha256(image.encode()).hexdigest()


@pytest.mark.parametrize("image, canonical, familiar, repository", [
    pytest.param("nginx", "docker.io/library/nginx:latest", "nginx:latest",
                 "docker.io/library/nginx", id="official-image"),
    pytest.param("whatwant/node-web:1.0", "docker.io/whatwant/node-web:1.0",
                 "whatwant/node-web:1.0", "docker.io/whatwant/node-web", id="hub-user"),
    pytest.param("registry.k8s.io/echoserver:1.10", "registry.k8s.io/echoserver:1.10",
                 "registry.k8s.io/echoserver:1.10", "registry.k8s.io/echoserver",
                 id="registry-with-dot"),
    pytest.param("localhost:5000/app:1.0", "localhost:5000/app:1.0", "localhost:5000/app:1.0",
                 "localhost:5000/app", id="registry-with-port"),
    pytest.param("myregistry:5000/team/app", "myregistry:5000/team/app:latest",
                 "myregistry:5000/team/app:latest", "myregistry:5000/team/app",
                 id="port-no-dot"),
    pytest.param("localhost/app", "localhost/app:latest", "localhost/app:latest",
                 "localhost/app", id="localhost"),
    pytest.param("index.docker.io/busybox", "docker.io/library/busybox:latest",
                 "busybox:latest", "docker.io/library/busybox", id="index-docker-io"),
])
def test_names_follow_distribution(image, canonical, familiar, repository):
    assert canonical_name(image) == canonical
    assert familiar_name(image) == familiar
    assert image_id(image) == f"{repository}@sha256:{_sha(image)}"
    short = repository.removeprefix("docker.io/").removeprefix("library/")
    assert docker_image_id(image) == f"docker-pullable://{short}@sha256:{_sha(image)}"


def test_an_unparsable_reference_is_reported_as_written():
    assert canonical_name("Nginx") == "Nginx"
    assert familiar_name("Nginx") == "Nginx"
