"""Deadline arithmetic on the Chinese working calendar (DOMAIN.md §4).

- Calendar-day periods (statutes that say "日"): 民法典 第二百零一条 — the start day is not
  counted; 第二百零三条 — when the last day is a rest day or public holiday, the period ends on
  the next working day; the last day ends at 24:00.
- Working-day periods (statutes that say "工作日", internal 限时办结 rules): count working days
  from the day after the start; a make-up working day (调休) on a weekend counts.
- A year is *confirmed* when the State Council's notice for it has been entered (a
  `CalendarYear` row with its days). A later year with no notice yet is *provisional*: its days
  off are derived from the law (`office.statutory`: 《全国年节及纪念日放假办法》 2024 第二条 and
  第六条), so deadlines are computed on them, flagged 暂定 wherever shown, and recomputed when the
  year is confirmed (`office.services.calendar.calendar_confirm`). Only a year beyond the
  provisional horizon (more than `HORIZON_YEARS` after this one), or an unconfirmed year before the
  revised 办法, is refused (`CalendarNotLoaded`) — the office never stops for want of a notice.

The table is small (one row per exceptional date), so each process reads it once and keeps it for
a minute; the admin edits it once a year, and saving there invalidates this process at once.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import time
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

_MAX_AGE_SECONDS = 60
# How far past this year a provisional year may be used: a deadline further out is refused.
HORIZON_YEARS = 2

CONFIRMED = "confirmed"
PROVISIONAL = "provisional"
UNAVAILABLE = "unavailable"

# Said beside every provisional date shown to the public (a notice, the petition look-up).
PUBLIC_CAVEAT = "暂定，以国务院公布的放假安排为准"


class CalendarNotLoaded(Exception):
    """No date can be computed in this year: beyond the provisional horizon, or an earlier year
    whose notice was never entered."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "The working calendar cannot compute dates in %(year)d: that year is beyond the "
                "provisional calendar (up to %(last)d) and its State Council holiday schedule has "
                "not been entered."
            )
            % {"year": year, "last": horizon_year()}
        )


@dataclass(frozen=True)
class _Snapshot:
    years: frozenset[int]
    holidays: frozenset[dt.date]
    makeup_days: frozenset[dt.date]


_snapshot: _Snapshot | None = None
_loaded_at = 0.0


def invalidate() -> None:
    """Forget the cached calendar (after an admin change, and in tests)."""
    global _snapshot
    _snapshot = None


def _load() -> _Snapshot:
    global _snapshot, _loaded_at
    if _snapshot is not None and time.monotonic() - _loaded_at < _MAX_AGE_SECONDS:
        return _snapshot
    from .models import CalendarDay, CalendarYear, DayKind

    days = list(CalendarDay.objects.values_list("date", "kind"))
    _snapshot = _Snapshot(
        years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        holidays=frozenset(d for d, k in days if k == DayKind.HOLIDAY),
        makeup_days=frozenset(d for d, k in days if k == DayKind.MAKEUP_WORKDAY),
    )
    _loaded_at = time.monotonic()
    return _snapshot


def horizon_year(today: dt.date | None = None) -> int:
    """The last year a provisional calendar is used for."""
    return (today or _today()).year + HORIZON_YEARS


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def year_status(year: int, *, today: dt.date | None = None) -> str:
    """ "confirmed" (the State Council's notice entered), "provisional" (derived from the law,
    within the horizon) or "unavailable" (no date may be computed in it)."""
    if year in _load().years:
        return CONFIRMED
    from .statutory import FIRST_YEAR

    if FIRST_YEAR <= year <= horizon_year(today):
        return PROVISIONAL
    return UNAVAILABLE


def is_provisional(day: dt.date | dt.datetime | None) -> bool:
    """Whether a date (or a deadline: 24:00 of its last day) lies in a provisional year."""
    if day is None:
        return False
    if isinstance(day, dt.datetime):
        day = (day.astimezone(local_tz()) - dt.timedelta(microseconds=1)).date()
    return year_status(day.year) == PROVISIONAL


def period_is_provisional(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> bool:
    """Whether counting from `start` to `end` crossed a provisional year (so the result moves
    when that year is confirmed)."""
    if isinstance(start, dt.datetime):
        start = start.astimezone(local_tz()).date()
    if isinstance(end, dt.datetime):
        end = (end.astimezone(local_tz()) - dt.timedelta(microseconds=1)).date()
    return any(
        year_status(y) == PROVISIONAL for y in range(min(start, end).year, max(start, end).year + 1)
    )


@lru_cache(maxsize=16)
def _provisional_sets(year: int) -> frozenset[dt.date]:
    from .statutory import provisional_holidays

    return frozenset(d.date for d in provisional_holidays(year))


def days_off(year: int) -> list[tuple[dt.date, str, str]]:
    """The year's exceptional days as (date, kind, name), from whichever source is in force:
    the entered notice, or the law for a provisional year (kind is a `DayKind` value)."""
    status = year_status(year)
    if status == CONFIRMED:
        from .models import CalendarDay

        return list(
            CalendarDay.objects.filter(date__year=year)
            .order_by("date")
            .values_list("date", "kind", "name")
        )
    if status == PROVISIONAL:
        from .statutory import provisional_holidays

        return [(d.date, "holiday", d.name) for d in provisional_holidays(year)]
    raise CalendarNotLoaded(year)


def is_workday(day: dt.date) -> bool:
    snap = _load()
    if day.year in snap.years:
        if day in snap.makeup_days:
            return True
        if day in snap.holidays:
            return False
        return day.weekday() < 5
    if year_status(day.year) != PROVISIONAL:
        raise CalendarNotLoaded(day.year)
    # A provisional year has no make-up working days: 调休 is the State Council's yearly choice.
    return day.weekday() < 5 and day not in _provisional_sets(day.year)


def next_workday(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def add_workdays(start: dt.date, n: int, *, counts_start_day: bool = False) -> dt.date:
    """The last day of a period of `n` working days starting on `start`.

    With n = 0 the answer is the same working day (随到随办: `start`, or the next working day
    when `start` is not one).
    """
    if n <= 0:
        return next_workday(start)
    day = start
    counted = 0
    if counts_start_day and is_workday(day):
        counted = 1
    while counted < n:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def add_calendar_days(start: dt.date, n: int, *, counts_start_day: bool = False) -> dt.date:
    """The last day of a period of `n` calendar days (民法典 第二百零一条, 第二百零三条)."""
    last = start + dt.timedelta(days=n - 1 if counts_start_day else n)
    return next_workday(last)


def add_months(start: dt.date, n: int) -> dt.date:
    """The corresponding day `n` months later (or the month's last day), rolled over to the
    next working day when it is not one."""
    month_index = start.month - 1 + n
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, _calendar.monthrange(year, month)[1])
    return next_workday(dt.date(year, month, day))


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end ≤ start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 of `day` in the office's time zone: the moment a period ends."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=local_tz())


def due_at(rule, start: dt.datetime, *, amount: int | None = None) -> dt.datetime:
    """When work governed by `rule`, started at `start`, must be done."""
    from .models import TimeUnit

    amount = rule.amount if amount is None else amount
    if rule.unit == TimeUnit.HOUR:
        return start + dt.timedelta(hours=amount)
    day = start.astimezone(local_tz()).date()
    if rule.unit == TimeUnit.WORKDAY:
        last = add_workdays(day, amount, counts_start_day=rule.counts_start_day)
    elif rule.unit == TimeUnit.MONTH:
        last = add_months(day, amount)
    else:
        last = add_calendar_days(day, amount, counts_start_day=rule.counts_start_day)
    return end_of_day(last)


def extend(rule, current_due: dt.datetime, amount: int) -> dt.datetime:
    """The new deadline after an extension of `amount` units from the current one."""
    from .models import TimeUnit

    if rule.unit == TimeUnit.HOUR:
        return current_due + dt.timedelta(hours=amount)
    # The current deadline is 24:00 of its last day; the extension counts from that day.
    last_day = (current_due.astimezone(local_tz()) - dt.timedelta(microseconds=1)).date()
    if rule.unit == TimeUnit.WORKDAY:
        return end_of_day(add_workdays(last_day, amount))
    if rule.unit == TimeUnit.MONTH:
        return end_of_day(add_months(last_day, amount))
    return end_of_day(add_calendar_days(last_day, amount))
