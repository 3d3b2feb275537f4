"""Shared steps for the meeting tests: take a meeting to any stage with the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from meetings import services
from meetings.models import MeetingKind, Room
from office.models import Section

SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10, minute: int = 0, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


# Thursday 2026-12-10, 09:00–12:00: papers are due on Monday 12-07 09:00, notices on 12-09.
STARTS = at(10, 9)
ENDS = at(10, 12)
ON_TIME = at(3)
LATE = at(8)
BRIEFING = "关于2026年冬季供暖保障工作的汇报。" * 10


def user(username: str) -> User:
    return User.objects.get(username=username)


def kind(code: str = "executive") -> MeetingKind:
    return MeetingKind.objects.get(code=code)


def room(name: str = "第一会议室") -> Room:
    return Room.objects.get(name=name)


def _free_room(starts, ends) -> Room:
    """The first room nobody has booked then, so tests can put several meetings side by side."""
    busy = services.overlapping(starts, ends).values("room")
    return Room.objects.exclude(pk__in=busy).order_by("name").first()


def schedule(
    *,
    starts=STARTS,
    ends=ENDS,
    room_name=None,
    title="市政府第34次常务会议",
    code="executive",
    chair="mayor",
):
    return services.meeting_schedule(
        by=user("secretary"),
        kind=kind(code),
        title=title,
        starts_at=starts,
        ends_at=ends,
        room=room(room_name) if room_name else _free_room(starts, ends),
        chair=user(chair),
        recorders=[user("secretary"), user("secretary_head")],
        now=at(1),
    )


def submit(meeting, *, by="clerk", now=ON_TIME, legal=False, title="冬季供暖保障工作", **kw):
    return services.item_submit(
        by=user(by),
        meeting=meeting,
        title=title,
        briefing=kw.pop("briefing", BRIEFING),
        consulted="市住建局、市财政局",
        needs_legal_review=legal,
        now=now,
        **kw,
    )


def checked(meeting, **kw):
    item = submit(meeting, **kw)
    return services.item_check(by=user("secgeneral"), item=item, accept=True, now=ON_TIME)


def approved(**kw):
    meeting = schedule(**kw)
    checked(meeting)
    return services.agenda_approve(
        by=user("mayor"), meeting=meeting, now=meeting.starts_at - dt.timedelta(days=2)
    )


def notified(**kw):
    meeting = approved(**kw)
    return services.meeting_notify(
        by=user("secretary"), meeting=meeting, now=meeting.starts_at - dt.timedelta(days=1)
    )


def held(*, decisions: int = 1, **kw):
    meeting = notified(**kw)
    recorder = user("secretary")
    for username in ("mayor", "vicemayor", "secgeneral"):
        services.check_in(
            by=recorder,
            meeting=meeting,
            user=user(username),
            now=meeting.starts_at - dt.timedelta(minutes=10),
        )
    during = meeting.starts_at + dt.timedelta(hours=1)
    for item in meeting.items.all():
        services.record_note(
            by=recorder, item=item, text="王市长：要确保群众温暖过冬。", now=during
        )
        services.item_outcome(by=recorder, item=item, outcome="passed", now=during)
        for n in range(decisions):
            services.decision_add(
                by=recorder,
                item=item,
                text=f"由市住建局牵头，落实供暖保障措施（{n + 1}）。",
                section=Section.objects.get(code="general"),
                due_on=dt.date(2026, 12, 31),
                now=during,
            )
    return services.meeting_close_record(by=recorder, meeting=meeting, now=meeting.ends_at)


def signed(**kw):
    meeting = held(**kw)
    after = meeting.ends_at + dt.timedelta(hours=2)
    minutes = services.minutes_draft(by=user("secretary"), meeting=meeting, now=after)
    minutes = services.minutes_check(by=user("secgeneral"), minutes=minutes, now=after)
    return services.minutes_sign(by=services.signer_of(meeting), minutes=minutes, now=after)


def issued(**kw):
    minutes = signed(**kw)
    return services.minutes_issue(
        by=user("secretary"), minutes=minutes, now=minutes.signed_at + dt.timedelta(hours=1)
    )
