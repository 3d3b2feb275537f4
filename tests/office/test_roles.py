"""The three admins are separate (三员分立, GB/T 22239-2019 8.1.4.2; SECURITY.md S-14)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError

from office.roles import ADMIN_ROLES, ROLE_PERMISSIONS, Role, check_role_combination, sync_roles
from tests.helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "roles",
    [
        {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN},
        {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN},
        {Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN},
        {Role.AUDIT_ADMIN, Role.LEADER},
    ],
)
def test_forbidden_role_combinations_are_refused(roles):
    with pytest.raises(ValidationError):
        check_role_combination(roles)


def test_business_roles_combine_freely():
    check_role_combination({Role.STAFF, Role.SECTION_HEAD, Role.SUPERVISOR})


def test_admin_role_permissions_do_not_overlap():
    perms = {role: set(ROLE_PERMISSIONS[role]) for role in ADMIN_ROLES}
    changes = {
        role: {p for p in granted if not p.split(".")[1].startswith("view_")}
        for role, granted in perms.items()
    }
    roles = sorted(ADMIN_ROLES)
    for i, a in enumerate(roles):
        for b in roles[i + 1 :]:
            assert not (changes[a] & changes[b]), (a, b)
    assert all(p.split(".")[1].startswith("view_") for p in perms[Role.AUDIT_ADMIN])


def test_sync_roles_is_idempotent(db):
    sync_roles()
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    sync_roles()
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after


def _change_roles(client, target, groups):
    url = f"/manage/auth/user/{target.pk}/change/"
    data = form_data(client.get(url), "user_form")
    data["groups"] = [str(g.pk) for g in groups]
    return client.post(url, data)


def test_security_admin_cannot_give_someone_two_admin_roles(client_for, security_admin):
    target = User.objects.get(username="sysadmin")
    groups = Group.objects.filter(name__in=[Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN])
    response = _change_roles(client_for(security_admin), target, groups)
    assert response.status_code == 200
    assert "三员" in response.content.decode()
    assert list(target.groups.values_list("name", flat=True)) == [Role.SYSTEM_ADMIN]


def test_security_admin_cannot_make_anyone_superuser(client_for, security_admin):
    target = User.objects.get(username="clerk")
    response = client_for(security_admin).get(f"/manage/auth/user/{target.pk}/change/")
    assert response.status_code == 200
    assert 'name="is_superuser"' not in response.content.decode()
    assert 'name="user_permissions"' not in response.content.decode()


def test_nobody_may_edit_the_admin_roles_permissions(client_for, security_admin):
    group = Group.objects.get(name=Role.SECURITY_ADMIN)
    response = client_for(security_admin).post(
        f"/manage/auth/group/{group.pk}/change/", {"name": group.name, "permissions": []}
    )
    assert response.status_code == 403
    assert group.permissions.exists()


def test_role_assignment_sets_admin_site_access(client_for, security_admin):
    # The three admin roles are given at set-up, by the superuser of the set-up only.
    setup = User.objects.create_superuser("setup", password="Set-Up-Only-2026x")
    target = User.objects.get(username="clerk")
    assert not target.is_staff
    response = _change_roles(
        client_for(setup), target, Group.objects.filter(name=Role.SYSTEM_ADMIN)
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_staff
    response = _change_roles(client_for(setup), target, Group.objects.filter(name=Role.STAFF))
    target.refresh_from_db()
    assert not target.is_staff


def test_security_admin_cannot_change_their_own_roles(client_for, security_admin):
    response = client_for(security_admin).get(f"/manage/auth/user/{security_admin.pk}/change/")
    assert 'name="groups"' not in response.content.decode()
