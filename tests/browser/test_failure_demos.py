"""Failure demos from the graph in a real browser: a node's menu stops its kubelet, the
node counts down to NotReady and to its pods' eviction, and at a raised clock speed the
pods move to the other node (clusterviz/operations/failures.py, static/dashboard/failmenu.js)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tests.browser.test_dashboard import _post, _with_page
from tests.kubectl.kubectl_fixtures import LECTURE, server  # noqa: F401

_slugs = itertools.count(1)
WEB_ON = ("window.clusterviz.cy.nodes(\"node.pod.running-ready[namespace = 'default']\")"
          ".filter(n => n.data('node') === '{node}').map(n => n.data('name'))")


@pytest.fixture
def fast_url(server):  # noqa: F811
    slug = f"failures-{next(_slugs)}"
    server.manage("ensure_cluster", slug, "--speed", "20")
    return f"{server.url}/clusters/{slug}/"


def test_stop_a_node_and_watch_its_pods_move_after_the_countdown(fast_url):
    assert _post(fast_url + "apply", {"text": (LECTURE / "rs-node-web.yaml").read_text()})[
        "results"][0]["ok"]

    async def steps(page):
        running = "window.clusterviz.cy.nodes(\"node.pod.running-ready[namespace = 'default']\")"
        await page.wait_for_function(f"{running}.length === 3", timeout=20_000)
        doomed = await page.evaluate(WEB_ON.format(node="worker2"))
        assert doomed, "the scheduler put no node-web pod on worker2"
        box = await page.evaluate("""() => {
          const cy = window.clusterviz.cy, bb = cy.getElementById('node/worker2')
            .renderedBoundingBox({includeLabels: false}), at = cy.container().getBoundingClientRect();
          return {x: at.left + bb.x1 + 12, y: at.top + bb.y1 + 6}; }""")
        await page.mouse.click(box["x"], box["y"], button="right")
        await page.wait_for_selector("#failure-menu:not([hidden])")
        assert await page.inner_text("#failure-menu [data-part=title]") == "node/worker2"
        await page.click("#failure-menu [data-action=stop-kubelet]")
        await page.wait_for_selector("#failure-menu [data-part=result][data-state=ok]")
        label = page.locator(".countdown[data-node=worker2]")
        await label.wait_for(timeout=10_000)
        assert (await label.inner_text()).startswith("NotReady in ")
        await page.wait_for_function(
            "document.querySelector('.countdown[data-node=worker2]')?.textContent"
            ".startsWith('pods evicted in ')", timeout=20_000)
        # 300 s of toleration at x20: the pods leave worker2 and run elsewhere
        await page.wait_for_function(
            f"{WEB_ON.format(node='worker2')}.length === 0 && {running}.length === 3",
            timeout=45_000)
        survivors = await page.evaluate(f"{running}.map(n => n.data('name'))")
        assert not set(doomed) & set(survivors)
    asyncio.run(_with_page(fast_url, steps))
