"""The official Python client (`kubernetes`) against a running server: its models must parse
every answer, or it raises."""

from __future__ import annotations

import time

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import stream

pytest_plugins = ["kubectl_fixtures"]  # fixtures; see kubectl_fixtures.py for why not conftest.py

RS = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs-node-web"},
      "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "node-web"}},
               "template": {"metadata": {"labels": {"app": "node-web"}},
                            "spec": {"containers": [{"name": "node-web",
                                                     "image": "whatwant/node-web:1.0"}]}}}}


@pytest.fixture
def api(kubectl) -> client.ApiClient:
    with config.new_client_from_config(config_file=str(kubectl.kubeconfig)) as api_client:
        yield api_client


def test_it_lists_pods_in_every_namespace(api):
    pods = client.CoreV1Api(api).list_pod_for_all_namespaces()
    namespaces = [p.metadata.namespace for p in pods.items]
    assert (namespaces.count("kube-system"), namespaces.count("ingress-nginx")) == (12, 1)
    assert all(p.status.phase == "Running" for p in pods.items)


def test_it_creates_reads_and_deletes_a_configmap(api):
    core = client.CoreV1Api(api)
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings"),
                              data={"colour": "blue"})
    created = core.create_namespaced_config_map("default", body)
    assert created.metadata.uid and created.data == {"colour": "blue"}
    read = core.read_namespaced_config_map("settings", "default")
    assert read.metadata.resource_version == created.metadata.resource_version
    status = core.delete_namespaced_config_map("settings", "default")  # a plain dict here
    assert (status["kind"], status["status"]) == ("Status", "Success")
    with pytest.raises(ApiException) as caught:
        core.read_namespaced_config_map("settings", "default")
    assert caught.value.status == 404


def test_it_scales_a_replicaset_by_patching_its_scale(api):
    apps = client.AppsV1Api(api)
    apps.create_namespaced_replica_set("default", RS)
    scale = apps.patch_namespaced_replica_set_scale("rs-node-web", "default",
                                                    {"spec": {"replicas": 5}})
    assert isinstance(scale, client.V1Scale) and scale.spec.replicas == 5
    assert apps.read_namespaced_replica_set_scale("rs-node-web", "default").status.selector == \
        "app=node-web"
    pods = client.CoreV1Api(api).list_namespaced_pod("default", label_selector="app=node-web")
    assert len(pods.items) == 5


def test_it_deletes_a_pod_and_gets_the_pod_back(api):
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    apps.create_namespaced_replica_set("default", RS)
    name = core.list_namespaced_pod("default").items[0].metadata.name
    deleted = core.delete_namespaced_pod(name, "default")
    assert isinstance(deleted, client.V1Pod) and deleted.metadata.name == name
    gone = apps.delete_namespaced_replica_set("rs-node-web", "default")
    assert (gone["kind"], gone["details"]["name"]) == ("Status", "rs-node-web")
    with pytest.raises(ApiException) as caught:
        apps.read_namespaced_replica_set("rs-node-web", "default")
    assert caught.value.status == 404


def test_it_watches_pods_start_until_the_timeout(api):
    client.AppsV1Api(api).create_namespaced_replica_set("default", RS)
    seen: dict[str, list[str]] = {}
    started = time.monotonic()
    for event in watch.Watch().stream(client.CoreV1Api(api).list_namespaced_pod, "default",
                                      timeout_seconds=4):
        pod = event["object"]
        assert isinstance(pod, client.V1Pod)
        seen.setdefault(pod.metadata.name, []).append(f"{event['type']} {pod.status.phase}")
    assert 3.5 < time.monotonic() - started < 10  # the server ended the watch on time
    assert len(seen) == 3
    for events in seen.values():  # the initial list, then the kubelet starting the container
        assert events[0] == "ADDED Pending" and events[-1] == "MODIFIED Running"


def test_it_execs_a_command_in_a_pod(api):
    core = client.CoreV1Api(api)
    client.AppsV1Api(api).create_namespaced_replica_set("default", RS)
    name = core.list_namespaced_pod("default").items[0].metadata.name
    deadline = time.monotonic() + 20
    while core.read_namespaced_pod(name, "default").status.phase != "Running":
        assert time.monotonic() < deadline, "the pod did not start"
        time.sleep(0.5)
    out = stream(core.connect_get_namespaced_pod_exec, name, "default", command=["hostname"],
                 stdout=True, stderr=True, stdin=False, tty=False)
    assert out == f"{name}\n"
    resolv = stream(core.connect_get_namespaced_pod_exec, name, "default",
                    command=["cat", "/etc/resolv.conf"], stdout=True, stderr=True, stdin=False,
                    tty=False)
    assert resolv.splitlines()[0] == "nameserver 10.96.0.10"
    failed = stream(core.connect_get_namespaced_pod_exec, name, "default",
                    command=["cat", "/no/such/file"], stdout=True, stderr=True, stdin=False,
                    tty=False, _preload_content=False)
    failed.run_forever(timeout=10)
    assert failed.returncode == 1
    assert failed.read_stderr() == "cat: /no/such/file: No such file or directory\n"
