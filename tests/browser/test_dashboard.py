"""The cluster page in a real browser: Debian's Chromium driven by Playwright, against daphne.

Playwright's async API is driven with `asyncio.run` inside plain tests (no
pytest plugin: the sync plugin breaks later asyncio tests in the same run).
The server is the one the kubectl tests start (`kubectl_fixtures.server`),
each test on a cluster of its own. Screenshots go to `artifacts/` at the
top of the repository (git-ignored) for a person to look at.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
from pathlib import Path

import pytest

from tests.kubectl.kubectl_fixtures import (  # noqa: F401
    LECTURE,
    REPO,
    server,
    teacher_cookies,
    teacher_token,
    teacher_web,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
ARTIFACTS = REPO / "artifacts"
VIEWPORT = {"width": 1600, "height": 900}
_slugs = itertools.count(1)

playwright_api = pytest.importorskip("playwright.async_api")
if not CHROMIUM.exists() and shutil.which("chromium") is None:
    pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)",
                pytrace=False)


@pytest.fixture
def page_url(server):  # noqa: F811
    slug = f"browser-{next(_slugs)}"
    server.manage("ensure_cluster", slug)
    return f"{server.url}/clusters/{slug}/"


async def _with_page(url: str, steps, *, cookies: tuple[dict, ...] = (),
                     viewport: dict = VIEWPORT, screenshot: str = "") -> None:
    """Run `steps(page)` on `url` in Chromium, signed in as the teacher (and with `cookies`,
    a visitor's language switch say), once the graph has its first picture; the page must
    raise no error. `screenshot` names the picture kept in ARTIFACTS afterwards."""
    async with playwright_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=CHROMIUM_ARGS)
        try:
            # Playwright polls string predicates with eval, which the pages' CSP refuses;
            # test_cross_site.py checks the pages under their CSP.
            page = await browser.new_page(viewport=viewport, bypass_csp=True)
            await page.context.add_cookies([*teacher_cookies(url), *cookies])
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(url)
            await page.wait_for_function("window.clusterviz && window.clusterviz.state.seq > 0")
            await steps(page)
            if screenshot:
                ARTIFACTS.mkdir(exist_ok=True)
                await page.screenshot(path=str(ARTIFACTS / screenshot))
            assert errors == []
        finally:
            await browser.close()


async def _hold_the_first_answer(page, url_part: str) -> tuple[asyncio.Event, asyncio.Event]:
    """Hold the server's answer to the first request whose URL holds `url_part` until
    `release` is set (`held` is set once the server has answered); later ones pass. For the
    races where a page must draw the latest answer asked for, whichever comes back last."""
    held, release = asyncio.Event(), asyncio.Event()

    async def hold(route):
        if held.is_set():
            await route.continue_()
            return
        answer = await route.fetch()
        held.set()
        await release.wait()
        await route.fulfill(response=answer)
    await page.route(lambda url: url_part in url, hold)
    return held, release


async def _within(awaitable, seconds: float, what: str, seen) -> None:
    """`awaitable` within `seconds`, else an AssertionError saying `what` never came and what
    `seen()` (an async function) reports the page showed: a held-request race test that
    waits forever would only tell pytest's timeout, 300 s later, and not why."""
    try:
        await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        raise AssertionError(f"{what} never came; the page showed {await seen()}") from None


async def _upload(page, *names: str) -> None:
    text = "\n---\n".join((LECTURE / name).read_text() for name in names)
    await page.fill("#manifest", text)
    await page.click("#apply")
    await page.wait_for_selector(f"#apply-results li.ok >> nth={len(names) - 1}")


_RUNNING_WITH_ENDPOINTS = """() => {
  const cy = window.clusterviz.cy;
  const running = cy.nodes("node.pod.running-ready[namespace = 'default']").length;
  const ready = cy.edges("edge.endpoint.ready[source = 'svc/default/svc-node']").length;
  return running === 3 && ready === 3;
}"""


def test_it_uploads_the_lecture_and_draws_three_running_pods_with_endpoints(page_url):
    async def steps(page):
        await _upload(page, "rs-node-web.yaml", "svc-none-node-web.yaml")
        results = await page.locator("#apply-results li").all_inner_texts()
        assert results == ["replicaset.apps/rs-node-web created", "service/svc-node created"]
        await page.wait_for_function(_RUNNING_WITH_ENDPOINTS, timeout=20_000)
        labels = await page.evaluate(
            "window.clusterviz.cy.nodes('node.pod[namespace = \"default\"]')"
            ".map(n => n.data('status'))")
        assert labels == ["Running"] * 3
        await page.wait_for_timeout(600)  # let the fade-ins finish before the picture
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "dashboard-upload.png"))
    asyncio.run(_with_page(page_url, steps))


def test_it_shows_the_api_servers_message_for_a_refused_document(page_url):
    async def steps(page):
        await _upload(page, "svc-none-node-web.yaml")
        await page.click("#create")
        await page.wait_for_selector("#apply-results li.error")
        assert await page.inner_text("#apply-results li.error") == (
            'Error from server (AlreadyExists): error when creating "STDIN": '
            'services "svc-node" already exists')
    asyncio.run(_with_page(page_url, steps))


def _post(url: str, body: dict) -> dict:
    """POST as the page does: the signed-in teacher, with Django's CSRF token."""
    user = teacher_web(url)
    status, _, text = user.request("POST", url.removeprefix(user.server.url), json_body=body)
    assert status == 200, (status, text)
    return json.loads(text)


def apply_serving(page_url: str, *texts: str) -> None:
    """Apply `texts` with the cluster's clock held, then move it 5 s on and let it run again,
    so every pod made is Ready and its server listening before a test fires a request (a pod
    without a readiness probe is Ready 0.1 s before node-web binds its port, as in a real
    cluster: a request in that gap is refused, and wall time decides who wins)."""
    _post(page_url + "clock", {"action": "pause"})
    results = _post(page_url + "apply", {"text": "\n---\n".join(texts)})["results"]
    assert all(r["ok"] for r in results), results
    _post(page_url + "clock", {"action": "step", "seconds": 5})
    _post(page_url + "clock", {"action": "resume", "speed": 1})


def test_it_fires_a_curl_from_a_pod_and_shows_the_answer_and_the_trace(page_url):
    apply_serving(page_url, *((LECTURE / n).read_text()
                              for n in ("rs-node-web.yaml", "svc-none-node-web.yaml")))

    async def steps(page):
        await page.wait_for_function(_RUNNING_WITH_ENDPOINTS, timeout=20_000)
        await page.click("button[data-tab=request]")
        pod = await page.evaluate(
            "window.clusterviz.cy.nodes('node.pod.running-ready[namespace = \"default\"]')"
            "[0].data('name')")
        await page.select_option("#source", f"pod|default|{pod}")
        await page.fill("#command", "curl -s http://svc-node")
        await page.click("#run")
        await page.wait_for_selector("#terminal .exit")
        terminal = await page.inner_text("#terminal")
        assert terminal.startswith("$ curl -s http://svc-node\nYou've hit rs-node-web-"), \
            "\n".join(await page.locator("#trace li").all_inner_texts())
        assert terminal.endswith("exit code 0")
        steps_text = await page.locator("#trace li").all_inner_texts()
        assert steps_text[0].startswith("Asked 10.96.0.10 for svc-node.default.svc.cluster.local")
        assert any("kube-proxy rules: default/svc-node:80 has 3 endpoint(s)" in s
                   for s in steps_text)
        assert await page.evaluate("document.querySelector('#trace').tagName") == "OL"
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "dashboard-request.png"))
    asyncio.run(_with_page(page_url, steps))


def test_a_second_browser_receives_the_same_deltas(page_url):
    async def both():
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                               args=CHROMIUM_ARGS)
            try:
                # two separate browser contexts: two viewers, nothing shared but the server
                pages = []
                for _ in range(2):
                    context = await browser.new_context(viewport=VIEWPORT, bypass_csp=True)
                    await context.add_cookies(teacher_cookies(page_url))
                    page = await context.new_page()
                    await page.goto(page_url)
                    await page.wait_for_function(
                        "window.clusterviz && window.clusterviz.state.seq > 0")
                    pages.append(page)
                first, second = pages
                await _upload(first, "rs-node-web.yaml", "svc-none-node-web.yaml")
                for page in pages:
                    await page.wait_for_function(_RUNNING_WITH_ENDPOINTS, timeout=20_000)
                pods = [await page.evaluate(
                    "window.clusterviz.cy.nodes('node.pod[namespace = \"default\"]')"
                    ".map(n => n.id()).sort()") for page in pages]
                assert pods[0] == pods[1] and len(pods[0]) == 3
                # the second viewer got deltas, not a reload: it never resynced
                assert await second.evaluate("window.clusterviz.state.resyncs") == 0
                assert await second.evaluate("window.clusterviz.state.messages") > 1
            finally:
                await browser.close()
    asyncio.run(both())


_POD_OUTSIDE_ITS_BOX = """() => {
  const cy = window.clusterviz.cy;
  const inside = (inner, outer) => inner.x1 >= outer.x1 && inner.x2 <= outer.x2 &&
                                   inner.y1 >= outer.y1 && inner.y2 <= outer.y2;
  return cy.nodes("node.pod").filter((pod) => {
    const box = cy.getElementById(pod.data("box"));
    return box.empty() || !inside(pod.boundingBox({includeLabels: false}),
                                  box.boundingBox({includeLabels: false}));
  }).map((pod) => pod.id());
}"""

_WAITING_POD = """apiVersion: v1
kind: Pod
metadata:
  name: waits-for-ssd
spec:
  nodeSelector:
    disk: ssd
  containers:
  - name: web
    image: whatwant/node-web:1.0
"""


def test_pods_are_drawn_in_their_nodes_box_as_it_grows_and_when_they_get_a_node(page_url):
    api = page_url.replace("/clusters/", "/k8s/clusters/")
    token = teacher_token(page_url)  # the API takes a bearer token, never the page cookie

    async def steps(page):
        await page.fill("#manifest", _WAITING_POD)
        await page.click("#apply")
        await page.wait_for_function("window.clusterviz.cy.getElementById("
                                     "'pod/default/waits-for-ssd').data('box') === 'unscheduled'")
        await _upload(page, "rs-node-web.yaml")
        await page.wait_for_function("window.clusterviz.cy.nodes('node.pod.running-ready"
                                     "[namespace = \"default\"]').length === 3", timeout=20_000)
        scaled = await page.evaluate(f"""fetch("{api}apis/apps/v1/namespaces/default/"""
                                     """replicasets/rs-node-web/scale", {method: "PATCH",
            headers: {"Content-Type": "application/merge-patch+json", "Authorization": AUTH},
            body: JSON.stringify({spec: {replicas: 9}})}).then((r) => r.status)""".replace(
            "AUTH", json.dumps(f"Bearer {token}")))
        assert scaled == 200
        await page.wait_for_function("window.clusterviz.cy.nodes('node.pod.running-ready"
                                     "[namespace = \"default\"]').length === 9", timeout=20_000)
        assert await page.evaluate(_POD_OUTSIDE_ITS_BOX) == []
        labelled = await page.evaluate(f"""fetch("{api}api/v1/nodes/worker1", {{method: "PATCH",
            headers: {{"Content-Type": "application/merge-patch+json",
                       "Authorization": "Bearer {token}"}},
            body: JSON.stringify({{metadata: {{labels: {{disk: "ssd"}}}}}})}}).then((r) => r.status)""")
        assert labelled == 200
        await page.wait_for_function("window.clusterviz.cy.getElementById("
                                     "'pod/default/waits-for-ssd').data('box') === 'node/worker1'",
                                     timeout=20_000)
        await page.wait_for_timeout(500)  # the fades are over
        assert await page.evaluate(_POD_OUTSIDE_ITS_BOX) == []
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "dashboard-boxes.png"))

    asyncio.run(_with_page(page_url, steps))


_COUNT_SOCKETS = """
window.graphSockets = [];
const PageSocket = window.WebSocket;
window.WebSocket = class extends PageSocket {
  constructor(url, ...rest) {
    super(url, ...rest);
    if (String(url).includes("/graph")) window.graphSockets.push(String(url));
  }
};
"""


def test_the_page_adopts_the_graph_feed_it_opened_before_its_scripts(page_url):
    async def run():
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                               args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page(viewport=VIEWPORT, bypass_csp=True)
                await page.context.add_cookies(teacher_cookies(page_url))
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                await page.add_init_script(_COUNT_SOCKETS)
                await page.goto(page_url)
                await page.wait_for_function("window.clusterviz && window.clusterviz.state.seq > 0")
                await page.wait_for_function("window.clusterviz.cy.nodes('node.k8s-node').length"
                                             " === 3")
                assert len(await page.evaluate("window.graphSockets")) == 1
                await page.select_option("#namespace", "kube-system")  # the same socket, refiltered
                await page.wait_for_function("window.clusterviz.cy.nodes("
                                             "'node.pod[namespace = \"kube-system\"]').length > 0")
                assert len(await page.evaluate("window.graphSockets")) == 1
                assert errors == []
            finally:
                await browser.close()
    asyncio.run(run())


_WATCH_BOXES_EACH_FRAME = """() => {
  window.outsideSeen = [];
  const outside = OUTSIDE;
  const frame = () => {
    window.outsideSeen.push(...outside());
    window.boxWatch = requestAnimationFrame(frame);
  };
  frame();
}""".replace("OUTSIDE", _POD_OUTSIDE_ITS_BOX)


def test_a_pod_fading_out_stays_in_its_box_until_it_is_gone(page_url):
    api = page_url.replace("/clusters/", "/k8s/clusters/")
    token = teacher_token(page_url)  # the API takes a bearer token, never the page cookie

    async def steps(page):
        await _upload(page, "rs-node-web.yaml")
        scale = f"""(replicas) => fetch("{api}apis/apps/v1/namespaces/default/replicasets/""" \
                """rs-node-web/scale", {method: "PATCH", body: JSON.stringify({spec: {replicas}}),
            headers: {"Content-Type": "application/merge-patch+json",
                      "Authorization": AUTH}}).then((r) => r.status)""".replace(
            "AUTH", json.dumps(f"Bearer {token}"))
        assert await page.evaluate(scale, 9) == 200
        pods = "window.clusterviz.cy.nodes('node.pod[namespace = \"default\"]').length"
        await page.wait_for_function(f"{pods} === 9", timeout=20_000)
        await page.wait_for_timeout(600)
        await page.evaluate(_WATCH_BOXES_EACH_FRAME)
        assert await page.evaluate(scale, 2) == 200
        await page.wait_for_function(f"{pods} === 2", timeout=60_000)
        await page.evaluate("cancelAnimationFrame(window.boxWatch)")
        assert await page.evaluate("window.outsideSeen") == []

    asyncio.run(_with_page(page_url, steps))
