"""PATCH semantics: RFC 7386, RFC 6902 and strategic merge, with the API server's errors."""

from __future__ import annotations

import copy
import json

import pytest

from simcore.errors import APIError
from simcore.patch import JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, apply_patch

LAST_APPLIED_KEY = "kubectl.kubernetes.io/last-applied-configuration"
UNPROCESSABLE = "the server rejected our request due to an error in our request"


def service(ports=None, **spec) -> dict:
    """svc-node as `kubectl create -f svc-none-node-web.yaml` leaves it, after defaulting."""
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "svc-node", "namespace": "default", "uid": "5c4c5f2e",
                     "resourceVersion": "1201", "creationTimestamp": "2021-03-28T05:43:10Z"},
        "spec": {"clusterIP": "10.104.97.89", "clusterIPs": ["10.104.97.89"],
                 "ports": ports or [{"port": 80, "protocol": "TCP", "targetPort": 8080}],
                 "selector": {"app": "node-web"}, "sessionAffinity": "None",
                 "type": "ClusterIP", **spec},
        "status": {"loadBalancer": {}},
    }


def pod() -> dict:
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default", "finalizers": ["a", "b"],
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                          "name": "rs", "uid": "u1", "controller": True}]},
        "spec": {
            "containers": [
                {"name": "web", "image": "node-web:1", "command": ["node", "app.js"],
                 "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                 "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
                {"name": "sidecar", "image": "busybox"},
            ],
            "volumes": [{"name": "data", "hostPath": {"path": "/srv"}}],
            "imagePullSecrets": [{"name": "regcred"}],
            "tolerations": [{"key": "a", "operator": "Exists"}],
            "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["one"]}],
        },
        "status": {"phase": "Running",
                   "conditions": [{"type": "Ready", "status": "False"},
                                  {"type": "PodScheduled", "status": "True"}]},
    }


def smp(obj: dict, patch, kind: str = "Pod") -> dict:
    return apply_patch(obj, patch, STRATEGIC_MERGE_PATCH, kind)


def error_of(obj: dict, patch, patch_type: str, kind: str = "Service") -> dict:
    with pytest.raises(APIError) as info:
        apply_patch(obj, patch, patch_type, kind)
    return info.value.status


# --- kubectl client-side apply: the lecture -----------------------------------------------

# The exact body `kubectl apply -f svc-clientip-node-web.yaml` PATCHes after the Service was
# made by `kubectl create` (no last-applied yet): kubectl's three-way diff of the live object
# against the manifest. The ports match the live ones by `port`, so no `$setElementOrder/ports`
# is computed (it is only sent when a merge list's items or order change; see below).
LECTURE_LAST_APPLIED = (
    '{"apiVersion":"v1","kind":"Service","metadata":{"annotations":{},"name":"svc-node",'
    '"namespace":"default"},"spec":{"ports":[{"port":80,"targetPort":8080}],"selector":'
    '{"app":"node-web"},"sessionAffinity":"ClientIP"}}\n')
LECTURE_APPLY_PATCH = (
    r'{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":'
    r'"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},'
    r'\"name\":\"svc-node\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"port\":80,'
    r'\"targetPort\":8080}],\"selector\":{\"app\":\"node-web\"},\"sessionAffinity\":'
    r'\"ClientIP\"}}\n"}},"spec":{"sessionAffinity":"ClientIP"}}')


def test_it_applies_the_lectures_session_affinity_patch():
    live = service()
    applied = smp(live, LECTURE_APPLY_PATCH, "Service")
    assert applied["metadata"]["annotations"] == {LAST_APPLIED_KEY: LECTURE_LAST_APPLIED}
    assert applied["spec"]["sessionAffinity"] == "ClientIP"
    assert applied["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 8080}]
    assert applied["spec"]["clusterIP"] == "10.104.97.89"
    assert live == service()


def test_it_keeps_both_ports_when_apply_follows_create_with_a_changed_port():
    # no last-applied, so kubectl cannot send a delete for port 80: SMP keeps it
    last_applied = LECTURE_LAST_APPLIED.replace('"port":80', '"port":8000').replace(
        ',"sessionAffinity":"ClientIP"', "")
    body = json.dumps({"metadata": {"annotations": {LAST_APPLIED_KEY: last_applied}},
                       "spec": {"$setElementOrder/ports": [{"port": 8000}],
                                "ports": [{"port": 8000, "targetPort": 8080}]}},
                      separators=(",", ":"))
    applied = smp(service(), body, "Service")
    assert applied["spec"]["ports"] == [{"port": 8000, "targetPort": 8080},
                                        {"port": 80, "protocol": "TCP", "targetPort": 8080}]
    assert applied["metadata"]["annotations"][LAST_APPLIED_KEY] == last_applied


def test_it_deletes_the_old_port_when_last_applied_named_it():
    body = ('{"spec":{"$setElementOrder/ports":[{"port":8000}],"ports":[{"port":8000,'
            '"targetPort":8080},{"$patch":"delete","port":80}]}}')
    applied = smp(service(), body, "Service")
    assert applied["spec"]["ports"] == [{"port": 8000, "targetPort": 8080}]


# --- strategic merge: lists by their real merge keys --------------------------------------

@pytest.mark.parametrize("patch, path, expected", [
    pytest.param({"spec": {"containers": [{"name": "web", "image": "node-web:2"}]}},
                 ("spec", "containers"),
                 [{"name": "web", "image": "node-web:2", "command": ["node", "app.js"],
                   "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                   "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                   "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
                  {"name": "sidecar", "image": "busybox"}],
                 id="containers-by-name-set-image"),
    pytest.param({"spec": {"containers": [{"name": "web", "env": [{"name": "B", "value": "3"}]}]}},
                 ("spec", "containers", 0, "env"),
                 [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}], id="env-by-name"),
    pytest.param({"spec": {"containers": [{"name": "web", "ports": [
        {"containerPort": 8080, "name": "http"}]}]}},
                 ("spec", "containers", 0, "ports"),
                 [{"containerPort": 8080, "protocol": "TCP", "name": "http"}],
                 id="container-ports-by-containerPort"),
    pytest.param({"spec": {"containers": [{"name": "web", "volumeMounts": [
        {"mountPath": "/data", "readOnly": True}]}]}},
                 ("spec", "containers", 0, "volumeMounts"),
                 [{"name": "data", "mountPath": "/data", "readOnly": True}],
                 id="volumeMounts-by-mountPath"),
    pytest.param({"spec": {"containers": [{"name": "web", "command": ["sh"]}]}},
                 ("spec", "containers", 0, "command"), ["sh"], id="command-replaced"),
    pytest.param({"spec": {"volumes": [{"name": "data", "hostPath": {"type": "Directory"}}]}},
                 ("spec", "volumes"),
                 [{"name": "data", "hostPath": {"path": "/srv", "type": "Directory"}}],
                 id="volumes-by-name"),
    pytest.param({"spec": {"imagePullSecrets": [{"name": "other"}]}}, ("spec", "imagePullSecrets"),
                 [{"name": "other"}, {"name": "regcred"}], id="imagePullSecrets-by-name"),
    pytest.param({"spec": {"tolerations": [{"key": "b", "operator": "Exists"}]}},
                 ("spec", "tolerations"), [{"key": "b", "operator": "Exists"}],
                 id="tolerations-replaced"),
    pytest.param({"spec": {"hostAliases": [{"ip": "10.0.0.1", "hostnames": ["two"]}]}},
                 ("spec", "hostAliases"), [{"ip": "10.0.0.1", "hostnames": ["two"]}],
                 id="hostAliases-by-ip-hostnames-replaced"),
    pytest.param({"metadata": {"ownerReferences": [{"uid": "u1", "blockOwnerDeletion": True}]}},
                 ("metadata", "ownerReferences"),
                 [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1",
                   "controller": True, "blockOwnerDeletion": True}],
                 id="ownerReferences-by-uid"),
    pytest.param({"metadata": {"finalizers": ["b", "c"]}}, ("metadata", "finalizers"),
                 ["a", "b", "c"], id="finalizers-merged-as-a-set"),
    pytest.param({"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
                 ("status", "conditions"),
                 [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}],
                 id="conditions-by-type"),
    pytest.param({"spec": {"containers": [{"name": "web", "env": [{"name": "C", "value": "0"}]}]}},
                 ("spec", "containers", 0, "env"),
                 [{"name": "C", "value": "0"}, {"name": "A", "value": "1"},
                  {"name": "B", "value": "2"}], id="new-item-goes-first"),
    pytest.param({"spec": {"containers": [{"name": "web", "$setElementOrder/env": [
        {"name": "A"}, {"name": "B"}, {"name": "C"}], "env": [{"name": "C", "value": "0"}]}]}},
                 ("spec", "containers", 0, "env"),
                 [{"name": "A", "value": "1"}, {"name": "B", "value": "2"},
                  {"name": "C", "value": "0"}], id="setElementOrder-places-new-item"),
    pytest.param({"spec": {"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "web"}]}},
                 ("spec", "containers", 0, "name"), "sidecar", id="setElementOrder-reorders"),
    pytest.param({"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}},
                 ("spec", "containers", 0, "name"), "web", id="patch-delete-list-item"),
    pytest.param({"spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "x"}]}},
                 ("spec", "containers"), [{"name": "only", "image": "x"}],
                 id="patch-replace-list"),
    pytest.param({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}},
                 ("metadata", "finalizers"), ["b"], id="deleteFromPrimitiveList"),
    pytest.param({"metadata": {"$setElementOrder/finalizers": ["c", "b", "a"],
                               "finalizers": ["c"]}},
                 ("metadata", "finalizers"), ["c", "b", "a"], id="setElementOrder-primitives"),
    pytest.param({"spec": {"volumes": [{"name": "data", "$retainKeys": ["emptyDir", "name"],
                                        "emptyDir": {}}]}},
                 ("spec", "volumes"), [{"name": "data", "emptyDir": {}}],
                 id="retainKeys-switches-volume-source"),
])
def test_it_merges_lists_by_their_merge_keys(patch, path, expected):
    value = smp(pod(), patch)
    for step in path:
        value = value[step]
    assert value == expected


def test_it_applies_kubectl_set_image_to_a_deployment_template():
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"replicas": 2, "template": {"spec": {"containers": [
                      {"name": "web", "image": "nginx:1.24", "ports": [{"containerPort": 80}]},
                      {"name": "log", "image": "busybox"}]}}}}
    patch = '{"spec":{"template":{"spec":{"containers":[{"image":"nginx:1.25","name":"web"}]}}}}'
    containers = smp(deployment, patch, "Deployment")["spec"]["template"]["spec"]["containers"]
    assert containers == [{"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80}]},
                          {"name": "log", "image": "busybox"}]


def test_it_switches_a_deployment_strategy_with_retain_keys():
    deployment = {"kind": "Deployment", "spec": {"strategy": {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}}
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert smp(deployment, patch, "Deployment")["spec"]["strategy"] == {"type": "Recreate"}


def test_it_merges_node_pod_cidrs_as_a_set():
    node = {"kind": "Node", "spec": {"podCIDRs": ["10.244.1.0/24"]}}
    patched = smp(node, {"spec": {"podCIDRs": ["10.244.1.0/24", "fd00::/64"]}}, "Node")
    assert patched["spec"]["podCIDRs"] == ["10.244.1.0/24", "fd00::/64"]


@pytest.mark.parametrize("patch, expected_spec", [
    pytest.param({"spec": {"selector": None}}, {"type": "ClusterIP"}, id="null-deletes"),
    pytest.param({"spec": {"nope": None}}, {"selector": {"app": "node-web"}, "type": "ClusterIP"},
                 id="null-for-absent-key-is-ignored"),
    pytest.param({"spec": {"selector": {"tier": "web"}}},
                 {"selector": {"app": "node-web", "tier": "web"}, "type": "ClusterIP"},
                 id="maps-merge"),
    pytest.param({"spec": {"selector": {"$patch": "replace", "tier": "web"}}},
                 {"selector": {"tier": "web"}, "type": "ClusterIP"}, id="patch-replace-map"),
    pytest.param({"spec": {"selector": {"$patch": "delete"}}}, {"selector": {}, "type": "ClusterIP"},
                 id="patch-delete-map-empties-it"),
    pytest.param({"spec": {"externalName": {"a": None, "b": 1}}},
                 {"selector": {"app": "node-web"}, "type": "ClusterIP", "externalName": {"b": 1}},
                 id="nulls-dropped-from-new-values"),
    pytest.param("null", {"selector": {"app": "node-web"}, "type": "ClusterIP"},
                 id="null-patch-changes-nothing"),
])
def test_it_merges_maps_with_null_and_directives(patch, expected_spec):
    obj = {"kind": "Service", "spec": {"selector": {"app": "node-web"}, "type": "ClusterIP"}}
    assert smp(obj, patch, "Service")["spec"] == expected_spec


@pytest.mark.parametrize("obj, patch, code, reason, message", [
    pytest.param(service(), '{"spec":', 400, "BadRequest", "unexpected end of JSON input",
                 id="truncated-json"),
    pytest.param(service(), '{"spec":{"type":}}', 400, "BadRequest",
                 "invalid character '}' looking for beginning of value", id="syntax-error"),
    pytest.param(service(), "[1]", 400, "BadRequest",
                 "json: cannot unmarshal array into Go value of type map[string]interface {}",
                 id="not-an-object"),
    pytest.param(service(), {"spec": {"ports": [{"targetPort": 9090}]}}, 500, "",
                 "map: map[targetPort:9090] does not contain declared merge key: port",
                 id="missing-merge-key"),
    pytest.param(service(), {"spec": {"ports": [{"$patch": "delete"}]}}, 500, "",
                 "map: map[$patch:delete] does not contain declared merge key: port",
                 id="delete-without-merge-key"),
    pytest.param(service(), {"spec": {"ports": [{"$patch": "remove", "port": 80}]}}, 500, "",
                 "unknown patch type: remove in map: map[$patch:remove port:80]",
                 id="unknown-list-directive"),
    pytest.param(service(), {"spec": {"$patch": "merge"}}, 500, "",
                 "unknown patch type: merge in map: map[$patch:merge]", id="unknown-map-directive"),
    pytest.param(service(), {"spec": {"ports": [{"$patch": "merge", "port": 80}]}}, 500, "",
                 "merging lists cannot yet be specified in the patch", id="merge-directive-in-list"),
    pytest.param(service(), {"spec": {"$setElementOrder/ports": [{"port": 80}],
                                      "ports": [{"port": 8000, "targetPort": 1}]}}, 500, "",
                 "The order in patch list:\n[map[port:8000 targetPort:1]]\n doesn't match "
                 "$setElementOrder list:\n[map[port:80]]\n", id="setElementOrder-mismatch"),
    pytest.param(service(), {"spec": {"$setElementOrder": []}}, 400, "BadRequest",
                 "invalid patch format of setElementOrder list", id="setElementOrder-no-field"),
    pytest.param(service(), {"metadata": {"$deleteFromPrimitiveList": ["x"]}}, 400, "BadRequest",
                 "invalid patch format of primitive list", id="deleteFromPrimitiveList-no-field"),
    pytest.param(service(), {"spec": {"$retainKeys": "type", "type": "NodePort"}}, 400,
                 "BadRequest", "invalid patch format of retainKeys", id="retainKeys-not-a-list"),
    pytest.param(service(), {"spec": {"$retainKeys": ["type"], "type": "NodePort",
                                      "selector": {"a": "b"}}}, 400, "BadRequest",
                 "invalid patch format of retainKeys", id="retainKeys-misses-a-patched-key"),
    pytest.param({"kind": "Pod", "metadata": {"finalizers": ["x"]}},
                 {"metadata": {"finalizers": [1]}}, 500, "",
                 "list element types are not identical: [[x] [1]]", id="mixed-list-types"),
])
def test_it_refuses_malformed_strategic_patches(obj, patch, code, reason, message):
    status = error_of(obj, patch, STRATEGIC_MERGE_PATCH)
    assert (status["code"], status["reason"], status["message"]) == (code, reason, message)


def test_it_refuses_lists_of_lists_as_unprocessable():
    obj = {"kind": "Pod", "metadata": {"finalizers": []}}
    assert error_of(obj, {"metadata": {"finalizers": [["a"]]}}, STRATEGIC_MERGE_PATCH, "Pod") == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": UNPROCESSABLE, "reason": "Invalid",
        "details": {"causes": [{"reason": "UnexpectedServerResponse",
                                "message": "lists of lists are not supported"}]},
        "code": 422}


def test_it_refuses_unsupported_patch_types():
    # (server-side apply is served: tests/simcore/test_server_side_apply.py)
    status = error_of(service(), "{}", "application/apply-patch+cbor")
    assert (status["code"], status["reason"], status["message"]) == (
        415, "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, "
        "application/strategic-merge-patch+json, application/apply-patch+yaml")


# --- RFC 7386 merge patch -----------------------------------------------------------------

@pytest.mark.parametrize("original, patch, expected", [
    # RFC 7386 appendix A, the rows whose target and patch are objects
    pytest.param({"a": "b"}, {"a": "c"}, {"a": "c"}, id="rfc-replace"),
    pytest.param({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}, id="rfc-add"),
    pytest.param({"a": "b"}, {"a": None}, {}, id="rfc-remove"),
    pytest.param({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}, id="rfc-remove-one"),
    pytest.param({"a": ["b"]}, {"a": "c"}, {"a": "c"}, id="rfc-list-to-string"),
    pytest.param({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}, id="rfc-string-to-list"),
    pytest.param({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}},
                 id="rfc-nested"),
    pytest.param({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}, id="rfc-lists-replaced"),
    pytest.param({"e": None}, {"a": 1}, {"e": None, "a": 1}, id="rfc-null-kept-in-target"),
    pytest.param({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}, id="rfc-nulls-pruned"),
    # what kubectl sends
    pytest.param({"metadata": {"labels": {"app": "node-web"}}},
                 {"metadata": {"labels": {"tier": "web"}}},
                 {"metadata": {"labels": {"app": "node-web", "tier": "web"}}}, id="kubectl-label"),
    pytest.param({"metadata": {"labels": {"app": "node-web"}}},
                 {"metadata": {"labels": {"app": None}}}, {"metadata": {"labels": {}}},
                 id="kubectl-label-remove"),
    pytest.param({"spec": {"replicas": 3}}, '{"spec":{"replicas":5}}', {"spec": {"replicas": 5}},
                 id="kubectl-scale"),
])
def test_it_applies_merge_patches(original, patch, expected):
    assert apply_patch(original, patch, MERGE_PATCH, "ReplicaSet") == expected


@pytest.mark.parametrize("patch, message", [
    pytest.param("null", "Invalid JSON Patch", id="null"),
    pytest.param('["c"]', "error decoding patch: json: cannot unmarshal array into Go value of "
                          "type map[string]interface {}", id="array"),
    pytest.param('"bar"', "error decoding patch: json: cannot unmarshal string into Go value "
                          "of type map[string]interface {}", id="string"),
    pytest.param('{"a":1,}', "error decoding patch: invalid character '}' looking for "
                             "beginning of object key string", id="trailing-comma"),
])
def test_it_refuses_malformed_merge_patches(patch, message):
    status = error_of({"a": "foo"}, patch, MERGE_PATCH)
    assert (status["code"], status["reason"], status["message"]) == (400, "BadRequest", message)


# --- RFC 6902 JSON patch ------------------------------------------------------------------

@pytest.mark.parametrize("ops, expected_spec", [
    pytest.param([{"op": "replace", "path": "/spec/type", "value": "NodePort"}],
                 {"type": "NodePort", "ports": [{"port": 80}, {"port": 81}]}, id="replace"),
    pytest.param([{"op": "add", "path": "/spec/ports/-", "value": {"port": 82}}],
                 {"type": "ClusterIP", "ports": [{"port": 80}, {"port": 81}, {"port": 82}]},
                 id="add-at-end"),
    pytest.param([{"op": "add", "path": "/spec/ports/0", "value": {"port": 79}}],
                 {"type": "ClusterIP", "ports": [{"port": 79}, {"port": 80}, {"port": 81}]},
                 id="add-insert"),
    pytest.param([{"op": "remove", "path": "/spec/ports/-1"}],
                 {"type": "ClusterIP", "ports": [{"port": 80}]}, id="remove-negative-index"),
    pytest.param([{"op": "move", "from": "/spec/type", "path": "/spec/kind"}],
                 {"kind": "ClusterIP", "ports": [{"port": 80}, {"port": 81}]}, id="move"),
    pytest.param([{"op": "copy", "from": "/spec/ports/0", "path": "/spec/first"}],
                 {"type": "ClusterIP", "ports": [{"port": 80}, {"port": 81}],
                  "first": {"port": 80}}, id="copy"),
    pytest.param([{"op": "test", "path": "/spec/type", "value": "ClusterIP"},
                  {"op": "remove", "path": "/spec/type"}],
                 {"ports": [{"port": 80}, {"port": 81}]}, id="test-then-remove"),
    pytest.param([{"op": "add", "path": "/spec/extra"}],
                 {"type": "ClusterIP", "ports": [{"port": 80}, {"port": 81}], "extra": None},
                 id="missing-value-is-null"),
    pytest.param("[]", {"type": "ClusterIP", "ports": [{"port": 80}, {"port": 81}]},
                 id="empty-patch"),
])
def test_it_applies_json_patches(ops, expected_spec):
    obj = {"spec": {"type": "ClusterIP", "ports": [{"port": 80}, {"port": 81}]}}
    assert apply_patch(obj, ops, JSON_PATCH, "Service")["spec"] == expected_spec


@pytest.mark.parametrize("ops, message", [
    pytest.param([{"op": "bogus", "path": "/a"}], "Unexpected kind: bogus", id="unknown-op"),
    pytest.param([{"path": "/a"}], "Unexpected kind: unknown", id="missing-op"),
    pytest.param([{"op": "add", "value": 1}], "add operation failed to decode path: missing value",
                 id="add-without-path"),
    pytest.param([{"op": "replace", "value": 1}], "replace operation failed to decode path: "
                 "operation missing path field: missing value", id="replace-without-path"),
    pytest.param([{"op": "move", "path": "/a"}], "move operation failed to decode from: "
                 "operation, missing from field: missing value", id="move-without-from"),
    pytest.param([{"op": "add", "path": "/spec/nope/x", "value": 1}],
                 'add operation does not apply: doc is missing path: "/spec/nope/x": '
                 "missing value", id="add-missing-parent"),
    pytest.param([{"op": "add", "path": "/spec/ports/5", "value": 1}],
                 "error in add for path: '/spec/ports/5': Unable to access invalid index: 5: "
                 "invalid index referenced", id="add-index-out-of-range"),
    pytest.param([{"op": "add", "path": "/spec/ports/x", "value": 1}],
                 "error in add for path: '/spec/ports/x': value was not a proper array index: "
                 "'x': strconv.Atoi: parsing \"x\": invalid syntax", id="add-bad-index"),
    pytest.param([{"op": "remove", "path": "/spec/nope"}],
                 "error in remove for path: '/spec/nope': Unable to remove nonexistent key: "
                 "nope: missing value", id="remove-missing-key"),
    pytest.param([{"op": "remove", "path": "/spec/ports/2"}],
                 "error in remove for path: '/spec/ports/2': Unable to access invalid index: 2: "
                 "invalid index referenced", id="remove-index-out-of-range"),
    pytest.param([{"op": "replace", "path": "/spec/nope", "value": 1}],
                 "replace operation does not apply: doc is missing key: /spec/nope: "
                 "missing value", id="replace-missing-key"),
    pytest.param([{"op": "replace", "path": "/nope/x", "value": 1}],
                 "replace operation does not apply: doc is missing path: /nope/x: missing value",
                 id="replace-missing-parent"),
    pytest.param([{"op": "test", "path": "/spec/type", "value": "NodePort"}],
                 "testing value /spec/type failed: test failed", id="test-fails"),
    pytest.param([{"op": "move", "from": "/spec/nope", "path": "/spec/x"}],
                 "error in move for path: 'nope': Unable to remove nonexistent key: nope: "
                 "missing value", id="move-missing-source"),
    pytest.param([{"op": "copy", "from": "/spec/type", "path": "/x/y"}],
                 "copy operation does not apply: doc is missing destination path: /x/y: "
                 "missing value", id="copy-missing-destination"),
])
def test_it_reports_json_patch_operations_that_do_not_apply(ops, message):
    obj = {"spec": {"type": "ClusterIP", "ports": [{"port": 80}, {"port": 81}]}}
    status = error_of(obj, ops, JSON_PATCH)
    assert (status["code"], status["reason"], status["message"]) == (422, "Invalid", UNPROCESSABLE)
    assert status["details"] == {"causes": [{"reason": "UnexpectedServerResponse",
                                             "message": message}]}


@pytest.mark.parametrize("ops, message", [
    pytest.param('{"op":"add"}', "error decoding patch: json: cannot unmarshal object into Go "
                 "value of type []handlers.jsonPatchOp", id="not-an-array"),
    pytest.param('["add"]', "error decoding patch: json: cannot unmarshal string into Go value "
                 "of type handlers.jsonPatchOp", id="operation-not-an-object"),
    pytest.param([{"op": 1, "path": "/a"}], "error decoding patch: json: cannot unmarshal number "
                 "into Go struct field jsonPatchOp.op of type string", id="op-not-a-string"),
    pytest.param('[{"op":"add"', "error decoding patch: unexpected end of JSON input",
                 id="truncated"),
])
def test_it_refuses_undecodable_json_patches(ops, message):
    status = error_of({"a": 1}, ops, JSON_PATCH)
    assert (status["code"], status["reason"], status["message"]) == (400, "BadRequest", message)


@pytest.mark.parametrize("patch_type, patch", [
    pytest.param(STRATEGIC_MERGE_PATCH, {"spec": {"containers": [{"name": "web", "image": "x"}],
                                                  "tolerations": None}}, id="strategic"),
    pytest.param(MERGE_PATCH, {"spec": {"containers": None}, "metadata": {"x": {"y": None}}},
                 id="merge"),
    pytest.param(JSON_PATCH, [{"op": "remove", "path": "/spec/containers/0/env/0"}], id="json"),
])
def test_it_never_mutates_the_object_or_the_patch(patch_type, patch):
    obj, before = pod(), copy.deepcopy(patch)
    result = apply_patch(obj, patch, patch_type, "Pod")
    assert obj == pod() and patch == before and result is not obj
