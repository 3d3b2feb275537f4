"""An incoming document from start to end in a real browser, all through the pages: registered
with its scan, screened, proposed and presented; instructed by the mayor from the approval queue
(特急 first), handled by 综合科, confirmed, filed; its processing slip (公文处理笺) as a PDF."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from office import workcalendar
from office.pdf import html_to_pdf

from .conftest import _CSP_LISTENER, TIMEOUT_MS
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e]

SENDER = "兴安盟行政公署办公室"
URGENT_TITLE = "关于做好寒潮天气防范应对工作的紧急通知"
NORMAL_TITLE = "关于报送2026年度政务公开工作要点的函"
PROPOSAL = "拟请王建华市长阅示，建议交综合科牵头研办。"
ADDED = "务必于期限内报送落实情况。"
PROGRESS = "已电话通知各街道办事处，正在汇总防范措施。"
OUTCOME = "已按要求部署寒潮防范工作，落实情况已报盟行署办公室。"
VOLUME = "WS·2026-长期-0042"
MAYOR = "王建华"
TABLET = {"width": 1024, "height": 768}


def _scan(tmp_path):
    """A one-page PDF standing in for the scanned paper document."""
    path = tmp_path / "寒潮紧急通知-扫描件.pdf"
    path.write_bytes(
        html_to_pdf(
            f"<h1 style='text-align:center;color:#b3261e'>{SENDER}</h1>"
            f"<h2 style='text-align:center'>{URGENT_TITLE}</h2>"
            "<p>各旗县市人民政府，盟行署各委办局：</p>"
            "<p>据气象部门预报，近日将有强寒潮天气过程，请切实做好防范应对工作。</p>"
        )
    )
    return path


@pytest.fixture
def new_page(browser, live_server, browser_log):
    """new_page() → another person's browser: a fresh context set up as conftest's `page`,
    reporting to the same log; all closed after the test."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport=TABLET
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.expose_function(
            "__zbReportCsp", lambda report: browser_log.csp_violations.append(report)
        )
        context.add_init_script(_CSP_LISTENER)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                browser_log.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: browser_log.page_errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()


def _success(page: Page, text: str) -> None:
    expect(page.locator(".messages .msg-success").filter(has_text=text)).to_be_visible()


def _register(page: Page, *, title: str, reference: str, urgency: str, scan=None) -> str:
    """公文 → 收文登记 → the form; answers the document's page URL."""
    page.locator("nav.mainnav").get_by_role("link", name="公文", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("收文登记簿")
    page.get_by_role("link", name="收文登记", exact=True).click()
    form = page.locator("form.register-form")
    form.get_by_label("来文单位", exact=True).fill(SENDER)
    form.get_by_label("来文字号", exact=True).fill(reference)
    form.get_by_label("标题", exact=True).fill(title)
    form.get_by_label("文种", exact=True).select_option(label="通知")
    form.get_by_label(urgency, exact=True).check()
    if scan is not None:
        form.get_by_label("来文扫描件", exact=True).set_input_files(scan)
    form.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    _success(page, "已登记，收文编号")
    return page.url


def _accept_and_present(page: Page) -> None:
    page.locator("#accept-form").get_by_role("button", name="受理", exact=True).click()
    _success(page, "已受理。")
    present = page.locator("#present-form")
    present.get_by_label(f"{MAYOR}（市长）", exact=True).check()
    present.get_by_label("拟办意见", exact=True).fill(PROPOSAL)
    present.get_by_role("button", name="呈批", exact=True).click()
    _success(page, f"已呈{MAYOR}批示。")
    expect(page.locator(".doc-meta .state")).to_have_text("待批示")


def _wait_for_the_scan_on_screen(page: Page, iframe) -> None:
    """Chromium draws a framed PDF with its own viewer, out of process and only while it is in
    view: wait until the page in the frame is really painted (mostly white paper, not the
    viewer's grey), so the file is shown in the page, not offered as a download, and the
    screenshot shows it."""
    iframe.scroll_into_view_if_needed()
    paper = 0.0
    for _ in range(TIMEOUT_MS // 200):
        image = Image.open(io.BytesIO(iframe.screenshot())).convert("L")
        paper = sum(image.histogram()[246:]) / (image.width * image.height)
        if paper > 0.3:
            return
        page.wait_for_timeout(200)
    pytest.fail(f"the scan is not painted in its frame ({paper:.0%} of it is paper)")


def _no_action_forms(page: Page) -> None:
    expect(page.locator("section.actions")).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)


def test_an_extra_urgent_document_from_registration_to_the_archive(
    page, new_page, browser_log, live_server, e2e_office, artifacts_dir, tmp_path
):
    scan = _scan(tmp_path)
    due_on = workcalendar.add_workdays(timezone.localdate(), 7)

    # 1. The secretary registers a normal document and presents it, then the extra-urgent one.
    secretary = page
    sign_in(secretary, "secretary", settings.DEMO_PASSWORD)
    _register(secretary, title=NORMAL_TITLE, reference="兴署办函〔2026〕31号", urgency="平件")
    _accept_and_present(secretary)
    document_url = _register(
        secretary, title=URGENT_TITLE, reference="兴署办发〔2026〕92号", urgency="特急", scan=scan
    )
    expect(secretary.locator(".doc-meta .urgency-extra_urgent")).to_have_text("特急")
    expect(secretary.locator("iframe.scan-frame")).to_be_attached()
    _accept_and_present(secretary)

    # 2. The mayor: 特急 first in the queue, the scan beside the form, the instruction.
    mayor = new_page()
    sign_in(mayor, "mayor", settings.DEMO_PASSWORD)
    mayor.locator("nav.mainnav").get_by_role("link", name=re.compile(r"^批示")).click()
    expect(mayor.get_by_role("heading", level=1)).to_have_text("批示")
    rows = mayor.locator("table.queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td.work a")).to_have_text(URGENT_TITLE)
    expect(rows.nth(0).locator(".urgency")).to_have_text("特急")
    expect(rows.nth(1).locator("td.work a")).to_have_text(NORMAL_TITLE)
    assert mayor.viewport_size == TABLET
    mayor.screenshot(path=artifacts_dir / "documents-queue.png", full_page=True)

    rows.nth(0).get_by_role("link", name=URGENT_TITLE).click()
    expect(mayor.get_by_role("heading", level=1)).to_have_text(URGENT_TITLE)
    frame = mayor.locator("iframe.scan-frame")
    expect(frame).to_be_visible()
    scan_url = frame.evaluate("e => e.src")
    shown = mayor.request.get(scan_url)
    assert shown.status == 200, scan_url
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.body() == scan.read_bytes()
    _wait_for_the_scan_on_screen(mayor, frame)

    form = mayor.locator("#instruct-form")
    form.get_by_label("交办", exact=True).check()
    form.get_by_label("主办", exact=True).select_option(label="综合科")
    form.get_by_label("请某科室研办", exact=True).check()
    text = form.get_by_label("批示意见", exact=True)
    expect(text).to_have_value("请综合科研办。")  # instruct.js filled the phrase in
    instruction = f"请综合科研办。{ADDED}"
    text.fill(instruction)
    deadline = form.get_by_label("办理期限", exact=True)
    deadline.fill(due_on.isoformat())
    deadline.blur()
    expect(form.locator(".routing-forward")).to_be_hidden()
    _wait_for_the_scan_on_screen(mayor, frame)  # filling the form scrolled it out of view
    mayor.screenshot(path=artifacts_dir / "documents-instruct.png", full_page=True)
    form.get_by_role("button", name="提交批示", exact=True).click()

    _success(mayor, f"对《{URGENT_TITLE}》的批示已记录。")
    expect(mayor.get_by_role("heading", level=1)).to_have_text("批示")
    rows = mayor.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("td.work a")).to_have_text(NORMAL_TITLE)
    expect(mayor.get_by_role("link", name=URGENT_TITLE)).to_have_count(0)

    # 3. 综合科: the clerk finds it in the inbox, records progress and completes it.
    clerk = new_page()
    sign_in(clerk, "clerk", settings.DEMO_PASSWORD)
    expect(clerk.get_by_role("heading", level=1)).to_have_text("待办")
    clerk.locator("table.inbox").get_by_role("link", name=f"主办：{URGENT_TITLE}").click()
    clerk.get_by_role("link", name="查看办理对象", exact=True).click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text(URGENT_TITLE)
    expect(clerk.locator(".instruction-text").first).to_have_text(instruction)
    act = clerk.locator(".handling-actions")
    act.get_by_label("办理情况", exact=True).fill(PROGRESS)
    act.get_by_role("button", name="登记", exact=True).click()
    _success(clerk, "办理情况已登记。")
    expect(clerk.locator("article.handling")).to_contain_text(PROGRESS)
    act.get_by_label("办理结果", exact=True).fill(OUTCOME)
    act.get_by_role("button", name="办结", exact=True).click()
    _success(clerk, "承办已办结。")
    expect(clerk.locator(".handling-actions")).to_have_count(0)

    # 4. The secretary confirms completion (办结); the archivist files it.
    secretary.goto(document_url)
    secretary.locator("#confirm-form").get_by_role("button", name="确认办结").click()
    _success(secretary, "已确认办结。")

    archivist = new_page()
    sign_in(archivist, "archivist", settings.DEMO_PASSWORD)
    archivist.goto(document_url)
    filing = archivist.locator("#archive-form")
    filing.get_by_label("30年", exact=True).check()
    filing.get_by_label("案卷号", exact=True).fill(VOLUME)
    filing.get_by_role("button", name="立卷归档", exact=True).click()
    _success(archivist, "已归档。")
    expect(archivist.locator(".doc-meta .state")).to_have_text("已归档")
    expect(archivist.get_by_role("note")).to_have_text("本文件已归档，不能再修改。")
    expect(archivist.locator(".doc-facts")).to_contain_text(VOLUME)
    _no_action_forms(archivist)
    secretary.reload()
    _no_action_forms(secretary)

    # 5. The processing slip, fetched with the archivist's session.
    slip_link = archivist.get_by_role("link", name="公文处理笺（PDF）")
    slip = archivist.request.get(slip_link.evaluate("e => e.href"))
    assert slip.status == 200
    assert slip.headers["content-type"] == "application/pdf"
    pdf_path = artifacts_dir / "processing-slip.pdf"
    pdf_path.write_bytes(slip.body())

    reader = PdfReader(pdf_path)
    words = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in reader.pages))
    for expected in ("公文处理笺", instruction, MAYOR, URGENT_TITLE, OUTCOME, VOLUME, "30年"):
        assert re.sub(r"\s+", "", expected) in words, expected
    png = artifacts_dir / "processing-slip-page1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", pdf_path, png],
        check=True,
        timeout=30,
    )
    assert png.with_suffix(".png").stat().st_size > 10_000

    assert browser_log.problems == []
