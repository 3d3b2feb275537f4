"""Delivering the outbox: at least once to the relay, recognisably once to people.

Claiming. A worker claims a batch of messages with `SELECT … FOR UPDATE SKIP LOCKED` and marks
them `sending` in the same short transaction, so several workers drain one backlog in parallel
without ever taking the same row (on SQLite, which has no row locks, the write lock serialises
the claims instead). A claim older than `CLAIM_TIMEOUT` is taken back: the worker that held it
died mid-send.

Exactly once for people. The window between "sent" and "marked sent" cannot be closed (the
relay's SMTP answer and our database commit are two systems), so a crash in it re-sends. Each
message therefore carries an identity derived from its outbox row — the e-mail's `Message-ID`
and the SMS gateway's idempotency key — the same on every attempt, so the relay, the gateway
or the reader's mail program recognises the second copy as the first (RFC 5322 §3.6.4: a
Message-ID names one message; re-sending the same message keeps it).

Speed. One SMTP connection per batch instead of one per message, a claim per batch, and the
"sent" markers written in small groups (`MARK_EVERY`). A task stops claiming new batches after
`TIME_BUDGET`, well inside Celery's soft time limit, so a big backlog is drained by several
short tasks rather than one that is killed.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Channel, OutboxMessage, OutboxState
from .outbox import render
from .sms import get_backend

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = dt.timedelta(minutes=10)  # a worker that died mid-send gives its claim back
BATCH = 200  # messages claimed at a time by one worker
TIME_BUDGET = 120.0  # seconds one task keeps claiming (the soft time limit is 240 s)
# Sent messages are marked in groups: one UPDATE per message was 95% of the delivery time on a
# busy host (a round trip to PostgreSQL each, 30–70 ms under load). The price: a worker killed
# outright re-sends at most the last MARK_EVERY messages (or MARK_SECONDS' worth), each with
# its own unchanged Message-ID / idempotency key, so the relay and the gateway drop them.
MARK_EVERY = 25
MARK_SECONDS = 1.0


def message_id(message: OutboxMessage) -> str:
    """The e-mail's Message-ID, derived from the outbox row: the same on every attempt."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = message.created_at.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")
    return f"<outbox.{message.pk}.{stamp}@{domain}>"


def idempotency_key(message: OutboxMessage) -> str:
    """The SMS gateway's idempotency key (most gateways take one, e.g. a client message id):
    the same on every attempt, so the gateway drops a second submission."""
    return f"zb-outbox-{message.pk}-{message.created_at.astimezone(dt.UTC):%Y%m%d%H%M%S}"


def _undelivered(now: dt.datetime):
    return Q(state=OutboxState.PENDING) | Q(
        state=OutboxState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )


def claim(
    *, limit: int = BATCH, now: dt.datetime | None = None, skip: frozenset[int] = frozenset()
) -> list[OutboxMessage]:
    """Claim up to `limit` undelivered messages for this worker (oldest first), leaving out
    `skip` (what failed in this run waits for the next one)."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.filter(_undelivered(now))
            .exclude(pk__in=skip)
            .order_by("created_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids).update(
            state=OutboxState.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(OutboxMessage.objects.filter(pk__in=ids).order_by("created_at"))


def deliver_pending(
    *, limit: int | None = None, now: dt.datetime | None = None, budget: float = TIME_BUDGET
) -> int:
    """Claim and send batches until nothing is left, `limit` messages are sent, or the time
    budget is spent; returns how many were sent."""
    started = time.monotonic()
    sent = 0
    failed: set[int] = set()
    while limit is None or sent < limit:
        batch_size = BATCH if limit is None else min(BATCH, limit - sent)
        batch = claim(limit=batch_size, now=now, skip=frozenset(failed))
        if not batch:
            break
        sent += _send_batch(batch, failed)
        if time.monotonic() - started > budget:
            break
    return sent


def _send_batch(batch: list[OutboxMessage], failed: set[int]) -> int:
    """Send a claimed batch, marking what went out as sent every `MARK_EVERY` messages or
    `MARK_SECONDS`, whichever comes first (see `MARK_EVERY`)."""
    delivered = 0
    unmarked: list[int] = []
    last_mark = time.monotonic()
    mailer = None
    sms = None
    try:
        for message in batch:
            try:
                if message.channel == Channel.EMAIL:
                    if mailer is None:
                        mailer = mail.mailers.default
                        mailer.open()
                    _send_email(mailer, message)
                else:
                    sms = sms or get_backend()
                    _send_sms(sms, message)
            except Exception as exc:
                give_up = message.attempts >= MAX_ATTEMPTS
                OutboxMessage.objects.filter(pk=message.pk).update(
                    state=OutboxState.FAILED if give_up else OutboxState.PENDING,
                    last_error=str(exc)[:500],
                )
                log.warning("outbox %s: delivery failed (%s)", message.pk, exc)
                failed.add(message.pk)
                continue
            unmarked.append(message.pk)
            delivered += 1
            if len(unmarked) >= MARK_EVERY or time.monotonic() - last_mark > MARK_SECONDS:
                _mark_sent(unmarked)
                unmarked, last_mark = [], time.monotonic()
    finally:
        if unmarked:
            _mark_sent(unmarked)
        if mailer is not None:
            try:
                mailer.close()
            except Exception as exc:  # the messages are out; a failed QUIT changes nothing
                log.warning("outbox: closing the mail connection failed (%s)", exc)
    return delivered


def _mark_sent(pks: list[int]) -> None:
    OutboxMessage.objects.filter(pk__in=pks).update(state=OutboxState.SENT, sent_at=timezone.now())


def _send_email(mailer, message: OutboxMessage) -> None:
    email = EmailMessage(
        message.subject,
        message.body,
        to=[message.address],
        headers={"Message-ID": message_id(message)},
    )
    if not mailer.send_messages([email]):
        raise ConnectionError("the mail server accepted no recipient")


def _send_sms(backend, message: OutboxMessage) -> None:
    # A secret (a petition's query code) is filled in only now, never stored in clear.
    text, secrets = render(message)
    if _accepts_idempotency_key(type(backend)):
        backend.send(
            message.address, text, secrets=secrets, idempotency_key=idempotency_key(message)
        )
    else:  # a gateway backend written before the key existed
        backend.send(message.address, text, secrets=secrets)


def _accepts_idempotency_key(cls) -> bool:
    cached = getattr(cls, "_zb_accepts_key", None)
    if cached is None:
        parameters = inspect.signature(cls.send).parameters
        cached = "idempotency_key" in parameters or any(
            p.kind is p.VAR_KEYWORD for p in parameters.values()
        )
        cls._zb_accepts_key = cached
    return cached
