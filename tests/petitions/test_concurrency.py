"""Integrity under concurrency on PostgreSQL (S-19, S-28): a double-submitted online petition is
one case even when the submissions race; racing decisions on one petition: exactly one wins."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from office.models import AuditEntry
from office.services import TransitionError
from petitions import services
from petitions.models import Petition

from ..conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16
NOW = dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.UTC)


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
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return escaped


def _submit(token: str):
    return services.petition_register(
        services.Intake(
            channel="online",
            category="suggestion",
            subject_area="transport",
            title="建议增设公交站点",
            request="建议在新建小区门口增设公交站点。",
            people=[{"name": "李德明", "phone": "13847125678"}],
            idempotency_token=token,
        ),
        by=None,
        now=NOW,
    )


def test_racing_double_submissions_make_one_petition(demo_office):
    results = []
    escaped = _run(lambda i: results.append(_submit("race-token-000000000000001")))
    assert not escaped, escaped
    assert Petition.objects.filter(idempotency_token="race-token-000000000000001").count() == 1
    assert len({p.pk for p, _code in results}) == 1
    assert sum(1 for _p, code in results if code) == 1  # the code is shown once


def test_racing_decisions_one_wins(demo_office):
    petition, _code = _submit("decision-race-token-0000001")
    officer = User.objects.get(username="petition_officer")
    outcomes = []

    def decide(i: int) -> None:
        try:
            services.petition_decide(
                petition=petition,
                by=officer,
                decision="reject",
                reason=f"第{i}次",
                statutory_channel="litigation",
                now=NOW + dt.timedelta(days=1),
            )
            outcomes.append("ok")
        except TransitionError:
            outcomes.append("already")

    assert not _run(decide)
    assert outcomes.count("ok") == 1 and outcomes.count("already") == THREADS - 1
    assert (
        AuditEntry.objects.filter(action="petition.decide", object_id=str(petition.pk)).count() == 1
    )


def test_racing_registrations_and_decisions_keep_the_statistics_exact(demo_office):
    """16 online petitions registered at once, then 16 decisions at once on them, all in the same
    statistics cells: no lost update, no deadlock, the cells equal the records."""
    from petitions import stats

    escaped = _run(lambda i: _submit(f"stats-race-token-{i:010d}"))
    assert not escaped, escaped
    officer = User.objects.get(username="petition_officer")
    ours = list(Petition.objects.filter(idempotency_token__startswith="stats-race-token-"))
    assert len(ours) == THREADS

    def decide(i: int) -> None:
        services.petition_decide(
            petition=ours[i], by=officer, decision="accept", now=NOW + dt.timedelta(days=1)
        )

    assert not _run(decide)
    total, _rows, _months = stats.overview(2026, "channel", label_all="all")
    assert total.received >= THREADS and total.decided >= THREADS
    assert stats.check(2026) == []
