"""Typed decoding: a body is refused (400) or stored exactly as the apiserver's decoder would.

The bulk is a type-confusion table over kinds x fields (walked from the schema) x wrong
values, through the simulated API server's dry run (the same decode path as a create,
nothing stored); the expected outcome comes from encoding/json's rules, restated here
independently of simcore/decoding.py: a JSON value of the wrong kind for a plain field is
`json: cannot unmarshal <kind> into Go struct field <Struct>.<path> of type <GoType>`, a
number that does not fit an integer is `number <literal>`, a null is always accepted.
"""

from __future__ import annotations

import json
from importlib import resources

import pytest

from simcore import Simulation
from simcore.apiserver import Request
from simcore.decoding import go_float, rfc3339_error
from simcore.errors import APIError
from simcore.resources import by_kind

SCHEMA = json.loads(resources.files("simcore").joinpath("schema_data.json").read_text())
CTR = [{"name": "web", "image": "nginx"}]
TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": CTR}}
SELECTOR = {"matchLabels": {"app": "web"}}
BASES = {
    "Pod": {"spec": {"containers": CTR}},
    "Service": {"spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}},
    "Endpoints": {"subsets": [{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]},
    "EndpointSlice": {"addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"]}],
                      "ports": [{"port": 80}]},
    "Ingress": {"spec": {"rules": [{"host": "a.example", "http": {"paths": [
        {"path": "/", "pathType": "Prefix",
         "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}},
    "Deployment": {"spec": {"replicas": 1, "selector": SELECTOR, "template": TEMPLATE}},
    "ReplicaSet": {"spec": {"replicas": 1, "selector": SELECTOR, "template": TEMPLATE}},
    "DaemonSet": {"spec": {"selector": SELECTOR, "template": TEMPLATE}},
    "StatefulSet": {"spec": {"serviceName": "web", "selector": SELECTOR,
                             "template": TEMPLATE}},
    "Job": {"spec": {"template": {"spec": {"containers": CTR, "restartPolicy": "Never"}}}},
    "CronJob": {"spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {
        "spec": {"containers": CTR, "restartPolicy": "Never"}}}}}},
    "ConfigMap": {"data": {"k": "v"}},
    "Node": {"spec": {}},
}
WRONG = {"number": 5, "float": 2.5, "bool": True, "string": "x", "list": [1],
         "object": {"x": 1}, "null": None, "nested-list": [[1]], "huge": 2 ** 70,
         "negative": -1, "int32-overflow": 3_000_000_000, "inf": float("inf")}
FIELDS_PER_KIND = 40  # a spread of the walked fields (~25x more): the table stays ~10 s


def manifest(kind: str, name: str = "fz") -> dict:
    res = by_kind(kind)
    return {"apiVersion": res.api_version, "kind": kind, "metadata": {"name": name},
            **json.loads(json.dumps(BASES[kind]))}


def walk(kind: str, depth: int = 5) -> list[tuple[tuple, list, str]]:
    """(path with 0 for list items, field code, Go struct holding the field), breadth first."""
    out: list[tuple[tuple, list, str]] = []
    level = [((), SCHEMA["roots"][kind], kind)]
    for _ in range(depth):
        following = []
        for path, model, struct in level:
            for name, code in SCHEMA["types"][model].items():
                if (path, name) in (((), "apiVersion"), ((), "kind")):
                    continue  # read first, into a bare struct: a message of their own
                out.append(((*path, name), code, struct))
                inner, steps = code, (name,)
                while inner[0] == "l":
                    inner, steps = inner[2], (*steps, 0)
                if inner[0] == "o" and inner[2] != "_Empty":
                    following.append(((*path, *steps), inner[2], inner[1].rpartition(".")[2]))
        level = following
    return out


def spread(items: list, count: int) -> list:
    step = max(len(items) / count, 1)
    return [items[int(i * step)] for i in range(min(count, len(items)))]


def place(obj: dict, path: tuple, value) -> dict:
    target = obj
    for step, following in zip(path, path[1:], strict=False):
        if isinstance(step, int):
            while len(target) <= step:
                target.append({})
        elif not isinstance(target.get(step), (dict, list)) or \
                isinstance(following, int) != isinstance(target[step], list):
            target[step] = [] if isinstance(following, int) else {}
        target = target[step]
    target[path[-1]] = value
    return obj


def json_kind(value) -> str:
    return {dict: "object", list: "array", str: "string", bool: "bool"}.get(
        type(value), "null" if value is None else "number")


def expected(code: list, value, struct: str, path: tuple) -> tuple[bool, str | None]:
    """(refused as undecodable, a fragment of the message) by encoding/json's rules."""
    if isinstance(value, float) and value == float("inf"):
        return True, "error converting YAML to JSON: json: unsupported value: +Inf"
    if value is None:
        return False, None
    where = f"Go struct field {struct}.{'.'.join(p for p in path if isinstance(p, str))}"
    tag, go_type = code[0], code[1]
    if tag == "x":
        return _special(go_type, value)
    fits = {"s": str, "b": bool, "o": dict, "m": dict, "l": list}.get(tag)
    if tag == "i":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return True, f"cannot unmarshal {json_kind(value)} into {where} of type {go_type}"
        bits = 31 if go_type == "int32" else 63
        if value != int(value) or not -2 ** bits <= value < 2 ** bits:
            return True, f"cannot unmarshal number {go_float(value) if isinstance(value, float) else value} into {where} of type {go_type}"  # noqa: E501
        return False, None
    if tag == "y":
        return not isinstance(value, str) or value == "x", None
    if fits is None or not isinstance(value, fits) or (fits is not bool and
                                                       isinstance(value, bool)):
        return True, f"cannot unmarshal {json_kind(value)} into {where} of type {go_type}"
    if tag == "l" and value:
        return expected(code[2], value[0], struct, path)
    if tag == "m" and value:
        return expected(code[2], next(iter(value.values())), struct, path)
    return False, None


def _special(name: str, value) -> tuple[bool, str | None]:
    if name in ("RawExtension", "FieldsV1"):
        return False, None
    if name == "IntOrString":
        good = isinstance(value, str) or isinstance(value, int) and \
            not isinstance(value, bool) and -2 ** 31 <= value < 2 ** 31
        return not good, None if good else "into Go value of type int32"
    if name == "Quantity":
        good = isinstance(value, (int, float)) and not isinstance(value, bool)
        return not good, None if good else "quantities must match the regular expression"
    return True, None  # Time, MicroTime, Duration: no wrong value here is a time string


@pytest.fixture(scope="module")
def sim() -> Simulation:
    sim = Simulation.empty()
    sim.api.create("namespaces", {"metadata": {"name": "default"}})
    return sim


def fuzzed_fields(kind: str) -> list[tuple[tuple, list, str]]:
    """The walked fields, ObjectMeta's and status's inner ones for one kind only (they are
    the same struct in every kind), spread over the rest."""
    fields = walk(kind)
    if kind != "ConfigMap":
        fields = [f for f in fields if len(f[0]) == 1 or f[0][0] not in ("metadata", "status")]
    return spread(fields, FIELDS_PER_KIND)


def _cases():
    for kind in BASES:
        for path, code, struct in fuzzed_fields(kind):
            yield pytest.param(kind, path, code, struct,
                               id=f"{kind}-{'.'.join(map(str, path))}")


@pytest.mark.parametrize(("kind", "path", "code", "struct"), list(_cases()))
def test_type_confusion(sim, kind, path, code, struct):
    rv = sim.engine.store.rv
    prefix = f'{kind} in version "{by_kind(kind).version}" cannot be handled as a {kind}: '
    for label, value in WRONG.items():
        body = place(manifest(kind), path, value)
        refused, fragment = expected(code, value, struct, path)
        try:
            out = sim.api.create(kind, body, "default" if by_kind(kind).namespaced else None,
                                 Request(field_validation="Ignore", dry_run=True))
        except APIError as exc:
            status = exc.status
            assert status["code"] < 500, (label, status)
            undecodable = status["code"] == 400 and status["message"].startswith(
                (prefix, "error converting YAML to JSON: "))
            assert undecodable == refused, (label, status["message"])
            if fragment:
                assert fragment in status["message"], (label, status["message"])
            continue
        assert not refused, (label, "accepted", out)
    assert sim.engine.store.rv == rv  # a dry run stores nothing, refused or not


@pytest.mark.parametrize(("kind", "path", "value"), [
    pytest.param("Ingress", ("spec", "rules"), [5], id="ingress-rules"),
    pytest.param("EndpointSlice", ("endpoints",), [5], id="endpointslice-endpoints"),
    pytest.param("Deployment", ("spec", "replicas"), 2.5, id="replicas-float"),
    pytest.param("Pod", ("metadata",), 5, id="metadata-number"),
])
def test_refused_objects_are_never_stored(sim, kind, path, value):
    rv = sim.engine.store.rv
    with pytest.raises(APIError) as caught:
        sim.api.create(kind, place(manifest(kind, "poison"), path, value), "default")
    assert caught.value.status["code"] == 400
    assert sim.engine.store.rv == rv
    assert sim.api.try_get_ref(kind, "poison", "default") is None


@pytest.mark.parametrize(("kind", "path", "value", "message"), [
    pytest.param("Ingress", ("spec", "rules"), [5],
                 "json: cannot unmarshal number into Go struct field IngressSpec.spec.rules "
                 "of type v1.IngressRule", id="ingress-rules-number"),
    pytest.param("EndpointSlice", ("endpoints",), [5],
                 "json: cannot unmarshal number into Go struct field EndpointSlice.endpoints "
                 "of type v1.Endpoint", id="endpointslice-endpoints-number"),
    pytest.param("Deployment", ("spec", "replicas"), 2.5,
                 "json: cannot unmarshal number 2.5 into Go struct field "
                 "DeploymentSpec.spec.replicas of type int32", id="replicas-2.5"),
    pytest.param("Deployment", ("spec", "replicas"), "3",
                 "json: cannot unmarshal string into Go struct field "
                 "DeploymentSpec.spec.replicas of type int32", id="replicas-string"),
    pytest.param("Deployment", ("spec", "selector"), 7,
                 "json: cannot unmarshal number into Go struct field DeploymentSpec.spec."
                 "selector of type v1.LabelSelector", id="selector-number"),
    pytest.param("Pod", ("spec", "containers"), {},
                 "json: cannot unmarshal object into Go struct field PodSpec.spec.containers "
                 "of type []v1.Container", id="containers-object"),
    pytest.param("Pod", ("spec", "containers"), [5],
                 "json: cannot unmarshal number into Go struct field PodSpec.spec.containers "
                 "of type v1.Container", id="containers-number-item"),
    pytest.param("Pod", ("spec", "containers", 0, "ports"), [{"containerPort": 99999999999}],
                 "json: cannot unmarshal number 99999999999 into Go struct field "
                 "ContainerPort.spec.containers.ports.containerPort of type int32",
                 id="containerport-overflow"),
    pytest.param("Pod", ("spec", "containers", 0, "ports"), [{"protocol": 6}],
                 "json: cannot unmarshal number into Go struct field "
                 "ContainerPort.spec.containers.ports.protocol of type v1.Protocol",
                 id="named-string-type"),
    pytest.param("Pod", ("spec", "terminationGracePeriodSeconds"), 1.5,
                 "json: cannot unmarshal number 1.5 into Go struct field "
                 "PodSpec.spec.terminationGracePeriodSeconds of type int64", id="int64"),
    pytest.param("Pod", ("metadata",), 5,
                 "json: cannot unmarshal number into Go struct field Pod.metadata of type "
                 "v1.ObjectMeta", id="metadata-number"),
    pytest.param("Pod", ("metadata", "labels"), [1],
                 "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels "
                 "of type map[string]string", id="labels-list"),
    pytest.param("Pod", ("metadata", "namespace"), {"x": 1},
                 "json: cannot unmarshal object into Go struct field ObjectMeta.metadata."
                 "namespace of type string", id="namespace-object"),
    pytest.param("Pod", ("spec", "containers", 0, "resources"), {"limits": {"cpu": True}},
                 "quantities must match the regular expression "
                 "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", id="quantity-bool"),
    pytest.param("Pod", ("spec", "containers", 0, "resources"), {"limits": {"cpu": []}},
                 "quantities must match the regular expression "
                 "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", id="quantity-list"),
    pytest.param("Service", ("spec", "ports"), [{"port": 80, "targetPort": True}],
                 "json: cannot unmarshal bool into Go value of type int32",
                 id="intorstring-bool"),
    pytest.param("Service", ("spec", "ports"), [{"port": 80, "targetPort": 2.5}],
                 "json: cannot unmarshal number 2.5 into Go value of type int32",
                 id="intorstring-float"),
    pytest.param("Service", ("metadata", "creationTimestamp"), "yesterday",
                 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse '
                 '"yesterday" as "2006"', id="time-text"),
    pytest.param("Service", ("metadata", "creationTimestamp"), 5,
                 "json: cannot unmarshal number into Go value of type string",
                 id="time-number"),
    pytest.param("ConfigMap", ("binaryData",), {"k": "!!"},
                 "illegal base64 data at input byte 0", id="bytes-base64"),
    pytest.param("ConfigMap", ("data",), {"k": 1},
                 "json: cannot unmarshal number into Go struct field ConfigMap.data of type "
                 "string", id="map-value"),
])
def test_decoding_messages(sim, kind, path, value, message):
    body = place(manifest(kind, "msg"), path, value)
    with pytest.raises(APIError) as caught:
        sim.api.create(kind, body, "default")
    version = by_kind(kind).version
    assert caught.value.status == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f'{kind} in version "{version}" cannot be handled as a {kind}: {message}',
        "reason": "BadRequest", "code": 400}


def test_first_type_error_in_key_order(sim):
    """kubectl sends keys sorted (JSON made from YAML through Go maps); the decoder keeps
    the first type error it meets and goes on: `containers` comes before `volumes`."""
    body = manifest("Pod", "order")
    body["spec"] = {"volumes": 5, "containers": [[1]]}
    with pytest.raises(APIError) as caught:
        sim.api.create("Pod", body, "default")
    assert caught.value.status["message"].endswith(
        "json: cannot unmarshal array into Go struct field PodSpec.spec.containers of type "
        "v1.Container")


def test_returned_error_wins_over_saved_one(sim):
    """A type with its own UnmarshalJSON (here IntOrString) ends decoding with its error,
    although a plain type error came first."""
    body = manifest("Service", "returned")
    body["spec"] = {"ports": [{"port": 80, "targetPort": True}], "clusterIP": 5}
    with pytest.raises(APIError) as caught:
        sim.api.create("Service", body, "default")
    assert caught.value.status["message"].endswith(
        "json: cannot unmarshal bool into Go value of type int32")


@pytest.mark.parametrize(("path", "value", "message"), [
    pytest.param(("spec", "replicas"), float("inf"), "+Inf", id="replicas-inf"),
    pytest.param(("spec", "replicas"), float("-inf"), "-Inf", id="replicas-minus-inf"),
    pytest.param(("spec", "replicas"), float("nan"), "NaN", id="replicas-nan"),
    pytest.param(("metadata", "annotations"), {"a": float("nan")}, "NaN", id="in-a-string-map"),
    pytest.param(("spec", "unknownField"), [float("inf")], "+Inf", id="in-an-unknown-field"),
])
def test_nan_and_infinity_never_become_json(sim, path, value, message):
    """YAML's .inf and .nan: kubectl says it before sending (`error parsing x.yaml: ...`),
    the apiserver's YAML reader the same words."""
    with pytest.raises(APIError) as caught:
        sim.api.create("Deployment", place(manifest("Deployment", "inf"), path, value),
                       "default", Request("Ignore"))
    assert (caught.value.status["code"], caught.value.status["message"]) == (
        400, f"error converting YAML to JSON: json: unsupported value: {message}")


@pytest.mark.parametrize(("body", "message"), [
    pytest.param({"apiVersion": "v1", "kind": 5}, "couldn't get version/kind; json parse "
                 "error: json: cannot unmarshal number into Go struct field .kind of type "
                 "string", id="kind-number"),
    pytest.param([1], "couldn't get version/kind; json parse error: json: cannot unmarshal "
                 'array into Go value of type struct { APIVersion string "json:\\"apiVersion,'
                 'omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }', id="body-list"),
])
def test_type_and_kind_are_read_first(sim, body, message):
    with pytest.raises(APIError) as caught:
        sim.api.create("ConfigMap", body, "default")
    assert (caught.value.status["code"], caught.value.status["message"]) == (400, message)


@pytest.mark.parametrize(("value", "stored"), [
    pytest.param(None, None, id="null-dropped"),
    pytest.param(2.0, 2, id="integral-float-from-yaml"),
    pytest.param(0, 0, id="zero"),
])
def test_accepted_values_are_stored_as_decoded(sim, request, value, stored):
    name = "acc-" + request.node.callspec.id
    body = place(manifest("Deployment", name), ("spec", "replicas"), value)
    out = sim.api.create("Deployment", body, "default")
    assert out["spec"].get("replicas", "defaulted") == (1 if stored is None else stored)


def test_null_list_item_is_the_zero_value(sim):
    body = place(manifest("Pod", "nullarg"), ("spec", "containers", 0, "args"), ["a", None])
    out = sim.api.create("Pod", body, "default")
    assert out["spec"]["containers"][0]["args"] == ["a", ""]


# --- unknown fields: pruned, and fieldValidation ------------------------------------------
def _configmap(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"k": "v"}, "status": {"phase": "x"}, "extra": 1}


def test_strict_refuses_unknown_fields(sim):
    with pytest.raises(APIError) as caught:
        sim.api.create("ConfigMap", _configmap("strict"), "default", Request("Strict"))
    assert caught.value.status["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
        'unknown field "extra", unknown field "status"')
    assert sim.api.try_get_ref("ConfigMap", "strict", "default") is None


@pytest.mark.parametrize(("mode", "warnings"), [
    pytest.param("Warn", ['unknown field "extra"', 'unknown field "status"'], id="warn"),
    pytest.param("Ignore", [], id="ignore"),
])
def test_unknown_fields_are_pruned(sim, mode, warnings):
    request = Request(mode)
    out = sim.api.create("ConfigMap", _configmap(mode.lower()), "default", request)
    assert request.warnings == warnings
    stored = sim.api.get("ConfigMap", mode.lower(), "default")
    assert "status" not in stored and "extra" not in stored and stored == out
    assert stored["data"] == {"k": "v"}


def test_a_pruned_object_warns_no_more(sim):
    sim.api.create("ConfigMap", _configmap("later"), "default", Request("Warn"))
    for patch in ({"metadata": {"labels": {"a": "b"}}}, {"data": {"k": "w"}}):
        request = Request("Warn")
        sim.api.patch("ConfigMap", "later", patch, "application/merge-patch+json", "default",
                      request=request)
        assert request.warnings == []
    request = Request("Warn")
    current = sim.api.get("ConfigMap", "later", "default")
    sim.api.update("ConfigMap", {**current, "data": {"k": "x"}}, "default", request=request)
    assert request.warnings == []


@pytest.mark.parametrize(("patch_type", "patch", "value", "problem"), [
    pytest.param("application/strategic-merge-patch+json",
                 '{"spec": {"a": 1}, "data": {"k": "w"}}', "map[data:map[k:w] spec:map[a:1]]",
                 'strict decoding error: unknown field "spec"', id="smp-unknown"),
    pytest.param("application/strategic-merge-patch+json", {"data": {"k": 2.5}},
                 "map[data:map[k:2.5]]", "unrecognized type: string", id="smp-wrong-type"),
    pytest.param("application/merge-patch+json", {"data": {"k": 2.5}}, None,
                 "json: cannot unmarshal number into Go struct field ConfigMap.data of type "
                 "string", id="merge-wrong-type"),
    pytest.param("application/merge-patch+json", {"spec": 1}, None,
                 'strict decoding error: unknown field "spec"', id="merge-unknown"),
])
def test_a_refused_patch_is_the_patch_handlers_invalid(sim, patch_type, patch, value,
                                                         problem):
    """The patch handler decodes the patched object itself and answers 422 with the patch
    (a strategic merge patch as Go prints the map) as the invalid value."""
    stored = sim.api.create("ConfigMap", _configmap("patched"), "default", Request("Ignore"))
    before = sim.engine.store.rv
    try:
        with pytest.raises(APIError) as caught:
            sim.api.patch("ConfigMap", "patched", patch, patch_type, "default",
                          request=Request("Strict"))
        assert sim.engine.store.rv == before  # nothing stored by the refused patch
    finally:
        sim.api.delete("ConfigMap", "patched", "default")
    status = caught.value.status
    if value is None:  # a JSON or merge patch: the patched object's JSON (keys sorted)
        value = json.dumps(stored | patch, separators=(",", ":"), sort_keys=True)
    cause = f"Invalid value: {json.dumps(value)}: {problem}"
    assert status == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": f' "" is invalid: patch: {cause}', "reason": "Invalid",
                      "details": {"causes": [{"reason": "FieldValueInvalid", "message": cause,
                                              "field": "patch"}]}, "code": 422}


@pytest.mark.parametrize(("patch", "problem"), [
    pytest.param({"spec": {"replicas": "3"}}, "unrecognized type: int32", id="string-to-int"),
    pytest.param({"spec": {"replicas": 2.5}}, "cannot convert float64 to int32", id="float"),
    pytest.param({"spec": {"replicas": True}}, "unrecognized type: int32", id="bool-to-int"),
    pytest.param({"spec": {"selector": 7}}, "cannot restore struct from: int64", id="struct"),
    pytest.param({"metadata": {"labels": [1]}}, "cannot restore map from slice", id="map"),
    pytest.param({"metadata": {"name": 5}}, "cannot convert int64 to string", id="int-to-str"),
    pytest.param({"spec": {"template": {"spec": {"containers": {"a": 1}}}}},
                 "cannot restore slice from map", id="slice"),
])
def test_a_strategic_merge_patch_speaks_the_unstructured_converters_words(sim, request, patch,
                                                                           problem):
    """kubectl apply of an object that exists: the patched map is read by
    runtime.DefaultUnstructuredConverter, whose words differ from encoding/json's."""
    name = "smp-" + request.node.callspec.id
    sim.api.create("ReplicaSet", manifest("ReplicaSet", name), "default")
    with pytest.raises(APIError) as caught:
        sim.api.patch("ReplicaSet", name, patch, "application/strategic-merge-patch+json",
                      "default", request=Request("Strict"))
    assert caught.value.status["code"] == 422
    assert caught.value.status["message"].endswith(f'": {problem}')


def test_simulation_apply_keeps_last_applied_and_prunes():
    sim = Simulation.from_preset("lecture", seed=0)
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {k: v}\nstatus: 1\n"
    [result] = sim.apply(text, field_validation="Warn")
    assert (result.action, result.warnings) == ("created", ('unknown field "status"',))
    stored = sim.get("ConfigMap", "cm")
    assert "status" not in stored
    assert json.loads(stored["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"])["status"] == 1


# --- helpers, against Go's outputs ----------------------------------------------------------
@pytest.mark.parametrize(("value", "text"), [
    (2.5, "2.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"),
    (0.000001, "0.000001"), (-3.25, "-3.25"), (123456789.125, "123456789.125"),
])
def test_go_float(value, text):
    assert go_float(value) == text


@pytest.mark.parametrize(("text", "error"), [
    ("2021-05-01T09:00:00Z", None),
    ("2021-05-01T09:00:00.5+02:00", None),
    ("2021-13-01T09:00:00Z", 'parsing time "2021-13-01T09:00:00Z": month out of range'),
    ("2021-05-01 09:00:00Z", 'parsing time "2021-05-01 09:00:00Z" as '
     '"2006-01-02T15:04:05Z07:00": cannot parse " 09:00:00Z" as "T"'),
    ("2021-05-01T09:00:00Zjunk", 'parsing time "2021-05-01T09:00:00Zjunk": extra text: '
     '"junk"'),
])
def test_rfc3339_errors(text, error):
    assert rfc3339_error(text) == error
