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
def audit_anchor() -> int:
    """The daily anchor of the audit chain (office.auditchain); a second run only adds a line."""
    from .auditchain import write_anchor

    anchor = write_anchor()
    return anchor.count if anchor else 0
