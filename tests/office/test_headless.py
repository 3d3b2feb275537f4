"""Work for a section without a head reaches people (issue 16): all the section's members for
new work, reminders and overdue notices, and the leader in charge when it would go to the head.
In the demo office 街道办 (subdistrict) has no head; its staff is street_staff, its leader in
charge the vice-mayor."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from office.models import Notification, Section, Staff, SweepLevel
from office.services import workitems as svc
from office.sweep import sweep

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 9, 1, 9, 0, tzinfo=SH)
DUE = dt.datetime(2026, 9, 4, 18, 0, tzinfo=SH)


@pytest.fixture
def street(demo_office):
    section = Section.objects.get(code="subdistrict")
    assert section.head_id is None, "the demo's 街道办 has no head"
    # A second member, so "all members" is not just one person.
    second = User.objects.create_user("street_staff_2", last_name="钱", first_name="伟")
    Staff.objects.create(user=second, section=section, badge_number="J002")
    return section


def _recipients(item, level=None) -> set[str]:
    qs = Notification.objects.filter(work_item=item)
    if level is not None:
        qs = qs.filter(level=level)
    return set(qs.values_list("recipient__username", flat=True))


def test_new_work_for_a_headless_section_goes_to_all_its_members(street, secretary):
    item = svc.workitem_open(
        title="和平街道老旧小区改造进度汇总",
        kind="other",
        action="report",
        section=street,
        actor=secretary,
        start=START,
        due_at=DUE,
        now=START,
    )
    assert _recipients(item) == {"street_staff", "street_staff_2"}


def test_every_rung_of_a_headless_section_reaches_someone(street, secretary):
    item = svc.workitem_open(
        title="铁西街道冬季供暖问题排查",
        kind="other",
        action="handle",
        section=street,
        actor=secretary,
        start=START,
        due_at=DUE,
        now=START,
        notify_people=False,
    )
    members = {"street_staff", "street_staff_2"}
    sweep(now=DUE - dt.timedelta(hours=1))  # reminder
    assert _recipients(item, "reminder") == members
    sweep(now=DUE + dt.timedelta(hours=1))  # overdue: the members and who assigned it
    assert _recipients(item, "overdue") == {*members, "secretary"}
    sweep(now=DUE + dt.timedelta(hours=25))  # the head's rung: no head → the leader in charge
    item.refresh_from_db()
    assert item.sweep_level == SweepLevel.SECTION_HEAD
    heads_rung = _recipients(item, "escalation")
    assert "vicemayor" in heads_rung and members <= heads_rung


def test_the_admin_flags_the_sections_without_a_head(client_for, system_admin):
    client = client_for(system_admin)
    page = client.get("/manage/office/section/").content.decode()
    assert "以下科室未指定负责人" in page
    assert "街道办" in page and "行政科" in page
    assert "未指定负责人：工作将通知本科室全体成员及分管领导" in page
    only_headless = client.get("/manage/office/section/?has_head=no").content.decode()
    rows = only_headless.split("<tbody>")[1].split("</tbody>")[0]
    assert "街道办" in rows and "行政科" in rows and "综合科" not in rows
