"""The dashboard's websocket routes, joined into `asgi.py`'s URLRouter.

Browser sockets only: the Origin must be one of `ALLOWED_HOSTS`, so another
site open in the same browser cannot read a cluster's feed.
"""

from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from clusterviz.dashboard.consumers import GraphConsumer, TerminalConsumer

websocket_urlpatterns = [
    path("ws/clusters/<slug:slug>/graph", AllowedHostsOriginValidator(GraphConsumer.as_asgi())),
    path("ws/clusters/<slug:slug>/kubectl",
         AllowedHostsOriginValidator(TerminalConsumer.as_asgi())),
]
