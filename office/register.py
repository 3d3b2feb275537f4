"""The monthly 限时办结 register (DOMAIN.md §5.5: 限时办结事项登记表), computed from work items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from . import workcalendar
from .models import Section, WorkItem, WorkKind, WorkState


@dataclass
class RegisterRow:
    section: str
    kind: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open_not_due: int = 0
    kinds: list = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        judged = self.on_time + self.late + self.overdue
        return round(100.0 * self.on_time / judged, 1) if judged else None


def month_bounds(month_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    nxt = (month_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    tz = workcalendar.local_tz()
    return (
        dt.datetime.combine(month_start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(nxt, dt.time.min, tzinfo=tz),
    )


def monthly_register(month_start: dt.date, *, now: dt.datetime) -> list[RegisterRow]:
    """Per section and kind: work due in the month; done on time, done late, still overdue.

    One aggregate query; work given to a person counts for that person's section.
    """
    start, end = month_bounds(month_start)
    qs = (
        WorkItem.objects.filter(due_at__gte=start, due_at__lt=end)
        .exclude(state=WorkState.CANCELLED)
        .annotate(sec=Coalesce("section_id", "assignee__staff__section_id"))
        .values("sec", "kind")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(state=WorkState.DONE, completed_at__lte=F("due_at"))),
            late=Count("pk", filter=Q(state=WorkState.DONE, completed_at__gt=F("due_at"))),
            overdue=Count("pk", filter=Q(state=WorkState.OPEN, due_at__lt=now)),
            open_not_due=Count("pk", filter=Q(state=WorkState.OPEN, due_at__gte=now)),
        )
        .order_by()
    )
    names = dict(Section.objects.values_list("pk", "name"))
    order = {pk: i for i, pk in enumerate(Section.objects.values_list("pk", flat=True))}
    kinds = dict(WorkKind.choices)
    rows = [
        RegisterRow(
            section=names.get(r["sec"], "—"),
            kind=str(kinds.get(r["kind"], r["kind"])),
            due=r["due"],
            on_time=r["on_time"],
            late=r["late"],
            overdue=r["overdue"],
            open_not_due=r["open_not_due"],
        )
        for r in sorted(qs, key=lambda r: (order.get(r["sec"], 10**6), r["kind"]))
    ]
    return rows


def totals(rows: list[RegisterRow]) -> RegisterRow:
    total = RegisterRow(section="", kind="")
    for r in rows:
        total.due += r.due
        total.on_time += r.on_time
        total.late += r.late
        total.overdue += r.overdue
        total.open_not_due += r.open_not_due
    return total
