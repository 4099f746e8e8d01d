"""The Upload tab's preview in a real browser (Chromium through Playwright, against daphne).

Paste the lecture's ReplicaSet and Service, preview: kubectl's dry-run lines and the
Service selecting the ReplicaSet's three pods, while the graph shows no new pod; then
Apply and watch them come. Problems are highlighted, and what the server sends back
(here an error quoting a hostile kind) is shown as text, never run as HTML.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tests.browser.test_dashboard import _RUNNING_WITH_ENDPOINTS, ARTIFACTS, _with_page
from tests.kubectl.kubectl_fixtures import LECTURE, server  # noqa: F401

_slugs = itertools.count(1)
DEFAULT_PODS = "window.clusterviz.cy.nodes('node.pod[namespace = \"default\"]').length"


@pytest.fixture
def preview_url(server):  # noqa: F811
    slug = f"preview-{next(_slugs)}"
    server.manage("ensure_cluster", slug)
    return f"{server.url}/clusters/{slug}/"


def _text(*names: str) -> str:
    return "\n---\n".join((LECTURE / n).read_text() for n in names)


def test_a_preview_shows_the_dry_run_and_the_wiring_then_apply_does_it(preview_url):
    async def steps(page):
        await page.fill("#manifest", _text("rs-node-web.yaml", "svc-none-node-web.yaml"))
        await page.click("#preview")
        await page.wait_for_selector("#preview-results li.ok >> nth=1")
        assert await page.locator("#preview-results li").all_inner_texts() == [
            "replicaset.apps/rs-node-web created (server dry run)",
            "service/svc-node created (server dry run)"]
        section = page.locator("#preview-wiring .wire-section[data-name='svc-node']")
        lines = await section.locator("li").all_inner_texts()
        assert lines[0] == ("selector app=node-web selects 3 pods: the 3 pods replicaset "
                            "rs-node-web will create")
        assert lines[1].startswith("port 80/TCP -> targetPort 8080 -> containerPort 8080")
        assert await page.inner_text("#preview-problems") == "Everything in this upload connects."
        assert await page.evaluate(DEFAULT_PODS) == 0  # a preview creates nothing
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "dashboard-preview.png"))
        await page.click("#apply")
        await page.wait_for_selector("#apply-results li.ok >> nth=1")
        assert await page.locator("#apply-results li").all_inner_texts() == [
            "replicaset.apps/rs-node-web created", "service/svc-node created"]
        await page.wait_for_function(_RUNNING_WITH_ENDPOINTS, timeout=20_000)
    asyncio.run(_with_page(preview_url, steps))


HOSTILE = '<img src=x onerror="window.pwned=1">'


def test_problems_are_highlighted_and_server_text_is_shown_as_text(preview_url):
    async def steps(page):
        text = _text("rs-node-web.yaml", "svc-clientip-node-web-ports-name.yaml")
        await page.fill("#manifest", f"{text}\n---\napiVersion: v1\nkind: '{HOSTILE}'\n"
                                     "metadata: {name: x}\n")
        await page.wait_for_selector("#preview-problems li.problem")  # previewed as typed
        assert await page.locator("#preview-problems li.problem").all_inner_texts() == [
            "service/svc-node: port 80/TCP -> targetPort node-http: no selected pod defines a "
            "port named node-http (the 3 pods replicaset rs-node-web will create), so port 80 "
            "has no endpoints"]
        assert await page.inner_text("#preview-results li.error") == (
            f'Error from server (NotFound): error when applying "STDIN": no matches for kind '
            f'"{HOSTILE}" in version "v1"')
        assert await page.locator("#preview-panel img").count() == 0
        assert await page.evaluate("window.pwned") is None
    asyncio.run(_with_page(preview_url, steps))
