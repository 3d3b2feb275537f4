"""The year turns (issue 13): deadlines into a year without its State Council notice are counted on
the law's provisional days and flagged 暂定; the system admin confirms the year on one page by
pasting the notice; open deadlines are counted again, audited, and their people told once; bad
notices are refused line by line with nothing saved; warnings from 1 November.

The clock is fixed at 2026-12-08 10:00 (Asia/Shanghai), the day the office first met it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from office import workcalendar
from office.models import (
    AuditEntry,
    CalendarDay,
    CalendarYear,
    Notification,
    WorkItem,
    WorkItemEvent,
    WorkState,
)
from office.services.calendar import (
    NoticeError,
    next_year_warning,
    parse_notice,
    remind_system_admins,
)
from office.statutory import provisional_holidays

pytestmark = pytest.mark.django_db

SH = workcalendar.local_tz()
NOW = dt.datetime(2026, 12, 8, 10, 0, tzinfo=SH)
D = dt.date

# A fictitious but well-formed notice for 2027, in the State Council's form.
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
国办发明电〔2026〕99号（测试）
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2027年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节：9月15日（周三）放假，共1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。
"""


@pytest.fixture(autouse=True)
def clock(demo_office):
    workcalendar.invalidate()
    with time_machine.travel(NOW, tick=False):
        yield
    workcalendar.invalidate()


# --- Provisional years from the law -------------------------------------------------------
def test_a_provisional_year_follows_the_2024_holiday_measures():
    days = {d.date: d.name for d in provisional_holidays(2027)}
    # 第二条: 13 statutory days; 第六条: each one on a weekend made up on the next weekday.
    statutory = [d for d, n in days.items() if "补假" not in n]
    assert len(statutory) == 13
    assert days[D(2027, 2, 5)] == "春节"  # 农历除夕 (lunar data from tyme4py)
    assert days[D(2027, 4, 5)] == "清明节"  # the 清明 solar term
    assert days[D(2027, 6, 9)] == "端午节" and days[D(2027, 9, 15)] == "中秋节"
    made_up = sorted(d for d, n in days.items() if "补假" in n)
    assert made_up == [
        D(2027, 2, 9),
        D(2027, 2, 10),  # 2-06, 2-07
        D(2027, 5, 3),
        D(2027, 5, 4),  # 5-01, 5-02
        D(2027, 10, 4),
        D(2027, 10, 5),  # 10-02, 10-03
    ]
    assert all(d.weekday() < 5 for d in made_up)
    assert workcalendar.year_status(2027) == "provisional"
    assert workcalendar.year_status(2026) == "confirmed"


def test_on_the_day_it_happened_the_office_works_and_shows_provisional_dates(
    client_for, petition_officer, system_admin
):
    """Accept a petition, take a disclosure request on the public form, dispatch a 规范性文件."""
    from documents.models import NormativeFiling
    from documents.outgoing import services as outgoing
    from petitions import services as petitions
    from tests.documents.outgoing_flow import registered, user

    petition, _code = petitions.petition_register(
        petitions.Intake(
            channel="visit",
            category="claim",
            subject_area="urban",
            title="小区供暖温度不达标",
            request="请求维修供暖管网。",
            people=[{"name": "王桂芝", "phone": "13800001111"}],
            received_at=NOW,
        ),
        by=petition_officer,
        now=NOW,
    )
    petitions.petition_decide(petition=petition, by=petition_officer, decision="accept", now=NOW)
    petition.refresh_from_db()
    handle = WorkItem.objects.get(
        content_type__model="petition", object_id=petition.pk, state=WorkState.OPEN
    )
    # 60 days from 2026-12-08: the 60th day, 2027-02-06, is in the law's 春节 days
    # (2-05 … 2-08, made up 2-09 and 2-10): the deadline is the next working day, 2-11.
    assert handle.due_at == workcalendar.end_of_day(D(2027, 2, 11))
    assert handle.due_provisional
    last_day = D(2027, 2, 11)
    assert last_day not in {d.date for d in provisional_holidays(2027)}
    page = client_for(petition_officer).get(reverse("petitions:detail", args=[petition.pk]))
    assert "2027年2月11日（暂定）" in page.content.decode()

    response = Client().post(
        reverse("portal:disclosure"),
        {
            "applicant_name": "张三",
            "phone": "13800001111",
            "email": "",
            "address": "",
            "description": "2026年城区老旧小区改造资金安排情况",
            "delivery": "pickup",
            "website": "",
        },
        follow=True,
    )
    assert "您的申请已收到" in response.content.decode()
    disclosure = WorkItem.objects.filter(kind="disclosure").latest("pk")
    assert disclosure.due_at == workcalendar.end_of_day(D(2027, 1, 6))  # 20 working days
    assert disclosure.due_provisional

    doc = outgoing.outgoing_dispatch(
        document=registered(normative=True), by=user("secretary"), now=NOW
    )
    filing = NormativeFiling.objects.get(document=doc).work_item
    assert filing.due_at == workcalendar.end_of_day(D(2027, 1, 7))  # 30 days
    assert filing.due_provisional

    # The inbox of the legal section shows the date as provisional.
    inbox = client_for(user("legal_head")).get(reverse("office:home"), {"tab": "section"})
    assert "2027年1月7日（暂定）" in inbox.content.decode()


def test_the_public_look_up_says_what_a_provisional_date_depends_on(client):
    from django.contrib.auth.models import User

    from petitions import services as petitions
    from petitions.models import Petition

    officer = User.objects.get(username="petition_officer")
    petition, code = petitions.petition_register(
        petitions.Intake(
            channel="visit",
            category="claim",
            subject_area="urban",
            title="路灯不亮",
            request="请求维修。",
            people=[{"name": "李四", "phone": "13900002222"}],
            received_at=NOW,
        ),
        by=officer,
        now=NOW,
    )
    petitions.petition_decide(petition=petition, by=officer, decision="accept", now=NOW)
    petition = Petition.objects.get(pk=petition.pk)
    response = client.post(reverse("petitions_public:lookup"), {"code": code, "last4": "2222"})
    body = response.content.decode()
    assert "暂定，以国务院公布的放假安排为准" in body


# --- Confirming the year ------------------------------------------------------------------
def test_the_notice_is_read_line_by_line():
    schedule = parse_notice(NOTICE_2027, 2027)
    names = [r.name for r in schedule.ranges]
    assert names == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    spring = schedule.ranges[1]
    assert (spring.start, spring.end, spring.stated_days) == (D(2027, 2, 5), D(2027, 2, 12), 8)
    assert [d for d, _n, _l in schedule.makeup] == [
        D(2027, 2, 20),
        D(2027, 4, 25),
        D(2027, 9, 26),
        D(2027, 10, 9),
    ]


def _open_handling(clerk, secretary, start):
    from office.services.workitems import workitem_open

    return workitem_open(
        title="办理一件信访事项",
        kind="petition",
        action="handle",
        assignee=clerk,
        actor=secretary,
        rule="petition.handle",
        now=start,
        notify_people=False,
    )


def test_confirming_by_pasting_the_notice_moves_deadlines_audited_and_tells_each_person_once(
    client_for, system_admin, clerk, secretary
):
    # Two items of the clerk's end in the law's 春节 days' wake; one of 2026 stays.
    moving = _open_handling(clerk, secretary, NOW)  # 2-06 off by law → 2-11
    second = _open_handling(clerk, secretary, NOW + dt.timedelta(days=1))  # 2-07 → 2-11
    staying = _open_handling(clerk, secretary, dt.datetime(2026, 9, 1, 9, 0, tzinfo=SH))
    assert moving.due_at == second.due_at == workcalendar.end_of_day(D(2027, 2, 11))
    before_notes = Notification.objects.filter(recipient=clerk).count()
    client = client_for(system_admin)

    page = client.get(reverse("office:calendar_year", args=[2027]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "春节 2027-02-05 2027-02-10" in body  # prefilled from the provisional days
    review = client.post(
        reverse("office:calendar_year", args=[2027]),
        {"action": "parse", "notice_text": NOTICE_2027, "source": "国办发明电〔2026〕99号"},
    )
    assert review.status_code == 200
    body = review.content.decode()
    assert "2027年2月20日" in body and "春节 2027-02-05 2027-02-12" in body
    assert not CalendarYear.objects.filter(year=2027).exists()  # reviewing saves nothing

    saved = client.post(
        reverse("office:calendar_year", args=[2027]),
        {
            "action": "save",
            "source": "国办发明电〔2026〕99号",
            "ranges": "春节 2027-02-05 2027-02-12\n元旦 2027-01-01 2027-01-03\n国庆节 2027-10-01 2027-10-07\n"
            "劳动节 2027-05-01 2027-05-05\n清明节 2027-04-03 2027-04-05\n端午节 2027-06-09\n"
            "中秋节 2027-09-15",
            "makeup": "春节 2027-02-20\n劳动节 2027-04-25\n国庆节 2027-09-26\n国庆节 2027-10-09",
        },
        follow=True,
    )
    assert "已确认" in saved.content.decode(), saved.content.decode()[:2000]
    assert workcalendar.year_status(2027) == "confirmed"
    assert (
        CalendarDay.objects.filter(date__year=2027, kind="holiday").count()
        == 3 + 8 + 3 + 5 + 1 + 1 + 7
    )
    assert not workcalendar.is_workday(D(2027, 2, 12)) and workcalendar.is_workday(D(2027, 2, 20))

    # 60th day 2027-02-06 is now inside 2-05 … 2-12 → 2-13 is a Saturday → 2-15 (Monday).
    for item in (moving, second):
        item.refresh_from_db()
        assert item.due_at == workcalendar.end_of_day(D(2027, 2, 15))
        assert not item.due_provisional
        assert WorkItemEvent.objects.filter(work_item=item, kind="reschedule").count() == 1
        assert AuditEntry.objects.filter(action="workitem.recount", object_id=str(item.pk)).exists()
    staying.refresh_from_db()
    assert staying.due_at == workcalendar.end_of_day(D(2026, 10, 31)) or staying.due_at.year == 2026
    assert not WorkItemEvent.objects.filter(work_item=staying, kind="reschedule").exists()
    told = Notification.objects.filter(recipient=clerk).count() - before_notes
    assert told == 1  # one message for both items
    note = Notification.objects.filter(recipient=clerk).latest("pk")
    assert "2" in note.title and "办理一件信访事项" in note.body
    assert AuditEntry.objects.filter(action="calendar.confirm").count() == 1

    # A corrected notice later: the same page, the same recount.
    again = client.post(
        reverse("office:calendar_year", args=[2027]),
        {
            "action": "save",
            "source": "国办发明电〔2026〕99号（更正）",
            "ranges": "春节 2027-02-05 2027-02-11",
            "makeup": "",
        },
        follow=True,
    )
    assert again.status_code == 200
    moving.refresh_from_db()
    # 2-06 off → 2-12 is now a Friday working day.
    assert moving.due_at == workcalendar.end_of_day(D(2027, 2, 12))
    assert AuditEntry.objects.filter(action="calendar.correct").count() == 1


BAD = {
    "a range crossing the year": (
        "一、元旦：12月31日（周四）至1月2日（周六）放假，共3天。",
        "第1行",
    ),
    "a day count that does not match": (
        "二、春节：2月5日（周五）至12日（周五）放假调休，共9天。",
        "共9天",
    ),
    "a make-up day on a Tuesday": (
        "二、春节：2月5日（周五）至12日（周五）放假调休，共8天。2月16日（周二）上班。",
        "周二",
    ),
    "an unparseable line": (
        "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n三、清明节：四月初五放假一天。",
        "第2行",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_notice_is_refused_naming_the_line_and_nothing_is_saved(
    case, client_for, system_admin
):
    text, expected = BAD[case]
    with pytest.raises(NoticeError) as info:
        parse_notice(text, 2027)
    assert any(expected in m for m in info.value.messages), info.value.messages
    response = client_for(system_admin).post(
        reverse("office:calendar_year", args=[2027]),
        {"action": "parse", "notice_text": text, "source": "国办发明电〔2026〕99号"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "未保存" in body and expected in body
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_saving_re_checks_the_lines_and_refuses_a_make_up_day_that_is_off(client_for, system_admin):
    response = client_for(system_admin).post(
        reverse("office:calendar_year", args=[2027]),
        {
            "action": "save",
            "source": "国办发明电〔2026〕99号",
            "ranges": "春节 2027-02-05 2027-02-12",
            "makeup": "春节 2027-02-06",
        },
    )
    assert response.status_code == 400
    assert "又是工作日" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_only_the_system_admin_confirms_a_year(client_for, clerk, security_admin):
    for person in (clerk, security_admin):
        response = client_for(person).post(
            reverse("office:calendar_year", args=[2027]),
            {"action": "save", "source": "x", "ranges": "春节 2027-02-05 2027-02-12"},
        )
        assert response.status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_year_beyond_the_horizon_has_no_page(client_for, system_admin):
    client = client_for(system_admin)
    assert client.get(reverse("office:calendar_year", args=[2029])).status_code == 404
    index = client.get(reverse("office:calendar")).content.decode()
    assert "2028" in index and "暂定" in index


# --- Warnings before it matters -------------------------------------------------------------
def test_warnings_from_the_first_of_november(client_for, system_admin, clerk):
    assert next_year_warning(D(2026, 10, 31)) is None
    assert "2027" in next_year_warning(D(2026, 11, 1))
    page = client_for(system_admin).get(reverse("office:about")).content.decode()
    assert "banner-warning" in page and "2027" in page
    assert "banner-warning" not in client_for(clerk).get(reverse("office:about")).content.decode()

    from django.core.checks import run_checks

    assert any(m.id == "office.W001" for m in run_checks())
    call_command("check")  # a warning, not an error

    assert remind_system_admins() == 1
    assert remind_system_admins() == 0  # once a week
    with time_machine.travel(NOW + dt.timedelta(days=7), tick=False):
        assert remind_system_admins() == 1
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕99号")
    workcalendar.invalidate()
    assert next_year_warning(D(2026, 12, 8)) is None
    assert remind_system_admins() == 0


def test_a_year_without_a_single_holiday_is_refused_on_the_page_and_warned_in_the_admin(
    client_for, system_admin
):
    client = client_for(system_admin)
    response = client.post(
        reverse("office:calendar_year", args=[2027]),
        {"action": "save", "source": "国办发明电〔2026〕99号", "ranges": "", "makeup": ""},
    )
    assert response.status_code == 400
    assert "至少填写一个节日" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()
    response = client.post(
        "/manage/office/calendaryear/add/", {"year": "2028", "source": "测试"}, follow=True
    )
    assert "2028年尚未录入任何法定节假日" in response.content.decode()
