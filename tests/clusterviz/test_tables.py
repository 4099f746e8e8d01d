"""A listed Table's JSON from cached pieces is byte for byte what json.dumps writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clusterviz.k8sapi import tables
from simcore.apiserver import resolve
from simcore.printers import table
from simcore.simulation import Simulation

LECTURE = Path(__file__).resolve().parents[2].parent / "shared" / "lecture"
JOB = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
       "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
           {"name": "c", "image": "busybox", "command": ["true"]}]}}}}


@pytest.fixture(scope="module")
def sim() -> Simulation:
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply((LECTURE / "rs-node-web.yaml").read_text(), create=True)
    sim.api.create("jobs", JOB, "default")  # a Completed pod: its row has conditions
    sim.advance(60)
    return sim


def _table(sim: Simulation, kind: str, include_object: str) -> dict:
    items = sim.api.list_ref(resolve(kind), None)
    return table(resolve(kind).kind, items, sim.now, include_object=include_object,
                 resource_version=str(sim.engine.store.rv))


@pytest.mark.parametrize("kind", ["pods", "nodes", "services", "replicasets", "jobs",
                                  "configmaps"])
@pytest.mark.parametrize("include_object", ["Metadata", "Object", "None"])
def test_the_text_is_json_dumps(sim, kind, include_object):
    for _ in range(2):  # the second time from the cache
        body = _table(sim, kind, include_object)
        assert tables.table_json(body) == json.dumps(body, separators=(",", ":"))
    assert any("conditions" in row for row in _table(sim, "pods", "None")["rows"])


def test_a_changed_object_is_written_afresh(sim):
    before = tables.table_json(_table(sim, "pods", "Metadata"))
    pod = sim.list("pods", "default")[0]["metadata"]["name"]
    sim.api.patch("pods", pod, {"metadata": {"labels": {"seen": "yes"}}},
                  "application/merge-patch+json", "default")
    after = _table(sim, "pods", "Metadata")
    assert tables.table_json(after) == json.dumps(after, separators=(",", ":"))
    assert '"seen":"yes"' in tables.table_json(after) and '"seen"' not in before
