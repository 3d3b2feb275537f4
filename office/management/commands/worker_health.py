"""`manage.py worker_health [--node celery@host] [--minutes N]`: the worker container's health
check. Exit 0 when the worker consumed a heartbeat within N minutes, 1 otherwise; either way it
queues the next heartbeat on the worker's own queue (see office.heartbeat)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from office import heartbeat


class Command(BaseCommand):
    help = "Fails when the Celery worker has not consumed a heartbeat task for N minutes."

    def add_arguments(self, parser):
        parser.add_argument("--node", default="", help="the worker's node name (celery@host)")
        parser.add_argument("--minutes", type=float, default=None)

    def handle(self, *args, node: str, minutes: float | None, **options):
        node = node or heartbeat.default_node()
        limit = 60 * (minutes if minutes is not None else settings.WORKER_HEARTBEAT_MINUTES)
        age = heartbeat.age_seconds(node)
        try:
            heartbeat.send(node)
        except Exception as exc:  # the broker may be away; the age decides
            self.stderr.write(f"{node}: could not queue a heartbeat ({exc!r})")
        if age is None or age > limit:
            seen = "never" if age is None else f"{age:.0f} s ago"
            self.stderr.write(f"{node}: unhealthy, last heartbeat consumed {seen}")
            raise SystemExit(1)
        self.stdout.write(f"{node}: healthy, last heartbeat consumed {age:.0f} s ago")
