"""Supervision on the spine: the chase slips are the only warnings about a unit's handling (the
spine's generic reminders stay quiet for it), and an approved extension moves the units' work
items' deadline instead of replacing them — tested with both sweeps over National Day 2026."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from office.models import DeadlineMarker, Notification, WorkAction, WorkItem, WorkState
from office.sweep import sweep as spine_sweep
from supervision import chase, services
from supervision.models import ChaseSlip, ReportingCycle

from .conftest import NOW, at

pytestmark = pytest.mark.django_db

SPINE_LEVELS = ("reminder", "overdue", "escalation")


def _items(task, **filters):
    return WorkItem.objects.filter(
        content_type__model="supervisiontask", object_id=task.pk, **filters
    )


def _spine_notes(items):
    return list(
        Notification.objects.filter(work_item__in=items, level__in=SPINE_LEVELS).values_list(
            "recipient__username", "title"
        )
    )


def _both_sweeps(day, hour=9):
    spine_sweep(now=at(2026, 10, day, hour))
    return chase.sweep(now=at(2026, 10, day, hour))


def test_only_the_chase_slips_warn_about_the_handling(running, general):
    """Due 10/9: the spine's ladder still climbs for the handling items (the inbox shows them
    overdue) but sends nothing; the blue, orange and red slips are the warnings."""
    handling = _items(running, action=WorkAction.HANDLE)
    assert handling.count() == 2  # the lead and the assisting section
    for moment in (at(2026, 9, 30), at(2026, 10, 10), at(2026, 10, 15), at(2026, 10, 20)):
        spine_sweep(now=moment)
        chase.sweep(now=moment)
    assert DeadlineMarker.objects.filter(work_item__in=handling).count() == 8  # 4 rungs × 2
    assert _spine_notes(handling) == []
    assert [s.colour for s in ChaseSlip.objects.filter(task=running)] == ["blue", "orange", "red"]
    slips = Notification.objects.filter(
        url=running.get_absolute_url(), work_item__isnull=True, level__in=SPINE_LEVELS
    )
    assert slips.filter(recipient=general.head.user).count() == 3


def test_a_missed_progress_report_still_gets_the_spine_reminder(cycle_task, clerk):
    services.task_acknowledge(task=cycle_task, by=clerk, now=NOW)
    cycle_task.refresh_from_db()
    report = _items(cycle_task, action=WorkAction.REPORT, state=WorkState.OPEN).get()
    spine_sweep(now=report.due_at + dt.timedelta(hours=1))
    assert _spine_notes([report])  # no slip covers a missed report: the spine reminds


def test_an_approved_extension_moves_the_units_deadline_over_the_holiday(
    running, clerk, supervisor, leader, general, subdistrict
):
    """Due Friday 10/9 (after National Day). On 9/30 the blue slip goes out (and the spine's
    ladder reaches its reminder rung, quietly). The extension to 10/23 is approved on 9/30:
    the same work items now run to 10/23 with a fresh ladder; during the holiday and on the old
    deadline nothing is overdue; after 10/23 the units' items are overdue once and the orange
    slip follows on the next working day."""
    handling = list(_items(running, action=WorkAction.HANDLE, state=WorkState.OPEN))
    spine_sweep(now=at(2026, 9, 30))
    assert chase.sweep(now=at(2026, 9, 30))["blue"] == 1
    ext = services.extension_apply(
        task=running,
        by=clerk,
        new_due_on=dt.date(2026, 10, 23),
        reason="节后需再协调",
        progress="主干道已清理",
        now=at(2026, 9, 30, 10),
    )
    services.extension_check(extension=ext, by=supervisor, approve=True, now=at(2026, 9, 30, 11))
    services.extension_decide(extension=ext, by=leader, approve=True, now=at(2026, 9, 30, 15))
    after = list(_items(running, action=WorkAction.HANDLE))
    assert {i.pk for i in after} == {i.pk for i in handling}  # kept, not cancelled and reopened
    for item in after:
        assert item.state == WorkState.OPEN
        assert timezone.localtime(item.due_at) == at(2026, 10, 24, 0)
        assert (item.sweep_cycle, item.sweep_level) == (1, 0)
        assert item.events.filter(kind="reschedule").count() == 1
    handler = running.handlers.get(section=general)
    assert handler.work_item_id == handling[0].pk or handler.work_item_id == handling[1].pk
    # The holiday, the old deadline and the make-up Saturday: nothing overdue, no new slip.
    for day in (1, 4, 8, 9, 10, 12):
        assert sum(_both_sweeps(day).values()) == 0
    assert not DeadlineMarker.objects.filter(work_item__in=after, cycle=1, level__gte=2).exists()
    # The new deadline is missed: overdue once per unit, and the orange slip.
    assert _both_sweeps(26) == {"blue": 0, "orange": 1, "red": 0}
    _both_sweeps(26, 15)
    assert DeadlineMarker.objects.filter(work_item__in=after, cycle=1, level=2).count() == 2
    assert _spine_notes(after) == []
    assert subdistrict in [h.section for h in running.handlers.all()]


def test_an_extension_keeps_the_co_handlers_own_month(make_task, clerk, supervisor, leader):
    """建议提案: the co-handler's view is due a month after assignment; moving the task's
    deadline does not move it (the old deadline did not cap it)."""
    task = make_task(
        source="cppcc_proposal", due_on=dt.date(2026, 12, 15), reporting_cycle=ReportingCycle.NONE
    )
    services.task_acknowledge(task=task, by=clerk, now=NOW)
    ext = services.extension_apply(
        task=task,
        by=clerk,
        new_due_on=dt.date(2027, 1, 15),
        reason="需调研",
        progress="已联系委员",
        now=at(2026, 11, 2),
    )
    services.extension_check(extension=ext, by=supervisor, approve=True, now=at(2026, 11, 2))
    services.extension_decide(extension=ext, by=leader, approve=True, now=at(2026, 11, 2))
    view = _items(task, action=WorkAction.REPLY).get()
    assert timezone.localtime(view.due_at).date() == dt.date(2026, 10, 16)  # 10/15, 24:00
    lead = _items(task, action=WorkAction.HANDLE).get()
    assert timezone.localtime(lead.due_at).date() == dt.date(2027, 1, 16)


def test_an_extension_past_the_last_report_opens_the_next_report(
    make_task, clerk, supervisor, leader
):
    """Monthly reports by the 5th, due 10/30: the 10/5 report … then none (the deadline comes
    first). Extended to 12/20, the next report (11/5) is due again and is work on the spine."""
    task = make_task(due_on=dt.date(2026, 10, 30), reporting_cycle=ReportingCycle.MONTHLY)
    services.task_acknowledge(task=task, by=clerk, now=NOW)
    services.report_submit(task=task, by=clerk, text="九月进展", now=at(2026, 10, 9))
    task.refresh_from_db()
    assert task.next_report_on is None
    ext = services.extension_apply(
        task=task,
        by=clerk,
        new_due_on=dt.date(2026, 12, 20),
        reason="资金未到位",
        progress="过半",
        now=at(2026, 10, 12),
    )
    services.extension_check(extension=ext, by=supervisor, approve=True, now=at(2026, 10, 12))
    services.extension_decide(extension=ext, by=leader, approve=True, now=at(2026, 10, 12))
    task.refresh_from_db()
    assert task.next_report_on == dt.date(2026, 11, 5)
    report = _items(task, action=WorkAction.REPORT, state=WorkState.OPEN).get()
    assert timezone.localtime(report.due_at).date() == dt.date(2026, 11, 6)
