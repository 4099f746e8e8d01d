"""The time machine's storage, past view and restore (clusterviz.history)."""

from __future__ import annotations

import pytest

from clusterviz.clusters import engines, runtime
from clusterviz.clusters.models import Change, Cluster, StoredObject
from clusterviz.history import marks, past, record, restore
from clusterviz.history.models import Entry, Snapshot
from clusterviz.k8sapi import watch
from simcore.jsoncopy import clone
from simcore.resources import lookup
from tests.clusterviz.django_fixtures import teacher_client

pytest_plugins = ["django_fixtures"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_wall_budget(settings):
    settings.HISTORY_SNAPSHOT_BUDGET = 0  # the tests move virtual time, not wall time

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: whatwant/node-web:1.0}]
"""


def _deploy(replicas: int = 2) -> None:
    with marks.by_person(f"kubectl apply deployment/web ({replicas})"):
        runtime.run("lecture", lambda sim: sim.apply(DEPLOYMENT % replicas))


def _later(cluster, age, seconds: float) -> float:
    """Let `seconds` of virtual time pass and be saved; the timeline moment reached."""
    age(cluster, seconds)
    runtime.run("lecture", lambda sim: None, force_save=True)
    return past.now_at(Cluster.objects.get(pk=cluster.pk))


def _saved(cluster) -> float:
    """The timeline moment of the cluster's last save (its offset is 0 before a restore)."""
    return Cluster.objects.get(pk=cluster.pk).elapsed


def _pods(objects: dict) -> list[str]:
    return sorted(name for (res, _ns, name) in objects if res == "pods")


def _graph_ids(graph: dict, prefix: str) -> list[str]:
    return sorted(e["data"]["id"] for e in graph["elements"] if e["data"]["id"].startswith(prefix))


def test_a_new_cluster_has_a_first_snapshot(cluster):
    assert list(Snapshot.objects.filter(cluster=cluster).values_list("at", "rv")) == \
        [(0.0, cluster.resource_version)]


def test_a_person_change_is_marked_with_its_label(cluster):
    _deploy()
    labels = list(Entry.objects.filter(cluster=cluster, mark="person")
                  .values_list("label", flat=True))
    assert labels == ["kubectl apply deployment/web (2)"]


def test_the_past_shows_the_cluster_before_a_deployment_existed(cluster, age):
    before = _later(cluster, age, 10)
    _later(cluster, age, 10)
    _deploy()
    after = _later(cluster, age, 30)
    assert _graph_ids(past.graph_at("lecture", before), "deploy/default/") == []
    graph = past.graph_at("lecture", after)
    assert graph["past"] is True
    assert _graph_ids(graph, "deploy/default/") == ["deploy/default/web"]
    assert len(_graph_ids(graph, "pod/default/web-")) == 2


def test_the_past_between_snapshots_replays_the_entries(cluster, age, settings):
    settings.HISTORY_SNAPSHOT_SECONDS = 1000  # only the first snapshot: all from entries
    _later(cluster, age, 5)
    runtime.run("lecture", lambda sim: sim.apply(DEPLOYMENT % 3))  # unmarked: no snapshot
    moment = _later(cluster, age, 20)
    assert Snapshot.objects.filter(cluster=cluster).count() == 1
    rebuilt = past.past_at(Cluster.objects.get(pk=cluster.pk), moment).objects
    stored = {(r.resource, r.namespace, r.name): r.body
              for r in StoredObject.objects.filter(cluster=cluster)}
    assert rebuilt == stored


@pytest.mark.parametrize("at", [pytest.param("1e308", id="far-future"),
                                pytest.param("10000", id="future")])
def test_a_moment_that_has_not_happened_is_refused(cluster, at):
    answer = teacher_client().get(f"/clusters/lecture/history/graph?at={at}")
    assert (answer.status_code, answer.json()) == (400, {"error": "that moment has not "
                                                                  "happened yet"})


def test_a_replay_of_a_big_cluster_keeps_to_its_work_budget(cluster, age, monkeypatch):
    monkeypatch.setattr(past, "FRAME_WORK", 1)  # as if the cluster were huge
    start = _later(cluster, age, 1)
    for replicas in range(1, 30):
        _deploy(replicas)
        age(cluster, 1)
    answer = past.replay("lecture", start)
    assert past.MIN_FRAMES - 1 <= len(answer["frames"]) <= past.MIN_FRAMES + 1


def test_inspect_in_the_past_shows_the_yaml_as_it_was(cluster, age):
    _deploy(1)
    one = _later(cluster, age, 20)
    _deploy(3)
    _later(cluster, age, 20)
    answer = past.inspect_at("lecture", one, "deploy/default/web")
    assert "replicas: 1\n" in answer["yaml"] and answer["past"] is True
    assert past.inspect_at("lecture", 0.0, "deploy/default/web")["yaml"] == ""


def test_the_past_before_the_history_is_refused(cluster):
    with pytest.raises(Exception, match="does not reach back"):
        past.graph_at("lecture", -1.0)


def test_notable_events_are_marked(cluster, age):
    runtime.run("lecture", lambda sim: sim.stop_node("worker2"))
    _later(cluster, age, 60)
    labels = list(Entry.objects.filter(cluster=cluster, mark="event")
                  .values_list("label", flat=True))
    assert "Node worker2: NodeNotReady" in labels


def test_history_is_bounded_to_the_kept_window(cluster, age, settings):
    settings.HISTORY_SNAPSHOT_SECONDS, settings.HISTORY_KEEP_SECONDS = 10, 60
    _deploy()
    for _ in range(12):
        _deploy(1 + _ % 3)
        _later(cluster, age, 11)
    now = past.now_at(Cluster.objects.get(pk=cluster.pk))
    oldest = Snapshot.objects.filter(cluster=cluster).order_by("at").first()
    assert now - 60 - 11 <= oldest.at <= now - 60
    past.graph_at("lecture", now - 60)  # the whole window stays readable


def test_restore_puts_objects_and_runtime_back_and_moves_the_rv_forward(cluster, age):
    _later(cluster, age, 5)
    empty = _saved(cluster)
    assert past.snapshot_before(cluster, empty).at == 0.0  # the moment lies past it
    state_then = clone(engines.engine_for(Cluster.objects.get(pk=cluster.pk)).state())
    _deploy()
    _later(cluster, age, 30)
    rv_before = Cluster.objects.get(pk=cluster.pk).resource_version
    outcome = restore.restore("lecture", empty)
    fresh = Cluster.objects.get(pk=cluster.pk)
    assert outcome["restored_to"] == empty
    assert fresh.resource_version > rv_before
    assert int(outcome["resource_version"]) == fresh.resource_version
    assert not StoredObject.objects.filter(cluster=cluster, resource="deployments.apps",
                                           name="web").exists()
    assert set(StoredObject.objects.filter(cluster=cluster)
               .values_list("resource_version", flat=True)) == {fresh.resource_version}
    assert Change.objects.filter(cluster=cluster).count() == 0
    engines.forget()
    state_now = engines.engine_for(fresh).state()
    assert state_now["runtime"] == state_then["runtime"]
    assert state_now["clock"] == state_then["clock"]


def _pod_phases(cluster) -> dict[str, str]:
    return {name: body["status"].get("phase", "") for name, body in StoredObject.objects.filter(
        cluster=cluster, resource="pods").values_list("name", "body")}


def test_a_moment_between_snapshots_is_restored_exactly(cluster, age):
    _deploy()  # a person's change: a snapshot right after it, the replay's start
    _later(cluster, age, 2)
    _later(cluster, age, 5)  # the pods have started by now: no snapshot here
    moment = _saved(cluster)
    assert past.snapshot_before(cluster, moment).at < moment
    then = clone(engines.engine_for(Cluster.objects.get(pk=cluster.pk)).state())
    phases = _pod_phases(cluster)
    _deploy(3)
    _later(cluster, age, 40)
    outcome = restore.restore("lecture", moment)
    assert outcome["restored_to"] == moment
    assert _pod_phases(cluster) == phases and len([n for n in phases if n.startswith("web-")]) == 2
    engines.forget()
    now = engines.engine_for(Cluster.objects.get(pk=cluster.pk)).state()
    assert (now["runtime"], now["clock"]) == (then["runtime"], then["clock"])


def test_a_change_the_clock_cannot_redo_lands_on_the_snapshot_before_it(cluster, age):
    start = _later(cluster, age, 3)
    snap = past.snapshot_before(cluster, start)
    # a change made without a person's mark takes no snapshot: replaying the clock from the
    # snapshot cannot make it, and the comparison with the change log says so
    runtime.run("lecture", lambda sim: sim.apply(DEPLOYMENT % 1))
    moment = _later(cluster, age, 4)
    assert past.snapshot_before(cluster, moment).at == snap.at
    _later(cluster, age, 10)
    assert restore.restore("lecture", moment)["restored_to"] == snap.at
    assert not StoredObject.objects.filter(cluster=cluster, resource="deployments.apps",
                                           name="web").exists()


def test_a_restore_can_be_undone(cluster, age):
    empty = _later(cluster, age, 5)
    _deploy()
    _later(cluster, age, 30)
    done = restore.restore("lecture", empty)
    marked = Entry.objects.get(cluster=cluster, mark="restore")
    assert marked.at == done["at"]
    restore.restore("lecture", done["before"])
    assert StoredObject.objects.filter(cluster=cluster, resource="deployments.apps",
                                       name="web").exists()
    # the timeline never runs backwards
    ats = list(Entry.objects.filter(cluster=cluster, mark="restore").values_list("at", flat=True))
    assert ats == sorted(ats) and len(ats) == 2


def test_a_watch_open_across_a_restore_gets_410_expired(cluster, age, rf):
    empty = _later(cluster, age, 5)
    _deploy()
    _later(cluster, age, 30)
    request = watch.WatchRequest(
        resource=lookup("pods"),
        namespace="default", label_selector="", field_selector="",
        resource_version=str(Cluster.objects.get(pk=cluster.pk).resource_version),
        timeout=5, bookmarks=False, initial_events=False, table=False, include_object="")
    stream, first = watch.prepare("lecture", request)
    assert first == b""
    restore.restore("lecture", empty)
    line = watch.advance(stream, Cluster.objects.get(pk=cluster.pk).resource_version)
    assert stream.expired
    assert b'"code":410' in line and b'"reason":"Expired"' in line
    assert b"too old resource version: " in line


def test_snapshots_are_compressed_state(cluster):
    snap = Snapshot.objects.get(cluster=cluster)
    state = record.unpack(snap.state)
    assert set(state) >= {"store", "runtime", "clock", "rng"}
    assert len(bytes(snap.state)) < len(str(state)) / 4


def test_ordinary_saves_without_store_changes_write_no_history(cluster):
    before = Entry.objects.filter(cluster=cluster).count()
    runtime.run("lecture", lambda sim: None)
    assert Entry.objects.filter(cluster=cluster).count() == before


@pytest.mark.parametrize("query", [
    pytest.param("", id="missing"), pytest.param("at=soon", id="word"),
    pytest.param("at=nan", id="nan"), pytest.param("at=inf", id="inf")])
def test_the_graph_endpoint_needs_a_finite_number(cluster, query):
    answer = teacher_client().get(f"/clusters/lecture/history/graph?{query}")
    assert answer.status_code == 400
    assert answer.json() == {"error": "at must be a number of seconds on the timeline"}


def test_the_endpoints_answer_the_timeline_graph_inspect_and_replay(cluster, age):
    start = _later(cluster, age, 2)
    _deploy(1)
    _later(cluster, age, 20)
    client = teacher_client()
    line = client.get("/clusters/lecture/history").json()
    assert line["start"] == 0.0 and line["now"] >= 22
    assert [m["label"] for m in line["marks"] if m["kind"] == "person"] == \
        ["kubectl apply deployment/web (1)"]
    graph = client.get(f"/clusters/lecture/history/graph?at={start}").json()
    assert graph["past"] is True and not _graph_ids(graph, "deploy/default/")
    shown = client.get(f"/clusters/lecture/history/inspect?at={start}&id=node/worker1").json()
    assert "name: worker1" in shown["yaml"]
    replay = client.get(f"/clusters/lecture/history/replay?at={start}").json()
    added = [e["data"]["id"] for f in replay["frames"] for e in f["add"]]
    assert "deploy/default/web" in added
    assert all(a["at"] <= b["at"] for a, b in zip(replay["frames"], replay["frames"][1:], strict=False))


def test_the_restore_endpoint_takes_json_and_restores(cluster, age):
    start = _later(cluster, age, 2)
    _deploy(1)
    client = teacher_client()
    refused = client.post("/clusters/lecture/history/restore", {"at": start})
    assert refused.status_code == 400
    done = client.post("/clusters/lecture/history/restore", {"at": start},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["restored_to"] == start
    assert not StoredObject.objects.filter(cluster=cluster, resource="deployments.apps",
                                           name="web").exists()
    assert client.get("/clusters/lecture/history/restore").status_code == 405


def test_a_kubectl_change_through_the_api_is_marked(cluster):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c1"}}
    answer = teacher_client().post("/k8s/clusters/lecture/api/v1/namespaces/default/configmaps",
                           body, content_type="application/json")
    assert answer.status_code == 201
    assert list(Entry.objects.filter(cluster=cluster, mark="person")
                .values_list("label", flat=True)) == ["kubectl create configmaps"]


def test_a_costly_snapshot_spaces_the_next_ones_out_in_wall_time(cluster, age, settings):
    from clusterviz.history.models import Timeline
    settings.HISTORY_SNAPSHOT_SECONDS, settings.HISTORY_SNAPSHOT_BUDGET = 10, 20
    Timeline.objects.filter(cluster=cluster).update(snapshot_cost=30.0)  # 600 s of rest
    _deploy(1)
    _later(cluster, age, 20)
    assert Snapshot.objects.filter(cluster=cluster).count() == 1
    Timeline.objects.filter(cluster=cluster).update(snapshot_cost=0.0)
    runtime.run("lecture", lambda sim: sim.apply(DEPLOYMENT % 2))  # unmarked: the periodic
    _later(cluster, age, 20)
    assert Snapshot.objects.filter(cluster=cluster).count() == 2
