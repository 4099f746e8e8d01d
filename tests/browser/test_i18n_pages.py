"""The pages in Korean in a real browser (Debian's Chromium, under the pages' own CSP):
Hangul renders as glyphs, not missing-glyph boxes; the scripts speak the page's language
through the JS catalog; the switch turns a page English and the choice stays. Screenshots
go to artifacts/i18n-*.png.

The glyph check draws each character of a page's Korean text on a canvas in the font
the element computes, and compares pixels: a font without Hangul leaves every syllable
as the same .notdef box, so distinct syllables drawing identically, or like a codepoint
no font has, means boxes. The same check run on two unassigned codepoints must say
"boxes", so the detector is seen to work on this machine."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tests.browser.test_dashboard import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, playwright_api
from tests.kubectl.kubectl_fixtures import server, teacher_cookies  # noqa: F401

VIEWPORT = {"width": 1440, "height": 900}
_slugs = itertools.count(1)

# Draws `text`'s characters one by one in `font`; returns how many distinct drawings there
# are, and whether any looks like the drawing of a codepoint no font covers.
GLYPHS = """([text, font]) => {
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const draw = (ch) => {
    ctx.clearRect(0, 0, 64, 64);
    ctx.font = font; ctx.textBaseline = "top"; ctx.fillStyle = "#000";
    ctx.fillText(ch, 4, 4);
    return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(",");
  };
  const box = draw(String.fromCodePoint(0x10FFFD));
  const chars = [...new Set([...text])].filter((c) => /\\p{Script=Hangul}/u.test(c) ||
                                                        c.codePointAt(0) >= 0xF0000);
  const drawings = chars.map(draw);
  return {chars: chars.length, distinct: new Set(drawings).size,
          boxes: drawings.filter((d) => d === box).length};
}"""


async def glyphs(page, selector: str, text: str | None = None) -> dict:
    element = page.locator(selector).first
    text = text if text is not None else await element.inner_text()
    font = await element.evaluate(
        "(el) => { const s = getComputedStyle(el); return `${s.fontSize} ${s.fontFamily}`; }")
    return await page.evaluate(GLYPHS, [text, font])


def assert_hangul_renders(result: dict) -> None:
    assert result["chars"] >= 2, result
    assert result["boxes"] == 0 and result["distinct"] == result["chars"], result


@pytest.fixture
def slug(server):  # noqa: F811
    name = f"i18n-{next(_slugs)}"
    server.manage("ensure_cluster", name)
    return name


async def _browse(server_url: str, steps, locale: str, signed_in: bool = True) -> None:
    async with playwright_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=CHROMIUM_ARGS)
        try:
            # under the pages' own CSP: the catalog must load as a script file
            context = await browser.new_context(viewport=VIEWPORT, locale=locale)
            if signed_in:  # the cluster and lesson pages need a signed-in user
                await context.add_cookies(teacher_cookies(server_url))
            page = await context.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            await steps(page)
            assert problems == []
        finally:
            await browser.close()


def test_the_dashboard_in_korean_shows_hangul_and_switches_to_english(server, slug):  # noqa: F811
    async def steps(page):
        await page.goto(f"{server.url}/clusters/{slug}/")
        assert await page.get_attribute("html", "lang") == "ko"
        await page.wait_for_selector("#live[data-state=live]")
        assert await page.inner_text("#live") == "실시간"  # from the scripts' catalog
        assert await page.inner_text("#tab-upload h2") == "manifest 올리기"
        assert_hangul_renders(await glyphs(page, "#tab-upload h2"))
        assert_hangul_renders(await glyphs(page, "#drawer-toggle"))
        # the detector itself: two codepoints no font has are one box drawn twice
        control = await glyphs(page, "#tab-upload h2", "\U0010fffc\U0010fffd")
        assert control["boxes"] == 2 and control["distinct"] == 1, control
        await page.click("#drawer-toggle")
        assert await page.inner_text("#drawer-toggle") == "패널 보이기"
        await page.click("#drawer-toggle")
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "i18n-dashboard-ko.png"))
        await page.click(".language-switch button[value=en]")
        await page.wait_for_selector("html[lang=en]")
        assert await page.inner_text("#tab-upload h2") == "Upload manifests"
        await page.wait_for_selector("#live[data-state=live]")
        assert await page.inner_text("#live") == "live"
        await page.reload()  # the choice is remembered over the browser's Korean
        assert await page.get_attribute("html", "lang") == "en"
        await page.screenshot(path=str(ARTIFACTS / "i18n-dashboard-en.png"))
    asyncio.run(_browse(server.url, steps, "ko-KR"))


def test_the_lecture_presenter_is_korean_first_with_hangul_glyphs(server, slug):  # noqa: F811
    async def steps(page):
        await page.goto(f"{server.url}/clusters/{slug}/present?lesson=week4-services")
        assert await page.get_attribute("html", "lang") == "ko"
        await page.wait_for_selector("#step-number:has-text('18단계 중 1단계')")
        assert await page.inner_text("#step-title") == "Job - 1/2, 2/2"
        assert (await page.inner_text("#step-explain")).startswith("Job은 정해진 횟수만큼")
        assert_hangul_renders(await glyphs(page, "#step-explain"))
        assert_hangul_renders(await glyphs(page, "#step-number"))
        await page.keyboard.press("ArrowRight")
        await page.keyboard.press("ArrowRight")
        assert await page.inner_text("#step-title") == "Pod Network 실습"
        assert_hangul_renders(await glyphs(page, "#step-title", "실습"))
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "i18n-presenter-ko.png"))
        # at once: steps 2 and 3 are still being applied in the background, and the switch
        # waits for them (the English page opens on the step the server has)
        await page.click(".language-switch button[value=en]")
        await page.wait_for_selector("html[lang=en]")
        await page.wait_for_selector("#step-title:has-text('Pod Network practice')")
        assert (await page.inner_text("#step-number")).startswith("Step 3 of 18")
        await page.screenshot(path=str(ARTIFACTS / "i18n-presenter-en.png"))
    # a browser that asks for English still gets the lecture's Korean until it chooses
    asyncio.run(_browse(server.url, steps, "en-US"))


def test_the_lessons_list_in_korean(server, slug):  # noqa: F811
    async def steps(page):
        await page.goto(f"{server.url}/lessons/")
        assert await page.get_attribute("html", "lang") == "ko"
        assert await page.inner_text("h1") == "수업"
        assert_hangul_renders(await glyphs(page, ".lesson h2"))
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "i18n-lessons-ko.png"), full_page=True)
    asyncio.run(_browse(server.url, steps, "en-US"))


def test_the_landing_page_in_korean_then_english(server):  # noqa: F811
    async def steps(page):
        await page.goto(f"{server.url}/")
        assert await page.get_attribute("html", "lang") == "ko"
        assert await page.inner_text("main h2 >> nth=0") == "노트북 한 대로 여는 Kubernetes 교실"
        assert await page.inner_text("form.signin button") == "로그인"
        assert_hangul_renders(await glyphs(page, "main h2"))
        assert_hangul_renders(await glyphs(page, "form.join button"))
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "i18n-landing-ko.png"), full_page=True)
        await page.click(".language-switch button[value=en]")
        await page.wait_for_selector("html[lang=en]")
        assert await page.inner_text("form.signin button") == "Sign in"
    # anonymous, a browser asking for Korean: the landing page has the switch too
    asyncio.run(_browse(server.url, steps, "ko-KR", signed_in=False))
