"""Probes for the proxy and the orchestrator.

- `/healthz` — the process is up and answers. Touches nothing (no database, no broker, no
  session), so a database outage never gets the web containers restarted for nothing.
- `/readyz` — this instance can do its work: the database answers, the broker answers, every
  migration is applied, and the working calendar has the current year. 200 when all hold,
  503 (with each check's result in the JSON body) when one does not.

Both are public and answer with JSON only: they say whether the parts are reachable, never
where they are or why they failed (the log says that).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger("office.health")

BROKER_TIMEOUT_SECONDS = 2


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {
        "database": _check(check_database),
        "broker": _check(check_broker),
        "migrations": _check(check_migrations),
        "calendar": _check(check_calendar),
    }
    ready = all(result in ("ok", "provisional") for result in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


def _check(function) -> str:
    try:
        return function()
    except Exception as exc:
        log.warning("readiness check %s failed: %r", function.__name__, exc)
        return "error"


def check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    from .celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    return "ok"


_migrations_applied = False


def check_migrations() -> str:
    """Reading the migration files takes a while; once this process has seen them all applied
    it stops asking (migrations are not un-applied under a running release)."""
    global _migrations_applied
    if _migrations_applied:
        return "ok"
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrations_applied = not plan
    return "ok" if not plan else "pending"


def check_calendar(today: dt.date | None = None) -> str:
    """The working calendar for this year: "ok" when confirmed (its State Council notice is
    entered), "provisional" when derived from the holiday rules (the office still works, the
    deadlines are flagged 暂定; ARCHITECTURE.md "The calendar never stops the office"), and
    "missing" when the year is not there at all — then no deadline can be computed."""
    from . import workcalendar

    year = (today or timezone.localdate()).year
    status = workcalendar.year_status(year)
    return {workcalendar.CONFIRMED: "ok", workcalendar.PROVISIONAL: "provisional"}.get(
        status, "missing"
    )
