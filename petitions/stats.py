"""Statistics (信访统计): the four standard rates, computed from the records, never typed in.

- 及时受理率: decisions made by the 15-day deadline ÷ decisions made;
- 按期办结率: replies issued by the (possibly extended) 60-day deadline ÷ replies issued;
- 参评率: petitions rated ÷ petitions answered (open to rating);
- 满意率: ratings among the first PETITION_SATISFIED_COUNT of the scale ÷ ratings given.

Each is one aggregate query over the period's petitions (conditional counts), grouped when asked;
the month chart is a server-side SVG (no JavaScript).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import PetitionState

ANSWERED = [PetitionState.REPLIED, PetitionState.REVIEW, PetitionState.REVIEWED]
ANSWERED += [PetitionState.RE_REVIEW, PetitionState.RE_REVIEWED]

GROUPS = {
    "channel": "channel",
    "category": "category",
    "subject_area": "subject_area",
    "unit": "assignments__unit__short_name",
}


@dataclass
class Rates:
    label: str
    received: int
    decided: int
    decided_on_time: int
    replied: int
    replied_on_time: int
    rated: int
    satisfied: int

    @staticmethod
    def _pct(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def timely_acceptance(self):
        return self._pct(self.decided_on_time, self.decided)

    @property
    def on_time_completion(self):
        return self._pct(self.replied_on_time, self.replied)

    @property
    def rating_participation(self):
        return self._pct(self.rated, self.replied)

    @property
    def satisfaction(self):
        return self._pct(self.satisfied, self.rated)


def _aggregates() -> dict:
    satisfied = settings.PETITION_RATINGS[: settings.PETITION_SATISFIED_COUNT]
    return {
        "received": Count("pk", distinct=True),
        "decided": Count("pk", filter=Q(decided_at__isnull=False), distinct=True),
        "decided_on_time": Count(
            "pk",
            filter=Q(decided_at__isnull=False, decided_at__lte=F("accept_due_at")),
            distinct=True,
        ),
        "replied": Count("pk", filter=Q(replied_at__isnull=False), distinct=True),
        "replied_on_time": Count(
            "pk",
            filter=Q(replied_at__isnull=False, replied_at__lte=F("handle_due_at")),
            distinct=True,
        ),
        "rated": Count("pk", filter=Q(rated_at__isnull=False), distinct=True),
        "satisfied": Count("pk", filter=Q(rating__in=satisfied), distinct=True),
    }


def period(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def for_period(petitions: QuerySet, start: dt.datetime, end: dt.datetime) -> QuerySet:
    return petitions.filter(received_at__gte=start, received_at__lt=end)


def totals(petitions: QuerySet, label: str = "") -> Rates:
    return Rates(label=label, **petitions.aggregate(**_aggregates()))


def grouped(petitions: QuerySet, by: str, labels: dict | None = None) -> list[Rates]:
    field = GROUPS[by]
    rows = petitions.order_by().values(field).annotate(**_aggregates()).order_by(field)
    labels = labels or {}
    return [
        Rates(label=str(labels.get(r[field], r[field] or "—")), **{k: r[k] for k in _aggregates()})
        for r in rows
    ]


def by_month(petitions: QuerySet, year: int) -> list[tuple[int, int]]:
    """Petitions received per month of `year`: [(1, n), …, (12, n)]."""
    rows = (
        petitions.order_by()
        .annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    counts = {timezone.localtime(r["month"]).month: r["n"] for r in rows}
    return [(m, counts.get(m, 0)) for m in range(1, 13)]


def month_chart_svg(months: list[tuple[int, int]]) -> dict:
    """Bar geometry for the template's inline SVG: no JavaScript, no external file."""
    width, height, pad = 600, 220, 30
    top = max((n for _m, n in months), default=0) or 1
    bar_w = (width - 2 * pad) / 12
    bars = []
    for i, (month, n) in enumerate(months):
        h = round((height - 2 * pad) * n / top, 1)
        bars.append(
            {
                "x": round(pad + i * bar_w + 4, 1),
                "y": round(height - pad - h, 1),
                "w": round(bar_w - 8, 1),
                "h": h,
                "n": n,
                "month": month,
                "label_x": round(pad + i * bar_w + bar_w / 2, 1),
                "value_y": round(height - pad - h - 4, 1),
            }
        )
    return {"width": width, "height": height, "base": height - pad, "bars": bars}
