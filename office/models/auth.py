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


class SignInThrottle(models.Model):
    """Failed sign-ins counted per (user name, address) and per user name (SECURITY.md S-01).

    Two kinds of row: ``address`` set — the failures of one user name from one address, locked
    after LOGIN_FAILURE_LIMIT; ``address`` empty — the failures of the user name from anywhere,
    locked after the higher LOGIN_ACCOUNT_FAILURE_LIMIT, so a stranger with a list of addresses
    cannot keep a leader out for ever, and after LOGIN_FAILURE_LIMIT wrong one-time codes,
    because whoever reaches the code step already knows the password (等保 8.1.4.1 b).
    Written only by ``office.lockout``, under a row lock; the security admin unlocks.
    """

    username = models.CharField(_("user name"), max_length=150)
    address = models.CharField(_("address"), max_length=45, blank=True)
    failures = models.PositiveIntegerField(_("failed passwords and codes"), default=0)
    code_failures = models.PositiveIntegerField(_("wrong one-time codes"), default=0)
    first_failure_at = models.DateTimeField(_("first failure"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in lock")
        verbose_name_plural = _("sign-in locks")
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="signin_throttle_key")
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.address}" if self.address else self.username


class PasswordReset(models.Model):
    """A password an admin set (at creation or as a reset): good for one sign-in only.

    The person must choose their own password at that sign-in, before anything else and
    before enrolling an authenticator (等保 8.1.4.1; GB/T 22239-2019 8.1.4.2 三员分立: the
    security admin who set it must not be able to keep using it). Deleted when the person
    has chosen their own.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_reset",
        verbose_name=_("user"),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("one-time password")
        verbose_name_plural = _("one-time passwords")

    def __str__(self) -> str:
        return self.user.get_username()
