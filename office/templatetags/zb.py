"""Chinese date formats: 2026年3月5日, 2026年3月5日 14:30, 2026年3月 (in Asia/Shanghai); people's
names (`person`)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from office import workcalendar
from office.people import display_name

register = template.Library()


@register.filter
def person(user) -> str:
    """A person's name as written in Chinese: family name then given name (office.people)."""
    return display_name(user)


@register.filter
def zb_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def zb_datetime(value) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@register.filter
def zb_month(value) -> str:
    return f"{value.year}年{value.month}月" if value else ""


@register.filter
def zb_due(value) -> str:
    """A deadline. Periods end at 24:00 (workcalendar.end_of_day), stored as 00:00 of the next
    day: show that as the last day itself, 2026年3月12日, never as 3月13日 00:00."""
    if not value:
        return ""
    local = timezone.localtime(value)
    if local.time() == dt.time.min:
        day = local.date() - dt.timedelta(days=1)
        text = f"{day.year}年{day.month}月{day.day}日"
    else:
        day, text = local.date(), zb_datetime(value)
    return f"{text}（暂定）" if _provisional(day) else text


@register.filter
def zb_due_public(value) -> str:
    """A deadline told to the public: a provisional one says on what it depends."""
    text = zb_due(value)
    if text.endswith("（暂定）"):
        return f"{text[: -len('（暂定）')]}（{workcalendar.PUBLIC_CAVEAT}）"
    return text


@register.filter
def zb_provisional(value) -> bool:
    """Whether a date or deadline lies in a provisional calendar year (暂定)."""
    return workcalendar.is_provisional(value) if value else False


def _provisional(day: dt.date) -> bool:
    """A date in a year whose holiday notice is not entered yet (office.workcalendar)."""
    try:
        return workcalendar.year_status(day.year) == workcalendar.PROVISIONAL
    except Exception:  # the calendar table is not there (an error page before migrate)
        return False
