"""The supervision pages: the board (filters, lights, ranking, charts, constant queries), the
task page and the POST-only transitions (correct POST, refused person 403, hidden task 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from supervision import services
from supervision.models import (
    ExtensionState,
    SupervisionSource,
    SupervisionTask,
    TaskState,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(supervisor, leader, general, subdistrict):
    """A task opened today, due in 20 days (the views use the real clock)."""
    return services.task_open(
        by=supervisor,
        title="全市冬季供暖保障",
        source=SupervisionSource.INSTRUCTION,
        leader=leader,
        lead_section=general,
        assisting_sections=[subdistrict],
        due_on=timezone.localdate() + dt.timedelta(days=20),
    )


def _many(n, supervisor, general, drc):
    today = timezone.localdate()
    for i in range(n):
        task = services.task_open(
            by=supervisor,
            title=f"督办事项{i}",
            source=SupervisionSource.OWN if i % 2 else SupervisionSource.HOTLINE,
            lead_section=general if i % 2 else None,
            lead_unit=None if i % 2 else drc,
            due_on=today + dt.timedelta(days=i % 9),
        )
        if i % 5 == 0:
            services.task_acknowledge(task=task, by=supervisor)
            report = services.completion_submit(task=task, by=supervisor, text="完成")
            services.completion_review(report=report, by=supervisor, accept=True)


def _board_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("supervision:index"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_board_keeps_a_constant_number_of_queries(client_for, supervisor, general, drc):
    """Computing the figures (after a transition) and reading them from the cache: each a
    constant number of queries, and the cached board needs fewer."""
    client = client_for(supervisor)
    _many(5, supervisor, general, drc)
    _board_queries(client)  # the first request of a session reads the session and the person
    services.bump_board()
    five_computed, five_cached = _board_queries(client), _board_queries(client)
    _many(45, supervisor, general, drc)
    fifty_computed, fifty_cached = _board_queries(client), _board_queries(client)
    assert five_computed == fifty_computed, (five_computed, fifty_computed)
    assert five_cached == fifty_cached, (five_cached, fifty_cached)
    assert fifty_cached < fifty_computed


@pytest.mark.parametrize("persona", ["supervisor", "clerk"])
def test_a_unit_filter_keeps_a_constant_number_of_queries(
    client_for, supervisor, general, drc, persona, request
):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("supervision:index")
    _many(5, supervisor, general, drc)
    client.get(url, {"unit": f"s:{general.pk}"})
    with CaptureQueriesContext(connection) as five:
        client.get(url, {"unit": f"s:{general.pk}", "page": 1})
    _many(45, supervisor, general, drc)
    client.get(url, {"unit": f"s:{general.pk}"})
    with CaptureQueriesContext(connection) as fifty:
        client.get(url, {"unit": f"s:{general.pk}", "page": 1})
    assert len(five) == len(fifty)


def test_the_board_shows_lights_ranking_and_svg(client_for, supervisor, general, drc, live):
    _many(6, supervisor, general, drc)
    html = client_for(supervisor).get(reverse("supervision:index")).content.decode()
    assert "<svg" in html and "<rect" in html
    assert live.title in html
    assert "综合科" in html  # in the ranking
    assert "light-green" in html


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"source": "instruction"}, True),
        ({"source": "hotline"}, False),
        ({"light": "green"}, True),
        ({"light": "red"}, False),
        ({"q": "供暖"}, True),
    ],
)
def test_board_filters(client_for, supervisor, live, query, shown):
    html = client_for(supervisor).get(reverse("supervision:index"), query).content.decode()
    assert (live.title in html) is shown


def test_board_filters_by_unit_and_leader(client_for, supervisor, live, general, leader, drc):
    c = client_for(supervisor)
    url = reverse("supervision:index")
    assert live.title in c.get(url, {"unit": f"s:{general.pk}"}).content.decode()
    assert live.title not in c.get(url, {"unit": f"u:{drc.pk}"}).content.decode()
    assert live.title in c.get(url, {"leader": leader.pk}).content.decode()


def test_the_board_shows_only_what_one_may_see(client_for, live, secretary, clerk):
    assert (
        live.title not in client_for(secretary).get(reverse("supervision:index")).content.decode()
    )
    assert live.title in client_for(clerk).get(reverse("supervision:index")).content.decode()


def test_the_task_page_shows_its_history(client_for, live, clerk):
    html = client_for(clerk).get(live.get_absolute_url()).content.decode()
    assert live.number in html
    assert 'id="history-heading"' in html
    assert reverse("supervision:task_acknowledge", args=[live.pk]) in html


def test_opening_through_the_form(client_for, supervisor, general, leader):
    response = client_for(supervisor).post(
        reverse("supervision:task_new"),
        {
            "title": "老旧小区改造",
            "source": "higher_level",
            "source_reference": "兴署办发〔2026〕9号",
            "leader": leader.pk,
            "lead": f"s:{general.pk}",
            "due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "reporting_cycle": "none",
            "state": "closed",  # extra fields are ignored
        },
    )
    task = SupervisionTask.objects.get(title="老旧小区改造")
    assert response.status_code == 302
    assert task.state == TaskState.ASSIGNED


def test_opening_with_bad_input_keeps_what_was_typed(client_for, supervisor):
    response = client_for(supervisor).post(
        reverse("supervision:task_new"),
        {
            "title": "过期事项",
            "source": "own",
            "reporting_cycle": "none",
            "due_on": "2020-01-01",
            "lead": "s:1",
        },
    )
    assert response.status_code == 200
    assert "过期事项" in response.content.decode()
    assert not SupervisionTask.objects.filter(title="过期事项").exists()


def test_the_whole_flow_through_the_views(client_for, live, clerk, supervisor, leader):
    unit = client_for(clerk)
    r = unit.post(reverse("supervision:task_acknowledge", args=[live.pk]))
    assert r.status_code == 302
    r = unit.post(reverse("supervision:task_report", args=[live.pk]), {"text": "已部署"})
    assert r.status_code == 302
    r = unit.post(
        reverse("supervision:extension_apply", args=[live.pk]),
        {
            "new_due_on": (live.due_on + dt.timedelta(days=10)).isoformat(),
            "reason": "设备未到",
            "progress": "完成六成",
        },
    )
    assert r.status_code == 302
    ext = live.extensions.get()
    r = client_for(supervisor).post(
        reverse("supervision:extension_check", args=[ext.pk]), {"decision": "approve"}
    )
    assert r.status_code == 302
    r = client_for(leader).post(
        reverse("supervision:extension_decide", args=[ext.pk]), {"decision": "approve"}
    )
    ext.refresh_from_db()
    assert ext.state == ExtensionState.APPROVED
    r = unit.post(reverse("supervision:completion_submit", args=[live.pk]), {"text": "已完成"})
    report = live.completions.get()
    r = client_for(supervisor).post(
        reverse("supervision:completion_review", args=[report.pk]), {"decision": "accept"}
    )
    assert r.status_code == 302
    live.refresh_from_db()
    assert live.state == TaskState.CLOSED


@pytest.mark.parametrize(
    ("name", "persona", "data"),
    [
        ("task_acknowledge", "secretary", {}),  # cannot see it: 404
        ("task_report", "secretary", {"text": "x"}),
        ("task_cancel", "other_section_staff", {"reason": "x"}),  # sees it, may not: 403
        ("task_urge", "clerk", {"note": "x"}),
        (
            "extension_apply",
            "other_section_staff",
            {"new_due_on": "2099-01-01", "reason": "x", "progress": "x"},
        ),
    ],
)
def test_refused_people(request, client_for, live, name, persona, data):
    person = request.getfixturevalue(persona)
    response = client_for(person).post(reverse(f"supervision:{name}", args=[live.pk]), data)
    assert response.status_code == (404 if persona == "secretary" else 403)


def test_a_forbidden_state_is_a_message_not_a_change(client_for, live, supervisor):
    response = client_for(supervisor).post(
        reverse("supervision:completion_submit", args=[live.pk]), {"text": "x"}, follow=True
    )
    assert response.status_code == 200
    live.refresh_from_db()
    assert live.state == TaskState.ASSIGNED


def test_transitions_refuse_get(client_for, live, supervisor):
    assert (
        client_for(supervisor).get(reverse("supervision:task_cancel", args=[live.pk])).status_code
        == 405
    )


def test_decision_views_refuse_the_wrong_people(client_for, live, clerk, supervisor, other_leader):
    services.task_acknowledge(task=live, by=clerk)
    ext = services.extension_apply(
        task=live,
        by=clerk,
        new_due_on=live.due_on + dt.timedelta(days=5),
        reason="x",
        progress="y",
    )
    check = reverse("supervision:extension_check", args=[ext.pk])
    assert client_for(clerk).post(check, {"decision": "approve"}).status_code == 403
    decide = reverse("supervision:extension_decide", args=[ext.pk])
    # Not yet checked: a forbidden state is a message, nothing changes.
    client_for(live.leader).post(decide, {"decision": "approve"})
    ext.refresh_from_db()
    assert ext.state == ExtensionState.PENDING_CHECK
    client_for(supervisor).post(check, {"decision": "approve"})
    assert client_for(other_leader).post(decide, {"decision": "approve"}).status_code == 403
    report_url = reverse("supervision:completion_submit", args=[live.pk])
    client_for(clerk).post(report_url, {"text": "完成"})
    report = live.completions.get()
    review = reverse("supervision:completion_review", args=[report.pk])
    assert client_for(clerk).post(review, {"decision": "accept"}).status_code == 403
    live.refresh_from_db()
    assert live.state == TaskState.REVIEWING
