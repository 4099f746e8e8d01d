"""The Kubernetes API's websocket routes, joined into `asgi.py`'s URLRouter.

Only `pods/exec` upgrades: everything else a client asks over a websocket
is refused at the handshake. Refusals answer with the API server's HTTP status
and Status body where the server can (denial.py), daphne's bare 403 otherwise. No Origin check here, unlike the dashboard's
sockets: kubectl and the Python client send no Origin, and the API's access
check (`access.check_socket_access`) is the one gate.
"""

from django.urls import re_path

from clusterviz.k8sapi import denial
from clusterviz.k8sapi.execstream import ExecConsumer

denial.install()  # refusals with the API server's status and body (see denial.py)

websocket_urlpatterns = [
    re_path(r"^k8s/clusters/(?P<slug>[-a-zA-Z0-9_]+)/api/v1/namespaces/(?P<namespace>[^/]+)"
            r"/pods/(?P<name>[^/]+)/exec$", ExecConsumer.as_asgi()),
]
