"""The record copy (存档版本): an official document kept exactly as issued.

At 印制 the printed PDF (and its OFD, GB/T 33190-2016) is stored once, with its SHA-256; every
later download, the public page and the archive serve these bytes, never a new typesetting — a
seal or a font replaced a month later changes nothing in a document already issued (GB/T
18894-2016 §7: an electronic record stays authentic, complete and usable; its fixity is the hash).
A record copy is never changed or deleted; a number voided before dispatch marks its copy void,
and the document's next 印制 makes a new one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RecordCopyQuerySet(models.QuerySet):
    def of(self, obj) -> RecordCopyQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), void=False)


class RecordCopy(models.Model):
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=300)
    pdf = models.FileField(upload_to="records/%Y/", max_length=200)
    pdf_sha256 = models.CharField(max_length=64)
    pdf_size = models.PositiveBigIntegerField()
    ofd = models.FileField(upload_to="records/%Y/", max_length=200, blank=True)
    ofd_sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField()
    fonts = models.TextField(_("fonts"), blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    made_at = models.DateTimeField()
    void = models.BooleanField(default=False)

    objects = RecordCopyQuerySet.as_manager()

    class Meta:
        verbose_name = _("record copy")
        verbose_name_plural = _("record copies")
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id"],
                condition=Q(void=False),
                name="record_copy_one_per_object",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def read_pdf(self) -> bytes:
        with self.pdf.open("rb") as handle:
            return handle.read()

    def read_ofd(self) -> bytes:
        with self.ofd.open("rb") as handle:
            return handle.read()
