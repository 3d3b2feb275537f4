"""Meetings benchmarks: ten years of meetings (5,000 meetings, 50,000 agenda items, 100,000
decisions at full volume), the calendar's month view and a 10-page minutes PDF."""

from __future__ import annotations

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bench.registry import page, scaled, seeder, task, url

MEETING_VOLUME = 5_000
ITEMS_PER_MEETING = 10
DECISIONS_PER_ITEM = 2
YEARS = 10
PREFIX = "BENCH "
SH = ZoneInfo("Asia/Shanghai")
# The month measured: December 2026, the last of the ten years (2017–2026).
MONTH = dt.date(2026, 12, 1)


def _bench_meetings():
    from meetings.models import Meeting

    return Meeting.objects.filter(title__startswith=PREFIX)


@seeder("meetings", needs=("demo",))
def seed_meetings(scale: float) -> str:
    """Meetings spread evenly over ten years, in the demo rooms, chaired by the mayor, each
    with ten items from the sections and two decisions per item. Whole meetings commit per
    batch, so meetings 1 … count are present and a larger scale adds the rest."""
    from meetings.models import (
        AgendaItem,
        Decision,
        ItemState,
        Meeting,
        MeetingKind,
        MeetingState,
        Outcome,
        Room,
    )
    from office.models import Section

    target = scaled(MEETING_VOLUME, scale)
    have = _bench_meetings().count()
    if have >= target:
        return f"{have:,} meetings present"
    kinds = list(MeetingKind.objects.order_by("pk"))
    rooms = list(Room.objects.order_by("pk"))
    sections = list(Section.objects.order_by("pk"))
    mayor = User.objects.get(username="mayor")
    secretary = User.objects.get(username="secretary")
    first = dt.datetime(2026 - YEARS + 1, 1, 1, 9, tzinfo=SH)
    span = dt.datetime(2027, 1, 1, tzinfo=SH) - first
    now = timezone.now()
    for start in range(have, target, 200):
        with transaction.atomic():
            meetings = []
            for n in range(start, min(start + 200, target)):
                at = first + span * n / target
                at = at.replace(hour=9 + (n % 3) * 2, minute=0, second=0, microsecond=0)
                meetings.append(
                    Meeting(
                        kind=kinds[n % len(kinds)],
                        title=f"{PREFIX}{at:%Y年%m月%d日}会议{n}",
                        starts_at=at,
                        ends_at=at + dt.timedelta(hours=2),
                        room=rooms[n % len(rooms)],
                        chair=mayor,
                        state=MeetingState.CLOSED,
                        created_by=secretary,
                        created_at=now,
                        checkin_token=secrets.token_urlsafe(32),
                    )
                )
            Meeting.objects.bulk_create(meetings)
            items = [
                AgendaItem(
                    meeting=m,
                    title=f"议题{k}",
                    section=sections[k % len(sections)],
                    submitted_by=secretary,
                    submitted_at=m.starts_at - dt.timedelta(days=5),
                    briefing="汇报材料。" * 40,
                    state=ItemState.SCHEDULED,
                    position=k + 1,
                    outcome=Outcome.PASSED,
                )
                for m in meetings
                for k in range(ITEMS_PER_MEETING)
            ]
            AgendaItem.objects.bulk_create(items, batch_size=2000)
            Decision.objects.bulk_create(
                [
                    Decision(
                        item=i,
                        text=f"由{i.section.name}牵头落实（{d + 1}）。",
                        section=i.section,
                        due_on=(i.submitted_at + dt.timedelta(days=40)).date(),
                        created_by=secretary,
                    )
                    for i in items
                    for d in range(DECISIONS_PER_ITEM)
                ],
                batch_size=2000,
            )
    return f"created {target - have:,} meetings"


_VOLUME = "5,000 meetings, 50,000 items, 100,000 decisions"

page(
    "meetings: calendar month view, the mayor",
    url("meetings:calendar", view="month", date=MONTH.isoformat()),
    persona="mayor",
    volume_note=_VOLUME,
    needs=("meetings",),
    rows=lambda: _bench_meetings().count(),
)
page(
    "meetings: calendar month view, the secretariat",
    url("meetings:calendar", view="month", date=MONTH.isoformat()),
    persona="secretary",
    volume_note=_VOLUME,
    needs=("meetings",),
    rows=lambda: _bench_meetings().count(),
)
page(
    "meetings: list, the mayor",
    url("meetings:index"),
    persona="mayor",
    volume_note=_VOLUME,
    needs=("meetings",),
    rows=lambda: _bench_meetings().count(),
)


@task(
    "meetings: minutes PDF, 10 pages",
    volume_note="one issued 纪要, 10 items × 3 decisions + long text",
    needs=("meetings",),
    repeat=5,
)
def minutes_pdf(timed) -> str:
    from meetings import typeset
    from meetings.models import Minutes, MinutesState

    meeting = _bench_meetings().order_by("-starts_at").first()
    paragraphs = []
    for n, item in enumerate(meeting.items.all()):
        paragraphs.append(f"{'一二三四五六七八九十'[n]}、{item.title}")
        paragraphs += [
            "会议听取了汇报，研究了有关工作。会议要求，" + "要高度重视，压实责任。" * 14
        ] * 2
        paragraphs += [f"{d + 1}.由有关部门牵头落实，按时报送进展情况。" for d in range(3)]
    with transaction.atomic():
        minutes = Minutes(
            meeting=meeting,
            kind=meeting.kind,
            body="\n".join(paragraphs),
            state=MinutesState.ISSUED,
            year=2026,
            number=1,
            drafted_by=meeting.created_by,
            drafted_at=timezone.now(),
            issued_at=timezone.now(),
        )
        context = typeset.context(meeting, minutes)
        with timed():
            pdf = typeset.ts.typeset(context).pdf
        transaction.set_rollback(True)
    from io import BytesIO

    from pypdf import PdfReader

    return f"{len(PdfReader(BytesIO(pdf)).pages)} pages, {len(pdf) // 1024} KB"
