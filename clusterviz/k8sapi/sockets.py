"""The Kubernetes API's websocket routes, joined into `asgi.py`'s URLRouter.

Only `pods/exec` upgrades: everything else a client asks over a websocket
is refused at the handshake. `asgi.py` wraps these in `origin.no_foreign_origin`:
kubectl and the Python client send no Origin and pass, a browser page of
another site (which always sends one) is refused; then the API's access
check (`access.check_socket_access`) decides.
"""

from django.urls import re_path

from clusterviz.k8sapi.execstream import ExecConsumer

websocket_urlpatterns = [
    re_path(r"^k8s/clusters/(?P<slug>[-a-zA-Z0-9_]+)/api/v1/namespaces/(?P<namespace>[^/]+)"
            r"/pods/(?P<name>[^/]+)/exec$", ExecConsumer.as_asgi()),
]
