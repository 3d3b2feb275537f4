"""`manage.py verify_audit`: check the audit chain; exit 1 and name the first broken link."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from office.models import AuditEntry
from office.services.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; report the first broken link."

    def handle(self, *args, **options):
        for broken in verify_chain():
            raise CommandError(f"audit chain broken at entry {broken.entry_id}: {broken.reason}")
        self.stdout.write(
            self.style.SUCCESS(f"audit chain intact: {AuditEntry.objects.count()} entries")
        )
