"""立项 and 交办: task_open from any source, with and without a lead and a deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from office.models import AuditEntry, TrafficLight, WorkAction, WorkItem, WorkState
from office.services import TransitionError
from supervision import services
from supervision.models import (
    HandlerRole,
    SupervisionSource,
    SupervisionTask,
    TaskState,
)

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _items(task, **kw):
    return WorkItem.objects.filter(content_type__model="supervisiontask", object_id=task.pk, **kw)


def test_open_with_lead_and_deadline_assigns_at_once(task, general, subdistrict, leader):
    assert task.state == TaskState.ASSIGNED
    assert task.number.startswith("督〔2026〕")
    handlers = {h.role: h for h in task.handlers.all()}
    assert handlers[HandlerRole.LEAD].section == general
    assert [h.section for h in task.handlers.filter(role=HandlerRole.ASSIST)] == [subdistrict]
    items = _items(task, action=WorkAction.HANDLE, state=WorkState.OPEN)
    assert {i.section_id for i in items} == {general.pk, subdistrict.pk}
    assert all(i.leader_id == leader.pk for i in items)
    actions = list(
        AuditEntry.objects.filter(object_id=str(task.pk), object_type="supervision.supervisiontask")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["supervision.open", "supervision.assign"]


def test_open_without_lead_waits_for_assignment(supervisor):
    task = services.task_open(
        by=supervisor, title="十件实事推进", source=SupervisionSource.OWN, now=NOW
    )
    assert task.state == TaskState.OPENED
    assert task.supervisor == supervisor
    assert _items(task, state=WorkState.OPEN).count() == 1


def test_source_object_links_back(supervisor, clerk):
    source = clerk.staff  # any model instance
    task = services.task_open(
        by=supervisor,
        title="x",
        source=SupervisionSource.HIGHER_LEVEL,
        source_object=source,
        now=NOW,
    )
    assert task.source_object == source
    assert list(SupervisionTask.objects.for_source(source)) == [task]


def test_open_by_the_system_for_another_app(general):
    task = services.task_open(
        by=None,
        title="会议决定事项",
        source=SupervisionSource.MEETING_DECISION,
        lead_section=general,
        due_on=dt.date(2026, 11, 30),
        now=NOW,
    )
    assert task.state == TaskState.ASSIGNED


@pytest.mark.parametrize("persona", ["clerk", "other_section_staff", "archivist", "outsider"])
def test_people_without_the_permission_cannot_open(request, persona):
    person = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.task_open(by=person, title="x", source=SupervisionSource.OWN, now=NOW)
    assert not SupervisionTask.objects.filter(title="x").exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"title": "  "},
        {"source": "gossip"},
        {"due_on": dt.date(2026, 9, 1)},
        {"lead_unit": "drc"},
    ],
)
def test_bad_input_changes_nothing(make_task, drc, kwargs):
    if kwargs.get("lead_unit") == "drc":
        kwargs["lead_unit"] = drc
    before = SupervisionTask.objects.count()
    with pytest.raises(ValidationError):
        make_task(**kwargs)
    assert SupervisionTask.objects.count() == before


def test_proposal_without_deadline_is_due_in_three_months(supervisor, drc):
    task = services.task_open(
        by=supervisor,
        title="关于加强老旧小区供暖的建议",
        source=SupervisionSource.NPC_SUGGESTION,
        lead_unit=drc,
        now=NOW,
    )
    assert task.state == TaskState.ASSIGNED
    assert task.due_on == dt.date(2026, 12, 15)


def test_assign_an_opened_task(supervisor, general):
    task = services.task_open(by=supervisor, title="x", source=SupervisionSource.HOTLINE, now=NOW)
    services.task_assign(
        task=task,
        by=supervisor,
        lead_section=general,
        due_on=dt.date(2026, 10, 30),
        milestones=[("方案", dt.date(2026, 9, 30))],
        now=NOW,
    )
    task.refresh_from_db()
    assert task.state == TaskState.ASSIGNED
    assert task.milestones.get().title == "方案"
    assert not _items(task, action=WorkAction.OTHER, state=WorkState.OPEN).exists()


def test_assign_refuses_a_person_and_a_state(task, clerk, supervisor, general):
    with pytest.raises(PermissionDenied):
        services.task_assign(task=task, by=clerk, lead_section=general, due_on=task.due_on)
    with pytest.raises(TransitionError):
        services.task_assign(
            task=task, by=supervisor, lead_section=general, due_on=task.due_on, now=NOW
        )


def test_light(task):
    assert task.light_on(dt.date(2026, 9, 15)) == TrafficLight.GREEN
    assert task.light_on(dt.date(2026, 10, 10)) == TrafficLight.RED
    # 3 working days before 10/9 after National Day: 9/30, 10/8, 10/9 (10/1–10/7 a holiday).
    assert task.light_on(dt.date(2026, 9, 29)) == TrafficLight.GREEN
    assert task.light_on(dt.date(2026, 9, 30)) == TrafficLight.YELLOW
