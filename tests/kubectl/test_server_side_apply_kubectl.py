"""Server-side apply and managedFields, through the bundled kubectl and the Python client."""

from __future__ import annotations

import json

import pytest
import yaml
from kubernetes import client, config

pytest_plugins = ["kubectl_fixtures"]  # fixtures; see kubectl_fixtures.py for why not conftest.py

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx
"""
CONFIG_MAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  colour: {colour}
{extra}"""


def _write(tmp_path, text: str):
    path = tmp_path / "manifest.yaml"
    path.write_text(text)
    return str(path)


def _managers(kubectl, resource: str) -> list[tuple[str, str]]:
    obj = json.loads(kubectl("get", resource, "-o", "json", "--show-managed-fields").stdout)
    return [(m["manager"], m["operation"]) for m in obj["metadata"].get("managedFields", [])]


def test_apply_server_side_creates_and_records_the_apply(kubectl, tmp_path):
    manifest = _write(tmp_path, DEPLOYMENT.format(replicas=2))
    assert kubectl("apply", "--server-side", "-f", manifest).stdout == \
        "deployment.apps/web serverside-applied\n"
    shown = yaml.safe_load(kubectl("get", "deployment", "web", "-o", "yaml",
                                   "--show-managed-fields").stdout)
    entry, = shown["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"], entry["fieldsType"]) == \
        ("kubectl", "Apply", "apps/v1", "FieldsV1")
    assert entry["fieldsV1"]["f:spec"]["f:replicas"] == {}
    assert entry["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"] == \
        {'k:{"name":"nginx"}': {".": {}, "f:image": {}, "f:name": {}}}
    assert entry["time"] == shown["metadata"]["creationTimestamp"]  # the cluster's clock
    hidden = yaml.safe_load(kubectl("get", "deployment", "web", "-o", "yaml").stdout)
    assert "managedFields" not in hidden["metadata"]
    # the same configuration again changes nothing
    again = kubectl("apply", "--server-side", "-f", manifest).stdout
    assert again == "deployment.apps/web serverside-applied\n"
    # (the controllers keep writing the status: the generation and the entry tell)
    after = yaml.safe_load(kubectl("get", "deployment", "web", "-o", "yaml",
                                   "--show-managed-fields").stdout)["metadata"]
    assert after["generation"] == 1 and after["managedFields"] == [entry]


def test_a_conflict_with_client_side_apply_and_force_conflicts(kubectl, tmp_path):
    kubectl("apply", "-f", _write(tmp_path, CONFIG_MAP.format(colour="blue", extra="")))
    assert _managers(kubectl, "configmap/settings") == [("kubectl-client-side-apply", "Update")]
    manifest = _write(tmp_path, CONFIG_MAP.format(colour="red", extra=""))
    refused = kubectl("apply", "--server-side", "-f", manifest, check=False)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        'error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" '
        "using v1: .data.colour\nPlease review the fields above--they currently have other "
        "managers.")
    assert "--force-conflicts" in refused.stderr
    kubectl("apply", "--server-side", "--force-conflicts", "-f", manifest)
    obj = json.loads(kubectl("get", "configmap", "settings", "-o", "json",
                             "--show-managed-fields").stdout)
    assert obj["data"] == {"colour": "red"}
    # kubectl moved the client-side apply's fields to its own Apply entry first (its
    # csaupgrade), then the forced apply took the value; the last-applied annotation is
    # kept up to date by a second apply of its own
    owners = {m["manager"]: m["fieldsV1"] for m in obj["metadata"]["managedFields"]}
    assert sorted(owners) == ["kubectl", "kubectl-last-applied"]
    assert owners["kubectl"]["f:data"] == {"f:colour": {}}
    assert owners["kubectl-last-applied"] == {"f:metadata": {"f:annotations": {
        "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}


def test_fields_no_longer_applied_are_removed(kubectl, tmp_path):
    kubectl("apply", "--server-side", "-f", _write(
        tmp_path, CONFIG_MAP.format(colour="blue", extra="  size: big\n")))
    kubectl("apply", "--server-side", "-f", _write(tmp_path, CONFIG_MAP.format(
        colour="blue", extra="")))
    obj = json.loads(kubectl("get", "configmap", "settings", "-o", "json").stdout)
    assert obj["data"] == {"colour": "blue"}


def test_scale_after_apply_conflicts_on_replicas(kubectl, tmp_path):
    manifest = _write(tmp_path, DEPLOYMENT.format(replicas=2))
    kubectl("apply", "--server-side", "-f", manifest)
    kubectl("scale", "deployment/web", "--replicas=4")
    assert ("kubectl", "Apply") in _managers(kubectl, "deployment/web")
    refused = kubectl("apply", "--server-side", "-f", manifest, check=False)
    # kubectl scale names no manager: the apiserver takes the User-Agent's `kubectl`
    assert refused.stderr.startswith(
        'error: Apply failed with 1 conflict: conflict with "kubectl" with subresource '
        '"scale" using apps/v1: .spec.replicas\n')


@pytest.fixture
def api(kubectl) -> client.ApiClient:
    with config.new_client_from_config(config_file=str(kubectl.kubeconfig)) as api_client:
        yield api_client


def test_the_python_client_applies_with_its_content_type(api):
    core = client.CoreV1Api(api)
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"},
            "data": {"k": "v"}}
    made = core.patch_namespaced_config_map("applied", "default", body, field_manager="ops",
                                            _content_type="application/apply-patch+yaml")
    assert made.data == {"k": "v"}
    assert [(m.manager, m.operation) for m in made.metadata.managed_fields] == [("ops", "Apply")]
    with pytest.raises(client.ApiException) as refused:
        core.patch_namespaced_config_map("applied", "default", body,
                                         _content_type="application/apply-patch+yaml")
    assert refused.value.status == 422
    assert json.loads(refused.value.body)["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
        "is required for apply patch")


def test_force_is_refused_on_other_patches(api):
    core = client.CoreV1Api(api)
    core.create_namespaced_config_map("default", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="plain"), data={"a": "a"}))
    with pytest.raises(client.ApiException) as refused:
        core.patch_namespaced_config_map("plain", "default", {"data": {"a": "b"}}, force=True,
                                         _content_type="application/merge-patch+json")
    status = json.loads(refused.value.body)
    assert (status["code"], status["reason"], status["message"]) == (
        422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be '
        "specified for non-apply patch")
    # the create itself was recorded for the client's User-Agent prefix
    made = core.read_namespaced_config_map("plain", "default")
    assert [(m.manager, m.operation) for m in made.metadata.managed_fields] == [
        ("OpenAPI-Generator", "Update")]
