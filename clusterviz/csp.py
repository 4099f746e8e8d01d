"""The Content-Security-Policy every response carries, with a fresh nonce per request.

The pages load their scripts and styles from `/static/` only; the one
inline script (the dashboard's early feed, which opens the graph socket
before Cytoscape has loaded) and the one inline style (Cytoscape's container
rule, which Cytoscape would otherwise inject itself) carry the request's
nonce (`{{ csp_nonce }}`, from the `nonce` context processor). So a string
that reaches a page as markup cannot run script, load a script from
elsewhere, or send the page's data anywhere but this server (`connect-src
'self'` covers the page's own websockets), and no other site may frame a
page (`frame-ancestors 'none'`, beside X-Frame-Options from Django).

Django 5.2 has no CSP of its own; this small middleware is preferred to the
django-csp package because the policy is one constant and the nonce one
attribute. Element styles set from JavaScript (Cytoscape's canvas sizes)
go through the CSSOM, which `style-src` does not govern, so no
'unsafe-inline' is needed, except on a page marked `inline_styles` (the pod
shell: xterm.js injects style elements); scripts stay strict there too. The trade-off: a template that grows an inline
`style="..."`, `onclick=` or `<script>` without the nonce stops working,
which the browser test that collects CSP violations catches.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
          "style-src 'self' {styles}; img-src 'self' data:; connect-src 'self'; "
          "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# For the pages of `inline_styles` views only: a nonce would disable 'unsafe-inline'.
INLINE_STYLES = "'unsafe-inline'"


def inline_styles(view: Callable) -> Callable:
    """Marks a page whose library injects `<style>` elements it cannot give a nonce.

    xterm.js (the pod shell page) writes its theme and cell size into style
    elements; the page keeps the strict script policy, only style-src widens.
    """
    @functools.wraps(view)
    def marked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.csp_inline_styles = True
        return response
    return marked


def nonce(request: HttpRequest) -> dict:
    """Context processor: the request's nonce for `<script nonce="{{ csp_nonce }}">`."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


class ContentSecurityPolicyMiddleware:
    """Gives each request a nonce and each response the policy naming it."""

    sync_capable = async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        request.csp_nonce = secrets.token_urlsafe(16)
        if iscoroutinefunction(self.get_response):  # as marked in __init__
            return self._acall(request)
        return self._stamp(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        return self._stamp(request, await self.get_response(request))

    @staticmethod
    def _stamp(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        styles = (INLINE_STYLES if getattr(response, "csp_inline_styles", False)
                  else f"'nonce-{request.csp_nonce}'")
        response.headers.setdefault("Content-Security-Policy",
                                    POLICY.format(nonce=request.csp_nonce, styles=styles))
        return response
