"""依申请公开 (DOMAIN.md §6.3): a request from the public becomes a work item of the responsible
section due in 20 working days; one extension of 20, approved by a leader; the outcomes of §6.3;
bots and floods keep nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from office import workcalendar
from office.models import AuditEntry, Section, TimeLimitRule, WorkItem, WorkKind, WorkState
from office.services import TransitionError
from portal import services
from portal.models import DisclosureOutcome, DisclosureRequest, DisclosureState

pytestmark = pytest.mark.django_db

# A day whose deadlines, extended, stay inside the loaded calendar years.
JUNE = dt.datetime(2026, 6, 1, 10, 0, tzinfo=workcalendar.local_tz())

FORM = {
    "applicant_name": "张三",
    "phone": "13800001111",
    "email": "zhangsan@example.com",
    "address": "",
    "description": "2026年城区老旧小区改造资金安排情况",
    "delivery": "email",
    "website": "",
}


def _submit(**kw):
    data = {
        "applicant_name": "张三",
        "phone": "13800001111",
        "description": "2026年城区供暖补贴发放情况",
        "delivery": "pickup",
        "client": "c1",
    }
    data.update(kw)
    return services.disclosure_submit(**data)


def test_a_request_from_the_public_becomes_a_work_item_due_in_20_working_days(demo_office):
    client = Client()
    response = client.post(reverse("portal:disclosure"), FORM, follow=True)
    assert "您的申请已收到" in response.content.decode()
    obj = DisclosureRequest.objects.get()
    assert obj.state == DisclosureState.RECEIVED
    assert obj.section == Section.objects.get(code="general")
    item = obj.work_item
    rule = TimeLimitRule.objects.get(code="disclosure.answer")
    assert item.kind == WorkKind.DISCLOSURE and item.rule == rule
    assert item.section == obj.section and item.state == WorkState.OPEN
    assert item.due_at == workcalendar.due_at(rule, obj.received_at)
    assert obj.reference in response.content.decode()
    assert AuditEntry.objects.filter(action="disclosure.submit", object_id=str(obj.pk)).exists()
    # The address is never stored, only a keyed hash of it.
    assert "127.0.0.1" not in obj.client and len(obj.client) == 64


def test_the_bot_field_keeps_nothing_and_says_thank_you(demo_office):
    response = Client().post(
        reverse("portal:disclosure"), {**FORM, "website": "http://spam.example"}, follow=True
    )
    assert "您的申请已收到" in response.content.decode()
    assert not DisclosureRequest.objects.exists()
    assert not WorkItem.objects.filter(kind=WorkKind.DISCLOSURE).exists()


def test_requests_are_rate_limited_per_address_with_a_chinese_message(demo_office):
    client = Client()
    for _ in range(services.DISCLOSURES_PER_DAY):
        client.post(reverse("portal:disclosure"), FORM)
    response = client.post(reverse("portal:disclosure"), FORM, follow=True)
    assert "请明天再提交" in response.content.decode()
    assert DisclosureRequest.objects.count() == services.DISCLOSURES_PER_DAY
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    other.post(reverse("portal:disclosure"), FORM)
    assert DisclosureRequest.objects.count() == services.DISCLOSURES_PER_DAY + 1


def test_field_sizes_are_bounded(demo_office):
    response = Client().post(reverse("portal:disclosure"), {**FORM, "description": "字" * 2001})
    assert response.status_code == 200
    assert not DisclosureRequest.objects.exists()


def test_email_delivery_needs_an_address(demo_office):
    response = Client().post(reverse("portal:disclosure"), {**FORM, "email": ""})
    assert "请填写电子邮箱" in response.content.decode()
    assert not DisclosureRequest.objects.exists()


def test_section_staff_answer_and_the_work_item_closes(demo_office, clerk):
    obj = _submit()
    services.disclosure_answer(
        request_obj=obj, by=clerk, outcome=DisclosureOutcome.PROVIDED, reply="见附件"
    )
    obj.refresh_from_db()
    assert obj.state == DisclosureState.ANSWERED and obj.answered_by == clerk
    assert obj.work_item.state == WorkState.DONE
    with pytest.raises(TransitionError):
        services.disclosure_answer(
            request_obj=obj, by=clerk, outcome=DisclosureOutcome.PROVIDED, reply=""
        )


@pytest.mark.parametrize(
    "outcome",
    [DisclosureOutcome.NOT_DISCLOSED, DisclosureOutcome.ALREADY_PUBLIC, DisclosureOutcome.UNCLEAR],
)
def test_outcomes_that_need_reasons_refuse_an_empty_reply(demo_office, clerk, outcome):
    obj = _submit()
    with pytest.raises(TransitionError):
        services.disclosure_answer(request_obj=obj, by=clerk, outcome=outcome, reply="  ")
    obj.refresh_from_db()
    assert obj.state == DisclosureState.RECEIVED


def test_another_section_cannot_answer(demo_office, other_section_staff):
    obj = _submit()
    with pytest.raises(PermissionDenied):
        services.disclosure_answer(
            request_obj=obj,
            by=other_section_staff,
            outcome=DisclosureOutcome.DOES_NOT_EXIST,
            reply="",
        )


def test_one_extension_of_20_working_days_approved_by_a_leader(demo_office, clerk, other_leader):
    obj = _submit(now=JUNE)
    old_due = obj.work_item.due_at
    with pytest.raises(PermissionDenied):
        services.disclosure_extend(request_obj=obj, by=clerk, reason="需征求第三方意见", now=JUNE)
    services.disclosure_extend(
        request_obj=obj, by=other_leader, reason="需征求第三方意见", now=JUNE
    )
    obj.refresh_from_db()
    assert obj.state == DisclosureState.EXTENDED
    rule = TimeLimitRule.objects.get(code="disclosure.answer")
    assert obj.work_item.due_at == workcalendar.extend(rule, old_due, 20)
    with pytest.raises(TransitionError):
        services.disclosure_extend(request_obj=obj, by=other_leader, reason="再延期", now=JUNE)


def test_staff_pages_answer_through_the_form(client_for, clerk, other_section_staff):
    obj = _submit()
    url = reverse("portal_staff:disclosure_answer", args=[obj.pk])
    assert client_for(other_section_staff).post(url, {"outcome": "provided"}).status_code == 404
    response = client_for(clerk).post(url, {"outcome": "not_disclosed", "reply": ""}, follow=True)
    assert "此类答复须填写答复内容" in response.content.decode()
    response = client_for(clerk).post(
        url,
        {"outcome": "already_public", "reply": "已在政府网站公开", "state": "received"},
        follow=True,
    )
    obj.refresh_from_db()
    assert obj.state == DisclosureState.ANSWERED and obj.outcome == "already_public"
    assert "已主动公开" in response.content.decode()


def test_the_list_shows_only_the_persons_sections_requests(client_for, clerk, other_section_staff):
    _submit(description="关于某事项的信息甲乙丙")
    assert (
        "甲乙丙" in client_for(clerk).get(reverse("portal_staff:disclosure_list")).content.decode()
    )
    html = client_for(other_section_staff).get(reverse("portal_staff:disclosure_list"))
    assert "甲乙丙" not in html.content.decode()


def test_disclosure_list_query_count_is_constant(client_for, clerk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(clerk)
    client.get(reverse("portal_staff:disclosure_list"))  # the session's first-request work
    counts = []
    for n in (5, 50):
        while DisclosureRequest.objects.count() < n:
            _submit(client=f"c{DisclosureRequest.objects.count()}")
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("portal_staff:disclosure_list"))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_submission_time_decides_the_deadline(demo_office):
    now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=workcalendar.local_tz())
    obj = _submit(now=now)
    assert timezone.localtime(obj.work_item.due_at).date() == workcalendar.add_workdays(
        now.date(), 20
    ) + dt.timedelta(days=1)


def test_a_year_the_calendar_cannot_count_keeps_nothing_and_says_so(demo_office):
    """Only a year outside the calendar is refused: an unconfirmed year before the 2024 放假办法
    (a later year without its notice is counted on its provisional days)."""
    import time_machine

    from office.models import CalendarYear

    CalendarYear.objects.filter(year=2024).delete()
    workcalendar.invalidate()
    with time_machine.travel(dt.datetime(2024, 6, 3, 10, 0, tzinfo=workcalendar.local_tz())):
        response = Client().post(reverse("portal:disclosure"), FORM, follow=True)
    workcalendar.invalidate()
    assert "请致电本机关" in response.content.decode()
    assert not DisclosureRequest.objects.exists()


def test_a_double_click_makes_one_request(demo_office):
    client = Client()
    page = client.get(reverse("portal:disclosure")).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    assert len(token) == 32
    for _ in range(2):
        response = client.post(reverse("portal:disclosure"), {**FORM, "token": token}, follow=True)
    assert DisclosureRequest.objects.count() == 1
    assert WorkItem.objects.filter(kind=WorkKind.DISCLOSURE).count() == 1
    assert DisclosureRequest.objects.get().reference in response.content.decode()
