"""Meeting services: quorum, late papers, the agenda lock, room bookings, leader conflicts,
notices, check-in, the record, the minutes and their numbering (DOMAIN.md §6.1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from meetings import services
from meetings.models import (
    AgendaItem,
    Attendance,
    ItemState,
    Meeting,
    MeetingState,
    MinutesState,
    Response,
)
from office.models import AuditEntry, Notification
from office.services import TransitionError
from tests.meetings import flow
from tests.meetings.flow import at, user

pytestmark = pytest.mark.django_db


# --- quorum ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("members", "needed"), [(1, 1), (2, 2), (3, 2), (8, 5), (9, 5)])
def test_quorum_is_more_than_half_of_the_members(demo_office, members, needed):
    assert flow.kind().quorum(members) == needed


def test_quorum_is_reached_when_more_than_half_of_the_members_check_in(demo_office):
    meeting = flow.notified()
    secretary = user("secretary")
    services.check_in(by=secretary, meeting=meeting, user=user("mayor"), now=at(10, 8, 30))
    # 列席 (the legal head) do not count towards the quorum.
    services.check_in(by=secretary, meeting=meeting, user=user("legal_head"), now=at(10, 8, 31))
    q = services.quorum(meeting)
    assert q == {"present": 1, "members": 3, "needed": 2, "reached": False}
    services.check_in(by=secretary, meeting=meeting, user=user("vicemayor"), now=at(10, 8, 32))
    assert services.quorum(meeting)["reached"] is True


# --- agenda items ---------------------------------------------------------------------------
def test_a_section_submits_an_item_for_the_secretary_general(demo_office):
    meeting = flow.schedule()
    item = flow.submit(meeting)
    assert item.state == ItemState.SUBMITTED
    assert item.section.code == "general"
    assert not item.late
    assert Notification.objects.filter(recipient=user("secgeneral")).exists()
    assert AuditEntry.objects.filter(action="agendaitem.submit", object_id=str(item.pk)).exists()


def test_a_briefing_paper_over_the_limit_is_refused_and_nothing_is_saved(demo_office):
    meeting = flow.schedule()
    with pytest.raises(ValidationError, match="3000"):
        flow.submit(meeting, briefing="字" * 3001)
    assert not AgendaItem.objects.exists()
    flow.submit(meeting, briefing="字" * 3000)


def test_papers_after_the_deadline_are_late_and_not_scheduled_without_the_mayor(demo_office):
    meeting = flow.schedule()
    late = flow.submit(meeting, now=flow.LATE, title="迟报议题")
    assert late.late
    services.item_check(by=user("secgeneral"), item=late, accept=True, now=flow.LATE)
    with pytest.raises(TransitionError):
        services.agenda_approve(by=user("mayor"), meeting=meeting, now=at(9))
    on_time = flow.checked(meeting)
    services.agenda_approve(by=user("mayor"), meeting=meeting, now=at(9))
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert on_time.state == ItemState.SCHEDULED
    assert late.state == ItemState.CHECKED


def test_the_mayor_approves_late_papers_and_the_item_goes_on_the_agenda(demo_office):
    meeting = flow.schedule()
    late = flow.submit(meeting, now=flow.LATE)
    with pytest.raises(PermissionDenied):
        services.item_approve_late(by=user("secgeneral"), item=late)
    services.item_approve_late(by=user("mayor"), item=late)
    services.item_check(by=user("secgeneral"), item=late, accept=True)
    services.agenda_approve(by=user("mayor"), meeting=meeting, now=at(9))
    late.refresh_from_db()
    assert late.state == ItemState.SCHEDULED


def test_items_needing_legality_review_go_through_the_legal_office_first(demo_office):
    meeting = flow.schedule()
    item = flow.submit(meeting, legal=True)
    assert item.state == ItemState.LEGAL_REVIEW
    with pytest.raises(TransitionError):
        services.item_check(by=user("secgeneral"), item=item, accept=True)
    with pytest.raises(PermissionDenied):
        services.item_legal_review(by=user("clerk"), item=item, opinion="同意", cleared=True)
    services.item_legal_review(by=user("legal_head"), item=item, opinion="合法", cleared=True)
    item = services.item_check(by=user("secgeneral"), item=item, accept=True)
    assert item.state == ItemState.CHECKED


def test_the_secretary_general_returns_an_uncoordinated_item_with_a_reason(demo_office):
    meeting = flow.schedule()
    item = flow.submit(meeting)
    with pytest.raises(ValidationError):
        services.item_check(by=user("secgeneral"), item=item, accept=False)
    item = services.item_check(
        by=user("secgeneral"), item=item, accept=False, comment="未与财政局协调"
    )
    assert item.state == ItemState.RETURNED


# --- the agenda lock ------------------------------------------------------------------------
def test_after_approval_only_the_mayor_changes_the_agenda(demo_office):
    meeting = flow.approved()
    extra = flow.checked(meeting, title="追加议题")
    for name in ("secgeneral", "secretary", "vicemayor", "clerk"):
        with pytest.raises(PermissionDenied):
            services.agenda_change(by=user(name), item=extra, add=True)
    extra = services.agenda_change(by=user("mayor"), item=extra, add=True)
    assert extra.state == ItemState.SCHEDULED
    assert extra.position == 2
    extra = services.agenda_change(by=user("mayor"), item=extra, add=False)
    assert extra.state == ItemState.CHECKED


def test_an_approved_agenda_cannot_be_approved_again(demo_office):
    meeting = flow.approved()
    with pytest.raises(TransitionError):
        services.agenda_approve(by=user("mayor"), meeting=meeting)


def test_the_agenda_cannot_change_before_it_is_approved_nor_after_the_meeting(demo_office):
    meeting = flow.schedule()
    item = flow.checked(meeting)
    with pytest.raises(TransitionError):
        services.agenda_change(by=user("mayor"), item=item, add=True)
    held = flow.held(starts=at(17, 9), ends=at(17, 12))
    with pytest.raises(TransitionError):
        services.agenda_change(by=user("mayor"), item=held.items.first(), add=False)


# --- rooms and leaders ----------------------------------------------------------------------
def test_a_room_booked_for_an_overlapping_meeting_is_refused(demo_office):
    flow.schedule(room_name="第一会议室")
    with pytest.raises(ValidationError, match="第一会议室"):
        flow.schedule(starts=at(10, 11), ends=at(10, 13), title="专题会议", room_name="第一会议室")
    assert Meeting.objects.filter(room__name="第一会议室").count() == 1


def test_back_to_back_meetings_and_other_rooms_are_fine(demo_office):
    flow.schedule(room_name="第一会议室")
    flow.schedule(starts=at(10, 12), ends=at(10, 13), title="紧接着的会议", room_name="第一会议室")
    flow.schedule(room_name="第二会议室", title="同一时间另一会议室")
    assert Meeting.objects.count() == 4  # with the demo meeting


def test_a_cancelled_meeting_frees_its_room(demo_office):
    meeting = flow.schedule(room_name="第一会议室")
    services.meeting_cancel(by=user("secretary"), meeting=meeting, reason="改期")
    flow.schedule(title="改在同一时间", room_name="第一会议室")


def test_a_leader_in_another_meeting_at_the_same_time_is_a_warning(demo_office):
    first = flow.schedule()
    assert services.leader_conflicts(first) == []
    second = flow.schedule(
        room_name="第二会议室", code="topical", chair="vicemayor", title="专题会"
    )
    conflicts = services.leader_conflicts(second)
    names = {u.username for u, other in conflicts}
    assert {"mayor", "vicemayor", "secgeneral"} <= names
    assert all(other == first for _u, other in conflicts)


def test_only_the_secretariat_schedules(demo_office):
    with pytest.raises(PermissionDenied):
        services.meeting_schedule(
            by=user("clerk"),
            kind=flow.kind(),
            title="x",
            starts_at=flow.STARTS,
            ends_at=flow.ENDS,
            room=flow.room(),
            chair=user("mayor"),
        )


def test_a_meeting_must_end_after_it_starts_and_needs_two_recorders(demo_office):
    with pytest.raises(ValidationError):
        flow.schedule(starts=flow.ENDS, ends=flow.STARTS)
    meeting = flow.schedule()
    with pytest.raises(ValidationError):
        services.meeting_set_recorders(
            by=user("secretary"), meeting=meeting, recorders=[user("secretary")]
        )


# --- notices and answers --------------------------------------------------------------------
def test_notices_go_to_members_and_attendees_and_each_answers(demo_office):
    meeting = flow.notified()
    roles = dict(meeting.attendances.values_list("user__username", "role"))
    assert roles == {
        "mayor": "member",
        "vicemayor": "member",
        "secgeneral": "member",
        "legal_head": "attendee",
    }
    assert Notification.objects.filter(title__contains=meeting.title).count() == 4
    with pytest.raises(ValidationError):
        services.attendance_respond(by=user("vicemayor"), meeting=meeting, attend=False)
    a = services.attendance_respond(
        by=user("vicemayor"),
        meeting=meeting,
        attend=False,
        reason="赴盟里开会",
        substitute="王副秘书长",
    )
    assert (a.response, a.substitute) == (Response.LEAVE, "王副秘书长")
    services.attendance_respond(by=user("mayor"), meeting=meeting, attend=True)
    answered = Attendance.objects.filter(meeting=meeting, answered_at__isnull=False).count()
    assert answered == 2
    with pytest.raises(PermissionDenied):
        services.attendance_respond(by=user("clerk"), meeting=meeting, attend=True)


def test_the_scheduled_job_sends_notices_one_working_day_before_once(demo_office):
    meeting = flow.approved()
    assert services.notice_date(meeting) == dt.date(2026, 12, 9)
    assert services.send_due_notices(now=at(8, 18)) == 0
    assert services.send_due_notices(now=at(9, 8)) == 1
    assert services.send_due_notices(now=at(9, 9)) == 0
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.NOTIFIED


def test_a_monday_meeting_is_notified_on_the_friday_before(demo_office):
    meeting = flow.approved(starts=at(14, 9), ends=at(14, 11))
    assert services.notice_date(meeting) == dt.date(2026, 12, 11)


# --- check-in -------------------------------------------------------------------------------
def test_check_in_by_the_door_staff_or_by_oneself_once(demo_office):
    meeting = flow.notified()
    with pytest.raises(TransitionError):
        services.check_in(by=user("mayor"), meeting=meeting, now=at(9, 9))  # a day early
    services.check_in(by=user("mayor"), meeting=meeting, now=at(10, 8, 45))
    with pytest.raises(TransitionError):
        services.check_in(by=user("mayor"), meeting=meeting, now=at(10, 8, 46))
    with pytest.raises(PermissionDenied):
        services.check_in(
            by=user("vicemayor"), meeting=meeting, user=user("secgeneral"), now=at(10, 9)
        )
    with pytest.raises(PermissionDenied):
        services.check_in(by=user("clerk"), meeting=meeting, now=at(10, 9))
    services.check_in(by=user("secretary"), meeting=meeting, user=user("secgeneral"), now=at(10, 9))
    assert services.quorum(meeting)["present"] == 2


# --- the record -----------------------------------------------------------------------------
def test_only_the_recorders_take_the_record(demo_office):
    meeting = flow.notified()
    item = meeting.items.get()
    for name in ("mayor", "clerk", "secgeneral"):
        with pytest.raises(PermissionDenied):
            services.record_note(by=user(name), item=item, text="记录", now=at(10, 10))
    services.record_note(by=user("secretary"), item=item, text="甲的记录", now=at(10, 10))
    services.record_note(by=user("secretary_head"), item=item, text="乙的记录", now=at(10, 10))
    assert item.notes.count() == 2


def test_a_decision_needs_one_responsible_and_a_future_deadline(demo_office):
    meeting = flow.notified()
    item = meeting.items.get()
    recorder = user("secretary")
    from office.models import Section, Unit

    general = Section.objects.get(code="general")
    unit = Unit.objects.get(code="housing")
    for kwargs in (
        {"section": None, "unit": None, "due_on": dt.date(2026, 12, 31)},
        {"section": general, "unit": unit, "due_on": dt.date(2026, 12, 31)},
        {"section": general, "unit": None, "due_on": dt.date(2026, 12, 1)},
    ):
        with pytest.raises(ValidationError):
            services.decision_add(by=recorder, item=item, text="落实", now=at(10, 10), **kwargs)
    d = services.decision_add(
        by=recorder, item=item, text="落实", unit=unit, due_on=dt.date(2026, 12, 31), now=at(10, 10)
    )
    assert d.responsible == unit


def test_the_record_closes_only_when_every_item_has_its_outcome(demo_office):
    meeting = flow.notified()
    with pytest.raises(TransitionError):
        services.meeting_close_record(by=user("secretary"), meeting=meeting)
    services.item_outcome(by=user("secretary"), item=meeting.items.get(), outcome="in_principle")
    with pytest.raises(PermissionDenied):
        services.meeting_close_record(by=user("mayor"), meeting=meeting)
    meeting = services.meeting_close_record(by=user("secretary"), meeting=meeting)
    assert meeting.state == MeetingState.HELD


# --- minutes --------------------------------------------------------------------------------
def test_minutes_are_drafted_from_the_record(demo_office):
    meeting = flow.held(decisions=2)
    minutes = services.minutes_draft(by=user("secretary_head"), meeting=meeting)
    assert "一、冬季供暖保障工作" in minutes.body
    assert "2.由市住建局牵头" in minutes.body
    assert "2026年12月31日前" in minutes.body


def test_the_mayor_signs_executive_minutes_and_the_chair_signs_topical_ones(demo_office):
    minutes = services.minutes_check(
        by=user("secgeneral"),
        minutes=services.minutes_draft(by=user("secretary"), meeting=flow.held()),
    )
    with pytest.raises(PermissionDenied):
        services.minutes_sign(by=user("vicemayor"), minutes=minutes)
    services.minutes_sign(by=user("mayor"), minutes=minutes)

    topical = flow.held(code="topical", chair="vicemayor", starts=at(17, 9), ends=at(17, 11))
    minutes = services.minutes_check(
        by=user("secgeneral"),
        minutes=services.minutes_draft(by=user("secretary"), meeting=topical),
    )
    with pytest.raises(PermissionDenied):
        services.minutes_sign(by=user("mayor"), minutes=minutes)
    assert services.minutes_sign(by=user("vicemayor"), minutes=minutes).state == MinutesState.SIGNED


def test_minutes_numbers_are_gapless_per_kind_and_year(demo_office):
    first = flow.issued()
    second = flow.issued(starts=at(17, 9), ends=at(17, 12))
    topical = flow.issued(code="topical", chair="vicemayor", starts=at(18, 9), ends=at(18, 12))
    assert (first.number, second.number, topical.number) == (1, 2, 1)
    assert second.reference == "〔2026〕第2次"
    assert topical.reference == "〔2026〕第1号"
    first.meeting.refresh_from_db()
    assert first.meeting.state == MeetingState.CLOSED


def test_the_secretary_general_returns_minutes_to_the_draft(demo_office):
    minutes = services.minutes_draft(by=user("secretary"), meeting=flow.held())
    minutes = services.minutes_check(
        by=user("secgeneral"), minutes=minutes, accept=False, comment="请补充责任单位"
    )
    assert minutes.state == MinutesState.DRAFT
    minutes = services.minutes_draft(by=user("secretary"), meeting=minutes.meeting, body="修改稿")
    assert minutes.body == "修改稿"


# --- every transition: a refused person and a forbidden state ------------------------------
def _item_submitted():
    return flow.submit(flow.schedule())


def _item_in_review():
    return flow.submit(flow.schedule(), legal=True)


def _item_late():
    return flow.submit(flow.schedule(), now=flow.LATE)


def _minutes(stage):
    def make():
        return (
            {
                "draft": lambda: services.minutes_draft(by=user("secretary"), meeting=flow.held()),
                "signed": flow.signed,
            }[stage]()
            if stage != "checked"
            else services.minutes_check(
                by=user("secgeneral"),
                minutes=services.minutes_draft(by=user("secretary"), meeting=flow.held()),
            )
        )

    return make


TRANSITIONS = {
    "legal_review": (
        _item_in_review,
        lambda by, o: services.item_legal_review(by=by, item=o, opinion="可", cleared=True),
        "legal_head",
        _item_submitted,
    ),
    "check": (
        _item_submitted,
        lambda by, o: services.item_check(by=by, item=o, accept=True),
        "secgeneral",
        lambda: flow.checked(flow.schedule()),
    ),
    "approve_late": (
        _item_late,
        lambda by, o: services.item_approve_late(by=by, item=o),
        "mayor",
        _item_submitted,
    ),
    "agenda_approve": (
        lambda: flow.checked(flow.schedule()).meeting,
        lambda by, o: services.agenda_approve(by=by, meeting=o, now=at(9)),
        "mayor",
        flow.approved,
    ),
    "notify": (
        flow.approved,
        lambda by, o: services.meeting_notify(by=by, meeting=o, now=at(9)),
        "secretary",
        flow.schedule,
    ),
    "cancel": (
        flow.schedule,
        lambda by, o: services.meeting_cancel(by=by, meeting=o, reason="改期"),
        "secretary",
        lambda: flow.held(),
    ),
    "outcome": (
        lambda: flow.notified().items.get(),
        lambda by, o: services.item_outcome(by=by, item=o, outcome="passed"),
        "secretary",
        lambda: flow.approved().items.get(),
    ),
    "close_record": (
        lambda: _with_outcome(flow.notified()),
        lambda by, o: services.meeting_close_record(by=by, meeting=o),
        "secretary",
        flow.approved,
    ),
    "minutes_draft": (
        flow.held,
        lambda by, o: services.minutes_draft(by=by, meeting=o),
        "secretary",
        flow.notified,
    ),
    "minutes_check": (
        _minutes("draft"),
        lambda by, o: services.minutes_check(by=by, minutes=o),
        "secgeneral",
        _minutes("checked"),
    ),
    "minutes_sign": (
        _minutes("checked"),
        lambda by, o: services.minutes_sign(by=by, minutes=o),
        "mayor",
        _minutes("draft"),
    ),
    "minutes_issue": (
        flow.signed,
        lambda by, o: services.minutes_issue(by=by, minutes=o, now=at(14)),
        "secretary",
        _minutes("checked"),
    ),
}


def _with_outcome(meeting):
    services.item_outcome(by=user("secretary"), item=meeting.items.get(), outcome="passed")
    return meeting


REFUSED = ["clerk", "street_staff", "vicemayor", "supervisor"]


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
@pytest.mark.parametrize("refused", REFUSED)
def test_each_transition_refuses_the_wrong_person_and_changes_nothing(demo_office, name, refused):
    setup, call, _allowed, _wrong_state = TRANSITIONS[name]
    obj = setup()
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        call(user(refused), obj)
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_each_transition_refuses_a_forbidden_state_and_works_from_the_right_one(demo_office, name):
    setup, call, allowed, wrong_state = TRANSITIONS[name]
    obj = wrong_state()
    before = AuditEntry.objects.count()
    with pytest.raises(TransitionError):
        call(user(allowed), obj)
    assert AuditEntry.objects.count() == before
    call(user(allowed), setup())


def test_the_celery_task_sends_the_due_notices(demo_office, monkeypatch):
    from meetings import tasks

    meeting = flow.approved()
    monkeypatch.setattr(services.timezone, "now", lambda: at(9, 8))
    assert tasks.send_due_notices() == 1
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.NOTIFIED


# --- the inbox ------------------------------------------------------------------------------
def _work(obj):
    from office.models import WorkItem

    return WorkItem.objects.filter(object_id=obj.pk, content_type__app_label="meetings")


def test_each_step_is_work_in_the_right_inbox_and_closes_when_taken(demo_office):
    meeting = flow.schedule()
    plain = flow.submit(meeting)
    (check,) = _work(plain)
    assert (check.assignee.username, check.action, check.state) == ("secgeneral", "review", "open")
    assert check.due_at == meeting.starts_at - dt.timedelta(days=2)
    services.item_check(by=user("secgeneral"), item=plain, accept=True, now=flow.ON_TIME)
    check.refresh_from_db()
    assert check.state == "done"

    legal = flow.submit(meeting, legal=True, title="规范性文件议题")
    (review,) = _work(legal)
    assert review.section.code == "legal" and review.assignee is None
    services.item_legal_review(by=user("legal_head"), item=legal, opinion="合法", cleared=True)
    states = set(_work(legal).values_list("assignee__username", "state"))
    assert states == {(None, "done"), ("secgeneral", "open")}


def test_the_minutes_go_to_the_secretary_general_then_to_the_signer(demo_office):
    meeting = flow.held()
    minutes = services.minutes_draft(by=user("secretary"), meeting=meeting, now=at(11))
    services.minutes_draft(by=user("secretary"), meeting=meeting, body="改稿", now=at(11))
    assert _work(minutes).filter(state="open").count() == 1
    services.minutes_check(by=user("secgeneral"), minutes=minutes, now=at(11))
    sign = _work(minutes).get(state="open")
    assert (sign.assignee.username, sign.action) == ("mayor", "sign")
    services.minutes_sign(by=user("mayor"), minutes=minutes, now=at(11))
    assert not _work(minutes).filter(state="open").exists()


def test_cancelling_a_meeting_cancels_the_open_work_of_its_items(demo_office):
    meeting = flow.schedule()
    item = flow.submit(meeting)
    services.meeting_cancel(by=user("secretary"), meeting=meeting, reason="改期")
    assert _work(item).get().state == "cancelled"
