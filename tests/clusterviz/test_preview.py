"""POST /clusters/<slug>/preview: the Upload tab's dry run, through Django's test client.

A preview answers what `kubectl apply --dry-run=server` would print and the wiring, and
changes nothing: the cluster row's version, the stored objects, the change log and the
viewers' feed all stay as they were. The upload limits hold for it as for Apply.
"""

from __future__ import annotations

import json

import pytest

from clusterviz.clusters.models import Change, Cluster, StoredObject
from clusterviz.operations import actions
from tests.kubectl.kubectl_fixtures import LECTURE

pytest_plugins = ["django_fixtures"]  # fixtures; see django_fixtures.py for why not conftest.py


def _post(client, path: str, body: dict):
    return client.post(f"/clusters/lecture/{path}", json.dumps(body),
                       content_type="application/json")


def _text(*names: str) -> str:
    return "\n---\n".join((LECTURE / n).read_text() for n in names)


def _snapshot(cluster: Cluster) -> tuple:
    row = Cluster.objects.get(pk=cluster.pk)
    return (row.version, row.resource_version, StoredObject.objects.filter(cluster=cluster).count(),
            Change.objects.filter(cluster=cluster).count())


@pytest.fixture
def paused(client, cluster) -> Cluster:
    """The lecture cluster with its clock paused, so that time cannot save anything either."""
    assert _post(client, "clock", {"action": "pause"}).status_code == 200
    return cluster


@pytest.mark.django_db
def test_a_preview_answers_the_dry_run_and_the_wiring_and_changes_nothing(
        client, paused, django_capture_on_commit_callbacks):
    before = _snapshot(paused)
    with django_capture_on_commit_callbacks() as published:
        response = _post(client, "preview", {"text": _text("rs-node-web.yaml",
                                                           "svc-none-node-web.yaml")})
    assert response.status_code == 200
    body = response.json()
    assert body["results"] == [
        {"ok": True, "text": "replicaset.apps/rs-node-web created (server dry run)",
         "warnings": []},
        {"ok": True, "text": "service/svc-node created (server dry run)", "warnings": []}]
    assert body["sections"][0]["title"] == "service/svc-node in default (ClusterIP, new)"
    assert body["sections"][0]["lines"][0] == {
        "text": "selector app=node-web selects 3 pods: the 3 pods replicaset rs-node-web will "
                "create", "problem": False}
    assert body["problems"] == []
    assert _snapshot(paused) == before
    assert published == []


@pytest.mark.django_db
def test_after_a_preview_apply_does_what_it_said(client, paused):
    text = _text("rs-node-web.yaml", "svc-none-node-web.yaml")
    said = [r["text"] for r in _post(client, "preview", {"text": text}).json()["results"]]
    done = [r["text"] for r in _post(client, "apply", {"text": text}).json()["results"]]
    assert [s.removesuffix(" (server dry run)") for s in said] == done
    again = _post(client, "preview", {"text": text}).json()
    assert [r["text"] for r in again["results"]] == [
        "replicaset.apps/rs-node-web unchanged (server dry run)",
        "service/svc-node unchanged (server dry run)"]


@pytest.mark.django_db
@pytest.mark.parametrize("mode, text, line", [
    pytest.param("apply", "a: [\n", "error converting YAML to JSON: yaml: line 2: did not find "
                 "expected node content", id="bad-yaml"),
    pytest.param("apply", "kind: Service\nmetadata: {name: x}\n",
                 "error validating data: [apiVersion not set]", id="no-apiVersion"),
    pytest.param("create", "apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n",
                 'Error from server (AlreadyExists): error when creating "STDIN": namespaces '
                 '"default" already exists', id="create-existing"),
    pytest.param("apply", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n"
                 "spec: {ports: [{port: 0, targetPort: 80}]}\n",
                 'The Service "x" is invalid: spec.ports[0].port: Invalid value: 0: must be '
                 "between 1 and 65535, inclusive", id="invalid"),
])
def test_a_refused_document_is_the_api_servers_message(client, paused, mode, text, line):
    before = _snapshot(paused)
    body = _post(client, "preview", {"text": text, "mode": mode}).json()
    assert body["results"] == [{"ok": False, "text": line, "warnings": []}]
    assert _snapshot(paused) == before


@pytest.mark.django_db
@pytest.mark.parametrize("text, message", [
    pytest.param("#" * (actions.MAX_MANIFEST_BYTES + 1),
                 f"the text is {actions.MAX_MANIFEST_BYTES + 1} bytes; the limit is "
                 f"{actions.MAX_MANIFEST_BYTES} bytes", id="oversize"),
    pytest.param("\n---\n".join(["{}"] * (actions.MAX_DOCUMENTS + 1)),
                 f"more than {actions.MAX_DOCUMENTS} objects (51, each item of a List counted); "
                 "upload them in parts", id="too-many-documents"),
    pytest.param(json.dumps({"apiVersion": "v1", "kind": "List", "items": [{}] * 51}),
                 f"more than {actions.MAX_DOCUMENTS} objects (51, each item of a List counted); "
                 "upload them in parts", id="too-many-list-items"),
    pytest.param("  \n", "error: no objects passed to apply", id="empty"),
])
def test_the_upload_limits_hold_for_a_preview(client, paused, text, message):
    before = _snapshot(paused)
    response = _post(client, "preview", {"text": text})
    assert (response.status_code, response.json()) == (400, {"error": message})
    assert _snapshot(paused) == before


@pytest.mark.django_db
def test_a_preview_of_an_unknown_cluster_is_404(client, db):
    response = client.post("/clusters/nowhere/preview", json.dumps({"text": "a: b"}),
                           content_type="application/json")
    assert (response.status_code, response.json()) == (404, {"error": "no cluster nowhere"})


def _configmap(i: int, data: str = "{}") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}}}\ndata: {data}\n"


def _configmaps(n: int) -> list[dict]:
    return [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{i}"}}
            for i in range(n)]


def _configmaps_made(cluster: Cluster) -> int:
    return StoredObject.objects.filter(cluster=cluster, resource="configmaps",
                                       name__startswith="cm-").count()


# over the limit: what the upload would apply, not how many `---` lines the text has
TOO_MANY = actions.MAX_DOCUMENTS + 1


@pytest.mark.django_db
@pytest.mark.parametrize("text", [
    pytest.param("apiVersion: v1\nkind: List\nitems:\n" + "".join(
        f"- {json.dumps(cm)}\n" for cm in _configmaps(TOO_MANY)), id="yaml-list"),
    pytest.param(json.dumps({"apiVersion": "v1", "kind": "List", "items": _configmaps(TOO_MANY)}),
                 id="json-list"),
    pytest.param(json.dumps({"apiVersion": "v1", "kind": "ConfigMapList",
                             "items": _configmaps(TOO_MANY)}), id="typed-list"),
    pytest.param("---\n".join([_configmap(i) for i in range(40)] + [json.dumps(
        {"apiVersion": "v1", "kind": "List", "items": _configmaps(TOO_MANY)[40:]})]),
                 id="documents-and-a-list"),
])
@pytest.mark.parametrize("mode", ["apply", "preview"])
def test_a_list_over_the_document_limit_is_refused_and_creates_nothing(client, paused, text,
                                                                      mode):
    before = _snapshot(paused)
    response = _post(client, mode, {"text": text})
    assert (response.status_code, response.json()) == (400, {"error": (
        f"more than {actions.MAX_DOCUMENTS} objects ({TOO_MANY}, each item of a List counted); "
        "upload them in parts")})
    assert _snapshot(paused) == before
    assert _configmaps_made(paused) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("text", [
    pytest.param("---\n".join(_configmap(i) for i in range(50)), id="separated-by-dashes"),
    pytest.param("".join(f"---\n{_configmap(i)}---\n" for i in range(50)),
                 id="each-opened-and-closed-by-dashes"),
    pytest.param("---\n".join([_configmap(0, '{banner: "top\n---- cut here ----\n  end"}')] +
                               [_configmap(i) for i in range(1, 50)]),
                 id="a-string-with-a-line-of-dashes"),
    pytest.param("---\n".join([_configmap(0, "\n  script: |\n    ---\n    --- x\n")] +
                               [_configmap(i) for i in range(1, 50)]),
                 id="a-block-scalar-with-lines-of-dashes"),
])
def test_the_document_limit_counts_objects_not_dashes(client, paused, text):
    response = _post(client, "apply", {"text": text})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["text"] for r in results] == [f"configmap/cm-{i} created" for i in range(50)]
    assert _configmaps_made(paused) == 50
