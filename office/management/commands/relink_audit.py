"""`manage.py relink_audit`: re-link the audit chain under AUDIT_CHAIN_KEY.

Used (1) once on a database whose chain was written before issue 15 with unkeyed SHA-256 links
(migration 0010 does this by itself when it runs; the command is for a restore from an older
backup), and (2) when the key is changed: ``--old-key-file`` names a file with the previous key.
The chain is first checked under the old scheme and nothing changes if it does not hold, unless
``--accept-broken`` is given — and then the audit records that it was. Run it as the schema's
owner (the application's role may not update the audit table); write an anchor afterwards.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from office import auditchain
from office.models import AuditChainHead, AuditEntry
from office.services.audit import audit_record


class Command(BaseCommand):
    help = "Re-link the audit chain under AUDIT_CHAIN_KEY (after checking it under the old links)."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--from-unkeyed", action="store_true", help="old links are SHA-256")
        source.add_argument("--old-key-file", help="a file holding the previous AUDIT_CHAIN_KEY")
        parser.add_argument("--accept-broken", action="store_true")

    def handle(self, *args, **options):
        if options["from_unkeyed"]:
            old_link = auditchain.legacy_link
            scheme = "sha256"
        else:
            old_key = Path(options["old_key_file"]).read_text(encoding="utf-8").strip().encode()

            def old_link(entry):
                return auditchain.keyed_link(entry, old_key)

            scheme = "hmac-sm3 (previous key)"
        try:
            with transaction.atomic():
                count = auditchain.relink(
                    AuditEntry,
                    AuditChainHead,
                    old_link=old_link,
                    connection=connection,
                    accept_broken=options["accept_broken"],
                )
                audit_record(
                    action="audit.relinked",
                    object_type="office.auditentry",
                    changes={
                        "entries": count,
                        "from": scheme,
                        "to": "hmac-sm3",
                        "accepted_broken": options["accept_broken"],
                    },
                    comment="relink_audit (console)",
                )
        except auditchain.ChainBroken as broken:
            raise CommandError(
                f"the chain does not hold under the old links ({broken}); nothing changed"
            ) from broken
        anchor = auditchain.write_anchor()
        self.stdout.write(
            self.style.SUCCESS(
                f"re-linked {count} entries; anchor written at entry {anchor.last_id if anchor else '-'}"
            )
        )
