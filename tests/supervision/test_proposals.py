"""建议提案 (DOMAIN.md §5.1): a wrongly received suggestion or proposal returned within 10 days,
the co-handler's view to the lead within a month, and the contact / reply / satisfaction figures
computed from the records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from office.models import AuditEntry, Notification, WorkAction, WorkItem, WorkState
from office.services import TransitionError
from supervision import board, services
from supervision.models import (
    HandlerRole,
    Satisfaction,
    SupervisionSource,
    SupervisionTask,
    TaskState,
    WrongAssignment,
)

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(make_task):
    """A CPPCC proposal given to 综合科 (lead) with 街道办 assisting on 9/15, due 12/15."""
    return make_task(source=SupervisionSource.CPPCC_PROPOSAL, due_on=dt.date(2026, 12, 15))


def _open(task, **filters):
    return WorkItem.objects.filter(
        content_type__model="supervisiontask", object_id=task.pk, state=WorkState.OPEN, **filters
    )


# --- Returned as wrongly assigned -------------------------------------------------------------
def test_the_lead_returns_it_within_ten_days_and_it_goes_back_for_reassignment(
    proposal, clerk, supervisor, subdistrict
):
    services.task_acknowledge(task=proposal, by=clerk, now=at(2026, 9, 16))
    record = services.task_return_wrong(
        task=proposal, by=clerk, reason="属于住建局职责", now=at(2026, 9, 25, 17)
    )
    proposal.refresh_from_db()
    assert proposal.state == TaskState.OPENED
    assert proposal.lead_section is None and proposal.lead_unit is None
    assert record.role == HandlerRole.LEAD and record.section.code == "general"
    assert record.reason == "属于住建局职责"
    # The lead is off the task, the assisting unit stays; the supervisor has work to re-assign.
    assert [(h.section, h.role) for h in proposal.handlers.all()] == [
        (subdistrict, HandlerRole.ASSIST)
    ]
    assert not _open(proposal, section__code="general").exists()
    again = _open(proposal, action=WorkAction.OTHER).get()
    assert again.assignee == supervisor and "综合科" in again.title
    assert Notification.objects.filter(recipient=supervisor, body="属于住建局职责").exists()
    entry = AuditEntry.objects.get(action="supervision.return_wrong", object_id=str(proposal.pk))
    assert (entry.from_state, entry.to_state) == (TaskState.IN_PROGRESS, TaskState.OPENED)


def test_after_ten_days_the_return_is_refused_with_a_clear_message(proposal, clerk):
    with translation.override("zh-hans"), pytest.raises(TransitionError) as exc:
        services.task_return_wrong(
            task=proposal, by=clerk, reason="不属于本科", now=at(2026, 9, 26)
        )
    assert "10" in str(exc.value) and "2026-09-25" in str(exc.value)
    assert "日内" in str(exc.value)  # said in Chinese
    proposal.refresh_from_db()
    assert proposal.state == TaskState.ASSIGNED
    assert not WrongAssignment.objects.exists()


def test_a_return_needs_a_reason_and_a_unit_of_the_task(proposal, clerk, secretary, leader):
    with pytest.raises(ValidationError):
        services.task_return_wrong(task=proposal, by=clerk, reason=" ", now=NOW)
    for person in (secretary, leader):
        with pytest.raises(PermissionDenied):
            services.task_return_wrong(task=proposal, by=person, reason="不属于", now=NOW)
    assert SupervisionTask.objects.get(pk=proposal.pk).state == TaskState.ASSIGNED


def test_only_suggestions_and_proposals_are_returned_this_way(task, clerk):
    with pytest.raises(TransitionError):
        services.task_return_wrong(task=task, by=clerk, reason="不属于本科", now=NOW)


def test_a_unit_that_has_reported_progress_can_no_longer_return_it(proposal, clerk):
    services.task_acknowledge(task=proposal, by=clerk, now=NOW)
    services.report_submit(task=proposal, by=clerk, text="已联系委员", now=at(2026, 9, 16))
    with pytest.raises(TransitionError):
        services.task_return_wrong(task=proposal, by=clerk, reason="不属于", now=at(2026, 9, 17))


def test_a_closed_or_returned_task_cannot_be_returned(proposal, clerk):
    services.task_return_wrong(task=proposal, by=clerk, reason="不属于", now=NOW)
    with pytest.raises(TransitionError):  # opened again: nothing to return
        services.task_return_wrong(task=proposal, by=clerk, reason="不属于", now=NOW)


def test_an_assisting_unit_returns_only_itself(proposal, other_section_staff, general):
    services.task_return_wrong(
        task=proposal, by=other_section_staff, reason="与街道无关", now=at(2026, 9, 20)
    )
    proposal.refresh_from_db()
    assert proposal.state == TaskState.ASSIGNED
    assert [(h.section, h.role) for h in proposal.handlers.all()] == [(general, HandlerRole.LEAD)]
    assert not _open(proposal, section__code="subdistrict").exists()


def test_reassigning_after_a_return_keeps_the_assisting_unit(
    proposal, clerk, supervisor, drc, subdistrict
):
    services.task_return_wrong(task=proposal, by=clerk, reason="属于发改委", now=NOW)
    services.task_assign(
        task=proposal,
        by=supervisor,
        lead_unit=drc,
        assisting_sections=[subdistrict],
        due_on=dt.date(2026, 12, 15),
        now=at(2026, 9, 16),
    )
    proposal.refresh_from_db()
    assert proposal.state == TaskState.ASSIGNED and proposal.lead_unit == drc
    roles = {(h.section_id, h.unit_id): h.role for h in proposal.handlers.all()}
    assert roles == {(None, drc.pk): HandlerRole.LEAD, (subdistrict.pk, None): HandlerRole.ASSIST}
    # The co-handler's work item from the first assignment is still the one it works on.
    assert _open(proposal, section=subdistrict).count() == 1
    assert not _open(proposal, action=WorkAction.OTHER).exists()
    # The new lead's ten days count from its own receipt.
    lead = proposal.handlers.get(role=HandlerRole.LEAD)
    assert services.return_deadline(proposal, lead) == dt.date(2026, 9, 26)


def test_an_assisting_unit_can_become_the_lead_on_reassignment(
    proposal, clerk, supervisor, subdistrict
):
    services.task_return_wrong(task=proposal, by=clerk, reason="属于街道办", now=NOW)
    services.task_assign(
        task=proposal, by=supervisor, lead_section=subdistrict, due_on=dt.date(2026, 12, 15)
    )
    handler = proposal.handlers.get()
    assert handler.role == HandlerRole.LEAD and handler.section == subdistrict
    item = _open(proposal, section=subdistrict).get()
    assert item.action == WorkAction.HANDLE and handler.work_item == item


# --- The co-handler's view within a month -----------------------------------------------------
def test_the_co_handler_gives_its_view_to_the_lead_within_a_month(
    proposal, clerk, other_section_staff, general
):
    view = _open(proposal, section__code="subdistrict").get()
    assert view.action == WorkAction.REPLY
    assert view.due_at.date() == dt.date(2026, 10, 15)  # one month after 9/15
    services.task_acknowledge(task=proposal, by=clerk, now=NOW)
    services.report_submit(
        task=proposal, by=other_section_staff, text="街道意见：同意", now=at(2026, 10, 9)
    )
    view.refresh_from_db()
    assert view.state == WorkState.DONE and view.completed_by == other_section_staff
    assert Notification.objects.filter(recipient=general.head.user, body="街道意见：同意").exists()
    # The lead's own work goes on.
    assert _open(proposal, section=general, action=WorkAction.HANDLE).exists()


# --- Contact and satisfaction -----------------------------------------------------------------
def _close(task, clerk, supervisor, *, grade="A", when=NOW):
    services.task_acknowledge(task=task, by=clerk, now=when)
    report = services.completion_submit(task=task, by=clerk, text="已答复", now=when)
    services.completion_review(report=report, by=supervisor, accept=True, grade=grade, now=when)


def test_contact_and_satisfaction_are_recorded(proposal, clerk, supervisor):
    services.task_acknowledge(task=proposal, by=clerk, now=NOW)
    services.proposal_record(task=proposal, by=clerk, contacted_on=dt.date(2026, 9, 15), now=NOW)
    with pytest.raises(TransitionError):  # the reply is not made yet
        services.proposal_record(task=proposal, by=clerk, satisfaction=Satisfaction.SATISFIED)
    report = services.completion_submit(task=proposal, by=clerk, text="已答复", now=NOW)
    services.completion_review(report=report, by=supervisor, accept=True, grade="A", now=NOW)
    services.proposal_record(task=proposal, by=supervisor, satisfaction=Satisfaction.BASICALLY)
    proposal.refresh_from_db()
    assert proposal.contacted_on == dt.date(2026, 9, 15)
    assert proposal.satisfaction == Satisfaction.BASICALLY
    assert (
        AuditEntry.objects.filter(
            action="supervision.proposal_record", object_id=str(proposal.pk)
        ).count()
        == 2
    )


def test_contact_refused_people_and_bad_input(
    proposal, task, clerk, secretary, other_section_staff
):
    services.task_acknowledge(task=proposal, by=clerk, now=NOW)
    for person in (secretary, other_section_staff):  # an assisting unit does not record it
        with pytest.raises(PermissionDenied):
            services.proposal_record(task=proposal, by=person, contacted_on=dt.date(2026, 9, 15))
    with pytest.raises(ValidationError):
        services.proposal_record(task=proposal, by=clerk)
    with pytest.raises(ValidationError):
        services.proposal_record(task=proposal, by=clerk, contacted_on=dt.date(2099, 1, 1))
    services.task_acknowledge(task=task, by=clerk, now=NOW)
    with pytest.raises(TransitionError):  # not a suggestion or proposal
        services.proposal_record(task=task, by=clerk, contacted_on=dt.date(2026, 9, 15))


def test_the_rates_are_computed_from_the_records(make_task, clerk, supervisor, drc):
    def make(**kw):
        return make_task(source=SupervisionSource.NPC_SUGGESTION, due_on=dt.date(2026, 12, 1), **kw)

    a, b, c = make(), make(), make(lead_section=None, lead_unit=drc, assisting_sections=[])
    make_task(source=SupervisionSource.INSTRUCTION)  # not a suggestion: not counted
    _close(a, clerk, supervisor)
    services.proposal_record(task=a, by=clerk, contacted_on=dt.date(2026, 9, 15), now=NOW)
    services.proposal_record(task=a, by=clerk, satisfaction=Satisfaction.SATISFIED, now=NOW)
    _close(b, clerk, supervisor, grade="B")
    services.proposal_record(task=b, by=clerk, satisfaction=Satisfaction.UNSATISFIED, now=NOW)
    mine = SupervisionTask.objects.filter(pk__in=[a.pk, b.pk, c.pk])
    rows, total = board.proposal_rates(mine, 2026)
    assert (total.total, total.contacted, total.replied, total.rated, total.satisfied) == (
        3,
        1,
        2,
        2,
        1,
    )
    assert (total.contact_rate, total.reply_rate, total.satisfaction_rate) == ("33%", "67%", "50%")
    by_name = {r.name: r for r in rows}
    assert by_name["综合科"].reply_met and not by_name["综合科"].contact_met
    assert by_name[drc.short_name or drc.name].replied == 0
    assert board.proposal_rates(mine, 2025)[1].total == 0


def test_the_proposals_page_shows_the_targets(client_for, make_task, clerk, supervisor, secretary):
    task = make_task(source=SupervisionSource.CPPCC_PROPOSAL, due_on=dt.date(2026, 12, 1))
    _close(task, clerk, supervisor)
    url = reverse("supervision:proposals")
    html = client_for(supervisor).get(url, {"year": 2026}).content.decode()
    _rows, total = board.proposal_rates(SupervisionTask.objects.all(), 2026)
    assert total.replied >= 1
    assert f"{total.reply_rate}（{total.replied}/{total.total}）" in html
    assert f"{total.contact_rate}（{total.contacted}/{total.total}）" in html
    # Someone who sees none of them sees nothing of them.
    assert "（0/0）" in client_for(secretary).get(url, {"year": 2026}).content.decode()


def test_the_task_page_offers_the_return_within_the_ten_days(client_for, make_task, clerk):
    from django.utils import timezone

    task = make_task(
        source=SupervisionSource.CPPCC_PROPOSAL,
        due_on=timezone.localdate() + dt.timedelta(days=60),
        now=timezone.now(),
    )
    action = reverse("supervision:task_return_wrong", args=[task.pk])
    assert action in client_for(clerk).get(task.get_absolute_url()).content.decode()
    response = client_for(clerk).post(action, {"reason": "不属于本科职责"})
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:index")  # no longer theirs to see
    task.refresh_from_db()
    assert task.state == TaskState.OPENED
    response = client_for(clerk).post(action, {"reason": "再退"})
    assert response.status_code == 404  # no longer the clerk's task to see


def test_the_cached_rates_follow_each_record_at_once(make_task, clerk, supervisor):
    task = make_task(source=SupervisionSource.CPPCC_PROPOSAL, due_on=dt.date(2026, 12, 1))
    services.task_acknowledge(task=task, by=clerk, now=NOW)
    everything = SupervisionTask.objects.all()
    before = board.proposal_figures(everything, 2026, everything=True)[1]
    assert board.proposal_figures(everything, 2026, everything=True)[1] == before  # cached
    services.proposal_record(task=task, by=clerk, contacted_on=dt.date(2026, 9, 15), now=NOW)
    after = board.proposal_figures(everything, 2026, everything=True)[1]
    assert after.contacted == before.contacted + 1
    assert after == board.proposal_rates(everything, 2026)[1]
