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


def test_the_one_pass_figures_equal_a_count_task_by_task(supervisor, clerk, general, drc):
    """Every figure checked against the rule applied to each task in Python (`light_on`, the
    lead, the local month of closing)."""
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    for i in range(12):
        task = services.task_open(
            by=supervisor,
            title=f"核对{i}",
            source=SupervisionSource.OWN,
            lead_section=general if i % 3 else None,
            lead_unit=None if i % 3 else drc,
            due_on=today + dt.timedelta(days=i % 5),
            reporting_cycle="weekly" if i % 4 == 0 else "none",
        )
        if i % 2:
            services.task_acknowledge(task=task, by=supervisor)
            if i % 4 == 1:
                report = services.completion_submit(task=task, by=supervisor, text="完成")
                services.completion_review(report=report, by=supervisor, accept=True)
                # Closed some months ago, late or on time.
                month = (today.replace(day=1) - dt.timedelta(days=31 * (i % 7))).replace(day=1)
                SupervisionTask.objects.filter(pk=task.pk).update(
                    closed_at=dt.datetime.combine(month, dt.time(23, 30), tzinfo=tz),
                    on_time=i % 8 == 1,
                )
        if i == 10:  # overdue, and one behind on its reports
            SupervisionTask.objects.filter(pk=task.pk).update(due_on=today - dt.timedelta(days=2))
        if i == 8:
            SupervisionTask.objects.filter(pk=task.pk).update(
                next_report_on=today - dt.timedelta(days=1)
            )
    got = board.compute_figures(SupervisionTask.objects.all(), today)
    tasks = list(SupervisionTask.objects.select_related("lead_section", "lead_unit"))
    lights = [t.light_on(today) for t in tasks if t.state in services.OPEN_STATES]
    assert got["counts"] == {
        "red": lights.count("red"),
        "yellow": lights.count("yellow"),
        "green": lights.count("green"),
        "open": len(lights),
    }
    expected = {}
    for t in tasks:
        if t.lead is None:
            continue
        name = t.lead_section.name if t.lead_section else (drc.short_name or drc.name)
        if t.lead_unit and t.lead_unit != drc:
            name = t.lead_unit.short_name or t.lead_unit.name
        row = expected.setdefault(name, [0, 0, 0, 0])
        row[0] += t.state == TaskState.CLOSED
        row[1] += t.state == TaskState.CLOSED and bool(t.on_time)
        row[2] += t.state in services.OPEN_STATES
        row[3] += t.light_on(today) == "red"
    assert {r.name: [r.closed, r.on_time, r.open, r.overdue] for r in got["ranking"]} == expected
    since = got["starts"][0]
    months = {}
    for t in tasks:
        if t.state == TaskState.CLOSED and timezone.localdate(t.closed_at) >= since:
            local = timezone.localdate(t.closed_at)
            name = (
                t.lead_section.name
                if t.lead_section
                else (t.lead_unit.short_name or t.lead_unit.name)
            )
            cell = months.setdefault(name, {}).setdefault(local.replace(day=1), [0, 0])
            cell[0] += bool(t.on_time)
            cell[1] += 1
    assert {n: {m: list(v) for m, v in c.items()} for n, c in got["monthly"]} == months
