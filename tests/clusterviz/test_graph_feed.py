"""The graph feed's protocol over a websocket: snapshot, deltas as saves commit, resync."""

from __future__ import annotations

import asyncio
import functools
import json
from types import SimpleNamespace

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model

from clusterviz.clusters import engines, runtime
from clusterviz.dashboard import consumers
from clusterviz.dashboard.routing import websocket_urlpatterns
from clusterviz.operations import graph
from clusterviz.operations import snapshot as snapshot_module
from tests.conftest import LECTURE

pytestmark = pytest.mark.django_db(transaction=True)


class _SignedIn:
    """What AuthMiddlewareStack hands the consumers: the session's user, a teacher here."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user = await sync_to_async(_teacher)()
        return await self.inner({**scope, "user": user}, receive, send)


def _teacher():
    return get_user_model().objects.get_or_create(username="teacher",
                                                  defaults={"is_staff": True})[0]


APP = _SignedIn(URLRouter(websocket_urlpatterns))


def run_async(test):
    """Run an async test body on an event loop (the suite has no asyncio plugin)."""
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return async_to_sync(test)(*args, **kwargs)
    return wrapper


@pytest.fixture(autouse=True)
def _fresh_engines(settings):
    settings.DASHBOARD_BATCH_SECONDS = 0.01
    engines.forget()
    yield
    engines.forget()


@pytest.fixture
def slug() -> str:
    runtime.create_cluster("feed", speed=0)  # a paused clock: only our writes change it
    return "feed"


def _viewer(slug: str, query: str = "") -> WebsocketCommunicator:
    return WebsocketCommunicator(APP, f"/ws/clusters/{slug}/graph{query}",
                                 headers=[(b"origin", b"http://127.0.0.1"),
                                          (b"host", b"127.0.0.1")])


async def _apply(slug: str, name: str) -> None:
    text = (LECTURE / name).read_text()
    results = await sync_to_async(runtime.run, thread_sensitive=False)(
        slug, lambda sim: sim.apply(text))
    assert [r.error for r in results] == [None]


def _ids(elements: list[dict], prefix: str) -> list[str]:
    return sorted(e["data"]["id"] for e in elements if e["data"]["id"].startswith(prefix))


@run_async
async def test_it_sends_a_snapshot_first(slug):
    viewer = _viewer(slug)
    assert (await viewer.connect())[0]
    first = await viewer.receive_json_from()
    assert (first["type"], first["seq"]) == ("snapshot", 1)
    assert _ids(first["elements"], "node/") == ["node/master-stg", "node/worker1", "node/worker2"]
    assert _ids(first["elements"], "pod/kube-system/") == []
    await viewer.disconnect()


@run_async
async def test_it_sends_a_delta_when_a_save_commits(slug):
    viewer = _viewer(slug, "?namespace=default")
    await viewer.connect()
    await viewer.receive_json_from()
    await _apply(slug, "rs-node-web.yaml")
    change = await viewer.receive_json_from(timeout=5)
    assert (change["type"], change["seq"], change["remove"]) == ("delta", 2, [])
    assert len(_ids(change["add"], "pod/default/rs-node-web-")) == 3
    assert _ids(change["add"], "rs/") == ["rs/default/rs-node-web"]
    await viewer.disconnect()


@run_async
async def test_a_change_to_a_quiet_feed_goes_out_at_once(slug, settings):
    settings.DASHBOARD_BATCH_SECONDS = 30  # a trailing-only batch would hold it for 30 s
    viewer = _viewer(slug, "?namespace=default")
    await viewer.connect()
    await viewer.receive_json_from()
    await _apply(slug, "rs-node-web.yaml")
    change = await viewer.receive_json_from(timeout=5)
    assert len(_ids(change["add"], "pod/default/rs-node-web-")) == 3
    await viewer.disconnect()


@run_async
async def test_saves_within_a_window_of_a_flush_ride_in_one_delta(slug, settings):
    settings.DASHBOARD_BATCH_SECONDS = 0.5
    viewer = _viewer(slug, "?namespace=default")
    await viewer.connect()
    await viewer.receive_json_from()
    await _apply(slug, "rs-node-web.yaml")
    first = await viewer.receive_json_from(timeout=5)
    assert len(_ids(first["add"], "pod/default/rs-node-web-")) == 3
    await _apply(slug, "svc-none-node-web.yaml")
    await _apply(slug, "svc-nodeport.yaml")
    assert await viewer.receive_nothing(timeout=0.2)  # inside the window: held
    rest = await viewer.receive_json_from(timeout=5)
    assert _ids(rest["add"], "svc/") == ["svc/default/svc-node", "svc/default/svc-nodeport"]
    assert (rest["seq"], rest["remove"]) == (3, [])
    assert await viewer.receive_nothing(timeout=0.7)
    await viewer.disconnect()


class _FakeViewer:
    sent = None

    def __init__(self) -> None:
        self.got = []

    async def _send_delta(self, current) -> None:
        self.got.append(current.rv)


@run_async
async def test_a_wake_during_the_read_is_served_by_it_only_if_the_read_covers_it(
        monkeypatch, settings):
    settings.DASHBOARD_BATCH_SECONDS = 30
    reading, release = asyncio.Event(), asyncio.Event()

    async def read(slug, namespace, sent):
        reading.set()
        await release.wait()
        return SimpleNamespace(rv=10)
    monkeypatch.setattr(consumers, "offload", lambda fn: read)
    key = (asyncio.get_running_loop(), "fake", "")
    feed = consumers._feeds[key] = consumers._Feed(key)
    first, covered, later, clock = (_FakeViewer() for _ in range(4))
    feed.wake(first, 5)
    await reading.wait()
    feed.wake(covered, 10)
    feed.wake(later, 11)
    feed.wake(clock, None)  # announced no rv: needs a read that starts after it
    release.set()
    await asyncio.sleep(0.05)
    assert (first.got, covered.got, later.got, clock.got) == ([10], [10], [], [])
    assert set(feed.waiting) == {later, clock}
    feed.task.cancel()
    await asyncio.sleep(0)
    assert key not in consumers._feeds


@run_async
async def test_a_wake_after_the_read_for_a_change_it_holds_is_answered_at_once(
        monkeypatch, settings):
    settings.DASHBOARD_BATCH_SECONDS = 30

    async def read(slug, namespace, sent):
        return SimpleNamespace(rv=10)
    monkeypatch.setattr(consumers, "offload", lambda fn: read)
    key = (asyncio.get_running_loop(), "fake", "")
    feed = consumers._feeds[key] = consumers._Feed(key)
    first, straggler, newer = (_FakeViewer() for _ in range(3))
    feed.wake(first, 10)
    await asyncio.sleep(0.05)
    feed.wake(straggler, 10)  # the same save's wake-up, arriving after the read
    feed.wake(newer, 11)      # a later save: waits for the next flush
    await asyncio.sleep(0.05)
    assert (first.got, straggler.got, newer.got) == ([10], [10], [])
    feed.task.cancel()
    await asyncio.sleep(0)


@run_async
async def test_viewers_opening_one_picture_share_one_encoding_of_it(slug, monkeypatch):
    encodings = []
    real = snapshot_module.json.dumps
    monkeypatch.setattr(snapshot_module.json, "dumps", lambda value, *a, **k: (
        encodings.append(1) if isinstance(value, list) else None) or real(value, *a, **k))
    firsts = []
    for _ in range(3):
        viewer = _viewer(slug, "?namespace=default")
        await viewer.connect()
        firsts.append(await viewer.receive_json_from())
        await viewer.disconnect()
    assert firsts[0] == firsts[1] == firsts[2] and firsts[0]["type"] == "snapshot"
    assert len(encodings) == 1
    snap = await sync_to_async(_snapshot_now, thread_sensitive=False)(slug)
    message = snapshot_module.snapshot_message(snap, 4, snapshot_module.encoded_elements(snap))
    assert json.loads(message) == {"type": "snapshot", "seq": 4, "version": snap.version,
                                   "clock": snap.clock, "elements": snap.elements}


@run_async
async def test_it_answers_a_resync_with_a_fresh_snapshot(slug):
    viewer = _viewer(slug)
    await viewer.connect()
    await viewer.receive_json_from()
    await viewer.send_json_to({"type": "resync"})
    again = await viewer.receive_json_from()
    assert (again["type"], again["seq"]) == ("snapshot", 2)
    await viewer.disconnect()


@run_async
async def test_it_switches_namespace_with_a_snapshot(slug):
    viewer = _viewer(slug)
    await viewer.connect()
    await viewer.receive_json_from()
    await viewer.send_json_to({"type": "namespace", "namespace": "kube-system"})
    shown = await viewer.receive_json_from()
    assert shown["type"] == "snapshot"
    assert len(_ids(shown["elements"], "pod/kube-system/")) == 12
    await viewer.disconnect()


@run_async
async def test_it_closes_the_socket_of_an_unknown_cluster(db):
    viewer = _viewer("nope")
    assert (await viewer.connect())[0]  # accepted only to carry the close code to the page
    assert await viewer.receive_output() == {"type": "websocket.close", "code": 4404}


@run_async
async def test_viewers_of_one_cluster_share_one_delta(slug, monkeypatch):
    calls = []
    monkeypatch.setattr(snapshot_module, "delta", lambda old, new: calls.append(1)
                        or graph.delta(old, new))
    viewers = [_viewer(slug, "?namespace=default") for _ in range(3)]
    for viewer in viewers:
        await viewer.connect()
        await viewer.receive_json_from()
    await _apply(slug, "rs-node-web.yaml")
    changes = [await viewer.receive_json_from(timeout=5) for viewer in viewers]
    assert changes[0] == changes[1] == changes[2]
    assert (changes[0]["type"], changes[0]["seq"]) == ("delta", 2)
    assert len(calls) == 1
    for viewer in viewers:
        await viewer.disconnect()


@run_async
async def test_a_viewer_on_another_filter_gets_its_own_delta_or_none(slug):
    everything, system = _viewer(slug), _viewer(slug, "?namespace=kube-system")
    for viewer in (everything, system):
        await viewer.connect()
        await viewer.receive_json_from()
    await _apply(slug, "rs-node-web.yaml")
    change = await everything.receive_json_from(timeout=5)
    assert len(_ids(change["add"], "pod/default/rs-node-web-")) == 3
    assert await system.receive_nothing(timeout=0.3)  # nothing it shows moved: no delta
    await everything.disconnect()
    await system.disconnect()


def _snapshot_now(slug: str) -> snapshot_module.Snapshot:
    return snapshot_module.snapshot(slug, "default")


@run_async
async def test_the_shared_delta_depends_on_the_version_a_viewer_was_sent(slug):
    take = sync_to_async(_snapshot_now, thread_sensitive=False)
    v0 = await take(slug)
    await _apply(slug, "rs-node-web.yaml")
    v1 = await take(slug)
    await _apply(slug, "svc-none-node-web.yaml")
    v2 = await take(slug)
    behind, current = snapshot_module.shared_delta(v0, v2), snapshot_module.shared_delta(v1, v2)
    assert behind.change == graph.delta(v0.elements, v2.elements)
    assert current.change == graph.delta(v1.elements, v2.elements)
    assert len(_ids(behind.change["add"], "pod/")) == 3
    assert _ids(current.change["add"], "pod/") == []
    assert snapshot_module.cached_delta(v1, v2) is current
    assert json.loads(current.message(7, v2.version, v2.clock)) == {
        "type": "delta", "seq": 7, "version": v2.version, "clock": v2.clock, **current.change}
