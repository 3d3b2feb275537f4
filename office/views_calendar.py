"""The working calendar page (工作日历): each year's status, and one page per year where the
system admin enters or corrects the State Council's notice (office.services.calendar)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import workcalendar
from .services.calendar import (
    NoticeError,
    affected_items,
    calendar_confirm,
    current_schedule,
    parse_notice,
    parse_ranges,
)
from .statutory import BASIS, FIRST_YEAR

# The page's text fields are bounded: a notice is a few hundred characters.
MAX_TEXT = 20_000


@login_required
@permission_required("office.change_calendaryear", raise_exception=True)
def calendar_index(request):
    today = timezone.localdate()
    years = [
        {"year": y, "status": workcalendar.year_status(y)}
        for y in range(workcalendar.horizon_year(today), FIRST_YEAR - 1, -1)
    ]
    return render(request, "office/calendar.html", {"years": years, "basis": BASIS, "today": today})


@login_required
@permission_required("office.change_calendaryear", raise_exception=True)
def calendar_year(request, year: int):
    status = workcalendar.year_status(year)
    if status == workcalendar.UNAVAILABLE:
        raise Http404
    errors: list[str] = []
    schedule = None
    source = ""
    if request.method == "POST":
        text = request.POST.get("notice_text", "")[:MAX_TEXT]
        ranges_text = request.POST.get("ranges", "")[:MAX_TEXT]
        makeup_text = request.POST.get("makeup", "")[:MAX_TEXT]
        source = request.POST.get("source", "").strip()[:200]
        action = request.POST.get("action", "review")
        try:
            if action == "parse" and text.strip():
                schedule = parse_notice(text, year)
            else:
                schedule = parse_ranges(ranges_text, makeup_text, year)
            if action == "save":
                done = calendar_confirm(schedule=schedule, source=source, by=request.user)
                messages.success(
                    request,
                    _(
                        "The %(year)d holiday schedule is confirmed. %(moved)d open deadline(s) "
                        "moved; %(told)d person(s) were told."
                    )
                    % {"year": year, "moved": done.moved, "told": done.told},
                )
                return redirect("office:calendar")
        except NoticeError as exc:
            errors = exc.messages
            schedule = None
        if schedule is None:
            context_ranges, context_makeup = ranges_text, makeup_text
        else:
            context_ranges, context_makeup = schedule.as_text()
    else:
        schedule = current_schedule(year)
        context_ranges, context_makeup = schedule.as_text()
        schedule = None  # nothing to review until the admin asks
        text = ""
        if status == workcalendar.CONFIRMED:
            from .models import CalendarYear

            row = CalendarYear.objects.filter(year=year).first()
            source = row.source if row else ""
    review = None
    if schedule is not None:
        review = _review(schedule)
    return render(
        request,
        "office/calendar_year.html",
        {
            "year": year,
            "status": status,
            "basis": BASIS,
            "errors": errors,
            "notice_text": text,
            "ranges": context_ranges,
            "makeup": context_makeup,
            "source": source,
            "review": review,
            "affected": affected_items(year).count() if review is not None else None,
        },
        status=400 if errors else 200,
    )


def _review(schedule) -> list[dict]:
    """The schedule month by month, for the admin to read before saving."""
    days = schedule.days()
    months: dict[int, list[dict]] = {}
    for day, (kind, name) in sorted(days.items()):
        months.setdefault(day.month, []).append(
            {
                "date": day,
                "weekday": "一二三四五六日"[day.weekday()],
                "kind": kind,
                "name": name,
                "weekend": day.weekday() >= 5,
            }
        )
    return [
        {"month": m, "days": rows, "first": dt.date(schedule.year, m, 1)}
        for m, rows in months.items()
    ]
