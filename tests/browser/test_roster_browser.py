"""The teacher's room in real browsers: the roster, following a student, resetting one.

The teacher signs in, creates a class, and keeps its page open; two students join and
use the real kubectl with their own kubeconfigs (as in class). Without a reload, the
roster's cards change: Ann's `kubectl apply` shows her three pods and the apply as her
last command, Ben's failing `kubectl get` shows its 404. The teacher follows Ann: her
graph, read-only (no Upload, Request or Terminal tab; the follow socket refuses a
command), while Ann's page says her teacher is viewing. Resetting Ann's cluster from the
class page empties it and leaves Ben's pods where they were.
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess

from tests.browser.test_classroom_browser import (
    DEFAULT_PODS,
    _dashboard,
    _join,
    _new_class,
    _sign_in,
)
from tests.browser.test_dashboard import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, playwright_api
from tests.kubectl.kubectl_fixtures import KUBECTL, LECTURE, TEACHER, server  # noqa: F401

_runs = itertools.count(1)
CARD = "#roster article.roster-card[data-slug='{slug}']"


def _kubectl(server, tmp_path, slug: str, user: str, *args: str) -> subprocess.CompletedProcess:  # noqa: F811
    config = tmp_path / f"kubeconfig-{slug}"
    if not config.exists():
        server.manage("kubeconfig", slug, "--user", user, "-o", str(config))
    return subprocess.run([str(KUBECTL), "--kubeconfig", str(config), "--cache-dir",
                           str(tmp_path / "cache"), *args], capture_output=True, text=True,
                          timeout=60)


async def _card_shows(page, slug: str, pods: int, last: str) -> None:
    await page.wait_for_function("""([selector, pods, last]) => {
        const card = document.querySelector(selector);
        if (!card) return false;
        const counts = [...card.querySelectorAll(".counts b")].map((b) => Number(b.textContent));
        const text = card.querySelector(".last code");
        return counts.reduce((a, b) => a + b, 0) === pods && text && text.textContent === last;
    }""", arg=[CARD.format(slug=slug), pods, last], timeout=20_000)


def test_the_roster_follow_and_reset(server, tmp_path):  # noqa: F811
    base, n = server.url, next(_runs)
    ann_name, ben_name = f"ann-r{n}", f"ben-r{n}"

    async def run():
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                               args=CHROMIUM_ARGS)
            try:
                contexts = [await browser.new_context(viewport=VIEWPORT, bypass_csp=True)
                            for _ in range(3)]
                teacher, ann, ben = [await c.new_page() for c in contexts]
                await _sign_in(teacher, base, TEACHER, server.teacher_password)
                join_url = await _new_class(teacher, f"Room {n}")
                a = await _join(ann, join_url, ann_name)
                b = await _join(ben, join_url, ben_name)
                class_page = teacher.url
                await teacher.goto(class_page)
                for slug in (a, b):
                    await teacher.wait_for_selector(CARD.format(slug=slug))
                await teacher.evaluate("window.__notReloaded = true")

                # the students at work, through the API with the real kubectl
                done = await asyncio.to_thread(_kubectl, server, tmp_path, a, ann_name,
                                               "apply", "-f", str(LECTURE / "rs-node-web.yaml"))
                assert done.returncode == 0, done.stderr
                await _card_shows(teacher, a, 3,
                                  "kubectl apply: create replicasets.apps/rs-node-web")
                card = teacher.locator(CARD.format(slug=a))
                assert [await card.locator(f".counts .{key}").inner_text() for key in
                        ("running", "pending", "error", "imagepull")] == \
                    [f"{n} {word}" for n, word in zip(
                        await card.locator(".counts b").all_text_contents(),
                        ("Running", "Pending", "Error", "ImagePullBackOff"), strict=True)]
                assert await card.locator(".presence").inner_text() == "online"  # her apply
                assert await card.locator("a.follow").inner_text() == "Follow"
                done = await asyncio.to_thread(_kubectl, server, tmp_path, b, ben_name,
                                               "get", "pod", "nope")
                assert done.returncode == 1
                assert done.stderr == 'Error from server (NotFound): pods "nope" not found\n'
                await _card_shows(teacher, b, 0, "kubectl get: get pods/nope")
                assert await teacher.locator(
                    CARD.format(slug=b) + " .last .status-code").text_content() == "404"
                assert await teacher.evaluate("window.__notReloaded") is True

                # following Ann: her graph, read-only; her page says so
                await _dashboard(ann, base, a)
                href = await teacher.get_attribute(CARD.format(slug=a) + " a.follow", "href")
                assert href == f"/clusters/{a}/follow"
                follow = await contexts[0].new_page()
                await follow.goto(base + href)
                await follow.wait_for_function(f"() => {DEFAULT_PODS} === 3", timeout=20_000)
                tabs = await follow.locator(".tabs button[role=tab]").all_text_contents()
                assert tabs == ["Inspect", "History"]
                await follow.locator("#history-list li code",
                                     has_text="kubectl apply: create replicasets.apps/rs-node-web"
                                     ).wait_for()
                await ann.locator("#teacher-badge").wait_for(state="visible")
                ws = base.replace("http://", "ws://")
                refused = await follow.evaluate("""(url) => new Promise((resolve) => {
                    const socket = new WebSocket(url);
                    socket.onmessage = (event) => {
                        const message = JSON.parse(event.data);
                        if (message.type === "snapshot")
                            socket.send(JSON.stringify({type: "run", command: "kubectl delete rs --all"}));
                        if (message.type === "refused") resolve(message.message);
                    };
                })""", f"{ws}/ws/clusters/{a}/follow")
                assert refused == "You are following this student read-only: nothing was changed."
                done = await asyncio.to_thread(_kubectl, server, tmp_path, a, ann_name,
                                               "get", "rs", "-o", "name")
                assert done.stdout == "replicaset.apps/rs-node-web\n"
                await follow.close()
                await ann.locator("#teacher-badge").wait_for(state="hidden")

                # Ben's pods too, then the teacher resets Ann's cluster alone
                done = await asyncio.to_thread(_kubectl, server, tmp_path, b, ben_name,
                                               "apply", "-f", str(LECTURE / "rs-node-web.yaml"))
                assert done.returncode == 0, done.stderr
                await _card_shows(teacher, b, 3,
                                  "kubectl apply: create replicasets.apps/rs-node-web")
                await _dashboard(ben, base, b)
                await ben.wait_for_function(f"() => {DEFAULT_PODS} === 3", timeout=20_000)
                await teacher.click(f"#students tr[data-slug='{a}'] button:has-text('Reset')")
                await teacher.wait_for_url(class_page)
                await ann.wait_for_function(f"() => {DEFAULT_PODS} === 0", timeout=20_000)
                done = await asyncio.to_thread(_kubectl, server, tmp_path, a, ann_name,
                                               "get", "pods", "-o", "name")
                assert done.stdout == ""
                assert await ben.evaluate(DEFAULT_PODS) == 3
                done = await asyncio.to_thread(_kubectl, server, tmp_path, b, ben_name,
                                               "get", "rs", "-o", "name")
                assert done.stdout == "replicaset.apps/rs-node-web\n"
            finally:
                await browser.close()
    asyncio.run(run())
