"""The working calendar as the migrations load it (chinesecalendar, 2004–2026), the counting rules
of 民法典 第二百零一条/第二百零三条, and a year without its notice counted on the law's days as
provisional, never refused within the horizon (DOMAIN.md §4). The clock is fixed at 2026-12-08,
the day the office first met a 2027 deadline."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from office import workcalendar
from office.models import CalendarDay, CalendarYear, DayKind, TimeLimitRule, TimeUnit
from office.workcalendar import (
    CalendarNotLoaded,
    add_calendar_days,
    add_workdays,
    is_workday,
    next_workday,
    workdays_between,
)

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


NOW = dt.datetime(2026, 12, 8, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def fresh_calendar(demo_office):
    """Every test reads the calendar from the database, not from another test's cache, on a
    fixed day (the horizon of provisional years is counted from today)."""
    workcalendar.invalidate()
    with time_machine.travel(NOW, tick=False):
        yield
    workcalendar.invalidate()


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _midnight_after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=SH)


# --- The 2026 schedule -------------------------------------------------------------------
def test_the_migrations_load_every_year_from_2004_to_2026():
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert set(range(2004, 2027)) <= years
    assert 2027 not in years


def test_spring_festival_2026_saturday_before_is_a_make_up_working_day():
    assert D(2026, 2, 14).weekday() == 5
    assert is_workday(D(2026, 2, 14))
    assert CalendarDay.objects.get(date=D(2026, 2, 14)).kind == DayKind.MAKEUP_WORKDAY
    assert all(not is_workday(day) for day in _days(D(2026, 2, 15), D(2026, 2, 23)))
    assert CalendarDay.objects.get(date=D(2026, 2, 17)).name == "春节"
    assert is_workday(D(2026, 2, 13)) and is_workday(D(2026, 2, 24))
    assert is_workday(D(2026, 2, 28))  # the second make-up Saturday after the festival


def test_working_days_counted_across_spring_festival_skip_the_holiday():
    # The start day is not counted: Fri 2-13 is the 1st, make-up Sat 2-14 the 2nd, and after
    # nine days off, Tue 2-24 the 3rd.
    assert add_workdays(D(2026, 2, 12), 1) == D(2026, 2, 13)
    assert add_workdays(D(2026, 2, 12), 2) == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 12), 3) == D(2026, 2, 24)
    # A rule that counts the start day reaches the 3rd working day one day sooner.
    assert add_workdays(D(2026, 2, 12), 3, counts_start_day=True) == D(2026, 2, 14)
    # Received during the holiday: the first working day after it is the 1st.
    assert add_workdays(D(2026, 2, 18), 1) == D(2026, 2, 24)
    assert add_workdays(D(2026, 2, 18), 1, counts_start_day=True) == D(2026, 2, 24)
    # 随到随办 (0 working days): the same day, or the next working day when it is a day off.
    assert add_workdays(D(2026, 2, 14), 0) == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 18), 0) == D(2026, 2, 24)


def test_national_day_2026_holidays_and_make_up_days():
    assert all(not is_workday(day) for day in _days(D(2026, 10, 1), D(2026, 10, 7)))
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"
    # The holiday is 10-01..10-07; Thursday 10-08 is an ordinary working day.
    assert is_workday(D(2026, 10, 8)) and is_workday(D(2026, 10, 9))
    assert D(2026, 10, 10).weekday() == 5 and is_workday(D(2026, 10, 10))
    assert not is_workday(D(2026, 10, 11))  # Sunday, not a make-up day
    assert D(2026, 9, 20).weekday() == 6 and is_workday(D(2026, 9, 20))
    assert all(not is_workday(day) for day in _days(D(2026, 9, 25), D(2026, 9, 27)))  # 中秋


def test_an_ordinary_week_has_five_working_days():
    assert [is_workday(day) for day in _days(D(2026, 3, 2), D(2026, 3, 8))] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
    ]


# --- Calendar-day periods: 民法典 第二百零一条, 第二百零三条 ---------------------------------------
@pytest.mark.parametrize(
    "start,days,last",
    [
        (D(2026, 3, 2), 10, D(2026, 3, 12)),  # ends on a Thursday: stays
        (D(2026, 1, 15), 30, D(2026, 2, 14)),  # ends on the make-up Saturday: stays
        (D(2026, 9, 1), 60, D(2026, 11, 2)),  # Sat 10-31 → Mon 11-02
        (D(2026, 9, 1), 30, D(2026, 10, 8)),  # National Day 10-01 → 10-08
        (D(2026, 1, 26), 20, D(2026, 2, 24)),  # Spring Festival 2-15 → 2-24
        (D(2026, 9, 18), 7, D(2026, 9, 28)),  # 中秋 Fri 9-25 → Mon 9-28
    ],
)
def test_a_calendar_day_period_ending_on_a_day_off_ends_on_the_next_working_day(start, days, last):
    assert add_calendar_days(start, days) == last


def test_a_calendar_day_period_does_not_count_the_start_day_unless_the_rule_says_so():
    assert add_calendar_days(D(2026, 3, 2), 10) == D(2026, 3, 12)
    assert add_calendar_days(D(2026, 3, 2), 10, counts_start_day=True) == D(2026, 3, 11)


def test_holidays_inside_a_calendar_day_period_still_count():
    # 30 days from 9-20 is 10-20, a Tuesday: National Day in between does not lengthen it.
    assert add_calendar_days(D(2026, 9, 20), 30) == D(2026, 10, 20)


def test_next_workday():
    assert next_workday(D(2026, 3, 4)) == D(2026, 3, 4)
    assert next_workday(D(2026, 3, 7)) == D(2026, 3, 9)
    assert next_workday(D(2026, 10, 3)) == D(2026, 10, 8)


# --- Working days between two dates ------------------------------------------------------
def test_workdays_between_counts_the_working_days_after_the_start_up_to_the_end():
    assert workdays_between(D(2026, 2, 12), D(2026, 2, 24)) == 3
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 12)) == 4  # 10-08, 09, 10 (Sat), 12
    assert workdays_between(D(2026, 3, 2), D(2026, 3, 9)) == 5
    assert workdays_between(D(2026, 2, 16), D(2026, 2, 22)) == 0  # all inside the holiday
    assert workdays_between(D(2026, 3, 9), D(2026, 3, 9)) == 0
    assert workdays_between(D(2026, 3, 9), D(2026, 3, 2)) == 0


def test_workdays_between_undoes_add_workdays():
    starts = [D(2026, 1, 1) + dt.timedelta(days=i) for i in range(0, 330, 7)]
    for start in starts:
        for n in (1, 3, 20):
            end = add_workdays(start, n)
            assert is_workday(end)
            assert workdays_between(start, end) == n, (start, n)


# --- A year without its notice: provisional, from the law ---------------------------------
def test_a_year_without_its_notice_is_provisional_and_beyond_the_horizon_is_refused():
    assert workcalendar.year_status(2026) == workcalendar.CONFIRMED
    assert workcalendar.year_status(2027) == workcalendar.PROVISIONAL
    assert workcalendar.year_status(2028) == workcalendar.PROVISIONAL
    assert workcalendar.year_status(2029) == workcalendar.UNAVAILABLE  # beyond this year + 2
    assert workcalendar.year_status(2003) == workcalendar.UNAVAILABLE  # before the 办法 of 2024
    # 2027 by the law: 春节 除夕 2-05 (Fri) to 初三 2-08, its weekend days made up on 2-09, 2-10.
    assert [is_workday(D(2027, 2, d)) for d in range(4, 12)] == [
        True,
        False,
        False,
        False,
        False,
        False,
        False,
        True,
    ]
    assert is_workday(D(2027, 1, 4))  # no 调休 is guessed: the first Monday works
    assert not is_workday(D(2027, 1, 1))
    with pytest.raises(CalendarNotLoaded) as info:
        is_workday(D(2029, 1, 4))
    assert info.value.year == 2029
    message = str(info.value)
    assert "2029" in message and "2028" in message and "无法计算" in message
    with translation.override("en"), pytest.raises(CalendarNotLoaded) as info:
        is_workday(D(2029, 1, 4))
    assert "cannot compute dates in 2029" in str(info.value)
    with pytest.raises(CalendarNotLoaded, match="2003"):
        is_workday(D(2003, 12, 31))


def test_the_horizon_moves_with_the_clock():
    with time_machine.travel(dt.datetime(2027, 1, 2, 9, 0, tzinfo=SH), tick=False):
        assert workcalendar.year_status(2029) == workcalendar.PROVISIONAL
        assert workcalendar.year_status(2030) == workcalendar.UNAVAILABLE


def test_deadlines_count_into_a_provisional_year():
    rule = TimeLimitRule.objects.get(code="disclosure.answer")  # 20 working days
    assert add_workdays(D(2026, 12, 28), 5) == D(2027, 1, 5)  # 29, 30, 31, (1-1 off), 4, 5
    assert add_calendar_days(D(2026, 12, 20), 30) == D(2027, 1, 19)
    assert next_workday(D(2027, 1, 1)) == D(2027, 1, 4)
    assert workdays_between(D(2026, 12, 30), D(2027, 1, 5)) == 3  # 12-31, 1-4, 1-5
    # 20 working days from 2026-12-10: 11, 14–18, 21–25, 28–31, 1-4 … 1-8 → 2027-01-08.
    due = workcalendar.due_at(rule, dt.datetime(2026, 12, 10, 9, 0, tzinfo=SH))
    assert due == workcalendar.end_of_day(D(2027, 1, 8))
    assert workcalendar.is_provisional(due)
    assert workcalendar.period_is_provisional(dt.datetime(2026, 12, 10, tzinfo=SH), due)
    # 信访 handling, 60 days from 2026-12-08: the 60th day is 2027-02-06, a Saturday in the
    # 春节 days by law (除夕 2-05 … 2-08, made up 2-09 and 2-10) → the next working day, 2-11.
    handle = TimeLimitRule.objects.get(code="petition.handle")
    due = workcalendar.due_at(handle, dt.datetime(2026, 12, 8, 10, 0, tzinfo=SH))
    assert due == workcalendar.end_of_day(D(2027, 2, 11))
    # Inside 2026 nothing is provisional.
    assert add_workdays(D(2026, 12, 28), 3) == D(2026, 12, 31)
    assert not workcalendar.is_provisional(workcalendar.end_of_day(D(2026, 12, 31)))


def test_a_year_added_through_the_model_is_used_once_the_cache_is_invalidated():
    assert not is_workday(D(2027, 2, 9))  # 补假 by the law while provisional
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕测试号")
    CalendarDay.objects.create(date=D(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    workcalendar.invalidate()
    assert workcalendar.year_status(2027) == workcalendar.CONFIRMED
    assert not is_workday(D(2027, 1, 1))
    assert is_workday(D(2027, 2, 9))  # the entered notice says nothing of 2-09: a Tuesday
    assert add_workdays(D(2026, 12, 30), 2) == D(2027, 1, 4)  # 12-31, (1-1 off), 1-4


def test_another_process_sees_a_change_within_a_minute():
    assert not is_workday(D(2027, 2, 9))
    # Written by another process: bulk_create sends no signal, so this process is not told.
    CalendarYear.objects.bulk_create([CalendarYear(year=2027)])
    assert not is_workday(D(2027, 2, 9))  # still the cached calendar
    workcalendar._loaded_at -= 61  # a minute later
    assert is_workday(D(2027, 2, 9))


def test_a_change_saved_in_this_process_applies_at_once():
    assert workcalendar.year_status(2027) == workcalendar.PROVISIONAL
    CalendarYear.objects.create(year=2027)
    assert is_workday(D(2027, 2, 9))
    CalendarDay.objects.create(date=D(2027, 1, 4), kind=DayKind.HOLIDAY, name="测试")
    assert not is_workday(D(2027, 1, 4))


def test_the_system_admin_enters_a_new_year_in_the_admin_and_it_applies_at_once(
    client_for, system_admin
):
    assert not is_workday(D(2027, 2, 9))  # the provisional year is cached in this process
    client = client_for(system_admin)
    response = client.post(
        "/manage/office/calendaryear/add/", {"year": "2027", "source": "国办发明电〔2026〕测试号"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    response = client.post(
        "/manage/office/calendarday/add/",
        {"date": "2027-01-01", "kind": DayKind.HOLIDAY, "name": "元旦", "source": ""},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    # No invalidate() here: saving in the admin does it.
    assert not is_workday(D(2027, 1, 1))
    assert is_workday(D(2027, 2, 9))


def test_the_calendar_admin_pages_list_the_days(client_for, system_admin):
    client = client_for(system_admin)
    response = client.get("/manage/office/calendarday/", {"date__year": "2026"})
    assert response.status_code == 200
    assert "春节" in response.content.decode()
    assert client.get("/manage/office/calendaryear/").status_code == 200
    day = CalendarDay.objects.get(date=D(2026, 10, 10))
    assert client.get(f"/manage/office/calendarday/{day.pk}/change/").status_code == 200


# --- Deadlines of the seeded rules -------------------------------------------------------
@pytest.mark.parametrize(
    "code,start,due",
    [
        # 信访 handling, 60 calendar days: 8-02 + 60 = 10-01, National Day → 10-08.
        ("petition.handle", dt.datetime(2026, 8, 2, 10, 0, tzinfo=SH), D(2026, 10, 8)),
        # 信访 acceptance notice, 15 days: 2-01 + 15 = 2-16, Spring Festival → 2-24.
        ("petition.accept", dt.datetime(2026, 2, 1, 16, 0, tzinfo=SH), D(2026, 2, 24)),
        # Disclosure, 20 working days from Mon 9-14: 9-15..18, Sun 9-20 (make-up), 9-21..24,
        # (中秋 off), 9-28..30, (National Day off), 10-08, 10-09, Sat 10-10, 10-12..16.
        ("disclosure.answer", dt.datetime(2026, 9, 14, 9, 0, tzinfo=SH), D(2026, 10, 16)),
        # 请示, 3 working days across Spring Festival.
        ("document.request", dt.datetime(2026, 2, 12, 15, 0, tzinfo=SH), D(2026, 2, 24)),
        # The local date counts: 17:00 UTC on 2-11 is already 01:00 on 2-12 in Ulanhot.
        ("document.request", dt.datetime(2026, 2, 11, 17, 0, tzinfo=dt.UTC), D(2026, 2, 24)),
        # 特急: the same day...
        ("document.extra_urgent", dt.datetime(2026, 3, 5, 9, 30, tzinfo=SH), D(2026, 3, 5)),
        # ...or the first working day when it arrives on a day off.
        ("document.extra_urgent", dt.datetime(2026, 2, 15, 9, 30, tzinfo=SH), D(2026, 2, 24)),
        ("document.urgent", dt.datetime(2026, 2, 14, 9, 30, tzinfo=SH), D(2026, 2, 14)),
        # 人大建议/政协提案, 3 months: 7-01 → 10-01, National Day → 10-08.
        ("supervision.proposal", dt.datetime(2026, 7, 1, 9, 0, tzinfo=SH), D(2026, 10, 8)),
        # 3 months from 11-30: no 2-30, so the month's last day 2-28 (a make-up Saturday).
        ("supervision.proposal", dt.datetime(2025, 11, 30, 9, 0, tzinfo=SH), D(2026, 2, 28)),
    ],
)
def test_due_at_of_the_seeded_rules(code, start, due):
    rule = TimeLimitRule.objects.get(code=code)
    assert workcalendar.due_at(rule, start) == _midnight_after(due)


def test_the_seeded_rules_have_the_statutory_units():
    units = dict(TimeLimitRule.objects.values_list("code", "unit"))
    amounts = dict(TimeLimitRule.objects.values_list("code", "amount"))
    assert (units["petition.handle"], amounts["petition.handle"]) == (TimeUnit.CALENDAR_DAY, 60)
    assert (units["disclosure.answer"], amounts["disclosure.answer"]) == (TimeUnit.WORKDAY, 20)
    assert (units["document.request"], amounts["document.request"]) == (TimeUnit.WORKDAY, 3)
    assert (units["document.extra_urgent"], amounts["document.extra_urgent"]) == (
        TimeUnit.WORKDAY,
        0,
    )


def test_an_hour_rule_counts_clock_hours():
    rule = TimeLimitRule(code="test.hours", name="四小时", unit=TimeUnit.HOUR, amount=4)
    start = dt.datetime(2026, 2, 15, 22, 0, tzinfo=SH)
    assert workcalendar.due_at(rule, start) == dt.datetime(2026, 2, 16, 2, 0, tzinfo=SH)
    assert workcalendar.due_at(rule, start, amount=1) == dt.datetime(2026, 2, 15, 23, 0, tzinfo=SH)


def test_the_deadline_ends_at_midnight_of_the_last_day():
    rule = TimeLimitRule.objects.get(code="document.request")
    due = workcalendar.due_at(rule, dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    assert due == dt.datetime(2026, 3, 6, 0, 0, tzinfo=SH)  # end of Thu 3-05
    assert due.astimezone(dt.UTC) == dt.datetime(2026, 3, 5, 16, 0, tzinfo=dt.UTC)


def test_an_extension_counts_from_the_last_day_of_the_current_deadline():
    disclosure = TimeLimitRule.objects.get(code="disclosure.answer")
    current = _midnight_after(D(2026, 9, 30))
    # 5 more working days after 9-30: 10-08, 10-09, 10-10 (Sat), 10-12, 10-13.
    assert workcalendar.extend(disclosure, current, 5) == _midnight_after(D(2026, 10, 13))
    petition = TimeLimitRule.objects.get(code="petition.handle")
    # 30 more days after 9-01 is 10-01, National Day → 10-08.
    assert workcalendar.extend(petition, _midnight_after(D(2026, 9, 1)), 30) == _midnight_after(
        D(2026, 10, 8)
    )
