"""The second factor of a person who must use one (SECURITY.md S-04)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecondFactor(models.Model):
    """One authenticator (TOTP) per person: created at their first sign-in that needs it,
    confirmed by their first correct code. The security admin resets it by deleting it (the
    person enrols again at the next sign-in); nobody can read the secret, which is stored
    encrypted (`office.totp.seal`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="second_factor",
        verbose_name=_("user"),
    )
    secret = models.TextField(_("secret (encrypted)"), editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("enrolled"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    # The time step of the last accepted code: a code is never accepted twice (RFC 6238 §5.2).
    last_step = models.BigIntegerField(default=-1, editable=False)

    class Meta:
        verbose_name = _("second factor")
        verbose_name_plural = _("second factors")

    def __str__(self) -> str:
        return self.user.get_username()
