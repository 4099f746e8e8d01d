"""Security headers on every route: each URL pattern of the app, walked from the resolver.

A route added without a row in SAMPLES fails `test_every_route_has_a_sample`,
so no page escapes the header check. The headers are asserted on whatever
each route answers (a page, a 405 for a GET on a POST-only endpoint, a
Status), since a browser obeys them on every response.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLResolver, get_resolver

from tests.clusterviz.django_fixtures import (  # noqa: F401
    _in_test_thread,
    client,
    cluster,
    teacher,
)

# the route as the resolver spells it -> a URL that reaches it for the `lecture` cluster
SAMPLES = {
    "": "/",
    "signin": "/signin",
    "signout": "/signout",
    "join": "/join",
    "classes/new": "/classes/new",
    "classes/<int:pk>/": "/classes/1/",
    "classes/<int:pk>/open": "/classes/1/open",
    "classes/<int:pk>/students/<int:user_id>/revoke": "/classes/1/students/1/revoke",
    "clusters/new": "/clusters/new",
    "clusters/<slug:slug>/kubeconfig": "/clusters/lecture/kubeconfig",
    "clusters/<slug:slug>/reset": "/clusters/lecture/reset",
    "clusters/<slug:slug>/delete": "/clusters/lecture/delete",
    "i18n/setlang/": "/i18n/setlang/",
    "i18n/js/<str:code>": "/i18n/js/ko",
    "lessons/": "/lessons/",
    "clusters/<slug:slug>/present": "/clusters/lecture/present?lesson=week4-services",
    "clusters/<slug:slug>/lesson/goto": "/clusters/lecture/lesson/goto",
    "clusters/<slug:slug>/lesson/run": "/clusters/lecture/lesson/run",
    "clusters/<slug:slug>/lesson/reset": "/clusters/lecture/lesson/reset",
    "clusters/<slug:slug>/lesson/check": "/clusters/lecture/lesson/check",
    "clusters/<slug:slug>/lesson/data": "/clusters/lecture/lesson/data",
    "clusters/<slug:slug>/lesson/at": "/clusters/lecture/lesson/at",
    "classes/<int:pk>/lesson/push": "/classes/1/lesson/push",
    "classes/<int:pk>/reset-all": "/classes/1/reset-all",
    "clusters/<slug:slug>/commands": "/clusters/lecture/commands",
    "clusters/<slug:slug>/commands/<int:pk>": "/clusters/lecture/commands/1",
    "clusters/<slug:slug>/follow": "/clusters/lecture/follow",
    "clusters/<slug:slug>/": "/clusters/lecture/",
    "clusters/<slug:slug>/apply": "/clusters/lecture/apply",
    "clusters/<slug:slug>/preview": "/clusters/lecture/preview",
    "clusters/<slug:slug>/run": "/clusters/lecture/run",
    "clusters/<slug:slug>/fire": "/clusters/lecture/fire",
    "clusters/<slug:slug>/clock": "/clusters/lecture/clock",
    "clusters/<slug:slug>/inspect": "/clusters/lecture/inspect",
    "clusters/<slug:slug>/history": "/clusters/lecture/history",
    "clusters/<slug:slug>/history/graph": "/clusters/lecture/history/graph",
    "clusters/<slug:slug>/history/inspect": "/clusters/lecture/history/inspect",
    "clusters/<slug:slug>/history/replay": "/clusters/lecture/history/replay",
    "clusters/<slug:slug>/history/restore": "/clusters/lecture/history/restore",
    "clusters/<slug:slug>/failures": "/clusters/lecture/failures",
    "clusters/<slug:slug>/pods/<str:namespace>/<str:name>/shell":
        "/clusters/lecture/pods/default/web/shell",
    "k8s/clusters/<slug:slug>/": "/k8s/clusters/lecture/",
    "k8s/clusters/<slug:slug>/^(?P<path>.+)$": "/k8s/clusters/lecture/api/v1/namespaces",
    "^static/(?P<path>.*)$": "/static/dashboard/cluster.js",
    "favicon.ico": "/favicon.ico",
}
HTML_PAGES = ["/clusters/lecture/", "/clusters/lecture/present?lesson=week4-services",
              "/lessons/", "/clusters/lecture/pods/default/web/shell",
              "/clusters/lecture/follow"]
# pages whose library injects <style> elements (csp.inline_styles): style-src only widens
INLINE_STYLE_PAGES = {"/clusters/lecture/pods/default/web/shell"}


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_every_route_has_a_sample():
    assert sorted(_routes(get_resolver().url_patterns)) == sorted(SAMPLES)


def _policy(response) -> dict[str, str]:
    directives = (d.strip().split(None, 1) for d in response["Content-Security-Policy"].split(";"))
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


@pytest.mark.parametrize("url", list(SAMPLES.values()), ids=list(SAMPLES))
def test_every_route_answers_with_the_security_headers(client, cluster, url, settings):  # noqa: F811
    settings.TLS_PORT = 6443  # a kubeconfig, not the 503 of a server without TLS
    response = client.get(url)
    assert response.status_code < 500
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = _policy(response)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert re.fullmatch(r"'self' 'nonce-[-\w]{20,}'", policy["script-src"])
    styles = "'self' 'unsafe-inline'" if url in INLINE_STYLE_PAGES else policy["script-src"]
    assert policy["style-src"] == styles


@pytest.mark.parametrize("url", HTML_PAGES)
def test_a_page_has_no_inline_script_or_handler_without_its_nonce(client, cluster, url):  # noqa: F811
    first, second = client.get(url), client.get(url)
    assert first.status_code == 200
    nonce = re.search(r"'nonce-([-\w]+)'", first["Content-Security-Policy"]).group(1)
    assert nonce not in second["Content-Security-Policy"]  # a fresh nonce per request
    html = first.content.decode()
    tags = "script" if url in INLINE_STYLE_PAGES else "script|style"
    for tag in re.findall(rf"<(?:{tags})\b[^>]*>", html):
        inline = "src=" not in tag and 'type="application/json"' not in tag
        assert not inline or f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler"
    if url not in INLINE_STYLE_PAGES:
        assert not re.search(r"\sstyle\s*=", html), "an inline style attribute"
