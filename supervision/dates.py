"""Dates of supervision on the working calendar: the warning window, report dates, the orange
slip's fixed date.

The warning window (黄灯, DOMAIN.md §5.3) is counted in working days, so a holiday does not eat
the warning: three working days before a deadline just after National Day fall before it.

The deadline of a task is a date a person chose; it needs no calendar. Dates the system computes
use the one working calendar (office.workcalendar): a year whose notice is not entered yet is
provisional there, never a Monday–Friday guess of this app's own.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from functools import lru_cache

from office import workcalendar

from .models import ReportingCycle, warning_days


def is_workday(day: dt.date) -> bool:
    return workcalendar.is_workday(day)


def next_workday(day: dt.date) -> dt.date:
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def add_workdays(day: dt.date, n: int) -> dt.date:
    """`n` working days after `day` (not counting `day`)."""
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def yellow_until(today: dt.date) -> dt.date:
    """The last deadline that is inside the warning window on `today`: a deadline D is yellow
    when [today, D] holds at most `warning_days()` working days."""
    return _yellow_until(today, warning_days(), workcalendar._load())


@lru_cache(maxsize=64)
def _yellow_until(today: dt.date, days: int, _snapshot) -> dt.date:
    counted = 0
    day = today
    while True:
        if is_workday(day):
            counted += 1
            if counted > days:
                return day - dt.timedelta(days=1)
        day += dt.timedelta(days=1)


def next_report_on(cycle: str, after: dt.date, due_on: dt.date | None) -> dt.date | None:
    """The next progress report date after `after`; None when the deadline comes first (the
    completion report is then the report)."""
    if cycle == ReportingCycle.WEEKLY:
        day = after + dt.timedelta(days=7)
    elif cycle == ReportingCycle.MONTHLY:
        # Monthly, by the 5th (DOMAIN.md §5.1: major decisions reported by the 5th).
        year, month = (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
        day = dt.date(year, month, 5)
    elif cycle == ReportingCycle.QUARTERLY:
        quarter_end_month = ((after.month - 1) // 3 + 1) * 3
        year, month = after.year, quarter_end_month + 1
        if month > 12:
            year, month = year + 1, 1
        day = dt.date(year, month, min(5, _calendar.monthrange(year, month)[1]))
    else:
        return None
    day = next_workday(day)
    if due_on is not None and day >= due_on:
        return None
    return day
