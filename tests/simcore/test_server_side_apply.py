"""Server-side apply and managedFields in the API server (simcore.fieldmanager)."""

from __future__ import annotations

import pytest

from simcore import Simulation, errors
from simcore.apiserver import Request
from simcore.fieldmanager import from_fields_v1, path_text, to_fields_v1

APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"


def config_map(**data) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": data}


def deployment(replicas: int | None = 2, image: str = "nginx") -> dict:
    spec = {"selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": image}]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": spec}


@pytest.fixture
def sim():
    return Simulation.from_preset("lecture", seed=0)


def apply(sim, obj, manager="tool", force=False, resource="configmaps"):
    return sim.api.patch(resource, obj["metadata"]["name"], obj, APPLY, "default",
                         request=Request(field_manager=manager, force=force))


def merge(sim, patch, manager, resource="configmaps", name="cm"):
    return sim.api.patch(resource, name, patch, MERGE, "default",
                         request=Request(field_manager=manager))


def owners(obj) -> dict:
    return {(m["manager"], m["operation"]): m["fieldsV1"]
            for m in obj["metadata"].get("managedFields", [])}


# each step: (manager, data applied, force); then the data and owners expected
@pytest.mark.parametrize("steps, data, expected", [
    pytest.param([("a", {"x": "1"}, False)], {"x": "1"},
                 {("a", "Apply"): {"f:data": {"f:x": {}}}}, id="create"),
    pytest.param([("a", {"x": "1"}, False), ("a", {"x": "1"}, False)], {"x": "1"},
                 {("a", "Apply"): {"f:data": {"f:x": {}}}}, id="re-apply-unchanged"),
    pytest.param([("a", {"x": "1", "y": "2"}, False), ("a", {"x": "1"}, False)], {"x": "1"},
                 {("a", "Apply"): {"f:data": {"f:x": {}}}}, id="field-removal"),
    pytest.param([("a", {"x": "1"}, False), ("b", {"y": "2"}, False)], {"x": "1", "y": "2"},
                 {("a", "Apply"): {"f:data": {"f:x": {}}},
                  ("b", "Apply"): {"f:data": {"f:y": {}}}}, id="two-managers"),
    pytest.param([("a", {"x": "1"}, False), ("b", {"x": "1"}, False), ("a", {}, False)],
                 {"x": "1"}, {("b", "Apply"): {"f:data": {"f:x": {}}}},
                 id="shared-field-kept-for-the-other-owner"),
    pytest.param([("a", {"x": "1"}, False), ("b", {"x": "2"}, True)], {"x": "2"},
                 {("b", "Apply"): {"f:data": {"f:x": {}}}}, id="force-takes-ownership"),
])
def test_apply_table(sim, steps, data, expected):
    for manager, applied, force in steps:
        obj = apply(sim, config_map(**applied), manager, force)
    assert obj.get("data", {}) == data
    assert owners(obj) == expected


def test_reapply_unchanged_writes_nothing(sim):
    first = apply(sim, deployment(), "tool", resource="deployments")
    again = apply(sim, deployment(), "tool", resource="deployments")
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


def test_a_conflict_names_the_fields_and_their_managers(sim):
    apply(sim, deployment(2, "nginx"), "tool", resource="deployments")
    merge(sim, {"spec": {"replicas": 5}}, "kubectl-scale", "deployments", "web")
    merge(sim, {"spec": {"template": {"spec": {"containers": [
        {"name": "web", "image": "httpd"}]}}}}, "kubectl-edit", "deployments", "web")
    with pytest.raises(errors.Conflict) as refused:
        apply(sim, deployment(2, "nginx"), "tool", resource="deployments")
    assert refused.value.status["code"] == 409
    assert refused.value.status["message"] == (
        'Apply failed with 2 conflicts: conflicts with "kubectl-edit" using apps/v1:\n'
        '- .spec.template.spec.containers[name="web"].image\n'
        'conflicts with "kubectl-scale" using apps/v1:\n- .spec.replicas')
    assert refused.value.status["details"]["causes"][1] == {
        "reason": "FieldManagerConflict", "message": 'conflict with "kubectl-scale" using apps/v1',
        "field": ".spec.replicas"}


def test_an_update_takes_the_fields_it_sets(sim):
    apply(sim, deployment(2), "tool", resource="deployments")
    obj = merge(sim, {"spec": {"replicas": 3}}, "kubectl-scale", "deployments", "web")
    mine = owners(obj)
    assert mine[("kubectl-scale", "Update")] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in mine[("tool", "Apply")]["f:spec"]


def test_create_records_an_update_with_new_maps_owned(sim):
    made = sim.api.create("configmaps", {**config_map(x="1"), "metadata": {
        "name": "cm", "labels": {"app": "a"}}}, "default", Request(field_manager="kubectl-create"))
    assert owners(made) == {("kubectl-create", "Update"): {
        "f:data": {".": {}, "f:x": {}}, "f:metadata": {"f:labels": {".": {}, "f:app": {}}}}}
    assert made["metadata"]["managedFields"][0]["time"] == made["metadata"]["creationTimestamp"]


def test_controllers_record_nothing(sim):
    made = sim.api.create("deployments", deployment(), "default")
    sim.run_until_idle()
    pods = sim.api.list_ref("pods", "default", "app=web")
    assert pods and all("managedFields" not in p["metadata"] for p in pods)
    assert "managedFields" not in made["metadata"]


@pytest.mark.parametrize("request_, message", [
    pytest.param(Request(field_manager=""), 'PatchOptions.meta.k8s.io "" is invalid: '
                 "fieldManager: Required value: is required for apply patch", id="no-manager"),
])
def test_apply_options_are_checked(sim, request_, message):
    with pytest.raises(errors.Invalid) as refused:
        sim.api.patch("configmaps", "cm", config_map(), APPLY, "default", request=request_)
    assert refused.value.status["code"] == 422
    assert refused.value.status["message"] == message


@pytest.mark.parametrize("body, message", [
    pytest.param({**config_map(), "metadata": {"name": "other"}},
                 "the name of the object (other) does not match the name on the URL (cm)",
                 id="name-mismatch"),
    pytest.param("a: [", None, id="bad-yaml"),
    pytest.param("- 1", None, id="not-an-object"),
])
def test_bad_configurations_are_400(sim, body, message):
    with pytest.raises(errors.BadRequest) as refused:
        sim.api.patch("configmaps", "cm", body, APPLY, "default",
                      request=Request(field_manager="x"))
    assert refused.value.status["code"] == 400
    if message:
        assert refused.value.status["message"] == message


@pytest.mark.parametrize("paths, text", [
    pytest.param({("f:spec", "f:replicas")}, ".spec.replicas", id="field"),
    pytest.param({("f:spec", 'k:{"name":"web"}', "f:image")}, '.spec[name="web"].image',
                 id="keyed"),
    pytest.param({("f:ports", 'k:{"containerPort":80,"protocol":"TCP"}')},
                 '.ports[containerPort=80,protocol="TCP"]', id="two-keys"),
    pytest.param({("f:finalizers", 'v:"a"')}, '.finalizers[="a"]', id="set"),
])
def test_fields_v1_round_trip_and_path_text(paths, text):
    assert from_fields_v1(to_fields_v1(paths)) == paths
    assert path_text(next(iter(paths))) == text


@pytest.mark.parametrize("given", [
    pytest.param("nonsense", id="string"),
    pytest.param([{"manager": "m", "fieldsV1": {"f:data": "x"}}, 3, {}], id="odd-entries"),
    pytest.param([{}], id="reset"),
])
def test_managed_fields_of_any_shape_in_an_update_never_fail(given):
    from simcore.fieldmanager import read
    entries = read({"managedFields": given})
    assert all(e.manager for e in entries)


def test_an_update_without_managed_fields_keeps_the_stored_ones(sim):
    apply(sim, config_map(x="1"), "tool")
    body = {**config_map(x="1", y="2")}
    updated = sim.api.update("configmaps", body, "default", request=Request(field_manager="ed"))
    assert owners(updated) == {("tool", "Apply"): {"f:data": {"f:x": {}}},
                               ("ed", "Update"): {"f:data": {"f:y": {}}}}


def test_kubectl_create_of_a_deployment_owns_what_a_real_server_lists(sim):
    """The fieldsV1 a real apiserver records for `kubectl create -f` of this Deployment:
    defaulted fields included, new maps, pointer structs and list items owned themselves."""
    made = sim.api.create("deployments", deployment(1), "default",
                          Request(field_manager="kubectl-create"))
    fields = owners(made)[("kubectl-create", "Update")]
    assert fields["f:spec"]["f:strategy"] == {
        "f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}}
    assert fields["f:spec"]["f:template"]["f:spec"] == {
        "f:containers": {'k:{"name":"web"}': {
            ".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:resources": {},
            "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}},
        "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {},
        "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}}
    assert fields["f:spec"]["f:template"]["f:metadata"] == {
        "f:labels": {".": {}, "f:app": {}}}


def test_a_dry_run_apply_stores_nothing(sim):
    apply(sim, config_map(x="1"), "tool")
    seen = sim.api.patch("configmaps", "cm", config_map(x="2"), APPLY, "default",
                         request=Request(field_manager="tool", dry_run=True))
    assert seen["data"] == {"x": "2"}
    assert sim.api.get("configmaps", "cm", "default")["data"] == {"x": "1"}
