"""A graph a room can read, and a presenter that uses the whole screen (issue 16), at the
viewports a classroom projector or laptop gives: 1024x768, 1280x720 and 1920x1080.

After the whole lesson is applied (its Services, the node-web pods, the Job's pods), every
pod and Service label must be at least 12 CSS px high on the screen in the default view
(its font size times the zoom), and the graph must fill at least 80 % of its canvas in
one dimension. Text boxes must not overflow their containers: kubectl's output keeps its
lines (never wrapped), shrinking its font to fit down to a legible size, then scrolling
sideways. Screenshots go to artifacts/ for a person to look at.
"""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest

from tests.browser.test_dashboard import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, playwright_api
from tests.kubectl.kubectl_fixtures import server, teacher_cookies, teacher_web  # noqa: F401

LESSON = "week4-services"
LAST_STEP = 17
VIEWPORTS = [pytest.param({"width": w, "height": h}, id=f"{w}x{h}")
             for w, h in ((1024, 768), (1280, 720), (1920, 1080))]
_slugs = itertools.count(1)


def _post(url: str, body: dict) -> dict:
    """POST as the signed-in teacher at the pages (session and CSRF token)."""
    status, _, text = teacher_web(url).request("POST", "/" + url.split("/", 3)[3],
                                               json_body=body)
    assert status == 200, text
    return json.loads(text)


def _lesson_cluster(server, step: int) -> str:  # noqa: F811
    """A cluster with the lesson applied up to `step`, its clock run on so pods settle."""
    slug = f"projector-{next(_slugs)}"
    server.manage("ensure_cluster", slug)
    for number in range(1, step + 1):  # some steps exec into a pod an earlier step made
        _post(f"{server.url}/clusters/{slug}/lesson/goto", {"lesson": LESSON, "step": number})
        _post(f"{server.url}/clusters/{slug}/clock", {"action": "step", "seconds": 10})
    # the Job's pods finish, the other pods turn ready
    _post(f"{server.url}/clusters/{slug}/clock", {"action": "step", "seconds": 120})
    return slug


# what the room sees of the graph: the smallest pod/Service label on the screen and how
# much of the canvas the drawn graph covers (the larger of width and height)
_GRAPH_METRICS = """() => {
  const cy = window.clusterviz.cy;
  const shown = cy.elements().filter((e) => e.visible() && !e.hasClass('path-marker'));
  const labelled = shown.nodes('node.pod, node.service, node.pod-fold');
  const px = labelled.map((n) => parseFloat(n.style('font-size')) * cy.zoom());
  const box = shown.renderedBoundingBox();
  const w = cy.width(), h = cy.height();
  const seen = (lo, hi, size) => Math.max(0, Math.min(hi, size) - Math.max(lo, 0));
  return {labels: labelled.length, smallest: Math.min(...px), width: w, height: h,
          fill: Math.max(seen(box.x1, box.x2, w) / w, seen(box.y1, box.y2, h) / h),
          clamped: window.clusterviz.state.view.clamped};
}"""

# a box overflows when its content is wider than it and it does not scroll by design
_OVERFLOWS = """(ids) => ids.map((sel) => {
  const el = document.querySelector(sel);
  const style = getComputedStyle(el);
  const scrolls = ['auto', 'scroll'].includes(style.overflowX);
  return {sel, over: el.scrollWidth > el.clientWidth && !scrolls,
          wraps: style.whiteSpace !== 'pre', font: parseFloat(style.fontSize),
          fits: el.scrollWidth <= el.clientWidth};
})"""


async def _browser(pw):
    return await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)


async def _open(browser, url: str, viewport: dict, language: str = "en"):
    # string predicates are polled with eval, which the CSP refuses: see test_dashboard
    page = await browser.new_page(viewport=viewport, bypass_csp=True)
    await page.context.add_cookies(teacher_cookies(url))
    # English by default: the words these tests read (the lesson's pages are Korean by default)
    await page.context.add_cookies([{"name": "clusterviz_language", "value": language,
                                     "url": url}])
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    await page.goto(url)
    await page.wait_for_function("window.clusterviz && window.clusterviz.state.seq > 0")
    return page, errors


def _assert_legible(metrics: dict) -> None:
    assert metrics["labels"] >= 8, metrics
    assert metrics["smallest"] >= 12, metrics
    assert metrics["fill"] >= 0.8, metrics


def _shot(viewport: dict, name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}-{viewport['width']}x{viewport['height']}.png")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_dashboard_graph_is_legible_and_its_panels_fit(server, viewport):  # noqa: F811
    slug = _lesson_cluster(server, LAST_STEP)

    async def steps(page):
        await page.wait_for_function("window.clusterviz.cy.nodes('node.service').length >= 5")
        await page.wait_for_timeout(500)  # fade-ins and the camera settle
        metrics = await page.evaluate(_GRAPH_METRICS)
        _assert_legible(metrics)
        # the top bar and the page itself do not overflow sideways
        assert await page.evaluate("""() => {
            const bar = document.querySelector('.topbar');
            return bar.scrollWidth <= bar.clientWidth &&
                   document.documentElement.scrollWidth <= innerWidth;
        }""")
        # the note says so when the graph is bigger than the canvas at a readable size
        assert await page.locator(".graph-note").is_visible() == metrics["clamped"]
        await page.screenshot(path=_shot(viewport, "dashboard-lesson"))
        # keys: + zooms in, 0 is the default view again
        zoom = await page.evaluate("window.clusterviz.cy.zoom()")
        await page.keyboard.press("+")
        assert await page.evaluate("window.clusterviz.cy.zoom()") > zoom
        await page.keyboard.press("0")
        await page.wait_for_function(f"Math.abs(window.clusterviz.cy.zoom() - {zoom}) < 1e-6")
        # kubectl's wide table in the drawer keeps its rows: no wrap, no overflow
        await page.click(".tabs button[data-tab=terminal]")
        await page.fill("#kubectl-command", "kubectl get pods -o wide")
        await page.click("#kubectl-run")
        await page.wait_for_selector("#kubectl-output .exit", timeout=30_000)
        await page.wait_for_timeout(100)  # the fit runs on the next frame
        [out] = await page.evaluate(_OVERFLOWS, ["#kubectl-output"])
        assert not out["over"] and not out["wraps"], out
        assert out["fits"] or out["font"] == 11, out
        assert out["font"] >= 11, out
        narrow = out["font"]
        await page.click("#drawer-wide")
        await page.wait_for_timeout(100)
        [wide] = await page.evaluate(_OVERFLOWS, ["#kubectl-output"])
        assert wide["font"] >= narrow and not wide["over"], wide
        await page.screenshot(path=_shot(viewport, "dashboard-kubectl"))
        # Hide panel: the graph takes the whole width, in the default view again
        await page.click("#drawer-toggle")
        await page.wait_for_function("window.clusterviz.cy.width() === innerWidth")
        await page.wait_for_timeout(200)
        _assert_legible(await page.evaluate(_GRAPH_METRICS))
        await page.screenshot(path=_shot(viewport, "dashboard-no-panel"))

    async def main():
        async with playwright_api.async_playwright() as pw:
            browser = await _browser(pw)
            try:
                page, errors = await _open(browser, f"{server.url}/clusters/{slug}/", viewport)
                await steps(page)
                assert errors == []
            finally:
                await browser.close()
    asyncio.run(main())


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_presenter_uses_the_whole_screen_and_keeps_kubectl_rows(server, viewport):  # noqa: F811
    # the whole lesson applied, then back to step 9, which runs `kubectl get endpoints`, then
    # `kubectl get pods -o wide`
    slug = _lesson_cluster(server, LAST_STEP)
    _post(f"{server.url}/clusters/{slug}/lesson/goto", {"lesson": LESSON, "step": 9})

    async def steps(page):
        assert await page.inner_text("#step-title") == "Trouble Shooting: Endpoints 1/2"
        await page.wait_for_function("window.clusterviz.cy.nodes('node.pod-fold').length === 1")
        # the Job's finished pods are one box, which opens on a click
        fold = await page.evaluate("window.clusterviz.cy.nodes('node.pod-fold').data('display')")
        assert fold.startswith("throw-dice-job\n") and "completed\n" in fold, fold
        await page.wait_for_timeout(500)
        _assert_legible(await page.evaluate(_GRAPH_METRICS))
        layout = await page.evaluate("""() => {
            const rect = (sel) => document.querySelector(sel).getBoundingClientRect();
            const stage = rect('.stage'), graph = rect('#graph'), title = rect('#step-title');
            const box = rect('.command-box');
            const t = document.querySelector('#step-title');
            return {stage: [stage.width, stage.height], screen: [innerWidth, innerHeight],
                    graph: graph.width * graph.height / (innerWidth * innerHeight),
                    titleShown: title.top >= 0 && title.bottom <= innerHeight &&
                                t.scrollWidth <= t.clientWidth,
                    boxShown: box.top >= 0 && box.bottom <= innerHeight};
        }""")
        assert layout["stage"] == layout["screen"], layout  # no letterbox bars
        assert layout["graph"] >= 0.6, layout
        assert layout["titleShown"] and layout["boxShown"], layout
        for expected in ("ENDPOINTS", "NOMINATED NODE"):
            await page.keyboard.press("Space")
            await page.wait_for_function(
                f"document.querySelector('#request-output').textContent.includes('{expected}') &&"
                " document.querySelector('#request-output .exit') !== null", timeout=30_000)
            boxes = await page.evaluate(_OVERFLOWS, ["#request-command", "#request-output"])
            for box in boxes:
                assert not box["over"] and not box["wraps"], box
                assert box["fits"] or box["font"] == 13, box
            await page.screenshot(path=_shot(viewport, f"presenter-{expected.split()[0].lower()}"))
        # a pod's curl to a Service: its trace lines are not cut at the right edge
        await page.keyboard.press("ArrowRight")
        await page.keyboard.press("Space")
        await page.wait_for_selector("#request-output .exit", timeout=30_000)
        trace = await page.evaluate("""() => {
            const lines = [...document.querySelectorAll('#trace li')];
            const box = document.querySelector('#trace');
            return {lines: lines.length, cut: lines.filter((li) => li.scrollWidth > li.clientWidth)
                    .length + (box.scrollWidth > box.clientWidth ? 1 : 0)};
        }""")
        assert trace["lines"] >= 3 and trace["cut"] == 0, trace
        await page.screenshot(path=_shot(viewport, "presenter-trace"))
        # void: Playwright would serialize the collection emit() returns (20 s of the graph)
        await page.evaluate("void window.clusterviz.cy.nodes('node.pod-fold').emit('tap')")
        assert await page.evaluate("window.clusterviz.cy.nodes('node.pod-fold').length") == 0
        assert await page.evaluate("window.clusterviz.cy.nodes('node.pod.folded').length") == 0

    async def main():
        async with playwright_api.async_playwright() as pw:
            browser = await _browser(pw)
            try:
                page, errors = await _open(
                    browser, f"{server.url}/clusters/{slug}/present?lesson={LESSON}", viewport)
                await steps(page)
                assert errors == []
            finally:
                await browser.close()
    asyncio.run(main())


HANGUL = "/[\\uac00-\\ud7a3]/"


@pytest.mark.parametrize("viewport", VIEWPORTS[:2])  # the tightest screens
def test_the_korean_pages_fit_the_screen_as_the_english_ones(server, viewport):  # noqa: F811
    """Korean words are wider than English ones: the same layout checks, in Korean."""
    slug = _lesson_cluster(server, LAST_STEP)
    fits = """(sel) => { const el = document.querySelector(sel), r = el.getBoundingClientRect();
        return {text: el.textContent, fits: el.scrollWidth <= el.clientWidth,
                shown: r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth}; }"""

    async def main():
        async with playwright_api.async_playwright() as pw:
            browser = await _browser(pw)
            try:
                page, errors = await _open(browser, f"{server.url}/clusters/{slug}/", viewport,
                                           "ko")
                assert await page.get_attribute("html", "lang") == "ko"
                await page.wait_for_function("window.clusterviz.cy.nodes('node.service').length >= 5")
                await page.wait_for_timeout(500)
                _assert_legible(await page.evaluate(_GRAPH_METRICS))
                bar = await page.evaluate(fits, ".topbar")
                assert await page.evaluate(f"{HANGUL}.test(document.querySelector('.tabs').textContent)")
                assert bar["fits"] and await page.evaluate(
                    "document.documentElement.scrollWidth <= innerWidth"), bar
                await page.screenshot(path=_shot(viewport, "dashboard-lesson-ko"))
                assert errors == []
                # step 9 as in the English test (its title is among the longest)
                _post(f"{server.url}/clusters/{slug}/lesson/goto", {"lesson": LESSON, "step": 9})
                page, errors = await _open(
                    browser, f"{server.url}/clusters/{slug}/present?lesson={LESSON}", viewport, "ko")
                # the slides keep this title in English; the step's explanation is Korean
                explain = await page.inner_text("#step-explain")
                assert await page.evaluate(f"{HANGUL}.test({json.dumps(explain)})"), explain
                title = await page.evaluate(fits, "#step-title")
                assert title["fits"] and title["shown"], title
                box = await page.evaluate(fits, ".command-box")
                assert box["shown"], box
                assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")
                await page.screenshot(path=_shot(viewport, "presenter-ko"))
                assert errors == []
            finally:
                await browser.close()
    asyncio.run(main())


def test_the_lessons_page_is_styled_linked_from_the_dashboard_and_has_an_icon(server):  # noqa: F811
    slug = f"projector-{next(_slugs)}"
    server.manage("ensure_cluster", slug)

    async def main():
        async with playwright_api.async_playwright() as pw:
            browser = await _browser(pw)
            try:
                page, errors = await _open(browser, f"{server.url}/clusters/{slug}/",
                                           {"width": 1280, "height": 720})
                await page.click("a.lessons-link")
                await page.wait_for_url("**/lessons/")
                assert await page.evaluate(
                    "getComputedStyle(document.querySelector('.lesson')).borderTopStyle") == "solid"
                assert await page.locator(f"a[href='/clusters/{slug}/']").count() == 1
                icon = await page.evaluate("fetch(document.querySelector('link[rel=icon]').href)"
                                           ".then((r) => r.headers.get('content-type'))")
                assert icon == "image/svg+xml"
                await page.screenshot(path=_shot({"width": 1280, "height": 720}, "lessons"))
                await page.goto(f"{server.url}/")  # plain text: the browser asks /favicon.ico
                await page.wait_for_timeout(300)
                assert errors == []
            finally:
                await browser.close()
    asyncio.run(main())
