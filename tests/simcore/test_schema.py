"""Strict field validation flags exactly the fields the real schema lacks."""

from __future__ import annotations

import json
from importlib import resources

import pytest
import yaml
from conftest import COURSE

from simcore.resources import RESOURCES
from simcore.schema import (
    strict_decoding_error,
    strict_decoding_message,
    strict_decoding_warnings,
    unknown_fields,
)

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "dp-web", "labels": {"any/key": "x"}, "annotations": {"a": "b"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
             "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
             "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                 {"name": "web", "image": "nginx", "ports": [{"containerPort": 80}],
                  "resources": {"limits": {"cpu": "1", "example.com/gpu": "1"}},
                  "livenessProbe": {"httpGet": {"port": "http", "path": "/"}}}]}}},
}


def with_change(path: list, value) -> dict:
    obj = json.loads(json.dumps(DEPLOYMENT))
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


@pytest.mark.parametrize(("obj", "expected"), [
    pytest.param(DEPLOYMENT, [], id="clean"),
    pytest.param(with_change(["spec", "foo"], 1), ["spec.foo"], id="spec-foo"),
    pytest.param(with_change(["spec", "template", "spec", "containers", 0, "imagee"], "x"),
                 ["spec.template.spec.containers[0].imagee"], id="container-typo"),
    pytest.param(with_change(["metadata", "lables"], {}), ["metadata.lables"],
                 id="metadata-typo"),
    pytest.param(with_change(["spec", "spec"], {"replicas": 1}), ["spec.spec"],
                 id="nested-spec"),
    pytest.param(with_change(["spec", "template", "spec", "containers", 0, "ports", 0, "port"],
                             80), ["spec.template.spec.containers[0].ports[0].port"],
                 id="port-in-list"),
    pytest.param(with_change(["status"], {"ready": True}), ["status.ready"], id="status"),
    pytest.param(with_change(["spec", "zeta"], 1) | {"extra": 1}, ["extra", "spec.zeta"],
                 id="sorted-order"),
])
def test_unknown_fields(obj, expected):
    assert unknown_fields("Deployment", obj) == expected


@pytest.mark.parametrize(("kind", "obj"), [
    pytest.param("ConfigMap", {"data": {"any.key": "v"}, "binaryData": {"k": "YQ=="}},
                 id="configmap-data"),
    pytest.param("Secret", {"stringData": {"password": "x"}, "type": "Opaque"}, id="secret"),
    pytest.param("Service", {"spec": {"selector": {"a": "b"}, "ports": [
        {"port": 80, "targetPort": "http"}]}}, id="int-or-string"),
    pytest.param("ControllerRevision", {"data": {"spec": {"anything": 1}}, "revision": 1},
                 id="raw-extension"),
    pytest.param("Pod", {"metadata": {"annotations": {"x": "y"}, "labels": {"z": "w"}},
                         "spec": {"nodeSelector": {"disk": "ssd"}, "containers": []}},
                 id="maps"),
])
def test_free_form_content_is_not_flagged(kind, obj):
    assert unknown_fields(kind, obj) == []


def test_every_kind_has_a_schema():
    roots = json.loads(resources.files("simcore").joinpath("schema_data.json").read_text())
    assert {r.kind for r in RESOURCES} <= set(roots["roots"])
    assert roots["source"] == "kubernetes Python client 37.0.2"
    for res in RESOURCES:
        assert unknown_fields(res.kind, {"apiVersion": res.api_version, "kind": res.kind,
                                         "bogus": 1}) == ["bogus"]


def test_api_version_picks_the_schema():
    v2 = {"apiVersion": "autoscaling/v2", "spec": {"metrics": []}}
    v1 = {"apiVersion": "autoscaling/v1", "spec": {"metrics": []}}
    assert unknown_fields("HorizontalPodAutoscaler", v2) == []
    assert unknown_fields("HorizontalPodAutoscaler", v1) == ["spec.metrics"]


def test_strict_error_message():
    fields = unknown_fields("Deployment", with_change(
        ["spec", "template", "spec", "containers", 0, "imagee"], "x"))
    error = strict_decoding_error("Deployment", "apps/v1", fields)
    assert error.code == 400 and error.reason == "BadRequest"
    assert error.status["message"] == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
        'unknown field "spec.template.spec.containers[0].imagee"')


def test_strict_error_lists_every_field():
    assert strict_decoding_message("Service", "v1", ["spec.foo", "spec.bar"]) == (
        'Service in version "v1" cannot be handled as a Service: strict decoding error: '
        'unknown field "spec.foo", unknown field "spec.bar"')


def test_warn_mode_warnings():
    assert strict_decoding_warnings(["spec.foo", "metadata.bar"]) == [
        'unknown field "spec.foo"', 'unknown field "metadata.bar"']


def test_course_manifests_only_flag_real_typos():
    if not COURSE.is_dir():
        pytest.skip("shared/course is not present")
    kinds = {r.kind for r in RESOURCES}
    flagged = {}
    for path in sorted(COURSE.rglob("*.y*ml")):
        for doc in yaml.safe_load_all(path.read_text()):
            items = doc.get("items") if isinstance(doc, dict) and doc.get("kind") == "List" \
                else [doc]
            for obj in items or ():
                if isinstance(obj, dict) and obj.get("kind") in kinds:
                    fields = unknown_fields(obj["kind"], obj)
                    if fields:
                        flagged[str(path.relative_to(COURSE))] = fields
    # The 2021 deployment-strategy manifest really does nest `spec:` inside `spec:`.
    assert flagged == {"2021-04/07-week/04-node-web-deployment-strategy.yaml": ["spec.spec"]}


@pytest.mark.parametrize(("model", "field", "code"), [
    pytest.param("V1DeploymentSpec", "replicas", ["i", "int32"], id="int32"),
    pytest.param("V1PodSpec", "terminationGracePeriodSeconds", ["i", "int64"], id="int64"),
    pytest.param("V1ServicePort", "targetPort", ["x", "IntOrString"], id="int-or-string"),
    pytest.param("V1ServicePort", "protocol", ["s", "v1.Protocol"], id="named-string"),
    pytest.param("V1ObjectMeta", "uid", ["s", "types.UID"], id="uid"),
    pytest.param("V1ObjectMeta", "creationTimestamp", ["x", "Time"], id="time"),
    pytest.param("V1ResourceRequirements", "limits",
                 ["m", "v1.ResourceList", ["x", "Quantity"]], id="resource-list"),
    pytest.param("V1Secret", "data", ["m", "map[string][]uint8", ["y", "[]uint8"]], id="bytes"),
    pytest.param("V1IngressSpec", "rules",
                 ["l", "[]v1.IngressRule", ["o", "v1.IngressRule", "V1IngressRule"]],
                 id="list-of-struct"),
    pytest.param("V1ControllerRevision", "data", ["x", "RawExtension"], id="raw"),
])
def test_fields_carry_their_go_types(model, field, code):
    """What the decoder names in its messages: reflect's spelling of each Go type."""
    types = json.loads(resources.files("simcore").joinpath("schema_data.json").read_text())
    assert types["types"][model][field] == code
