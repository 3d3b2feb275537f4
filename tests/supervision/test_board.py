"""The board's figures are cached for the people who see every task, keyed by a version each
transition bumps in its own transaction: a transition shows on the board at once, and the cached
figures are exactly the ones computed afresh."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone

from office.services import TransitionError
from supervision import board, services
from supervision.models import SupervisionSource, SupervisionTask, TaskHandler, TaskState

pytestmark = pytest.mark.django_db


def _fresh(today):
    """The figures computed without the cache."""
    return board.figures(SupervisionTask.objects.all(), today, everything=False)


def _cached(today):
    return board.figures(SupervisionTask.objects.all(), today, everything=True)


def _same(a, b) -> bool:
    return (
        a["counts"] == b["counts"]
        and [vars(r) for r in a["ranking"]] == [vars(r) for r in b["ranking"]]
        and a["monthly"] == b["monthly"]
    )


def _open(supervisor, general, days, **kw):
    return services.task_open(
        by=supervisor,
        title=f"督办{days}",
        source=SupervisionSource.OWN,
        lead_section=general,
        due_on=timezone.localdate() + dt.timedelta(days=days),
        **kw,
    )


def test_every_transition_shows_in_the_figures_at_once(supervisor, clerk, leader, general):
    today = timezone.localdate()
    first = _cached(today)
    task = _open(supervisor, general, 30, leader=leader)
    after_open = _cached(today)
    assert after_open["counts"]["open"] == first["counts"]["open"] + 1
    assert _same(after_open, _fresh(today))
    services.task_acknowledge(task=task, by=clerk)
    assert _same(_cached(today), _fresh(today))
    report = services.completion_submit(task=task, by=clerk, text="完成")
    assert _same(_cached(today), _fresh(today))
    before_close = _cached(today)
    services.completion_review(report=report, by=supervisor, accept=True)
    closed = _cached(today)
    assert closed["counts"]["open"] == before_close["counts"]["open"] - 1
    row = next(r for r in closed["ranking"] if r.name == general.name)
    old = next(r for r in before_close["ranking"] if r.name == general.name)
    assert (row.closed, row.on_time) == (old.closed + 1, old.on_time + 1)
    assert _same(closed, _fresh(today))
    other = _open(supervisor, general, 2)  # yellow: due inside the warning window
    services.task_acknowledge(task=other, by=clerk)
    yellow = _cached(today)["counts"]["yellow"]
    ext = services.extension_apply(
        task=other,
        by=clerk,
        new_due_on=today + dt.timedelta(days=40),
        reason="需协调",
        progress="进行中",
    )
    services.extension_check(extension=ext, by=supervisor, approve=True)
    services.extension_decide(extension=ext, by=leader, approve=True)
    assert _cached(today)["counts"]["yellow"] == yellow - 1
    assert _same(_cached(today), _fresh(today))


def test_a_refused_transition_does_not_move_the_version(supervisor, clerk, general):
    task = _open(supervisor, general, 30)
    services.task_acknowledge(task=task, by=clerk)
    version = services.board_version()
    with pytest.raises(TransitionError):  # refused after the task row is locked
        services.task_cancel(task=task, by=supervisor, reason="已撤回")
    assert services.board_version() == version
    assert SupervisionTask.objects.get(pk=task.pk).state == TaskState.IN_PROGRESS


def test_the_board_page_shows_a_close_at_once(client_for, supervisor, clerk, general):
    task = _open(supervisor, general, 30)
    services.task_acknowledge(task=task, by=clerk)
    client = client_for(supervisor)
    url = reverse("supervision:index")
    before = client.get(url).context["counts"]["open"]
    assert client.get(url).context["counts"]["open"] == before  # from the cache
    report = services.completion_submit(task=task, by=clerk, text="完成")
    services.completion_review(report=report, by=supervisor, accept=True)
    response = client.get(url)
    assert response.context["counts"]["open"] == before - 1
    assert task.title not in response.content.decode()


@pytest.mark.parametrize("light", ["", "red", "yellow", "green"])
def test_the_known_row_count_is_the_rows_count(client_for, supervisor, clerk, general, light):
    for days in (-3, 0, 1, 2, 10, 40):
        task = services.task_open(
            by=supervisor,
            title=f"督办{days}",
            source=SupervisionSource.OWN,
            lead_section=general,
            due_on=timezone.localdate() + dt.timedelta(days=max(days, 0)),
            reporting_cycle="weekly" if days == 40 else "none",
        )
        if days < 0:  # overdue: pretend the deadline passed
            SupervisionTask.objects.filter(pk=task.pk).update(
                due_on=timezone.localdate() + dt.timedelta(days=days)
            )
            services.bump_board()
    SupervisionTask.objects.filter(title="督办40").update(
        next_report_on=timezone.localdate() - dt.timedelta(days=1)
    )
    services.bump_board()
    client = client_for(supervisor)
    query = {"light": light} if light else {}
    response = client.get(reverse("supervision:index"), query)
    shown = response.context["page"].paginator.count
    qs = SupervisionTask.objects.filter(state__in=services.OPEN_STATES)
    if light:
        qs = qs.filter(board.light_q(timezone.localdate())[light])
    assert shown == Paginator(qs, 25).count


def test_the_known_row_count_of_one_unit_is_its_rows_count(
    client_for, supervisor, clerk, general, subdistrict, drc
):
    """A unit's count holds the tasks it leads and those it assists in, open ones only."""
    today = timezone.localdate()
    for i in range(4):
        services.task_open(
            by=supervisor,
            title=f"协办{i}",
            source=SupervisionSource.OWN,
            lead_section=general if i % 2 else None,
            lead_unit=None if i % 2 else drc,
            assisting_sections=[subdistrict] if i < 3 else [],
            due_on=today + dt.timedelta(days=5 + i),
        )
    done = services.task_open(
        by=supervisor,
        title="已办结",
        source=SupervisionSource.OWN,
        lead_section=subdistrict,
        due_on=today + dt.timedelta(days=3),
    )
    services.task_acknowledge(task=done, by=supervisor)
    report = services.completion_submit(task=done, by=supervisor, text="完成")
    services.completion_review(report=report, by=supervisor, accept=True)
    client = client_for(supervisor)
    for unit in (f"s:{subdistrict.pk}", f"s:{general.pk}", f"u:{drc.pk}", "u:999999"):
        response = client.get(reverse("supervision:index"), {"unit": unit})
        kind, pk = unit.split(":")
        handler = {"section_id" if kind == "s" else "unit_id": int(pk)}
        expected = SupervisionTask.objects.filter(
            state__in=services.OPEN_STATES, handlers__in=TaskHandler.objects.filter(**handler)
        ).count()
        assert response.context["page"].paginator.count == expected, unit
