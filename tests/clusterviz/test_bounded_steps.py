"""Each request is one bounded step of the engine; the backlog a step leaves is the ticker's.

`replicas: 100000000` is created and answered at once; the cluster is then due at
once (paused or not: the controllers' backlog is not time), each tick takes one more
step, a read in between answers without touching the backlog, and an engine rebuilt
from the rows (another process, a restart) goes on where the last step stopped.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clusterviz.clusters import engines, runtime
from clusterviz.clusters.models import Cluster

pytest_plugins = ["django_fixtures"]
FLOOD = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "flood"},
         "spec": {"replicas": 100_000_000, "selector": {"matchLabels": {"app": "flood"}},
                  "template": {"metadata": {"labels": {"app": "flood"}},
                               "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def _pods(slug: str) -> int:
    return runtime.run(slug, lambda sim: len(sim.engine.store.list("pods", "default")))


@pytest.mark.django_db
@pytest.mark.parametrize("speed", [pytest.param(1.0, id="running"),
                                   pytest.param(0.0, id="paused")])
def test_a_flood_is_worked_through_one_step_per_tick(cluster, speed):
    Cluster.objects.filter(pk=cluster.pk).update(speed=speed)
    runtime.run("lecture", lambda sim: sim.api.create("replicasets.apps", FLOOD, "default"))
    row = Cluster.objects.get(pk=cluster.pk)
    assert row.next_due_at is not None and row.next_due_at <= timezone.now()
    first = _pods("lecture")
    assert 0 < first <= runtime.STEP_WRITES
    assert _pods("lecture") == first  # a read leaves the backlog to the ticker
    assert runtime.tick("lecture", timezone.now() + timedelta(seconds=1))
    second = _pods("lecture")
    assert first < second <= first + runtime.STEP_WRITES
    engines.forget()  # another process: the deferred keys come back with the rows
    assert runtime.tick("lecture", timezone.now() + timedelta(seconds=2))
    assert _pods("lecture") > second
