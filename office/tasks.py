"""Celery tasks: thin wrappers over services. Idempotent, so a redelivery after a worker is lost
(acks_late + reject_on_worker_lost) does no harm."""

from __future__ import annotations

from celery import shared_task


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
    lost, delivery failed and due for another try)."""
    from .delivery import deliver_pending

    return deliver_pending()


@shared_task(ignore_result=True)
def calendar_reminder() -> int:
    """Weekly, from 1 November while next year's holiday notice is not entered: tell the system
    admins (office.services.calendar.remind_system_admins; once per person per week)."""
    from .services.calendar import remind_system_admins

    return remind_system_admins()
