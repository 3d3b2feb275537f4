"""Reference data every office needs: the working calendar (2004–2026 from chinesecalendar),
the regulations' default time limits, and the audit chain's head. Idempotent; used by the
migration (with historical models) and by `seed_demo`."""

from __future__ import annotations

from .defaults import RULES

SOURCE = "国务院办公厅关于部分节假日安排的通知（据 chinesecalendar 1.11 数据）"

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _apps(apps):
    if apps is None:
        from django.apps import apps as global_apps

        return global_apps
    return apps


def seed_calendar(apps=None, schema_editor=None) -> None:
    import chinese_calendar

    apps = _apps(apps)
    CalendarYear = apps.get_model("office", "CalendarYear")
    CalendarDay = apps.get_model("office", "CalendarDay")
    for year in sorted({d.year for d in chinese_calendar.holidays}):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": SOURCE})
    rows = []
    for day, name in chinese_calendar.holidays.items():
        name = getattr(name, "value", name)
        rows.append(
            CalendarDay(date=day, kind="holiday", name=NAMES.get(name, name or ""), source=SOURCE)
        )
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:  # only make-up working days differ from the ordinary week
            name = getattr(name, "value", name)
            rows.append(
                CalendarDay(
                    date=day, kind="makeup_workday", name=NAMES.get(name, name or ""), source=SOURCE
                )
            )
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


def seed_rules(apps=None, schema_editor=None) -> None:
    TimeLimitRule = _apps(apps).get_model("office", "TimeLimitRule")
    for code, name, unit, amount, start, remind, ext, ext_len, pausable, basis in RULES:
        TimeLimitRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "amount": amount,
                "start_event": start,
                "remind_before_hours": remind,
                "max_extensions": ext,
                "max_extension_amount": ext_len,
                "pausable": pausable,
                "legal_basis": basis,
            },
        )


def seed_chain(apps=None, schema_editor=None) -> None:
    AuditChainHead = _apps(apps).get_model("office", "AuditChainHead")
    AuditChainHead.objects.get_or_create(id=1, defaults={"last_hash": "0" * 64})


def ensure_reference_data() -> None:
    seed_calendar()
    seed_rules()
    seed_chain()
