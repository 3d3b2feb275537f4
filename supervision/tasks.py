"""Celery tasks: thin wrappers over services; idempotent (each slip once, by a constraint)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def chase_sweep() -> dict:
    from .chase import sweep

    return sweep()
