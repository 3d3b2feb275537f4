"""Supervision benchmarks: the board and the monthly bulletin at 100,000 tasks with 1,000,000
progress reports (issue 7). The data is written in bulk (not through the services: a bench of
the board, not of task_open); each task's data depends on its number alone."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bench.registry import page, scaled, seeder, task, url
from office.models import Section, Unit

TASKS = 100_000
REPORTS_PER_TASK = 10
BATCH = 2_000
PREFIX = "督B"  # bench tasks' numbers: 督B〔2026〕123号


def _bench_tasks():
    from supervision.models import SupervisionTask

    return SupervisionTask.objects.filter(number__startswith=PREFIX)


@seeder("supervision", needs=("demo",))
def seed_supervision(scale: float) -> str:
    from supervision.models import (
        PROPOSAL_SOURCES,
        HandlerRole,
        ProgressReport,
        SupervisionSource,
        SupervisionTask,
        TaskHandler,
        TaskState,
    )

    target = scaled(TASKS, scale)
    have = _bench_tasks().count()
    if have >= target:
        return f"{have:,} bench tasks present (marker: numbers {PREFIX}…)"
    now = timezone.now()
    today = timezone.localdate(now)
    leads = list(Section.objects.all()) + list(Unit.objects.filter(kind="external"))
    leaders = list(User.objects.filter(username__in=["mayor", "vicemayor", "secgeneral"]))
    supervisor = User.objects.get(username="supervisor")
    sources = SupervisionSource.values
    for start in range(have + 1, target + 1, BATCH):
        numbers = range(start, min(start + BATCH, target + 1))
        tasks = []
        for n in numbers:
            rng = random.Random(f"bench-task-{n}")
            lead = rng.choice(leads)
            opened = now - dt.timedelta(days=rng.randrange(1, 400))
            due = timezone.localdate(opened) + dt.timedelta(days=rng.randrange(10, 120))
            closed = rng.random() < 0.6 and due < today + dt.timedelta(days=30)
            closed_at = None
            if closed:
                closed_at = opened + dt.timedelta(days=rng.randrange(5, 130))
                closed_at = min(closed_at, now)
            tasks.append(
                SupervisionTask(
                    number=f"{PREFIX}〔2026〕{n}号",
                    title=f"督办事项（基准）第{n}号",
                    source=rng.choice(sources),
                    leader=rng.choice(leaders),
                    supervisor=supervisor,
                    lead_section=lead if isinstance(lead, Section) else None,
                    lead_unit=lead if isinstance(lead, Unit) else None,
                    due_on=due,
                    original_due_on=due,
                    state=TaskState.CLOSED
                    if closed
                    else rng.choice([TaskState.ASSIGNED, TaskState.IN_PROGRESS]),
                    opened_by=supervisor,
                    opened_at=opened,
                    assigned_at=opened,
                    closed_at=closed_at,
                    on_time=(timezone.localdate(closed_at) <= due) if closed_at else None,
                    next_report_on=None
                    if closed
                    else today + dt.timedelta(days=rng.randrange(-5, 25)),
                )
            )
            t = tasks[-1]
            if t.source in PROPOSAL_SOURCES:
                # 建议提案: most contacted the deputy or member; most replies rated.
                if rng.random() < 0.9:
                    t.contacted_on = timezone.localdate(opened) + dt.timedelta(days=5)
                if closed and rng.random() < 0.8:
                    t.satisfaction = rng.choice(
                        ["satisfied", "satisfied", "basically", "unsatisfied"]
                    )
        with transaction.atomic():
            SupervisionTask.objects.bulk_create(tasks, batch_size=BATCH)
            if any(t.pk is None for t in tasks):
                ids = dict(
                    SupervisionTask.objects.filter(
                        number__in=[t.number for t in tasks]
                    ).values_list("number", "pk")
                )
                for t in tasks:
                    t.pk = ids[t.number]
            handlers = [
                TaskHandler(
                    task_id=t.pk,
                    section=t.lead_section,
                    unit=t.lead_unit,
                    role=HandlerRole.LEAD,
                    acknowledged_at=t.assigned_at,
                )
                for t in tasks
            ]
            TaskHandler.objects.bulk_create(handlers, batch_size=BATCH)
            reports = [
                ProgressReport(
                    task_id=t.pk,
                    handler_id=h.pk,
                    text="按计划推进。",
                    author_id=supervisor.pk,
                    submitted_at=t.opened_at + dt.timedelta(days=i + 1),
                )
                for t, h in zip(tasks, handlers, strict=True)
                for i in range(REPORTS_PER_TASK)
            ]
            ProgressReport.objects.bulk_create(reports, batch_size=5_000)
    from supervision.services import bump_board

    with transaction.atomic():
        bump_board()  # written in bulk, past the services: the board's cached figures go
    return f"created {target - have:,} bench tasks with {REPORTS_PER_TASK} reports each"


def _open_rows() -> int:
    return _bench_tasks().exclude(state="closed").count()


NOTE = "100,000 tasks, 1,000,000 progress reports"
page(
    "supervision: board",
    url("supervision:index"),
    "supervisor",
    NOTE,
    needs=("supervision",),
    rows=_open_rows,
)
page(
    "supervision: board, one unit",
    lambda: url("supervision:index", unit=_unit())(),
    "supervisor",
    NOTE,
    needs=("supervision",),
    rows=_open_rows,
)
page(
    "supervision: board, red, page 5",
    url("supervision:index", light="red", page=5),
    "supervisor",
    NOTE,
    needs=("supervision",),
    rows=_open_rows,
)
page(
    "supervision: board as the mayor",
    url("supervision:index"),
    "mayor",
    NOTE,
    needs=("supervision",),
    rows=_open_rows,
)


page(
    "supervision: suggestions and proposals",
    url("supervision:proposals"),
    "supervisor",
    NOTE,
    needs=("supervision",),
    rows=_open_rows,
)


def _unit() -> str:
    return f"s:{Section.objects.get(code='general').pk}"


@task("supervision: monthly bulletin", volume_note=NOTE, needs=("supervision",), repeat=5)
def monthly_bulletin(timed) -> str:
    from supervision import bulletins

    supervisor = User.objects.get(username="supervisor")
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    with transaction.atomic():
        with timed():
            b = bulletins.bulletin_draft(by=supervisor, year=last.year, month=last.month)
        transaction.set_rollback(True)
    return f"{b.figures['totals']}"


@task(
    "supervision: board, first load after a transition",
    volume_note=NOTE,
    needs=("supervision",),
    repeat=20,
)
def board_after_transition(timed) -> str:
    """The board's cached figures are keyed by a version every transition bumps: this measures
    the request that pays for recomputing them (the pages above measure the usual one)."""
    from django.test import Client
    from django.urls import reverse

    from bench.runner import _host
    from supervision.services import bump_board

    client = Client(SERVER_NAME=_host())
    client.force_login(User.objects.get(username="supervisor"))
    with transaction.atomic():
        bump_board()
    with timed():
        response = client.get(reverse("supervision:index"))
    assert response.status_code == 200, response.status_code
    return "cold figures"
