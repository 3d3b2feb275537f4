"""Constraints of the organisation: badge numbers, protected sections, unit rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from office.models import Section, Staff, Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_badge_number_is_unique(demo_office):
    user = User.objects.create_user("newcomer")
    with pytest.raises(IntegrityError), transaction.atomic():
        Staff.objects.create(user=user, badge_number="Z001")


def test_a_section_with_staff_cannot_be_deleted(demo_office):
    section = Section.objects.get(code="general")
    with pytest.raises(ProtectedError):
        section.delete()
    assert Section.objects.filter(code="general").exists()


def test_an_empty_section_can_be_deleted(db):
    Section.objects.create(name="临时科", code="temp").delete()
    assert not Section.objects.filter(code="temp").exists()


def test_the_admin_explains_why_a_section_in_use_cannot_be_deleted(client_for, system_admin):
    section = Section.objects.get(code="general")
    response = client_for(system_admin).get(f"/manage/office/section/{section.pk}/delete/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "受保护" in body  # Django lists the protected objects that point at it
    assert "赵丽娟" in body  # names who still points at it
    response = client_for(system_admin).post(
        f"/manage/office/section/{section.pk}/delete/", {"post": "yes"}
    )
    assert Section.objects.filter(pk=section.pk).exists()


def test_a_unit_cannot_have_an_unknown_kind(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(name="某单位", code="x", kind="secret")


def test_a_unit_cannot_be_its_own_parent(db):
    unit = Unit.objects.create(name="某局", code="bureau", kind=UnitKind.EXTERNAL)
    unit.parent_id = unit.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()


def test_staff_name_is_family_name_first(demo_office):
    assert Staff.objects.get(badge_number="L001").name == "王建华"
