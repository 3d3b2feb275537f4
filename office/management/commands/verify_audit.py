"""`manage.py verify_audit`: check the audit chain — every keyed link (HMAC-SM3 under
AUDIT_CHAIN_KEY) and every anchor written outside the database; exit 1 and name the first
broken link."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from office.auditchain import anchor_path, read_anchors
from office.models import AuditEntry
from office.services.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; report the first broken link."

    def handle(self, *args, **options):
        for broken in verify_chain():
            raise CommandError(f"audit chain broken at entry {broken.entry_id}: {broken.reason}")
        anchors = len(read_anchors())
        self.stdout.write(
            self.style.SUCCESS(
                f"audit chain intact: {AuditEntry.objects.count()} entries, keyed links hold, "
                f"{anchors} anchors in {anchor_path()} match"
            )
        )
