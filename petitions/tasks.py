"""Celery tasks: thin wrappers over the petition services."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def build_ledger(export_id: int) -> str:
    from .exports import ledger_build

    return ledger_build(export_id)


@shared_task(ignore_result=True)
def rebuild_stats() -> int:
    """Recompute the statistics' monthly cells from the records (after a bulk import, or to
    verify: the services keep them in step otherwise)."""
    from .stats import rebuild

    return rebuild()
