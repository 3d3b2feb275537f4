"""A provisional year's public holidays, derived from the law itself (DOMAIN.md §4.2).

When the State Council has not yet published a year's holiday arrangement (国务院办公厅关于部分
节假日安排的通知, usually in November of the year before), the office still has to count
deadlines into that year. This module derives the days the law fixes, from
《全国年节及纪念日放假办法》 as revised by 国务院令第798号 (2024-11-10, in force 2025-01-01):

- 第二条 全体公民放假的节日: 元旦 1 day (1月1日); 春节 4 days (农历除夕、正月初一至初三);
  清明节 1 day (农历清明当日); 劳动节 2 days (5月1日、2日); 端午节 1 day (农历端午当日);
  中秋节 1 day (农历中秋当日); 国庆节 3 days (10月1日至3日).
- 第六条 全体公民放假的假日，如果适逢周六、周日，应当在工作日补假: a statutory day on a Saturday
  or Sunday is made up on the next working day (补假).

The 调休 that the State Council adds on top (moving weekends to build 8-day and 7-day breaks, with
make-up working Saturdays and Sundays, 第七条) is a yearly decision, not a rule, so it is never
guessed: a provisional year has no make-up working days. Lunar dates (除夕, 端午, 中秋) and the 清明
solar term come from `tyme4py` (6tail's maintained calendar library, the successor of
lunar-python), never from a hand-written table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

# The revised 办法 applies from this year on; earlier years were under the 2013 version and are
# all confirmed from the State Council's notices anyway.
FIRST_YEAR = 2025
BASIS = "《全国年节及纪念日放假办法》（2024年修订）第二条、第六条"


@dataclass(frozen=True)
class Day:
    date: dt.date
    name: str
    makeup: bool = False  # 补假: a working day off in place of a holiday on a weekend


def _solar(day) -> dt.date:
    return dt.date(day.get_year(), day.get_month(), day.get_day())


def statutory_days(year: int) -> list[tuple[str, list[dt.date]]]:
    """第二条: each festival with its statutory dates in `year`."""
    from tyme4py.lunar import LunarDay
    from tyme4py.solar import SolarTerm

    new_year = _solar(LunarDay.from_ymd(year, 1, 1).get_solar_day())  # 正月初一
    eve = new_year - dt.timedelta(days=1)  # 除夕: the last day of the twelfth month, 29 or 30
    qingming = _solar(SolarTerm.from_name(year, "清明").get_julian_day().get_solar_day())
    return [
        ("元旦", [dt.date(year, 1, 1)]),
        ("春节", [eve + dt.timedelta(days=i) for i in range(4)]),
        ("清明节", [qingming]),
        ("劳动节", [dt.date(year, 5, 1), dt.date(year, 5, 2)]),
        ("端午节", [_solar(LunarDay.from_ymd(year, 5, 5).get_solar_day())]),
        ("中秋节", [_solar(LunarDay.from_ymd(year, 8, 15).get_solar_day())]),
        ("国庆节", [dt.date(year, 10, d) for d in (1, 2, 3)]),
    ]


@lru_cache(maxsize=16)
def provisional_holidays(year: int) -> tuple[Day, ...]:
    """Every day off in `year` by the law alone: the statutory days (第二条) and, for each of
    them on a Saturday or Sunday, a 补假 on the next weekday that is not already off (第六条).

    A 中秋 that falls within 国庆 (as on 2028-10-03) is one day off, not two: the 办法 gives each
    festival its day, and a day cannot be off twice; the overlap makes no 补假 unless the shared
    day is itself on a weekend.
    """
    off: dict[dt.date, Day] = {}
    for name, dates in statutory_days(year):
        for day in dates:
            off.setdefault(day, Day(day, name))
    for day in sorted(off):
        holiday = off[day]
        if holiday.makeup or day.weekday() < 5:
            continue
        # 补假 on the first weekday after the weekend that is not already a day off.
        candidate = day + dt.timedelta(days=1)
        while candidate.weekday() >= 5 or candidate in off:
            candidate += dt.timedelta(days=1)
        off[candidate] = Day(candidate, f"{holiday.name}（补假）", makeup=True)
    return tuple(off[d] for d in sorted(off) if d.year == year)
