"""The lesson in a class, in real browsers (Chromium through Playwright, against daphne):
the student's Lesson tab on their dashboard (run a step's command in the Terminal tab, check
their cluster), the teacher's push moving two students' tabs live, and the spotlight showing
one student's graph on the presenter. The clusters' clocks are paused and stepped by the
tests, never waited for."""

from __future__ import annotations

import asyncio
import itertools
import json

from tests.browser.test_dashboard import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, playwright_api
from tests.kubectl.kubectl_fixtures import LECTURE, TEACHER, WebUser, server  # noqa: F401

PASSWORD = "a long enough passphrase"
LESSON = "week4-services"
_runs = itertools.count(1)


def _class(server) -> tuple[WebUser, int, str]:  # noqa: F811
    """The signed-in teacher, a new class's pk and its join code."""
    teacher = WebUser(server).sign_in(TEACHER, server.teacher_password)
    status, headers, _ = teacher.request("POST", "/classes/new", {
        "name": f"lesson {next(_runs)}", "preset": "lecture", "pod_quota": 500,
        "object_quota": 2000})
    assert status == 302
    pk = int(headers["Location"].strip("/").split("/")[-1])
    _, _, page = teacher.request("GET", headers["Location"])
    return teacher, pk, page.split('id="join-code">')[1].split("<")[0]


def _student(server, code: str, name: str) -> tuple[WebUser, str]:  # noqa: F811
    student = WebUser(server)
    return student, student.join(code, name, PASSWORD)


def _post(user: WebUser, path: str, body: dict) -> dict:
    status, _, text = user.request("POST", path, json_body=body)
    assert status == 200, text
    return json.loads(text)


def _cookies(user: WebUser) -> list[dict]:
    return [{"name": c.name, "value": c.value, "url": user.server.url} for c in user.jar
            if c.name == "sessionid"] + [
        {"name": "clusterviz_language", "value": "en", "url": user.server.url}]


async def _page(browser, user: WebUser, url: str):
    # string predicates are polled with eval, which the pages' CSP refuses (test_dashboard)
    context = await browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    await context.add_cookies(_cookies(user))
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(url)
    await page.wait_for_function("() => window.clusterviz && window.clusterviz.state.seq > 0")
    return page, errors


async def _lesson_tab(page) -> None:
    await page.click(".tabs button[data-tab=lesson]")
    await page.wait_for_selector("#lesson-steps li.lesson-step")


def _with_browser(scenario) -> None:
    async def main():
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                               args=CHROMIUM_ARGS)
            try:
                await scenario(browser)
            finally:
                await browser.close()
    asyncio.run(main())


def test_a_student_runs_a_steps_command_from_the_lesson_tab_and_checks_their_cluster(
        server):  # noqa: F811
    _, _, code = _class(server)
    ann, slug = _student(server, code, f"ann-l{next(_runs)}")
    _post(ann, f"/clusters/{slug}/clock", {"action": "pause"})

    async def scenario(browser):
        page, errors = await _page(browser, ann, f"{server.url}/clusters/{slug}/")
        await _lesson_tab(page)
        assert await page.locator("#lesson-steps li.lesson-step").count() == 18
        assert await page.inner_text("#lesson-where") == "Pick a step to begin."
        step3 = page.locator("#lesson-steps li[data-step='3']")
        await step3.locator(".step-head").click()
        await page.wait_for_selector("#lesson-steps li.current[data-step='3']")
        assert await page.inner_text("#lesson-where") == "Step 3 of 18"
        await step3.locator(".check").click()
        result = step3.locator(".check-result")
        await result.locator("li").first.wait_for()
        await page.wait_for_function("() => document.querySelector("
                                     "\"li[data-step='3'] .check-result\").dataset.holds")
        assert await result.get_attribute("data-holds") == "false"
        assert (await result.locator("li").all_inner_texts())[1] == \
            "3 pod(s) with app=node-web Running and Ready (now 0)"
        # Run types the manifest into the Terminal tab (as -f -, the file on stdin) and runs it
        await step3.locator("li.command", has_text="rs-node-web.yaml").locator(".run").click()
        assert await page.input_value("#kubectl-command") == "kubectl create -f -"
        await page.wait_for_function("() => document.getElementById('kubectl-output')"
                                     ".textContent.includes('exit code')", timeout=30_000)
        assert "replicaset.apps/rs-node-web created" in await page.inner_text("#kubectl-output")
        _post(ann, f"/clusters/{slug}/clock", {"action": "step", "seconds": 10})
        await _lesson_tab(page)
        await step3.locator(".check").click()
        await page.wait_for_function("() => document.querySelector("
                                     "\"li[data-step='3'] .check-result\").dataset.holds "
                                     "=== 'true'")
        assert (await result.locator("li").all_inner_texts())[0] == "Your cluster shows it."
        assert errors == []
    _with_browser(scenario)
    # the step is stored where a roster reads it (lessons.progress.step_of)
    status, _, text = ann.request("GET", f"/clusters/{slug}/lesson/data")
    assert status == 200 and json.loads(text)["step"] == 3


def test_the_teacher_pushes_a_step_to_two_students_and_spotlights_one(server):  # noqa: F811
    teacher, pk, code = _class(server)
    ann_name = f"ann-p{next(_runs)}"
    students = [_student(server, code, name) for name in (ann_name, f"ben-p{next(_runs)}")]
    (ann, ann_slug), _ = students
    _post(ann, f"/clusters/{ann_slug}/apply",
          {"text": (LECTURE / "rs-node-web.yaml").read_text(), "mode": "create"})
    mine = f"push-{next(_runs)}"
    server.manage("ensure_cluster", mine)

    async def scenario(browser):
        tabs = []
        for user, slug in students:
            page, _ = await _page(browser, user, f"{server.url}/clusters/{slug}/")
            await _lesson_tab(page)
            tabs.append(page)
        presenter, errors = await _page(
            browser, teacher, f"{server.url}/clusters/{mine}/present?lesson={LESSON}&class={pk}")
        await presenter.keyboard.press("p")
        await presenter.wait_for_selector("#clock-state[data-paused=true]")
        for _ in range(3):
            await presenter.keyboard.press("ArrowRight")
        await presenter.keyboard.press("s")
        await presenter.wait_for_selector("#push-state[data-step='4']")
        assert await presenter.inner_text("#push-state") == "step 4 sent to 2 students"
        for page in tabs:  # both tabs jump, live
            await page.wait_for_selector("#lesson-steps li.current[data-step='4']")
            assert await page.inner_text("#lesson-pushed") == \
                "Your teacher moved the class to step 4."
        # the spotlight: ann's graph (her ReplicaSet's pods) on the presenter, beside step 4
        await presenter.select_option("#spotlight-pick", ann_slug)
        await presenter.wait_for_selector("#spotlight-banner")
        await presenter.wait_for_function(
            "() => window.clusterviz && window.clusterviz.state.seq > 0")
        await presenter.wait_for_function("""() => window.clusterviz.cy.nodes('node.pod')
            .filter((n) => n.data('name').startsWith('rs-node-web-')).length === 3""")
        assert await presenter.inner_text("#step-title") == "Create Service"
        assert await presenter.evaluate("""() => window.clusterviz.cy.nodes('node.pod')
            .filter((n) => n.data('name').startsWith('throw-dice-job')).length""") == 0
        assert await presenter.inner_text("#spotlight-banner") == \
            f"Spotlight: {ann_name}'s cluster (read-only)"
        assert errors == []
    _with_browser(scenario)
