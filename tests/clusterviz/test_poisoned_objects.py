"""A stored object of the wrong shape (stored before bodies were decoded by their schema)
never fails a whole view: the graph, the preview, table lists and writes go on without it.

The odd objects are put into the store directly, as an older server version stored them;
through the API today each is a 400 (tests/simcore/test_decoding.py).
"""

from __future__ import annotations

import json

import pytest

from clusterviz.clusters import runtime
from clusterviz.operations import snapshot as snapshot_module
from tests.kubectl.kubectl_fixtures import LECTURE

pytest_plugins = ["django_fixtures"]  # fixtures; see django_fixtures.py for why not conftest.py

pytestmark = pytest.mark.django_db

BASE = "/k8s/clusters/lecture"
TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
# what the server before typed decoding stored and its controllers lived with
ODD = {
    "ingresses.networking.k8s.io": {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "ing-odd", "namespace": "default"}, "spec": {"rules": [5]}},
    "endpointslices.discovery.k8s.io": {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
        "metadata": {"name": "svc-node-odd", "namespace": "default",
                     "labels": {"kubernetes.io/service-name": "svc-node"}},
        "endpoints": [5], "ports": "x"},
    "deployments.apps": {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "dp-odd", "namespace": "default"},
        "spec": {"replicas": 2.5, "selector": {"matchLabels": {"app": "odd"}},
                 "template": {"metadata": {"labels": {"app": "odd"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}},
}


def _plant(slug: str) -> None:
    """The lecture's ReplicaSet and Service, then the odd objects straight into the store."""
    for name in ("rs-node-web.yaml", "svc-none-node-web.yaml"):
        text = (LECTURE / name).read_text()
        assert [r.error for r in runtime.run(slug, lambda sim, t=text: sim.apply(t))] == [None]

    def plant(sim) -> None:
        for i, (resource, obj) in enumerate(ODD.items()):
            obj = json.loads(json.dumps(obj))
            obj["metadata"] |= {"uid": f"0dd0000{i}-0000-4000-8000-000000000000",
                                "creationTimestamp": "2021-05-01T09:00:00Z"}
            sim.engine.store.put(resource, obj)
    runtime.run(slug, plant)


@pytest.fixture
def poisoned(cluster):
    snapshot_module._rows.clear()
    snapshot_module._cache.clear()
    _plant(cluster.slug)
    return cluster


def test_the_graph_draws_everything_else(poisoned):
    elements = snapshot_module.snapshot(poisoned.slug, "default").elements
    ids = {e["data"]["id"] for e in elements}
    pods = [i for i in ids if i.startswith("pod/default/rs-node-web-")]
    assert len(pods) == 3
    assert "svc/default/svc-node" in ids and "rs/default/rs-node-web" in ids
    assert {f"ep/default/svc-node/{p.rsplit('/', 1)[1]}" for p in pods} <= ids
    json.dumps(elements)  # what the socket sends


def test_the_preview_answers(client, poisoned):
    text = (LECTURE / "svc-clientip-node-web.yaml").read_text()
    response = client.post(f"/clusters/{poisoned.slug}/preview", json.dumps({"text": text}),
                           content_type="application/json")
    assert response.status_code == 200
    sections = response.json()["sections"]
    assert any("selects 3 pods" in line["text"] for s in sections for line in s["lines"])


@pytest.mark.parametrize(("path", "name"), [
    ("/apis/networking.k8s.io/v1/namespaces/default/ingresses", "ing-odd"),
    ("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", "svc-node-odd"),
    ("/apis/apps/v1/namespaces/default/deployments", "dp-odd"),
])
def test_tables_list_every_object(client, poisoned, path, name):
    response = client.get(BASE + path, HTTP_ACCEPT=TABLE_ACCEPT)
    assert response.status_code == 200
    rows = {r["cells"][0]: r["cells"] for r in response.json()["rows"]}
    assert name in rows


def test_a_row_the_printer_cannot_read_is_unknown(client, poisoned):
    response = client.get(BASE + "/apis/networking.k8s.io/v1/namespaces/default/ingresses",
                          HTTP_ACCEPT=TABLE_ACCEPT)
    [row] = response.json()["rows"]
    assert row["cells"] == ["ing-odd"] + ["<unknown>"] * (len(row["cells"]) - 1)


def test_writes_go_on(client, poisoned):
    text = (LECTURE / "svc-clientip-node-web.yaml").read_text()
    results = runtime.run(poisoned.slug, lambda sim: sim.apply(text))
    assert [r.error for r in results] == [None]
