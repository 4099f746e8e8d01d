"""The lesson in a class: where each cluster is (`progress`), the student's Lesson tab data,
and the teacher's push reaching the students' lesson sockets (clusterviz.lessons)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from clusterviz.classroom.models import Classroom
from clusterviz.classroom.views import student_cluster
from clusterviz.clusters.models import Cluster, StoredObject
from clusterviz.lessons import loader, progress, runner, studentviews

pytest_plugins = ["django_fixtures"]

WEEK4 = "week4-services"


@pytest.fixture
def room(transactional_db, settings):
    settings.TICKER_IN_PROCESS = False
    users = get_user_model().objects
    teacher = users.create_user("t1", is_staff=True)
    classroom = Classroom.objects.create(name="k8s", teacher=teacher, code="ABC234")
    students = [users.create_user(name) for name in ("alice", "bob")]
    slugs = [student_cluster(classroom, s).slug for s in students]
    return {"teacher": teacher, "classroom": classroom, "students": students, "slugs": slugs}


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_clusters_step_is_zero_until_it_opens_a_lesson_then_the_last_place(room):
    alice = Cluster.objects.get(slug=room["slugs"][0])
    assert progress.step_of(alice) == 0
    lesson = loader.load(WEEK4)
    assert progress.place(alice.slug, lesson, 4) == {"lesson": WEEK4, "step": 4}
    assert progress.step_of(alice) == progress.step_of(alice.pk) == 4
    answer = _signed_in(room["students"][0]).post(
        f"/clusters/{alice.slug}/lesson/at", json.dumps({"lesson": WEEK4, "step": 19}),
        content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() == {"error": "week4-services has steps 1 to 18, not 19"}
    assert progress.step_of(alice) == 4


def test_the_lesson_tab_lists_every_step_with_the_commands_a_student_types(room):
    alice = room["slugs"][0]
    client = _signed_in(room["students"][0])
    client.cookies["clusterviz_language"] = "en"
    progress.place(alice, loader.load(WEEK4), 3)
    data = client.get(f"/clusters/{alice}/lesson/data").json()
    assert data["step"] == 3 and len(data["lesson"]["steps"]) == 18
    first, seventh = data["lesson"]["steps"][0], data["lesson"]["steps"][6]
    assert first["title"] == "Job - 1/2, 2/2"
    assert [(c["text"], c["run"]) for c in first["commands"]] == [
        ("kubectl create -f job-parallel.yaml", "kubectl create -f -"),
        ("kubectl get jobs", "kubectl get jobs"), ("kubectl get pods", "kubectl get pods")]
    assert first["commands"][0]["stdin"].startswith("apiVersion: batch/v1")
    # a line with a placeholder is for copying: the student fills in their pod's name
    assert [(c["text"], c["run"]) for c in seventh["commands"]] == [
        ("kubectl exec -it <old pod> -- env", ""), ("kubectl delete pod <old pod>", "")]
    last = loader.load(WEEK4).step(18)
    assert [c["run"] for c in studentviews.commands(last)][:2] == [
        "kubectl apply -f -", ""]  # sudo systemctl is typed on worker2, not in kubectl


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _open(path: str, cookie: bytes) -> WebsocketCommunicator:
    from clusterviz import asgi
    socket = WebsocketCommunicator(asgi.application, path, headers=[
        (b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie)])
    connected, _ = await socket.connect(timeout=10)
    assert connected
    return socket


def test_a_push_reaches_every_students_lesson_socket_and_records_their_step(room):
    alice, bob = room["slugs"]
    teacher = _signed_in(room["teacher"])
    cookies = [_cookie(student) for student in room["students"]]

    async def scenario():
        sockets = [await _open(f"/ws/clusters/{slug}/lesson", cookie)
                   for slug, cookie in zip(room["slugs"], cookies, strict=True)]
        answer = await _post(teacher, f"/classes/{room['classroom'].pk}/lesson/push",
                             {"lesson": WEEK4, "step": 5})
        got = [await s.receive_json_from(timeout=5) for s in sockets]
        for s in sockets:
            await s.disconnect()
        return answer, got
    answer, got = async_to_sync(scenario)()
    assert answer == {"lesson": WEEK4, "step": 5, "students": 2, "brought": False}
    assert got == [{"type": "step", "lesson": WEEK4, "step": 5, "reset": False}] * 2
    assert [progress.step_of(Cluster.objects.get(slug=s)) for s in (alice, bob)] == [5, 5]


async def _post(client: Client, url: str, body: dict) -> dict:
    from asgiref.sync import sync_to_async
    response = await sync_to_async(client.post)(url, json.dumps(body),
                                                content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_push_with_bring_resets_each_cluster_and_replays_the_lesson_to_the_step(room):
    alice, bob = room["slugs"]
    lesson = loader.load(WEEK4)
    runner.go_to(alice, lesson, 4)  # alice ran ahead: her Service goes, her pods are new
    old_pods = set(StoredObject.objects.filter(cluster__slug=alice, resource="pods")
                   .values_list("name", flat=True))
    answer = _signed_in(room["teacher"]).post(
        f"/classes/{room['classroom'].pk}/lesson/push",
        json.dumps({"lesson": WEEK4, "step": 3, "bring": True}), content_type="application/json")
    assert answer.json()["brought"] is True
    for slug in (alice, bob):
        names = set(StoredObject.objects.filter(cluster__slug=slug)
                    .values_list("resource", "name"))
        assert ("replicasets.apps", "rs-node-web") in names and ("jobs.batch",
                                                                 "throw-dice-job") in names
        assert ("services", "svc-node") not in names
        cluster = Cluster.objects.get(slug=slug)
        assert cluster.owner is not None and cluster.classroom_id == room["classroom"].pk
        assert progress.step_of(cluster) == 3
    new_pods = set(StoredObject.objects.filter(cluster__slug=alice, resource="pods")
                   .values_list("name", flat=True))
    assert not old_pods & {p for p in new_pods if p.startswith("rs-node-web-")}
    # its restore point is kept: the presenter's back works from here as after its own steps
    assert runner.go_to(alice, lesson, 4)["applied"][0]["step"] == 4
    assert runner.go_to(alice, lesson, 3)["restored"] is not None


def test_only_the_classes_teacher_pushes_and_a_bad_step_is_refused(room):
    url = f"/classes/{room['classroom'].pk}/lesson/push"
    student = _signed_in(room["students"][0]).post(url, json.dumps({"lesson": WEEK4, "step": 2}),
                                                   content_type="application/json")
    assert student.status_code == 404
    bad = _signed_in(room["teacher"]).post(url, json.dumps({"lesson": WEEK4, "step": 0}),
                                           content_type="application/json")
    assert bad.status_code == 400
    assert bad.json() == {"error": "week4-services has steps 1 to 18, not 0"}
    assert progress.step_of(Cluster.objects.get(slug=room["slugs"][0])) == 0


def test_a_lesson_socket_of_a_cluster_in_no_class_hears_nothing(room):
    from clusterviz.clusters.runtime import create_cluster
    create_cluster("solo", owner=room["teacher"])
    teacher = _signed_in(room["teacher"])
    cookie = _cookie(room["teacher"])

    async def scenario():
        solo = await _open("/ws/clusters/solo/lesson", cookie)
        await _post(teacher, f"/classes/{room['classroom'].pk}/lesson/push",
                    {"lesson": WEEK4, "step": 2})
        quiet = await solo.receive_nothing(timeout=0.5)
        await solo.disconnect()
        return quiet
    assert async_to_sync(scenario)()
