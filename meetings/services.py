"""Every state change of a meeting, an agenda item, an attendance and the minutes.

Each function is keyword-only, atomic, re-reads its row with `select_for_update`, checks the
state and the actor, writes one audit entry and queues notifications in the same transaction
(STYLE.md, Services). Who may do what (DOMAIN.md §6.1):

- 秘书科 (`meetings.organise_meeting`) schedules, sends notices, checks people in at the door
  and issues the minutes;
- a section's staff (`meetings.add_agendaitem`) submit agenda items;
- 法制办 reviews items that need a legality review;
- the kind's secretary-general checks items and the minutes;
- the kind's mayor approves late papers, sets the agenda and alone changes it afterwards;
- the two recorders take the record; the mayor (常务会议) or the chair signs the minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from office import workcalendar
from office.classification import check_not_classified
from office.models import Section, WorkAction, WorkItem, WorkKind, WorkState
from office.numbers import next_number
from office.people import display_name
from office.services import TransitionError
from office.services.audit import audit_record
from office.services.notify import notify
from office.services.workitems import workitem_cancel, workitem_complete, workitem_open

from .models import (
    AgendaItem,
    Attendance,
    AttendanceRole,
    Decision,
    ItemState,
    Meeting,
    MeetingKind,
    MeetingState,
    Minutes,
    MinutesState,
    Outcome,
    RecordNote,
    Response,
    Room,
)

__all__ = ["PermissionDenied", "TransitionError", "ValidationError"]

LEGAL_SECTION_CODE = "legal"  # 法制办
LIVE_STATES = (MeetingState.PLANNED, MeetingState.AGENDA_APPROVED, MeetingState.NOTIFIED)


# --- who is who ---------------------------------------------------------------------------
def is_organiser(user) -> bool:
    return user.is_authenticated and user.has_perm("meetings.organise_meeting")


def is_recorder(user, meeting: Meeting) -> bool:
    return meeting.recorders.filter(pk=user.pk).exists()


def is_legal_reviewer(user) -> bool:
    staff = getattr(user, "staff", None)
    return bool(staff and staff.section_id and staff.section.code == LEGAL_SECTION_CODE)


def signer_of(meeting: Meeting):
    """The mayor signs 常务会议 minutes; kinds marked `signed_by_chair` are signed by the chair."""
    return meeting.chair if meeting.kind.signed_by_chair else meeting.kind.mayor


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_state(obj, *states: str) -> None:
    if obj.state not in states:
        raise TransitionError(
            _("This cannot be done while it is %(state)s.") % {"state": obj.get_state_display()}
        )


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("kind", "chair", "room")
        .get(pk=meeting.pk)
    )


def _locked_item(item: AgendaItem) -> AgendaItem:
    return (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting__kind", "section")
        .get(pk=item.pk)
    )


def _audit(action, by, obj, frm="", to="", changes=None, comment="", now=None):
    audit_record(
        action=action,
        actor=by,
        obj=obj,
        from_state=frm,
        to_state=to,
        changes=changes,
        comment=comment,
        now=now,
    )


# --- work items (the inbox) -----------------------------------------------------------------
def _open_work(obj, *, title: str, action: str, url: str, by=None, now=None, due_at=None, **to):
    """A step somebody must take, in their inbox (ARCHITECTURE.md, the spine)."""
    return workitem_open(
        title=title,
        kind=WorkKind.MEETING,
        action=action,
        actor=by,
        subject=obj,
        url=url,
        due_at=due_at,
        now=now,
        **to,
    )


def _open_work_of(obj) -> list[WorkItem]:
    from django.contrib.contenttypes.models import ContentType

    return list(
        WorkItem.objects.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            state=WorkState.OPEN,
        )
    )


def _close_work(obj, *, by, outcome: str, now=None) -> None:
    """Close the work of a step the calling service has just checked and taken."""
    for item in _open_work_of(obj):
        workitem_complete(item=item, by=by, outcome=outcome, authorised=True, now=now)


def _agenda_due(meeting: Meeting, now) -> dt.datetime:
    """Items are checked before the office proposes the agenda, 2 days before the meeting."""
    return max(meeting.starts_at - dt.timedelta(days=2), now)


def _in_workdays(now, n: int) -> dt.datetime:
    """`n` working days from `now` on the one working calendar (provisional years included)."""
    day = workcalendar.add_workdays(timezone.localtime(now).date(), n)
    return workcalendar.end_of_day(day)


# --- schedule -----------------------------------------------------------------------------
def overlapping(starts_at: dt.datetime, ends_at: dt.datetime, *, exclude=None):
    qs = Meeting.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exclude(
        state=MeetingState.CANCELLED
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs


def participants(meeting: Meeting) -> set[int]:
    """User ids expected at a meeting: the chair, the kind's members and standing attendees,
    and everyone on its attendance list."""
    ids = {meeting.chair_id}
    ids.update(meeting.kind.members.values_list("pk", flat=True))
    ids.update(meeting.kind.standing_attendees.values_list("pk", flat=True))
    ids.update(meeting.attendances.values_list("user_id", flat=True))
    return ids


def leader_conflicts(meeting: Meeting) -> list[tuple[object, Meeting]]:
    """Leaders (the chair and the members) already in another meeting at the same time. A
    warning, not a refusal: the office decides who goes where."""
    from django.contrib.auth import get_user_model

    leaders = {meeting.chair_id, *meeting.kind.members.values_list("pk", flat=True)}
    found = []
    others = overlapping(meeting.starts_at, meeting.ends_at, exclude=meeting.pk).select_related(
        "kind"
    )
    users = get_user_model().objects.in_bulk(leaders)
    for other in others:
        for uid in sorted(leaders & participants(other)):
            found.append((users[uid], other))
    return found


def meeting_schedule(
    *,
    by,
    kind: MeetingKind,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: Room,
    chair,
    recorders: Iterable = (),
    now: dt.datetime | None = None,
) -> Meeting:
    """Put a meeting in the calendar. A room booked for an overlapping meeting is refused; the
    room row is locked first, so two organisers cannot book the same slot at once."""
    now = now or timezone.now()
    _require(is_organiser(by), _("Only the secretariat schedules meetings."))
    if ends_at <= starts_at:
        raise ValidationError(_("The meeting must end after it starts."), code="times")
    with transaction.atomic():
        Room.objects.select_for_update().get(pk=room.pk)
        clash = overlapping(starts_at, ends_at).filter(room=room).first()
        if clash is not None:
            raise ValidationError(
                _("%(room)s is already booked for “%(other)s” at that time.")
                % {"room": room, "other": clash.title},
                code="double_booking",
            )
        meeting = Meeting.objects.create(
            kind=kind,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            room=room,
            chair=chair,
            created_by=by,
            created_at=now,
        )
        recorders = list(recorders)
        if recorders:
            _set_recorders(meeting, recorders)
        _audit(
            "meeting.schedule",
            by,
            meeting,
            to=meeting.state,
            changes={"starts_at": starts_at.isoformat(), "room": room.name},
            now=now,
        )
    return meeting


def _set_recorders(meeting: Meeting, recorders: list) -> None:
    if len({u.pk for u in recorders}) != 2:
        raise ValidationError(_("Name exactly two recorders."), code="recorders")
    meeting.recorders.set(recorders)


def meeting_set_recorders(*, by, meeting: Meeting, recorders: Iterable, now=None) -> Meeting:
    """The office sends two people to take the record (DOMAIN.md §6.1)."""
    _require(is_organiser(by), _("Only the secretariat names the recorders."))
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_state(meeting, *LIVE_STATES)
        recorders = list(recorders)
        _set_recorders(meeting, recorders)
        _audit(
            "meeting.recorders",
            by,
            meeting,
            changes={"recorders": [u.get_username() for u in recorders]},
            now=now,
        )
    return meeting


def meeting_cancel(*, by, meeting: Meeting, reason: str, now=None) -> Meeting:
    now = now or timezone.now()
    _require(is_organiser(by), _("Only the secretariat cancels meetings."))
    if not reason.strip():
        raise ValidationError(_("Give the reason."), code="reason")
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_state(meeting, *LIVE_STATES)
        old = meeting.state
        meeting.state = MeetingState.CANCELLED
        meeting.save(update_fields=["state"])
        for item in meeting.items.all():
            for work in _open_work_of(item):
                workitem_cancel(item=work, reason=reason, now=now)
        people = list(meeting.attendances.select_related("user"))
        notify(
            recipients=[a.user for a in people],
            title=_("Cancelled: %(t)s") % {"t": meeting.title},
            body=reason,
            url=meeting.get_absolute_url(),
            now=now,
        )
        _audit("meeting.cancel", by, meeting, old, meeting.state, comment=reason, now=now)
    return meeting


# --- agenda items -------------------------------------------------------------------------
def paper_deadline(meeting: Meeting) -> dt.datetime:
    """Papers are due N days (3 by default) before the meeting starts (DOMAIN.md §6.1)."""
    return meeting.starts_at - dt.timedelta(days=meeting.kind.paper_deadline_days)


def open_for_items():
    """Meetings a section may submit an item to: not yet held, not cancelled, in the future."""
    return Meeting.objects.filter(
        state__in=(MeetingState.PLANNED, MeetingState.AGENDA_APPROVED, MeetingState.NOTIFIED),
        starts_at__gt=timezone.now(),
    ).select_related("kind")


def item_submit(
    *,
    by,
    meeting: Meeting,
    title: str,
    briefing: str,
    consulted: str = "",
    needs_legal_review: bool = False,
    restricted: bool = False,
    now: dt.datetime | None = None,
) -> AgendaItem:
    """A section submits an item (议题) with its briefing paper. Papers later than the deadline
    mark the item late: it is not scheduled unless the mayor approves."""
    now = now or timezone.now()
    _require(by.has_perm("meetings.add_agendaitem"), _("You may not submit agenda items."))
    staff = getattr(by, "staff", None)
    _require(
        staff is not None and staff.section_id is not None,
        _("Only the staff of a section submit agenda items."),
    )
    briefing = briefing.strip()
    if not briefing:
        raise ValidationError(_("Attach the briefing paper."), code="briefing")
    # The non-classified boundary (issue 15; S-15b): the title, and the paper read as a page.
    check_not_classified(title=title, page=briefing, record=title)
    if len(briefing) > meeting.kind.paper_limit:
        raise ValidationError(
            _("The briefing paper has %(n)d characters; the limit is %(limit)d.")
            % {"n": len(briefing), "limit": meeting.kind.paper_limit},
            code="briefing_too_long",
        )
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_state(meeting, MeetingState.PLANNED, MeetingState.AGENDA_APPROVED)
        if meeting.starts_at <= now:
            raise TransitionError(_("This meeting has already started."))
        item = AgendaItem.objects.create(
            meeting=meeting,
            title=title.strip(),
            section=staff.section,
            submitted_by=by,
            submitted_at=now,
            briefing=briefing,
            consulted=consulted.strip(),
            needs_legal_review=needs_legal_review,
            restricted=restricted,
            late=now > paper_deadline(meeting),
            state=ItemState.LEGAL_REVIEW if needs_legal_review else ItemState.SUBMITTED,
        )
        if needs_legal_review:
            _open_work(
                item,
                title=_("Legality review: %(t)s") % {"t": item.title},
                action=WorkAction.REVIEW,
                url=meeting.get_absolute_url(),
                section=Section.objects.filter(code=LEGAL_SECTION_CODE).first(),
                due_at=_agenda_due(meeting, now),
                by=by,
                now=now,
            )
        else:
            _open_check(item, by=by, now=now)
        _audit(
            "agendaitem.submit",
            by,
            item,
            to=item.state,
            changes={"late": item.late, "characters": len(briefing)},
            now=now,
        )
    return item


def _open_check(item: AgendaItem, *, by, now) -> None:
    _open_work(
        item,
        title=_("Agenda item to check: %(t)s") % {"t": item.title},
        action=WorkAction.REVIEW,
        url=item.meeting.get_absolute_url(),
        assignee=item.meeting.kind.secretary_general,
        due_at=_agenda_due(item.meeting, now or timezone.now()),
        by=by,
        now=now,
    )


def item_legal_review(*, by, item: AgendaItem, opinion: str, cleared: bool, now=None) -> AgendaItem:
    """法制办 clears the item (it goes on to the secretary-general) or returns it."""
    _require(is_legal_reviewer(by), _("Only 法制办 reviews legality."))
    if not opinion.strip():
        raise ValidationError(_("Write the review opinion."), code="opinion")
    with transaction.atomic():
        item = _locked_item(item)
        _require_state(item, ItemState.LEGAL_REVIEW)
        old = item.state
        item.legal_opinion = opinion.strip()
        item.state = ItemState.SUBMITTED if cleared else ItemState.RETURNED
        item.save(update_fields=["legal_opinion", "state"])
        _close_work(item, by=by, outcome=opinion.strip(), now=now)
        if cleared:
            _open_check(item, by=by, now=now)
        notify(
            recipients=[item.submitted_by],
            title=(_("Legality review cleared: %(t)s") if cleared else _("Returned: %(t)s"))
            % {"t": item.title},
            body=opinion,
            url=item.meeting.get_absolute_url(),
            now=now,
        )
        _audit("agendaitem.legal_review", by, item, old, item.state, comment=opinion, now=now)
    return item


def item_check(*, by, item: AgendaItem, accept: bool, comment: str = "", now=None) -> AgendaItem:
    """The secretary-general checks the item: coordinated and ready, or returned
    ("未经协调的问题，不得提请常务会议审议")."""
    with transaction.atomic():
        item = _locked_item(item)
        _require(
            by.pk == item.meeting.kind.secretary_general_id,
            _("Only the secretary-general checks agenda items."),
        )
        _require_state(item, ItemState.SUBMITTED)
        if not accept and not comment.strip():
            raise ValidationError(_("Give the reason for returning it."), code="comment")
        old = item.state
        item.state = ItemState.CHECKED if accept else ItemState.RETURNED
        item.save(update_fields=["state"])
        _close_work(item, by=by, outcome=comment or item.get_state_display(), now=now)
        if not accept:
            notify(
                recipients=[item.submitted_by],
                title=_("Returned: %(t)s") % {"t": item.title},
                body=comment,
                url=item.meeting.get_absolute_url(),
                now=now,
            )
        _audit("agendaitem.check", by, item, old, item.state, comment=comment, now=now)
    return item


def item_approve_late(*, by, item: AgendaItem, now=None) -> AgendaItem:
    """Only the mayor lets an item with late papers onto the agenda."""
    with transaction.atomic():
        item = _locked_item(item)
        _require(by.pk == item.meeting.kind.mayor_id, _("Only the mayor approves late papers."))
        if not item.late or item.late_approved:
            raise TransitionError(_("These papers need no approval."))
        _require_state(item, ItemState.SUBMITTED, ItemState.LEGAL_REVIEW, ItemState.CHECKED)
        item.late_approved = True
        item.save(update_fields=["late_approved"])
        _audit("agendaitem.approve_late", by, item, changes={"late_approved": True}, now=now)
    return item


def schedulable(item: AgendaItem) -> bool:
    return item.state == ItemState.CHECKED and (not item.late or item.late_approved)


def agenda_approve(*, by, meeting: Meeting, now=None) -> Meeting:
    """The mayor sets the agenda: every checked item whose papers were on time (or approved
    late) goes on it, in the order submitted. From now on only the mayor changes it."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require(by.pk == meeting.kind.mayor_id, _("Only the mayor sets the agenda."))
        _require_state(meeting, MeetingState.PLANNED)
        items = [
            i
            for i in AgendaItem.objects.select_for_update().filter(meeting=meeting)
            if schedulable(i)
        ]
        if not items:
            raise TransitionError(_("No checked agenda item is ready for the agenda."))
        for position, item in enumerate(items, start=1):
            item.state = ItemState.SCHEDULED
            item.position = position
        AgendaItem.objects.bulk_update(items, ["state", "position"])
        meeting.state = MeetingState.AGENDA_APPROVED
        meeting.agenda_approved_at = now
        meeting.save(update_fields=["state", "agenda_approved_at"])
        _audit(
            "meeting.agenda_approve",
            by,
            meeting,
            MeetingState.PLANNED,
            meeting.state,
            changes={"items": [i.pk for i in items]},
            now=now,
        )
    return meeting


def agenda_change(*, by, item: AgendaItem, add: bool, now=None) -> AgendaItem:
    """After approval the agenda is not extended except with the mayor's approval (§6.1): the
    mayor alone adds a checked item or takes one off."""
    with transaction.atomic():
        meeting = _locked_meeting(item.meeting)
        item = _locked_item(item)
        _require(by.pk == meeting.kind.mayor_id, _("Only the mayor changes an approved agenda."))
        _require_state(meeting, MeetingState.AGENDA_APPROVED, MeetingState.NOTIFIED)
        old = item.state
        if add:
            _require_state(item, ItemState.CHECKED)
            last = meeting.items.filter(state=ItemState.SCHEDULED).order_by("-position").first()
            item.position = (last.position if last else 0) + 1
            item.state = ItemState.SCHEDULED
            item.late_approved = item.late_approved or item.late
        else:
            _require_state(item, ItemState.SCHEDULED)
            item.state = ItemState.CHECKED
        item.save(update_fields=["state", "position", "late_approved"])
        _audit(
            "meeting.agenda_add" if add else "meeting.agenda_remove",
            by,
            item,
            old,
            item.state,
            now=now,
        )
    return item


# --- notices and answers -------------------------------------------------------------------
def notice_date(meeting: Meeting) -> dt.date:
    """N working days (1 by default) before the meeting day."""
    day = timezone.localtime(meeting.starts_at).date()
    left = meeting.kind.notice_workdays
    while left > 0:
        day -= dt.timedelta(days=1)
        if workcalendar.is_workday(day):
            left -= 1
    return day


def meeting_notify(*, by=None, meeting: Meeting, now=None) -> Meeting:
    """Send the notices to the members and to those attending without a vote. `by=None` is
    the scheduled job (`meetings.tasks.send_due_notices`)."""
    now = now or timezone.now()
    if by is not None:
        _require(is_organiser(by), _("Only the secretariat sends meeting notices."))
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_state(meeting, MeetingState.AGENDA_APPROVED)
        members = {meeting.chair_id, *meeting.kind.members.values_list("pk", flat=True)}
        guests = set(meeting.kind.standing_attendees.values_list("pk", flat=True)) - members
        existing = set(meeting.attendances.values_list("user_id", flat=True))
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=meeting, user_id=uid, role=AttendanceRole.MEMBER)
                for uid in sorted(members - existing)
            ]
            + [
                Attendance(meeting=meeting, user_id=uid, role=AttendanceRole.ATTENDEE)
                for uid in sorted(guests - existing)
            ]
        )
        meeting.state = MeetingState.NOTIFIED
        meeting.notified_at = now
        meeting.save(update_fields=["state", "notified_at"])
        local = timezone.localtime(meeting.starts_at)
        notify(
            recipients=[a.user for a in meeting.attendances.select_related("user")],
            title=_("Meeting notice: %(t)s") % {"t": meeting.title},
            body=_(
                "%(date)s %(time)s in %(room)s. Please confirm your attendance or ask for leave."
            )
            % {
                "date": f"{local.year}年{local.month}月{local.day}日",
                "time": f"{local:%H:%M}",
                "room": meeting.room.name,
            },
            url=meeting.get_absolute_url(),
            now=now,
        )
        _audit("meeting.notify", by, meeting, MeetingState.AGENDA_APPROVED, meeting.state, now=now)
    return meeting


def send_due_notices(*, now=None) -> int:
    """Notices for every approved meeting whose notice day has come. Idempotent: a meeting
    leaves AGENDA_APPROVED when its notices go out."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    sent = 0
    for meeting in Meeting.objects.filter(
        state=MeetingState.AGENDA_APPROVED, starts_at__gt=now
    ).select_related("kind"):
        if notice_date(meeting) <= today:
            try:
                meeting_notify(meeting=meeting, now=now)
            except TransitionError:
                continue  # notified meanwhile by the office
            sent += 1
    return sent


def attendance_respond(
    *,
    by,
    meeting: Meeting,
    attend: bool,
    reason: str = "",
    substitute: str = "",
    now=None,
) -> Attendance:
    """Confirm attendance, or ask for leave with a reason and, if any, a substitute."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        attendance = Attendance.objects.select_for_update().filter(meeting=meeting, user=by).first()
        _require(attendance is not None, _("You have no notice for this meeting."))
        _require_state(meeting, MeetingState.NOTIFIED)
        if attendance.checked_in_at:
            raise TransitionError(_("You have already checked in."))
        if not attend and not reason.strip():
            raise ValidationError(_("Give the reason for your leave."), code="reason")
        old = attendance.response
        attendance.response = Response.CONFIRMED if attend else Response.LEAVE
        attendance.leave_reason = "" if attend else reason.strip()
        attendance.substitute = "" if attend else substitute.strip()
        attendance.answered_at = now
        attendance.save()
        _audit(
            "meeting.respond",
            by,
            meeting,
            changes={"response": attendance.response, "from": old},
            comment=attendance.leave_reason,
            now=now,
        )
    return attendance


# --- check-in -------------------------------------------------------------------------------
def check_in(*, by, meeting: Meeting, user=None, now=None) -> Attendance:
    """签到: by the secretariat at the door for anyone on the list, or by the attendee
    themselves (the per-meeting check-in link, signed in). Only while the meeting is on."""
    now = now or timezone.now()
    user = user or by
    if user.pk != by.pk:
        _require(is_organiser(by), _("Only the secretariat checks other people in."))
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        attendance = (
            Attendance.objects.select_for_update().filter(meeting=meeting, user=user).first()
        )
        _require(attendance is not None, _("This person is not on the attendance list."))
        _require_state(meeting, MeetingState.NOTIFIED)
        opens = meeting.starts_at - dt.timedelta(hours=2)
        if not opens <= now <= meeting.ends_at:
            raise TransitionError(_("Check-in opens two hours before the meeting starts."))
        if attendance.checked_in_at:
            raise TransitionError(_("Already checked in."))
        attendance.checked_in_at = now
        attendance.checked_in_by = by
        attendance.save(update_fields=["checked_in_at", "checked_in_by"])
        _audit(
            "meeting.check_in",
            by,
            meeting,
            changes={"user": user.get_username()},
            now=now,
        )
    return attendance


def quorum(meeting: Meeting, attendances: Iterable[Attendance] | None = None) -> dict:
    """Members checked in against more than half of the members (DOMAIN.md §6.1)."""
    rows = list(meeting.attendances.all()) if attendances is None else list(attendances)
    members = [a for a in rows if a.role == AttendanceRole.MEMBER]
    present = sum(1 for a in members if a.checked_in_at)
    needed = len(members) // 2 + 1
    return {
        "present": present,
        "members": len(members),
        "needed": needed,
        "reached": bool(members) and present >= needed,
    }


# --- the record -----------------------------------------------------------------------------
def _recording(by, item: AgendaItem) -> tuple[Meeting, AgendaItem]:
    meeting = _locked_meeting(item.meeting)
    _require(is_recorder(by, meeting), _("Only the meeting's recorders take the record."))
    _require_state(meeting, MeetingState.NOTIFIED)
    item = _locked_item(item)
    _require_state(item, ItemState.SCHEDULED)
    return meeting, item


def record_note(*, by, item: AgendaItem, text: str, now=None) -> RecordNote:
    now = now or timezone.now()
    if not text.strip():
        raise ValidationError(_("Write the notes."), code="text")
    with transaction.atomic():
        _meeting, item = _recording(by, item)
        note, _created = RecordNote.objects.update_or_create(
            item=item, recorder=by, defaults={"text": text.strip(), "updated_at": now}
        )
        _audit("agendaitem.record", by, item, changes={"characters": len(text)}, now=now)
    return note


def item_outcome(*, by, item: AgendaItem, outcome: str, note: str = "", now=None) -> AgendaItem:
    if outcome not in Outcome.values:
        raise ValidationError(_("Choose the outcome."), code="outcome")
    with transaction.atomic():
        _meeting, item = _recording(by, item)
        old = item.outcome
        item.outcome = outcome
        item.outcome_note = note.strip()
        item.save(update_fields=["outcome", "outcome_note"])
        _audit(
            "agendaitem.outcome",
            by,
            item,
            changes={"outcome": outcome, "from": old},
            comment=note,
            now=now,
        )
    return item


def decision_add(
    *,
    by,
    item: AgendaItem,
    text: str,
    due_on: dt.date,
    section=None,
    unit=None,
    now=None,
) -> Decision:
    """议定事项: each with a responsible section or unit and a deadline."""
    now = now or timezone.now()
    if not text.strip():
        raise ValidationError(_("Write the decision."), code="text")
    if (section is None) == (unit is None):
        raise ValidationError(_("Name one responsible section or unit."), code="responsible")
    if due_on <= timezone.localtime(now).date():
        raise ValidationError(_("The deadline must be in the future."), code="due_on")
    with transaction.atomic():
        _meeting, item = _recording(by, item)
        if item.outcome == Outcome.REJECTED:
            raise TransitionError(_("A rejected item has no decisions."))
        decision = Decision.objects.create(
            item=item, text=text.strip(), due_on=due_on, section=section, unit=unit, created_by=by
        )
        _audit(
            "decision.add",
            by,
            decision,
            changes={"item": item.pk, "due_on": due_on.isoformat()},
            now=now,
        )
    return decision


def meeting_close_record(*, by, meeting: Meeting, now=None) -> Meeting:
    """The record is complete: every item on the agenda has its outcome."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require(
            is_recorder(by, meeting) or is_organiser(by),
            _("Only the recorders or the secretariat close the record."),
        )
        _require_state(meeting, MeetingState.NOTIFIED)
        if meeting.recorders.count() != 2:
            raise TransitionError(_("Name the two recorders first."))
        if meeting.items.filter(state=ItemState.SCHEDULED, outcome="").exists():
            raise TransitionError(_("Every agenda item needs its outcome first."))
        meeting.state = MeetingState.HELD
        meeting.held_at = now
        meeting.save(update_fields=["state", "held_at"])
        _audit("meeting.close_record", by, meeting, MeetingState.NOTIFIED, meeting.state, now=now)
    return meeting


# --- minutes --------------------------------------------------------------------------------
def minutes_text_from_record(meeting: Meeting) -> str:
    """A first draft: one paragraph per agenda item, its outcome and its decisions."""
    local = timezone.localtime(meeting.starts_at)
    lines = [
        f"{local.year}年{local.month}月{local.day}日，{display_name(meeting.chair)}在"
        f"{meeting.room.name}主持召开{meeting.kind.name}，研究了以下事项。现纪要如下："
    ]
    numerals = "一二三四五六七八九十"
    items = meeting.items.filter(state=ItemState.SCHEDULED).prefetch_related(
        "decisions__section", "decisions__unit"
    )
    for n, item in enumerate(items):
        head = numerals[n] if n < len(numerals) else str(n + 1)
        lines.append(f"{head}、{item.title}")
        lines.append(
            f"会议听取了{item.section.name}关于{item.title.removeprefix('关于')}的汇报，"
            f"{item.get_outcome_display() or '进行了研究'}。{item.outcome_note}".strip()
        )
        for k, d in enumerate(item.decisions.all(), start=1):
            due = f"{d.due_on.year}年{d.due_on.month}月{d.due_on.day}日"
            lines.append(f"{k}.{d.text}（责任单位：{d.responsible}；完成时限：{due}前）")
    return "\n".join(lines)


def minutes_draft(*, by, meeting: Meeting, body: str = "", now=None) -> Minutes:
    """Draft the minutes from the record (or save an edited draft)."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require(
            is_recorder(by, meeting) or is_organiser(by),
            _("Only the recorders or the secretariat draft the minutes."),
        )
        _require_state(meeting, MeetingState.HELD)
        minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
        if minutes is not None and minutes.state != MinutesState.DRAFT:
            raise TransitionError(_("The minutes are no longer a draft."))
        text = body.strip() or minutes_text_from_record(meeting)
        if minutes is None:
            minutes = Minutes.objects.create(
                meeting=meeting,
                kind=meeting.kind,
                body=text,
                state=MinutesState.DRAFT,
                drafted_by=by,
                drafted_at=now,
            )
        else:
            minutes.body = text
            minutes.save(update_fields=["body"])
        if not _open_work_of(minutes):
            _open_work(
                minutes,
                title=_("Minutes to check: %(t)s") % {"t": meeting.title},
                action=WorkAction.REVIEW,
                url=meeting.get_absolute_url(),
                assignee=meeting.kind.secretary_general,
                due_at=_in_workdays(now, 2),
                by=by,
                now=now,
            )
        _audit("minutes.draft", by, minutes, to=minutes.state, now=now)
    return minutes


def _locked_minutes(minutes: Minutes) -> Minutes:
    return (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__kind", "meeting__chair")
        .get(pk=minutes.pk)
    )


def minutes_check(*, by, minutes: Minutes, accept: bool = True, comment: str = "", now=None):
    """The secretary-general checks the draft; returning it keeps it a draft."""
    now = now or timezone.now()
    with transaction.atomic():
        minutes = _locked_minutes(minutes)
        _require(
            by.pk == minutes.meeting.kind.secretary_general_id,
            _("Only the secretary-general checks the minutes."),
        )
        _require_state(minutes, MinutesState.DRAFT)
        if accept:
            minutes.state = MinutesState.CHECKED
            minutes.checked_by = by
            minutes.save(update_fields=["state", "checked_by"])
            _close_work(minutes, by=by, outcome=minutes.get_state_display(), now=now)
            _open_work(
                minutes,
                title=_("Minutes to sign: %(t)s") % {"t": minutes.meeting.title},
                action=WorkAction.SIGN,
                url=minutes.meeting.get_absolute_url(),
                assignee=signer_of(minutes.meeting),
                due_at=_in_workdays(now, 2),
                by=by,
                now=now,
            )
        elif not comment.strip():
            raise ValidationError(_("Give the reason for returning it."), code="comment")
        else:
            # Back to the drafters; the secretary-general's work stays open until the next check.
            notify(
                recipients=[minutes.drafted_by],
                title=_("Minutes returned: %(t)s") % {"t": minutes.meeting.title},
                body=comment,
                url=minutes.meeting.get_absolute_url(),
                now=now,
            )
        _audit(
            "minutes.check",
            by,
            minutes,
            MinutesState.DRAFT,
            minutes.state,
            comment=comment,
            now=now,
        )
    return minutes


def minutes_sign(*, by, minutes: Minutes, now=None) -> Minutes:
    now = now or timezone.now()
    with transaction.atomic():
        minutes = _locked_minutes(minutes)
        signer = signer_of(minutes.meeting)
        _require(
            by.pk == signer.pk,
            _("Only %(name)s signs these minutes.") % {"name": display_name(signer)},
        )
        _require_state(minutes, MinutesState.CHECKED)
        minutes.state = MinutesState.SIGNED
        minutes.signed_by = by
        minutes.signed_at = now
        minutes.save(update_fields=["state", "signed_by", "signed_at"])
        _close_work(minutes, by=by, outcome=minutes.get_state_display(), now=now)
        _audit("minutes.sign", by, minutes, MinutesState.CHECKED, minutes.state, now=now)
    return minutes


def _next_number(kind: MeetingKind, year: int) -> int:
    """Gapless per kind and year: the counter row is locked until the issuing transaction ends,
    so a rolled-back issue gives its number back (SECURITY.md S-29)."""
    return next_number(f"meetings:{kind.pk}", year)


def minutes_issue(*, by, minutes: Minutes, now=None) -> Minutes:
    """Issue the signed minutes with the next number and distribute them to everyone on the
    attendance list; the meeting is closed."""
    now = now or timezone.now()
    _require(is_organiser(by), _("Only the secretariat issues the minutes."))
    with transaction.atomic():
        minutes = _locked_minutes(minutes)
        _require_state(minutes, MinutesState.SIGNED)
        meeting = _locked_meeting(minutes.meeting)
        year = timezone.localtime(now).year
        minutes.year = year
        minutes.number = _next_number(meeting.kind, year)
        minutes.state = MinutesState.ISSUED
        minutes.issued_at = now
        minutes.save(update_fields=["year", "number", "state", "issued_at"])
        meeting.state = MeetingState.CLOSED
        meeting.save(update_fields=["state"])
        open_supervision_tasks(by=by, minutes=minutes, now=now)
        notify(
            recipients=[a.user for a in meeting.attendances.select_related("user")],
            title=_("Minutes issued: %(t)s %(n)s") % {"t": meeting.title, "n": minutes.reference},
            url=meeting.get_absolute_url(),
            now=now,
        )
        _audit(
            "minutes.issue",
            by,
            minutes,
            MinutesState.SIGNED,
            minutes.state,
            changes={"number": minutes.reference},
            now=now,
        )
    return minutes


def minutes_print(*, by, minutes: Minutes, now=None):
    """印制 of issued minutes: typeset once and kept as issued (office.models.RecordCopy, SHA-256
    in the audit entry); every later print serves that copy. Returns the record copy."""
    from office.services.records import record_copy, record_keep

    from . import typeset

    now = now or timezone.now()
    with transaction.atomic():
        minutes = _locked_minutes(minutes)
        _require_state(minutes, MinutesState.ISSUED)
        existing = record_copy(minutes)
        if existing is not None:
            return existing
        ctx = typeset.context(minutes.meeting, minutes)
        printed = typeset.ts.typeset(ctx, ofd=True)
        return record_keep(
            obj=minutes,
            printed=printed,
            reference=minutes.reference,
            title=ctx["title"],
            fonts=ctx["font_note"],
            by=by,
            now=now,
        )


def open_supervision_tasks(*, by, minutes: Minutes, now) -> int:
    """Each decision in the minutes becomes a supervised task (DOMAIN.md §6.1, §5.1), assigned
    to its responsible section or unit with its deadline, in the issuing transaction. The task
    points back at its decision (`SupervisionTask.objects.for_source(decision)`). The issuer
    opens it when they hold the supervision permission; otherwise the system does (by=None)."""
    from supervision.models import SupervisionSource
    from supervision.services import can_open, is_leader, task_open

    meeting = minutes.meeting
    decisions = list(
        Decision.objects.filter(
            item__meeting=meeting, item__state=ItemState.SCHEDULED
        ).select_related("section", "unit")
    )
    for decision in decisions:
        task_open(
            by=by if can_open(by) else None,
            title=decision.text[:200],
            requirements=decision.text,
            source=SupervisionSource.MEETING_DECISION,
            source_object=decision,
            source_reference=f"{meeting.kind.minutes_title}{minutes.reference}",
            leader=meeting.chair if is_leader(meeting.chair) else None,
            lead_section=decision.section,
            lead_unit=decision.unit,
            due_on=decision.due_on,
            now=now,
        )
    return len(decisions)
