"""The second factor under the lock-out (issue 15, finding 1; SECURITY.md S-01, S-04).

With the password known, an attacker opened many half-signed-in sessions and guessed codes in
all of them; after the lock the right code still signed in on an older session. Now every code
counts against the user name from anywhere, the lock reaches every half-finished sign-in, and a
correct password clears nothing.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client

from office import lockout, totp
from office.models import AuditEntry, SecondFactor, SignInThrottle
from tests.conftest import requires_postgres

pytestmark = pytest.mark.django_db

KEY = b"issue-15-authenticator-key!"
WRONG = "用户名或密码错误"


@pytest.fixture
def required(settings):
    settings.TOTP_REQUIRED = True
    return settings


def _enrolled(username: str) -> User:
    user = User.objects.get(username=username)
    SecondFactor.objects.update_or_create(
        user=user,
        defaults={"secret": totp.seal(KEY), "confirmed_at": "2026-11-01T09:00+08:00"},
    )
    return user


def _password(client: Client, username: str):
    return client.post(
        "/accounts/login/", {"username": username, "password": settings.DEMO_PASSWORD}
    )


def _right_code() -> str:
    return totp.hotp(KEY, totp.step_at())


def _wrong_code() -> str:
    for n in range(1_000_000):
        code = f"{n:06d}"
        if totp.matching_step(KEY, code) is None:
            return code
    raise AssertionError


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@requires_postgres
@pytest.mark.security("S-01", "S-04")
@pytest.mark.django_db(transaction=True)
def test_eight_parallel_half_sign_ins_with_four_wrong_codes_each_lock_after_five(
    required, demo_office
):
    _enrolled("mayor")
    sessions = [Client(REMOTE_ADDR=f"10.2.0.{i}") for i in range(8)]
    for c in sessions:
        assert _password(c, "mayor").url == "/accounts/verify/"
    older = Client(REMOTE_ADDR="10.2.1.1")  # half-signed-in before the lock, never guessed
    assert _password(older, "mayor").url == "/accounts/verify/"
    wrong = _wrong_code()
    barrier = Barrier(len(sessions))

    def guess(c: Client) -> list[int]:
        barrier.wait()
        try:
            return [c.post("/accounts/verify/", {"code": wrong}).status_code for _ in range(4)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(sessions)) as pool:
        list(pool.map(guess, sessions))

    account = SignInThrottle.objects.get(username="mayor", address="")
    assert account.code_failures == settings.LOGIN_FAILURE_LIMIT  # exactly five were checked
    assert account.locked_until is not None
    assert AuditEntry.objects.filter(action="auth.locked_out", object_repr="mayor").count() == 1
    # The right code is refused everywhere: the older half-sign-in, and a fresh password step.
    response = older.post("/accounts/verify/", {"code": _right_code()})
    assert response.status_code == 200 and WRONG in response.content.decode()
    assert not _signed_in(older)
    for c in sessions:
        c.post("/accounts/verify/", {"code": _right_code()})
        assert not _signed_in(c)
    fresh = Client(REMOTE_ADDR="10.3.0.1")
    response = _password(fresh, "mayor")
    assert response.status_code == 200 and not _signed_in(fresh)
    # Until the security admin unlocks (audited); then the password and the code sign in.
    lockout.unlock("mayor", by=User.objects.get(username="secadmin"))
    assert AuditEntry.objects.filter(action="auth.unlocked", object_repr="mayor").exists()
    after = Client(REMOTE_ADDR="10.3.0.2")
    assert _password(after, "mayor").url == "/accounts/verify/"
    totp_step = totp.step_at() + 1  # the step after the last one accepted: never reused
    after.post("/accounts/verify/", {"code": totp.hotp(KEY, totp_step)})
    SecondFactor.objects.filter(user__username="mayor").update(last_step=-1)
    response = after.post("/accounts/verify/", {"code": _right_code()})
    assert response.status_code == 302 and _signed_in(after)


@pytest.mark.security("S-01", "S-04")
def test_a_correct_password_does_not_reset_the_code_count(required, demo_office):
    _enrolled("auditadmin")
    wrong = _wrong_code()
    first = Client()
    _password(first, "auditadmin")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert first.post("/accounts/verify/", {"code": wrong}).status_code == 200
    second = Client(REMOTE_ADDR="10.4.0.1")
    assert _password(second, "auditadmin").url == "/accounts/verify/"  # the password again
    response = second.post("/accounts/verify/", {"code": wrong})  # the fifth wrong code
    assert response.status_code == 200 and WRONG in response.content.decode()
    assert lockout.is_locked("auditadmin")
    first.get("/accounts/login/")  # the first session's pending step is still there
    assert not _signed_in(first)


@pytest.mark.security("S-04")
def test_a_completed_sign_in_clears_the_counts(required, demo_office, client):
    _enrolled("mayor")
    _password(client, "mayor")
    client.post("/accounts/verify/", {"code": _wrong_code()})
    assert SignInThrottle.objects.filter(username="mayor", code_failures=1).exists()
    assert client.post("/accounts/verify/", {"code": _right_code()}).status_code == 302
    assert not SignInThrottle.objects.filter(username="mayor").exists()
