"""Fixtures for supervision: a task from a leader's instruction, given to 综合科 (the clerk's
section) with 街道办 assisting, due a fortnight before National Day 2026."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from office.models import Section, Unit
from supervision import services
from supervision.models import ReportingCycle, SupervisionSource

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=9) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=TZ)


# Tuesday 2026-09-15, 09:00: well inside the loaded calendar, before 中秋 and National Day.
NOW = at(2026, 9, 15)


@pytest.fixture
def general(demo_office):
    return Section.objects.get(code="general")


@pytest.fixture
def subdistrict(demo_office):
    return Section.objects.get(code="subdistrict")


@pytest.fixture
def drc(demo_office):
    return Unit.objects.get(code="drc")


@pytest.fixture
def make_task(supervisor, leader, general, subdistrict):
    def make(**kwargs):
        args = {
            "by": supervisor,
            "title": "城区道路积雪清理落实",
            "requirements": "三日内清理主干道积雪",
            "source": SupervisionSource.INSTRUCTION,
            "leader": leader,
            "lead_section": general,
            "assisting_sections": [subdistrict],
            "due_on": dt.date(2026, 10, 9),
            "now": NOW,
        } | kwargs
        return services.task_open(**args)

    return make


@pytest.fixture
def task(make_task):
    return make_task()


@pytest.fixture
def running(task, clerk):
    """Acknowledged by the lead: in progress."""
    services.task_acknowledge(task=task, by=clerk, now=NOW)
    task.refresh_from_db()
    return task


@pytest.fixture
def cycle_task(make_task):
    return make_task(reporting_cycle=ReportingCycle.WEEKLY)
