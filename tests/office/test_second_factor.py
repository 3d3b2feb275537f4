"""The second factor for leaders and the three admins (SECURITY.md S-04; RFC 6238)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection

from office import totp
from office.models import AuditEntry, SecondFactor
from office.services import signin

pytestmark = pytest.mark.django_db

# RFC 6238 Appendix B: the SHA-1 test key and the published 8-digit codes.
RFC_KEY = b"12345678901234567890"
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("when", "code"), RFC_VECTORS)
def test_codes_match_the_rfc_6238_test_vectors(when, code):
    assert totp.hotp(RFC_KEY, when // 30, digits=8) == code


def test_rfc_4226_hotp_vectors():
    # RFC 4226 Appendix D, counters 0…9.
    expected = [
        "755224",
        "287082",
        "359152",
        "969429",
        "338314",
        "254676",
        "287922",
        "162583",
        "399871",
        "520489",
    ]
    assert [totp.hotp(RFC_KEY, c) for c in range(10)] == expected


def test_a_code_is_accepted_one_step_either_side_and_not_further():
    now = 1_800_000_000.0
    step = totp.step_at(now)
    for offset, accepted in [(-2, False), (-1, True), (0, True), (1, True), (2, False)]:
        code = totp.hotp(RFC_KEY, step + offset)
        assert (totp.matching_step(RFC_KEY, code, when=now) is not None) is accepted, offset
    # Never a step already used, and only six digits.
    assert totp.matching_step(RFC_KEY, totp.hotp(RFC_KEY, step), when=now, after=step) is None
    assert totp.matching_step(RFC_KEY, "12a456", when=now) is None
    assert totp.matching_step(RFC_KEY, "١٢٣٤٥٦", when=now) is None  # non-ASCII digits


def test_the_secret_is_stored_encrypted_and_the_uri_is_what_apps_read():
    secret = totp.new_secret()
    stored = totp.seal(secret)
    assert totp.base32(secret) not in stored and totp.unseal(stored) == secret
    assert totp.unseal("not-a-sealed-secret") is None
    uri = totp.provisioning_uri(secret, account="mayor", issuer="政办")
    assert uri.startswith("otpauth://totp/mayor?secret=")
    assert uri.endswith("&issuer=%E6%94%BF%E5%8A%9E") and len(uri) < 134  # fits our QR code


@pytest.fixture
def required(settings):
    settings.TOTP_REQUIRED = True
    return settings


def _password(client, username):
    return client.post(
        "/accounts/login/", {"username": username, "password": settings.DEMO_PASSWORD}
    )


def _current_code(user) -> str:
    factor = SecondFactor.objects.get(user=user)
    return totp.hotp(totp.unseal(factor.secret), totp.step_at())


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_leader_enrols_at_the_first_sign_in_and_is_signed_in_only_by_the_code(
    required, demo_office, client
):
    response = _password(client, "mayor")
    assert response.status_code == 302 and response.url == "/accounts/verify/"
    assert not _signed_in(client)
    assert client.get("/").status_code == 302  # the inbox still asks for a sign-in

    mayor = User.objects.get(username="mayor")
    factor = SecondFactor.objects.get(user=mayor)  # created by the password step (a POST)
    page = client.get("/accounts/verify/").content.decode()
    assert "设置身份验证器" in page and "<svg" in page and 'autocomplete="one-time-code"' in page
    assert client.get("/accounts/verify/").status_code == 200
    assert SecondFactor.objects.get(user=mayor).secret == factor.secret  # a GET changes nothing
    assert factor.confirmed_at is None
    assert totp.grouped(totp.unseal(factor.secret)) in page  # the key, for typing in by hand

    response = client.post("/accounts/verify/", {"code": _current_code(mayor)})
    assert response.status_code == 302 and response.url == "/"
    assert _signed_in(client)
    factor.refresh_from_db()
    assert factor.confirmed_at is not None
    assert AuditEntry.objects.filter(action="auth.second_factor_enrolled").count() == 1
    assert AuditEntry.objects.filter(action="auth.sign_in", object_repr="mayor").exists()


def test_an_enrolled_leader_is_asked_for_the_code_only(required, demo_office, client):
    mayor = User.objects.get(username="mayor")
    SecondFactor.objects.create(
        user=mayor, secret=totp.seal(RFC_KEY), confirmed_at="2026-11-01T09:00+08:00"
    )
    _password(client, "mayor")
    page = client.get("/accounts/verify/").content.decode()
    assert "输入动态口令" in page and "<svg" not in page and "MFRG" not in page
    response = client.post(
        "/accounts/verify/?next=/x", {"code": totp.hotp(RFC_KEY, totp.step_at())}
    )
    assert response.status_code == 302 and _signed_in(client)


def test_the_code_step_keeps_the_safe_next_address(required, demo_office, client):
    client.post(
        "/accounts/login/?next=/meetings/",
        {"username": "mayor", "password": settings.DEMO_PASSWORD, "next": "/meetings/"},
    )
    mayor = User.objects.get(username="mayor")
    client.get("/accounts/verify/")
    response = client.post("/accounts/verify/", {"code": _current_code(mayor)})
    assert response.url == "/meetings/"


def test_a_wrong_code_is_refused_counted_and_audited(required, demo_office, client):
    _password(client, "secadmin")
    client.get("/accounts/verify/")
    response = client.post("/accounts/verify/", {"code": "000000"})
    body = response.content.decode()
    assert response.status_code == 200 and "动态口令错误或已使用" in body
    assert not _signed_in(client)
    assert AuditEntry.objects.filter(
        action="auth.second_factor_failed", object_repr="secadmin", outcome="failure"
    ).exists()
    from office.models import SignInThrottle

    assert SignInThrottle.objects.get(username="secadmin", address="").code_failures == 1


def test_five_wrong_codes_end_the_attempt_and_lock_the_account(required, demo_office, client):
    _password(client, "sysadmin")
    client.get("/accounts/verify/")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert client.post("/accounts/verify/", {"code": "000000"}).status_code == 200
    # The fifth wrong code locks the account: the answer is the sign-in page with
    # the same message as for a wrong password (S-02); the half-finished sign-in is gone.
    response = client.post("/accounts/verify/", {"code": "000000"})
    assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()
    assert signin.PENDING_KEY not in client.session
    # The password alone now meets the lock-out answer, as after five wrong passwords (S-01).
    response = _password(client, "sysadmin")
    assert response.status_code == 200 and not _signed_in(client)
    assert "用户名或密码错误" in response.content.decode()


def test_a_code_is_never_accepted_twice(required, demo_office, client):
    mayor = User.objects.get(username="mayor")
    _password(client, "mayor")
    client.get("/accounts/verify/")
    code = _current_code(mayor)
    assert client.post("/accounts/verify/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    other = type(client)()
    _password(other, "mayor")
    response = other.post("/accounts/verify/", {"code": code})
    assert response.status_code == 200 and not _signed_in(other)


def test_staff_without_a_leader_or_admin_role_sign_in_with_the_password(
    required, demo_office, client
):
    response = _password(client, "clerk")
    assert response.status_code == 302 and response.url == "/" and _signed_in(client)
    assert not SecondFactor.objects.filter(user__username="clerk").exists()


def test_switched_off_leaders_sign_in_with_the_password(settings, demo_office, client):
    settings.TOTP_REQUIRED = False
    response = _password(client, "mayor")
    assert response.url == "/" and _signed_in(client)


def test_the_half_finished_sign_in_expires(required, demo_office, client):
    _password(client, "mayor")
    session = client.session
    session[signin.PENDING_KEY]["at"] = time.time() - settings.TOTP_PENDING_MINUTES * 60 - 1
    session.save()
    response = client.get("/accounts/verify/")
    assert response.status_code == 302 and response.url == "/accounts/login/"


def test_the_password_step_rotates_the_session_key(required, demo_office, client):
    client.get("/accounts/login/")
    before = client.session.session_key
    _password(client, "mayor")
    assert client.session.session_key != before


def test_the_admin_sign_in_goes_through_the_one_sign_in_page(required, demo_office, client):
    response = client.get("/manage/login/?next=/manage/office/section/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/manage/office/section/"
    # A POST of a password to the admin's old sign-in form signs nobody in.
    client.post("/manage/login/", {"username": "sysadmin", "password": settings.DEMO_PASSWORD})
    assert not _signed_in(client)


def test_the_security_admin_resets_an_authenticator_audited(demo_office, client_for):
    mayor = User.objects.get(username="mayor")
    factor = SecondFactor.objects.create(user=mayor, secret=totp.seal(RFC_KEY))
    admin = client_for(User.objects.get(username="secadmin"))
    page = admin.get("/manage/office/secondfactor/").content.decode()
    assert "mayor" in page and totp.base32(RFC_KEY) not in page and factor.secret not in page
    response = admin.post(f"/manage/office/secondfactor/{factor.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not SecondFactor.objects.filter(pk=factor.pk).exists()
    assert AuditEntry.objects.filter(
        action="auth.second_factor_reset", object_repr="mayor", actor_name__contains="secadmin"
    ).exists()
    # Nobody else may reset one.
    SecondFactor.objects.create(user=mayor, secret=totp.seal(RFC_KEY))
    sysadmin = client_for(User.objects.get(username="sysadmin"))
    assert sysadmin.get("/manage/office/secondfactor/").status_code == 403


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_one_code_in_two_tabs_at_once_signs_in_once(required, demo_office):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections
    from django.test import Client

    mayor = User.objects.get(username="mayor")
    SecondFactor.objects.create(
        user=mayor, secret=totp.seal(RFC_KEY), confirmed_at="2026-11-01T09:00+08:00"
    )
    clients = [Client() for _ in range(4)]
    for c in clients:
        _password(c, "mayor")
    code = totp.hotp(RFC_KEY, totp.step_at())
    barrier = Barrier(len(clients))

    def attempt(c):
        barrier.wait()
        try:
            return c.post("/accounts/verify/", {"code": code}).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(clients)) as pool:
        codes = list(pool.map(attempt, clients))
    assert sorted(codes) == [200, 200, 200, 302]


def test_an_authenticator_reset_between_the_two_steps_starts_the_sign_in_again(
    required, demo_office, client
):
    _password(client, "mayor")
    SecondFactor.objects.filter(user__username="mayor").delete()
    response = client.get("/accounts/verify/")
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert signin.PENDING_KEY not in client.session
