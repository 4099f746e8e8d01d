"""The dashboard's websocket routes, joined into `asgi.py`'s URLRouter.

Browser sockets only: `asgi.py` wraps each in `origin.browser_only`, so the
Origin must be this server's own (scheme, host and port) and another site
open in the same browser cannot read a cluster's feed or run its terminal.
"""

from django.urls import path, re_path

from clusterviz.dashboard.consumers import GraphConsumer, TerminalConsumer
from clusterviz.k8sapi.webshell import WebShellConsumer

websocket_urlpatterns = [
    path("ws/clusters/<slug:slug>/graph", GraphConsumer.as_asgi()),
    path("ws/clusters/<slug:slug>/kubectl", TerminalConsumer.as_asgi()),
    # a shell in a pod for the page's xterm.js: the same session as `kubectl exec -it`
    re_path(r"^ws/clusters/(?P<slug>[-a-zA-Z0-9_]+)/shell/(?P<namespace>[^/]+)/(?P<name>[^/]+)$",
            WebShellConsumer.as_asgi()),
]
