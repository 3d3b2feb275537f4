"""`manage.py render_document <id> --output file.pdf`: an outgoing document as it would print."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents.outgoing import typeset
from documents.outgoing.models import OutgoingDocument
from office.services.audit import audit_record


class Command(BaseCommand):
    help = "Render an outgoing document (发文) as its GB/T 9704-2012 PDF."

    def add_arguments(self, parser):
        parser.add_argument("document_id", type=int)
        parser.add_argument("--output", "-o", required=True, help="the PDF file to write")

    def handle(self, *args, document_id: int, output: str, **options):
        document = (
            OutgoingDocument.objects.select_related("series", "signer")
            .filter(pk=document_id)
            .first()
        )
        if document is None:
            raise CommandError(f"No outgoing document {document_id}.")
        from office.services.records import record_copy

        copy = record_copy(document)  # an issued document prints as issued, never re-typeset
        pdf = copy.read_pdf() if copy else typeset.render(document)
        Path(output).write_bytes(pdf)
        audit_record(
            action="outgoing.print",
            obj=document,
            comment="manage.py render_document",
            changes={"output": str(output), "bytes": len(pdf)},
        )
        self.stdout.write(f"{document}: {len(pdf)} bytes → {output}")
