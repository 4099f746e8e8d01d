"""Languages: which language a page speaks, the switch that remembers a choice, the
scripts' catalog, the compiled catalogs, and scans that fail on a string a person reads
but no translator sees (templates' bare text, Python messages, page scripts)."""

from __future__ import annotations

import ast
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.clusterviz.django_fixtures import (  # noqa: F401
    _in_test_thread,
    client,
    cluster,
    teacher,
)

REPO = Path(__file__).resolve().parents[2]
LOCALE = REPO / "locale"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
PRESENTER = "/clusters/lecture/present?lesson=week4-services"
PAGES = ["/clusters/lecture/", PRESENTER, "/lessons/", "/"]  # signed in ("/": the home)
ANONYMOUS_PAGES = ["/", "/signin", "/join"]  # the landing page, sign-in, join
NO_SCRIPTS = ("/lessons/", "/")  # pages without scripts load no catalog


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]*)"', html).group(1)


@pytest.mark.parametrize(("url", "headers", "cookie", "lang", "shows"), [
    pytest.param("/clusters/lecture/", {}, None, "en", "Upload manifests", id="dashboard-default"),
    pytest.param("/clusters/lecture/", {"Accept-Language": "ko-KR,ko;q=0.9"}, None, "ko",
                 "manifest 올리기", id="dashboard-accept-ko"),
    pytest.param("/clusters/lecture/", {"Accept-Language": "ko"}, "en", "en",
                 "Upload manifests", id="dashboard-chosen-en"),
    pytest.param(PRESENTER, {"Accept-Language": "en-US,en;q=0.9"}, None, "ko",
                 "발표 화면", id="lecture-lesson-korean-first"),
    pytest.param(PRESENTER, {"Accept-Language": "ko"}, "en", "en", "presenter",
                 id="lecture-lesson-chosen-en"),
    pytest.param("/lessons/", {"Accept-Language": "en"}, None, "ko", "4주차: Job과 Service",
                 id="lesson-list-korean-first"),
    pytest.param("/lessons/", {}, "en", "en", "Week 4: Jobs and Services", id="lesson-list-en"),
    pytest.param("/", {}, None, "en", "Your classes", id="home-default"),
    pytest.param("/", {"Accept-Language": "ko"}, None, "ko", "내 클래스", id="home-accept-ko"),
    pytest.param("/", {"Accept-Language": "ko"}, None, "ko", "4주차: Job과 Service",
                 id="home-lesson-title-ko"),
    pytest.param("/", {"Accept-Language": "ko"}, "en", "en", "Week 4: Jobs and Services",
                 id="home-lesson-title-chosen-en"),
])
def test_the_page_speaks_the_chosen_then_the_lessons_then_the_browsers_language(
        client, cluster, url, headers, cookie, lang, shows):  # noqa: F811
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get(url, headers=headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert _lang(html) == lang and response["Content-Language"] == lang
    assert shows in html
    assert f'src="/i18n/js/{lang}"' in html or url in NO_SCRIPTS


def test_the_presenters_lesson_text_follows_the_page_language(client, cluster):  # noqa: F811
    korean = client.get(PRESENTER).context["page_config"]["lesson"]["steps"][2]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(PRESENTER).context["page_config"]["lesson"]["steps"][2]
    assert (korean["title"], english["title"]) == ("Pod Network 실습", "Pod Network practice")
    assert HANGUL.search(korean["explain"]) and not HANGUL.search(english["explain"])
    assert korean["requests"][1]["from"] == "app=node-web Pod (가장 오래된 것)"
    assert english["requests"][1]["from"] == "a pod with app=node-web (oldest)"


@pytest.mark.parametrize(("url", "signed_in"), [
    *(pytest.param(url, True, id=f"signed-in:{url}") for url in PAGES),
    *(pytest.param(url, False, id=f"anonymous:{url}") for url in ANONYMOUS_PAGES)])
def test_every_page_has_a_switch_that_remembers_the_choice(url, signed_in, cluster, teacher):  # noqa: F811
    from django.test import Client
    visitor = Client(enforce_csrf_checks=True)
    if signed_in:
        visitor.force_login(teacher)
    html = visitor.get(url).content.decode()
    switch = re.search(r'<form class="language-switch".*?</form>', html, re.S).group(0)
    assert re.findall(r'name="language" value="(\w+)"', switch) == ["ko", "en"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', switch).group(1)
    answer = visitor.post("/i18n/setlang/", {"language": "en", "next": url,
                                             "csrfmiddlewaretoken": token})
    assert (answer.status_code, answer["Location"]) == (302, url)
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert _lang(visitor.get(url, headers={"Accept-Language": "ko"}).content.decode()) == "en"


def test_the_switch_refuses_a_post_without_its_csrf_token(cluster):  # noqa: F811
    from django.test import Client
    answer = Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "en"})
    assert answer.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in answer.cookies


@pytest.mark.parametrize(("code", "status", "holds"), [
    pytest.param("ko", 200, json.dumps("외부 클라이언트 %(number)s: %(ip)s"), id="ko"),
    pytest.param("en", 200, "django.gettext", id="en"),
    pytest.param("xx", 404, "", id="unknown"),
])
def test_the_scripts_catalog_is_served_per_language(code, status, holds):
    from django.test import Client
    response = Client().get(f"/i18n/js/{code}")  # anonymous: no page's catalog needs a session
    assert response.status_code == status
    assert holds in response.content.decode()


# ---- the catalogs ------------------------------------------------------------------------

CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def test_there_are_korean_catalogs_for_the_pages_and_their_scripts():
    assert [p.relative_to(LOCALE).as_posix() for p in CATALOGS] == [
        "ko/LC_MESSAGES/django.po", "ko/LC_MESSAGES/djangojs.po"]


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.stem)
def test_the_committed_mo_says_what_its_po_says(po_path):
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))

    def entries(catalog):
        return {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                for e in catalog if e.msgid and not e.obsolete and "fuzzy" not in e.flags}
    assert entries(mo) == entries(po), "run `manage.py compilemessages` (docs/contributing.md)"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.stem)
def test_every_message_is_translated(po_path):
    po = polib.pofile(str(po_path))
    assert po.untranslated_entries() == [] and po.fuzzy_entries() == []
    assert [e.msgid for e in po.translated_entries() if not e.msgstr and
            not all(e.msgstr_plural.values())] == []


# ---- scans: what a person reads goes through a translator ---------------------------------

TEMPLATES = sorted([*REPO.glob("templates/**/*.html"), *REPO.glob("clusterviz/*/templates/**/*.html")])
# Words that are the same in every language: names, kubectl's words and flags, Kubernetes'
# own terms, and a YAML sample.
SAME_IN_EVERY_LANGUAGE = {"ClusterViz", "kubectl", "exec", "apply", "create", "YAML",
                          "CrashLoopBackOff", "apiVersion", "apps", "v1", "kind", "ReplicaSet"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# no reader's text: scripts, styles, and commands shown as typed (a shell line is the same
# in every language)
SHOWN_AS_TYPED = ("script", "style", "pre", "code")


class _Text(HTMLParser):
    """The text nodes and read attributes of a template with its tags taken out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in SHOWN_AS_TYPED
        self.found += [v for k, v in attrs if k in READ_ATTRIBUTES and v]

    def handle_endtag(self, tag):
        self._skip -= tag in SHOWN_AS_TYPED

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


def bare_text(template: str) -> list[str]:
    """Text in `template` that a reader sees and no `{% translate %}` covers."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "", template, flags=re.S)
    source = re.sub(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", "", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}", "", source, flags=re.S)
    parser = _Text()
    parser.feed(source)
    texts = (" ".join(t.split()) for t in parser.found)
    return [t for t in texts if any(word not in SAME_IN_EVERY_LANGUAGE
                                    for word in re.findall(r"(?<![-\w])[^\W\d_]\w*", t))]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_template_shows_text_that_is_not_marked_for_translation(path):
    assert bare_text(path.read_text()) == []


@pytest.mark.parametrize(("template", "bare"), [
    pytest.param("<h1>Lessons</h1>", ["Lessons"], id="text"),
    pytest.param('<button title="Pause it">{% translate "Pause" %}</button>', ["Pause it"],
                 id="attribute"),
    pytest.param("<p>{% blocktranslate %}Hi {{ n }}{% endblocktranslate %} · kubectl</p>", [],
                 id="marked"),
    pytest.param("<p>{% translate 'Then:' %}</p><pre>kubectl get nodes -o wide</pre>", [],
                 id="command"),
])
def test_the_template_scan_finds_bare_text(template, bare):
    assert bare_text(template) == bare


PYTHON = sorted([*(path for app in ("dashboard", "operations", "lessons", "classroom",
                                      "history", "room")
                   for path in REPO.glob(f"clusterviz/{app}/*.py")),
                 REPO / "clusterviz" / "web.py"])
# kubectl's own words, which stay as kubectl prints them
KUBECTL_WORDS = ("error: no objects passed to ",)


def unmarked_messages(source: str) -> list[str]:
    """Refused(...) / {"error": ...} / {"note": ...} built from a bare string literal."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) \
                == "Refused" and node.args:
            found += _bare(node.args[0])
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in ("error", "note"):
                    found += _bare(value)
    return [text for text in found if not text.startswith(KUBECTL_WORDS)]


def _bare(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(node)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _bare(node.left)
    return []


@pytest.mark.parametrize("path", PYTHON, ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_python_message_for_the_page_is_left_unmarked(path):
    assert unmarked_messages(path.read_text()) == []


def test_the_python_scan_finds_a_bare_message():
    assert unmarked_messages('raise Refused(f"no {x}")\nraise Refused(_("ok"))\n'
                             'JsonResponse({"error": "gone"})') == ["f'no {x}'", "gone"]


SCRIPTS = sorted(path for folder in ("dashboard", "lessons", "classroom", "graph", "lib")
                 for path in REPO.glob(f"static/{folder}/*.js"))
# a sentence put on the page straight from a literal: textContent/title/confirm/alert, a
# line helper's first argument, or lib/dom.js's element(tag, text)'s text
SHOWN_LITERAL = re.compile(
    r"""(?:\.(?:textContent|title)\s*=|\b(?:confirm|alert|line|span|item|element)\("""
    r"""(?:\s*"[a-z0-9]+",)?)\s*"""
    r"""(?:[^;]*?\?\s*)?(["`])(?:(?!\1).)*[A-Za-z]{2,}\s+[A-Za-z]{2,}""")


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_script_puts_an_untranslated_sentence_on_the_page(path):
    lines = [line.strip() for line in path.read_text().splitlines()
             if SHOWN_LITERAL.search(line) and "gettext(" not in line]
    assert lines == []


def test_the_script_scan_finds_a_bare_sentence():
    assert SHOWN_LITERAL.search('el.textContent = "no recent events";')
    assert SHOWN_LITERAL.search('events.append(line("no recent events", "none"));')
    assert SHOWN_LITERAL.search('list.append(element("p", "no recent events", "none"));')
    assert not SHOWN_LITERAL.search('list.append(element("ul", null, "results problems"));')
    assert not SHOWN_LITERAL.search('el.textContent = "";')


@pytest.mark.parametrize(("cookie", "missing"), [
    pytest.param(None, "app=node-web Pod 3개가 Running이고 Ready (지금 0개)", id="lesson-ko"),
    pytest.param("en", "3 pod(s) with app=node-web Running and Ready (now 0)", id="chosen-en"),
])
def test_a_lessons_json_speaks_the_lessons_language_unless_one_was_chosen(
        client, cluster, cookie, missing):  # noqa: F811
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    answer = client.get("/clusters/lecture/lesson/check?lesson=week4-services&step=3",
                        headers={"Accept-Language": "en"}).json()
    assert [c["text"] for c in answer["conditions"]] == [missing]


@pytest.mark.parametrize(("headers", "language"), [
    pytest.param([], "en", id="nothing-said"),
    pytest.param([(b"accept-language", b"ko-KR,ko;q=0.9,en;q=0.8")], "ko", id="accept-ko"),
    pytest.param([(b"accept-language", b"fr, *;q=0.5")], "en", id="accept-unknown"),
    pytest.param([(b"accept-language", b"ko"), (b"cookie", b"clusterviz_language=en")], "en",
                 id="chosen-over-accept"),
    pytest.param([(b"cookie", b"clusterviz_language=xx; other=1")], "en", id="bad-cookie"),
    pytest.param([(b"cookie", b'\xff"broken'), (b"accept-language", b"ko")], "ko",
                 id="unreadable-cookie"),
])
def test_a_sockets_language_is_picked_as_a_pages(headers, language):
    from clusterviz import i18n
    assert i18n.language_of_scope({"type": "websocket", "headers": headers}) == language


@pytest.mark.django_db(transaction=True)
def test_the_web_terminals_refusals_speak_the_visitors_language(cluster, teacher):  # noqa: F811
    from asgiref.sync import async_to_sync
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from clusterviz.asgi import application
    signed_in = Client()
    signed_in.force_login(teacher)  # the socket is the cluster's owner's (classroom.doors)
    session = f"sessionid={signed_in.cookies['sessionid'].value}".encode()

    async def refusal() -> dict:
        socket = WebsocketCommunicator(
            application.app.application_mapping["websocket"], "/ws/clusters/lecture/kubectl",
            headers=[(b"host", b"testserver"), (b"origin", b"http://testserver"),
                     (b"accept-language", b"ko-KR,ko"), (b"cookie", session)])
        assert (await socket.connect())[0] is True
        await socket.send_json_to({"type": "run", "command": "kubectl frobnicate"})
        answer = await socket.receive_json_from(timeout=10)
        await socket.disconnect()
        return answer
    answer = async_to_sync(refusal)()
    assert answer["type"] == "refused"
    assert answer["message"].startswith('거부됨: "frobnicate"는 이 터미널이 실행하는 명령이 아닙니다')


@pytest.mark.django_db(transaction=True)
def test_the_web_terminal_sends_exec_it_to_the_pods_shell_page(cluster, teacher):  # noqa: F811
    from asgiref.sync import async_to_sync
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from clusterviz.asgi import application
    signed_in = Client()
    signed_in.force_login(teacher)
    session = f"sessionid={signed_in.cookies['sessionid'].value}".encode()

    async def answer_to(line: str, language: bytes) -> dict:
        socket = WebsocketCommunicator(
            application.app.application_mapping["websocket"], "/ws/clusters/lecture/kubectl",
            headers=[(b"host", b"testserver"), (b"origin", b"http://testserver"),
                     (b"accept-language", language), (b"cookie", session)])
        assert (await socket.connect())[0] is True
        await socket.send_json_to({"type": "run", "command": line})
        answer = await socket.receive_json_from(timeout=10)
        await socket.disconnect()
        return answer
    english = async_to_sync(answer_to)("kubectl exec -it web-1 -c app -- bash", b"en")
    assert english == {
        "type": "shell", "url": "/clusters/lecture/pods/default/web-1/shell?command=bash&container=app",
        "message": "kubectl exec -it needs a terminal of its own: the shell opens in a new tab.",
        "link": "Open bash in web-1"}
    korean = async_to_sync(answer_to)("exec -it web-1 -- sh", b"ko-KR,ko")
    assert korean["link"] == "web-1에서 sh 열기"
