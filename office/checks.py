"""`manage.py check` warnings about the office's own data (not the code)."""

from __future__ import annotations

from django.core.checks import Warning, register


@register()
def calendar_notice_entered(app_configs=None, **kwargs):
    """From 1 November, while next year's State Council holiday notice is not entered, say so
    (office.W001); the same for the current year all year. Silent when the database is not
    there yet (before `migrate`)."""
    from django.db import DatabaseError

    from .services.calendar import next_year_warning

    try:
        text = next_year_warning()
    except DatabaseError:
        return []
    if text is None:
        return []
    return [
        Warning(
            str(text),
            hint="由系统管理员在“工作日历”（/calendar/）中录入国务院通知。",
            id="office.W001",
        )
    ]
