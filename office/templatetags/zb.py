"""Chinese date formats: 2026年3月5日, 2026年3月5日 14:30, 2026年3月 (in Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


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
