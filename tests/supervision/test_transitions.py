"""签收, 反馈, 延期, 办结/销号: each transition with a refused person and a forbidden state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from office.models import AuditEntry, Notification, WorkAction, WorkItem, WorkState
from office.services import TransitionError
from supervision import services
from supervision.models import (
    CompletionState,
    ExtensionState,
    HandlerRole,
    ProgressReport,
    SupervisionSource,
    TaskState,
)

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def _open_items(task, action):
    return WorkItem.objects.filter(
        content_type__model="supervisiontask",
        object_id=task.pk,
        action=action,
        state=WorkState.OPEN,
    )


def _audit(task, action):
    return AuditEntry.objects.filter(
        object_type="supervision.supervisiontask", object_id=str(task.pk), action=action
    )


# --- 签收 ---------------------------------------------------------------------------------------
def test_the_lead_acknowledges_and_work_starts(task, clerk, supervisor):
    services.task_acknowledge(task=task, by=clerk, now=NOW)
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS
    lead = task.handlers.get(role=HandlerRole.LEAD)
    assert lead.acknowledged_by == clerk
    assert _audit(task, "supervision.acknowledge").count() == 1
    assert Notification.objects.filter(recipient=supervisor, url=task.get_absolute_url()).exists()


def test_an_assisting_section_acknowledges_without_moving_the_task(task, other_section_staff):
    services.task_acknowledge(task=task, by=other_section_staff, now=NOW)
    task.refresh_from_db()
    assert task.state == TaskState.ASSIGNED
    assert task.handlers.get(role=HandlerRole.ASSIST).acknowledged_at == NOW


@pytest.mark.parametrize("persona", ["secretary", "archivist", "outsider"])
def test_others_cannot_acknowledge(request, task, persona):
    with pytest.raises(PermissionDenied):
        services.task_acknowledge(task=task, by=request.getfixturevalue(persona), now=NOW)


def test_acknowledging_twice_is_refused(running, clerk):
    with pytest.raises(TransitionError):
        services.task_acknowledge(task=running, by=clerk, now=NOW)


def test_the_supervisor_acknowledges_for_a_unit_without_accounts(make_task, drc, supervisor):
    task = make_task(lead_section=None, lead_unit=drc, assisting_sections=[])
    services.task_acknowledge(task=task, by=supervisor, now=NOW)
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS
    assert _audit(task, "supervision.acknowledge").get().changes["on_behalf"] is True


# --- 反馈 ---------------------------------------------------------------------------------------
def test_weekly_report_closes_the_due_report_and_opens_the_next(cycle_task, clerk):
    services.task_acknowledge(task=cycle_task, by=clerk, now=NOW)
    cycle_task.refresh_from_db()
    assert cycle_task.next_report_on == dt.date(2026, 9, 22)
    first = _open_items(cycle_task, WorkAction.REPORT).get()
    pdf = SimpleUploadedFile("进展.pdf", b"%PDF-1.4\n%%EOF\n")
    report = services.report_submit(
        task=cycle_task, by=clerk, text="已清理主干道", files=[pdf], now=at(2026, 9, 21)
    )
    assert not report.late
    assert report.attachments.get().original_name == "进展.pdf"
    first.refresh_from_db()
    assert first.state == WorkState.DONE
    cycle_task.refresh_from_db()
    # a week after the 22nd is the 29th; the next week runs into National Day (10/1–10/7)
    assert cycle_task.next_report_on == dt.date(2026, 9, 29)
    assert _open_items(cycle_task, WorkAction.REPORT).get().due_at.date() == dt.date(2026, 9, 29)


def test_a_missed_report_turns_the_task_red_and_is_marked_late(cycle_task, clerk):
    services.task_acknowledge(task=cycle_task, by=clerk, now=NOW)
    cycle_task.refresh_from_db()
    assert cycle_task.light_on(dt.date(2026, 9, 23)) == "red"
    report = services.report_submit(task=cycle_task, by=clerk, text="迟报", now=at(2026, 9, 23))
    assert report.late


def test_a_report_needs_text_and_an_allowed_file(running, clerk):
    with pytest.raises(ValidationError):
        services.report_submit(task=running, by=clerk, text="  ", now=NOW)
    exe = SimpleUploadedFile("a.exe", b"MZ....")
    with pytest.raises(ValidationError):
        services.report_submit(task=running, by=clerk, text="x", files=[exe], now=NOW)
    assert not ProgressReport.objects.filter(task=running).exists()


def test_reports_refused_before_acknowledgement_and_from_others(task, running, secretary):
    with pytest.raises(PermissionDenied):
        services.report_submit(task=running, by=secretary, text="x", now=NOW)


def test_reports_refused_in_a_forbidden_state(task, clerk):
    with pytest.raises(TransitionError):
        services.report_submit(task=task, by=clerk, text="x", now=NOW)  # not acknowledged


# --- 延期 ---------------------------------------------------------------------------------------
def _apply(task, by, **kw):
    args = {
        "task": task,
        "by": by,
        "new_due_on": dt.date(2026, 10, 30),
        "reason": "需协调资金",
        "progress": "已完成一半",
        "now": at(2026, 9, 28),
    } | kw
    return services.extension_apply(**args)


def test_extension_checked_then_approved_moves_the_deadline(running, clerk, supervisor, leader):
    ext = _apply(running, clerk)
    assert ext.state == ExtensionState.PENDING_CHECK
    services.extension_check(extension=ext, by=supervisor, approve=True, now=at(2026, 9, 28, 10))
    ext.refresh_from_db()
    assert ext.state == ExtensionState.PENDING_APPROVAL
    assert _open_items(running, WorkAction.APPROVE).get().assignee == leader
    services.extension_decide(extension=ext, by=leader, approve=True, now=at(2026, 9, 28, 11))
    running.refresh_from_db()
    assert running.due_on == dt.date(2026, 10, 30)
    assert running.original_due_on == dt.date(2026, 10, 9)
    handle = _open_items(running, WorkAction.HANDLE)
    assert {timezone.localtime(i.due_at) for i in handle} == {at(2026, 10, 31, 0)}  # 24:00
    assert _audit(running, "supervision.extension_decide").get().changes["due_on"] == [
        "2026-10-09",
        "2026-10-30",
    ]


def test_extension_after_the_deadline_is_refused(running, clerk):
    with pytest.raises(TransitionError):
        _apply(running, clerk, now=at(2026, 10, 10))


def test_extension_refused_people(running, clerk, supervisor, other_leader, other_section_staff):
    with pytest.raises(PermissionDenied):
        _apply(running, other_section_staff)  # assisting, not the lead
    ext = _apply(running, clerk)
    with pytest.raises(PermissionDenied):
        services.extension_check(extension=ext, by=clerk, approve=True)
    with pytest.raises(TransitionError):
        services.extension_decide(extension=ext, by=running.leader, approve=True)  # not checked
    services.extension_check(extension=ext, by=supervisor, approve=True)
    with pytest.raises(PermissionDenied):
        services.extension_decide(extension=ext, by=other_leader, approve=True)
    with pytest.raises(TransitionError):
        services.extension_check(extension=ext, by=supervisor, approve=True)  # checked already


def test_a_second_pending_request_is_refused(running, clerk):
    _apply(running, clerk)
    with pytest.raises(TransitionError):
        _apply(running, clerk)


def test_rejecting_needs_a_reason(running, clerk, supervisor):
    ext = _apply(running, clerk)
    with pytest.raises(ValidationError):
        services.extension_check(extension=ext, by=supervisor, approve=False)
    services.extension_check(extension=ext, by=supervisor, approve=False, note="理由不充分")
    ext.refresh_from_db()
    assert ext.state == ExtensionState.REJECTED
    running.refresh_from_db()
    assert running.due_on == dt.date(2026, 10, 9)


def test_a_proposal_extends_once_by_a_month_at_most(make_task, clerk, supervisor, leader):
    task = make_task(source=SupervisionSource.CPPCC_PROPOSAL, due_on=dt.date(2026, 10, 9))
    services.task_acknowledge(task=task, by=clerk, now=NOW)
    with pytest.raises(ValidationError):
        _apply(task, clerk, new_due_on=dt.date(2026, 11, 10))
    ext = _apply(task, clerk, new_due_on=dt.date(2026, 11, 9))
    services.extension_check(extension=ext, by=supervisor, approve=True)
    services.extension_decide(extension=ext, by=leader, approve=True)
    with pytest.raises(TransitionError):
        _apply(task, clerk, new_due_on=dt.date(2026, 11, 20))


# --- 办结 / 销号 -----------------------------------------------------------------------------------
def test_completion_verified_and_closed(running, clerk, supervisor):
    report = services.completion_submit(
        task=running, by=clerk, text="已全部清理", now=at(2026, 10, 8)
    )
    running.refresh_from_db()
    assert running.state == TaskState.REVIEWING
    services.completion_review(report=report, by=supervisor, accept=True, now=at(2026, 10, 12))
    running.refresh_from_db()
    assert running.state == TaskState.CLOSED
    assert running.on_time is True  # reported on 10/8, before the deadline of 10/9
    assert not WorkItem.objects.filter(
        content_type__model="supervisiontask", object_id=running.pk, state=WorkState.OPEN
    ).exists()
    assert _audit(running, "supervision.close").count() == 1


def test_completion_returned_goes_back_to_work(running, clerk, supervisor):
    report = services.completion_submit(task=running, by=clerk, text="已清理", now=NOW)
    with pytest.raises(ValidationError):
        services.completion_review(report=report, by=supervisor, accept=False)
    services.completion_review(report=report, by=supervisor, accept=False, note="次干道未清理")
    running.refresh_from_db()
    report.refresh_from_db()
    assert running.state == TaskState.IN_PROGRESS
    assert report.state == CompletionState.RETURNED
    with pytest.raises(TransitionError):
        services.completion_review(report=report, by=supervisor, accept=True)


def test_completion_refused_people_and_states(task, running, clerk, supervisor, secretary):
    with pytest.raises(PermissionDenied):
        services.completion_submit(task=running, by=secretary, text="x")
    report = services.completion_submit(task=running, by=clerk, text="x")
    with pytest.raises(TransitionError):
        services.completion_submit(task=running, by=clerk, text="again")
    with pytest.raises(PermissionDenied):
        services.completion_review(report=report, by=clerk, accept=True)


def test_a_proposal_is_graded_at_closing(make_task, clerk, supervisor):
    task = make_task(source=SupervisionSource.NPC_SUGGESTION)
    services.task_acknowledge(task=task, by=clerk, now=NOW)
    report = services.completion_submit(task=task, by=clerk, text="已答复代表", now=NOW)
    with pytest.raises(ValidationError):
        services.completion_review(report=report, by=supervisor, accept=True)
    services.completion_review(report=report, by=supervisor, accept=True, grade="A")
    task.refresh_from_db()
    assert task.grade == "A"


def test_cancel(task, clerk, supervisor, running):
    with pytest.raises(PermissionDenied):
        services.task_cancel(task=running, by=clerk, reason="x")
    with pytest.raises(TransitionError):
        services.task_cancel(task=running, by=supervisor, reason="x")  # in progress
