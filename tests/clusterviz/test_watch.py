"""Watch streams and pod logs below HTTP: where a watch starts, what each change becomes."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from clusterviz.clusters import engines, runtime
from clusterviz.k8sapi import podlogs, watch
from simcore.resources import lookup
from tests.conftest import LECTURE

pytest_plugins = ["django_fixtures"]  # `client`: signed in, with the teacher's API token
pytestmark = pytest.mark.django_db(transaction=True)
PODS, SERVICES = lookup("pods"), lookup("services")
SVC = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc-node"},
       "spec": {"selector": {"app": "node-web"}, "ports": [{"port": 80, "targetPort": 8080}]}}


def run_async(test):
    """Run an async test body on an event loop (the suite has no asyncio plugin)."""
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return async_to_sync(test)(*args, **kwargs)
    return wrapper


@pytest.fixture(autouse=True)
def _fresh_engines(settings):
    settings.K8S_STREAM_POLL_SECONDS = 0.02
    engines.forget()
    yield
    engines.forget()


@pytest.fixture
def slug() -> str:
    """A paused lecture cluster with the node-web pods running."""
    runtime.create_cluster("watched", speed=0)
    text = (LECTURE / "rs-node-web.yaml").read_text()

    def start(sim):
        sim.apply(text, create=True)
        sim.advance(30)
    runtime.run("watched", start)
    return "watched"


def _request(resource=PODS, rv="", labels="", fields="", table=False,
             timeout=1800.0) -> watch.WatchRequest:
    return watch.WatchRequest(resource, "default", labels, fields, rv, timeout, False, False,
                              table, "Metadata")


def _events(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.splitlines()]


def _create_service(slug: str) -> None:
    runtime.run(slug, lambda sim: sim.api.create("services", json.loads(json.dumps(SVC)),
                                                 "default"))


def test_a_watch_from_zero_starts_with_the_current_objects(slug):
    stream, first = watch.prepare(slug, _request(rv="0"))
    events = _events(first)
    assert [e["type"] for e in events] == ["ADDED"] * 3
    assert {e["object"]["metadata"]["name"][:12] for e in events} == {"rs-node-web-"}
    assert all(e["object"]["kind"] == "Pod" for e in events)


def test_a_resumed_watch_replays_only_its_resource(slug):
    stream, first = watch.prepare(slug, _request(SERVICES, rv=str(_rv(slug))))
    assert first == b""
    _create_service(slug)
    pods, _ = watch.prepare(slug, _request(rv=str(stream.cursor)))
    events = _events(watch.advance(stream, _rv(slug)))
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "svc-node")]
    assert watch.advance(pods, _rv(slug)) == b""  # the Endpoints etc. are not pods


def test_table_events_carry_one_row_and_headers_only_first(slug):
    stream, first = watch.prepare(slug, _request(rv="0", table=True))
    tables = [e["object"] for e in _events(first)]
    assert [t["kind"] for t in tables] == ["Table"] * 3
    assert [len(t["rows"]) for t in tables] == [1, 1, 1]
    assert tables[0]["columnDefinitions"][0]["name"] == "Name"
    assert [t["columnDefinitions"] for t in tables[1:]] == [None, None]
    row = tables[0]["rows"][0]
    assert len(row["cells"]) == 9  # wide cells included
    assert tables[0]["metadata"]["resourceVersion"] == row["object"]["metadata"]["resourceVersion"]


def test_an_expired_resource_version_is_a_410_error_event(slug):
    stream, first = watch.prepare(slug, _request(rv="1"))
    (event,) = _events(first)
    assert stream.expired
    assert event["type"] == "ERROR"
    assert event["object"]["code"] == 410 and event["object"]["reason"] == "Expired"
    assert event["object"]["message"].startswith("too old resource version: 1 (")


@pytest.mark.parametrize("known, kind, matches, expected, still_known", [
    pytest.param(True, "MODIFIED", True, "MODIFIED", True, id="still-matches"),
    pytest.param(True, "MODIFIED", False, "DELETED", False, id="stops-matching"),
    pytest.param(False, "MODIFIED", True, "ADDED", True, id="starts-matching"),
    pytest.param(False, "MODIFIED", False, None, False, id="never-matched"),
    pytest.param(False, "ADDED", True, "ADDED", True, id="created-matching"),
    pytest.param(True, "DELETED", True, "DELETED", False, id="deleted"),
    pytest.param(False, "DELETED", False, None, False, id="deleted-unseen"),
])
def test_selector_transitions(known, kind, matches, expected, still_known):
    stream = watch.Stream(_request(labels="app=web"), 1, datetime.now(UTC), 0,
                          matching={("default", "a")} if known else set(),
                          match=lambda obj: matches)
    obj = {"metadata": {"name": "a", "namespace": "default"}}
    assert watch._filtered(stream, kind, obj) == expected
    assert (("default", "a") in stream.matching) == still_known


def test_a_label_change_takes_a_pod_out_of_a_selective_watch(slug):
    stream, first = watch.prepare(slug, _request(rv="0", labels="app=node-web"))
    name = _events(first)[0]["object"]["metadata"]["name"]
    runtime.run(slug, lambda sim: sim.api.patch(
        "pods", name, {"metadata": {"labels": {"app": "other"}}},
        "application/merge-patch+json", "default"))
    events = _events(watch.advance(stream, _rv(slug)))
    assert ("DELETED", name) in [(e["type"], e["object"]["metadata"]["name"]) for e in events]


@run_async
async def test_the_stream_sends_what_commits_and_ends_at_its_timeout(slug):
    request = _request(SERVICES, rv="0", timeout=1.0)
    stream, first = await sync_to_async(watch.prepare, thread_sensitive=False)(slug, request)
    chunks = watch.events(slug, stream, first)
    assert json.loads(await chunks.__anext__())["object"]["metadata"]["name"] == "kubernetes"
    await sync_to_async(_create_service, thread_sensitive=False)(slug)
    added = _events(await chunks.__anext__())
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in added] == [
        ("ADDED", "svc-node")]
    with pytest.raises(StopAsyncIteration):
        while True:
            await chunks.__anext__()


def _rv(slug: str) -> int:
    from clusterviz.clusters.models import Cluster
    return Cluster.objects.get(slug=slug).resource_version


# pod logs -------------------------------------------------------------------------------
START = datetime(2021, 5, 1, 9, 0, tzinfo=UTC)
RUN = podlogs.Run([[1.0, "stdout", "one\n"], [5.5, "stdout", "two"], [9.0, "stderr", "three\n"]],
                  0.0, True, 10.0, START)


def _options(**given) -> podlogs.LogOptions:
    base = dict(container=None, follow=False, previous=False, timestamps=False, tail=None,
                since_seconds=None, since_time=None, limit_bytes=None)
    return podlogs.LogOptions(**{**base, **given})


@pytest.mark.parametrize("options, expected", [
    pytest.param(_options(), b"one\ntwo\nthree\n", id="all-lines-newline-ended"),
    pytest.param(_options(tail=2), b"two\nthree\n", id="tail"),
    pytest.param(_options(tail=0), b"", id="tail-zero"),
    pytest.param(_options(since_seconds=5), b"two\nthree\n", id="since-seconds"),
    pytest.param(_options(since_time=datetime(2021, 5, 1, 9, 0, 6, tzinfo=UTC)), b"three\n",
                 id="since-time"),
    pytest.param(_options(timestamps=True, tail=1),
                 b"2021-05-01T09:00:09.000000000Z three\n", id="timestamps"),
])
def test_log_options(options, expected):
    assert podlogs.render(podlogs.first_lines(RUN, options), RUN, options) == expected


def test_log_stamps_keep_nine_fraction_digits():
    assert podlogs.stamp(START, 1.25) == "2021-05-01T09:00:01.250000000Z"


def test_previous_logs_need_a_terminated_run(slug, client):
    pods = client.get("/k8s/clusters/watched/api/v1/namespaces/default/pods").json()["items"]
    name = pods[0]["metadata"]["name"]
    base = f"/k8s/clusters/watched/api/v1/namespaces/default/pods/{name}/log"
    assert client.get(base + "?tailLines=1").content == b"node-web server starting...\n"
    previous = client.get(base + "?previous=true")
    assert (previous.status_code, previous.json()["message"]) == (
        400, f'previous terminated container "node-web" in pod "{name}" not found')
