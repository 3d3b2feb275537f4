"""三员分立 enforced, not conventional (GB/T 22239-2019 8.1.4.2; SECURITY.md S-14; issue 15,
finding 2): the three admins walked through the admin's real URLs against a table of what each
may and may not do, including the security admin's old take-over of the audit admin.

The take-over is impossible because the security admin never holds both of a person's factors:
a password an admin sets is one-time (replaced at the next sign-in, after the code of the
authenticator the person still holds), an authenticator cannot be reset while such a password
is unreplaced, and a password cannot be set while the authenticator is reset and not yet
re-enrolled by the person. Each reset is audited and the person is told.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from office import totp
from office.models import AuditEntry, Notification, PasswordReset, SecondFactor, SignInThrottle
from office.roles import ROLE_PERMISSIONS, Role
from tests.helpers import form_data
from tests.petitions.access import url_for as petition_url

pytestmark = [pytest.mark.django_db, pytest.mark.security("S-14")]

KEY = b"audit-admins-own-phone!!"
NEW = "Secadmin-Chose-This-9x"


# (persona, method, url, expected status) — url may name a fixture object with {…}.
TABLE = [
    # The system admin: organisation and configuration, nothing about people or the audit.
    ("system_admin", "get", "/manage/office/section/", 200),
    ("system_admin", "get", "/manage/office/timelimitrule/", 200),
    ("system_admin", "get", "/manage/auth/user/", 403),
    ("system_admin", "get", "/manage/auth/group/", 403),
    ("system_admin", "get", "/manage/office/secondfactor/", 403),
    ("system_admin", "get", "/manage/office/signinthrottle/", 403),
    ("system_admin", "get", "/manage/office/auditentry/", 403),
    # The security admin: accounts, roles (read-only), authenticators and lock-outs …
    ("security_admin", "get", "/manage/auth/user/", 200),
    ("security_admin", "get", "/manage/auth/user/add/", 200),
    ("security_admin", "get", "/manage/auth/group/", 200),
    ("security_admin", "get", "/manage/auth/group/{staff_role}/change/", 200),
    ("security_admin", "get", "/manage/office/secondfactor/", 200),
    ("security_admin", "get", "/manage/office/signinthrottle/", 200),
    # … but no role permission edited, no new role, no audit, no configuration, no business data.
    ("security_admin", "post", "/manage/auth/group/{staff_role}/change/", 403),
    ("security_admin", "get", "/manage/auth/group/add/", 403),
    ("security_admin", "get", "/manage/office/auditentry/", 403),
    ("security_admin", "get", "/manage/office/section/add/", 403),
    ("security_admin", "get", "/manage/office/timelimitrule/", 403),
    ("security_admin", "get", "/documents/incoming/", 403),
    ("security_admin", "get", "{petition}", 404),  # a petitioner's case: not even its existence
    # nor their own authenticator or lock-out
    ("security_admin", "get", "/manage/office/secondfactor/{own_factor}/delete/", 403),
    ("security_admin", "get", "/manage/office/signinthrottle/{own_lock}/delete/", 403),
    # The audit admin: the audit and the sign-in records, nothing else.
    ("audit_admin", "get", "/manage/office/auditentry/", 200),
    ("audit_admin", "get", "/manage/office/auditentry/{entry}/change/", 200),
    ("audit_admin", "get", "/manage/auth/user/", 403),
    ("audit_admin", "get", "/manage/office/secondfactor/", 403),
    ("audit_admin", "get", "/manage/office/section/", 403),
    ("audit_admin", "get", "/documents/incoming/", 403),
    ("audit_admin", "get", "{petition}", 404),
    ("audit_admin", "post", "/manage/office/auditentry/{entry}/delete/", 403),
]


def _objects(persona_user):
    from office.services.audit import audit_record

    factor, _ = SecondFactor.objects.get_or_create(
        user=persona_user, defaults={"secret": totp.seal(KEY)}
    )
    lock, _ = SignInThrottle.objects.get_or_create(
        username=persona_user.get_username(), address="10.0.0.7"
    )
    return {
        "staff_role": Group.objects.get(name=Role.STAFF).pk,
        "own_factor": factor.pk,
        "own_lock": lock.pk,
        "entry": audit_record(action="test.walk", object_repr="walk").pk,
        "petition": petition_url("petitions:detail"),
    }


@pytest.mark.parametrize(
    ("persona", "method", "url", "expected"),
    TABLE,
    ids=[f"{p}-{m}-{u}" for p, m, u, _ in TABLE],
)
def test_each_admin_may_do_only_their_part(persona, method, url, expected, request, client_for):
    user = request.getfixturevalue(persona)
    url = url.format(**_objects(user))
    client = client_for(user)
    response = getattr(client, method)(url, {} if method == "post" else None)
    if response.status_code == 302 and expected == 403:
        raise AssertionError(f"{url} redirected to {response.url}")
    assert response.status_code in (
        (expected, 404) if expected == 403 and not url.startswith("/manage/") else (expected,)
    ), (url, response.status_code)


def test_the_roles_permissions_are_the_reviewed_table_shown_read_only(client_for, security_admin):
    staff = Group.objects.get(name=Role.STAFF)
    reveal = Permission.objects.get(codename="reveal_petitioner")
    page = client_for(security_admin).get(f"/manage/auth/group/{staff.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200 and "documents.draft_outgoing" in body
    assert 'name="permissions"' not in body  # nothing to edit
    # The finding: "reveal personal data" added to 工作人员 through the admin. Refused.
    response = client_for(security_admin).post(
        f"/manage/auth/group/{staff.pk}/change/",
        {"name": staff.name, "permissions": [str(reveal.pk)]},
    )
    assert response.status_code == 403
    assert not staff.permissions.filter(pk=reveal.pk).exists()
    granted = {
        f"{app}.{code}"
        for app, code in staff.permissions.values_list("content_type__app_label", "codename")
    }
    assert granted <= set(ROLE_PERMISSIONS[Role.STAFF])


def _change_user(client, target, **changes):
    url = f"/manage/auth/user/{target.pk}/change/"
    data = form_data(client.get(url), "user_form")
    data.update(changes)
    return client.post(url, data)


def test_no_admin_gives_or_takes_an_admin_role(client_for, security_admin):
    clerk = User.objects.get(username="clerk")
    audit_role = Group.objects.get(name=Role.AUDIT_ADMIN)
    response = _change_user(client_for(security_admin), clerk, groups=[str(audit_role.pk)])
    assert response.status_code == 200 and "系统初始设置" in response.content.decode()
    assert not clerk.groups.filter(name=Role.AUDIT_ADMIN).exists()
    auditadmin = User.objects.get(username="auditadmin")
    _change_user(client_for(security_admin), auditadmin, groups=[])
    assert auditadmin.groups.filter(name=Role.AUDIT_ADMIN).exists()


def test_a_role_change_is_audited_with_before_and_after(client_for, security_admin):
    clerk = User.objects.get(username="clerk")
    before = sorted(clerk.groups.values_list("name", flat=True))
    supervisor = Group.objects.get(name=Role.SUPERVISOR)
    groups = [str(g.pk) for g in clerk.groups.all()] + [str(supervisor.pk)]
    response = _change_user(client_for(security_admin), clerk, groups=groups, email="c@x.cn")
    assert response.status_code == 302
    roles = AuditEntry.objects.filter(action="account.roles_changed", object_repr="clerk")
    entry = roles.latest("pk")
    assert "secadmin" in entry.actor_name
    assert entry.changes["before"] == before
    assert entry.changes["after"] == sorted([*before, Role.SUPERVISOR])
    changed = AuditEntry.objects.filter(action="account.changed", object_repr="clerk").latest("pk")
    assert changed.changes["after"]["email"] == "c@x.cn"


def _set_password(client, target, password=NEW):
    return client.post(
        f"/manage/auth/user/{target.pk}/password/",
        {"password1": password, "password2": password, "usable_password": "true"},
    )


def _sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def enrolled_audit_admin(settings, demo_office):
    settings.TOTP_REQUIRED = True
    auditadmin = User.objects.get(username="auditadmin")
    SecondFactor.objects.update_or_create(
        user=auditadmin,
        defaults={"secret": totp.seal(KEY), "confirmed_at": "2026-11-01T09:00+08:00"},
    )
    User.objects.filter(pk=auditadmin.pk).update(last_login="2026-11-30T09:00+08:00")
    return User.objects.get(pk=auditadmin.pk)


def test_takeover_reset_the_authenticator_then_set_the_password_is_refused(
    enrolled_audit_admin, client_for, security_admin
):
    sec = client_for(security_admin)
    factor = SecondFactor.objects.get(user=enrolled_audit_admin)
    response = sec.post(f"/manage/office/secondfactor/{factor.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not SecondFactor.objects.filter(pk=factor.pk).exists()
    assert Notification.objects.filter(recipient=enrolled_audit_admin).exists()  # they are told
    response = _set_password(sec, enrolled_audit_admin)
    assert response.status_code == 302
    assert "重新登记" in sec.get(response.url).content.decode()  # the refusal, in Chinese
    enrolled_audit_admin.refresh_from_db()
    assert not enrolled_audit_admin.check_password(NEW)
    # So the security admin cannot sign in as the audit admin, let alone read the audit.
    thief = Client()
    _sign_in(thief, "auditadmin", NEW)
    assert "_auth_user_id" not in thief.session
    assert thief.get("/manage/office/auditentry/").status_code == 302


def test_takeover_set_the_password_then_reset_the_authenticator_is_refused(
    enrolled_audit_admin, client_for, security_admin
):
    sec = client_for(security_admin)
    assert _set_password(sec, enrolled_audit_admin).status_code == 302
    assert PasswordReset.objects.filter(user=enrolled_audit_admin).exists()  # one-time
    assert AuditEntry.objects.filter(action="auth.password_set", object_repr="auditadmin").exists()
    factor = SecondFactor.objects.get(user=enrolled_audit_admin)
    response = sec.post(f"/manage/office/secondfactor/{factor.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert SecondFactor.objects.filter(pk=factor.pk).exists()  # refused
    # The password alone reaches the code step, which the security admin cannot pass.
    thief = Client()
    assert _sign_in(thief, "auditadmin", NEW).url == "/accounts/verify/"
    assert thief.get("/accounts/new-password/").url == "/accounts/verify/"  # code first
    thief.post("/accounts/verify/", {"code": "123456"})
    assert "_auth_user_id" not in thief.session
    # The audit admin, with their phone, signs in once with it and must choose their own.
    SignInThrottle.objects.all().delete()
    own = Client()
    assert _sign_in(own, "auditadmin", NEW).url == "/accounts/verify/"
    response = own.post("/accounts/verify/", {"code": totp.hotp(KEY, totp.step_at())})
    assert response.url == "/accounts/new-password/" and "_auth_user_id" not in own.session
    mine = "Audit-Admins-Own-Pass-7x"
    response = own.post("/accounts/new-password/", {"new_password1": mine, "new_password2": mine})
    assert response.status_code == 302 and "_auth_user_id" in own.session
    assert not PasswordReset.objects.filter(user=enrolled_audit_admin).exists()
    assert own.get("/manage/office/auditentry/").status_code == 200


def test_a_new_account_changes_its_initial_password_before_enrolling(
    settings, client_for, security_admin
):
    settings.TOTP_REQUIRED = True
    sec = client_for(security_admin)
    initial = "Initial-Pass-For-Leader-3x"
    response = sec.post(
        "/manage/auth/user/add/",
        {
            "username": "newleader",
            "password1": initial,
            "password2": initial,
            "usable_password": "true",
            "staff-TOTAL_FORMS": "0",
            "staff-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    leader = User.objects.get(username="newleader")
    leader.groups.add(Group.objects.get(name=Role.LEADER))
    assert PasswordReset.objects.filter(user=leader).exists()
    client = Client()
    assert _sign_in(client, "newleader", initial).url == "/accounts/new-password/"
    assert client.get("/accounts/verify/").url == "/accounts/new-password/"  # no enrolment yet
    mine = "Leaders-Own-Passphrase-5x"
    response = client.post(
        "/accounts/new-password/", {"new_password1": mine, "new_password2": mine}
    )
    assert response.url == "/accounts/verify/" and "_auth_user_id" not in client.session
    assert User.objects.get(pk=leader.pk).check_password(mine)
    assert "设置身份验证器" in client.get("/accounts/verify/").content.decode()


def test_the_one_time_password_cannot_be_used_twice(settings, client_for, security_admin):
    clerk = User.objects.get(username="clerk")
    _set_password(client_for(security_admin), clerk, NEW)
    first = Client()
    assert _sign_in(first, "clerk", NEW).url == "/accounts/new-password/"
    assert "_auth_user_id" not in first.session
    assert first.get("/").status_code == 302  # nothing else until it is replaced
    mine = "My-Own-Passphrase-4x!"
    first.post("/accounts/new-password/", {"new_password1": mine, "new_password2": mine})
    assert "_auth_user_id" in first.session
    again = Client()
    _sign_in(again, "clerk", NEW)
    assert "_auth_user_id" not in again.session
