"""Concurrency on PostgreSQL: eight beats sweeping at once issue each chase slip exactly once;
two clicks on 督办 from one instruction make one task (S-28, S-34)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from office.models import Notification
from supervision import chase, services
from supervision.models import ChaseSlip, SupervisionSource

from ..conftest import requires_postgres
from .conftest import NOW, at

pytestmark = [requires_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("office.services.notify.kick_delivery", lambda: None)


def _run(target, n: int = THREADS) -> list[BaseException]:
    barrier = threading.Barrier(n, timeout=60)
    escaped: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:
            escaped.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return escaped


def test_concurrent_sweeps_issue_each_slip_once(supervisor, leader, general):
    tasks = [
        services.task_open(
            by=supervisor,
            title=f"并发督办{i}",
            source=SupervisionSource.OWN,
            leader=leader,
            lead_section=general,
            due_on=dt.date(2026, 10, 9),
            now=NOW,
        )
        for i in range(20)
    ]
    later = at(2026, 9, 30).astimezone(dt.UTC)
    escaped = _run(lambda i: chase.sweep(now=later))
    assert escaped == []
    assert ChaseSlip.objects.filter(task__in=tasks).count() == 20
    head = general.head.user
    assert (
        Notification.objects.filter(recipient=head, title__contains="并发督办")
        .filter(level="reminder")
        .count()
        == 20
    )


def test_two_sweeps_then_a_third_change_nothing(supervisor, general):
    task = services.task_open(
        by=supervisor,
        title="重复扫描",
        source=SupervisionSource.OWN,
        lead_section=general,
        due_on=dt.date(2026, 10, 9),
        now=NOW,
    )
    later = at(2026, 10, 12).astimezone(dt.UTC)
    _run(lambda i: chase.sweep(now=later), n=2)
    chase.sweep(now=later)
    assert [s.level for s in task.slips.all()] == [2]
