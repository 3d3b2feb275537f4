"""Confirming a calendar year: the State Council's holiday notice entered on one page.

The notice (国务院办公厅关于XXXX年部分节假日安排的通知) has a very regular form, one festival a
line, e.g.::

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    2月14日（周六）、2月28日（周六）上班。

`parse_notice` reads such text into day ranges and make-up working days; `parse_ranges` reads the
page's own editable form (one range or day a line); `validate` applies the rules every notice
obeys (DOMAIN.md §4.2): every date in the year, each range's length equal to its 共N天, make-up
working days on a Saturday or Sunday, no day both off and on. `calendar_confirm` saves the year
and counts again every open deadline that its days affect (`workitem_recount`), audited, each
person told once. Nothing is saved when anything is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import workcalendar
from ..models import CalendarDay, CalendarYear, DayKind, WorkItem, WorkState
from .audit import audit_record
from .notify import notify
from .workitems import _people_to_tell, workitem_recount

WEEKDAYS = "一二三四五六日"


class NoticeError(Exception):
    """One message per line that is wrong, each naming its line."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("；".join(messages))


@dataclass
class Range:
    name: str
    start: dt.date
    end: dt.date
    stated_days: int | None = None
    line: int = 0

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass
class Schedule:
    year: int
    ranges: list[Range] = field(default_factory=list)
    makeup: list[tuple[dt.date, str, int]] = field(default_factory=list)  # date, name, line

    def as_text(self) -> tuple[str, str]:
        """The page's editable form of this schedule: ranges, then make-up days."""
        ranges = "\n".join(
            f"{r.name} {r.start:%Y-%m-%d} {r.end:%Y-%m-%d}"
            if r.end != r.start
            else f"{r.name} {r.start:%Y-%m-%d}"
            for r in self.ranges
        )
        makeup = "\n".join(f"{name} {day:%Y-%m-%d}".strip() for day, name, _line in self.makeup)
        return ranges, makeup

    def days(self) -> dict[dt.date, tuple[str, str]]:
        out: dict[dt.date, tuple[str, str]] = {}
        for r in self.ranges:
            for day in r.days:
                out[day] = (DayKind.HOLIDAY, r.name)
        for day, name, _line in self.makeup:
            out[day] = (DayKind.MAKEUP_WORKDAY, name)
        return out


# --- Reading the notice -------------------------------------------------------------------
_ITEM = re.compile(
    r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*(?P<name>[^：:]{1,20})[：:](?P<body>.+)$"
)
_PAREN = r"(?:[（(][^）)]*[）)])?"
_RANGE = re.compile(
    rf"(?:(?P<y1>\d{{4}})年)?(?P<m1>\d{{1,2}})月(?P<d1>\d{{1,2}})日{_PAREN}"
    rf"(?:\s*(?:至|-|—|－|~|～)\s*(?:(?P<y2>\d{{4}})年)?(?:(?P<m2>\d{{1,2}})月)?(?P<d2>\d{{1,2}})日{_PAREN})?"
    r"\s*(?:放假|休息)"
)
_COUNT = re.compile(r"共\s*(\d+)\s*天")
_DAY = re.compile(rf"(?:(?P<y>\d{{4}})年)?(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})日{_PAREN}")


def _date(year: int, y: str | None, m: str | int, d: str, line: int, errors: list[str]):
    try:
        return dt.date(int(y) if y else year, int(m), int(d))
    except ValueError:
        errors.append(_("Line %(n)d: %(m)s月%(d)s日 is not a date.") % {"n": line, "m": m, "d": d})
        return None


def parse_notice(text: str, year: int) -> Schedule:
    """The pasted notice → a schedule. Lines that carry no date (the title, the preamble, the
    closing request to keep watch over the holidays) are prose and skipped; a numbered festival
    line, or any line that says 放假 or 上班 with a date, must be read whole, or it is an error
    naming the line."""
    schedule = Schedule(year)
    errors: list[str] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        item = _ITEM.match(line)
        has_date = bool(_DAY.search(line))
        if item is None:
            if has_date and ("放假" in line or "上班" in line):
                errors.append(
                    _(
                        "Line %(n)d could not be read: “%(text)s”. Write it as in the notice, "
                        "e.g. 二、春节：2月15日至23日放假调休，共9天。2月14日（周六）上班。"
                    )
                    % {"n": n, "text": line[:60]}
                )
            continue
        name = item["name"].strip()
        body = item["body"]
        found = _RANGE.search(body)
        if found is None:
            errors.append(
                _(
                    "Line %(n)d could not be read: “%(text)s”. Write it as in the notice, "
                    "e.g. 二、春节：2月15日至23日放假调休，共9天。2月14日（周六）上班。"
                )
                % {"n": n, "text": line[:60]}
            )
            continue
        start = _date(year, found["y1"], found["m1"], found["d1"], n, errors)
        if found["d2"]:
            end_month = found["m2"] or found["m1"]
            end_year = found["y2"] or (found["y1"] if not found["m2"] else None)
            if not end_year and found["m2"] and int(found["m2"]) < int(found["m1"]):
                end_year = str(int(found["y1"] or year) + 1)  # 12月31日至1月2日: into next year
            end = _date(year, end_year, end_month, found["d2"], n, errors)
        else:
            end = start
        if start is None or end is None:
            continue
        count = _COUNT.search(body)
        schedule.ranges.append(
            Range(name, start, end, int(count.group(1)) if count else None, line=n)
        )
        # Make-up working days: the dates in the sentence that ends with 上班.
        rest = body[found.end() :]
        for sentence in re.split(r"[。；;]", rest):
            if "上班" not in sentence:
                continue
            for d in _DAY.finditer(sentence):
                day = _date(year, d["y"], d["m"], d["d"], n, errors)
                if day is not None:
                    schedule.makeup.append((day, name, n))
    if errors:
        raise NoticeError(errors)
    if not schedule.ranges:
        raise NoticeError([_("No holiday line was found in the notice.")])
    validate(schedule)
    return schedule


_FORM_LINE = re.compile(
    r"^\s*(?P<name>[^\d\s]{0,20})\s*(?P<start>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:\s*(?:至|-{1,2}|~|到|\s)\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?\s*$"
)


def parse_ranges(ranges_text: str, makeup_text: str, year: int) -> Schedule:
    """The page's own form: one holiday range a line (`春节 2027-02-05 2027-02-11`, or one
    date), and one make-up working day a line (`春节 2027-02-20`)."""
    schedule = Schedule(year)
    errors: list[str] = []
    for label, text, makeup in (
        (_("holidays"), ranges_text, False),
        (_("make-up working days"), makeup_text, True),
    ):
        for n, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            m = _FORM_LINE.match(raw)
            try:
                start = dt.date.fromisoformat(_pad(m["start"])) if m else None
                end = dt.date.fromisoformat(_pad(m["end"])) if m and m["end"] else start
            except ValueError:
                start = end = None
            if start is None:
                errors.append(
                    _(
                        "%(list)s, line %(n)d could not be read: “%(text)s”. Write a name and a "
                        "date, or a name and two dates, e.g. 春节 2027-02-05 2027-02-11."
                    )
                    % {"list": label, "n": n, "text": raw.strip()[:60]}
                )
                continue
            name = (m["name"] or "").strip()
            if makeup:
                if end != start:
                    errors.append(
                        _("%(list)s, line %(n)d: give one date a line.") % {"list": label, "n": n}
                    )
                    continue
                schedule.makeup.append((start, name, n))
            else:
                if not name:
                    errors.append(
                        _("%(list)s, line %(n)d: name the festival, e.g. 春节.")
                        % {"list": label, "n": n}
                    )
                    continue
                schedule.ranges.append(Range(name, start, end, line=n))
    if errors:
        raise NoticeError(errors)
    validate(schedule)
    return schedule


def _pad(value: str) -> str:
    y, m, d = value.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


def validate(schedule: Schedule) -> None:
    """The rules every notice obeys; all broken ones are named at once."""
    year = schedule.year
    errors: list[str] = []
    if not schedule.ranges:
        raise NoticeError([_("A year has holidays: give at least one festival's days off.")])
    off: dict[dt.date, int] = {}
    for r in schedule.ranges:
        if r.end < r.start:
            errors.append(
                _("Line %(n)d (%(name)s): the range ends before it starts.")
                % {"n": r.line, "name": r.name}
            )
            continue
        if r.start.year != year or r.end.year != year:
            errors.append(
                _(
                    "Line %(n)d (%(name)s): %(start)s–%(end)s is not inside %(year)d; enter only "
                    "the dates of %(year)d (a range crossing the year is split: its days in the "
                    "other year belong to that year's notice)."
                )
                % {
                    "n": r.line,
                    "name": r.name,
                    "start": _cn(r.start),
                    "end": _cn(r.end),
                    "year": year,
                }
            )
            continue
        if r.stated_days is not None and r.stated_days != len(r.days):
            errors.append(
                _(
                    "Line %(n)d (%(name)s): %(start)s to %(end)s is %(actual)d days, but the line "
                    "says 共%(stated)d天."
                )
                % {
                    "n": r.line,
                    "name": r.name,
                    "start": _cn(r.start),
                    "end": _cn(r.end),
                    "actual": len(r.days),
                    "stated": r.stated_days,
                }
            )
        for day in r.days:
            if day in off and off[day] != r.line:
                errors.append(
                    _("Line %(n)d (%(name)s): %(day)s is already off on line %(other)d.")
                    % {"n": r.line, "name": r.name, "day": _cn(day), "other": off[day]}
                )
            off[day] = r.line
    seen: set[dt.date] = set()
    for day, _name, line in schedule.makeup:
        if day.year != year:
            errors.append(
                _("Line %(n)d: the make-up working day %(day)s is not in %(year)d.")
                % {"n": line, "day": _cn(day), "year": year}
            )
        elif day.weekday() < 5:
            errors.append(
                _(
                    "Line %(n)d: the make-up working day %(day)s is a 周%(weekday)s; make-up "
                    "working days fall on a Saturday or Sunday."
                )
                % {"n": line, "day": _cn(day), "weekday": WEEKDAYS[day.weekday()]}
            )
        if day in off:
            errors.append(
                _("Line %(n)d: %(day)s is both a day off (line %(other)d) and a working day.")
                % {"n": line, "day": _cn(day), "other": off[day]}
            )
        if day in seen:
            errors.append(_("Line %(n)d: %(day)s is given twice.") % {"n": line, "day": _cn(day)})
        seen.add(day)
    if errors:
        raise NoticeError(errors)


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- What the page starts from -----------------------------------------------------------
def current_schedule(year: int) -> Schedule:
    """The year as it stands (entered notice, or the law's provisional days), as ranges of
    consecutive days of one name, ready to edit."""
    schedule = Schedule(year)
    rows = workcalendar.days_off(year)
    for day, kind, name in rows:
        base = name.replace("（补假）", "")
        if kind == DayKind.MAKEUP_WORKDAY:
            schedule.makeup.append((day, base, 0))
            continue
        last = schedule.ranges[-1] if schedule.ranges else None
        if last and last.name == base and last.end + dt.timedelta(days=1) == day:
            last.end = day
        else:
            schedule.ranges.append(Range(base, day, day))
    return schedule


# --- Saving ---------------------------------------------------------------------------------
@dataclass
class Confirmed:
    year: int
    moved: int
    told: int
    checked: int


def affected_items(year: int):
    """Open work whose counted deadline may depend on `year`'s days: its counting started
    before the year ended and its deadline is not before the year began."""
    tz = workcalendar.local_tz()
    begin = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    return WorkItem.objects.filter(
        state=WorkState.OPEN, due_basis__isnull=False, started_at__lt=end, due_at__gte=begin
    )


def calendar_confirm(*, schedule: Schedule, source: str, by, now=None) -> Confirmed:
    """Enter (or correct) a year's State Council notice. In one transaction: the year's days are
    replaced, the year is confirmed, every open deadline counted across it is counted again
    (moved ones audited, recorded on the item and restarting its reminders), and each person
    whose work moved is told once, in one message."""
    now = now or timezone.now()
    year = schedule.year
    source = (source or "").strip()
    if not by.has_perm("office.change_calendaryear"):
        raise PermissionDenied(_("Only the system admin enters the holiday schedule."))
    if not source:
        raise NoticeError([_("Name the notice, e.g. 国办发明电〔2026〕7号.")])
    validate(schedule)
    days = schedule.days()
    with transaction.atomic():
        row, created = CalendarYear.objects.select_for_update().get_or_create(
            year=year, defaults={"source": source[:200]}
        )
        before = {
            d.isoformat(): k
            for d, k in CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
        }
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(date=day, kind=kind, name=name[:50], source=source[:200])
                for day, (kind, name) in sorted(days.items())
            ]
        )
        if not created:
            row.source = source[:200]
            row.loaded_at = now
            row.save(update_fields=["source", "loaded_at"])
        workcalendar.invalidate()
        after = {d.isoformat(): k for d, (k, _n) in days.items()}
        audit_record(
            action="calendar.confirm" if created else "calendar.correct",
            actor=by,
            obj=row,
            comment=source,
            changes={
                "removed": sorted(set(before) - set(after)),
                "added": sorted(set(after) - set(before)),
                "changed": sorted(d for d in set(before) & set(after) if before[d] != after[d]),
            },
            now=now,
        )
        reason = _("The %(year)d holiday schedule was entered (%(source)s).") % {
            "year": year,
            "source": source,
        }
        moved_by_person: dict[int, list[WorkItem]] = defaultdict(list)
        people = {}
        checked = moved = 0
        for item in affected_items(year).select_related("section__head__user", "assignee"):
            checked += 1
            item, did_move = workitem_recount(item=item, reason=reason, by=by, now=now)
            if not did_move:
                continue
            moved += 1
            for person in _people_to_tell(item):
                people[person.pk] = person
                moved_by_person[person.pk].append(item)
        for pk, items in moved_by_person.items():
            listing = "\n".join(f"{it.title}：{_due(it.due_at)}" for it in items[:20]) + (
                "\n……" if len(items) > 20 else ""
            )
            notify(
                recipients=[people[pk]],
                title=_("%(year)d holiday schedule confirmed: %(n)d deadline(s) of yours moved")
                % {"year": year, "n": len(items)},
                body=listing,
                url=reverse("office:home"),
                now=now,
            )
        transaction.on_commit(workcalendar.invalidate)
    return Confirmed(year=year, moved=moved, told=len(moved_by_person), checked=checked)


def _due(value: dt.datetime) -> str:
    last = (value.astimezone(workcalendar.local_tz()) - dt.timedelta(microseconds=1)).date()
    return _cn(last)


# --- Warnings before it matters -------------------------------------------------------------
def next_year_warning(today: dt.date | None = None) -> str | None:
    """From 1 November, while next year is still provisional (DOMAIN.md §4.2: the notice comes
    in November), the text of the warning shown to the system admin; None otherwise. A current
    year still provisional is warned about all year."""
    today = today or timezone.localdate()
    if workcalendar.year_status(today.year, today=today) != workcalendar.CONFIRMED:
        return _(
            "The %(year)d holiday schedule has not been entered: deadlines this year are "
            "provisional. Enter the State Council notice under 工作日历."
        ) % {"year": today.year}
    if today.month >= 11 and (
        workcalendar.year_status(today.year + 1, today=today) != workcalendar.CONFIRMED
    ):
        return _(
            "The %(year)d holiday schedule has not been entered yet: deadlines reaching "
            "%(year)d are provisional (derived from the law). Enter the State Council notice "
            "under 工作日历 when it is published."
        ) % {"year": today.year + 1}
    return None


def remind_system_admins(now: dt.datetime | None = None) -> int:
    """The weekly notification of `next_year_warning` to every active system admin, at most
    once per person per ISO week (the week is in the title, so a second run finds it)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from ..models import Notification, NotificationLevel
    from ..roles import Role

    now = now or timezone.now()
    today = timezone.localdate(now)
    warning = next_year_warning(today)
    if warning is None:
        return 0
    iso = today.isocalendar()
    title = _("Working calendar: the holiday notice is missing (week %(week)d of %(year)d)") % {
        "week": iso.week,
        "year": iso.year,
    }
    admins = (
        get_user_model()
        .objects.filter(Q(groups__name=Role.SYSTEM_ADMIN), is_active=True)
        .distinct()
    )
    with transaction.atomic():
        told = set(
            Notification.objects.filter(title=title, recipient__in=admins).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [u for u in admins if u.pk not in told]
        notify(
            recipients=fresh,
            title=title,
            body=warning,
            url=reverse("office:calendar"),
            level=NotificationLevel.INFO,
            now=now,
        )
    return len(fresh)
