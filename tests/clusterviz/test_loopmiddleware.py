"""Django's middleware under ASGI (clusterviz/loopmiddleware.py), as daphne runs it.

Django's test `Client` runs the middleware in sync mode; `AsyncClient` runs it
as daphne does, in async mode, which is where the hooks run on the event loop.
What a user would see must not change: the security headers, a sign-in that
keeps its session, a forged form refused. And the API request's hooks must
not hop to a thread (the 40 % of an empty request they cost).
"""

from __future__ import annotations

import threading

from asgiref.sync import async_to_sync
from django.test import AsyncClient

from clusterviz import loopmiddleware
from clusterviz.classroom import tokens
from tests.clusterviz.django_fixtures import (  # noqa: F401
    _in_test_thread,
    cluster,
    teacher,
)


def _asgi(call):
    """`call(client)` awaited with an AsyncClient, from the test's thread and transaction."""
    async def run():
        return await call(AsyncClient(), threading.get_ident())
    return async_to_sync(run)()


def test_an_api_request_runs_the_middleware_hooks_on_the_event_loop(
        cluster, teacher, monkeypatch):  # noqa: F811
    token = tokens.issue(teacher, "any")
    threads: dict[str, int] = {}
    for cls, hook in ((loopmiddleware.SecurityMiddleware, "process_request"),
                      (loopmiddleware.SessionMiddleware, "process_response"),
                      (loopmiddleware.CommonMiddleware, "process_request"),
                      (loopmiddleware.XFrameOptionsMiddleware, "process_response")):
        real = getattr(cls, hook)

        def spy(self, *args, _real=real, _name=f"{cls.__name__}.{hook}"):
            threads[_name] = threading.get_ident()
            return _real(self, *args)
        monkeypatch.setattr(cls, hook, spy)

    async def call(client, loop_thread):
        response = await client.get("/k8s/clusters/lecture/api/v1/namespaces/default/pods",
                                    headers={"Authorization": f"Bearer {token}"})
        return response, loop_thread
    response, loop_thread = _asgi(call)
    assert response.status_code == 200
    assert response.json()["kind"] == "PodList"
    assert threads == dict.fromkeys(threads, loop_thread) and len(threads) == 4


def test_responses_over_asgi_keep_their_security_headers(cluster, teacher):  # noqa: F811
    token = tokens.issue(teacher, "any")

    async def call(client, _):
        return [await client.get("/signin"),
                await client.get("/k8s/clusters/lecture/version",
                                 headers={"Authorization": f"Bearer {token}"})]
    for response in _asgi(call):
        assert response.status_code == 200
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_sign_in_over_asgi_saves_its_session(teacher):  # noqa: F811
    """The session's save is the one hook that writes: it must still happen (on a thread;
    on the event loop Django would refuse it with SynchronousOnlyOperation)."""
    teacher.set_password("a long pass phrase")
    teacher.save()

    async def call(client, _):
        signed_in = await client.post("/signin", {"username": "teacher",
                                                  "password": "a long pass phrase"})
        home = await client.get("/")
        return signed_in, home
    signed_in, home = _asgi(call)
    assert signed_in.status_code == 302
    assert signed_in.cookies["sessionid"].value
    assert home.status_code == 200
    assert 'action="/signout"' in home.content.decode()


def test_a_form_posted_without_its_csrf_token_over_asgi_is_refused(teacher):  # noqa: F811
    async def call(_, __):
        client = AsyncClient(enforce_csrf_checks=True)
        return await client.post("/signin", {"username": "teacher", "password": "x"})
    response = _asgi(call)
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
