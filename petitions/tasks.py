"""Celery tasks: thin wrappers over the petition services."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def build_ledger(export_id: int) -> str:
    from .exports import ledger_build

    return ledger_build(export_id)
