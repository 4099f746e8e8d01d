"""Which server answers a listener's request: the course's apps first, then the popular images'.

What: `serve(app, config, request, ctx)`, the data plane's one entry into the servers
(net/listeners.py). apps.py holds the course's servers and the HTTP helpers,
popular_apps.py the popular images' servers built on those helpers.

Why a module of its own: the lookup needs both tables, and popular_apps.py needs apps.py's
helpers; with the lookup in apps.py the two imported each other.
"""

from __future__ import annotations

from collections.abc import Mapping

from simcore.exec.apps import _APPS, ServeContext, Served, _go_not_found
from simcore.exec.netapi import HttpRequest
from simcore.exec.popular_apps import HANDLERS


def serve(app: str, config: Mapping, request: HttpRequest, ctx: ServeContext) -> Served:
    """The response `app` gives `request`; unknown apps answer like a bare Go server (404)."""
    handler = _APPS.get(app) or HANDLERS.get(app)
    if handler is None:
        return Served(_go_not_found(ctx), (), ctx.state)
    return handler(config, request, ctx)
