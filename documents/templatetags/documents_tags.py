"""Small filters for the document pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def waited(since: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long something has waited, in one unit: 45 minutes, 3 hours, 2 days."""
    if not since:
        return ""
    seconds = max(0, int(((now or timezone.now()) - since).total_seconds()))
    minutes = seconds // 60
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
