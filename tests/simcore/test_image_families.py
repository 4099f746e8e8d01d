"""Popular images by family and tag era: each pulls, runs and answers as the real one does."""

import pytest
import yaml

from simcore import Simulation
from simcore.exec.imagelookup import image_profile
from simcore.node import containers as rt


def run_pod(sim, image, **container):
    spec = {"name": "c", "image": image, **container}
    sim.apply(yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                              "spec": {"containers": [spec]}}), create=True)
    sim.advance(12)
    return sim.get("pods", "p")


def state_of(pod):
    [status] = pod["status"]["containerStatuses"]
    [(kind, detail)] = status["state"].items()
    return detail.get("reason") or kind


def logs(sim, pod="p"):
    state = sim.engine.by_name["kubelet"].state["pods"][f"default/{pod}"]["containers"]["c"]
    return "".join(text for _at, _s, text in rt.logs(state, sim.engine.clock.elapsed))


ANSWERS = [
    # image, extra container fields, the port, curl's exit code, what the answer starts with
    ("nginx:1.25", {}, 80, 0, "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!"),
    ("nginx:1.27-alpine", {}, 80, 0, "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!"),
    ("nginx:1.14", {}, 80, 0, "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!"),
    ("httpd:2.4", {}, 80, 0, "<html><body><h1>It works!</h1></body></html>\n"),
    ("redis:7", {}, 6379, 52, ""),
    ("gcr.io/google-samples/hello-app:1.0", {}, 8080, 0,
     "Hello, world!\nVersion: 1.0.0\nHostname: p\n"),
    ("gcr.io/google-samples/hello-app:2.0", {}, 8080, 0,
     "Hello, world!\nVersion: 2.0.0\nHostname: p\n"),
    ("registry.k8s.io/e2e-test-images/agnhost:2.39",
     {"args": ["netexec", "--http-port=8080"]}, 8080, 0, "NOW: 2021-05-01 09:00:12"),
    ("traefik/whoami", {}, 80, 0, "Hostname: p\nIP: 127.0.0.1\nIP: {ip}\n"),
    ("postgres:16", {"env": [{"name": "POSTGRES_PASSWORD", "value": "pw"}]}, 5432, 52, ""),
    ("mysql:8.0", {"env": [{"name": "MYSQL_ROOT_PASSWORD", "value": "pw"}]}, 3306, 52, ""),
    ("mariadb:11", {"env": [{"name": "MARIADB_ROOT_PASSWORD", "value": "pw"}]}, 3306, 52, ""),
    ("mongo:7", {}, 27017, 0, "It looks like you are trying to access MongoDB over HTTP"),
    ("memcached:1.6", {}, 11211, 52, ""),
    ("rabbitmq:3-management", {}, 15672, 0, "<!DOCTYPE html>"),
    ("registry.k8s.io/echoserver:1.10", {}, 8080, 0, "\n\nHostname: p\n"),
    ("busybox:1.28", {"command": ["sleep", "3600"]}, None, None, None),
]


@pytest.mark.parametrize("image, extra, port, code, answer",
                         [pytest.param(*row, id=row[0]) for row in ANSWERS])
def test_servers_pull_run_and_answer(image, extra, port, code, answer):
    sim = Simulation.from_preset("lecture", seed=0)
    pod = run_pod(sim, image, **extra)
    assert state_of(pod) == "running"
    if port is None:
        return
    ip = pod["status"]["podIP"]
    result = sim.exec_on_node("worker1", f"curl -s -m 3 http://{ip}:{port}/")
    assert result.exit_code == code
    assert result.stdout.startswith(answer.format(ip=ip))


@pytest.mark.parametrize("image, command", [
    pytest.param("python:3.12-slim", None, id="python-repl-without-terminal"),
    pytest.param("node:20-alpine", None, id="node-repl"),
    pytest.param("golang:1.22", None, id="golang-bash"),
    pytest.param("debian:bookworm-slim", None, id="debian-bash"),
    pytest.param("ubuntu:22.04", None, id="ubuntu-bash"),
    pytest.param("alpine:3.19", None, id="alpine-sh"),
    pytest.param("nicolaka/netshoot", None, id="netshoot-zsh"),
    pytest.param("busybox:1.28", None, id="busybox-sh"),
])
def test_interactive_defaults_exit_and_crash_loop(image, command):
    """With no terminal their CMD (a shell, a REPL) reads EOF and exits 0: restarted."""
    sim = Simulation.from_preset("lecture", seed=0)
    pod = run_pod(sim, image)
    assert state_of(pod) == "CrashLoopBackOff"
    [status] = pod["status"]["containerStatuses"]
    assert status["lastState"]["terminated"]["exitCode"] == 0


POSTGRES_ERROR = (
    "Error: Database is uninitialized and superuser password is not specified.\n"
    "       You must specify POSTGRES_PASSWORD to a non-empty value for the\n"
    '       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".\n')


@pytest.mark.parametrize("image, message", [
    pytest.param("postgres:16", POSTGRES_ERROR, id="postgres"),
    pytest.param("postgres:13-alpine", POSTGRES_ERROR, id="postgres-alpine"),
    pytest.param("mysql:8.0", "[ERROR] [Entrypoint]: Database is uninitialized and password "
                 "option is not specified\n    You need to specify one of the following as an "
                 "environment variable:\n    - MYSQL_ROOT_PASSWORD\n", id="mysql"),
    pytest.param("mariadb:11", "[ERROR] [Entrypoint]: Database is uninitialized and password "
                 "option is not specified\n\tYou need to specify one of MARIADB_ROOT_PASSWORD",
                 id="mariadb"),
])
def test_databases_need_their_environment(image, message):
    sim = Simulation.from_preset("lecture", seed=0)
    pod = run_pod(sim, image)
    assert state_of(pod) == "CrashLoopBackOff"
    [status] = pod["status"]["containerStatuses"]
    assert (status["lastState"]["terminated"]["exitCode"],
            status["lastState"]["terminated"]["reason"]) == (1, "Error")
    assert message in logs(sim)


@pytest.mark.parametrize("image", [
    pytest.param("ngnix", id="typo"),
    pytest.param("nginx:0.9", id="tag-never-published"),
    pytest.param("redis:99", id="future-major"),
    pytest.param("myorg/private-app:1.0", id="private-repo"),
])
def test_names_no_registry_serves_fail_to_pull(image):
    sim = Simulation.from_preset("lecture", seed=0)
    pod = run_pod(sim, image)
    assert state_of(pod) in ("ErrImagePull", "ImagePullBackOff")
    assert image_profile(image) is None


@pytest.mark.parametrize("image, has, lacks, tools", [
    pytest.param("nginx:1.14", {"nginx", "bash"}, {"curl", "wget"}, {}, id="nginx-stretch"),
    pytest.param("nginx:1.25", {"curl", "nginx"}, {"wget"}, {"curl": "7.88.1"},
                 id="nginx-bookworm"),
    pytest.param("nginx:1.27-alpine", {"curl", "wget", "nslookup"}, {"bash"},
                 {"curl": "8.11.1", "libc": "musl"}, id="nginx-alpine"),
    pytest.param("python:3.12", {"python3", "curl", "wget", "git"}, set(),
                 {"curl": "7.88.1"}, id="python-full"),
    pytest.param("python:3.12-slim", {"python3", "bash"}, {"curl", "wget"}, {},
                 id="python-slim"),
    pytest.param("python:3.9-bullseye", {"python3", "curl"}, set(), {"curl": "7.74.0"},
                 id="python-bullseye"),
    pytest.param("node:20-alpine", {"node", "npm", "wget"}, {"curl", "bash"}, {},
                 id="node-alpine"),
    pytest.param("busybox:1.28", {"nslookup", "wget"}, {"curl"},
                 {"nslookup": "busybox-old", "busybox": "1.28.4"}, id="busybox-1.28-dns-page"),
    pytest.param("busybox:1.36", {"nslookup"}, {"curl"}, {"nslookup": "busybox"},
                 id="busybox-new-nslookup"),
    pytest.param("alpine:3.19", {"wget", "apk"}, {"curl", "bash"},
                 {"wget": "busybox-1.36.1"}, id="alpine"),
    pytest.param("debian:bullseye", {"bash"}, {"curl", "wget", "nslookup"}, {"bash": "5.1"},
                 id="debian"),
    pytest.param("traefik/whoami:v1.10.1", {"whoami"}, {"sh", "curl"}, {}, id="whoami-scratch"),
    pytest.param("curlimages/curl:8.5.0", {"curl", "sh"}, {"bash"}, {"curl": "8.5.0"},
                 id="curl-image"),
    pytest.param("nicolaka/netshoot", {"curl", "dig", "tcpdump", "bash"}, set(), {},
                 id="netshoot"),
])
def test_what_each_tag_era_contains(image, has, lacks, tools):
    profile = image_profile(image)
    assert profile is not None
    assert {c for c in has if not profile.has(c)} == set()
    assert {c for c in lacks if profile.has(c)} == set()
    assert {k: profile.tool(k) for k in tools} == tools
    assert profile.confidence in ("high", "medium", "low") and profile.sources


def test_the_exact_catalogue_still_wins():
    assert image_profile("nginx:1.14.2").sources.startswith("nginxinc/docker-nginx stable/stretch")
    assert image_profile("busybox").name == "busybox:latest"


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: 3
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: "{image}"}}]
"""


def test_a_deployment_rolled_from_one_tag_to_another_finishes():
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(DEPLOYMENT.format(image="nginx:1.25"), create=True)
    sim.advance(30)
    sim.apply(DEPLOYMENT.format(image="nginx:1.27"))
    sim.advance(120)
    deploy = sim.get("deployments", "web")
    status = deploy["status"]
    assert (status["replicas"], status["updatedReplicas"], status["availableReplicas"]) == \
        (3, 3, 3)
    progressing = next(c for c in status["conditions"] if c["type"] == "Progressing")
    assert progressing["reason"] == "NewReplicaSetAvailable"
    pods = [p for p in sim.list("pods") if not p["metadata"].get("deletionTimestamp")]
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.27"}


@pytest.mark.parametrize("image, variable", [
    pytest.param("nginx:1.25", "NGINX_VERSION=1.25.5", id="nginx-line"),
    pytest.param("redis:6", "REDIS_VERSION=6.2.16", id="redis-major"),
    pytest.param("postgres:16", "PG_VERSION=16.6", id="postgres-major"),
    pytest.param("postgres:16.4-alpine", "PG_VERSION=16.4", id="postgres-exact"),
    pytest.param("python:3.12-slim", "PYTHON_VERSION=3.12.8", id="python-line"),
    pytest.param("node:20-alpine", "NODE_VERSION=20.18.1", id="node-major"),
    pytest.param("golang:1.22", "GOLANG_VERSION=1.22.10", id="golang-line"),
])
def test_a_tag_naming_a_release_line_is_its_newest_release(image, variable):
    assert variable in image_profile(image).env


DENIED = ("rpc error: code = Unknown desc = Error response from daemon: pull access denied for "
          "{name}, repository does not exist or may require 'docker login': denied: requested "
          "access to the resource is denied")
NO_MANIFEST = ("rpc error: code = Unknown desc = Error response from daemon: manifest for {name} "
               "not found: manifest unknown: manifest unknown")


@pytest.mark.parametrize("image, message", [
    pytest.param("ngnix", DENIED.format(name="ngnix"), id="typo"),
    pytest.param("myorg/private-app:1.0", DENIED.format(name="myorg/private-app"),
                 id="private-repo"),
    pytest.param("nginx:0.9", NO_MANIFEST.format(name="nginx:0.9"), id="missing-tag"),
    pytest.param("gcr.io/google-samples/hello-app:9.9",
                 NO_MANIFEST.format(name="gcr.io/google-samples/hello-app:9.9"),
                 id="other-registry"),
])
def test_docker_nodes_report_the_daemons_pull_error(image, message):
    """The lecture's nodes run Docker 20.10 (dockershim): the daemon's words."""
    sim = Simulation.from_preset("lecture", seed=0)
    pod = run_pod(sim, image)
    [status] = pod["status"]["containerStatuses"]
    failed = [e["message"] for e in sim.list("events")
              if e["reason"] == "Failed" and e["message"].startswith("Failed to pull")]
    assert failed[0] == f'Failed to pull image "{image}": {message}'
    if status["state"]["waiting"]["reason"] == "ErrImagePull":
        assert status["state"]["waiting"]["message"] == message
