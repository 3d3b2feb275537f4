from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from office.models import Section, Staff, Unit, UnitKind
from office.roles import ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Section.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        Staff.objects.count(),
        Group.objects.count(),
    )


def test_seed_demo_creates_the_real_office_and_is_idempotent(demo_office):
    first = _counts()
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assert _counts() == first
    assert list(Section.objects.values_list("name", flat=True)) == [
        "综合科",
        "秘书科",
        "法制办",
        "督查科",
        "街道办",
        "行政科",
    ]
    subordinate = set(
        Unit.objects.filter(kind=UnitKind.SUBORDINATE).values_list("short_name", flat=True)
    )
    assert subordinate == {"驻北京联络处", "驻呼和浩特办事处", "信息中心", "机关后勤服务中心"}
    assert Unit.objects.filter(kind=UnitKind.EXTERNAL).count() >= 20


def test_there_is_one_demo_person_for_every_role(demo_office):
    for role in ROLE_PERMISSIONS:
        assert User.objects.filter(groups__name=role).exists(), role


def test_section_heads_are_set(demo_office):
    assert Section.objects.get(code="general").head.user.username == "general_head"


def test_roles_exist_after_migrations_alone(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)
    assert (
        Group.objects.get(name=Role.SYSTEM_ADMIN)
        .permissions.filter(codename="change_section")
        .exists()
    )
