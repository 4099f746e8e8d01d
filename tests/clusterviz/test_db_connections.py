"""PostgreSQL connections stay few under daphne: each request's sync work runs on a thread of
its own, so a connection kept past the request (CONN_MAX_AGE) outlived its thread and leaked,
one per page, until PostgreSQL refused every client (max_connections, 100). And the
dashboard's calls do not open one each: a PostgreSQL connection is a server process."""

from __future__ import annotations

import json
import urllib.request

pytest_plugins = ["service_fixtures"]

SESSION = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
teacher = get_user_model().objects.create_user("teacher", is_staff=True)
session = SessionStore()
session[SESSION_KEY] = str(teacher.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = teacher.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def test_pages_do_not_pile_up_database_connections(postgres, processes, run_manage):
    from service_fixtures import app_env, query
    database = postgres.create_database("conns")
    env = app_env(database)
    run_manage(env, "migrate", "--noinput", "-v0")
    session = run_manage(env, "shell", "-c", SESSION).strip().splitlines()[-1]
    web = processes.daphne(env)
    for _ in range(60):  # the teacher's home page: the session, the user, the classes
        request = urllib.request.Request(web.url + "/", headers={"Cookie": f"sessionid={session}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
    name = database.rsplit("/", 1)[1]
    (count,), = query(postgres.url(), "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                      (name,))
    assert count <= 10


def test_the_dashboards_calls_do_not_open_a_connection_each(postgres, processes, run_manage):
    """The page's scripts call the dashboard's JSON endpoints all the time (the clock every
    few seconds, a curl, an Inspect click). Their user and cluster were read on the request's
    own thread, which opened a PostgreSQL connection (a new server process) for every call
    and closed it after; the class of 60 spent 46 CPU-seconds in PostgreSQL in 120 s."""
    from service_fixtures import app_env, query
    database = postgres.create_database("calls")
    env = app_env(database)
    run_manage(env, "migrate", "--noinput", "-v0")
    run_manage(env, "ensure_cluster", "lecture")
    session = run_manage(env, "shell", "-c", SESSION).strip().splitlines()[-1]
    web = processes.daphne(env)
    name = database.rsplit("/", 1)[1]

    def sessions_opened() -> int:
        (count,), = query(postgres.url(), "SELECT sessions FROM pg_stat_database "
                                          "WHERE datname = %s", (name,))
        return int(count)
    before = sessions_opened()
    for _ in range(40):
        request = urllib.request.Request(web.url + "/clusters/lecture/clock",
                                         headers={"Cookie": f"sessionid={session}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
            assert "speed" in json.loads(response.read())
    assert sessions_opened() - before <= 10
