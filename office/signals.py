"""Sign-in events go to the security log and the audit trail (等保 8.1.4.3; S-37); calendar
changes drop this process's calendar cache (other processes refresh within 60 s).

Only this bookkeeping lives in signals; no business logic does."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import workcalendar
from .models import CalendarDay, CalendarYear

log = logging.getLogger("office.security")


def _address(request) -> str:
    from office.client import client_address

    return client_address(request, default="-")


def _safe(value: object) -> str:
    """CR/LF encoded so a crafted user name cannot forge log lines (S-38)."""
    return str(value).replace("\r", "\\r").replace("\n", "\\n")[:150]


def _audit(**kwargs) -> None:
    from .services.audit import audit_record

    audit_record(object_type="auth.user", **kwargs)


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    log.info("sign-in user=%s address=%s", _safe(user.get_username()), _address(request))
    _audit(
        action="auth.sign_in",
        actor=user,
        object_id=str(user.pk),
        object_repr=user.get_username(),
        request=request,
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    name = user.get_username() if user is not None else "-"
    log.info("sign-out user=%s address=%s", _safe(name), _address(request))
    if user is not None:
        _audit(
            action="auth.sign_out",
            actor=user,
            object_id=str(user.pk),
            object_repr=user.get_username(),
            request=request,
        )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    name = _safe(credentials.get("username", "-"))
    step = "second factor" if credentials.get("second_factor") else "password"
    log.warning("sign-in failed (%s) user=%s address=%s", step, name, _address(request))
    action = (
        "auth.second_factor_failed" if credentials.get("second_factor") else "auth.sign_in_failed"
    )
    _audit(action=action, object_repr=name, request=request, outcome="failure")


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    name = _safe(username or "-")
    log.warning("lock-out user=%s address=%s", name, ip_address or _address(request))
    _audit(
        action="auth.locked_out",
        object_repr=name,
        request=request,
        address=ip_address,
        outcome="refused",
    )


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=CalendarYear)
def _calendar_changed(sender, **kwargs):
    workcalendar.invalidate()
    transaction.on_commit(workcalendar.invalidate)  # a read inside the transaction re-cached it
