"""Delivering the outbox. Each message is claimed with a conditional UPDATE before it is sent,
so two workers (or a worker and the relay) never send the same message twice."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from .models import Channel, OutboxMessage, OutboxState
from .outbox import render
from .sms import get_backend

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = dt.timedelta(minutes=10)  # a worker that died mid-send gives its claim back


def deliver_pending(*, limit: int = 500, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    candidates = list(
        OutboxMessage.objects.filter(
            Q(state=OutboxState.PENDING)
            | Q(state=OutboxState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .order_by("created_at")
        .values_list("pk", "state", flat=False)[:limit]
    )
    sent = 0
    sms = None
    for pk, state in candidates:
        claimed = (
            OutboxMessage.objects.filter(pk=pk, state=state)
            .filter(Q(state=OutboxState.PENDING) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
            .update(state=OutboxState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        )
        if not claimed:
            continue  # another worker has it
        message = OutboxMessage.objects.get(pk=pk)
        try:
            if message.channel == Channel.EMAIL:
                EmailMessage(message.subject, message.body, to=[message.address]).send()
            else:
                sms = sms or get_backend()
                text, secrets = render(message)
                sms.send(message.address, text, secrets=secrets)
        except Exception as exc:
            give_up = message.attempts >= MAX_ATTEMPTS
            OutboxMessage.objects.filter(pk=pk).update(
                state=OutboxState.FAILED if give_up else OutboxState.PENDING,
                last_error=str(exc)[:500],
            )
            log.warning("outbox %s: delivery failed (%s)", pk, exc)
            continue
        OutboxMessage.objects.filter(pk=pk).update(state=OutboxState.SENT, sent_at=timezone.now())
        sent += 1
    return sent
