"""The audit trail (留痕; 等保 8.1.4.3; SECURITY.md S-37): append-only and hash-chained.

Each entry carries the HMAC-SM3, under a key kept outside the database (AUDIT_CHAIN_KEY), of its
own content and of the previous entry's link, so a row changed, removed or inserted behind the
application's back breaks the chain even for the database's owner, daily anchors outside the
database catch a rewrite by someone holding the key (office.auditchain), and
`manage.py verify_audit` names the first broken link. Entries are written only by
`office.services.audit.audit_record`; the model refuses updates and deletes, and on PostgreSQL a
trigger refuses them in the database too (nothing younger than 184 days may be deleted at all).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", _("success")
    FAILURE = "failure", _("failure")
    REFUSED = "refused", _("refused")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    from_state = models.CharField(_("from state"), max_length=40, blank=True)
    to_state = models.CharField(_("to state"), max_length=40, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")

    def compute_hash(self) -> str:
        """HMAC-SM3 under AUDIT_CHAIN_KEY, a key outside the database (office.auditchain)."""
        from ..auditchain import keyed_link

        return keyed_link(self)


class AuditChainHead(models.Model):
    """The single row every audit write locks: it serialises the chain so two concurrent
    transactions cannot both extend the same previous hash."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single")]

    def __str__(self) -> str:
        return self.last_hash
