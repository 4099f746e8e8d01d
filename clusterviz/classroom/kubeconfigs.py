"""The kubeconfig a user downloads: their cluster's API over https, the CA, their token.

The server address is the host the user's browser used to reach the page
(so a student on the room's network gets the teacher machine's address,
never `0.0.0.0`) with the port of the TLS endpoint. Each download issues a
fresh token (`tokens.issue`), which also retires the previous one: the
only copy of a token is in the file just handed out.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.http.request import split_domain_port

from clusterviz.classroom import tls, tokens
from clusterviz.classroom.netnames import WILDCARDS


def ca_pem() -> bytes:
    """The CA certificate (made now if `make run`'s `ensure_tls` has not made it yet)."""
    return tls.ensure(settings.TLS_DIR, settings.SERVED_NAMES).ca_cert.read_bytes()


def https_base(host: str) -> str:
    """`https://host:TLS_PORT` for a host name or address (never a wildcard address)."""
    host = "127.0.0.1" if host in WILDCARDS else host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"https://{host}:{settings.TLS_PORT}"


def base_for(request: HttpRequest) -> str:
    domain, _port = split_domain_port(request.get_host())
    return https_base(domain.strip("[]"))


def document(slug: str, server: str, username: str, token: str, ca: bytes) -> dict:
    """A kubeconfig whose one context points kubectl at cluster `slug` as `username`."""
    user = f"{username}@{slug}"
    return {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": slug, "cluster": {
            "server": f"{server}/k8s/clusters/{slug}",
            "certificate-authority-data": base64.b64encode(ca).decode()}}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": slug, "context": {"cluster": slug, "user": user,
                                                "namespace": "default"}}],
        "current-context": slug,
    }


def issue(slug: str, server: str, user: User) -> dict:
    """A kubeconfig with a fresh token of `user` (their earlier one stops working)."""
    return document(slug, server, user.get_username(), tokens.issue(user, slug), ca_pem())
