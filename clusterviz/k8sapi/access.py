"""Who may use a cluster's API: the one place an authentication check will go.

Today every caller may use every cluster (kubectl sends no credentials over
plain http; see kubectl-api.md section 7-1). A later issue identifies
students by URL prefix or token; it changes only these two functions: every
API view calls `check_access` before doing anything, and the exec websocket
`check_socket_access` before it accepts.
"""

from __future__ import annotations

from django.http import HttpRequest


def check_access(request: HttpRequest, slug: str) -> dict | None:
    """None when the request may proceed, else the Status dict to refuse it with."""
    return None


def check_socket_access(scope: dict, slug: str) -> dict | None:
    """The same decision for a websocket (`pods/exec`), from its ASGI scope."""
    return None
