"""The graph feed's reads: after the first, only the rows that moved; the same picture as a
read of every row, whatever happened in between."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusterviz.clusters import engines, runtime
from clusterviz.clusters.models import Change
from clusterviz.operations import snapshot as snapshot_module
from tests.conftest import LECTURE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    engines.forget()
    snapshot_module._rows.clear()
    snapshot_module._cache.clear()
    yield
    engines.forget()


def _apply(slug: str, name: str) -> None:
    results = runtime.run(slug, lambda sim: sim.apply((LECTURE / name).read_text()))
    assert [r.error for r in results] == [None]


def _delete(slug: str, resource: str, name: str) -> None:
    runtime.run(slug, lambda sim: sim.api.delete(resource, name, namespace="default"))


def _read(slug: str) -> list[dict]:
    return snapshot_module.snapshot(slug, "default").elements


def _read_everything(slug: str) -> list[dict]:
    snapshot_module._rows.clear()
    snapshot_module._cache.clear()
    return _read(slug)


def test_after_creates_deletes_and_recreates_the_picture_is_the_full_reads():
    runtime.create_cluster("rows", speed=0)
    first = _read("rows")
    _apply("rows", "rs-node-web.yaml")
    _apply("rows", "svc-none-node-web.yaml")
    grown = _read("rows")
    assert grown == _read_everything("rows") and grown != first
    _delete("rows", "services", "svc-node")
    assert _read("rows") == _read_everything("rows")
    _apply("rows", "svc-clientip-node-web.yaml")  # the same name made again
    again = _read("rows")
    assert again == _read_everything("rows")
    assert [e["data"]["id"] for e in again if e["data"]["id"] == "svc/default/svc-node"]


def test_a_save_reads_only_the_rows_it_moved():
    runtime.create_cluster("rows", speed=0)
    _apply("rows", "rs-node-web.yaml")
    _read("rows")
    _apply("rows", "svc-none-node-web.yaml")
    with CaptureQueriesContext(connection) as queries:
        _read("rows")
    reads = [q["sql"] for q in queries.captured_queries if '"body"' in q["sql"]
             and "clusters_storedobject" in q["sql"]]
    assert len(reads) == 1 and '"resource_version" >' in reads[0], reads


def test_a_deletion_the_log_no_longer_holds_falls_back_to_reading_every_row():
    runtime.create_cluster("rows", speed=0)
    _apply("rows", "rs-node-web.yaml")
    _apply("rows", "svc-none-node-web.yaml")
    _read("rows")
    _delete("rows", "services", "svc-node")
    Change.objects.filter(type="DELETED", resource="services").delete()  # the log trimmed
    shown = [e["data"]["id"] for e in _read("rows")]
    assert "svc/default/svc-node" not in shown
    assert _read("rows") == _read_everything("rows")


def test_a_save_that_moved_no_object_draws_nothing_again():
    runtime.create_cluster("rows", speed=0)
    _apply("rows", "rs-node-web.yaml")
    before = _read("rows")
    runtime.run("rows", lambda sim: sim.advance(0), force_save=True)  # the version moves
    assert _read("rows") is before
    _apply("rows", "svc-clientip-node-web.yaml")
    assert _read("rows") is not before
