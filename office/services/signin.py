"""The second step of signing in: a one-time code for leaders and the three admins (S-04).

The password step (office.views.LoginView) does not sign such a person in: it keeps who passed
it in the session for a few minutes, and only a correct code from their authenticator calls
``login()``. A wrong code counts as a failed sign-in for django-axes (5 failures lock the account
for 15 minutes, S-01) and is audited; the first correct code enrols the authenticator.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone

from .. import totp
from ..models import SecondFactor
from ..roles import ADMIN_ROLES, Role
from .audit import audit_record

PENDING_KEY = "zb_second_factor"
ROLES = frozenset({Role.LEADER, *ADMIN_ROLES})


def required_for(user) -> bool:
    """Leaders and the three admins (and a superuser, should one exist) when the deployment
    has the second factor switched on (settings.TOTP_REQUIRED)."""
    if not settings.TOTP_REQUIRED:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=ROLES).exists()


@dataclass
class Pending:
    user: object
    backend: str
    next_url: str
    failures: int


def begin(request, user, next_url: str) -> None:
    """The password was right: remember who, for TOTP_PENDING_MINUTES, in a fresh session key
    (no fixation of the half-signed-in session)."""
    request.session.cycle_key()
    authenticator_for(user)  # here, in the POST: the code page's GET only reads it
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "at": time.time(),
        "failures": 0,
    }


def pending(request) -> Pending | None:
    data = request.session.get(PENDING_KEY)
    if not data:
        return None
    if time.time() - data["at"] > settings.TOTP_PENDING_MINUTES * 60:
        abandon(request)
        return None
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    if user is None:
        abandon(request)
        return None
    return Pending(user, data["backend"], data["next"], data["failures"])


def abandon(request) -> None:
    request.session.pop(PENDING_KEY, None)


def authenticator_for(user) -> SecondFactor:
    """The person's authenticator; a new, unconfirmed one (fresh secret) if they have none."""
    factor, _ = SecondFactor.objects.get_or_create(
        user=user, defaults={"secret": totp.seal(totp.new_secret())}
    )
    if totp.unseal(factor.secret) is None:  # SECRET_KEY changed since: enrol again
        factor.secret = totp.seal(totp.new_secret())
        factor.confirmed_at = None
        factor.last_step = -1
        factor.save(update_fields=["secret", "confirmed_at", "last_step"])
    return factor


def check_code(request, state: Pending, code: str, *, when: float | None = None) -> bool:
    """Accept the code once, sign the person in, audit; or count a failure.

    Locks the authenticator row, so one code used in two tabs at once signs in only one of them.
    """
    user = state.user
    with transaction.atomic():
        factor = authenticator_for(user)
        factor = SecondFactor.objects.select_for_update().get(pk=factor.pk)
        secret = totp.unseal(factor.secret)
        step = totp.matching_step(secret, code, when=when, after=factor.last_step)
        if step is not None:
            enrolling = factor.confirmed_at is None
            now = timezone.now()
            factor.last_step = step
            factor.last_used_at = now
            if enrolling:
                factor.confirmed_at = now
            factor.save(update_fields=["last_step", "last_used_at", "confirmed_at"])
            if enrolling:
                audit_record(
                    action="auth.second_factor_enrolled",
                    actor=user,
                    obj=factor,
                    object_repr=user.get_username(),
                    request=request,
                )
        else:
            # Still under the row lock: concurrent wrong codes for one person are counted one
            # after another (django-axes' own counter row is not safe against a race).
            _count_failure(request, state)
    if step is None:
        return False
    abandon(request)
    login(request, user, backend=state.backend)
    return True


def _count_failure(request, state: Pending) -> None:
    data = request.session.get(PENDING_KEY, {})
    data["failures"] = state.failures + 1
    request.session[PENDING_KEY] = data
    state.failures += 1
    # Counted by django-axes like a wrong password; audited by office.signals.
    user_login_failed.send(
        sender=__name__,
        credentials={"username": state.user.get_username(), "second_factor": True},
        request=request,
    )


def reset(factor: SecondFactor, *, by, request=None) -> None:
    """The security admin removes a lost or compromised authenticator; the person enrols a new
    one at their next sign-in (after the admin has checked who is asking)."""
    with transaction.atomic():
        audit_record(
            action="auth.second_factor_reset",
            actor=by,
            obj=factor,
            object_repr=factor.user.get_username(),
            request=request,
        )
        factor.delete()
