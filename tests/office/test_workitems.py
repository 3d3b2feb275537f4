"""The work-item service API: each transition's happy path, forbidden states, refused people."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from office.models import (
    AuditEntry,
    Notification,
    NotificationLevel,
    Section,
    WorkItem,
    WorkItemEvent,
    WorkState,
)
from office.services import TransitionError
from office.services import workitems as svc
from office.workcalendar import CalendarNotLoaded

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=SH)


def _open(clerk, secretary, **kwargs) -> WorkItem:
    defaults = {
        "title": "办理一件信访事项",
        "kind": "petition",
        "action": "handle",
        "assignee": clerk,
        "section": Section.objects.get(code="general"),
        "actor": secretary,
        "rule": "petition.handle",
        "now": NOW,
    }
    defaults.update(kwargs)
    return svc.workitem_open(**defaults)


def test_opening_computes_the_deadline_on_the_calendar(clerk, secretary):
    item = _open(clerk, secretary)
    # 60 calendar days after 2026-09-01 is 2026-10-31, a Saturday: it rolls over to Monday
    # 2026-11-02 (民法典 第二百零三条) and ends at 24:00.
    assert item.due_at == dt.datetime(2026, 11, 3, 0, 0, tzinfo=SH)
    assert item.remind_at == item.due_at - dt.timedelta(hours=120)
    assert item.assigned_by == secretary
    assert item.leader.username == "vicemayor"  # 综合科's leader in charge
    assert item.priority == 1
    assert AuditEntry.objects.filter(action="workitem.open", object_id=str(item.pk)).count() == 1
    assert Notification.objects.filter(recipient=clerk, work_item=item).count() == 1


def test_opening_beyond_the_provisional_horizon_is_an_error(clerk, secretary):
    with (
        time_machine.travel(dt.datetime(2026, 12, 8, 10, 0, tzinfo=SH), tick=False),
        pytest.raises(CalendarNotLoaded, match="2029"),
    ):
        _open(clerk, secretary, now=dt.datetime(2029, 3, 1, 9, 0, tzinfo=SH))
    assert not WorkItem.objects.filter(title="办理一件信访事项").exists()


def test_a_deadline_counted_across_a_provisional_year_is_flagged(clerk, secretary):
    with time_machine.travel(dt.datetime(2026, 12, 8, 10, 0, tzinfo=SH), tick=False):
        item = _open(clerk, secretary, now=dt.datetime(2026, 12, 8, 10, 0, tzinfo=SH))
    assert item.due_provisional
    assert item.due_basis["amount"] == item.rule.amount
    early = _open(clerk, secretary, now=dt.datetime(2026, 6, 1, 9, 0, tzinfo=SH))
    assert not early.due_provisional


def test_work_must_be_given_to_someone(secretary):
    with pytest.raises(TransitionError):
        svc.workitem_open(title="无人", kind="other", action="other", actor=secretary, now=NOW)


@pytest.mark.parametrize("urgency,priority", [("normal", 1), ("urgent", 2), ("extra_urgent", 3)])
def test_urgency_sets_the_priority(clerk, secretary, urgency, priority):
    assert _open(clerk, secretary, urgency=urgency).priority == priority


def test_the_assignee_completes(clerk, secretary):
    item = _open(clerk, secretary)
    svc.workitem_complete(item=item, by=clerk, outcome="已答复", now=NOW)
    item.refresh_from_db()
    assert item.state == WorkState.DONE and item.completed_by == clerk
    assert item.next_sweep_at is None
    entry = AuditEntry.objects.get(action="workitem.complete", object_id=str(item.pk))
    assert (entry.from_state, entry.to_state, entry.comment) == ("open", "done", "已答复")


def test_work_cannot_be_completed_twice(clerk, secretary):
    item = _open(clerk, secretary)
    svc.workitem_complete(item=item, by=clerk, now=NOW)
    with pytest.raises(TransitionError):
        svc.workitem_complete(item=item, by=clerk, now=NOW)


def test_another_section_cannot_complete(clerk, secretary, other_section_staff):
    item = _open(clerk, secretary)
    with pytest.raises(PermissionDenied):
        svc.workitem_complete(item=item, by=other_section_staff, now=NOW)
    item.refresh_from_db()
    assert item.state == WorkState.OPEN


def test_section_work_may_be_completed_by_anyone_in_the_section(clerk, secretary, section_head):
    item = _open(clerk, secretary, assignee=None)
    svc.workitem_complete(item=item, by=User.objects.get(username="petition_officer"), now=NOW)
    assert WorkItem.objects.get(pk=item.pk).state == WorkState.DONE


def test_cancelling_needs_a_reason_and_a_manager(clerk, secretary, section_head):
    item = _open(clerk, secretary)
    with pytest.raises(TransitionError):
        svc.workitem_cancel(item=item, by=section_head, reason="  ", now=NOW)
    with pytest.raises(PermissionDenied):
        svc.workitem_cancel(item=item, by=clerk, reason="不想办", now=NOW)
    svc.workitem_cancel(item=item, by=section_head, reason="来文单位撤回", now=NOW)
    assert WorkItem.objects.get(pk=item.pk).state == WorkState.CANCELLED


def test_reassigning_tells_the_new_assignee(clerk, secretary, section_head):
    item = _open(clerk, secretary)
    other = User.objects.get(username="petition_officer")
    svc.workitem_reassign(
        item=item, by=section_head, assignee=other, section=item.section, reason="工作调整", now=NOW
    )
    item.refresh_from_db()
    assert item.assignee == other
    assert Notification.objects.filter(recipient=other, work_item=item).exists()
    with pytest.raises(PermissionDenied):
        svc.workitem_reassign(item=item, by=clerk, assignee=clerk, now=NOW)


def test_only_pausable_rules_can_stop_the_clock(clerk, secretary, section_head):
    item = _open(clerk, secretary)  # petition.handle is not pausable
    with pytest.raises(TransitionError):
        svc.workitem_pause(item=item, by=section_head, reason="听证", now=NOW)


def test_pause_and_resume_move_the_deadline_by_the_time_stopped(clerk, secretary, section_head):
    item = _open(clerk, secretary, rule="disclosure.answer")
    due = item.due_at
    svc.workitem_pause(item=item, by=section_head, reason="征求第三方意见", now=NOW)
    with pytest.raises(TransitionError):
        svc.workitem_pause(item=item, by=section_head, reason="again", now=NOW)
    later = NOW + dt.timedelta(days=5, hours=3)
    svc.workitem_resume(item=item, by=section_head, now=later)
    item.refresh_from_db()
    assert item.paused_at is None
    assert item.due_at == due + dt.timedelta(days=5, hours=3)
    assert item.sweep_cycle == 1 and item.sweep_level == 0
    kinds = list(WorkItemEvent.objects.filter(work_item=item).values_list("kind", flat=True))
    assert kinds == ["open", "pause", "resume"]


def test_resuming_a_running_clock_is_refused(clerk, secretary, section_head):
    item = _open(clerk, secretary, rule="disclosure.answer")
    with pytest.raises(TransitionError):
        svc.workitem_resume(item=item, by=section_head, now=NOW)


def test_a_leader_extends_once_within_the_limit(clerk, secretary, leader, section_head):
    item = _open(clerk, secretary)
    with pytest.raises(PermissionDenied):  # 信访 extension needs the head's approval
        svc.workitem_extend(item=item, by=section_head, amount=30, reason="情况复杂", now=NOW)
    with pytest.raises(TransitionError):
        svc.workitem_extend(item=item, by=leader, amount=31, reason="情况复杂", now=NOW)
    with pytest.raises(TransitionError):
        svc.workitem_extend(item=item, by=leader, amount=30, reason="", now=NOW)
    svc.workitem_extend(item=item, by=leader, amount=30, reason="情况复杂", now=NOW)
    item.refresh_from_db()
    # From the last day 2026-11-02, 30 more days is 2026-12-02 (a Wednesday).
    assert item.due_at == dt.datetime(2026, 12, 3, 0, 0, tzinfo=SH)
    assert item.extensions == 1 and item.sweep_cycle == 1
    assert Notification.objects.filter(
        recipient=clerk, work_item=item, title__startswith="已延期"
    ).exists()
    with pytest.raises(TransitionError):
        svc.workitem_extend(item=item, by=leader, amount=1, reason="再延", now=NOW)


def test_rules_without_extensions_refuse_them(clerk, secretary, leader):
    item = _open(clerk, secretary, rule="petition.accept")
    with pytest.raises(TransitionError):
        svc.workitem_extend(item=item, by=leader, amount=1, reason="x", now=NOW)


def test_urging_notifies_and_is_audited(clerk, secretary, section_head):
    item = _open(clerk, secretary)
    svc.workitem_urge(item=item, by=section_head, message="请抓紧办理", now=NOW)
    note = Notification.objects.get(recipient=clerk, level=NotificationLevel.URGE)
    assert note.body == "请抓紧办理"
    assert AuditEntry.objects.filter(action="workitem.urge", actor=section_head).exists()


@pytest.mark.parametrize("persona", ["clerk", "other_section_staff", "leader"])
def test_people_who_may_not_chase_cannot_urge(clerk, secretary, persona, request):
    item = _open(clerk, secretary)
    with pytest.raises(PermissionDenied):
        svc.workitem_urge(item=item, by=request.getfixturevalue(persona), now=NOW)


def test_closed_work_refuses_every_change(clerk, secretary, section_head, leader):
    item = _open(clerk, secretary, rule="disclosure.answer")
    svc.workitem_complete(item=item, by=clerk, now=NOW)
    calls = [
        lambda: svc.workitem_cancel(item=item, by=section_head, reason="x", now=NOW),
        lambda: svc.workitem_pause(item=item, by=section_head, reason="x", now=NOW),
        lambda: svc.workitem_extend(item=item, by=leader, amount=1, reason="x", now=NOW),
        lambda: svc.workitem_urge(item=item, by=section_head, now=NOW),
        lambda: svc.workitem_reassign(item=item, by=section_head, assignee=clerk, now=NOW),
    ]
    for call in calls:
        with pytest.raises(TransitionError):
            call()


def test_visibility(clerk, secretary, section_head, other_section_staff, leader, supervisor):
    item = _open(clerk, secretary)
    for user, sees in [
        (clerk, True),
        (secretary, True),
        (section_head, True),
        (User.objects.get(username="vicemayor"), True),  # leader in charge
        (supervisor, True),
        (other_section_staff, False),
        (leader, False),
    ]:
        visible = WorkItem.objects.filter(pk=item.pk).filter(svc.visible_workitems_q(user))
        assert visible.exists() is sees, user.username
