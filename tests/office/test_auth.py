"""Sign-in, lock-out and session limits (等保 8.1.4.1; SECURITY.md S-01…S-06)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

pytestmark = pytest.mark.django_db

WRONG = "用户名或密码错误"


def _sign_in(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_the_sign_in_page_is_in_chinese(client):
    body = client.get("/accounts/login/").content.decode()
    assert "登录" in body and "用户名" in body and "密码" in body
    assert 'lang="zh-Hans"' in body


def test_a_correct_sign_in_lands_on_the_inbox(demo_office, client):
    response = _sign_in(client, "clerk", settings.DEMO_PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert "待办" in client.get("/").content.decode()


def test_sign_in_rotates_the_session_key(demo_office, client):
    client.get("/accounts/login/")
    before = client.session.session_key
    _sign_in(client, "clerk", settings.DEMO_PASSWORD)
    assert client.session.session_key != before


@pytest.mark.security("S-01", "S-02")
def test_five_failures_lock_the_user_name_from_that_address_for_fifteen_minutes(
    demo_office, client
):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        response = _sign_in(client, "clerk", "Wrong-Password-1")
        assert WRONG in response.content.decode()
    # Now even the right password is refused from here, with the very same message, once (S-02).
    response = _sign_in(client, "clerk", settings.DEMO_PASSWORD)
    assert response.status_code == 200
    assert response.content.decode().count(WRONG) == 1
    assert "_auth_user_id" not in client.session
    # A stranger's five wrong passwords do not keep the real person out elsewhere (no DoS).
    other = Client(REMOTE_ADDR="10.0.0.99")
    assert "_auth_user_id" in _sign_in(other, "clerk", settings.DEMO_PASSWORD).wsgi_request.session


@pytest.mark.security("S-01")
def test_failures_from_many_addresses_lock_the_user_name_everywhere(demo_office):
    for i in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        # at most four from each address: no address lock ever applies
        _sign_in(Client(REMOTE_ADDR=f"10.1.{i // 4}.{i}"), "clerk", "Wrong-Password-1")
    fresh = Client(REMOTE_ADDR="10.9.9.9")
    response = _sign_in(fresh, "clerk", settings.DEMO_PASSWORD)
    assert response.status_code == 200 and response.content.decode().count(WRONG) == 1
    assert "_auth_user_id" not in fresh.session


@pytest.mark.security("S-01")
def test_the_lock_out_expires(demo_office, client):
    from office.models import SignInThrottle

    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _sign_in(client, "clerk", "Wrong-Password-1")
    assert SignInThrottle.objects.filter(locked_until__isnull=False).exists()
    for row in SignInThrottle.objects.all():
        row.locked_until = row.locked_until and row.locked_until - settings.LOGIN_LOCKOUT
        row.last_failure_at -= settings.LOGIN_LOCKOUT
        row.save()
    assert _sign_in(client, "clerk", settings.DEMO_PASSWORD).status_code == 302


@pytest.mark.security("S-02")
def test_unknown_user_and_wrong_password_look_the_same(demo_office, client):
    unknown = _sign_in(client, "nobody-here", "Whatever-Pass-1").content.decode()
    wrong = _sign_in(Client(), "clerk", "Whatever-Pass-1").content.decode()
    assert WRONG in unknown and WRONG in wrong
    assert unknown.count(WRONG) == wrong.count(WRONG) == 1


@pytest.mark.security("S-01")
def test_the_security_admin_can_unlock_audited(demo_office, client, security_admin):
    from office.models import AuditEntry, SignInThrottle

    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _sign_in(client, "clerk", "Wrong-Password-1")
    locked = SignInThrottle.objects.get(username="clerk", locked_until__isnull=False)
    admin = Client()
    admin.force_login(security_admin)
    assert "clerk" in admin.get("/manage/office/signinthrottle/").content.decode()
    response = admin.post(f"/manage/office/signinthrottle/{locked.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not SignInThrottle.objects.filter(username="clerk").exists()
    entry = AuditEntry.objects.get(action="auth.unlocked", object_repr="clerk")
    assert "secadmin" in entry.actor_name and entry.changes["before"]
    assert _sign_in(client, "clerk", settings.DEMO_PASSWORD).status_code == 302


def _age_session(client: Client, **seconds_ago: float) -> None:
    session = client.session
    now = time.time()
    if "idle" in seconds_ago:
        session["_zb_last_seen"] = now - seconds_ago["idle"]
    if "since" in seconds_ago:
        session["_zb_signed_in_at"] = now - seconds_ago["since"]
    session.save()


def test_thirty_idle_minutes_end_the_session(demo_office, clerk):
    client = Client()
    client.force_login(clerk)
    assert client.get("/").status_code == 200
    _age_session(client, idle=29 * 60)
    assert client.get("/").status_code == 200
    _age_session(client, idle=31 * 60)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert client.get("/").status_code == 302


def test_eight_hours_end_the_session_however_active(demo_office, clerk):
    client = Client()
    client.force_login(clerk)
    client.get("/")
    _age_session(client, since=8 * 3600 + 60)
    assert client.get("/").status_code == 302


def test_sign_out_deletes_the_session(demo_office, clerk):
    from django.contrib.sessions.models import Session

    client = Client()
    client.force_login(clerk)
    key = client.session.session_key
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()


def test_sign_out_by_get_is_refused(demo_office, clerk):
    client = Client()
    client.force_login(clerk)
    assert client.get("/accounts/logout/").status_code == 405


@pytest.mark.parametrize(
    "password",
    [
        "short-Pass1",  # 11 characters
        "alllowercaseletters",  # one class
        "lowercase-and-dash",  # two classes
        "clerk-Clerk-2026x",  # contains the user name
        "Password1234",  # common, whatever the case
    ],
)
def test_weak_passwords_are_refused(demo_office, password):
    with pytest.raises(ValidationError):
        validate_password(password, User.objects.get(username="clerk"))


@pytest.mark.parametrize(
    "password", ["Zhengban-Demo-2026", "correct horse battery staple 乌兰浩特 " * 1 + "Ab1" * 9]
)
def test_strong_passwords_and_long_passphrases_are_accepted(demo_office, password):
    validate_password(password, User.objects.get(username="clerk"))
