"""Promises of SECURITY.md that no other test named yet (issue 15): CSRF on every POST (S-08),
a bulk action with one forbidden item changes nothing (S-12), and a revoked role or a
deactivated person takes effect on the next request (S-16)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client

from office.models import Section
from office.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.security("S-08")
def test_a_post_without_the_csrf_token_is_refused(demo_office):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "clerk", "password": settings.DEMO_PASSWORD}
    )
    assert response.status_code == 403 and "_auth_user_id" not in client.session
    clerk = User.objects.get(username="clerk")
    client.force_login(clerk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403 and "_auth_user_id" in client.session


@pytest.mark.security("S-12")
def test_a_bulk_delete_with_one_protected_section_deletes_nothing(client_for, system_admin):
    unused = Section.objects.create(name="临时科", code="temporary")
    used = Section.objects.filter(staff__isnull=False).first()
    response = client_for(system_admin).post(
        "/manage/office/section/",
        {"action": "delete_selected", "_selected_action": [unused.pk, used.pk], "post": "yes"},
    )
    assert response.status_code == 200  # the page explains what is protected
    assert Section.objects.filter(pk__in=[unused.pk, used.pk]).count() == 2


@pytest.mark.security("S-16")
def test_a_revoked_role_and_a_deactivated_person_take_effect_on_the_next_request(
    client_for, security_admin
):
    secretary = User.objects.get(username="secretary")
    client = client_for(secretary)
    assert client.get("/documents/incoming/new/").status_code == 200
    secretary.groups.remove(Group.objects.get(name=Role.SECRETARY))
    assert client.get("/documents/incoming/new/").status_code == 403
    User.objects.filter(pk=secretary.pk).update(is_active=False)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
