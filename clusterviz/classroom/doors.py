"""The check at every page and socket of a cluster: signed in, and the cluster is yours.

`cluster_view` wraps a view taking `slug` (sync or async): an anonymous
visitor is sent to the sign-in page (302, `?next=` back), a signed-in user
whose cluster it is not gets the same 404 as for a cluster that does not
exist, so the answer tells nobody which clusters there are (as the page's
HTML 404 for pages, `{"error": "no cluster <slug>"}` for the async JSON
endpoints the page's scripts call).

`socket_refusal` is the same decision for a dashboard websocket, from the
scope `AuthMiddlewareStack` filled: the close code says which (4401 not
signed in, 4404 no such cluster of yours).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Protocol

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from clusterviz.classroom.policy import may_use_slug
from clusterviz.clusters.runtime import offload

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NO_CLUSTER = 4404


class ClusterView(Protocol):
    """A view behind the check; `__wrapped__` is the view itself (functools.wraps)."""

    __wrapped__: Callable[..., Any]

    def __call__(self, request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> Any: ...


def _refusal(request: HttpRequest, user: User | AnonymousUser, slug: str, allowed: bool,
             as_json: bool = False) -> HttpResponse | None:
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not allowed:
        if as_json:  # the page's fetch calls read {"error": ...}
            return JsonResponse({"error": _("no cluster %(slug)s") % {"slug": slug}}, status=404)
        raise Http404(f"no cluster {slug}")
    return None


def _user_and_verdict(request: HttpRequest, slug: str) -> tuple[User | AnonymousUser, bool]:
    """The session's user and whether they may use `slug`, read on a worker thread, whose
    database connection lives on. `request.auser()` read them on the request's own thread,
    which opens a connection for the request and closes it after: with PostgreSQL a new
    server process per call the dashboard's scripts make (a curl from the request panel, a
    clock step, an Inspect click)."""
    user = request.user
    return user, user.is_authenticated and may_use_slug(user, slug)


def cluster_view(view: Callable[..., Any]) -> ClusterView:
    """Let the view run only for a user who may use the cluster named by `slug`."""
    if inspect.iscoroutinefunction(view):
        @functools.wraps(view)
        async def async_wrapper(request: HttpRequest, slug: str, *args: Any,
                                **kwargs: Any) -> HttpResponse:
            user, allowed = await offload(_user_and_verdict)(request, slug)
            refusal = _refusal(request, user, slug, allowed, as_json=True)
            return refusal if refusal is not None else await view(request, slug, *args, **kwargs)
        return async_wrapper

    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        refusal = _refusal(request, user, slug, user.is_authenticated and may_use_slug(user, slug))
        return refusal if refusal is not None else view(request, slug, *args, **kwargs)
    return wrapper


def socket_refusal(scope: dict, slug: str) -> int | None:
    """None when the socket's user may use cluster `slug`, else the close code (sync: ORM)."""
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return CLOSE_NOT_SIGNED_IN
    return None if may_use_slug(user, slug) else CLOSE_NO_CLUSTER
