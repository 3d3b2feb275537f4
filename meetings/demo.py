"""Demo meeting kinds, rooms and one planned 常务会议 (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

KINDS = [
    # code, name, minutes mark, numbering, signed by the chair
    ("executive", "常务会议", "乌兰浩特市人民政府常务会议纪要", "session", False),
    ("plenary", "全体会议", "乌兰浩特市人民政府全体会议纪要", "session", False),
    ("government", "政务会议", "乌兰浩特市人民政府政务会议纪要", "session", False),
    ("topical", "专题会议", "乌兰浩特市人民政府专题会议纪要", "number", True),
    ("mayor-office", "市长办公会议", "乌兰浩特市市长办公会议纪要", "number", True),
]
ROOMS = [("第一会议室", 40), ("第二会议室", 20), ("常务会议室", 30)]


def seed_demo() -> str:
    from .models import Meeting, MeetingKind, Room

    User = get_user_model()
    people = User.objects.in_bulk(
        ["mayor", "vicemayor", "secgeneral", "legal_head", "secretary", "secretary_head"],
        field_name="username",
    )
    if "mayor" not in people or "secgeneral" not in people:
        return "no demo people; nothing seeded"
    created = 0
    for order, (code, name, mark, style, by_chair) in enumerate(KINDS, start=1):
        kind, new = MeetingKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "minutes_title": mark,
                "number_style": style,
                "signed_by_chair": by_chair,
                "mayor": people["mayor"],
                "secretary_general": people["secgeneral"],
                "display_order": order,
            },
        )
        if new:
            created += 1
            kind.members.set([people[u] for u in ("mayor", "vicemayor", "secgeneral")])
            if "legal_head" in people:
                kind.standing_attendees.set([people["legal_head"]])
    for name, seats in ROOMS:
        Room.objects.get_or_create(name=name, defaults={"capacity": seats})
    meetings = 0
    executive = MeetingKind.objects.get(code="executive")
    if not Meeting.objects.exists() and "secretary" in people:
        start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
        start += dt.timedelta(days=7)
        meeting = Meeting.objects.create(
            kind=executive,
            title="市政府第33次常务会议",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            room=Room.objects.get(name="常务会议室"),
            chair=people["mayor"],
            created_by=people["secretary"],
            created_at=timezone.now(),
        )
        recorders = [people[u] for u in ("secretary", "secretary_head") if u in people]
        if len(recorders) == 2:
            meeting.recorders.set(recorders)
        meetings = 1
    return f"{created} meeting kinds, {len(ROOMS)} rooms, {meetings} new meeting."
