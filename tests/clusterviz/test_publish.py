"""Publishing committed changes to a cluster's channel-layer group (in-memory and Redis)."""

from __future__ import annotations

import asyncio
from collections import namedtuple

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from clusterviz import settings as app_settings
from clusterviz.clusters import publish, runtime

pytest_plugins = ["django_fixtures", "service_fixtures"]

Event = namedtuple("Event", "rv type resource object")
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
             "data": {"colour": "blue"}}


def _event(rv: int, name: str, type_: str = "ADDED") -> Event:
    return Event(rv, type_, "configmaps", {"metadata": {"name": name, "namespace": "default"}})


def _change(rv: int, name: str) -> dict:
    return {"type": "ADDED", "resource": "configmaps", "namespace": "default", "name": name,
            "rv": rv}


def test_one_save_is_one_message_when_it_fits():
    assert publish.messages("lecture", 10, 12, [_event(11, "a"), _event(12, "b")], batch=5) == [
        {"type": "cluster.changes", "cluster": "lecture", "from_rv": 10, "to_rv": 12, "rv": 12,
         "changes": [_change(11, "a"), _change(12, "b")]}]


def test_many_changes_are_batched_into_a_chain():
    events = [_event(rv, f"cm-{rv}") for rv in range(101, 106)]
    sent = publish.messages("lecture", 100, 105, events, batch=2)
    assert [(m["from_rv"], m["to_rv"], len(m["changes"])) for m in sent] == [
        (100, 102, 2), (102, 104, 2), (104, 105, 1)]


def test_rows_rewritten_whole_ask_listeners_to_resync():
    assert publish.messages("lecture", 10, 900, None) == [
        {"type": "cluster.changes", "cluster": "lecture", "from_rv": 10, "to_rv": 900,
         "rv": 900, "changes": [], "resync": True}]


def test_nothing_changed_sends_nothing():
    assert publish.publish("lecture", 12, 12, []) == 0


def _listen(slug: str) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(publish.group_name(slug), channel)
    return channel


def _received(channel: str, wait: float = 0.5) -> list[dict]:
    async def drain() -> list[dict]:
        layer, out = get_channel_layer(), []
        while True:
            try:
                out.append(await asyncio.wait_for(layer.receive(channel), wait))
            except TimeoutError:
                return out
    return async_to_sync(drain)()


def _create_configmap(sim) -> dict:
    return sim.api.create("configmaps", CONFIGMAP, "default")


@pytest.mark.django_db
def test_a_committed_write_reaches_the_group(cluster, django_capture_on_commit_callbacks):
    channel = _listen("lecture")
    with django_capture_on_commit_callbacks(execute=True):
        created = runtime.run("lecture", _create_configmap)
    [message] = _received(channel)
    rv = int(created["metadata"]["resourceVersion"])
    assert message == {"type": "cluster.changes", "cluster": "lecture",
                       "from_rv": cluster.resource_version, "to_rv": rv, "rv": rv,
                       "changes": [{"type": "ADDED", "resource": "configmaps",
                                    "namespace": "default", "name": "settings", "rv": rv}]}
    [row] = publish.changes_between(cluster.pk, message["from_rv"], message["to_rv"])
    assert row.body["data"] == {"colour": "blue"}


@pytest.mark.django_db
def test_a_read_or_a_refusal_publishes_nothing(cluster, django_capture_on_commit_callbacks):
    runtime.run("lecture", _create_configmap)
    channel = _listen("lecture")
    with django_capture_on_commit_callbacks(execute=True):
        runtime.run("lecture", lambda sim: sim.api.get("configmaps", "settings", "default"))
        with pytest.raises(Exception, match='configmaps "settings" already exists'):
            runtime.run("lecture", _create_configmap)
    assert _received(channel, wait=0.2) == []


@pytest.mark.django_db
def test_a_write_that_moves_many_objects_is_batched(cluster, settings,
                                                    django_capture_on_commit_callbacks):
    settings.PUBLISH_BATCH = 4
    channel = _listen("lecture")

    def ten_configmaps(sim) -> None:
        for i in range(10):
            sim.api.create("configmaps", {**CONFIGMAP, "metadata": {"name": f"cm-{i}"}},
                           "default")
    with django_capture_on_commit_callbacks(execute=True):
        runtime.run("lecture", ten_configmaps)
    sent = _received(channel)
    assert [len(m["changes"]) for m in sent] == [4, 4, 2]
    assert [m["from_rv"] for m in sent[1:]] == [m["to_rv"] for m in sent[:-1]]


@pytest.mark.django_db
def test_changes_travel_through_redis(cluster, settings, redis_url,
                                      django_capture_on_commit_callbacks):
    settings.CHANNEL_LAYERS = app_settings.channel_layers(redis_url, 100)
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"
    channel = _listen("lecture")
    with django_capture_on_commit_callbacks(execute=True):
        created = runtime.run("lecture", _create_configmap)
    [message] = _received(channel)
    assert message["changes"] == [{"type": "ADDED", "resource": "configmaps",
                                   "namespace": "default", "name": "settings",
                                   "rv": int(created["metadata"]["resourceVersion"])}]
