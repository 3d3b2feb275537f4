"""Issue numbers under concurrency on PostgreSQL (SECURITY.md S-29): 32 threads × 50
registrations on one series with 10 % forced rollbacks leave exactly 1…N, no duplicate, no gap.

The documents are created signed with the ORM (the route to signature is tested elsewhere); each
registration goes through `outgoing_register`, whose number comes from the series' counter row
locked in the registration's own transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from documents.models import IssueNumber, OutgoingDocument, OutgoingSeries
from documents.outgoing import services
from office.models import NumberSeries, Section

from ..conftest import requires_postgres
from .test_concurrency import _run

pytestmark = [requires_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 32
PER_THREAD = 50
NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


class ForcedRollback(Exception):
    pass


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("office.services.notify.kick_delivery", lambda: None)


def _signed_documents(n: int) -> list[int]:
    clerk = User.objects.get(username="clerk")
    mayor = User.objects.get(username="mayor")
    series = OutgoingSeries.objects.get(code="乌政办发")
    general = Section.objects.get(code="general")
    docs = OutgoingDocument.objects.bulk_create(
        [
            OutgoingDocument(
                series=series,
                doc_type="notice",
                direction="down",
                title=f"并发登记测试文件{i}",
                body="正文。",
                drafted_by=clerk,
                drafting_section=general,
                drafted_at=NOW,
                state="signed",
                signer=mayor,
                signed_at=NOW,
                signed_version=1,
            )
            for i in range(n)
        ]
    )
    return [d.pk for d in docs]


def test_32_threads_registering_with_rollbacks_leave_numbers_1_to_n(demo_office):
    ids = _signed_documents(THREADS * PER_THREAD)
    secretary_pk = User.objects.get(username="secretary").pk
    committed: list[int] = []
    rolled_back: list[int] = []

    def work(i: int) -> None:
        secretary = User.objects.get(pk=secretary_pk)
        for k in range(PER_THREAD):
            pk = ids[i * PER_THREAD + k]
            try:
                with transaction.atomic():
                    doc = services.outgoing_register(
                        document=OutgoingDocument(pk=pk), by=secretary, now=NOW
                    )
                    if (i * PER_THREAD + k) % 10 == 3:  # 10 %: fails after taking its number
                        raise ForcedRollback
            except ForcedRollback:
                rolled_back.append(pk)
            else:
                committed.append(doc.issue_serial)

    escaped = _run(work, THREADS)
    assert not escaped, escaped[:3]
    n = len(committed)
    assert n == THREADS * PER_THREAD - len(rolled_back) == 1440
    assert sorted(committed) == list(range(1, n + 1))
    serials = list(
        IssueNumber.objects.filter(series__code="乌政办发", year=2026)
        .order_by("serial")
        .values_list("serial", flat=True)
    )
    assert serials == list(range(1, n + 1))
    numbered = OutgoingDocument.objects.filter(state="registered")
    assert numbered.count() == n
    assert sorted(numbered.values_list("issue_serial", flat=True)) == list(range(1, n + 1))
    assert OutgoingDocument.objects.filter(pk__in=rolled_back, state="signed").count() == len(
        rolled_back
    )
    assert NumberSeries.objects.get(series="乌政办发", year=2026).last_number == n


def test_32_signatures_at_once_record_exactly_one(demo_office):
    """S-28 for 签发: the same leader in 32 tabs; one signs, the rest are told it moved on."""
    from office.models import AuditEntry
    from office.services import TransitionError

    from .outgoing_flow import reviewed

    doc = reviewed(code="乌政发", direction="up")
    mayor_pk = doc.signer_id
    won: list[int] = []
    refused: list[int] = []

    def sign(i: int) -> None:
        me = User.objects.get(pk=mayor_pk)
        try:
            services.outgoing_sign(document=OutgoingDocument(pk=doc.pk), by=me)
        except TransitionError:
            refused.append(i)
        else:
            won.append(i)

    escaped = _run(sign, THREADS)
    assert not escaped, escaped[:3]
    assert len(won) == 1 and len(refused) == THREADS - 1
    assert AuditEntry.objects.filter(action="outgoing.sign", object_id=str(doc.pk)).count() == 1
