"""A shell in a pod from the browser: xterm.js in Debian's Chromium (Playwright) against
daphne, the same interactive session `kubectl exec -it` gets. Saves artifacts/webshell.png."""

from __future__ import annotations

import asyncio

from tests.browser.test_dashboard import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    _with_page,
    playwright_api,
)
from tests.kubectl.kubectl_fixtures import (  # noqa: F401
    LECTURE,
    Kubectl,
    cache_dir,
    server,
    teacher_cookies,
)

SCREEN = """() => {
    const buffer = window.clustervizTerminal.buffer.active;
    const lines = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
    return lines.join("\\n").trimEnd();
}"""


def _pod(server, cache_dir, tmp_path, slug: str = "webshell") -> tuple[str, str]:  # noqa: F811
    server.manage("ensure_cluster", slug, "--speed", "10")
    server.manage("kubeconfig", slug, "-o", str(tmp_path / "kubeconfig"))
    kubectl = Kubectl(tmp_path / "kubeconfig", cache_dir, LECTURE)
    kubectl("create", "-f", "rs-node-web.yaml")
    out = kubectl.until(lambda text: text.count("Running") == 3, "get", "pods")
    return slug, out.splitlines()[1].split()[0]


def test_a_shell_in_the_browser(server, cache_dir, tmp_path):  # noqa: F811
    slug, pod = _pod(server, cache_dir, tmp_path)

    async def until_screen(page, predicate: str) -> str:
        await page.wait_for_function(f"(({SCREEN})()).{predicate}", timeout=20_000)
        return await page.evaluate(SCREEN)

    async def session(page):
        await page.goto(f"{server.url}/clusters/{slug}/pods/default/{pod}/shell")
        await until_screen(page, "endsWith('#')")
        await page.keyboard.type("echo hello")
        await page.keyboard.press("Enter")
        screen = await until_screen(page, "includes('hello\\n#')")
        assert screen.splitlines()[:3] == ["# echo hello", "hello", "#"]
        await page.keyboard.type("curl -s 10.1.2.3")
        await page.keyboard.press("Enter")
        await until_screen(page, "endsWith('curl -s 10.1.2.3')")
        await page.keyboard.press("Control+C")
        await until_screen(page, "endsWith('^C\\n#')")
        await page.keyboard.type("exit")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("body[data-ended=true]", timeout=20_000)
        screen = await page.evaluate(SCREEN)
        assert screen.endswith("# exit\ncommand terminated with exit code 130")
        assert await page.inner_text("#status") == "Session ended."
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "webshell.png"))

    async def main():
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                               args=CHROMIUM_ARGS)
            try:
                # until_screen's string predicate is polled with eval, which the page's CSP
                # refuses (test_cross_site checks the page under its CSP)
                page = await browser.new_page(viewport={"width": 1000, "height": 600},
                                              bypass_csp=True)
                await page.context.add_cookies(teacher_cookies(server.url))
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                await session(page)
                assert errors == []
            finally:
                await browser.close()
    asyncio.run(main())


def test_a_missing_pod_says_so(server):  # noqa: F811
    server.manage("ensure_cluster", "webshell-empty")

    async def main():
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                               args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page()
                await page.context.add_cookies(teacher_cookies(server.url))
                await page.goto(f"{server.url}/clusters/webshell-empty/pods/default/nope/shell")
                await page.wait_for_selector("body[data-ended=true]", timeout=20_000)
                assert await page.evaluate(SCREEN) == \
                    'Error from server (NotFound): pods "nope" not found'
            finally:
                await browser.close()
    asyncio.run(main())


def test_the_dashboard_opens_a_pods_shell_from_its_menu_and_from_exec_it(
        server, cache_dir, tmp_path):  # noqa: F811
    """The shell page is reached from the dashboard: the pod's menu (right-click) and
    `kubectl exec -it <pod> -- sh` typed in the Terminal tab both lead to it."""
    slug, pod = _pod(server, cache_dir, tmp_path, "webshell-links")
    shell_url = f"/clusters/{slug}/pods/default/{pod}/shell"

    async def steps(page):
        await page.wait_for_function(
            f"window.clusterviz.cy.getElementById('pod/default/{pod}').length === 1")
        spot = await page.evaluate(f"""() => {{
          const cy = window.clusterviz.cy, bb = cy.getElementById('pod/default/{pod}')
            .renderedBoundingBox({{includeLabels: false}}), at = cy.container().getBoundingClientRect();
          return {{x: at.left + (bb.x1 + bb.x2) / 2, y: at.top + (bb.y1 + bb.y2) / 2}}; }}""")
        await page.mouse.click(spot["x"], spot["y"], button="right")
        await page.wait_for_selector("#failure-menu:not([hidden])")
        assert await page.inner_text("#failure-menu [data-part=title]") == f"pod/{pod}"
        async with page.context.expect_page() as opened:
            await page.click("#failure-menu [data-part=shell]")
        shell = await opened.value
        await shell.wait_for_function(
            f"window.clustervizTerminal && (({SCREEN})()).endsWith('#')", timeout=20_000)
        assert shell.url.endswith(shell_url)
        await shell.keyboard.type("hostname")
        await shell.keyboard.press("Enter")
        await shell.wait_for_function(f"(({SCREEN})()).includes('{pod}\\n#')", timeout=20_000)
        await shell.close()
        await page.keyboard.press("Escape")
        await page.click("button[data-tab=terminal]")
        await page.fill("#kubectl-command", f"kubectl exec -it {pod} -- sh")
        await page.click("#kubectl-run")
        link = page.locator("#kubectl-output a.shell-link")
        await link.wait_for(timeout=10_000)
        assert await link.inner_text() == f"Open sh in {pod}"
        assert await link.get_attribute("href") == f"{shell_url}?command=sh"
        assert await page.is_enabled("#kubectl-run")  # nothing is left running
    asyncio.run(_with_page(f"{server.url}/clusters/{slug}/", steps))
