"""The drawer's tools in a real browser: Fire N's histogram, the Terminal tab's kubectl.

Same harness as test_dashboard.py (daphne started by the kubectl fixtures,
Debian's Chromium through Playwright's async API, a cluster per test).
"""

from __future__ import annotations

import asyncio

from tests.browser.test_dashboard import (  # noqa: F401
    _RUNNING_WITH_ENDPOINTS,
    ARTIFACTS,
    LECTURE,
    _hold_the_first_answer,
    _post,
    _with_page,
    _within,
    apply_serving,
    page_url,
)
from tests.kubectl.kubectl_fixtures import server  # noqa: F401

WORKER1_IP = "192.168.100.112"
CLIENT = "192.168.100.50"
# The lecture's NodePort Service with ClientIP affinity added: an outside client cannot
# reach a ClusterIP (no node answers ARP for it), so it comes in through a NodePort.
NODEPORT_CLIENTIP = (LECTURE / "svc-nodeport.yaml").read_text().replace(
    "  selector:", "  sessionAffinity: ClientIP\n  selector:")

_BARS = "Array.from(document.querySelectorAll('#fire-chart .bar'))" \
        ".map(b => [b.dataset.pod, Number(b.dataset.count)])"


def _apply(url: str, *texts: str) -> None:
    apply_serving(url, *texts)


async def _fire(page, source: str, command: str, count: int) -> dict[str, int]:
    await page.click("button[data-tab=request]")
    await page.select_option("#source", source)
    await page.fill("#command", command)
    await page.fill("#fire-count", str(count))
    await page.click("#fire")
    await page.wait_for_function(
        f"!window.clusterviz.fire.running && window.clusterviz.fire.done === {count}",
        timeout=60_000)
    return dict(await page.evaluate(_BARS))


async def _cluster_ip(page, service: str) -> str:
    return await page.evaluate(
        f"window.clusterviz.cy.getElementById('svc/default/{service}').data('clusterIP')")


def test_fire_n_under_client_ip_affinity_hits_one_pod_per_client(page_url):  # noqa: F811
    _apply(page_url, (LECTURE / "rs-node-web.yaml").read_text(),
           (LECTURE / "svc-clientip-node-web.yaml").read_text(), NODEPORT_CLIENTIP)

    async def steps(page):
        await page.wait_for_function(_RUNNING_WITH_ENDPOINTS, timeout=20_000)
        bars = await _fire(page, f"client||{CLIENT}",
                           f"curl -s http://{WORKER1_IP}:30123", 20)
        assert sorted(bars.values()) == [0, 0, 20], bars
        assert "sticks to" in await page.inner_text("#fire-prediction")
        # the lecture's own step: svc-clientip-node-web from one node, to its ClusterIP
        ip = await _cluster_ip(page, "svc-node")
        bars = await _fire(page, "node||worker1", f"curl -s http://{ip}", 20)
        assert sorted(bars.values()) == [0, 0, 20], bars
    asyncio.run(_with_page(page_url, steps))


def test_fire_n_without_affinity_spreads_over_the_three_pods(page_url):  # noqa: F811
    _apply(page_url, (LECTURE / "rs-node-web.yaml").read_text(),
           (LECTURE / "svc-none-node-web.yaml").read_text())

    async def steps(page):
        await page.wait_for_function(_RUNNING_WITH_ENDPOINTS, timeout=20_000)
        ip = await _cluster_ip(page, "svc-node")
        bars = await _fire(page, "node||worker1", f"curl -s http://{ip}", 300)
        assert len(bars) == 3 and sum(bars.values()) == 300, bars
        assert all(n >= 60 for n in bars.values()), bars  # 100 expected each
        assert await page.locator("#fire-chart .expected").count() == 3
        assert "33.3 % each" in await page.inner_text("#fire-prediction")
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "fire-n.png"))
    asyncio.run(_with_page(page_url, steps))


async def _kubectl(page, command: str) -> str:
    await page.click("button[data-tab=terminal]")
    await page.fill("#kubectl-command", command)
    await page.click("#kubectl-run")
    await page.wait_for_function(
        "document.querySelector('#kubectl-output .refused, #kubectl-output .exit')",
        timeout=30_000)
    return await page.inner_text("#kubectl-output")


def test_the_terminal_refuses_overrides_and_plugins_and_runs_get_pods(page_url):  # noqa: F811
    _apply(page_url, (LECTURE / "rs-node-web.yaml").read_text())

    async def steps(page):
        out = await _kubectl(page, "kubectl --kubeconfig=/etc/passwd get pods")
        assert out == ("$ kubectl --kubeconfig=/etc/passwd get pods\n"
                       "refused: --kubeconfig is not allowed here; this terminal always talks "
                       "to this cluster as the student and reads no files on the server\n")
        out = await _kubectl(page, "kubectl foo")
        assert out.startswith('$ kubectl foo\nrefused: "foo" is not a command this terminal '
                              "runs (no plugins or other commands here)")
        out = await _kubectl(page, "kubectl get pods")
        lines = out.splitlines()
        assert lines[0] == "$ kubectl get pods"
        assert lines[1].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        assert sum(line.startswith("rs-node-web-") for line in lines) == 3
        assert lines[-1] == "exit code 0"
        # history: the arrow key brings the last command back
        await page.fill("#kubectl-command", "")
        await page.press("#kubectl-command", "ArrowUp")
        assert await page.input_value("#kubectl-command") == "kubectl get pods"
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "dashboard-terminal.png"))
    asyncio.run(_with_page(page_url, steps))


def test_the_terminal_applies_pasted_text_and_streams_get_w_until_stopped(page_url):  # noqa: F811
    async def steps(page):
        await page.click("button[data-tab=terminal]")
        await page.fill("#kubectl-stdin", (LECTURE / "rs-node-web.yaml").read_text())
        out = await _kubectl(page, "kubectl apply -f -")
        assert [line for line in out.splitlines() if line] == [
            "$ kubectl apply -f -", "replicaset.apps/rs-node-web created", "exit code 0"]
        await page.fill("#kubectl-command", "kubectl get pods -w")
        await page.click("#kubectl-run")
        await page.wait_for_function(
            "document.querySelector('#kubectl-output').textContent.includes('rs-node-web-')",
            timeout=20_000)
        assert await page.is_enabled("#kubectl-stop")
        await page.press("#kubectl-command", "Control+c")
        # the stop's notice and the command's end are two messages (output, then exit): the
        # Run button comes back with the second
        await page.wait_for_selector("#kubectl-output .notice", timeout=10_000)
        await page.wait_for_selector("#kubectl-run:enabled", timeout=10_000)
        out = await page.inner_text("#kubectl-output")
        assert out.endswith("[stopped: kubectl was stopped]\n")
        assert not await page.is_enabled("#kubectl-stop")
    asyncio.run(_with_page(page_url, steps))


def _apply_the_lectures_pods(url: str) -> None:
    _apply(url, (LECTURE / "rs-node-web.yaml").read_text(),
           (LECTURE / "svc-none-node-web.yaml").read_text())


async def _first(page, selector: str) -> str:
    """The id of the first graph node that `selector` picks, once the pods serve."""
    await page.wait_for_function(_RUNNING_WITH_ENDPOINTS, timeout=20_000)
    return await page.evaluate(f"window.clusterviz.cy.nodes('{selector}')[0].id()")


async def _tap(page, element_id: str) -> None:
    # void: Playwright would serialize the collection emit() returns (the whole graph)
    await page.evaluate(f"void window.clusterviz.cy.getElementById('{element_id}').emit('tap')")


_POD = 'node.pod.running-ready[namespace = "default"]'


def test_clicking_a_pod_shows_its_yaml_and_events(page_url):  # noqa: F811
    _apply_the_lectures_pods(page_url)

    async def steps(page):
        pod = await _first(page, _POD)
        await _tap(page, pod)
        await page.wait_for_function(
            "document.querySelector('#inspect-yaml').textContent.startsWith('apiVersion: v1')")
        text = await page.inner_text("#inspect-yaml")
        assert "kind: Pod\n" in text and f"  name: {pod.split('/')[-1]}\n" in text
        events = await page.locator("#inspect-events li").all_inner_texts()
        assert any("Normal  Started" in e for e in events), events
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "dashboard-inspect.png"))
    asyncio.run(_with_page(page_url, steps))


def test_a_second_click_shows_its_object_though_the_first_answer_comes_back_last(page_url):  # noqa: F811
    _apply_the_lectures_pods(page_url)

    async def steps(page):
        # set first, long before the request it holds (see test_presenter's held restore)
        held, release = await _hold_the_first_answer(page, "/inspect?")  # the pod's YAML
        pod = await _first(page, _POD)
        service = await _first(page, 'node.service[namespace = "default"]')
        await _tap(page, pod)
        await _within(held.wait(), 20, "the pod's request",
                      lambda: page.inner_text("#inspect-yaml"))
        await _tap(page, service)
        await page.wait_for_function(
            "document.querySelector('#inspect-yaml').textContent.includes('kind: Service')")
        release.set()
        await page.evaluate("window.clusterviz.inspect.settled()")
        text = await page.inner_text("#inspect-yaml")
        assert "kind: Service\n" in text and "kind: Pod\n" not in text, text
    asyncio.run(_with_page(page_url, steps))


def test_the_clock_controls_pause_step_and_show_what_is_pending(page_url):  # noqa: F811
    async def steps(page):
        await page.click("#clock-pause")
        await page.wait_for_function("window.clusterviz.state.clock.speed === 0")
        assert await page.inner_text("#clock-pause") == "Resume"
        assert await page.inner_text("#speed") == "paused"
        await page.click("button[data-tab=upload]")
        await page.fill("#manifest", (LECTURE / "rs-node-web.yaml").read_text())
        await page.click("#apply")
        await page.wait_for_selector("#apply-results li.ok")
        await page.wait_for_function(
            "document.querySelector('#pending-summary').textContent !== 'nothing pending'",
            timeout=10_000)
        await page.click("#pending-summary")
        pending = await page.locator("#pending-list li").all_inner_texts()
        assert any("the kubelet acts on pod default/rs-node-web-" in p for p in pending), pending
        before = await page.evaluate("window.clusterviz.state.clock.elapsed")
        await page.click("#clock-step")
        await page.wait_for_function(
            f"window.clusterviz.state.clock.elapsed >= {before} + 0.999")
        await page.select_option("#clock-speed", "5")
        await page.click("#clock-pause")
        await page.wait_for_function("window.clusterviz.state.clock.speed === 5")
        assert await page.inner_text("#speed") == "×5"
    asyncio.run(_with_page(page_url, steps))
