"""The dashboard's websocket routes, joined into `asgi.py`'s URLRouter.

Browser sockets only: `asgi.py` wraps each in `origin.browser_only`, so the
Origin must be this server's own (scheme, host and port) and another site
open in the same browser cannot read a cluster's feed or run its terminal.
"""

from django.urls import path

from clusterviz.dashboard.consumers import GraphConsumer, TerminalConsumer

websocket_urlpatterns = [
    path("ws/clusters/<slug:slug>/graph", GraphConsumer.as_asgi()),
    path("ws/clusters/<slug:slug>/kubectl", TerminalConsumer.as_asgi()),
]
