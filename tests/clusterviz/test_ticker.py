"""Clocks that move on their own: next_due_at, claims, `runtime.tick` and the ticker loop."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import F
from django.utils import timezone

from clusterviz.clusters import engines, runtime, ticker
from clusterviz.clusters.clock import catch_up
from clusterviz.clusters.models import Cluster, StoredObject
from simcore.simulation import Simulation

pytest_plugins = ["django_fixtures"]  # fixtures; see django_fixtures.py for why not conftest.py

RS_NODE_WEB = (Path(__file__).resolve().parents[2].parent / "shared" / "lecture" /
               "rs-node-web.yaml").read_text()


def _create_rs(sim) -> None:
    sim.apply(RS_NODE_WEB, create=True)


def _rewind(cluster: Cluster, seconds: float) -> None:
    """Let `seconds` of wall time pass for the cluster: its save and its due time move back."""
    Cluster.objects.filter(pk=cluster.pk).update(
        saved_at=F("saved_at") - timedelta(seconds=seconds),
        next_due_at=F("next_due_at") - timedelta(seconds=seconds))


def _phases(cluster: Cluster) -> list[str]:
    rows = StoredObject.objects.filter(cluster=cluster, resource="pods", namespace="default")
    return sorted(body["status"].get("phase", "") for body in rows.values_list("body", flat=True))


def _fresh(cluster: Cluster) -> Cluster:
    return Cluster.objects.get(pk=cluster.pk)


@pytest.mark.django_db
def test_it_has_nothing_due_on_an_idle_cluster(cluster):
    assert cluster.next_due_at is None
    assert runtime.tick("lecture") is False
    assert ticker.due_slugs() == []


@pytest.mark.django_db
def test_it_stores_when_the_earliest_timer_falls_due(cluster):
    runtime.run("lecture", _create_rs)
    fresh = _fresh(cluster)
    # the kubelet's first timer: the containers start two virtual seconds after the pods
    assert fresh.next_due_at - fresh.saved_at == timedelta(seconds=2) + runtime.DUE_SLACK


@pytest.mark.django_db
def test_it_scales_the_due_time_by_the_clock_speed(db):
    cluster = runtime.create_cluster("fast", speed=4.0)
    runtime.run("fast", _create_rs)
    fresh = _fresh(cluster)
    assert fresh.next_due_at - fresh.saved_at == timedelta(seconds=0.5) + runtime.DUE_SLACK


@pytest.mark.django_db
def test_a_paused_cluster_is_never_due(db):
    cluster = runtime.create_cluster("paused", speed=0.0)
    runtime.run("paused", _create_rs)
    assert _fresh(cluster).next_due_at is None


@pytest.mark.django_db
def test_it_does_not_tick_before_the_timer(cluster):
    runtime.run("lecture", _create_rs)
    version = _fresh(cluster).version
    assert runtime.tick("lecture") is False
    assert _fresh(cluster).version == version
    assert _phases(cluster) == ["Pending"] * 3


@pytest.mark.django_db
def test_a_due_tick_advances_saves_and_clears_the_due_time(cluster):
    runtime.run("lecture", _create_rs)
    _rewind(_fresh(cluster), 30)
    assert ticker.due_slugs() == ["lecture"]
    assert runtime.tick("lecture") is True
    assert _phases(cluster) == ["Running"] * 3
    assert _fresh(cluster).next_due_at is None


@pytest.mark.django_db
def test_tick_due_takes_only_the_due_clusters(cluster):
    runtime.create_cluster("other")
    runtime.run("other", _create_rs)
    runtime.run("lecture", _create_rs)
    _rewind(_fresh(cluster), 30)
    assert ticker.tick_due() == 1
    assert _phases(cluster) == ["Running"] * 3
    assert _phases(Cluster.objects.get(slug="other")) == ["Pending"] * 3


@pytest.mark.django_db
def test_only_one_of_two_tickers_claims_a_due_cluster(cluster):
    runtime.run("lecture", _create_rs)
    _rewind(_fresh(cluster), 30)
    first, second = _fresh(cluster), _fresh(cluster)  # both read the row before either claims
    now = timezone.now()
    assert runtime._claim(first, now) is True
    assert runtime._claim(second, now) is False
    assert _fresh(cluster).next_due_at == now + timedelta(seconds=10)


@pytest.mark.django_db
def test_a_ticker_that_loses_the_race_moves_on(cluster):
    """Another process saves between the ticker's catch-up and its save: no retry, no loss."""
    runtime.run("lecture", _create_rs)
    _rewind(_fresh(cluster), 30)
    attempts = []

    def other_process(stale: Cluster) -> None:
        attempts.append(stale.version)
        rival = Cluster.objects.get(pk=stale.pk)
        sim = Simulation.from_state(engines.full_state(rival))
        now = timezone.now()
        catch_up(sim, rival.elapsed, rival.saved_at, rival.speed, now)
        sim.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                      "metadata": {"name": "rival"}}, "default")
        sim.engine.settle()
        assert runtime.save(rival, sim, now)
        engines.forget()

    runtime._attempt_hook.before_save = other_process
    try:
        assert runtime.tick("lecture") is False
    finally:
        runtime._attempt_hook.before_save = None
    assert len(attempts) == 1
    names = runtime.run("lecture", lambda sim: [
        c["metadata"]["name"] for c in sim.list("configmaps", "default")])
    assert "rival" in names
    assert _phases(cluster) == ["Running"] * 3  # the rival caught the clock up


@pytest.mark.django_db
def test_a_timer_that_writes_nothing_still_moves_the_due_time(cluster):
    """Time alone changed the earliest timer: the row must say so, or tickers spin on it."""
    runtime.run("lecture", _create_rs)
    _rewind(_fresh(cluster), 30)
    before = _fresh(cluster)
    runtime.run("lecture", lambda sim: None)
    after = _fresh(cluster)
    assert after.version == before.version + 1
    assert after.next_due_at is None


def test_the_loop_stops_when_asked(monkeypatch):
    passes = []
    monkeypatch.setattr(ticker, "tick_due", lambda: passes.append(1) or 0)
    asyncio.run(ticker.run(lambda: len(passes) >= 3, interval=0))
    assert passes == [1, 1, 1]


def test_a_failed_pass_does_not_stop_the_loop(monkeypatch):
    passes = []

    def flaky() -> int:
        passes.append(1)
        if len(passes) == 1:
            raise RuntimeError("database went away")
        return 0
    monkeypatch.setattr(ticker, "tick_due", flaky)
    asyncio.run(ticker.run(lambda: len(passes) >= 2, interval=0))
    assert passes == [1, 1]


async def _first_request(app) -> asyncio.Task | None:
    async def inner(scope, receive, send):
        return None
    await ticker.TickerMiddleware(inner)({"type": "http"}, None, None)
    task = ticker._task
    if task is not None:
        task.cancel()
    return task


@pytest.mark.parametrize("enabled, started", [
    pytest.param(True, True, id="on-by-default"),
    pytest.param(False, False, id="switched-off-for-runsim"),
])
def test_the_first_request_starts_the_ticker(settings, monkeypatch, enabled, started):
    settings.TICKER_IN_PROCESS = enabled
    monkeypatch.setattr(ticker, "_task", None)
    monkeypatch.setattr(ticker, "tick_due", lambda: 0)
    task = asyncio.run(_first_request(None))
    assert (task is not None) is started
    if started:
        assert task.get_name() == "clusterviz-ticker"
