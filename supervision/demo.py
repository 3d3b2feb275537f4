"""Demo supervised tasks, so the board shows all three lights, a ranking and a chart.

Idempotent: nothing is added when the first task exists. Dates are relative to today; a task
in the past is opened "in the past" (the services take `now`)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from office.models import Section, Unit

FIRST = "城区主次干道积雪清理落实情况"


def seed_demo() -> str:
    from . import chase, services
    from .models import ReportingCycle, SupervisionSource, SupervisionTask

    if SupervisionTask.objects.filter(title=FIRST).exists():
        return "demo tasks already there"
    from office.models import OutboxMessage

    outbox_before = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
    now = timezone.now()
    today = timezone.localdate(now)
    supervisor = User.objects.get(username="supervisor")
    mayor = User.objects.get(username="mayor")
    vicemayor = User.objects.get(username="vicemayor")
    # Led by 行政科 and outside units: the personas' own inboxes (which the suite counts) stay
    # as the office's demo made them.
    administration = Section.objects.get(code="administration")
    unit = {
        u.code: u
        for u in Unit.objects.filter(
            code__in=["housing", "education", "market", "emergency", "drc"]
        )
    }

    def days(n: int) -> dt.datetime:
        return now + dt.timedelta(days=n)

    def open_(title, source, *, at, due, lead, leader=mayor, assist=(), **kw):
        is_section = isinstance(lead, Section)
        return services.task_open(
            by=supervisor,
            title=title,
            requirements=kw.pop("requirements", "按要求抓好落实，按期反馈办理情况。"),
            source=source,
            leader=leader,
            lead_section=lead if is_section else None,
            lead_unit=None if is_section else lead,
            assisting_sections=list(assist),
            due_on=due,
            now=at,
            **kw,
        )

    red = open_(
        FIRST,
        SupervisionSource.INSTRUCTION,
        at=days(-20),
        due=today - dt.timedelta(days=3),
        lead=administration,
        source_reference="王建华同志批示",
    )
    services.task_acknowledge(task=red, by=supervisor, now=days(-19))
    services.report_submit(
        task=red, by=supervisor, text="已清理主干道，次干道正在清理。", now=days(-10)
    )
    open_(
        "老旧小区供暖改造（十件实事）",
        SupervisionSource.MEETING_DECISION,
        at=days(-10),
        due=today + dt.timedelta(days=40),
        lead=unit["housing"],
        leader=vicemayor,
        reporting_cycle=ReportingCycle.MONTHLY,
        source_reference="市政府第32次常务会议",
    )
    open_(
        "关于增加城区中小学学位供给的提案（第12号）",
        SupervisionSource.CPPCC_PROPOSAL,
        at=days(-80),
        due=today + dt.timedelta(days=2),
        lead=unit["education"],
        leader=vicemayor,
        source_reference="政协提案第12号",
    )
    for title, source, lead, on_time in (
        ("农贸市场食品安全专项检查", SupervisionSource.HOTLINE, unit["market"], True),
        ("冬季安全生产大检查", SupervisionSource.HIGHER_LEVEL, unit["emergency"], False),
        ("重点项目前期手续办理", SupervisionSource.MEETING_DECISION, unit["drc"], True),
    ):
        task = open_(title, source, at=days(-40), due=today - dt.timedelta(days=12), lead=lead)
        services.task_acknowledge(task=task, by=supervisor, now=days(-39))
        submitted = days(-14) if on_time else days(-6)
        report = services.completion_submit(
            task=task, by=supervisor, text="已办结。", now=submitted
        )
        services.completion_review(
            report=report, by=supervisor, accept=True, now=submitted + dt.timedelta(days=1)
        )
    services.task_open(
        by=supervisor,
        title="全市政务服务“一网通办”推进情况",
        source=SupervisionSource.OWN,
        now=now,
    )
    issued = chase.sweep(now=now)
    # The demo's notifications stay in the app: no e-mail or SMS for made-up history.
    OutboxMessage.objects.filter(pk__gt=outbox_before or 0).delete()
    return f"{SupervisionTask.objects.count()} supervised tasks, {sum(issued.values())} chase slips"
