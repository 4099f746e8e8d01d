"""The page's language: Korean or English, chosen per visitor.

Django's LocaleMiddleware picks the language from the visitor's choice (the
`clusterviz_language` cookie that `set_language` writes when the switch on a
page is used) or else from the browser's Accept-Language. The lecture's
lessons are Korean first: their pages switch to Korean unless the visitor has
chosen (`prefer_language` with the lesson's own language), so a projector in a Korean room shows
Korean even from a laptop whose browser asks for English.

The page scripts' strings come from Django's JavaScriptCatalog, loaded as a
script file (the CSP forbids inline scripts without the nonce). Its URL names
the language (`/i18n/js/ko`), because the catalog request itself cannot know
that the page it belongs to preferred Korean; the trade-off is one URL per
language, which also lets a browser cache each.

The switch is a form posting to Django's `set_language` with a CSRF token
(CsrfViewMiddleware checks every page's POST; only the Kubernetes API is
csrf_exempt, protected by its bearer token, content type and the Origin check).
The switch and the catalog need no sign-in: the landing page has the switch too.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext, suppress
from http.cookies import CookieError, SimpleCookie

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.i18n import JavaScriptCatalog, set_language

set_language_view = set_language
_catalog = JavaScriptCatalog.as_view()  # every app's djangojs catalog and LOCALE_PATHS'


def chosen(request: HttpRequest) -> bool:
    """Has the visitor picked a language with the switch (the cookie holds a known one)?"""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return code in dict(settings.LANGUAGES)


def prefer_language(request: HttpRequest, code: str) -> None:
    """Show the page in `code` (a lesson's own language) unless the visitor chose one."""
    if code in dict(settings.LANGUAGES) and not chosen(request):
        translation.activate(code)
        request.LANGUAGE_CODE = code


def lesson_language(request: HttpRequest, code: str) -> AbstractContextManager:
    """For a lesson's JSON endpoints (run by the presenter's script, whose requests carry no
    sign of the page's preference): its own language unless the visitor chose one."""
    if code in dict(settings.LANGUAGES) and not chosen(request):
        override: AbstractContextManager = translation.override(code)
        return override
    return nullcontext()


def language_of_scope(scope: dict) -> str:
    """A websocket's language, as LocaleMiddleware picks a page's: the switch's cookie,
    else Accept-Language, else the default (sockets pass no middleware)."""
    headers = {name.decode("latin1").lower(): value.decode("latin1")
               for name, value in scope.get("headers", [])}
    cookie = SimpleCookie()
    with suppress(CookieError):
        cookie.load(headers.get("cookie", ""))
    morsel = cookie.get(settings.LANGUAGE_COOKIE_NAME)
    if morsel is not None and morsel.value in dict(settings.LANGUAGES):
        return morsel.value
    for code, _quality in parse_accept_lang_header(headers.get("accept-language", "")):
        if code == "*":
            break
        with suppress(LookupError):
            return str(translation.get_supported_language_variant(code))
    return str(settings.LANGUAGE_CODE)


def javascript_catalog(request: HttpRequest, code: str) -> HttpResponse:
    """Django's JavaScriptCatalog in the language the URL names."""
    if code not in dict(settings.LANGUAGES):
        raise Http404(f"no language {code}")
    with translation.override(code):
        return _catalog(request)
