"""Petition fixtures: a registered petition factory.

A 60-day clock started late in a year ends in the next one, whose State Council notice may not be
entered yet: the working calendar then counts on that year's provisional days (office.
workcalendar), so no test needs to load a year of its own.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from petitions import services

TZ = timezone.get_fixed_timezone(8 * 60)


def at(y, m, d, h=10, mi=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


PERSON = {
    "name": "王桂芝",
    "id_number": "150221195803121234",
    "phone": "13904825678",
    "address": "乌兰浩特市和平街道幸福小区3号楼",
}


@pytest.fixture
def register(petition_officer):
    """register(**overrides) → (petition, query code), registered by the petition officer."""

    def make(**kw):
        now = kw.pop("now", at(2026, 9, 1))
        people = kw.pop("people", [dict(PERSON)])
        args = {
            "by": petition_officer,
            "channel": "visit",
            "category": "claim",
            "subject_area": "urban",
            "title": "小区供暖温度不达标",
            "request": "请求维修供暖管网，保证室温达标。",
            "people": people,
            "received_at": now,
            "now": now,
        }
        args.update(kw)
        by, now = args.pop("by"), args.pop("now")
        files, http_request = args.pop("files", ()), args.pop("http_request", None)
        return services.petition_register(
            services.Intake(**args), by=by, now=now, files=files, http_request=http_request
        )

    return make


@pytest.fixture
def housing(demo_office):
    from office.models import Unit

    return Unit.objects.get(code="housing")
