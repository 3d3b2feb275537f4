"""Issuing the minutes opens one supervised task per decision, linked both ways, and the meeting
page shows each decision's task and light (DOMAIN.md §6.1, §5.1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import services
from meetings.models import Decision
from supervision.models import SupervisionSource, SupervisionTask
from tests.meetings import flow
from tests.meetings.flow import user

pytestmark = pytest.mark.django_db


def test_issuing_the_minutes_opens_one_supervised_task_per_decision(demo_office):
    minutes = flow.issued(decisions=3)
    decisions = list(Decision.objects.filter(item__meeting=minutes.meeting))
    assert len(decisions) == 3
    for decision in decisions:
        task = SupervisionTask.objects.for_source(decision).get()
        assert task.source == SupervisionSource.MEETING_DECISION
        assert task.source_reference == "乌兰浩特市人民政府常务会议纪要〔2026〕第1次"
        assert task.lead == decision.section
        assert task.due_on == decision.due_on
        assert task.leader == minutes.meeting.chair


def test_a_draft_or_signed_minutes_opens_no_task(demo_office):
    before = SupervisionTask.objects.count()  # the demo office has supervised tasks of its own
    flow.signed()
    assert SupervisionTask.objects.count() == before


def test_a_failed_issue_opens_no_task_and_gives_its_number_back(demo_office):
    minutes = flow.signed()
    before = SupervisionTask.objects.count()
    with pytest.raises(services.PermissionDenied):
        services.minutes_issue(by=user("clerk"), minutes=minutes)
    assert SupervisionTask.objects.count() == before
    assert services.minutes_issue(by=user("secretary"), minutes=minutes).number == 1


def test_the_meeting_page_shows_each_decisions_task_and_light(demo_office, client_for):
    minutes = flow.issued(decisions=2)
    client = client_for(user("mayor"))
    url = minutes.meeting.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        page = client.get(url).content.decode()
    decisions = Decision.objects.filter(item__meeting=minutes.meeting)
    for task in SupervisionTask.objects.filter(source=SupervisionSource.MEETING_DECISION):
        if task.source_object not in decisions:
            continue
        assert task.number in page
        assert task.get_absolute_url() in page
    assert "light light-" in page
    more = flow.issued(decisions=12, starts=flow.at(17, 9), ends=flow.at(17, 12))
    url = more.meeting.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)
