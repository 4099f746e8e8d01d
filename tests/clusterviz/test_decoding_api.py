"""Typed decoding through the HTTP API (Django's test client): the Status a client reads."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["django_fixtures"]  # fixtures; see django_fixtures.py for why not conftest.py

pytestmark = pytest.mark.django_db

BASE = "/k8s/clusters/lecture"
INGRESSES = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
SLICES = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"
CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


def _post(client, path, body, content_type="application/json"):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(BASE + path, data=data, content_type=content_type)


def _bad_request(message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": "BadRequest", "code": 400}


@pytest.mark.parametrize(("path", "body", "content_type", "message"), [
    pytest.param(INGRESSES, {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                             "metadata": {"name": "ing"}, "spec": {"rules": [5]}},
                 "application/json", 'Ingress in version "v1" cannot be handled as a Ingress: '
                 "json: cannot unmarshal number into Go struct field IngressSpec.spec.rules of "
                 "type v1.IngressRule", id="ingress-json"),
    pytest.param(SLICES, "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: "
                 "{name: es}\naddressType: IPv4\nendpoints: [5]\n", "application/yaml",
                 'EndpointSlice in version "v1" cannot be handled as a EndpointSlice: json: '
                 "cannot unmarshal number into Go struct field EndpointSlice.endpoints of type "
                 "v1.Endpoint", id="endpointslice-yaml"),
    pytest.param(DEPLOYMENTS, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
                 "spec: {replicas: .inf}\n", "application/yaml",
                 "error converting YAML to JSON: json: unsupported value: +Inf",
                 id="replicas-inf-yaml"),
    pytest.param(CONFIGMAPS + "?fieldValidation=Strict",
                 {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                  "status": {}}, "application/json",
                 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding '
                 'error: unknown field "status"', id="strict-unknown"),
])
def test_a_body_the_decoder_refuses_is_a_bad_request(client, cluster, path, body,
                                                     content_type, message):
    response = _post(client, path, body, content_type)
    assert (response.status_code, response.json()) == (400, _bad_request(message))
    name = body["metadata"]["name"] if isinstance(body, dict) else \
        body.split("metadata: {name: ")[1].split("}")[0]
    assert client.get(f"{BASE}{path.split('?')[0]}/{name}").status_code == 404


@pytest.mark.parametrize(("mode", "warning"), [
    pytest.param("Warn", '299 - "unknown field \\"status\\""', id="warn"),
    pytest.param("Ignore", None, id="ignore"),
])
def test_unknown_fields_are_pruned_from_what_is_stored(client, cluster, mode, warning):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"k": "v"}, "status": {"phase": "x"}}
    response = _post(client, f"{CONFIGMAPS}?fieldValidation={mode}", body)
    assert response.status_code == 201
    assert response.headers.get("Warning") == warning
    assert "status" not in response.json()
    stored = client.get(BASE + CONFIGMAPS + "/c").json()
    assert "status" not in stored and stored["data"] == {"k": "v"}


DP = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: dp, labels: {app: a}}\n"
      "spec:\n  replicas: 1\n  selector: {matchLabels: {app: a}}\n"
      "  template:\n    metadata: {labels: {app: a}}\n"
      "    spec: {containers: [{name: c, image: nginx}]}\n")
PREFIX = 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal '


@pytest.mark.parametrize(("old", "new", "message"), [
    pytest.param("metadata: {name: dp, labels: {app: a}}", "metadata: 5",
                 PREFIX + "number into Go struct field Deployment.metadata of type v1.ObjectMeta",
                 id="metadata-5"),
    pytest.param("labels: {app: a}}", "labels: [1]}", PREFIX + "array into Go struct field "
                 "ObjectMeta.metadata.labels of type map[string]string", id="labels-list"),
    pytest.param("name: dp,", "name: dp, namespace: {x: 1},", PREFIX + "object into Go struct "
                 "field ObjectMeta.metadata.namespace of type string", id="namespace-object"),
    pytest.param("replicas: 1", "replicas: .inf",
                 "error converting YAML to JSON: json: unsupported value: +Inf", id="replicas-inf"),
    pytest.param("replicas: 1", "replicas: 2.5", PREFIX + "number 2.5 into Go struct field "
                 "DeploymentSpec.spec.replicas of type int32", id="replicas-2.5"),
    pytest.param("selector: {matchLabels: {app: a}}", "selector: 7", PREFIX + "number into Go "
                 "struct field DeploymentSpec.spec.selector of type v1.LabelSelector",
                 id="selector-7"),
    pytest.param("containers: [{name: c, image: nginx}]", "containers: {}", PREFIX + "object "
                 "into Go struct field PodSpec.spec.template.spec.containers of type "
                 "[]v1.Container", id="containers-object"),
    pytest.param("containers: [{name: c, image: nginx}]", "containers: [5]", PREFIX + "number "
                 "into Go struct field PodSpec.spec.template.spec.containers of type "
                 "v1.Container", id="containers-number"),
])
def test_the_issues_payloads_are_bad_requests_in_the_api_and_the_dashboard(
        client, cluster, old, new, message):
    text = DP.replace(old, new)
    assert text != DP
    response = _post(client, DEPLOYMENTS, text, "application/yaml")
    assert (response.status_code, response.json()) == (400, _bad_request(message))
    for mode in ("apply", "create"):
        preview = client.post("/clusters/lecture/preview", json.dumps({"text": text,
                              "mode": mode}), content_type="application/json")
        assert preview.status_code == 200
        [result] = preview.json()["results"]
        assert result["ok"] is False and message in result["text"]
    assert client.get(BASE + DEPLOYMENTS + "/dp").status_code == 404
