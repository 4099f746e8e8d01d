"""The bundled kubectl against wrongly typed manifests and unknown fields (--validate).

kubectl 1.27+ leaves field validation to the server (it sends fieldValidation=Strict,
Warn or Ignore for --validate=strict|warn|ignore) and prints what comes back: the
BadRequest of a body the decoder refuses, or one `Warning:` line per unknown field.
"""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["kubectl_fixtures"]

INGRESS = """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing-odd
spec:
  rules: [5]
"""
DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: dp-odd
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: odd}}
  template:
    metadata: {labels: {app: odd}}
    spec:
      containers: [{name: c, image: nginx}]
"""
CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-extra
data:
  k: v
status:
  phase: x
"""


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(("name", "text", "kind", "resource", "problem"), [
    pytest.param("ing.yaml", INGRESS, "Ingress", "ingress/ing-odd",
                 "json: cannot unmarshal number into Go struct field IngressSpec.spec.rules "
                 "of type v1.IngressRule", id="ingress-rules"),
    pytest.param("dp.yaml", DEPLOY.replace("REPLICAS", "2.5"), "Deployment",
                 "deployment/dp-odd", "json: cannot unmarshal number 2.5 into Go struct "
                 "field DeploymentSpec.spec.replicas of type int32", id="replicas-float"),
    pytest.param("dp.yaml", DEPLOY.replace("REPLICAS", '"3"'), "Deployment",
                 "deployment/dp-odd", "json: cannot unmarshal string into Go struct "
                 "field DeploymentSpec.spec.replicas of type int32", id="replicas-string"),
])
def test_apply_of_a_wrong_type_is_refused_in_every_mode(kubectl, tmp_path, name, text, kind,
                                                        resource, problem):
    path = _write(tmp_path, name, text)
    for mode in ("strict", "warn", "ignore"):
        done = kubectl("apply", f"--validate={mode}", "-f", path, check=False)
        assert (done.returncode, done.stdout, done.stderr) == (
            1, "", f'Error from server (BadRequest): error when creating "{path}": {kind} in '
            f'version "v1" cannot be handled as a {kind}: {problem}\n')
    assert "NotFound" in kubectl("get", resource, check=False).stderr


def test_strict_refuses_an_unknown_field(kubectl, tmp_path):
    path = _write(tmp_path, "cm.yaml", CONFIGMAP)
    done = kubectl("apply", "--validate=strict", "-f", path, check=False)
    assert (done.returncode, done.stderr) == (
        1, f'Error from server (BadRequest): error when creating "{path}": ConfigMap in '
        'version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field '
        '"status"\n')


@pytest.mark.parametrize(("mode", "warning"), [
    pytest.param("warn", 'Warning: unknown field "status"\n', id="warn"),
    pytest.param("ignore", "", id="ignore"),
])
def test_an_unknown_field_is_pruned(kubectl, tmp_path, mode, warning):
    path = _write(tmp_path, "cm.yaml", CONFIGMAP)
    done = kubectl("apply", f"--validate={mode}", "-f", path)
    assert (done.stdout, done.stderr) == ("configmap/cm-extra created\n", warning)
    stored = json.loads(kubectl("get", "configmap", "cm-extra", "-o", "json").stdout)
    assert "status" not in stored and stored["data"] == {"k": "v"}
    last = stored["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    assert json.loads(last)["status"] == {"phase": "x"}  # the manifest as applied
    label = kubectl("label", "configmap", "cm-extra", "a=b")  # a later write: no warning
    assert (label.stdout, label.stderr) == ("configmap/cm-extra labeled\n", "")


def test_yaml_infinity_is_refused_by_kubectl_itself(kubectl, tmp_path):
    path = _write(tmp_path, "dp.yaml", DEPLOY.replace("REPLICAS", ".inf"))
    done = kubectl("apply", "-f", path, check=False)
    assert (done.returncode, done.stderr) == (
        1, f"error: error parsing {path}: error converting YAML to JSON: json: unsupported "
        "value: +Inf\n")


def test_reapply_with_an_unknown_field_is_the_patch_handlers_invalid(kubectl, tmp_path):
    """An object that exists is patched (strategic merge): the apiserver's patch handler
    answers 422 with the patch as Go prints the map, kubectl `The request is invalid`."""
    kubectl("apply", "-f", _write(tmp_path, "cm.yaml", CONFIGMAP.replace(
        "status:\n  phase: x\n", "")))
    done = kubectl("apply", "-f", _write(tmp_path, "cm2.yaml", CONFIGMAP), check=False)
    last = ('{\\"apiVersion\\":\\"v1\\",\\"data\\":{\\"k\\":\\"v\\"},\\"kind\\":'
            '\\"ConfigMap\\",\\"metadata\\":{\\"annotations\\":{},\\"name\\":\\"cm-extra\\",'
            '\\"namespace\\":\\"default\\"},\\"status\\":{\\"phase\\":\\"x\\"}}\\n')
    assert (done.returncode, done.stderr) == (
        1, 'The request is invalid: patch: Invalid value: "map[metadata:map[annotations:map['
        f'kubectl.kubernetes.io/last-applied-configuration:{last}]] status:map[phase:x]]": '
        'strict decoding error: unknown field "status"\n')
    patched = kubectl("patch", "configmap", "cm-extra", "-p", '{"data":{"k":5}}', check=False)
    assert patched.stderr == (
        'The request is invalid: patch: Invalid value: "map[data:map[k:5]]": cannot convert '
        'int64 to string\n')
    merged = kubectl("patch", "configmap", "cm-extra", "--type=merge", "-p",
                     '{"data":{"k":5}}', check=False)
    assert merged.stderr.startswith('The request is invalid: patch: Invalid value: "{')
    assert merged.stderr.endswith('": json: cannot unmarshal number into Go struct field '
                                  'ConfigMap.data of type string\n')
