"""Previews and dry runs change nothing, so they run on a copy of the cluster, outside its
lock: a slow preview does not make the other requests to the cluster wait."""

from __future__ import annotations

import json

import pytest

from clusterviz.clusters import engines
from clusterviz.clusters.models import StoredObject
from clusterviz.operations import actions
from simcore.apiserver import APIServer

pytest_plugins = ["django_fixtures"]
CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry"}, "data": {"a": "b"}}


@pytest.fixture
def lock_seen(monkeypatch) -> list[bool]:
    """Whether the cluster's lock was held each time the API server created something."""
    seen: list[bool] = []
    create = APIServer.create

    def spy(self, *args, **kwargs):
        seen.append(engines.lock_for("lecture").locked())
        return create(self, *args, **kwargs)
    monkeypatch.setattr(APIServer, "create", spy)
    return seen


@pytest.mark.django_db
def test_a_dashboard_preview_runs_outside_the_clusters_lock(client, cluster, lock_seen):
    response = client.post("/clusters/lecture/preview", json.dumps(
        {"text": json.dumps(CM), "mode": "create"}), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["results"][0]["text"] == "configmap/dry created (server dry run)"
    assert lock_seen == [False]
    assert not StoredObject.objects.filter(name="dry").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("dry_run, locked", [
    pytest.param(True, False, id="dryRun=All"), pytest.param(False, True, id="a real create")])
def test_an_api_dry_run_runs_outside_the_lock(client, cluster, lock_seen, dry_run, locked):
    query = "?dryRun=All" if dry_run else ""
    response = client.post(f"/k8s/clusters/lecture/api/v1/namespaces/default/configmaps{query}",
                           json.dumps(CM), content_type="application/json")
    assert response.status_code == 201
    assert lock_seen == [locked]
    assert StoredObject.objects.filter(name="dry").exists() is not dry_run


def test_the_preview_action_uses_the_copy(monkeypatch):
    # the one call the preview makes: on a copy (guards against a refactor back to `run`)
    calls = []
    monkeypatch.setattr(actions.runtime, "run_on_copy",
                        lambda slug, op: calls.append(slug) or ([], {}))
    assert actions.preview_manifests("x", "a: 1\n")["results"] == []
    assert calls == ["x"]
