"""三色督查单: blue → orange → red, each issued once, at the right time, over National Day 2026.

The task is due Friday 9 October 2026, the day after the holiday (10/1–10/7); Saturday 10/10 is a
make-up working day (调休)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from office.models import AuditEntry, Notification
from supervision import chase, services
from supervision.models import ChaseLevel, ChaseSlip, TaskState

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def _colours(task):
    return [s.colour for s in ChaseSlip.objects.filter(task=task).order_by("pk")]


def test_blue_orange_red_each_once_over_national_day(running, leader, general):
    # 9/29: four working days are left (9/29, 9/30, 10/8, 10/9): outside the warning window.
    assert chase.sweep(now=at(2026, 9, 29)) == {"blue": 0, "orange": 0, "red": 0}
    # 9/30: three working days left; the holiday does not count, so the reminder comes now.
    assert chase.sweep(now=at(2026, 9, 30))["blue"] == 1
    assert chase.sweep(now=at(2026, 9, 30, 15))["blue"] == 0
    # In the holiday nothing goes out, and the deadline (10/9) has not passed.
    for day in range(1, 10):
        assert sum(chase.sweep(now=at(2026, 10, day)).values()) == 0
    # 10/10 is a make-up Saturday: the deadline is missed, orange with a fixed date (3 workdays).
    assert chase.sweep(now=at(2026, 10, 10))["orange"] == 1
    orange = ChaseSlip.objects.get(task=running, level=ChaseLevel.ORANGE)
    assert orange.respond_by == dt.date(2026, 10, 14)
    assert chase.sweep(now=at(2026, 10, 11))["red"] == 0  # a Sunday
    assert chase.sweep(now=at(2026, 10, 14))["red"] == 0  # the fixed date itself
    assert chase.sweep(now=at(2026, 10, 15))["red"] == 1
    for day in (16, 19, 20):
        assert sum(chase.sweep(now=at(2026, 10, day)).values()) == 0
    assert _colours(running) == ["blue", "orange", "red"]
    # The red slip goes to the leader in charge; the section head hears of every slip.
    to_leader = Notification.objects.filter(
        recipient=leader, url=running.get_absolute_url(), level="escalation"
    )
    assert to_leader.count() == 1
    assert (
        Notification.objects.filter(
            recipient=general.head.user, url=running.get_absolute_url(), level="escalation"
        ).count()
        == 2
    )
    assert (
        AuditEntry.objects.filter(action="supervision.chase", object_id=str(running.pk)).count()
        == 3
    )


def test_an_urgent_task_starts_at_orange(make_task, clerk):
    task = make_task(urgent=True)
    assert chase.sweep(now=at(2026, 9, 30))["orange"] == 1
    slip = ChaseSlip.objects.get(task=task)
    assert slip.respond_by == dt.date(2026, 10, 9)
    assert chase.sweep(now=at(2026, 10, 10))["red"] == 1
    assert _colours(task) == ["orange", "red"]


def test_a_task_may_start_at_red(make_task):
    task = make_task(chase_start=ChaseLevel.RED)
    chase.sweep(now=at(2026, 9, 30))
    chase.sweep(now=at(2026, 10, 20))
    assert _colours(task) == ["red"]


def test_a_task_swept_late_skips_the_reminder(make_task):
    task = make_task()
    chase.sweep(now=at(2026, 10, 12))
    assert _colours(task) == ["orange"]


def test_a_closed_or_reviewed_task_is_not_chased(running, clerk, supervisor):
    services.completion_submit(task=running, by=clerk, text="已完成", now=NOW)
    assert sum(chase.sweep(now=at(2026, 10, 20)).values()) == 0
    assert running.slips.count() == 0


def test_an_extension_moves_the_next_slip(running, clerk, supervisor, leader):
    chase.sweep(now=at(2026, 9, 30))
    ext = services.extension_apply(
        task=running,
        by=clerk,
        new_due_on=dt.date(2026, 10, 30),
        reason="资金未到位",
        progress="完成方案",
        now=at(2026, 9, 30, 10),
    )
    services.extension_check(extension=ext, by=supervisor, approve=True)
    services.extension_decide(extension=ext, by=leader, approve=True)
    assert chase.sweep(now=at(2026, 10, 12))["orange"] == 0
    assert chase.sweep(now=at(2026, 11, 2))["orange"] == 1


def test_each_colour_once_by_the_database(running):
    ChaseSlip.objects.create(
        task=running, level=1, number="x", issued_at=NOW, respond_by=running.due_on, text=""
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ChaseSlip.objects.create(
            task=running, level=1, number="y", issued_at=NOW, respond_by=running.due_on, text=""
        )


def test_the_slip_is_a_pdf(running, client_for, supervisor, clerk, secretary):
    chase.sweep(now=at(2026, 9, 30))
    slip = running.slips.get()
    response = client_for(clerk).get(f"/supervision/slip/{slip.pk}.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert client_for(secretary).get(f"/supervision/slip/{slip.pk}.pdf").status_code == 404


def test_the_beat_runs_the_chase(settings):
    assert settings.CELERY_BEAT_SCHEDULE["supervision-chase"]["task"] == (
        "supervision.tasks.chase_sweep"
    )
    from supervision.tasks import chase_sweep

    assert set(chase_sweep()) == {"blue", "orange", "red"}


def test_state_of_running(running):
    assert running.state == TaskState.IN_PROGRESS
