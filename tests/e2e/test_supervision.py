"""A supervised task from a CPPCC proposal to the bulletin in real Chromium, all through the
pages: opened and assigned by the supervisor, acknowledged and reported on by 综合科, red when
its weekly report is missed, extended (supervisor checks, the mayor approves), completed,
verified and closed (graded A), and listed in the month's bulletin."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from supervision.models import SupervisionTask

from .test_documents import new_page  # noqa: F401 (fixture)
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e]

TITLE = "关于加强城区停车管理的提案"


def test_a_proposal_from_opening_to_the_bulletin(
    page,
    new_page,  # noqa: F811 (the fixture imported above)
    browser_log,
    e2e_office,
    artifacts_dir,
):
    today = timezone.localdate()
    mayor = User.objects.get(username="mayor")

    # 督查科 opens the item and assigns it in one go.
    sign_in(page, "supervisor", settings.DEMO_PASSWORD)
    page.locator("nav.mainnav").get_by_role("link", name=re.compile("^督查")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("督查督办台账")
    page.get_by_role("link", name="督办立项", exact=True).click()
    form = page.locator("form.form-card")
    form.get_by_label("标题", exact=True).fill(TITLE)
    form.get_by_label("督办要求", exact=True).fill("请于期限内答复提案人并报送办理情况。")
    form.get_by_label("来源", exact=True).select_option(label="政协委员提案")
    form.get_by_label("来源文号", exact=True).fill("政协提案第8号")
    form.get_by_label("分管领导", exact=True).select_option(value=str(mayor.pk))
    form.get_by_label("主办科室或单位", exact=True).select_option(label="综合科")
    form.get_by_label("办结期限", exact=True).fill((today + dt.timedelta(days=20)).isoformat())
    form.get_by_label("反馈周期", exact=True).select_option(label="每周")
    form.get_by_role("button", name="立项", exact=True).click()
    expect(page.locator("#task-state")).to_have_text("已交办，待签收")
    task_url = page.url
    task = SupervisionTask.objects.get(title=TITLE)

    # 综合科 acknowledges and reports.
    unit = new_page()
    sign_in(unit, "clerk", settings.DEMO_PASSWORD)
    unit.goto(task_url)
    unit.get_by_role("button", name="签收督办事项", exact=True).click()
    expect(unit.locator("#task-state")).to_have_text("办理中")
    unit.get_by_label("办理情况", exact=True).fill("已走访提案人，正在制定方案。")
    unit.get_by_role("button", name="报送进展", exact=True).click()
    expect(unit.get_by_text("已走访提案人，正在制定方案。", exact=True)).to_be_visible()

    # A week passes without the next report: the task is behind, so red on the board.
    SupervisionTask.objects.filter(pk=task.pk).update(next_report_on=today - dt.timedelta(days=1))
    page.goto("/supervision/?light=red")
    row = page.locator("table.list tr", has_text=TITLE)
    expect(row.locator(".light-red")).to_be_visible()

    # The unit applies for an extension before the deadline.
    unit.goto(task_url)
    unit.get_by_label("新期限", exact=True).fill((today + dt.timedelta(days=40)).isoformat())
    unit.get_by_label("理由", exact=True).fill("需与交通部门协调停车场用地。")
    unit.get_by_label("目前进展", exact=True).fill("方案初稿已完成。")
    unit.get_by_role("button", name="申请", exact=True).click()
    expect(unit.get_by_text("待督查科初审").first).to_be_visible()

    # The supervisor checks it, the mayor approves it.
    page.goto(task_url)
    page.get_by_label("同意", exact=True).check()
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text("待领导审批").first).to_be_visible()
    leader = new_page()
    sign_in(leader, "mayor", settings.DEMO_PASSWORD)
    leader.goto(task_url)
    leader.get_by_label("同意", exact=True).check()
    leader.get_by_role("button", name="审批", exact=True).click()
    new_due = today + dt.timedelta(days=40)
    expect(leader.locator("dl.facts")).to_contain_text(
        f"{new_due.year}年{new_due.month}月{new_due.day}日"
    )

    # The unit completes; the supervisor verifies, grades and closes (销号).
    unit.goto(task_url)
    unit.get_by_label("办结报告", exact=True).fill("已答复提案人，新增停车泊位300个。")
    unit.get_by_role("button", name="报送办结报告", exact=True).click()
    expect(unit.locator("#task-state")).to_have_text("办结审核中")
    page.goto(task_url)
    page.get_by_label("审核通过，予以销号", exact=True).check()
    page.get_by_label("评级（建议提案）", exact=True).select_option(value="A")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("#task-state")).to_have_text("已销号")

    # The month's bulletin lists it among the items closed on time.
    page.goto("/supervision/bulletins/")
    page.get_by_role("button", name="根据台账生成通报", exact=True).click()
    expect(page.locator("ul.bl-list").first).to_contain_text(TITLE)
    expect(page.locator("ul.bl-list").first).to_contain_text("综合科")

    page.goto("/supervision/?state=all")
    page.screenshot(path=str(artifacts_dir / "supervision-board.png"), full_page=True)
    assert browser_log.problems == []


def test_a_wrongly_assigned_proposal_goes_back_and_the_rates_show_it(
    page,
    new_page,  # noqa: F811 (the fixture imported above)
    browser_log,
    e2e_office,
):
    """综合科 received a CPPCC proposal that is not its business: within the 10 days it
    returns it with a reason; the task is back with the supervisor to re-assign, and the
    建议提案 page counts it as not replied."""
    from office.models import Section
    from supervision import services

    supervisor = User.objects.get(username="supervisor")
    task = services.task_open(
        by=supervisor,
        title="关于增设社区养老服务站的提案",
        source="cppcc_proposal",
        lead_section=Section.objects.get(code="general"),
        due_on=timezone.localdate() + dt.timedelta(days=60),
    )
    unit = new_page()
    sign_in(unit, "clerk", settings.DEMO_PASSWORD)
    unit.goto(task.get_absolute_url())
    unit.get_by_label("不属于本单位职责的理由", exact=True).fill("养老服务站属民政局职责。")
    unit.get_by_role("button", name="按交办错误退回", exact=True).click()
    expect(unit.get_by_text("已按交办错误退回督查科。")).to_be_visible()

    sign_in(page, "supervisor", settings.DEMO_PASSWORD)
    page.goto(task.get_absolute_url())
    expect(page.locator("#task-state")).to_have_text("已立项")
    expect(page.locator("#wrong-returns")).to_contain_text("养老服务站属民政局职责。")
    expect(page.get_by_role("button", name="交办", exact=True)).to_be_visible()
    page.goto("/supervision/")
    page.get_by_role("link", name="建议提案", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("建议提案")
    expect(page.locator("#proposal-totals")).to_contain_text("答复率")
    assert browser_log.problems == []
