"""Celery tasks: thin wrappers over services; idempotent (a meeting leaves 'agenda approved'
when its notices go out, so a redelivered task sends nothing twice)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def send_due_notices() -> int:
    """Meeting notices N working days (1 by default) before each approved meeting."""
    from .services import send_due_notices as send

    return send()
