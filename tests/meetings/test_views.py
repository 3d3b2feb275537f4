"""Meeting pages: scheduling, submission, the meeting page for each role, check-in, the
calendar and the iCalendar feed, the PDFs; list and calendar query counts at 5 and 50 rows."""

from __future__ import annotations

import datetime as dt
import io
import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings import services
from meetings.models import AgendaItem, CalendarFeed, Meeting, MeetingState, Room
from tests.meetings import flow
from tests.meetings.flow import user

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_secretariat_schedules_a_meeting_and_sees_a_leader_conflict(demo_office, client_for):
    flow.schedule(room_name="第一会议室")  # the mayor is busy on 12-10 09:00–12:00
    client = client_for(user("secretary"))
    data = {
        "kind": flow.kind("topical").pk,
        "title": "供暖专题会",
        "date": "2026-12-10",
        "start": "10:00",
        "end": "11:00",
        "room": flow.room("第二会议室").pk,
        "chair": user("mayor").pk,
        "recorders": [user("secretary").pk, user("secretary_head").pk],
        "state": "closed",  # ignored
    }
    response = client.post(reverse("meetings:meeting_new"), data, follow=True)
    meeting = Meeting.objects.get(title="供暖专题会")
    assert meeting.state == MeetingState.PLANNED
    assert any("同一时间还要参加" in m for m in _messages(response))


def test_double_booking_a_room_is_refused_with_a_message(demo_office, client_for):
    flow.schedule(room_name="第一会议室")
    client = client_for(user("secretary"))
    data = {
        "kind": flow.kind().pk,
        "title": "冲突的会议",
        "date": "2026-12-10",
        "start": "11:00",
        "end": "12:30",
        "room": flow.room("第一会议室").pk,
        "chair": user("vicemayor").pk,
    }
    response = client.post(reverse("meetings:meeting_new"), data)
    assert response.status_code == 200
    assert "已被" in response.content.decode()
    assert not Meeting.objects.filter(title="冲突的会议").exists()


def test_a_section_submits_an_item_through_the_form(demo_office, client_for):
    start = timezone.now() + dt.timedelta(days=10)
    meeting = flow.schedule(starts=start, ends=start + dt.timedelta(hours=2))
    client = client_for(user("clerk"))
    assert client.get(reverse("meetings:item_submit")).status_code == 200
    response = client.post(
        reverse("meetings:item_submit"),
        {
            "meeting": meeting.pk,
            "title": "老旧小区改造",
            "briefing": "材料" * 10,
            "consulted": "市住建局",
        },
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(title="老旧小区改造")
    assert item.section.code == "general" and not item.late
    # The clerk's section submitted an item: the clerk now sees the meeting.
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client_for(user("street_staff")).get(meeting.get_absolute_url()).status_code == 404


def test_an_overlong_paper_comes_back_with_the_form_and_nothing_saved(demo_office, client_for):
    start = timezone.now() + dt.timedelta(days=10)
    meeting = flow.schedule(starts=start, ends=start + dt.timedelta(hours=2))
    response = client_for(user("clerk")).post(
        reverse("meetings:item_submit"),
        {"meeting": meeting.pk, "title": "太长", "briefing": "字" * 3001},
    )
    assert response.status_code == 200
    assert "3000" in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_transitions_are_post_only_and_refusals_are_403(demo_office, client_for):
    meeting = flow.schedule()
    item = flow.submit(meeting)
    url = reverse("meetings:item_check", args=[item.pk])
    assert client_for(user("secgeneral")).get(url).status_code == 405
    # The mayor sees the meeting but may not check items.
    assert client_for(user("mayor")).post(url, {"decision": "accept"}).status_code == 403
    # Someone who may not see the meeting gets a 404.
    assert client_for(user("street_staff")).post(url, {"decision": "accept"}).status_code == 404
    response = client_for(user("secgeneral")).post(url, {"decision": "accept"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "checked"


def test_a_forbidden_state_is_a_message_not_an_error(demo_office, client_for):
    meeting = flow.approved()
    response = client_for(user("mayor")).post(
        reverse("meetings:agenda_approve", args=[meeting.pk]), follow=True
    )
    assert response.status_code == 200
    assert any("不能进行此操作" in m for m in _messages(response))


def test_the_meeting_page_shows_what_each_person_can_do(demo_office, client_for):
    meeting = flow.notified()
    page = client_for(user("mayor")).get(meeting.get_absolute_url()).content.decode()
    assert 'id="respond-form"' in page
    assert reverse("meetings:check_in_at_door", args=[meeting.pk]) not in page
    page = client_for(user("secretary")).get(meeting.get_absolute_url()).content.decode()
    assert reverse("meetings:check_in_at_door", args=[meeting.pk]) in page
    assert reverse("meetings:record_note", args=[meeting.items.get().pk]) in page
    assert "尚未过半数" in page


def test_self_check_in_through_the_link(demo_office, client_for, monkeypatch):
    meeting = flow.notified()
    now = meeting.starts_at - dt.timedelta(minutes=5)
    monkeypatch.setattr(services.timezone, "now", lambda: now)
    url = reverse("meetings:check_in_self", args=[meeting.checkin_token])
    client = client_for(user("vicemayor"))
    assert client.get(url).status_code == 200
    client.post(url)
    assert meeting.attendances.get(user__username="vicemayor").checked_in_at == now
    assert client_for(user("clerk")).get(url).status_code == 404
    bad = reverse("meetings:check_in_self", args=["x" * 43])
    assert client.get(bad).status_code == 404


def test_the_door_page_shows_the_link_and_the_quorum(demo_office, client_for):
    meeting = flow.notified()
    page = client_for(user("secretary")).get(reverse("meetings:check_in_code", args=[meeting.pk]))
    assert meeting.checkin_token in page.content.decode()
    assert "应到3人" in page.content.decode()
    # The link as a QR code, drawn by office.qr (which tests/office/test_qr.py decodes).
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img"' in page.content.decode()
    assert "签到二维码" in page.content.decode()


def _pdf_text(content: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_the_minutes_pdf_has_the_mark_the_number_and_the_attendee_lines(demo_office, client_for):
    minutes = flow.issued(decisions=2)
    response = client_for(user("secretary")).get(
        reverse("meetings:minutes_pdf", args=[minutes.meeting_id])
    )
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for expected in ("乌兰浩特市人民政府常务会议纪要", "〔2026〕第1次", "出席", "列席", "印发"):
        assert expected in text, expected
    assert "草" not in text.split("纪要")[1][:10]  # an issued minutes is no draft


def test_a_draft_minutes_pdf_is_marked_as_a_draft(demo_office, client_for):
    meeting = flow.held()
    services.minutes_draft(by=user("secretary"), meeting=meeting)
    response = client_for(user("secretary")).get(reverse("meetings:minutes_pdf", args=[meeting.pk]))
    from tests.typeset import ink

    for page in ink.pages(response.content):
        assert ink.grey(page) > 5000  # the 草稿 watermark on every page
    assert "（未编号）" in _pdf_text(response.content)


def test_the_sign_in_sheet_lists_everyone_and_the_quorum(demo_office, client_for):
    meeting = flow.notified()
    response = client_for(user("secretary")).get(
        reverse("meetings:signin_sheet", args=[meeting.pk])
    )
    text = _pdf_text(response.content)
    assert "签到表" in text and "王建华" in text and "应到成员 3 人" in text


# --- calendar and feed ----------------------------------------------------------------------
def test_the_calendar_shows_the_week_and_the_month(demo_office, client_for):
    flow.schedule(title="周视图的会议")
    client = client_for(user("mayor"))
    week = client.get(reverse("meetings:calendar"), {"date": "2026-12-10"}).content.decode()
    month = client.get(
        reverse("meetings:calendar"), {"date": "2026-12-01", "view": "month"}
    ).content.decode()
    assert "周视图的会议" in week and "周视图的会议" in month
    other = client.get(reverse("meetings:calendar"), {"date": "2026-12-20"}).content.decode()
    assert "周视图的会议" not in other
    by_room = client.get(
        reverse("meetings:calendar"),
        {"date": "2026-12-10", "room": flow.room("第二会议室").pk},
    ).content.decode()
    assert "周视图的会议" not in by_room


def test_the_ical_feed_needs_its_token_and_stops_when_revoked(demo_office, client_for):
    start = timezone.now() + dt.timedelta(days=3)
    flow.schedule(title="订阅里的会议", starts=start, ends=start + dt.timedelta(hours=1))
    client = client_for(user("mayor"))
    client.post(reverse("meetings:feed_reset"))
    token = CalendarFeed.objects.get(user__username="mayor").token
    anonymous = client_for(None)
    body = anonymous.get(reverse("meetings:ical", args=[token])).content.decode()
    assert body.startswith("BEGIN:VCALENDAR") and "SUMMARY:订阅里的会议" in body
    assert "\r\n" in body
    client.post(reverse("meetings:feed_reset"))  # a new link: the old one stops working
    assert anonymous.get(reverse("meetings:ical", args=[token])).status_code == 404
    client.post(reverse("meetings:feed_reset"), {"revoke": "1"})
    assert not CalendarFeed.objects.filter(user__username="mayor").exists()
    # Someone else's feed does not show the mayor's meeting.
    client_for(user("clerk")).post(reverse("meetings:feed_reset"))
    clerk_token = CalendarFeed.objects.get(user__username="clerk").token
    assert (
        "订阅里的会议"
        not in anonymous.get(reverse("meetings:ical", args=[clerk_token])).content.decode()
    )


# --- query counts ---------------------------------------------------------------------------
def _many_meetings(n: int) -> None:
    """n meetings in December 2026, one a day at most four a day, in three rooms."""
    kind = flow.kind()
    rooms = list(Room.objects.all())
    secretary, mayor = user("secretary"), user("mayor")
    rows = []
    for i in range(n):
        start = flow.at(1 + i % 28, 8 + (i // 28) % 4 * 2, month=12)
        rows.append(
            Meeting(
                kind=kind,
                title=f"会议{i}",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                room=rooms[i % len(rooms)],
                chair=mayor,
                created_by=secretary,
                created_at=timezone.now(),
                checkin_token=secrets.token_urlsafe(32),
            )
        )
    Meeting.objects.bulk_create(rows)


def _count(client, url, params=None) -> int:
    client.get(url, params or {})  # the first request of a session also reads the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("meetings:index", {}),
        ("meetings:calendar", {"date": "2026-12-10"}),
        ("meetings:calendar", {"date": "2026-12-10", "view": "month"}),
        ("meetings:calendar", {"date": "2026-12-10", "view": "month", "leader": None}),
    ],
)
def test_lists_and_calendars_keep_a_constant_query_count(demo_office, client_for, name, params):
    if "leader" in params:
        params = {**params, "leader": user("mayor").pk}
    Meeting.objects.all().delete()
    for username in ("mayor", "secretary"):
        client = client_for(user(username))
        _many_meetings(5)
        small = _count(client, reverse(name), params)
        _many_meetings(45)
        large = _count(client, reverse(name), params)
        assert small == large, (username, small, large)
        Meeting.objects.all().delete()


def test_the_list_counts_each_meetings_agenda_items(demo_office, client_for):
    busy = flow.schedule(title="议题多的会议")
    for title in ("第一项", "第二项", "第三项"):
        flow.submit(busy, title=title)
    empty = flow.schedule(title="尚无议题的会议")
    rows = client_for(user("secretary")).get(reverse("meetings:index")).context["page"]
    counts = {m.pk: m.item_count for m in rows.object_list}
    assert counts[busy.pk] == 3 and counts[empty.pk] == 0
