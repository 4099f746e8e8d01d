"""A request's path on the graph, and hover highlighting, in a real browser (the same
daphne server and Chromium as test_dashboard.py). Saves artifacts/dashboard-path.png,
dashboard-path-refused.png and dashboard-hover.png."""

from __future__ import annotations

import asyncio

from tests.browser.test_dashboard import (  # noqa: F401
    _RUNNING_WITH_ENDPOINTS,
    ARTIFACTS,
    _post,
    _with_page,
    apply_serving,
    page_url,
)
from tests.kubectl.kubectl_fixtures import LECTURE, server  # noqa: F401

_PATH_DONE = "() => window.clusterviz.state.path.done && window.clusterviz.state.path.end !== null"


def _lecture(url: str) -> None:
    apply_serving(url, *((LECTURE / n).read_text()
                         for n in ("rs-node-web.yaml", "svc-none-node-web.yaml")))


async def _run(page, source: str, command: str) -> None:
    await page.click("button[data-tab=request]")
    await page.select_option("#source", source)
    await page.fill("#command", command)
    await page.click("#run")


async def _classes(page, id_: str) -> list[str]:
    return await page.evaluate(f"window.clusterviz.cy.getElementById({id_!r}).classes()")


def test_a_curl_plays_its_path_on_the_graph_in_step_with_the_trace(page_url):  # noqa: F811
    _lecture(page_url)

    async def steps(page):
        await page.wait_for_function(_RUNNING_WITH_ENDPOINTS, timeout=20_000)
        pod = await page.evaluate(
            "window.clusterviz.cy.nodes('node.pod.running-ready[namespace = \"default\"]')"
            "[0].data('name')")
        await _run(page, f"pod|default|{pod}", "curl -s http://svc-node")
        # while it plays, the line being played and the graph's current step go together
        await page.wait_for_selector("#trace li.path-now")
        playing = await page.evaluate("""() => ({
            lines: document.querySelectorAll('#trace li.path-now').length,
            graph: window.clusterviz.cy.elements('.path-now').length})""")
        assert playing == {"lines": 1, "graph": playing["graph"]} and playing["graph"] >= 1
        await page.wait_for_function(_PATH_DONE, timeout=20_000)
        answered = (await page.inner_text("#terminal")).split("You've hit ")[1].split()[0]
        end = f"pod/default/{answered}"
        assert await page.evaluate("window.clusterviz.state.path") == {
            "run": await page.evaluate("window.clusterviz.state.path.run"), "done": True,
            "outcome": "answered", "end": end}
        assert {"path", "path-end"} <= set(await _classes(page, end))
        assert "path" in await _classes(page, "svc/default/svc-node")
        assert "path" in await _classes(page, f"ep/default/svc-node/{answered}")
        assert "path-source" in await _classes(page, f"pod/default/{pod}")
        assert "path-decide" in await _classes(page, "node/" + await page.evaluate(
            f"window.clusterviz.cy.getElementById('pod/default/{pod}').data('node')"))
        lines = await page.evaluate("""() => [...document.querySelectorAll('#trace li')]
            .map((li) => li.className)""")
        assert lines and all("path-done" in c and "path-now" not in c for c in lines)
        assert await page.evaluate(
            "window.clusterviz.cy.getElementById('path:marker').data('label')") == "✔ answered"
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "dashboard-path.png"))
        # a click on the background clears it
        box = await page.locator("#graph").bounding_box()
        await page.mouse.click(box["x"] + box["width"] - 15, box["y"] + box["height"] - 15)
        await page.wait_for_function("window.clusterviz.cy.elements('.path').length === 0")
        assert await page.locator("#trace li.path-done").count() == 0
    asyncio.run(_with_page(page_url, steps))


def test_a_refused_connection_is_marked_where_it_was_refused(page_url):  # noqa: F811
    _lecture(page_url)

    async def steps(page):
        await page.wait_for_function(_RUNNING_WITH_ENDPOINTS, timeout=20_000)
        pods = await page.evaluate(
            "window.clusterviz.cy.nodes('node.pod.running-ready[namespace = \"default\"]')"
            ".map((n) => [n.data('name'), n.data('ip')])")
        (source, _), (target, ip) = pods[0], pods[1]
        await _run(page, f"pod|default|{source}", f"curl -s http://{ip}:9999")
        await page.wait_for_function(_PATH_DONE, timeout=20_000)
        assert await page.evaluate("window.clusterviz.state.path.outcome") == "reject"
        assert {"path-end", "path-fail", "path-reject"} <= set(
            await _classes(page, f"pod/default/{target}"))
        assert await page.locator("#trace li.path-fail").count() == 2
        marker = await page.evaluate("""() => {
            const m = window.clusterviz.cy.getElementById('path:marker');
            return [m.data('label'), m.hasClass('fail-reject')]; }""")
        assert marker == ["✖ refused", True]
        assert await page.evaluate("window.clusterviz.cy.edges('.path-hop').length") == 1
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "dashboard-path-refused.png"))
    asyncio.run(_with_page(page_url, steps))


_SPOT = """(id) => {
  const el = window.clusterviz.cy.getElementById(id);
  const box = window.clusterviz.cy.container().getBoundingClientRect();
  const p = el.renderedPosition();
  return {x: box.left + p.x, y: box.top + p.y};
}"""


def test_hovering_a_service_lights_its_endpoints_and_dims_the_rest(page_url):  # noqa: F811
    _lecture(page_url)

    async def steps(page):
        await page.wait_for_function(_RUNNING_WITH_ENDPOINTS, timeout=20_000)
        await page.wait_for_timeout(600)  # fade-ins and the camera settle
        spot = await page.evaluate(_SPOT, "svc/default/svc-node")
        await page.mouse.move(spot["x"], spot["y"])
        await page.wait_for_function("window.clusterviz.cy.elements('.dim').length > 0")
        lit = await page.evaluate("""() => {
            const cy = window.clusterviz.cy;
            const pods = cy.nodes("node.pod[namespace = 'default']");
            return {pods: pods.filter((n) => n.hasClass('hover-focus')).length,
                    edges: cy.edges("edge.endpoint.hover-focus").length,
                    target: cy.getElementById('svc/default/svc-node').hasClass('hover-target'),
                    dimmedPods: pods.filter((n) => n.hasClass('dim')).length,
                    outsideDimmed: cy.nodes('node.outside').every((n) => n.hasClass('dim'))};
            }""")
        assert lit == {"pods": 3, "edges": 3, "target": True, "dimmedPods": 0,
                       "outsideDimmed": True}
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "dashboard-hover.png"))
        # a pod: its Service and its ReplicaSet
        pod = await page.evaluate(
            "window.clusterviz.cy.nodes('node.pod[namespace = \"default\"]')[0].id()")
        spot = await page.evaluate(_SPOT, pod)
        await page.mouse.move(spot["x"], spot["y"])
        await page.wait_for_function(
            f"window.clusterviz.cy.getElementById({pod!r}).hasClass('hover-target')")
        near = await page.evaluate("""() => window.clusterviz.cy.nodes('.hover-focus')
            .filter((n) => !n.hasClass('hover-target')).map((n) => n.id()).sort()""")
        assert near == ["rs/default/rs-node-web", "svc/default/svc-node"]
        # leaving restores everything
        box = await page.locator("#graph").bounding_box()
        await page.mouse.move(box["x"] + box["width"] - 10, box["y"] + box["height"] - 10)
        await page.wait_for_function(
            "window.clusterviz.cy.elements('.dim, .hover-focus, .hover-target').length === 0")
    asyncio.run(_with_page(page_url, steps))
