"""Integrity under concurrency on PostgreSQL (SECURITY.md S-28, S-29).

Each thread has its own database connection and closes it when done. The tests commit for real
(`transaction=True`), so the database is flushed afterwards; `demo_office` seeds it again for
the next transactional test."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from documents import services
from documents.models import (
    AccessReason,
    Handling,
    IncomingDocument,
    Instruction,
    Routing,
)
from office.models import AuditEntry, Notification, NumberSeries, WorkItem, WorkState
from office.numbers import next_number
from office.services import TransitionError
from office.services.audit import verify_chain

from ..conftest import requires_postgres
from .incoming_flow import DUE_ON, NOW, accept, items, present, register, section

pytestmark = [requires_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 32
# In UTC: office.services.audit hashes the entry time with its offset, and PostgreSQL gives it
# back in UTC, so an entry written with a +08:00 `now` would not verify (reported separately).
UTC_NOW = NOW.astimezone(dt.UTC)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    # Each commit would kick the Celery publisher; the outbox rows are what the tests check.
    monkeypatch.setattr("office.services.notify.kick_delivery", lambda: None)


def _run(target, n: int = THREADS) -> list[BaseException]:
    """Run target(i) in n threads released together; return what escaped them."""
    barrier = threading.Barrier(n, timeout=60)
    escaped: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # reported by the main thread
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


def test_32_instructions_at_once_record_exactly_one(secretary, leader):
    doc = register(secretary, now=UTC_NOW)
    doc = present(accept(doc, secretary, now=UTC_NOW), secretary, leader, now=UTC_NOW)
    general = section("general")
    won: list[str] = []
    refused: list[str] = []

    def instruct(i: int) -> None:
        me = User.objects.get(pk=leader.pk)  # the same leader, in two-and-thirty tabs
        routing = Routing.READ if i % 2 else Routing.ASSIGN
        try:
            services.incoming_instruct(
                document=IncomingDocument(pk=doc.pk),
                leader=me,
                text=f"第{i}个标签页的批示",
                routing=routing,
                lead=general if routing == Routing.ASSIGN else None,
                due_on=DUE_ON if routing == Routing.ASSIGN else None,
                now=UTC_NOW + dt.timedelta(hours=5),
            )
            won.append(routing)
        except TransitionError as error:
            refused.append(str(error))

    assert _run(instruct) == []
    assert len(won) == 1
    assert refused == [str(services.ALREADY_HANDLED)] * (THREADS - 1)

    instruction = Instruction.objects.get(document=doc)
    assert instruction.routing == won[0]
    entries = AuditEntry.objects.filter(
        object_type="documents.incomingdocument", object_id=str(doc.pk), action="incoming.instruct"
    )
    assert entries.count() == 1 and entries.get().comment == instruction.text
    # The registrar hears of the instruction once (a 阅知 winner also gives her the confirmation
    # to do, which is a work-item notification, not this one).
    told = Notification.objects.filter(
        recipient=secretary, url=doc.get_absolute_url(), work_item__isnull=True
    )
    assert told.count() == 1 and told.get().body == instruction.text
    approve = items(doc, action="approve").get()
    assert approve.state == WorkState.DONE
    assert Handling.objects.filter(document=doc).count() == (1 if won[0] == "assign" else 0)
    assert list(verify_chain()) == []


def test_grants_at_once_each_keep_their_key_in_the_grantees(secretary):
    """Grants to the same document in concurrent transactions (each service holds the row
    lock; _grant takes it too): none of them loses its key in `grantees`."""
    doc = register(secretary, now=UTC_NOW)
    readers = list(User.objects.exclude(pk=secretary.pk).order_by("pk")[:8])

    def grant(i: int) -> None:
        with transaction.atomic():
            services._grant(
                IncomingDocument.objects.get(pk=doc.pk),
                AccessReason.CIRCULATED,
                UTC_NOW,
                users=[readers[i]],
            )

    assert _run(grant, n=len(readers)) == []
    doc.refresh_from_db()
    assert set(doc.grantees.split()) == {f"p{u.pk}" for u in [secretary, *readers]}


def test_32_registrars_with_rollbacks_leave_numbers_without_gap_or_duplicate(secretary):
    # Outside a transaction a number could not be given back: refused.
    with pytest.raises(RuntimeError):
        next_number("收文", 2026)

    per_thread = 5
    rolled_back = Counter()

    class Abandon(Exception):
        pass

    def registrations(i: int) -> None:
        me = User.objects.get(pk=secretary.pk)
        for j in range(per_thread):
            k = i * per_thread + j
            try:
                with transaction.atomic():
                    register(
                        me,
                        title=f"并发登记{k}",
                        sender_reference=f"测〔2026〕{k}号",
                        now=UTC_NOW,
                    )
                    if k % 10 == 0:  # the form's next step fails: 10 % of them
                        raise Abandon
            except Abandon:
                rolled_back[i] += 1

    assert _run(registrations) == []
    committed = THREADS * per_thread - sum(rolled_back.values())
    assert sum(rolled_back.values()) == THREADS * per_thread // 10
    serials = sorted(IncomingDocument.objects.values_list("registration_serial", flat=True))
    assert serials == list(range(1, committed + 1))
    numbers = set(IncomingDocument.objects.values_list("registration_number", flat=True))
    assert numbers == {f"收文〔2026〕{n}号" for n in range(1, committed + 1)}
    assert NumberSeries.objects.get(series="收文", year=2026).last_number == committed
    # Every abandoned registration took its audit entry and work item with it.
    screening = WorkItem.objects.filter(content_type__model="incomingdocument", action="screen")
    assert AuditEntry.objects.filter(action="incoming.register").count() == committed
    assert screening.count() == committed
    assert list(verify_chain()) == []
