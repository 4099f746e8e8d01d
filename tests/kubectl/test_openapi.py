"""The OpenAPI documents: `kubectl explain` and `/openapi/v2` in the form kubectl asks for.

The expected descriptions come from the official Python client's models,
generated from the same upstream OpenAPI as a real API server's documents:
what `explain` prints must be that text (kubectl re-wraps it at 80 columns).
"""

from __future__ import annotations

import json
import re

import pytest
from kubernetes.client import models

pytest_plugins = ["kubectl_fixtures"]

PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"


def _description(explained: str) -> str:
    """The DESCRIPTION block of `kubectl explain`, unwrapped."""
    block = explained.split("DESCRIPTION:\n", 1)[1].split("\nFIELDS:", 1)[0]
    return " ".join(block.split())


@pytest.mark.parametrize("path, model, field", [
    pytest.param("pods.spec.containers", "V1PodSpec", "containers", id="pod-containers"),
    pytest.param("pods.spec.restartPolicy", "V1PodSpec", "restart_policy", id="restartPolicy"),
    pytest.param("deployments.spec.replicas", "V1DeploymentSpec", "replicas", id="deploy"),
    pytest.param("rs.spec.minReadySeconds", "V1ReplicaSetSpec", "min_ready_seconds", id="rs"),
    pytest.param("svc.spec.sessionAffinity", "V1ServiceSpec", "session_affinity", id="svc"),
    pytest.param("cronjobs.spec.schedule", "V1CronJobSpec", "schedule", id="cronjob"),
    pytest.param("ingress.spec.rules", "V1IngressSpec", "rules", id="ingress"),
    pytest.param("configmaps.data", "V1ConfigMap", "data", id="configmap"),
    pytest.param("nodes.spec.taints", "V1NodeSpec", "taints", id="node-taints"),
    pytest.param("hpa.spec.metrics", "V2HorizontalPodAutoscalerSpec", "metrics", id="hpa"),
])
def test_explain_prints_the_official_description(kubectl, path, model, field):
    out = kubectl("explain", path).stdout
    expected = " ".join(getattr(models, model).model_fields[field].description.split())
    assert _description(out).startswith(expected), out


def test_explain_a_kind_lists_its_fields_with_types(kubectl):
    out = kubectl("explain", "deployment.spec").stdout
    assert out.startswith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\n"
                          "FIELD: spec <DeploymentSpec>\n"), out
    assert re.search(r"^  replicas\t<integer>$", out, re.M), out
    assert re.search(r"^  selector\t<LabelSelector> -required-$", out, re.M), out
    assert re.search(r"^  template\t<PodTemplateSpec> -required-$", out, re.M), out


def test_explain_recursive_reaches_nested_fields(kubectl):
    out = kubectl("explain", "pods.spec.containers.ports", "--recursive").stdout
    assert "  containerPort\t<integer> -required-\n" in out
    assert "  protocol\t<string>\n" in out


def _get(kubectl, path: str, accept: str) -> tuple[str, bytes]:
    with kubectl.request(path, headers={"Accept": accept}) as response:
        return response.headers["Content-Type"], response.read()


def test_openapi_v2_answers_protobuf_to_kubectls_accept_header(kubectl):
    content_type, body = _get(kubectl, "/openapi/v2", PROTOBUF)
    assert content_type == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    assert body.startswith(b"\n\x032.0")  # Document.swagger = "2.0", field 1
    assert b"io.k8s.api.apps.v1.ReplicaSet" in body


def test_openapi_v2_answers_json_otherwise(kubectl):
    content_type, body = _get(kubectl, "/openapi/v2", "application/json")
    doc = json.loads(body)
    assert content_type == "application/json"
    assert doc["swagger"] == "2.0"
    pod = doc["definitions"]["io.k8s.api.core.v1.Pod"]
    assert pod["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod",
                                                       "version": "v1"}]
    assert doc["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"][
        "x-kubernetes-group-version-kind"] == {"group": "", "version": "v1", "kind": "Pod"}
