"""A class in real browsers: the teacher and two students, each in a browser context of
their own (Chromium through Playwright, against daphne, as test_dashboard.py).

The teacher signs in and creates a class; two students join with its link; each applies
the lecture's first manifest on their own dashboard and sees only their own pods. A
student's attempts at the other's dashboard (404), graph socket (closed 4404) and API (401:
a session is not an API credential) fail; the teacher sees both; signing out works.
"""

from __future__ import annotations

import asyncio
import itertools

from tests.browser.test_dashboard import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, _upload, playwright_api
from tests.kubectl.kubectl_fixtures import TEACHER, server  # noqa: F401

_runs = itertools.count(1)
PASSWORD = "a long enough passphrase"
DEFAULT_PODS = "window.clusterviz.cy.nodes(\"node.pod[namespace = 'default']\").length"


async def _sign_in(page, base: str, name: str, password: str) -> None:
    await page.goto(base + "/")
    await page.fill("#id_signin_username", name)
    await page.fill("#id_signin_password", password)
    await page.click("form.signin button[type=submit]")
    await page.wait_for_selector("text=Signed in as " + name)


async def _new_class(page, name: str) -> str:
    await page.fill("#id_name", name)
    await page.click("text=Create the class")
    await page.wait_for_selector("#join-code")
    return await page.get_attribute("#join-url", "href")


async def _join(page, join_url: str, name: str) -> str:
    await page.goto(join_url)
    await page.fill("form.join #id_username", name)
    await page.fill("form.join #id_password", PASSWORD)
    await page.click("text=Join the class")
    card = page.locator("section.cluster")
    await card.wait_for()
    return await card.get_attribute("data-slug")


async def _dashboard(page, base: str, slug: str) -> None:
    await page.goto(f"{base}/clusters/{slug}/")
    await page.wait_for_function("window.clusterviz && window.clusterviz.state.seq > 0")


async def _socket_close_code(page, url: str) -> int:
    return await page.evaluate("""(url) => new Promise((resolve) => {
        const ws = new WebSocket(url);
        ws.onclose = (event) => resolve(event.code);
    })""", url)


def test_a_class_of_two_students(server):  # noqa: F811
    base, n = server.url, next(_runs)

    async def run():
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                               args=CHROMIUM_ARGS)
            try:
                # string predicates are polled with eval, which the pages' CSP refuses
                contexts = [await browser.new_context(viewport=VIEWPORT, bypass_csp=True)
                            for _ in range(3)]
                teacher, ann, ben = [await c.new_page() for c in contexts]
                await _sign_in(teacher, base, TEACHER, server.teacher_password)
                join_url = await _new_class(teacher, f"Services {n}")
                assert join_url.startswith(f"{base}/join?code=")
                slugs = [await _join(ann, join_url, f"ann-b{n}"),
                         await _join(ben, join_url, f"ben-b{n}")]
                for page, slug in zip((ann, ben), slugs, strict=True):
                    await _dashboard(page, base, slug)
                await _upload(ann, "rs-node-web.yaml")
                await ann.wait_for_function(f"{DEFAULT_PODS} === 3", timeout=20_000)
                # Ben's live graph (same seed, so the same names would come) stays empty
                await ben.evaluate("window.clusterviz.state.seq")
                assert await ben.evaluate(DEFAULT_PODS) == 0
                await _upload(ben, "rs-node-web.yaml", "svc-none-node-web.yaml")
                await ben.wait_for_function(f"{DEFAULT_PODS} === 3", timeout=20_000)
                service = "window.clusterviz.cy.getElementById('svc/default/svc-node').length"
                await ben.wait_for_function(f"{service} === 1")
                assert await ann.evaluate(service) == 0

                # Ann at Ben's doors
                response = await ann.goto(f"{base}/clusters/{slugs[1]}/")
                assert response.status == 404
                ws = base.replace("http://", "ws://")
                assert await _socket_close_code(ann, f"{ws}/ws/clusters/{slugs[1]}/graph") == 4404
                api = await ann.evaluate("""(url) => fetch(url).then((r) => r.status)""",
                                         f"{base}/k8s/clusters/{slugs[1]}/api/v1/pods")
                assert api == 401
                own_api = await ann.evaluate("""(url) => fetch(url).then((r) => r.status)""",
                                             f"{base}/k8s/clusters/{slugs[0]}/api/v1/pods")
                assert own_api == 401  # the API takes tokens, never the page's cookie

                # the teacher sees both students and both clusters
                await teacher.reload()
                rows = await teacher.locator("#students tbody tr").all()
                assert sorted([await r.get_attribute("data-slug") for r in rows]) == \
                    sorted(slugs)
                for slug in slugs:
                    await _dashboard(teacher, base, slug)
                    await teacher.wait_for_function(f"{DEFAULT_PODS} === 3", timeout=20_000)

                # signing out: back to the landing page, the dashboard asks to sign in
                await ann.goto(base + "/")
                await ann.click("text=Sign out")
                await ann.wait_for_selector("form.join")
                await ann.goto(f"{base}/clusters/{slugs[0]}/")
                assert ann.url.startswith(f"{base}/signin?next=")
            finally:
                await browser.close()
    asyncio.run(run())
