"""Statistics (信访统计): the four standard rates, computed from the records, never typed in
(DOMAIN.md §3.6: the indicators counties and cities report; the rating scale is configurable).

- 及时受理率: decisions made by the 15-day deadline ÷ decisions made;
- 按期办结率: replies issued by the (possibly extended) 60-day deadline ÷ replies issued;
- 参评率: petitions rated ÷ petitions answered (open to rating);
- 满意率: ratings among the first PETITION_SATISFIED_COUNT of the scale ÷ ratings given.

The statistics page reads monthly pre-aggregates (`PetitionMonthStat`, `PetitionUnitMonthStat`):
a few thousand cells a year instead of the ~480,000 petitions of a busy year at 1,000,000 (the
scan of the records took 0.73 s). The services keep the cells in step in the same transaction as
each change (the petition's `contribution` before and after, `apply` the difference), so they
are exactly what the records say; `rebuild` recomputes them from the records in one set-based
statement per table (`manage.py petition_stats --rebuild`, or the Celery task
`petitions.tasks.rebuild_stats`). The record-based functions (`totals`, `grouped`, `by_month`,
`overview_from_records`) stay as the reference the cells are checked against (`--check`).
The month chart is a server-side SVG (no JavaScript).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import (
    Assignment,
    Petition,
    PetitionMonthStat,
    PetitionState,
    PetitionUnitMonthStat,
)

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


def _aggregates(*, distinct: bool = False) -> dict:
    """The counts behind the four rates. DISTINCT only when grouping goes through a relation
    that can repeat a petition (by unit: a petition may be assigned to several); counting
    DISTINCT ids sorted all of a year's rows and cost ~0.5 s per query at 1,000,000."""
    satisfied = settings.PETITION_RATINGS[: settings.PETITION_SATISFIED_COUNT]
    return {
        "received": Count("pk", distinct=distinct),
        "decided": Count("pk", filter=Q(decided_at__isnull=False), distinct=distinct),
        "decided_on_time": Count(
            "pk",
            filter=Q(decided_at__isnull=False, decided_at__lte=F("accept_due_at")),
            distinct=distinct,
        ),
        "replied": Count("pk", filter=Q(replied_at__isnull=False), distinct=distinct),
        "replied_on_time": Count(
            "pk",
            filter=Q(replied_at__isnull=False, replied_at__lte=F("handle_due_at")),
            distinct=distinct,
        ),
        "rated": Count("pk", filter=Q(rated_at__isnull=False), distinct=distinct),
        "satisfied": Count("pk", filter=Q(rating__in=satisfied), distinct=distinct),
    }


def period(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def for_period(petitions: QuerySet, start: dt.datetime, end: dt.datetime) -> QuerySet:
    return petitions.filter(received_at__gte=start, received_at__lt=end)


def totals(petitions: QuerySet, label: str = "") -> Rates:
    return Rates(label=label, **petitions.aggregate(**_aggregates()))


def grouped(petitions: QuerySet, by: str, labels: dict | None = None) -> list[Rates]:
    field = GROUPS[by]
    aggregates = _aggregates(distinct="__" in field)
    rows = petitions.order_by().values(field).annotate(**aggregates).order_by(field)
    labels = labels or {}
    return [
        Rates(label=str(labels.get(r[field], r[field] or "—")), **{k: r[k] for k in aggregates})
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


def overview_from_records(
    petitions: QuerySet, by: str, labels: dict | None = None, *, label_all: str, year: int
) -> tuple[Rates, list[Rates], list[tuple[int, int]]]:
    """The statistics straight from the records, in ONE pass over the year's petitions (0.73 s
    for a year at 1,000,000): the reference `overview` is checked against. Grouping by unit goes
    through the assignments (a petition may have several), so it keeps its own DISTINCT queries;
    a petition without a unit assignment is in the "—" group."""
    field = GROUPS[by]
    if "__" in field:
        return (
            totals(petitions, label_all),
            grouped(petitions, by, labels),
            by_month(petitions, year),
        )
    aggregates = _aggregates()
    keys = list(aggregates)
    rows = (
        petitions.order_by()
        .annotate(month=TruncMonth("received_at"))
        .values(field, "month")
        .annotate(**aggregates)
    )
    total = dict.fromkeys(keys, 0)
    groups: dict = {}
    months: dict[int, int] = {}
    for r in rows:
        group = groups.setdefault(r[field], dict.fromkeys(keys, 0))
        for k in keys:
            group[k] += r[k]
            total[k] += r[k]
        month = timezone.localtime(r["month"]).month
        months[month] = months.get(month, 0) + r["received"]
    labels = labels or {}
    group_rows = [
        Rates(label=str(labels.get(value, value or "—")), **counts)
        for value, counts in sorted(groups.items(), key=lambda kv: (kv[0] is None, str(kv[0])))
    ]
    return (
        Rates(label=label_all, **total),
        group_rows,
        [(m, months.get(m, 0)) for m in range(1, 13)],
    )


# --- The monthly pre-aggregates ---------------------------------------------------------------
COUNTS = ("received", "decided", "decided_on_time", "replied", "replied_on_time", "rated")
MAIN_KEY = ("month", "channel", "category", "subject_area", "rating")
UNIT_KEY = ("month", "unit_key", "rating")


def month_of(moment: dt.datetime) -> dt.date:
    """The month a petition counts in: the local month it was received in."""
    local = moment.astimezone(timezone.get_default_timezone())
    return dt.date(local.year, local.month, 1)


def _vector(p: Petition) -> tuple[int, ...]:
    """A petition's counts; "on time" only against a recorded deadline (as in SQL, where a
    comparison with NULL is not true)."""
    decided = p.decided_at is not None
    replied = p.replied_at is not None
    return (
        1,
        int(decided),
        int(decided and p.accept_due_at is not None and p.decided_at <= p.accept_due_at),
        int(replied),
        int(replied and p.handle_due_at is not None and p.replied_at <= p.handle_due_at),
        int(p.rated_at is not None),
    )


def contribution(p: Petition, *, new: bool = False) -> dict:
    """The cells this petition counts in, with its counts: {(table, key): vector}."""
    if p.pk is None:
        return {}
    month = month_of(p.received_at)
    vector = _vector(p)
    cells = {("main", (month, p.channel, p.category, p.subject_area, p.rating)): vector}
    units = set()
    if not new:
        units = set(
            Assignment.objects.filter(petition_id=p.pk, unit__isnull=False)
            .values_list("unit_id", flat=True)
            .distinct()
        )
    for unit in units or {0}:
        cells[("unit", (month, unit, p.rating))] = vector
    return cells


def _upsert(model, key_fields: tuple[str, ...], rows: list[tuple[tuple, tuple]]) -> None:
    """Add each vector to its cell: one INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = (*key_fields, *COUNTS)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sets = ", ".join(
        f"{connection.ops.quote_name(c)} = {table}.{connection.ops.quote_name(c)}"
        f" + excluded.{connection.ops.quote_name(c)}"
        for c in COUNTS
    )
    conflict = ", ".join(connection.ops.quote_name(c) for c in key_fields)
    params: list = []
    for key, vector in rows:
        params.extend([connection.ops.adapt_datefield_value(key[0]), *key[1:], *vector])
    sql = (
        f"INSERT INTO {table} ({quoted}) VALUES {', '.join([one] * len(rows))} "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def apply(before: dict, after: dict) -> None:
    """Move a petition's counts from the cells it was in to the cells it is in now. Runs inside
    the service's transaction, after the petition row was locked and saved."""
    delta: dict = {}
    for cell, vector in after.items():
        delta[cell] = vector
    for cell, vector in before.items():
        now = delta.get(cell, (0,) * len(COUNTS))
        delta[cell] = tuple(a - b for a, b in zip(now, vector, strict=True))
    main = [(key, v) for (table, key), v in delta.items() if table == "main" and any(v)]
    unit = [(key, v) for (table, key), v in delta.items() if table == "unit" and any(v)]
    _upsert(PetitionMonthStat, MAIN_KEY, sorted(main, key=lambda r: str(r[0])))
    _upsert(PetitionUnitMonthStat, UNIT_KEY, sorted(unit, key=lambda r: str(r[0])))


_REBUILD_MAIN_PG = """
INSERT INTO petitions_petitionmonthstat
    (month, channel, category, subject_area, rating,
     received, decided, decided_on_time, replied, replied_on_time, rated)
SELECT date_trunc('month', received_at AT TIME ZONE %(tz)s)::date,
       channel, category, subject_area, rating,
       count(*),
       count(decided_at),
       count(*) FILTER (WHERE decided_at <= accept_due_at),
       count(replied_at),
       count(*) FILTER (WHERE replied_at <= handle_due_at),
       count(rated_at)
FROM petitions_petition
GROUP BY 1, channel, category, subject_area, rating
"""

_REBUILD_UNIT_PG = """
INSERT INTO petitions_petitionunitmonthstat
    (month, unit_key, rating,
     received, decided, decided_on_time, replied, replied_on_time, rated)
SELECT date_trunc('month', p.received_at AT TIME ZONE %(tz)s)::date,
       coalesce(u.unit_id, 0), p.rating,
       count(*),
       count(p.decided_at),
       count(*) FILTER (WHERE p.decided_at <= p.accept_due_at),
       count(p.replied_at),
       count(*) FILTER (WHERE p.replied_at <= p.handle_due_at),
       count(p.rated_at)
FROM petitions_petition p
LEFT JOIN (SELECT DISTINCT petition_id, unit_id FROM petitions_assignment
           WHERE unit_id IS NOT NULL) u ON u.petition_id = p.id
GROUP BY 1, 2, p.rating
"""


def _rebuild_orm() -> None:
    """The same as the PostgreSQL statements through the ORM (SQLite, the embedded default)."""
    counts = {
        "received": Count("pk"),
        "decided": Count("decided_at"),
        "decided_on_time": Count("pk", filter=Q(decided_at__lte=F("accept_due_at"))),
        "replied": Count("replied_at"),
        "replied_on_time": Count("pk", filter=Q(replied_at__lte=F("handle_due_at"))),
        "rated": Count("rated_at"),
    }
    tz = timezone.get_default_timezone()
    rows = (
        Petition.objects.order_by()
        .annotate(m=TruncMonth("received_at", tzinfo=tz))
        .values("m", "channel", "category", "subject_area", "rating")
        .annotate(**counts)
    )
    PetitionMonthStat.objects.bulk_create(
        [
            PetitionMonthStat(
                month=month_of(r["m"]),
                **{k: r[k] for k in ("channel", "category", "subject_area", "rating", *COUNTS)},
            )
            for r in rows
        ],
        batch_size=500,
    )
    unit_sets: dict[int, set[int]] = {}
    pairs = Assignment.objects.filter(unit__isnull=False).values_list("petition_id", "unit_id")
    for petition_id, unit_id in pairs.distinct():
        unit_sets.setdefault(petition_id, set()).add(unit_id)
    fields = ("received_at", "rating", "decided_at", "accept_due_at", "replied_at")
    units: dict = {}
    for p in (
        Petition.objects.order_by()
        .only(*fields, "handle_due_at", "rated_at")
        .iterator(chunk_size=2000)
    ):
        vector = _vector(p)
        for unit in unit_sets.get(p.pk) or {0}:
            key = (month_of(p.received_at), unit, p.rating)
            old = units.get(key, (0,) * len(COUNTS))
            units[key] = tuple(a + b for a, b in zip(old, vector, strict=True))
    PetitionUnitMonthStat.objects.bulk_create(
        [
            PetitionUnitMonthStat(
                month=k[0], unit_key=k[1], rating=k[2], **dict(zip(COUNTS, v, strict=True))
            )
            for k, v in units.items()
        ],
        batch_size=500,
    )


def rebuild() -> int:
    """Recompute every cell from the records. On PostgreSQL the two tables are locked against
    the services' writes first (a change committed meanwhile waits and then adds its delta to
    the rebuilt counts); one INSERT … SELECT per table. Returns the number of cells."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "LOCK TABLE petitions_petitionmonthstat, petitions_petitionunitmonthstat"
                    " IN EXCLUSIVE MODE"
                )
                cursor.execute("DELETE FROM petitions_petitionmonthstat")
                cursor.execute("DELETE FROM petitions_petitionunitmonthstat")
                tz = {"tz": settings.TIME_ZONE}
                cursor.execute(_REBUILD_MAIN_PG, tz)
                cursor.execute(_REBUILD_UNIT_PG, tz)
        else:
            PetitionMonthStat.objects.all().delete()
            PetitionUnitMonthStat.objects.all().delete()
            _rebuild_orm()
    return PetitionMonthStat.objects.count() + PetitionUnitMonthStat.objects.count()


def _rates(label: str, row: dict, satisfied: int) -> Rates:
    return Rates(label=label, satisfied=satisfied, **{k: row[k] or 0 for k in COUNTS})


def overview(
    year: int, by: str, labels: dict | None = None, *, label_all: str
) -> tuple[Rates, list[Rates], list[tuple[int, int]]]:
    """The statistics page from the pre-aggregates: the year's cells (at most 12 months × the
    cells of a month), grouped by month and the chosen field in SQL and summed here."""
    satisfied = set(settings.PETITION_RATINGS[: settings.PETITION_SATISFIED_COUNT])
    months_range = (dt.date(year, 1, 1), dt.date(year, 12, 1))
    main = PetitionMonthStat.objects.filter(month__range=months_range).order_by()
    sums = {k: Sum(k) for k in COUNTS}
    keys = list(COUNTS)

    def fold(rows, field):
        groups: dict = {}
        sat: dict = {}
        for r in rows:
            g = groups.setdefault(r[field], dict.fromkeys(keys, 0))
            for k in keys:
                g[k] += r[k] or 0
            if r["rating"] in satisfied:
                sat[r[field]] = sat.get(r[field], 0) + (r["received"] or 0)
        return groups, sat

    cells = list(main.values("month", "rating", *([] if by == "unit" else [by])).annotate(**sums))
    by_month, _sat = fold(cells, "month")
    total = dict.fromkeys(keys, 0)
    for counts in by_month.values():
        for k in keys:
            total[k] += counts[k]
    total_sat = sum(r["received"] or 0 for r in cells if r["rating"] in satisfied)
    labels = labels or {}
    if by == "unit":
        from office.models import Unit

        rows = list(
            PetitionUnitMonthStat.objects.filter(month__range=months_range)
            .order_by()
            .values("unit_key", "rating")
            .annotate(**sums)
        )
        groups, sat = fold(rows, "unit_key")
        names = dict(
            Unit.objects.filter(pk__in=[k for k in groups if k]).values_list("pk", "short_name")
        )
        named = {k: names.get(k) or "" for k in groups}
        order = sorted(groups, key=lambda k: (k == 0, named[k], k))
        group_rows = [
            _rates(named[k] or "—", groups[k], sat.get(k, 0))
            for k in order
            if groups[k]["received"]
        ]
    else:
        groups, sat = fold(cells, by)
        group_rows = [
            _rates(str(labels.get(value, value or "—")), counts, sat.get(value, 0))
            for value, counts in sorted(groups.items(), key=lambda kv: str(kv[0]))
            if counts["received"]
        ]
    return (
        _rates(label_all, total, total_sat),
        group_rows,
        [(m, by_month.get(dt.date(year, m, 1), {}).get("received", 0)) for m in range(1, 13)],
    )


def check(year: int) -> list[str]:
    """Where the cells and a direct computation from the records differ (empty: they agree)."""
    start, end = period(year)
    records = for_period(Petition.objects.all(), start, end)
    differences = []
    for by in GROUPS:
        cells = overview(year, by, label_all="all")
        direct = overview_from_records(records, by, label_all="all", year=year)
        if by == "unit":  # the records group by short name; compare the totals and the chart
            cells, direct = (cells[0], cells[2]), (direct[0], direct[2])
        if cells != direct:
            differences.append(f"{year} by {by}: cells {cells!r} ≠ records {direct!r}")
    return differences
