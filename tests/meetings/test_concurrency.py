"""Meetings under concurrency on PostgreSQL (SECURITY.md S-28, S-29): one booking per room and
time, one agenda approval, gapless minutes numbers with rollbacks. Each thread has its own
connection; the tests commit for real and the database is flushed afterwards."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from meetings import services
from meetings.models import Meeting, Minutes
from office.services import TransitionError
from tests.meetings import flow
from tests.meetings.flow import at, user

from ..conftest import requires_postgres

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
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return escaped


def test_eight_organisers_booking_one_room_at_once_get_one_meeting(demo_office):
    refused = []

    def book(i: int) -> None:
        try:
            flow.schedule(room_name="第一会议室", title=f"抢订{i}")
        except ValidationError as error:
            assert error.code == "double_booking"
            refused.append(i)

    assert _run(book) == []
    assert Meeting.objects.filter(title__startswith="抢订").count() == 1
    assert len(refused) == THREADS - 1


def test_the_mayor_approving_one_agenda_in_eight_tabs_approves_it_once(demo_office):
    meeting = flow.schedule()
    flow.checked(meeting)
    won, refused = [], []

    def approve(i: int) -> None:
        try:
            services.agenda_approve(by=user("mayor"), meeting=Meeting(pk=meeting.pk), now=at(8))
            won.append(i)
        except TransitionError:
            refused.append(i)

    assert _run(approve) == []
    assert (len(won), len(refused)) == (1, THREADS - 1)


def test_minutes_numbers_stay_gapless_when_issued_at_once_with_rollbacks(demo_office):
    signed = [flow.signed(starts=at(10 + i, 9), ends=at(10 + i, 11)).pk for i in range(THREADS)]

    class Rollback(Exception):
        pass

    def issue(i: int) -> None:
        try:
            with transaction.atomic():
                services.minutes_issue(
                    by=user("secretary"), minutes=Minutes(pk=signed[i]), now=at(20)
                )
                if i % 4 == 0:
                    raise Rollback
        except Rollback:
            pass

    assert _run(issue) == []
    numbers = sorted(Minutes.objects.exclude(number=None).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS - THREADS // 4 + 1))
