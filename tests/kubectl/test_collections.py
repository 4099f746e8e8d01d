"""Collection verbs through the official Python client: deletecollection and chunked lists."""

from __future__ import annotations

import json
import urllib.error

import pytest
from kubernetes import client, config

pytest_plugins = ["kubectl_fixtures"]  # fixtures; see kubectl_fixtures.py for why not conftest.py


@pytest.fixture
def api(kubectl) -> client.ApiClient:
    with config.new_client_from_config(config_file=str(kubectl.kubeconfig)) as api_client:
        yield api_client


def _config_maps(core: client.CoreV1Api, count: int, labels: dict | None = None) -> None:
    for i in range(count):
        core.create_namespaced_config_map("default", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name=f"cm-{i:02d}", labels=labels or {"i": str(i)})))


def _names(core: client.CoreV1Api) -> list[str]:
    return [c.metadata.name for c in core.list_namespaced_config_map("default").items
            if c.metadata.name.startswith("cm-")]


@pytest.mark.parametrize("selectors, left", [
    pytest.param({"label_selector": "i in (1,3)"}, ["cm-00", "cm-02"], id="label"),
    pytest.param({"field_selector": "metadata.name=cm-02"}, ["cm-00", "cm-01", "cm-03"],
                 id="field"),
    pytest.param({"label_selector": "i!=0", "field_selector": "metadata.name!=cm-01"},
                 ["cm-00", "cm-01"], id="both"),
])
def test_delete_collection_deletes_what_the_selectors_pick(api, selectors, left):
    core = client.CoreV1Api(api)
    _config_maps(core, 4)
    status = core.delete_collection_namespaced_config_map("default", **selectors)
    assert status is not None
    assert _names(core) == left


def test_delete_collection_answers_the_list_of_deleted_objects(kubectl, api):
    _config_maps(client.CoreV1Api(api), 3)
    url = "/api/v1/namespaces/default/configmaps?labelSelector=i%3D1"
    with kubectl.request(url, method="DELETE") as r:
        answer = json.loads(r.read())
    assert (answer["kind"], answer["apiVersion"]) == ("ConfigMapList", "v1")
    assert [i["metadata"]["name"] for i in answer["items"]] == ["cm-01"]


def test_delete_collection_with_the_clients_method(api):
    core = client.CoreV1Api(api)
    _config_maps(core, 3, {"batch": "b1"})
    core.delete_collection_namespaced_config_map("default", label_selector="batch=b1")
    assert _names(core) == []


def test_delete_collection_across_namespaces_is_not_allowed(kubectl, api):
    core = client.CoreV1Api(api)
    _config_maps(core, 1)
    with pytest.raises(urllib.error.HTTPError) as caught:
        kubectl.request("/api/v1/configmaps", method="DELETE")
    assert caught.value.code == 405
    assert _names(core) == ["cm-00"]


def test_the_python_client_pages_through_a_list(api):
    core = client.CoreV1Api(api)
    _config_maps(core, 5)
    first = core.list_namespaced_config_map("default", limit=2)
    assert [c.metadata.name for c in first.items] == ["cm-00", "cm-01"]
    assert first.metadata.remaining_item_count == 4  # cm-02..04 and kube-root-ca.crt
    names, token = [], first.metadata.var_continue
    while token:
        page = core.list_namespaced_config_map("default", limit=2, _continue=token)
        assert page.metadata.resource_version == first.metadata.resource_version
        names += [c.metadata.name for c in page.items]
        token = page.metadata.var_continue
    assert names == ["cm-02", "cm-03", "cm-04", "kube-root-ca.crt"]


def test_kubectl_get_in_chunks_shows_the_same_rows(kubectl):
    whole = kubectl("get", "pods", "-A", "-o", "name").stdout
    chunked = kubectl("get", "pods", "-A", "-o", "name", "--chunk-size=3", "-v=6")
    assert chunked.stdout == whole and whole.count("\n") > 6
    assert chunked.stderr.count("/api/v1/pods?limit=3") == 1
    assert chunked.stderr.count("&limit=3") + chunked.stderr.count("continue=") >= 2
