"""The roster scaled out: two daphnes sharing PostgreSQL and Redis. The teacher's roster
is open on one; a student's create goes through the other; the card arrives anyway (the
cluster's saves and the history's notices travel over the Redis channel layer, the
history line is in the shared database), and the roster's socket outlives a quiet spell."""

from __future__ import annotations

import json
import time
import urllib.request

import websocket

pytest_plugins = ["service_fixtures"]

MAKE_CLASS = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from clusterviz.classroom import tokens
from clusterviz.classroom.models import Classroom
from clusterviz.classroom.views import student_cluster
users = get_user_model().objects
teacher = users.create_user("teacher", is_staff=True)
room = Classroom.objects.create(name="scaled", teacher=teacher, code="SCALE2")
ann = users.create_user("ann")
slug = student_cluster(room, ann).slug
student_cluster(room, users.create_user("ben"))
session = SessionStore()
session[SESSION_KEY] = str(teacher.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = teacher.get_session_auth_hash()
session.create()
print(json.dumps({"class": room.pk, "slug": slug, "token": tokens.issue(ann, slug),
                  "session": session.session_key}))
"""


def test_a_card_crosses_daphnes_over_redis(postgres, redis_url, processes, run_manage):
    from service_fixtures import app_env
    env = app_env(postgres.create_database("room"), REDIS_URL=redis_url)
    run_manage(env, "migrate", "--noinput", "-v0")
    room = json.loads(run_manage(env, "shell", "-c", MAKE_CLASS).strip().splitlines()[-1])
    web = [processes.daphne(env), processes.daphne(env)]

    roster = websocket.create_connection(
        web[0].url.replace("http://", "ws://") + f"/ws/classes/{room['class']}/roster",
        origin=web[0].url, header=[f"Cookie: sessionid={room['session']}"], timeout=20)
    try:
        first = json.loads(roster.recv())
        assert first["type"] == "cards" and len(first["cards"]) == 2
        # quiet for longer than channels_redis's blocking pop (5 s): with redis-py 8's own
        # 5 s read deadline the socket's receive failed and daphne closed it right here
        time.sleep(7)
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
               "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}
        request = urllib.request.Request(
            web[1].url + f"/k8s/clusters/{room['slug']}/api/v1/namespaces/default/pods",
            data=json.dumps(pod).encode(), method="POST", headers={
                "Content-Type": "application/json", "Kubectl-Command": "kubectl run",
                "Authorization": f"Bearer {room['token']}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 201
        for _ in range(30):
            message = json.loads(roster.recv())
            card = message.get("card") or {}
            if card.get("slug") == room["slug"] and card.get("last") and \
                    sum(card["pods"].values()) == 1:
                break
        else:
            raise AssertionError("the card never came")
        assert (card["last"]["text"], card["last"]["code"]) == ("kubectl run: create pods/web",
                                                                201)
    finally:
        roster.close()
