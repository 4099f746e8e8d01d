"""Fixtures for the Django side (imported by the test modules: a conftest.py here would
shadow tests/conftest.py, which the simcore tests import by the name `conftest`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.test import Client

from clusterviz.classroom import tokens
from clusterviz.clusters import delta, engines
from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import create_cluster


@pytest.fixture(autouse=True)
def _tls_files(settings, tmp_path_factory):
    # The CA and certificate of this test session, never the checkout's own.
    settings.TLS_DIR = tmp_path_factory.getbasetemp() / "tls"


@pytest.fixture(autouse=True)
def _in_test_thread(settings):
    # Work in the test's own thread and connection, inside its transaction.
    settings.K8S_OFFLOAD_TO_THREADS = False
    engines.forget()
    yield
    engines.forget()


@pytest.fixture
def teacher(db):
    """The staff user every cluster without an owner belongs to (classroom.policy)."""
    return get_user_model().objects.create_user("teacher", password="unused", is_staff=True)


@pytest.fixture
def client(teacher) -> Client:
    """Django's test client, signed in as the teacher and carrying the teacher's API token:
    the pages see a session, the Kubernetes API a bearer token, as in the product."""
    return signed_in_as(teacher)


def signed_in_as(user) -> Client:
    token = tokens.issue(user, "any")
    signed_in = Client(headers={"Authorization": f"Bearer {token}"})
    signed_in.force_login(user)
    return signed_in


def teacher_client() -> Client:
    """A client signed in as the teacher, made on the spot (for helpers outside fixtures)."""
    user, _ = get_user_model().objects.get_or_create(username="teacher",
                                                     defaults={"is_staff": True})
    return signed_in_as(user)


@pytest.fixture(autouse=True)
def _saves_agree_with_a_whole_comparison(monkeypatch):
    """Every save of every test here finds what comparing every part finds: a change the
    engine's tables did not note (clusters.delta) fails the test that made it."""
    found = delta.delta

    def checked(sim, saved, stored_names):
        result = found(sim, saved, stored_names)
        if saved is not None:
            parts = engines.split_state(sim, objects=False)[1]
            changed, gone = delta.changed_parts(saved, parts)
            assert set(changed) <= set(result.changed) <= set(parts), "a change was missed"
            assert sorted(result.gone) == sorted(gone), "the parts gone differ"
        return result
    monkeypatch.setattr(delta, "delta", checked)


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
