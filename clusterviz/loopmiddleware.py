"""Django's own middleware, with the hooks that cannot block called on the event loop.

Under ASGI, Django calls each hook of a `MiddlewareMixin` through
`sync_to_async(thread_sensitive=True)`: a hop to the request's thread and
back for every process_request and process_response: twelve hops for the
seven Django middlewares of `settings.MIDDLEWARE`, whatever the request
asks. With none of those middlewares an empty API request (`GET /version`
through daphne, bench.api's floor) took p50 3.3 ms instead of 5.5 ms, and
every API request paid them, though the API reads no cookie.

These hooks read headers, cookies and settings and write headers; none
waits on a database, a file or the network, so here they run inline on the
loop. The one that can block still hops: the session's response hook when
it will save the session (a sign-in, a language switch). CSRF's
process_view is not a process_request/response hook: Django hops for it
(it may read a posted form), once per request.

Each class is Django's, unchanged in what it does; only the way an async
request calls it differs. Under WSGI and Django's test client (sync mode)
nothing differs at all.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import middleware as auth
from django.contrib.sessions import middleware as sessions
from django.http import HttpRequest, HttpResponseBase
from django.middleware import clickjacking, common, csrf, locale, security


class OnTheLoop:
    """Mixed in before a `MiddlewareMixin`: its hooks run inline in async mode, except a
    response hook that `response_blocks` says would wait on something."""

    get_response: object  # set by MiddlewareMixin.__init__

    def response_blocks(self, request: HttpRequest) -> bool:
        return False

    def inline(self) -> bool:
        """False: every hook hops, as Django calls it (a setting made one of them block)."""
        return True

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if not self.inline():
            return await super().__acall__(request)  # type: ignore[misc]
        response = None
        if hasattr(self, "process_request"):
            response = self.process_request(request)
        response = response or await self.get_response(request)  # type: ignore[operator]
        if hasattr(self, "process_response"):
            if self.response_blocks(request):
                return await sync_to_async(self.process_response, thread_sensitive=True)(
                    request, response)
            response = self.process_response(request, response)
        return response


class SecurityMiddleware(OnTheLoop, security.SecurityMiddleware):
    pass


class SessionMiddleware(OnTheLoop, sessions.SessionMiddleware):
    def response_blocks(self, request: HttpRequest) -> bool:
        """The hook saves the session (a database write) only when it changed."""
        session = getattr(request, "session", None)
        return session is not None and (session.modified or settings.SESSION_SAVE_EVERY_REQUEST)


class LocaleMiddleware(OnTheLoop, locale.LocaleMiddleware):
    pass


class CommonMiddleware(OnTheLoop, common.CommonMiddleware):
    pass


class CsrfViewMiddleware(OnTheLoop, csrf.CsrfViewMiddleware):
    def inline(self) -> bool:
        """With CSRF_USE_SESSIONS its secret lives in the session: a database read."""
        return not settings.CSRF_USE_SESSIONS


class AuthenticationMiddleware(OnTheLoop, auth.AuthenticationMiddleware):
    """`request.user` stays lazy: the database is read where a view reads it."""


class XFrameOptionsMiddleware(OnTheLoop, clickjacking.XFrameOptionsMiddleware):
    pass
