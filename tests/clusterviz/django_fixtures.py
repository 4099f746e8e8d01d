"""Fixtures for the Django side (imported by the test modules: a conftest.py here would
shadow tests/conftest.py, which the simcore tests import by the name `conftest`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F

from clusterviz.clusters import engines
from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import create_cluster


@pytest.fixture(autouse=True)
def _in_test_thread(settings):
    # Work in the test's own thread and connection, inside its transaction.
    settings.K8S_OFFLOAD_TO_THREADS = False
    engines.forget()
    yield
    engines.forget()


@pytest.fixture
def cluster(db) -> Cluster:
    return create_cluster("lecture")


@pytest.fixture
def age():
    """Let `seconds` of wall time pass for a cluster, as far as its clock can tell."""
    def move(cluster: Cluster, seconds: float) -> None:
        Cluster.objects.filter(pk=cluster.pk).update(
            saved_at=F("saved_at") - timedelta(seconds=seconds))
    return move
