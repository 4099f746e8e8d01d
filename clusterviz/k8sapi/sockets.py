"""The Kubernetes API's websocket routes, joined into `asgi.py`'s URLRouter.

`pods/exec` and `pods/portforward` upgrade; any other path under a cluster is
refused at the handshake with the API server's 404. Refusals answer with the API
server's HTTP status and Status body where the server can (denial.py), daphne's
bare 403 otherwise. `asgi.py` wraps these in `origin.no_foreign_origin`: kubectl
and the Python client send no Origin and pass, a browser page of another site
(which always sends one) is refused; then the API's access check
(`access.check_socket_access`) decides. The page's pod shell is a browser socket
and lives with the dashboard's (`dashboard/routing.py`).
"""

from django.urls import re_path

from clusterviz.k8sapi import denial
from clusterviz.k8sapi.execstream import ExecConsumer
from clusterviz.k8sapi.portforward import PortForwardConsumer
from clusterviz.k8sapi.unrouted import UnroutedConsumer

denial.install()  # refusals with the API server's status and body (see denial.py)

websocket_urlpatterns = [
    re_path(r"^k8s/clusters/(?P<slug>[-a-zA-Z0-9_]+)/api/v1/namespaces/(?P<namespace>[^/]+)"
            r"/pods/(?P<name>[^/]+)/exec$", ExecConsumer.as_asgi()),
    re_path(r"^k8s/clusters/(?P<slug>[-a-zA-Z0-9_]+)/api/v1/namespaces/(?P<namespace>[^/]+)"
            r"/pods/(?P<name>[^/]+)/portforward$", PortForwardConsumer.as_asgi()),
    # any other path of the API: the API server's 404, not a routing error (500)
    re_path(r"^k8s/clusters/(?P<slug>[-a-zA-Z0-9_]+)/", UnroutedConsumer.as_asgi()),
]
