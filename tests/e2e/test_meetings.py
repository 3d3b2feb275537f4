"""A 常务会议 from agenda to supervision in real Chromium, through the pages: 综合科 submits an
item (late papers: the meeting is within three days), the secretary-general checks it, the mayor
approves the late papers and sets the agenda, the secretariat sends the notices, a vice-mayor
checks in with the per-meeting link and the secretariat checks the mayor in at the door, the
recorder takes the record, the minutes are drafted, checked, signed by the mayor and issued, and
the decision is on the supervision board. The minutes PDF's first page is rendered to PNG."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from meetings import services
from meetings.models import AgendaItem, MeetingKind, Room

from .test_documents import new_page  # noqa: F401 (a fixture)
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e]

ITEM = "关于2026年冬季清雪保障工作的议题"
DECISION = "由综合科牵头，三日内制定城区清雪保障方案。"


def _meeting():
    start = (timezone.localtime() + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    return services.meeting_schedule(
        by=User.objects.get(username="secretary"),
        kind=MeetingKind.objects.get(code="executive"),
        title="市政府第35次常务会议",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        room=Room.objects.get(name="常务会议室"),
        chair=User.objects.get(username="mayor"),
        recorders=User.objects.filter(username__in=["secretary", "secretary_head"]),
    )


def _click(page, name):
    page.get_by_role("button", name=name, exact=True).first.click()


def test_a_meeting_from_agenda_item_to_supervised_decisions(
    page,
    new_page,  # noqa: F811 (the fixture imported above)
    browser_log,
    live_server,
    e2e_office,
    artifacts_dir,
):
    meeting = _meeting()
    url = meeting.get_absolute_url()
    password = settings.DEMO_PASSWORD

    # 1. 综合科 submits an agenda item with its briefing paper.
    clerk = page
    sign_in(clerk, "clerk", password)
    clerk.goto(f"/meetings/items/new/?meeting={meeting.pk}")
    clerk.locator("#id_title").fill(ITEM)
    clerk.locator("#id_briefing").fill("入冬以来降雪频繁，现将清雪保障工作汇报如下。")
    clerk.locator("#id_consulted").fill("市住建局、市交通运输局")
    _click(clerk, "提交")
    expect(clerk.locator(".messages")).to_contain_text("须经市长批准")
    item = AgendaItem.objects.get(title=ITEM)

    # 2. The secretary-general checks it; the mayor approves the late papers and the agenda.
    secgen = new_page()
    sign_in(secgen, "secgeneral", password)
    secgen.goto(url)
    _click(secgen, "审核通过")
    expect(secgen.locator(".messages")).to_contain_text("议题已审核")
    mayor = new_page()
    sign_in(mayor, "mayor", password)
    mayor.goto(url)
    _click(mayor, "批准逾期材料")
    _click(mayor, "审定议题")
    expect(mayor.locator("h1 .state")).to_have_text("议题已审定")

    # 3. The secretariat sends the notices; the mayor confirms.
    secretary = new_page()
    sign_in(secretary, "secretary", password)
    secretary.goto(url)
    _click(secretary, "立即发送会议通知")
    expect(secretary.locator("h1 .state")).to_have_text("已通知")
    mayor.goto(url)
    _click(mayor, "回复")
    expect(mayor.locator(".messages")).to_contain_text("您的回复已记录")

    # 4. Check-in: the vice-mayor with the link on a phone, the mayor at the door.
    vicemayor = new_page()
    sign_in(vicemayor, "vicemayor", password)
    meeting.refresh_from_db()
    vicemayor.goto(f"/meetings/check-in/{meeting.checkin_token}/")
    _click(vicemayor, "我要签到")
    expect(vicemayor.locator(".messages")).to_contain_text("签到成功")
    secretary.goto(url)
    secretary.locator("tr", has_text="王建华").get_by_role("button", name="签到").click()
    expect(secretary.locator("#attendance-heading + p")).to_contain_text("已过半数")

    # 5. The record: notes, outcome, a decision; the record is closed.
    secretary.locator(f"#note-{item.pk}").fill("王建华市长：清雪工作要做到雪停路净。")
    _click(secretary, "保存记录")
    secretary.locator(f"#outcome-{item.pk}").select_option("passed")
    _click(secretary, "记录审议结果")
    secretary.locator(f"#dtext-{item.pk}").fill(DECISION)
    secretary.locator(f"#dsec-{item.pk}").select_option(label="综合科")
    due = timezone.localdate() + dt.timedelta(days=10)
    secretary.locator(f"#ddue-{item.pk}").fill(due.isoformat())
    _click(secretary, "添加议定事项")
    expect(secretary.locator(".messages")).to_contain_text("议定事项已记录")
    _click(secretary, "结束会议记录")
    expect(secretary.locator("h1 .state")).to_have_text("已召开")

    # 6. Minutes: drafted from the record, checked, signed by the mayor, issued.
    _click(secretary, "根据记录起草")
    expect(secretary.locator("#minutes-heading")).to_contain_text("草稿")
    secgen.goto(url)
    _click(secgen, "审核通过，呈签发")
    mayor.goto(url)
    _click(mayor, "签发纪要")
    secretary.goto(url)
    _click(secretary, "印发纪要")
    expect(secretary.locator("h1 .state")).to_have_text("纪要已印发")
    expect(secretary.locator("#minutes-heading")).to_contain_text("〔")

    # 7. The decision is a supervised task: on the meeting page with its light, and on the board.
    decisions = secretary.locator("#decisions-heading + .table-wrap")
    expect(decisions).to_contain_text("督〔")
    expect(decisions.locator(".light")).to_have_count(1)
    supervisor = new_page()
    sign_in(supervisor, "supervisor", password)
    supervisor.goto("/supervision/")
    expect(supervisor.locator("main")).to_contain_text(DECISION[:10])

    # 8. The minutes PDF, page 1 as PNG: the red 纪要 mark near the top.
    pdf = secretary.request.get(f"{live_server.url}/meetings/{meeting.pk}/minutes.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    pdf_path = artifacts_dir / "minutes.pdf"
    pdf_path.write_bytes(pdf.body())
    png = artifacts_dir / "minutes-page1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf_path, png],
        check=True,
        timeout=30,
    )
    image = Image.open(png.with_suffix(".png")).convert("RGB")
    width, height = image.size
    top = image.crop((0, 0, width, height // 3))
    red = sum(1 for r, g, b in top.get_flattened_data() if r > 200 and g < 80 and b < 80)
    assert red > 200, red  # the mark is red and in the top third
    assert browser_log.problems == []
