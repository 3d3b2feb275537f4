"""The public pages in real Chromium: an axe-core scan of each page in every display mode (no
serious or critical WCAG 2.1 A/AA violation), keyboard use, a citizen who reads a service guide
and rates a staff member from the per-person link, screenshots in normal and large-text modes.

axe-core comes from the npm registry at set-up (`bin/setup` installs it into var/npm; it is
never committed). It is injected through the DevTools protocol, so the pages' own CSP (which
allows no inline script) still applies to everything else and is checked too.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e]

AXE = Path(settings.BASE_DIR) / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PUBLIC_PATHS = [
    "/public/",
    "/public/about/",
    "/public/guides/",
    "/public/guides/disclosure-request/",
    "/public/guides/disclosure-request/rate/",
    "/public/disclosure/",
    "/public/policies/",
    "/public/petitions/",
    "/public/petitions/lookup/",
    "/public/staff/",
    "/public/staff/Z002/",
    "/public/staff/Z002/rate/",
]
MODES = {
    "normal": "",
    "large": "?text=large",
    "contrast": "?contrast=high",
}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run bin/setup (needs npm) to install axe-core")
    return AXE.read_text()


def set_mode(page: Page, mode: str) -> None:
    query = MODES[mode]
    if query:
        page.goto(f"/public/display/{query}&next=/public/")


def serious_violations(page: Page, axe_source: str) -> list[str]:
    page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ] + ([] if result["passes"] else ["axe reported no passing rule: did it run?"])


@pytest.mark.parametrize("mode", list(MODES))
def test_every_public_page_passes_the_accessibility_scan(
    page, browser_log, e2e_office, axe_source, mode
):
    set_mode(page, mode)
    problems = {}
    for path in PUBLIC_PATHS:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
        found = serious_violations(page, axe_source)
        if found:
            problems[path] = found
    assert problems == {}
    assert browser_log.problems == []


def test_a_form_with_errors_passes_the_scan_too(page, browser_log, e2e_office, axe_source):
    page.goto("/public/disclosure/")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert serious_violations(page, axe_source) == []
    assert browser_log.problems == []


def test_the_skip_link_comes_first_and_jumps_to_the_content(page, browser_log, e2e_office):
    page.goto("/public/staff/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert browser_log.problems == []


def test_large_text_works_without_javascript(browser, live_server, e2e_office):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/public/guides/")
    normal = page.locator("h1").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    page.get_by_role("link", name="大字号").click()
    expect(page.locator("body")).to_have_class("public text-large")
    large = page.locator("h1").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert large >= normal * 1.3
    page.get_by_role("link", name="标准字号").click()
    expect(page.locator("body")).to_have_class("public")
    context.close()


def test_a_citizen_reads_a_guide_and_rates_a_staff_member_from_the_per_person_link(
    page, browser_log, e2e_office, artifacts_dir
):
    page.goto("/public/")
    page.get_by_role("navigation", name="公开栏目").get_by_role("link", name="办事指南").click()
    page.get_by_role("link", name="政府信息依申请公开").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息依申请公开")
    expect(page.get_by_text("20个工作日内答复")).to_be_visible()

    # The desk plate: the person's page with the QR code of their rating link.
    page.goto("/public/staff/Z002/")
    expect(page.get_by_role("img", name="二维码：评价刘晓东的服务")).to_be_visible()
    rate_url = page.locator(".qr-card .sub").inner_text()
    assert rate_url.endswith("/public/staff/Z002/rate/")
    page.goto(rate_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("刘晓东")
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("意见建议（可不填）").fill("讲解耐心，一次说清")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("status")).to_contain_text("经审核后公开显示")
    # Not shown before a moderator approves it.
    expect(page.get_by_text("讲解耐心，一次说清")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "portal-rated.png", full_page=True)

    from portal.models import Evaluation

    assert Evaluation.objects.get().comment == "讲解耐心，一次说清"
    assert browser_log.problems == []


@pytest.mark.parametrize("mode", ["normal", "large"])
@pytest.mark.parametrize("width", [1024, 375])
def test_screenshots_of_the_public_pages(page, e2e_office, artifacts_dir, mode, width):
    page.set_viewport_size({"width": width, "height": 800})
    set_mode(page, mode)
    for name, path in (("home", "/public/"), ("directory", "/public/staff/")):
        page.goto(path)
        page.screenshot(path=artifacts_dir / f"portal-{name}-{mode}-{width}.png", full_page=True)
        # Nothing wider than the window on a phone.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px window"


def test_a_clerk_logs_a_visitor_at_the_desk_with_a_promised_date(
    page, browser_log, live_server, e2e_office, artifacts_dir
):
    from django.utils import timezone

    from portal.models import Inquiry
    from portal.services import inquiry_promise_limit
    from tests.e2e.test_shell import sign_in

    sign_in(page, "clerk", settings.DEMO_PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="首问登记").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("首问登记")
    page.get_by_role("link", name="新增首问登记").click()
    page.get_by_label("姓名或单位").fill("兴安街道居民王某")
    page.get_by_label("联系电话").fill("13900002222")
    page.get_by_label("事项", exact=True).fill("申请老旧小区改造补助")
    page.get_by_label("受理并承诺时限").check()
    promised = inquiry_promise_limit(timezone.now())
    page.get_by_label("承诺办结日期").fill(promised.isoformat())
    page.get_by_role("textbox", name="材料名称").first.fill("身份证复印件")
    page.get_by_role("spinbutton", name="页数").first.fill("2")
    page.screenshot(path=artifacts_dir / "portal-desk-new.png", full_page=True)
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("status")).to_contain_text("首问登记已保存")
    expect(page.get_by_text("身份证复印件 · 2页")).to_be_visible()
    inquiry = Inquiry.objects.get()
    assert inquiry.work_item is not None
    with page.expect_response("**/receipt.pdf") as response_info:
        page.evaluate("url => fetch(url)", f"/service/desk/{inquiry.pk}/receipt.pdf")
    assert response_info.value.headers["content-type"] == "application/pdf"
    page.screenshot(path=artifacts_dir / "portal-desk-detail.png", full_page=True)
    assert browser_log.problems == []
    # WeasyPrint's FontConfiguration finalizer would otherwise run at a later GC, possibly in
    # the middle of another test's SIGALRM render limit (office.pdf), which it then swallows.
    gc.collect()
