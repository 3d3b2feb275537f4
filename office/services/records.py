"""Keeping an official document as issued (office.models.records; GB/T 18894-2016)."""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.utils import timezone

from office.models import RecordCopy
from office.services.audit import audit_record


def record_copy(obj) -> RecordCopy | None:
    """The kept copy of an issued document, or None."""
    return RecordCopy.objects.of(obj).first()


def record_keep(
    *, obj, printed, reference: str, title: str, fonts: str = "", by=None, now=None
) -> RecordCopy:
    """Store the printed PDF (and OFD) as the record copy of `obj`, with their SHA-256 in the audit
    entry. The caller holds `obj`'s row lock, so two 印制 of one document cannot both store; the
    partial unique constraint is the database's own guard."""
    now = now or timezone.now()
    stem = uuid.uuid4().hex
    pdf_hash = hashlib.sha256(printed.pdf).hexdigest()
    copy = RecordCopy(
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        reference=reference[:60],
        title=title[:300],
        pdf_sha256=pdf_hash,
        pdf_size=len(printed.pdf),
        pages=printed.pages,
        fonts=fonts,
        made_by=by,
        made_at=now,
    )
    copy.pdf.save(f"{stem}.pdf", ContentFile(printed.pdf), save=False)
    if printed.ofd:
        copy.ofd_sha256 = hashlib.sha256(printed.ofd).hexdigest()
        copy.ofd.save(f"{stem}.ofd", ContentFile(printed.ofd), save=False)
    copy.save()
    audit_record(
        action="record.keep",
        actor=by,
        obj=obj,
        changes={
            "reference": reference,
            "pdf_sha256": pdf_hash,
            "ofd_sha256": copy.ofd_sha256,
            "pages": printed.pages,
            "fonts": fonts,
        },
        now=now,
    )
    return copy


def record_void(*, obj, by, reason: str, now=None) -> None:
    """A number voided before dispatch: its copy stays, marked void (never deleted)."""
    now = now or timezone.now()
    for copy in RecordCopy.objects.of(obj).select_for_update():
        copy.void = True
        copy.save(update_fields=["void"])
        audit_record(
            action="record.void",
            actor=by,
            obj=obj,
            comment=reason,
            changes={"pdf_sha256": copy.pdf_sha256},
            now=now,
        )
