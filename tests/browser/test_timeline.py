"""The timeline under the graph in a real browser: scrub back to before a Deployment
existed, replay its scale-up, restore (clusterviz/history, static/dashboard/timeline.js)."""

from __future__ import annotations

import asyncio
import json
import urllib.request

from tests.browser.test_dashboard import (  # noqa: F401,F811
    ARTIFACTS,
    _hold_the_first_answer,
    _post,
    _with_page,
    _within,
    page_url,
    playwright_api,
)
from tests.kubectl.kubectl_fixtures import server, teacher_token, teacher_web  # noqa: F401

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: whatwant/node-web:1.0}]
"""
WEB_PODS = "window.clusterviz.cy.nodes(\"node.pod[namespace = 'default']\").length"
HAS_DEPLOYMENT = "window.clusterviz.cy.getElementById('deploy/default/web').nonempty()"


def _get(url: str) -> dict:
    """GET as the page does: the signed-in teacher (the history is behind the classroom's
    door; an anonymous GET is the sign-in page)."""
    user = teacher_web(url)
    status, _, text = user.request("GET", url.removeprefix(user.server.url))
    assert status == 200, (status, text)
    return json.loads(text)


def _api_get(url: str, path: str) -> dict:
    """GET from the cluster's Kubernetes API with the teacher's bearer token (the API takes
    no session cookie: classroom.tokens)."""
    request = urllib.request.Request(url.replace("/clusters/", "/k8s/clusters/") + path,
                                     headers={"Authorization": f"Bearer {teacher_token(url)}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _settled(url: str, replicas: int) -> float:
    """Apply the Deployment with `replicas`, step the clock until they run; the moment."""
    assert _post(url + "apply", {"text": DEPLOYMENT % replicas})["results"][0]["ok"]
    _post(url + "clock", {"action": "step", "seconds": 20})
    return _get(url + "history")["now"]


async def _until(page, expression: str) -> None:
    try:
        await page.wait_for_function(expression, timeout=20_000)
    except playwright_api.TimeoutError as timeout:
        raise AssertionError(f"{expression}\nnever held; the page showed "
                             f"{await _timeline_seen(page)}") from timeout


async def _timeline_seen(page) -> str:
    """What the timeline and the graph showed when a wait gave up."""
    return await page.evaluate(f"""() => {{
        const handle = document.querySelector("[data-part=handle]");
        return JSON.stringify({{min: handle.min, max: handle.max, value: handle.value,
          disabled: handle.disabled, when: document.querySelector("[data-part=when]").textContent,
          pastAt: window.clusterviz.timeline.pastAt(), past: window.clusterviz.graph.isPast(),
          deployment: {HAS_DEPLOYMENT}, pods: {WEB_PODS}}}); }}""")


async def _show(page, at: float) -> None:
    """Move the handle to `at` as a drag does: once it can be moved (the span has come),
    held (focused: the timeline's refresh leaves a held handle where it is), its value set
    and `input` fired. Set on a handle nobody held, the value was put back to now by the
    span's first answer when that came after the socket's picture (s1 of 2722633)."""
    await _until(page, "!document.querySelector('[data-part=handle]').disabled")
    await page.focus("[data-part=handle]")
    await page.eval_on_selector("[data-part=handle]", "(el, at) => { el.max = Math.max("
                                "Number(el.max), at + 1); el.value = at; el.dispatchEvent("
                                "new Event('input')); }", at)


async def _answered(page, held: asyncio.Event) -> None:
    """Wait for the held request's answer, saying what the timeline showed if none came."""
    await _within(held.wait(), 20, "the request to hold", lambda: _timeline_seen(page))


def test_scrub_back_to_before_the_deployment_replay_the_scale_up_and_restore(page_url):  # noqa: F811
    _post(page_url + "clock", {"action": "pause"})
    before = _get(page_url + "history")["now"]
    _post(page_url + "clock", {"action": "step", "seconds": 5})
    one = _settled(page_url, 1)
    _post(page_url + "clock", {"action": "step", "seconds": 5})
    _settled(page_url, 3)

    async def steps(page):
        page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await _until(page, f"{WEB_PODS} === 3 && {HAS_DEPLOYMENT}")
        # scrub back: the graph as it was, marked past, without the Deployment
        await page.click("[data-part=handle]")
        await page.keyboard.press("Home")
        await _until(page, f"document.getElementById('graph').classList.contains('past') "
                           f"&& !{HAS_DEPLOYMENT} && {WEB_PODS} === 0")
        assert await page.inner_text("[data-part=badge]") == "PAST (READ-ONLY)"
        assert await page.locator(".mark-person").count() >= 2  # the two uploads
        assert await page.locator(".marks .point").count() >= 1  # the first snapshot
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "timeline-past.png"))
        # replay from one replica: the scale-up is drawn again, in the past, then live
        await _show(page, one)
        await _until(page, f"{HAS_DEPLOYMENT} && {WEB_PODS} === 1")
        await page.evaluate(f"""() => {{ window.samples = [];
          window.sampler = setInterval(() => window.samples.push(
            [window.clusterviz.graph.isPast(), {WEB_PODS}]), 10); }}""")
        await page.select_option("[data-part=speed]", "20")
        await page.click("[data-part=replay]")
        await _until(page, "!window.clusterviz.graph.isPast() && window.samples.length > 0 "
                           "&& window.samples.some(([past]) => past)")
        samples = await page.evaluate("clearInterval(window.sampler), window.samples")
        counts = [count for past, count in samples if past]
        assert counts[0] == 1 and 3 in counts, samples
        assert counts == sorted(counts)  # one pod, then more, never fewer: a scale-up
        # restore to before the Deployment: the live graph loses it, the timeline marks it
        await page.click("[data-part=handle]")
        await page.keyboard.press("Home")
        await _until(page, f"document.getElementById('graph').classList.contains('past') "
                           f"&& !{HAS_DEPLOYMENT}")
        await page.click("[data-part=restore]")
        await _until(page, f"!window.clusterviz.graph.isPast() && !{HAS_DEPLOYMENT} "
                           f"&& {WEB_PODS} === 0 && document.querySelector('.mark-restore')")
    asyncio.run(_with_page(page_url, steps))
    deployments = _api_get(page_url, "apis/apps/v1/namespaces/default/deployments")
    assert deployments["items"] == []
    assert before >= 0


def test_a_later_move_of_the_handle_wins_over_an_answer_still_on_its_way(page_url):  # noqa: F811
    """A drag asks for several moments; the answer for an early one can come back after the
    answer for where the handle stopped (under load it did, in a full run). The graph must
    show where the handle stopped, not whichever answer came last."""
    _post(page_url + "clock", {"action": "pause"})
    _post(page_url + "clock", {"action": "step", "seconds": 5})
    one = _settled(page_url, 1)
    _post(page_url + "clock", {"action": "step", "seconds": 5})
    _settled(page_url, 3)

    async def steps(page):
        # set first, long before the request it holds (see test_presenter's held restore)
        held, release = await _hold_the_first_answer(page, "/history/graph?")  # the Deployment with its one pod
        await _until(page, f"{WEB_PODS} === 3 && {HAS_DEPLOYMENT}")
        await _show(page, one)
        await _answered(page, held)
        await page.focus("[data-part=handle]")
        await page.keyboard.press("Home")  # before the Deployment: this answer comes first
        await _until(page, f"document.getElementById('graph').classList.contains('past') "
                           f"&& !{HAS_DEPLOYMENT} && {WEB_PODS} === 0")
        release.set()
        await page.evaluate("window.clusterviz.timeline.settled()")
        shown = await page.evaluate(f"[{HAS_DEPLOYMENT}, {WEB_PODS}]")
        assert shown == [False, 0]
        assert await page.inner_text("[data-part=badge]") == "PAST (READ-ONLY)"
    asyncio.run(_with_page(page_url, steps))


def test_the_handle_waits_for_the_span_before_it_can_be_moved(page_url):  # noqa: F811
    """The page draws the live graph from its socket and asks for the timeline's span
    apart; under load the span came last (a CI run of 8135cd0). A handle grabbed before it
    read 0..0, and Home asked for moment 0, before the history: the graph stayed live. The
    handle (and Replay, Restore) now wait for the span."""
    _post(page_url + "clock", {"action": "pause"})
    _settled(page_url, 1)

    async def steps(page):
        held, release = asyncio.Event(), asyncio.Event()

        async def hold_the_span(route):
            held.set()
            await release.wait()
            await route.continue_()
        await page.route(lambda url: url.endswith("/history"), hold_the_span)
        await page.reload()
        await _answered(page, held)
        await _until(page, f"{WEB_PODS} === 1 && {HAS_DEPLOYMENT}")  # the socket's picture
        for part in ("handle", "replay", "restore"):
            assert await page.is_disabled(f"[data-part={part}]"), part
        release.set()
        await page.click("[data-part=handle]")
        await page.keyboard.press("Home")
        await _until(page, f"document.getElementById('graph').classList.contains('past') "
                           f"&& !{HAS_DEPLOYMENT} && {WEB_PODS} === 0")
    asyncio.run(_with_page(page_url, steps))
