"""The supervision board: open tasks with traffic lights, filters, the unit ranking by on-time
rate and the figures for its charts — each one query, whatever the number of rows.

The light is computed in SQL from two dates the calendar gives for today (red: the deadline or
a progress report missed; yellow: the deadline inside the warning window of working days), so
counts and filters need no Python loop over tasks. Charts are plain SVG drawn here.

The figures over every task (light counts, the ranking, the month chart) are aggregates over
100,000 tasks: for the people who see all tasks they are cached, keyed by the board version
every transition bumps in its own transaction (`services.bump_board`), by today and by the last
yellow deadline (the calendar), so the cache never shows a stale figure. People who see only
their own tasks get them computed: their set is small.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from office.models import TrafficLight

from . import dates
from .models import OPEN_STATES, TaskState


def light_q(today: dt.date) -> dict[str, Q]:
    """The three lights as filters for open tasks on `today` (same rule as `light_on`)."""
    running = Q(state__in=OPEN_STATES) & ~Q(state=TaskState.REVIEWING)
    red = running & (Q(due_on__lt=today) | Q(next_report_on__lt=today))
    yellow = running & ~red & Q(due_on__lte=dates.yellow_until(today))
    green = Q(state__in=OPEN_STATES, due_on__isnull=False) & ~red & ~yellow
    return {TrafficLight.RED: red, TrafficLight.YELLOW: yellow, TrafficLight.GREEN: green}


def annotate_light(qs: QuerySet, today: dt.date) -> QuerySet:
    q = light_q(today)
    return qs.annotate(
        board_light=Case(
            When(q[TrafficLight.RED], then=Value("red")),
            When(q[TrafficLight.YELLOW], then=Value("yellow")),
            When(q[TrafficLight.GREEN], then=Value("green")),
            default=Value(""),
            output_field=CharField(),
        )
    )


CACHE_SECONDS = 24 * 3600
# Part of the key: a release that changes what `figures` holds never reads an older entry.
FIGURES_FORMAT = 3


@dataclass
class RankRow:
    name: str
    closed: int
    on_time: int
    open: int
    overdue: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.closed if self.closed else None

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.0f}%"


def month_starts(today: dt.date, months: int = 6) -> list[dt.date]:
    """The first days of the last `months` months, oldest first."""
    first = today.replace(day=1)
    starts = []
    for _i in range(months):
        starts.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return starts[::-1]


def figures(qs: QuerySet, today: dt.date, *, everything: bool) -> dict:
    """Light counts, the ranking and the month chart of the tasks in `qs`. `everything`: `qs`
    is every task (the person sees all), so the figures come from the cache while the board
    version has not moved."""
    from .services import board_version

    if not everything:
        return compute_figures(qs, today)
    version = board_version()
    key = f"supervision:board:{FIGURES_FORMAT}:{version}:{today}:{dates.yellow_until(today)}"
    out = cache.get(key)
    if out is None:
        out = compute_figures(qs, today)
        cache.set(key, out, CACHE_SECONDS)
    return {**out, "version": version}


def compute_figures(qs: QuerySet, today: dt.date, *, units: int = 8) -> dict:
    """One pass over the tasks, grouped by lead and by month of closing (within the chart's six
    months, else none): every figure of the board is a sum over these few hundred groups.

    - counts: open tasks by light (same rule as `light_on`) and all open tasks;
    - ranking: lead units by on-time rate (closed on time / closed), then fewest overdue;
    - monthly: on-time rate per lead and month of closing, for the `units` busiest leads."""
    from office.models import Section, Unit

    starts = month_starts(today)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(starts[0], dt.time.min, tzinfo=tz)
    q = light_q(today)
    closed = Q(state=TaskState.CLOSED)
    rows = (
        qs.annotate(
            month=Case(
                When(closed & Q(closed_at__gte=since), then=TruncMonth("closed_at")),
                default=None,
            )
        )
        .values("lead_section_id", "lead_unit_id", "month")
        .annotate(
            closed=Count("pk", filter=closed),
            on_time=Count("pk", filter=closed & Q(on_time=True)),
            open=Count("pk", filter=Q(state__in=OPEN_STATES)),
            red=Count("pk", filter=q[TrafficLight.RED]),
            yellow=Count("pk", filter=q[TrafficLight.YELLOW]),
            green=Count("pk", filter=q[TrafficLight.GREEN]),
        )
        .order_by()
    )
    sections = dict(Section.objects.values_list("pk", "name"))
    units_ = {
        pk: short or name
        for pk, short, name in Unit.objects.values_list("pk", "short_name", "name")
    }
    counts = dict.fromkeys(("red", "yellow", "green", "open"), 0)
    leads: dict[tuple, RankRow] = {}
    table: dict[str, dict[dt.date, tuple[int, int]]] = {}
    for r in rows:
        for k in counts:
            counts[k] += r[k]
        if r["lead_section_id"] is None and r["lead_unit_id"] is None:
            continue
        name = (
            sections.get(r["lead_section_id"], "")
            if r["lead_section_id"]
            else units_.get(r["lead_unit_id"], "")
        )
        row = leads.setdefault((r["lead_section_id"], r["lead_unit_id"]), RankRow(name, 0, 0, 0, 0))
        row.closed += r["closed"]
        row.on_time += r["on_time"]
        row.open += r["open"]
        row.overdue += r["red"]
        if r["month"] is not None and r["closed"]:
            month = r["month"]
            if isinstance(month, dt.datetime) and timezone.is_aware(month):
                month = timezone.localtime(month)
            # (naive: inside the CASE the truncation's wall time in the office's zone)
            cell = table.setdefault(name, {})
            key = dt.date(month.year, month.month, 1)
            on_time, n = cell.get(key, (0, 0))
            cell[key] = (on_time + r["on_time"], n + r["closed"])
    ranking = sorted(
        leads.values(), key=lambda r: (r.rate is None, -(r.rate or 0), r.overdue, r.name)
    )
    busiest = sorted(table.items(), key=lambda kv: -sum(c for _o, c in kv[1].values()))[:units]
    busiest.sort(key=lambda kv: kv[0])
    return {"counts": counts, "ranking": ranking, "starts": starts, "monthly": busiest}


def open_by_handler(
    qs: QuerySet, *, everything: bool, version: int | None = None
) -> dict[str, int]:
    """Open tasks per section ("s:3") or unit ("u:12") they are given to, lead or assisting:
    the row count of the board filtered by one unit. One grouped query, cached like the
    figures (its own entry: only the unit filter needs it)."""
    from .models import TaskHandler
    from .services import board_version

    key = None
    if everything:
        version = board_version() if version is None else version
        key = f"supervision:board-units:{FIGURES_FORMAT}:{version}"
        cached = cache.get(key)
        if cached is not None:
            return cached
    rows = (
        TaskHandler.objects.filter(task__in=qs.filter(state__in=OPEN_STATES).values("pk"))
        .values("section_id", "unit_id")
        .annotate(n=Count("task_id"))
        .order_by()
    )
    out = {
        (f"s:{r['section_id']}" if r["section_id"] else f"u:{r['unit_id']}"): r["n"] for r in rows
    }
    if key is not None:
        cache.set(key, out, CACHE_SECONDS)
    return out


@dataclass
class ProposalRow:
    """建议提案 of one lead unit: the figures behind the targets of DOMAIN.md §5.1."""

    name: str
    total: int
    contacted: int
    replied: int
    on_time: int
    rated: int
    satisfied: int

    @staticmethod
    def _pct(n: int, d: int) -> str:
        return "—" if not d else f"{n / d * 100:.0f}%"

    @property
    def contact_rate(self) -> str:
        return self._pct(self.contacted, self.total)

    @property
    def reply_rate(self) -> str:
        return self._pct(self.replied, self.total)

    @property
    def on_time_rate(self) -> str:
        return self._pct(self.on_time, self.replied)

    @property
    def satisfaction_rate(self) -> str:
        return self._pct(self.satisfied, self.rated)

    @property
    def contact_met(self) -> bool:
        return bool(self.total) and self.contacted == self.total

    @property
    def reply_met(self) -> bool:
        return bool(self.total) and self.replied == self.total


def proposal_rates(qs: QuerySet, year: int) -> tuple[list[ProposalRow], ProposalRow]:
    """Suggestions and proposals received in `year` (cancelled ones left out), per lead unit:
    contacted (a day of contact recorded), replied (closed: the graded reply is made), replied
    on time, satisfaction (satisfied or basically satisfied, of those who said). One grouped
    query; the total row is their sum."""
    from .models import PROPOSAL_SOURCES, Satisfaction

    tz = timezone.get_current_timezone()
    rows = (
        qs.filter(
            source__in=PROPOSAL_SOURCES,
            opened_at__gte=dt.datetime(year, 1, 1, tzinfo=tz),
            opened_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=tz),
        )
        .exclude(state=TaskState.CANCELLED)
        .values("lead_section__name", "lead_unit__short_name", "lead_unit__name")
        .annotate(
            total=Count("pk"),
            contacted=Count("pk", filter=Q(contacted_on__isnull=False)),
            replied=Count("pk", filter=Q(state=TaskState.CLOSED)),
            on_time=Count("pk", filter=Q(state=TaskState.CLOSED, on_time=True)),
            rated=Count("pk", filter=~Q(satisfaction="")),
            satisfied=Count(
                "pk",
                filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]),
            ),
        )
        .order_by()
    )
    fields = ("total", "contacted", "replied", "on_time", "rated", "satisfied")
    out = [
        ProposalRow(
            name=r["lead_section__name"]
            or r["lead_unit__short_name"]
            or r["lead_unit__name"]
            or "",
            **{f: r[f] for f in fields},
        )
        for r in rows
    ]
    out.sort(key=lambda r: (r.name == "", r.name))
    total = ProposalRow(name="", **{f: sum(getattr(r, f) for r in out) for f in fields})
    return out, total


def proposal_figures(qs: QuerySet, year: int, *, everything: bool):
    """`proposal_rates`, from the cache for the people who see every task (keyed by the board
    version like the board's figures: a recorded contact or a closing shows at once)."""
    if not everything:
        return proposal_rates(qs, year)
    from .services import board_version

    key = f"supervision:proposals:{FIGURES_FORMAT}:{board_version()}:{year}"
    out = cache.get(key)
    if out is None:
        out = proposal_rates(qs, year)
        cache.set(key, out, CACHE_SECONDS)
    return out


# --- SVG, drawn here: no chart library ---------------------------------------------------------
LIGHT_COLOURS = {"red": "#d1242f", "yellow": "#e3b341", "green": "#2da44e"}


def bars_svg(counts: dict[str, int], labels: dict[str, str]) -> dict:
    """Horizontal bars of open tasks by light: geometry for the template to draw."""
    total = max(sum(counts.values()), 1)
    biggest = max([*counts.values(), 1])
    bars = []
    for i, key in enumerate(("red", "yellow", "green")):
        n = counts.get(key, 0)
        bars.append(
            {
                "y": 8 + i * 34,
                "ty": 8 + i * 34 + 17,
                "width": round(300 * n / biggest, 1),
                "tx": 90 + round(300 * n / biggest, 1) + 6,
                "colour": LIGHT_COLOURS[key],
                "label": labels[key],
                "n": n,
                "share": f"{n / total * 100:.0f}%",
            }
        )
    return {"bars": bars, "height": 8 + 3 * 34}


def heatmap_svg(starts: list[dt.date], rows) -> dict:
    """On-time rate per unit (rows) and month (columns) as coloured cells with the figure."""
    cell_w, cell_h, left, top = 64, 26, 150, 24
    cols = [
        {"x": left + i * cell_w + cell_w / 2, "label": f"{m.month}月"} for i, m in enumerate(starts)
    ]
    cells, names = [], []
    for r, (name, months) in enumerate(rows):
        y = top + r * cell_h
        names.append({"y": y + cell_h / 2 + 5, "name": name})
        for c, m in enumerate(starts):
            on_time, closed = months.get(m, (0, 0))
            rate = on_time / closed if closed else None
            cells.append(
                {
                    "x": left + c * cell_w,
                    "y": y,
                    "tx": left + c * cell_w + cell_w / 2,
                    "ty": y + cell_h / 2 + 5,
                    "fill": _rate_colour(rate),
                    "text": "" if rate is None else f"{rate * 100:.0f}%",
                    "title": f"{name} {m.year}年{m.month}月 {on_time}/{closed}",
                }
            )
    # The cells as markup, drawn here in one pass: as template nodes they were the most costly
    # part of the board's rendering (48 cells × a dozen nodes).
    body = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>{}',
        (
            (
                c["x"],
                c["y"],
                cell_w - 2,
                cell_h - 2,
                c["fill"],
                c["title"],
                format_html(
                    '<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#0d1117">'
                    "{}</text>",
                    c["tx"],
                    c["ty"],
                    c["text"],
                )
                if c["text"]
                else "",
            )
            for c in cells
        ),
    )
    return {
        "width": left + len(starts) * cell_w + 4,
        "height": top + len(rows) * cell_h + 4,
        "cols": cols,
        "cells": cells,
        "body": body,
        "names": names,
        "cell_w": cell_w - 2,
        "cell_h": cell_h - 2,
    }


def _rate_colour(rate: float | None) -> str:
    if rate is None:
        return "#f0f2f5"
    if rate >= 0.9:
        return "#2da44e"
    if rate >= 0.7:
        return "#8fd19e"
    if rate >= 0.5:
        return "#e3b341"
    return "#f08c8c"
