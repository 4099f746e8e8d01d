"""The presenter screen in a real browser: Debian's Chromium driven by Playwright, against
daphne (the same server and pattern as test_dashboard.py). Steps through the lesson from
the keyboard, runs a step's request with Space, and saves artifacts/presenter.png."""

from __future__ import annotations

import asyncio
import itertools
import json
from urllib.parse import urljoin

import pytest

from tests.browser.test_dashboard import ARTIFACTS, _with_page, _within, playwright_api
from tests.kubectl.kubectl_fixtures import (  # noqa: F401
    LECTURE,
    TEACHER,
    Kubectl,
    WebUser,
    cache_dir,
    server,
)

PROJECTOR = {"width": 1920, "height": 1080}
_slugs = itertools.count(1)


@pytest.fixture
def presenter_url(server):  # noqa: F811
    slug = f"present-{next(_slugs)}"
    server.manage("ensure_cluster", slug)
    return f"{server.url}/clusters/{slug}/present?lesson=week4-services"


def _english(url: str) -> dict:
    """These tests read the presenter's English: the switch's cookie, as a visitor sets it
    (the lecture's lesson is Korean otherwise; test_i18n_pages.py reads the Korean)."""
    return {"name": "clusterviz_language", "value": "en", "url": urljoin(url, "/")}


async def _title(page) -> str:
    return await page.inner_text("#step-title")


def _clock(page, body: dict):
    return page.evaluate("""async (body) => {
        const url = location.pathname.replace(/present$/, "clock");
        const csrf = JSON.parse(document.getElementById("page-config").textContent).csrf;
        const answer = await fetch(url, {method: "POST", body: JSON.stringify(body),
                                         headers: {"Content-Type": "application/json",
                                                   "X-CSRFToken": csrf}});
        if (!answer.ok) throw new Error(await answer.text());
    }""", body)


def _on_presenter(url: str, steps, screenshot: str = "") -> None:
    """Run `steps(page)` on the presenter at `url`, reading English (test_dashboard's
    harness)."""
    asyncio.run(_with_page(url, steps, cookies=(_english(url),), viewport=PROJECTOR,
                           screenshot=screenshot))


async def _graph_seen(page) -> str:
    """What the graph showed when a wait gave up: every pod with its classes, every edge
    from a Service, the clock, and the feed's sequence number."""
    return await page.evaluate("""() => {
        const cy = window.clusterviz.cy;
        const pods = cy.nodes("node.pod").map((n) => `${n.id()} ${n.classes().join(" ")}`);
        const edges = cy.edges().filter((e) => e.data("source").startsWith("svc/"))
                        .map((e) => `${e.data("source")} -> ${e.data("target")} ${e.classes().join(" ")}`);
        const clock = document.getElementById("clock-state");
        return ["pods:", ...pods, "service edges:", ...edges,
                `clock: ${clock ? clock.outerHTML : "none"}`,
                `seq: ${window.clusterviz.state.seq} applied: ${window.clusterviz.view.applied}`].join("\\n");
    }""")


def test_the_presenter_steps_through_the_lesson_and_runs_a_request(presenter_url):
    async def steps(page):
        assert await _title(page) == "Job - 1/2, 2/2"
        # The test drives the cluster's clock itself: a pod without a readiness probe is Ready
        # 0.1 s before its server listens (a curl in that gap is refused, as on a real
        # cluster), so a request fired the moment the graph turns ready would race wall time.
        await page.keyboard.press("p")
        await page.wait_for_selector("#clock-state[data-paused=true]")
        for expected in ("Service", "Pod Network practice", "Create Service"):
            await page.keyboard.press("ArrowRight")
            assert await _title(page) == expected
        await page.keyboard.press("ArrowLeft")
        assert await _title(page) == "Pod Network practice"
        await page.keyboard.press("ArrowRight")
        # the clock moves only once the cluster is at step 4 (the page applies the steps in
        # the background, one turn per key press, and a turn may restore step 3 on the way;
        # stepped before, the pods would be made after it, on a paused clock)
        await page.evaluate("window.clusterviz.settled()")
        assert await page.evaluate("window.clusterviz.view.applied") == 4
        await _clock(page, {"action": "step", "seconds": 5})
        # step 4 applied steps 1-4 and 5 s went by: three ready pods behind svc-node, serving
        try:
            await page.wait_for_function("""() => {
                const cy = window.clusterviz.cy;
                return cy.nodes("node.pod.running-ready[namespace = 'default']")
                         .filter((n) => n.data('name').startsWith('rs-node-web')).length === 3 &&
                       cy.edges("edge.endpoint.ready[source = 'svc/default/svc-node']").length === 3;
            }""", timeout=30_000)
        except playwright_api.TimeoutError as timeout:
            raise AssertionError(await _graph_seen(page)) from timeout
        await page.keyboard.press("Space")
        await page.wait_for_selector("#request-output .exit")
        trace = await page.locator("#trace li").all_inner_texts()
        assert (await page.inner_text("#request-output")).startswith("You've hit rs-node-web-"), \
            "\n".join(trace)
        assert (await page.inner_text("#request-command")).startswith("$ curl -s http://10.")
        assert any("kube-proxy rules: default/svc-node:80 has 3 endpoint(s)" in t for t in trace)
        # the request's path plays on the graph too, and ends on the pod that answered
        await page.wait_for_function("window.clusterviz.state.path.done && "
                                     "window.clusterviz.state.path.outcome === 'answered'")
        answered = (await page.inner_text("#request-output")).split()[2]
        assert await page.evaluate("window.clusterviz.state.path.end") == f"pod/default/{answered}"
        assert await page.evaluate(f"window.clusterviz.cy.getElementById('pod/default/{answered}')"
                                   ".hasClass('path-end')")
        assert await page.locator("#trace li.path-done").count() == len(trace)
        sizes = await page.evaluate("""() => Object.fromEntries(
            ['step-title', 'step-explain', 'request-command', 'request-output', 'trace']
              .map((id) => [id, parseFloat(getComputedStyle(document.getElementById(id)).fontSize)]))""")
        assert sizes["step-title"] >= 32 and sizes["step-explain"] >= 24
        assert min(sizes["request-command"], sizes["request-output"], sizes["trace"]) >= 22
        await page.keyboard.press("p")
        await page.wait_for_selector("#clock-state[data-paused=false]")
        await page.keyboard.press("2")
        assert await page.inner_text("#client") == "outside client 2: 192.168.100.51"
        await page.wait_for_timeout(600)
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "presenter.png"))

    _on_presenter(presenter_url, steps)


def test_the_lessons_list_links_to_the_presenter(server):  # noqa: F811
    server.manage("ensure_cluster", "listed")
    teacher = WebUser(server).sign_in(TEACHER, server.teacher_password)
    status, _, html = teacher.request("GET", "/lessons/")
    assert status == 200
    assert 'href="/clusters/listed/present?lesson=week4-services"' in html
    assert "<li>readinessProbe</li>" in html



def test_observe_shows_once_the_cluster_shows_it_and_errors_stay_with_their_command(server):  # noqa: F811
    slug = f"present-{next(_slugs)}"
    server.manage("ensure_cluster", slug)
    job = (LECTURE / "job-parallel.yaml").read_text()
    teacher = WebUser(server).sign_in(TEACHER, server.teacher_password)
    assert teacher.request("POST", f"/clusters/{slug}/apply",
                           json_body={"text": job, "mode": "create"})[0] == 200

    async def steps(page):
        # the Job exists already: step 1's create is refused, and says so under its command
        await page.wait_for_selector("#step-apply li.error")
        assert await page.locator("#step-apply li").all_inner_texts() == [
            "$ kubectl create -f job-parallel.yaml",
            'Error from server (AlreadyExists): error when creating "job-parallel.yaml": '
            'jobs.batch "throw-dice-job" already exists']
        assert await page.inner_text("#request-output") == ""
        await page.keyboard.press("p")
        await page.wait_for_selector("#clock-state[data-paused=true]")
        for _ in range(2):
            await page.keyboard.press("ArrowRight")
        assert await _title(page) == "Pod Network practice"
        await page.wait_for_selector("#step-observe[data-holds=false]")
        await page.wait_for_function("document.querySelector('#step-observe').textContent"
                                     ".startsWith('Waiting for the cluster: 3 pod(s)')")
        await page.wait_for_function("window.clusterviz.view.applied >= 3")
        await _clock(page, {"action": "step", "seconds": 5})
        await page.wait_for_selector("#step-observe[data-holds=true]")
        assert await page.inner_text("#step-observe") == (
            "Observe: Pods only on the workers; the answer names the pod: You've hit <pod>.")

    _on_presenter(f"{server.url}/clusters/{slug}/present?lesson=week4-services", steps)


_SHOWN = """(prefix) => window.clusterviz.cy.nodes().filter((n) =>
    (n.data('name') || '').startsWith(prefix) && !n.hasClass('pod-fold')).length"""


def test_back_restores_the_cluster_to_the_step_and_forward_applies_again(
        server, cache_dir, tmp_path):  # noqa: F811
    slug = f"present-{next(_slugs)}"
    server.manage("ensure_cluster", slug)
    server.manage("kubeconfig", slug, "-o", str(tmp_path / "kubeconfig"))
    kubectl = Kubectl(tmp_path / "kubeconfig", cache_dir, LECTURE)

    def names(resource: str) -> list[str]:
        return kubectl("get", resource, "-o", "name").stdout.split()

    async def steps(page):
        await page.keyboard.press("p")  # nothing moves but the lesson: the test holds the clock
        await page.wait_for_selector("#clock-state[data-paused=true]")
        for _ in range(3):
            await page.keyboard.press("ArrowRight")
        await page.wait_for_function("() => window.clusterviz.view.applied === 4")
        await page.wait_for_function(f"() => ({_SHOWN})('svc-node') === 1")
        assert await page.evaluate(_SHOWN, "rs-node-web-") == 3
        assert "service/svc-node" in names("services")
        # back to step 3: its pods stay, step 4's Service is gone, from the graph and the API
        await page.keyboard.press("ArrowLeft")
        assert await _title(page) == "Pod Network practice"
        await page.wait_for_function("() => window.clusterviz.view.applied === 3")
        await page.wait_for_function(f"() => ({_SHOWN})('svc-node') === 0")
        assert await page.evaluate(_SHOWN, "rs-node-web-") == 3
        assert "service/svc-node" not in names("services")
        # back to step 2: the pods step 3 made are gone too; the Job of step 1 stays
        await page.keyboard.press("ArrowLeft")
        await page.wait_for_function("() => window.clusterviz.view.applied === 2")
        await page.wait_for_function(f"() => ({_SHOWN})('rs-node-web-') === 0")
        pods = names("pods")
        assert not any(p.startswith("pod/rs-node-web-") for p in pods), pods
        assert any(p.startswith("pod/throw-dice-job-") for p in pods), pods
        assert await page.inner_text("#applied") == ""
        # forward again: step 3 is applied anew
        await page.keyboard.press("ArrowRight")
        await page.wait_for_function("() => window.clusterviz.view.applied === 3")
        await page.wait_for_function(f"() => ({_SHOWN})('rs-node-web-') === 3")
        assert sum(p.startswith("pod/rs-node-web-") for p in names("pods")) == 3

    _on_presenter(f"{server.url}/clusters/{slug}/present?lesson=week4-services", steps)


def test_a_key_pressed_while_a_step_is_still_on_its_way_brings_the_cluster_to_it(
        server, cache_dir, tmp_path):  # noqa: F811
    """Back to step 3 and forward to 4 again while the restore to 3 is still answering: the
    page thought 4 applied (it was, before the restore) and used to skip the turn, leaving
    the cluster at step 3 under step 4's text, its Service missing."""
    slug = f"present-{next(_slugs)}"
    server.manage("ensure_cluster", slug)
    server.manage("kubeconfig", slug, "-o", str(tmp_path / "kubeconfig"))
    kubectl = Kubectl(tmp_path / "kubeconfig", cache_dir, LECTURE)

    async def steps(page):
        held, release, armed = asyncio.Event(), asyncio.Event(), asyncio.Event()
        asked: list[object] = []  # each goto's step, or what went wrong with it

        async def hold_the_restore(route):
            step = json.loads(route.request.post_data or "{}").get("step")
            asked.append(step)
            if not armed.is_set() or step != 3:
                await route.continue_()
                return
            try:
                answer = await route.fetch(timeout=60_000)  # the server restores step 3 now
            except playwright_api.Error as error:
                asked.append(f"the restore's fetch failed: {error}")
                raise
            held.set()
            await release.wait()
            await route.fulfill(response=answer)

        async def seen() -> str:
            view = await page.evaluate("JSON.stringify(window.clusterviz.view)")
            return (f"gotos asked: {asked}; the page's view: {view}; the server's log ends:\n"
                    f"{server.log_tail()}")

        # routed from the start and armed later: the route is in place long before the
        # request it holds (a restore once went by a route set just before it)
        await page.route("**/lesson/goto", hold_the_restore)
        await page.keyboard.press("p")
        await page.wait_for_selector("#clock-state[data-paused=true]")
        for _ in range(3):
            await page.keyboard.press("ArrowRight")
        await page.evaluate("window.clusterviz.settled()")
        assert await page.evaluate("window.clusterviz.view.applied") == 4
        armed.set()
        await page.keyboard.press("ArrowLeft")
        await _within(held.wait(), 60, "the restore of step 3", seen)
        await page.keyboard.press("ArrowRight")
        assert await _title(page) == "Create Service"
        release.set()
        await _within(page.evaluate("window.clusterviz.settled()"), 60, "the page's last turn",
                      seen)
        assert await page.evaluate("window.clusterviz.view.applied") == 4
        assert "service/svc-node" in kubectl("get", "services", "-o", "name").stdout.split()
        await page.wait_for_function(f"() => ({_SHOWN})('svc-node') === 1")

    _on_presenter(f"{server.url}/clusters/{slug}/present?lesson=week4-services", steps)


def test_the_node_failure_step_shows_notready_the_traffic_moving_and_the_eviction(server):  # noqa: F811
    slug = f"present-{next(_slugs)}"
    server.manage("ensure_cluster", slug)
    teacher = WebUser(server).sign_in(TEACHER, server.teacher_password)

    def post(path: str, body: dict) -> None:
        status, _, text = teacher.request("POST", f"/clusters/{slug}/{path}", json_body=body)
        assert status == 200, text
    for number in range(1, 18):  # the lecture's 17 steps, the clock run on between them
        post("lesson/goto", {"lesson": "week4-services", "step": number})
        post("clock", {"action": "step", "seconds": 10})
    post("clock", {"action": "pause"})

    async def space(page, expect: str) -> str:
        await page.keyboard.press("Space")
        await page.wait_for_function("() => document.querySelector('#request-output .exit')")
        out = await page.inner_text("#request-output")
        assert expect in out or expect in await page.inner_text("#trace"), out
        return out

    async def steps(page):
        await page.keyboard.press("ArrowRight")
        assert await _title(page) == "Node failure: worker2"
        await page.wait_for_function("() => window.clusterviz.view.applied === 18")
        await _clock(page, {"action": "step", "seconds": 10})  # the fresh pods serve
        before = await space(page, "20 × curl -s http://192.168.100.112:30123, answered by:")
        assert "worker1" in before and "worker2" in before
        await space(page, "systemd on worker2 stopped kubelet.service")
        await _clock(page, {"action": "step", "seconds": 45})  # past the 40 s grace period
        await page.wait_for_function(
            "() => window.clusterviz.cy.getElementById('node/worker2').hasClass('not-ready')")
        nodes = await space(page, "NotReady")
        assert any(line.split()[:2] == ["worker2", "NotReady"] for line in nodes.splitlines())
        after = await space(page, "answered by:")
        assert "worker1" in after and "worker2" not in after  # out of the Endpoints
        assert await page.get_attribute("#step-observe", "data-holds") == "false"
        await _clock(page, {"action": "step", "seconds": 320})  # tolerationSeconds run out
        await page.wait_for_selector("#step-observe[data-holds=true]", timeout=30_000)
        pods = await space(page, "Terminating")
        assert any("Terminating" in line and "worker2" in line for line in pods.splitlines())

    _on_presenter(f"{server.url}/clusters/{slug}/present?lesson=week4-services", steps,
                  "presenter-node-failure.png")
