"""Delivery of the outbox: recognisably once (stable Message-ID and SMS key), claimed in
parallel batches without overlap (SKIP LOCKED), and bounded in time (issue 16)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from office import delivery
from office.models import Channel, OutboxMessage, OutboxState
from office.sms import LocmemSMSBackend
from tests.conftest import requires_postgres

pytestmark = pytest.mark.django_db


def _messages(n: int, channel=Channel.EMAIL, address="clerk@example.gov.cn"):
    now = timezone.now()
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(
            channel=channel,
            address=address,
            subject=f"通知 {i}",
            body="请及时办理",
            created_at=now + dt.timedelta(microseconds=i),
        )
        for i in range(n)
    )


@override_settings(SITE_URL="https://zhengban.example.gov.cn")
def test_a_resent_email_carries_the_same_message_id_as_the_first(monkeypatch):
    (message,) = _messages(1)
    # The first attempt reached the relay, then "mark sent" was lost (a database restart):
    # the claim runs out and the message goes again.
    assert delivery.deliver_pending() == 1
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.SENDING, claimed_at=timezone.now() - delivery.CLAIM_TIMEOUT * 2
    )
    assert delivery.deliver_pending() == 1
    first, second = (m.message()["Message-ID"] for m in mail.outbox[-2:])
    assert first == second == delivery.message_id(message)
    assert second.startswith(f"<outbox.{message.pk}.")
    assert second.endswith("@zhengban.example.gov.cn>")
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and message.attempts == 2


@override_settings(SMS_BACKEND="office.sms.LocmemSMSBackend")
def test_an_sms_carries_a_stable_idempotency_key():
    LocmemSMSBackend.outbox.clear()
    LocmemSMSBackend.keys.clear()
    (message,) = _messages(1, channel=Channel.SMS, address="13800001234")
    delivery.deliver_pending()
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.PENDING)
    delivery.deliver_pending()
    assert LocmemSMSBackend.keys == [delivery.idempotency_key(message)] * 2
    assert LocmemSMSBackend.outbox == [("13800001234", "请及时办理")] * 2


class _OldGateway:
    sent: list[tuple[str, str]] = []

    def send(self, number, text, *, secrets=()):
        self.sent.append((number, text))


@override_settings(SMS_BACKEND="tests.office.test_delivery._OldGateway")
def test_a_gateway_backend_without_the_key_still_sends():
    _messages(1, channel=Channel.SMS, address="13800001234")
    assert delivery.deliver_pending() == 1
    assert _OldGateway.sent == [("13800001234", "请及时办理")]


def test_delivery_goes_in_batches_and_stops_at_its_limit():
    _messages(5)
    assert delivery.deliver_pending(limit=3) == 3
    assert OutboxMessage.objects.filter(state=OutboxState.PENDING).count() == 2
    assert delivery.deliver_pending() == 2
    assert len({m.message()["Message-ID"] for m in mail.outbox[-5:]}) == 5


def test_a_failure_returns_only_that_message(monkeypatch):
    good, bad, also_good = _messages(3)
    real = delivery._send_email

    def flaky(conn, message):
        if message.pk == bad.pk:
            raise ConnectionError("550 mailbox unavailable")
        real(conn, message)

    monkeypatch.setattr(delivery, "_send_email", flaky)
    assert delivery.deliver_pending() == 2
    states = dict(OutboxMessage.objects.values_list("pk", "state"))
    assert states == {
        good.pk: OutboxState.SENT,
        bad.pk: OutboxState.PENDING,
        also_good.pk: OutboxState.SENT,
    }


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_claim_disjoint_batches():
    """Four threads, each its own connection, claim until nothing is left: every row once."""
    _messages(400)
    claimed: list[list[int]] = []
    barrier = threading.Barrier(4)

    def worker():
        mine = []
        barrier.wait()
        try:
            while batch := delivery.claim(limit=25):
                mine += [m.pk for m in batch]
        finally:
            claimed.append(mine)
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    everything = [pk for mine in claimed for pk in mine]
    assert len(everything) == len(set(everything)) == 400
    assert sum(1 for mine in claimed if mine) >= 2, "the claims did not run side by side"
    assert connection.vendor == "postgresql"
