"""A visitor's complaint in a real browser, all through the pages: registered at the desk (the
officer becomes its first responder and reads out the query code) → accepted and assigned to
市住建局 → the unit, which does not get the petitioner's identity, reports back → the officer
issues the reply (处理意见书) as a PDF under the office's name → the petitioner looks it up on
the public site with the code and the last four digits of the phone, and rates it."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import expect
from pypdf import PdfReader

from office import workcalendar
from office.models import Staff, Unit
from petitions.models import Petition

from .test_documents import new_page  # noqa: F401  (a fixture)
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e]

TITLE = "反映胜利街道路灯长期不亮"
NAME = "乌云其木格"
PHONE = "13624821357"
UNIT_PASSWORD = "Housing-Staff-Pass-2026"


@pytest.fixture
def housing_staff(e2e_office):
    # A 60-day clock started today may end next year: counted on its provisional days.
    user = User.objects.create_user(
        "housing_staff", password=UNIT_PASSWORD, last_name="白", first_name="雪"
    )
    Staff.objects.create(user=user, unit=Unit.objects.get(code="housing"), badge_number="H001")
    yield user
    workcalendar.invalidate()


def _success(page, text):
    expect(page.locator(".messages .msg-success").filter(has_text=text)).to_be_visible()


def test_a_visitors_complaint_from_the_desk_to_the_petitioners_rating(
    page,
    new_page,  # noqa: F811  (the fixture imported above)
    browser_log,
    live_server,
    housing_staff,
    artifacts_dir,
):
    # 1. The desk registers the visit.
    sign_in(page, "petition_officer", settings.DEMO_PASSWORD)
    page.locator("nav.mainnav").get_by_role("link", name="信访", exact=True).click()
    page.get_by_role("link", name="登记信访事项", exact=True).click()
    page.get_by_label("来访", exact=True).check()
    page.get_by_label("姓名", exact=True).fill(NAME)
    page.get_by_label("电话", exact=True).fill(PHONE)
    page.get_by_label("住址", exact=True).fill("乌兰浩特市胜利街道光明社区")
    page.get_by_label("类别", exact=True).select_option(label="申诉求决类")
    page.get_by_label("问题领域", exact=True).select_option(label="城乡建设")
    page.get_by_label("标题", exact=True).fill(TITLE)
    page.get_by_label("诉求", exact=True).fill("请求尽快修复胜利街道光明路段的路灯，方便夜间出行。")
    page.get_by_role("button", name="查重并登记", exact=True).click()
    if page.get_by_role("heading", name="发现此前的信访事项").count():
        page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    message = page.locator(".messages .msg-success").inner_text()
    code = re.search(r"查询码：([0-9A-Z-]+)", message).group(1)
    assert NAME in page.locator("main").inner_text()
    assert PHONE not in page.content()  # masked: 136****1357
    expect(page.get_by_text("136****1357")).to_be_visible()
    detail_url = page.url

    # 2. Accepted and assigned to 市住建局, identity not passed on.
    page.get_by_label("交办", exact=True).check()
    page.get_by_label("单位", exact=True).select_option(label="乌兰浩特市住房和城乡建设局")
    page.get_by_role("button", name="作出决定", exact=True).click()
    _success(page, "已保存")
    expect(page.locator(".doc-meta .state")).to_have_text("办理中")

    # 3. The unit sees the case without the petitioner and reports back.
    unit = new_page()
    sign_in(unit, "housing_staff", UNIT_PASSWORD)
    unit.goto(detail_url)
    expect(unit.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(unit.get_by_text("信访人身份信息未提供给本单位")).to_be_visible()
    assert NAME not in unit.content()
    unit.get_by_label("办理报告", exact=True).fill("已更换光明路段12盏路灯，恢复夜间照明。")
    unit.get_by_role("button", name="报告办理结果", exact=True).click()
    _success(unit, "已保存")

    # 4. The desk issues the reply, a PDF under the office's name.
    page.reload()
    page.get_by_label("予以支持", exact=True).check()
    page.get_by_label("调查核实情况及对各项诉求的答复", exact=True).fill(
        "经市住建局核实，已更换路灯12盏，恢复照明。"
    )
    page.get_by_label("法律政策依据", exact=True).fill("《城市道路照明设施管理规定》")
    page.get_by_role("button", name="出具处理意见书", exact=True).click()
    _success(page, "已保存")
    expect(page.locator(".doc-meta .state")).to_have_text("已答复")
    href = page.get_by_role("link", name="处理意见书", exact=True).get_attribute("href")
    pdf = page.request.get(live_server.url + href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "乌兰浩特市人民政府办公室" in text and "予以支持" in text and "30日内" in text
    (artifacts_dir / "petition-reply.pdf").write_bytes(pdf.body())
    page.screenshot(path=str(artifacts_dir / "petition-replied.png"), full_page=True)

    # 5. The petitioner looks it up and rates it.
    public = new_page()
    public.goto("/public/petitions/lookup/")
    public.get_by_label("查询码", exact=True).fill(code)
    public.get_by_label("电话号码后四位", exact=True).fill(PHONE[-4:])
    public.get_by_role("button", name="查询", exact=True).click()
    expect(public.get_by_text("已答复")).to_be_visible()
    assert NAME not in public.content() and "路灯12盏" not in public.content()
    public.get_by_label("满意", exact=True).check()
    public.get_by_role("button", name="提交评价", exact=True).click()
    expect(public.get_by_text("感谢您的评价")).to_be_visible()
    public.screenshot(path=str(artifacts_dir / "petition-rated.png"), full_page=True)

    petition = Petition.objects.get(title=TITLE)
    assert petition.rating == "满意" and not petition.rated_by_phone
    assert not browser_log.problems, browser_log.problems


def test_a_citizen_submits_a_petition_online_and_looks_it_up(
    page, browser_log, e2e_office, artifacts_dir
):
    """From the public home page, without signing in: the online form gives a query code once;
    the look-up with the code and the phone's last four digits shows its number, state and
    steps, never the petitioner's name or phone. Two attachments go with it, after a fake image
    was refused by name. (A double submission making one case is
    tested on the service and the view: tests/petitions.)"""
    title = "建议在义勒力特嘎查村口增设公交站点"
    page.goto("/public/")
    page.get_by_role("link", name="网上信访", exact=True).click()
    page.get_by_label("姓名", exact=True).fill("巴特尔")
    page.get_by_label("电话", exact=True).fill("13904821188")
    page.get_by_label("类别", exact=True).select_option(label="建议意见类")
    page.get_by_label("问题领域", exact=True).select_option(label="城乡建设")
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("诉求", exact=True).fill("村民出行不便，建议在村口增设一处公交站点。")
    # a photo that is not one is refused by name, and the form keeps what was typed
    photos = page.get_by_label("附件", exact=True)
    fake = {"name": "村口.png", "mimeType": "image/png", "buffer": b"<html>not a png</html>"}
    photos.set_input_files([fake])
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("村口.png")
    assert not Petition.objects.filter(title=title).exists()
    pdf = {"name": "村民联名信.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    png = {"name": "村口.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(64)}
    page.get_by_label("附件", exact=True).set_input_files([pdf, png])
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("信访事项已收到")
    code = page.locator(".query-code").inner_text()
    assert len(code.replace("-", "")) >= 16
    page.screenshot(path=str(artifacts_dir / "petition-online-submitted.png"), full_page=True)
    petition = Petition.objects.get(title=title)
    assert petition.channel == "online"
    assert sorted(a.original_name for a in petition.attachments.all()) == [
        "村口.png",
        "村民联名信.pdf",
    ]

    page.goto("/public/")
    page.get_by_role("link", name="信访事项查询", exact=True).click()
    page.get_by_label("查询码", exact=True).fill(code)
    page.get_by_label("电话号码后四位", exact=True).fill("1188")
    page.get_by_role("button", name="查询", exact=True).click()
    expect(page.locator("main")).to_contain_text(f"{petition.number} · 待受理")
    expect(page.locator("main")).to_contain_text("登记")
    assert "巴特尔" not in page.content() and "13904821188" not in page.content()
    page.screenshot(path=str(artifacts_dir / "petition-online-lookup.png"), full_page=True)
    assert not browser_log.problems, browser_log.problems
