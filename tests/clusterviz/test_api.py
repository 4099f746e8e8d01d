"""The Kubernetes API views through Django's test client: shapes, content types, Status errors."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["django_fixtures"]  # fixtures; see django_fixtures.py for why not conftest.py

pytestmark = pytest.mark.django_db

BASE = "/k8s/clusters/lecture"
TABLE_ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
                "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
V2_ACCEPT = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
             "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
             "application/json")
V2_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
RS = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs-node-web"},
      "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "node-web"}},
               "template": {"metadata": {"labels": {"app": "node-web"}},
                            "spec": {"containers": [{"name": "node-web",
                                                     "image": "whatwant/node-web:1.0"}]}}}}
SVC = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc-node"},
       "spec": {"selector": {"app": "node-web"}, "ports": [{"port": 80, "targetPort": 8080}]}}


def _status(code: int, reason: str, message: str, details: dict | None = None) -> dict:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason}
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


def _post(client, path, body, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(BASE + path, data=data, content_type=content_type)


def test_version(client, cluster):
    response = client.get(BASE + "/version")
    assert response.status_code == 200
    assert response.json()["gitVersion"] == "v1.37.1"
    assert response.json()["minor"] == "37"


@pytest.mark.parametrize("path, accept, content_type, kind", [
    pytest.param("/api", V2_ACCEPT, V2_TYPE, "APIGroupDiscoveryList", id="api-aggregated"),
    pytest.param("/apis", V2_ACCEPT, V2_TYPE, "APIGroupDiscoveryList", id="apis-aggregated"),
    pytest.param("/api", "application/json", "application/json", "APIVersions", id="api-legacy"),
    pytest.param("/apis", "application/json, */*", "application/json", "APIGroupList",
                 id="apis-legacy"),
    pytest.param("/api/v1", "application/json", "application/json", "APIResourceList",
                 id="core-resources"),
])
def test_discovery_content_types(client, cluster, path, accept, content_type, kind):
    response = client.get(BASE + path, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.json()["kind"] == kind


def test_aggregated_discovery_has_short_names_categories_and_subresources(client, cluster):
    body = client.get(BASE + "/apis", HTTP_ACCEPT=V2_ACCEPT).json()
    apps = next(i for i in body["items"] if i["metadata"]["name"] == "apps")
    rs = next(r for r in apps["versions"][0]["resources"] if r["resource"] == "replicasets")
    assert rs["shortNames"] == ["rs"] and rs["categories"] == ["all"]
    assert rs["scope"] == "Namespaced"
    scale = next(s for s in rs["subresources"] if s["subresource"] == "scale")
    assert scale["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}


def test_legacy_resource_list_entry(client, cluster):
    body = client.get(BASE + "/api/v1").json()
    pods = next(r for r in body["resources"] if r["name"] == "pods")
    assert pods == {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
                    "verbs": ["create", "delete", "deletecollection", "get", "list", "patch",
                              "update", "watch"], "shortNames": ["po"], "categories": ["all"]}


def test_openapi_stub_lets_kubectl_find_field_validation(client, cluster):
    root = client.get(BASE + "/openapi/v3").json()
    assert root["paths"]["apis/apps/v1"] == {
        "serverRelativeURL": BASE + "/openapi/v3/apis/apps/v1"}
    doc = client.get(root["paths"]["apis/apps/v1"]["serverRelativeURL"]).json()
    op = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/replicasets/{name}"]["patch"]
    assert op["x-kubernetes-group-version-kind"] == {"group": "apps", "version": "v1",
                                                     "kind": "ReplicaSet"}
    assert {"name": "fieldValidation", "in": "query",
            "schema": {"type": "string", "uniqueItems": True}} in op["parameters"]
    assert "requestBody" not in op
    schema = doc["components"]["schemas"]["io.k8s.api.apps.v1.ReplicaSet"]
    assert schema["properties"]["spec"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.api.apps.v1.ReplicaSetSpec"}]
    assert "io.k8s.api.core.v1.PodSpec" in doc["components"]["schemas"]


def test_table_response_has_every_column_and_row_objects(client, cluster):
    response = client.get(BASE + "/api/v1/nodes?limit=500", HTTP_ACCEPT=TABLE_ACCEPT)
    table = response.json()
    assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    assert table["metadata"]["resourceVersion"].isdigit()
    names = [c["name"] for c in table["columnDefinitions"]]
    assert names == ["Name", "Status", "Roles", "Age", "Version", "Internal-IP", "External-IP",
                     "OS-Image", "Kernel-Version", "Container-Runtime"]
    assert [r["cells"][0] for r in table["rows"]] == ["master-stg", "worker1", "worker2"]
    assert all(len(r["cells"]) == len(names) for r in table["rows"])
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert table["rows"][0]["object"]["metadata"]["name"] == "master-stg"


def test_list_all_namespaces_with_label_selector_as_json(client, cluster):
    body = client.get(BASE + "/api/v1/pods?labelSelector=k8s-app%3Dkube-dns").json()
    assert body["kind"] == "PodList"
    assert [p["metadata"]["name"][:8] for p in body["items"]] == ["coredns-", "coredns-"]


def test_events_field_selector(client, cluster):
    _post(client, "/apis/apps/v1/namespaces/default/replicasets", RS)
    body = client.get(BASE + "/api/v1/namespaces/default/events?fieldSelector="
                      "involvedObject.kind%3DReplicaSet,involvedObject.name%3Drs-node-web").json()
    assert body["kind"] == "EventList"
    assert {e["reason"] for e in body["items"]} == {"SuccessfulCreate"}


def test_get_missing_is_not_found(client, cluster):
    response = client.get(BASE + "/apis/apps/v1/namespaces/default/replicasets/nope")
    assert response.status_code == 404
    assert response.json() == _status(404, "NotFound", 'replicasets.apps "nope" not found',
                                      {"name": "nope", "group": "apps", "kind": "replicasets"})


def test_create_then_create_again(client, cluster):
    first = _post(client, "/api/v1/namespaces/default/services?fieldValidation=Strict", SVC)
    assert first.status_code == 201
    assert first.json()["spec"]["clusterIP"].startswith("10.")
    again = _post(client, "/api/v1/namespaces/default/services", SVC)
    assert again.status_code == 409
    assert again.json() == _status(409, "AlreadyExists", 'services "svc-node" already exists',
                                   {"name": "svc-node", "kind": "services"})


def test_strict_field_validation_refuses_unknown_fields(client, cluster):
    bad = {**SVC, "spec": {**SVC["spec"], "portz": []}}
    response = _post(client, "/api/v1/namespaces/default/services?fieldValidation=Strict", bad)
    assert response.status_code == 400
    assert response.json()["message"] == ('Service in version "v1" cannot be handled as a '
                                          'Service: strict decoding error: unknown field '
                                          '"spec.portz"')


@pytest.mark.parametrize("body, content_type, code, reason, message", [
    pytest.param("{bad", "application/json", 400, "BadRequest",
                 "couldn't get version/kind; json parse error: invalid character 'b' looking "
                 "for beginning of object key string", id="malformed-json"),
    pytest.param("a: [1", "application/yaml", 400, "BadRequest",
                 "error converting YAML to JSON: yaml: line 2: did not find expected ',' or "
                 "']'", id="malformed-yaml"),
    pytest.param("[]", "application/json", 400, "BadRequest", "Object 'Kind' is missing in '[]'",
                 id="not-an-object"),
    pytest.param("x", "text/plain", 415, "UnsupportedMediaType",
                 "the body of the request was in an unknown format - accepted media types "
                 "include: application/json, application/yaml, "
                 "application/vnd.kubernetes.protobuf", id="wrong-content-type"),
])
def test_bad_bodies(client, cluster, body, content_type, code, reason, message):
    response = _post(client, "/api/v1/namespaces/default/services", body, content_type)
    assert response.status_code == code
    assert response.json() == _status(code, reason, message)


CONFIG = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
          "data": {"mode": "a"}}
V1_EVENT = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "seen"},
            "eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "me",
            "reportingInstance": "me-1", "action": "Look", "reason": "Seen", "type": "Normal",
            "regarding": {"kind": "Pod", "name": "p", "namespace": "default"}}


@pytest.mark.parametrize("collection, body", [
    pytest.param("/api/v1/namespaces/default/configmaps", CONFIG, id="core"),
    pytest.param("/apis/events.k8s.io/v1/namespaces/default/events", V1_EVENT, id="events-v1"),
])
@pytest.mark.parametrize("metadata, code", [
    pytest.param(None, 200, id="null"), pytest.param("x", 400, id="string"),
    pytest.param([1], 400, id="array")])
def test_replace_with_metadata_that_is_not_an_object(client, cluster, collection, body,
                                                      metadata, code):
    """Null metadata decodes as Go's empty ObjectMeta, which the URL's name fills; any other
    non-object is the decoder's 400, as on create. Both were a 500: the URL's name was
    written into whatever the body held."""
    assert _post(client, collection, body).status_code == 201
    name = body["metadata"]["name"]
    response = client.put(f"{BASE}{collection}/{name}", data=json.dumps(
        {**body, "metadata": metadata}), content_type="application/json")
    assert response.status_code == code, response.content
    if code == 200:
        assert response.json()["metadata"]["name"] == name
    else:
        kind, json_type = body["kind"], "string" if metadata == "x" else "array"
        assert response.json()["message"] == (
            f'{kind} in version "v1" cannot be handled as a {kind}: json: cannot unmarshal '
            f"{json_type} into Go struct field {kind}.metadata of type v1.ObjectMeta")


def test_a_body_without_a_content_type_is_read_as_json(client, cluster):
    # apimachinery's NegotiateInputSerializerForMediaType takes the first supported type;
    # the official Python client's creates send no Content-Type at all
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bare"}})
    response = client.post(BASE + "/api/v1/namespaces/default/configmaps", data=body,
                           content_type="")
    assert response.status_code == 201, response.content
    assert response.json()["metadata"]["name"] == "bare"


def test_oversized_body_is_413(client, cluster, settings):
    settings.K8S_MAX_BODY_BYTES = 1024
    body = {**SVC, "metadata": {"name": "svc-node", "annotations": {"a": "x" * 2000}}}
    response = _post(client, "/api/v1/namespaces/default/services", body)
    assert response.status_code == 413
    assert response.json() == _status(413, "RequestEntityTooLarge",
                                      "Request entity too large: limit is 1024")


@pytest.mark.parametrize("method, path, code", [
    pytest.param("get", "/api/v1/namespaces/default/widgets", 404, id="unknown-resource"),
    pytest.param("get", "/apis/nope/v1", 404, id="unknown-group"),
    pytest.param("post", "/openapi/v2", 405, id="openapi-v2-post"),
    pytest.param("post", "/version", 405, id="post-version"),
    pytest.param("put", "/api/v1/namespaces/default/pods", 405, id="put-collection"),
])
def test_unknown_paths_and_methods_are_statuses(client, cluster, method, path, code):
    response = getattr(client, method)(BASE + path)
    assert response.status_code == code
    assert response.json()["kind"] == "Status" and response.json()["code"] == code


def test_unknown_cluster_is_not_found(client, db):
    assert client.get("/k8s/clusters/nope/version").status_code == 404


def test_patch_types(client, cluster):
    _post(client, "/api/v1/namespaces/default/services", SVC)
    path = BASE + "/api/v1/namespaces/default/services/svc-node"
    merge = client.patch(path, data='{"metadata":{"labels":{"tier":"web"}}}',
                         content_type="application/merge-patch+json")
    assert merge.json()["metadata"]["labels"] == {"tier": "web"}
    smp = client.patch(path, data='{"spec":{"sessionAffinity":"ClientIP"}}',
                       content_type="application/strategic-merge-patch+json")
    assert smp.json()["spec"]["sessionAffinity"] == "ClientIP"
    jsonpatch = client.patch(path, data='[{"op":"remove","path":"/metadata/labels"}]',
                             content_type="application/json-patch+json")
    assert "labels" not in jsonpatch.json()["metadata"]
    other = client.patch(path, data="{}", content_type="application/xml")
    assert other.status_code == 415


def test_scale_subresource(client, cluster):
    _post(client, "/apis/apps/v1/namespaces/default/replicasets", RS)
    path = BASE + "/apis/apps/v1/namespaces/default/replicasets/rs-node-web/scale"
    response = client.patch(path, data='{"spec":{"replicas":5}}',
                            content_type="application/merge-patch+json")
    scale = response.json()
    assert (scale["kind"], scale["apiVersion"]) == ("Scale", "autoscaling/v1")
    assert scale["spec"] == {"replicas": 5}
    assert scale["status"]["selector"] == "app=node-web"
    rs = client.get(BASE + "/apis/apps/v1/namespaces/default/replicasets/rs-node-web").json()
    assert rs["spec"]["replicas"] == 5 and rs["status"]["replicas"] == 5


def test_delete_return_types(client, cluster):
    _post(client, "/api/v1/namespaces/default/services", SVC)
    created = _post(client, "/apis/apps/v1/namespaces/default/replicasets", RS).json()
    svc = client.delete(BASE + "/api/v1/namespaces/default/services/svc-node",
                        data='{"propagationPolicy":"Background"}',
                        content_type="application/json")
    assert svc.status_code == 200 and svc.json()["kind"] == "Service"
    rs = client.delete(BASE + "/apis/apps/v1/namespaces/default/replicasets/rs-node-web",
                       data='{"propagationPolicy":"Background"}',
                       content_type="application/json")
    assert rs.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                         "status": "Success",
                         "details": {"name": "rs-node-web", "group": "apps",
                                     "kind": "replicasets",
                                     "uid": created["metadata"]["uid"]}}


def test_pod_log(client, cluster, age):
    _post(client, "/apis/apps/v1/namespaces/default/replicasets", RS)
    age(cluster, 10)
    pods = client.get(BASE + "/api/v1/namespaces/default/pods").json()["items"]
    name = pods[0]["metadata"]["name"]
    response = client.get(BASE + f"/api/v1/namespaces/default/pods/{name}/log")
    assert response["Content-Type"] == "text/plain"
    assert response.content == b"node-web server starting...\n"


def test_kubeconfig(client, cluster, settings):
    import yaml
    settings.TLS_PORT = 6443
    config = yaml.safe_load(client.get("/clusters/lecture/kubeconfig").content)
    entry = config["clusters"][0]["cluster"]
    assert entry["server"] == "https://testserver:6443/k8s/clusters/lecture"
    assert "insecure-skip-tls-verify" not in entry
    assert entry["certificate-authority-data"]
    assert config["users"][0]["user"]["token"].startswith("cvz_")
    assert config["current-context"] == "lecture"
    assert client.get("/clusters/nope/kubeconfig").status_code == 404
