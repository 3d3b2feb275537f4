"""Celery tasks: thin wrappers over services. Idempotent, so a redelivery after a worker is lost
(acks_late + reject_on_worker_lost) does no harm."""

from __future__ import annotations

import math

from celery import shared_task
from django.conf import settings


@shared_task(ignore_result=True)
def deadline_sweep() -> dict:
    from .sweep import sweep

    return {str(k): v for k, v in sweep().items()}


@shared_task(
    ignore_result=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5
)
def deliver_outbox() -> int:
    from .delivery import deliver_pending

    return deliver_pending()


@shared_task(ignore_result=True)
def relay_outbox() -> int:
    """The periodic relay: delivers whatever the after-commit kick did not (broker down, worker
    lost, delivery failed and due for another try). A backlog (the first sweep after a holiday)
    is shared out: one delivery task per batch, up to OUTBOX_PARALLEL, which the workers' pool
    processes run side by side, each claiming its own rows (SKIP LOCKED)."""
    from .delivery import BATCH, deliver_pending
    from .models import OutboxMessage, OutboxState

    waiting = OutboxMessage.objects.filter(state=OutboxState.PENDING).count()
    helpers = min(math.ceil(waiting / BATCH), settings.OUTBOX_PARALLEL) - 1
    for _ in range(max(helpers, 0)):
        deliver_outbox.delay()
    return deliver_pending()


@shared_task(ignore_result=True)
def calendar_reminder() -> int:
    """Weekly, from 1 November while next year's holiday notice is not entered: tell the system
    admins (office.services.calendar.remind_system_admins; once per person per week)."""
    from .services.calendar import remind_system_admins

    return remind_system_admins()


@shared_task(ignore_result=True, acks_late=False)
def heartbeat(path: str) -> str:
    """Written by the worker that consumes it; `manage.py worker_health` reads it (and sends the
    next one to the worker's own queue). Not late-acked: a lost heartbeat is simply not
    written, which is what the health check is for."""
    from .heartbeat import beat

    return beat(path)


@shared_task(ignore_result=True)
def audit_anchor() -> int:
    """The daily anchor of the audit chain (office.auditchain); a second run only adds a line."""
    from .auditchain import write_anchor

    anchor = write_anchor()
    return anchor.count if anchor else 0
