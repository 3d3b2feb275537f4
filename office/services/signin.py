"""The steps of signing in after the password: a one-time code for leaders and the three admins
(S-04), and a new password where an admin set the current one (one-time passwords).

The password step (office.views.LoginView) does not sign such a person in: it keeps who passed
it in the session for a few minutes, with the steps still owed, and only the last of them calls
``login()``. Every step runs under the lock-out (office.lockout, S-01): a wrong code counts like
a wrong password, against the user name from any address; a locked user name is refused at
every half-finished sign-in, whenever it was begun; the first correct code enrols the
authenticator — but only after a one-time password has been replaced by the person's own.

三员分立 (GB/T 22239-2019 8.1.4.2): the security admin can never hold both of a person's
factors. ``may_reset_authenticator`` / ``may_set_password`` keep one of them the person's own:
no authenticator reset while a password the admin set is still unchanged, and no password set
on an account that needs a second factor while its authenticator is reset and not yet
re-enrolled by the person (with the password only the person knows).
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import lockout, totp
from ..models import PasswordReset, SecondFactor
from ..roles import ADMIN_ROLES, Role
from .audit import audit_record

PENDING_KEY = "zb_second_factor"
ROLES = frozenset({Role.LEADER, *ADMIN_ROLES})

CODE = "code"
NEW_PASSWORD = "password"


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"


def required_for(user) -> bool:
    """Leaders and the three admins (and a superuser, should one exist) when the deployment
    has the second factor switched on (settings.TOTP_REQUIRED)."""
    if not settings.TOTP_REQUIRED:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=ROLES).exists()


def must_change_password(user) -> bool:
    return PasswordReset.objects.filter(user=user).exists()


def steps_for(user) -> list[str]:
    """What the person still owes after a correct password, in order.

    With an enrolled authenticator the code comes first, so a one-time password alone never
    reaches the page that replaces it; without one, the new password comes first, so nobody
    enrols an authenticator with a password an admin chose."""
    code = required_for(user)
    new_password = must_change_password(user)
    enrolled = code and SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()
    if enrolled:
        return [CODE, NEW_PASSWORD] if new_password else [CODE]
    return [s for s, owed in ((NEW_PASSWORD, new_password), (CODE, code)) if owed]


@dataclass
class Pending:
    user: object
    backend: str
    next_url: str
    failures: int
    steps: list[str]

    @property
    def step(self) -> str | None:
        return self.steps[0] if self.steps else None


def begin(request, user, next_url: str, steps: list[str]) -> None:
    """The password was right: remember who, for TOTP_PENDING_MINUTES, in a fresh session key
    (no fixation of the half-signed-in session)."""
    request.session.cycle_key()
    if CODE in steps:
        authenticator_for(user)  # here, in the POST: the code page's GET only reads it
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "at": time.time(),
        "failures": 0,
        "steps": steps,
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
    steps = data.get("steps", [CODE])
    return Pending(user, data["backend"], data["next"], data["failures"], steps)


def abandon(request) -> None:
    request.session.pop(PENDING_KEY, None)


def step_done(request, state: Pending) -> bool:
    """Mark the current step done; sign in when none is left. True when signed in."""
    state.steps = state.steps[1:]
    if state.steps:
        data = request.session[PENDING_KEY]
        data["steps"] = state.steps
        request.session[PENDING_KEY] = data
        return False
    abandon(request)
    with lockout.gate(state.user.get_username(), request) as gate:
        gate.succeed()
    login(request, state.user, backend=state.backend)
    return True


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


def check_code(request, state: Pending, code: str, *, when: float | None = None) -> Outcome:
    """Accept the code once and go on (or sign in), audit; or count a failure.

    Runs under the user name's lock-out rows and the authenticator's row: a locked user name
    is refused before the code is looked at, however early this half-sign-in began, and
    parallel wrong codes are counted one after another, so exactly LOGIN_FAILURE_LIMIT of
    them are ever checked (S-01, S-04). One code used in two tabs signs in only one.
    """
    user = state.user
    with lockout.gate(user.get_username(), request) as gate:
        if gate.locked:
            step = None
            outcome = Outcome.LOCKED
        else:
            factor = authenticator_for(user)
            factor = SecondFactor.objects.select_for_update().get(pk=factor.pk)
            if factor.confirmed_at is None and must_change_password(user):
                step = None  # enrolment waits for the person's own password
            else:
                secret = totp.unseal(factor.secret)
                step = totp.matching_step(secret, code, when=when, after=factor.last_step)
            if step is not None:
                _accept(request, user, factor, step)
                outcome = Outcome.ACCEPTED
            else:
                gate.fail(code=True)
                outcome = Outcome.LOCKED if gate.locked else Outcome.WRONG
    if outcome is not Outcome.ACCEPTED:
        _count_failure(request, state)
        if outcome is Outcome.LOCKED:
            abandon(request)
        return outcome
    step_done(request, state)
    return outcome


def _accept(request, user, factor: SecondFactor, step: int) -> None:
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


def _count_failure(request, state: Pending) -> None:
    data = request.session.get(PENDING_KEY)
    if data:
        data["failures"] = state.failures + 1
        request.session[PENDING_KEY] = data
    state.failures += 1
    # Recorded by django-axes and audited by office.signals (the count is office.lockout's).
    user_login_failed.send(
        sender=__name__,
        credentials={"username": state.user.get_username(), "second_factor": True},
        request=request,
    )


def change_password_first(request, state: Pending, password: str) -> bool:
    """The person replaces a password an admin set; audited; True when now signed in."""
    user = state.user
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.save(update_fields=["password"])
        PasswordReset.objects.filter(user=user).delete()
        audit_record(
            action="auth.password_changed",
            actor=user,
            object_type="auth.user",
            object_id=str(user.pk),
            object_repr=user.get_username(),
            comment="replaced a one-time password",
            request=request,
        )
    state.user = user
    return step_done(request, state)


# --- What the security admin may do to someone's factors (三员分立) ---------------------------


class Refused(Exception):
    pass


def may_reset_authenticator(user, *, by) -> None:
    if by is not None and by.pk == user.pk:
        raise Refused(_("Nobody may reset their own authenticator."))
    if must_change_password(user):
        raise Refused(
            _(
                "This person has not yet replaced the password an admin set. Their "
                "authenticator can be reset only after they have: an admin never holds both "
                "of someone's sign-in factors."
            )
        )


def may_set_password(user, *, by) -> None:
    if by is not None and by.pk == user.pk:
        return  # one's own password, through the ordinary change form
    if not required_for(user) or user.last_login is None:
        return
    if not SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists():
        raise Refused(
            _(
                "This person's authenticator has been reset and not yet enrolled again. Their "
                "password can be set only after they have enrolled it: an admin never holds "
                "both of someone's sign-in factors."
            )
        )


def reset(factor: SecondFactor, *, by, request=None) -> None:
    """The security admin removes a lost or compromised authenticator; the person enrols a new
    one at their next sign-in with the password only they know (after the admin has checked
    who is asking). The person is told (in the app and by e-mail)."""
    from .notify import notify

    with transaction.atomic():
        may_reset_authenticator(factor.user, by=by)
        audit_record(
            action="auth.second_factor_reset",
            actor=by,
            obj=factor,
            object_repr=factor.user.get_username(),
            changes={
                "before": {
                    "enrolled": factor.confirmed_at.isoformat() if factor.confirmed_at else None
                },
                "after": None,
            },
            request=request,
        )
        notify(
            recipients=[factor.user],
            title=_("Your authenticator was reset"),
            body=_(
                "An admin reset the authenticator of your account. You will enrol a new one at "
                "your next sign-in. If you did not ask for this, tell the audit admin at once."
            ),
        )
        factor.delete()


def password_set_by_admin(user, *, by, request=None) -> None:
    """After an admin set ``user``'s password: one-time, audited, the person told."""
    from .notify import notify

    if by is not None and by.pk == user.pk:
        return
    with transaction.atomic():
        may_set_password(user, by=by)
        PasswordReset.objects.update_or_create(user=user, defaults={"set_by": by})
        audit_record(
            action="auth.password_set",
            actor=by,
            object_type="auth.user",
            object_id=str(user.pk),
            object_repr=user.get_username(),
            changes={"one_time": True},
            request=request,
        )
        notify(
            recipients=[user],
            title=_("Your password was set by an admin"),
            body=_(
                "An admin set a new password for your account. It works for one sign-in only, "
                "at which you choose your own. If you did not ask for this, tell the audit "
                "admin at once."
            ),
        )
