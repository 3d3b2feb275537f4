"""The sign-in lock-out (等保 2.0 8.1.4.1 b; SECURITY.md S-01, S-02, S-04).

Failures are counted on two keys, each one row of ``SignInThrottle`` locked while it is read
and written, so a burst of parallel attempts is counted one by one and nothing is checked past
the limit:

* (user name, address): LOGIN_FAILURE_LIMIT failed passwords or codes lock that user name *from
  that address* for LOGIN_LOCKOUT — the ordinary lock-out, which a stranger elsewhere cannot
  use to keep the real person out;
* the user name alone: LOGIN_ACCOUNT_FAILURE_LIMIT failures from anywhere (a spread-out guessing
  attack), or LOGIN_FAILURE_LIMIT wrong one-time codes — whoever reaches the code step already
  knows the password, so no address earns them more guesses — lock it everywhere, including
  every half-finished sign-in already past the password.

A lock is never permanent (it ends after LOGIN_LOCKOUT); the security admin may lift it sooner
(``unlock``, audited). A correct password does not clear anything for a person who still owes
a code; only a completed sign-in clears the counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import SignInThrottle

log = logging.getLogger("office.security")

ACCOUNT = ""  # the address of the per-user-name row


def address_of(request) -> str:
    """The client's address, trusting X-Forwarded-For only from the configured proxies."""
    if request is None:
        return "-"
    from .client import client_address

    return client_address(request)[:45]


def _key(username: str) -> str:
    return (username or "").strip()[:150]


@dataclass
class Gate:
    username: str
    address: str
    now: dt.datetime
    account: SignInThrottle
    here: SignInThrottle
    locked: bool
    events: list[str] = field(default_factory=list)

    def fail(self, *, code: bool = False) -> None:
        """Count one failed password (or, with ``code``, one wrong one-time code)."""
        limit = settings.LOGIN_FAILURE_LIMIT
        for row in (self.account, self.here):
            if row.last_failure_at and self.now - row.last_failure_at > settings.LOGIN_LOCKOUT:
                row.failures = row.code_failures = 0  # old failures are forgotten
                row.first_failure_at = None
            row.failures += 1
            row.code_failures += int(code)
            row.first_failure_at = row.first_failure_at or self.now
            row.last_failure_at = self.now
        lock_here = self.here.failures >= limit
        lock_account = (
            self.account.failures >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT
            or self.account.code_failures >= limit
        )
        until = self.now + settings.LOGIN_LOCKOUT
        for row, lock in ((self.here, lock_here), (self.account, lock_account)):
            if lock and not (row.locked_until and row.locked_until > self.now):
                row.locked_until = until
                self.events.append("account" if row is self.account else "address")
            row.save()
        self.locked = self.locked or lock_here or lock_account

    def succeed(self) -> None:
        """A completed sign-in: this user name's counts start again."""
        SignInThrottle.objects.filter(username=self.username).delete()


@contextmanager
def gate(username: str, request, *, now: dt.datetime | None = None):
    """Lock this user name's rows for one attempt: ``with gate(name, request) as g:`` then
    ``g.locked`` (refuse without checking anything), ``g.fail()`` or ``g.succeed()``.

    The per-user-name row is always locked first, so two attempts never wait on each other
    in opposite orders."""
    username = _key(username)
    address = address_of(request)
    now = now or timezone.now()
    with transaction.atomic():
        # A sign-in completing at the same moment deletes the rows (Gate.succeed) after this
        # attempt's insert found them there: insert again until both are held under the lock.
        for _attempt in range(5):
            SignInThrottle.objects.bulk_create(
                [
                    SignInThrottle(username=username, address=ACCOUNT),
                    SignInThrottle(username=username, address=address),
                ],
                ignore_conflicts=True,
            )
            found = {
                r.address: r
                for r in SignInThrottle.objects.select_for_update().filter(
                    username=username, address__in=[ACCOUNT, address]
                )
            }
            if ACCOUNT in found and address in found:
                break
        account, here = found[ACCOUNT], found[address]
        locked = any(r.locked_until is not None and r.locked_until > now for r in (account, here))
        g = Gate(username, address, now, account, here, locked)
        yield g
    for event in g.events:  # after commit: the count stands whatever the caller does next
        _audit_lock(g, event, request)


def _audit_lock(g: Gate, scope: str, request) -> None:
    from .services.audit import audit_record

    log.warning("lock-out (%s) user=%r address=%s", scope, g.username[:60], g.address)
    audit_record(
        action="auth.locked_out",
        object_type="auth.user",
        object_repr=g.username,
        changes={"scope": scope, "until": (g.now + settings.LOGIN_LOCKOUT).isoformat()},
        request=request,
        address=g.address if g.address != "unknown" else None,
        outcome="refused",
    )


def is_locked(username: str, request=None, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    rows = SignInThrottle.objects.filter(username=_key(username), locked_until__gt=now)
    if request is not None:
        rows = rows.filter(address__in=[ACCOUNT, address_of(request)])
    return rows.exists()


def unlock(username: str, *, by, request=None) -> int:
    """The security admin lifts a lock (S-01): every count of that user name goes, audited
    with what it was. Nobody lifts a lock on their own account (三员: no admin acts on their own
    account)."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from .services.audit import audit_record

    username = _key(username)
    if by is not None and by.get_username() == username:
        raise PermissionDenied(_("Nobody may unlock their own account."))
    with transaction.atomic():
        rows = list(SignInThrottle.objects.select_for_update().filter(username=username))
        if not rows:
            return 0
        audit_record(
            action="auth.unlocked",
            actor=by,
            object_type="auth.user",
            object_repr=username,
            changes={
                "before": [
                    {
                        "address": r.address or "*",
                        "failures": r.failures,
                        "code_failures": r.code_failures,
                        "locked_until": r.locked_until.isoformat() if r.locked_until else None,
                    }
                    for r in rows
                ],
                "after": [],
            },
            request=request,
        )
        SignInThrottle.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)
