"""An outgoing normative document in a real browser, through the pages only: drafted by 综合科
with a file attached, reviewed by the secretariat, passed by 法制办, signed by the mayor from the
approval queue, numbered at registration, and printed as the GB/T 9704 PDF — sealed with the seal
the security admin uploaded in the admin (/manage/). Its first and last pages are rendered to PNG
(test-artifacts/e2e/outgoing-*.png) and measured: the red line, the seal over the signature, the
版记 rules on the bottom edge of the text block of the even last page."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.documents.outgoing_flow import seal_png

from .test_documents import new_page  # noqa: F401  (one browser context per person)
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e]

TITLE = "乌兰浩特市冬季城市道路积雪清除管理办法"
BODY = "为做好冬季城市道路积雪清除工作，制定本办法。\n一、适用范围\n本市城区道路。\n（一）责任划分\n1.沿街单位负责门前积雪。"


def _success(page: Page, text: str) -> None:
    expect(page.locator(".messages .msg-success").filter(has_text=text)).to_be_visible()


def _as(new_page, username: str) -> Page:  # noqa: F811
    page = new_page()
    sign_in(page, username, settings.DEMO_PASSWORD)
    return page


def test_a_normative_document_from_draft_to_the_printed_pdf(
    new_page,  # noqa: F811
    tmp_path,
    live_server,
    e2e_office,
    browser_log,
    artifacts_dir,
):
    clerk = _as(new_page, "clerk")
    clerk.goto("/documents/outgoing/new/")
    clerk.locator("select[name=series]").select_option(label="乌政发")
    clerk.locator("select[name=doc_type]").select_option(value="notice")
    clerk.locator("select[name=direction]").select_option(value="down")
    clerk.locator("input[name=title]").fill(TITLE)
    clerk.locator("select[name=main_recipients]").select_option(
        label=["乌兰浩特市和平街道办事处", "乌兰浩特市兴安街道办事处"]
    )
    clerk.locator("textarea[name=body]").fill(BODY)
    clerk.locator("input[name=normative]").check()
    clerk.get_by_role("button", name="保存").click()
    _success(clerk, "文稿已保存")
    url = clerk.url
    assert re.search(r"/documents/outgoing/\d+/$", url)
    annex = tmp_path / "积雪清除责任区划分表.pdf"
    # A real one-page PDF: its page is printed after the 附件 label (issue 17).
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with annex.open("wb") as out:
        writer.write(out)
    clerk.locator("#outgoing-attach-form input[name=file]").set_input_files(str(annex))
    clerk.locator("#outgoing-attach-form button[type=submit]").click()
    _success(clerk, "文件已添加为附件")
    expect(clerk.locator(".outgoing-files li a")).to_have_text("积雪清除责任区划分表.pdf")
    clerk.get_by_role("button", name="送秘书科核稿").click()
    _success(clerk, "已送秘书科核稿")

    secretary = _as(new_page, "secretary")
    secretary.goto(url)
    secretary.locator("#review-form").get_by_role("button", name="提交审核意见").click()
    _success(secretary, "核稿意见已记录")

    legal = _as(new_page, "legal_head")
    legal.goto(url)
    legal.locator("#legal-form textarea[name=comment]").fill("符合上位法规定，程序合法。")
    legal.locator("#legal-form").get_by_role("button", name="提交审核意见").click()
    _success(legal, "合法性审查意见已记录")

    mayor = _as(new_page, "mayor")
    mayor.goto("/documents/queue/")
    row = mayor.locator("tr.queue-row").filter(has_text=TITLE)
    expect(row).to_be_visible()
    row.get_by_role("button", name="签发").click()
    _success(mayor, "签发意见已记录")
    assert mayor.url.endswith("/documents/queue/")
    expect(mayor.locator("tr.queue-row").filter(has_text=TITLE)).to_have_count(0)

    # The security admin uploads the seal of the issuer in the admin, the only one who may.
    seal = tmp_path / "seal.png"
    seal.write_bytes(seal_png("乌兰浩特市人民政府"))
    admin = _as(new_page, "secadmin")
    admin.goto("/manage/documents/issuerseal/add/")
    admin.locator("input[name=issuer_name]").fill("乌兰浩特市人民政府")
    admin.locator("input[name=diameter_mm]").fill("45")
    admin.locator("input[name=upload]").set_input_files(str(seal))
    admin.locator("input[name=_save]").click()
    expect(admin.locator(".messagelist")).to_contain_text("乌兰浩特市人民政府")

    secretary.goto(url)
    download = secretary.request.get(
        secretary.locator(".outgoing-files li a").get_attribute("href")
    )
    assert download.status == 200 and download.body().startswith(b"%PDF-")
    assert "attachment" in download.headers["content-disposition"]
    secretary.get_by_role("button", name="编发文字号").click()
    _success(secretary, "已编发文字号")
    expect(secretary.locator(".doc-meta .reference")).to_have_text("乌政发〔2026〕1号")

    response = secretary.request.get(url + "document.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = artifacts_dir / "outgoing.pdf"
    pdf.write_bytes(response.body())
    pages = len(PdfReader(pdf).pages)
    assert pages % 2 == 0  # the 版记 page is the even last page
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    for n in (1, pages):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "60",
                "-f",
                str(n),
                "-l",
                str(n),
                "-png",
                str(pdf),
                str(artifacts_dir / f"outgoing-p{n}"),
            ],
            check=True,
        )
    first = Image.open(next(artifacts_dir.glob("outgoing-p1-*.png"))).convert("RGB")
    width, height = first.size
    px = first.load()

    def red_run(y: int) -> int:
        """The longest run of red pixels in a row: the red line runs 156 mm, the mark does not."""
        best = run = 0
        for x in range(width):
            run = run + 1 if px[x, y][0] > 180 and px[x, y][1] < 90 else 0
            best = max(best, run)
        return best

    red_rows = [y for y in range(height) if red_run(y) > width * 100 / 210]
    assert red_rows, "the red separator line is missing"
    assert abs(red_rows[0] / height * 297 - 114.5) < 4  # where the layout test measures it
    # The seal is drawn once, on the page that carries the signature and the date.
    sealed = [line.split() for line in images if line.split()[2] == "image"]
    assert len(sealed) == 1
    text = PdfReader(pdf).pages[int(sealed[0][0]) - 1].extract_text().replace(" ", "")
    assert "乌兰浩特市人民政府" in text and re.search(r"2026年\d+月\d+日", text)
    last = Image.open(next(artifacts_dir.glob(f"outgoing-p{pages}-*.png"))).convert("L")
    lpx = last.load()

    def dark_run(y: int) -> int:
        best = run = 0
        for x in range(last.size[0]):
            run = run + 1 if lpx[x, y] < 200 else 0  # a 0.35 mm rule is grey at 60 dpi
            best = max(best, run)
        return best

    rules = [y for y in range(last.size[1]) if dark_run(y) > last.size[0] * 100 / 210]
    assert rules and abs(rules[-1] / last.size[1] * 297 - 262) < 2.5  # on the text block's edge
    # Django's own admin page has no icon link, so Chromium asks for /favicon.ico (404) there.
    problems = [p for p in browser_log.problems if "/favicon.ico" not in p]
    assert not problems, problems
