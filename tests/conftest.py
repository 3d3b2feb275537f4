"""Personas and shared fixtures. The demo office is the test office: one seed, real roles.

`ZB_CLOCK=2026-12-31T23:30:00+08:00 pytest …` runs the tests with the clock moved to that moment
(time-machine, the clock still ticking): `.ci/run` does it for the year's turning points, so a
test that only passes in some weeks of the year fails on the day it is written."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client


def pytest_configure(config):
    clock = os.environ.get("ZB_CLOCK")
    if clock:
        import time_machine

        traveller = time_machine.travel(dt.datetime.fromisoformat(clock), tick=True)
        traveller.start()
        config._zb_clock = traveller


def pytest_report_header(config):
    clock = os.environ.get("ZB_CLOCK")
    return f"clock moved to {clock} (ZB_CLOCK)" if clock else None


def pytest_unconfigure(config):
    traveller = getattr(config, "_zb_clock", None)
    if traveller is not None:
        traveller.stop()


PERSONAS = {
    "clerk": "clerk",  # 综合科 staff
    "other_section_staff": "street_staff",  # 街道办 staff
    "section_head": "general_head",  # 综合科 head
    "secretary": "secretary",  # 秘书科 registrar
    "leader": "mayor",
    "other_leader": "vicemayor",
    "petition_officer": "petition_officer",
    "supervisor": "supervisor",
    "archivist": "archivist",
    "system_admin": "sysadmin",
    "security_admin": "secadmin",
    "audit_admin": "auditadmin",
}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the demo office once per test database; each test then runs in a transaction."""
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)


@pytest.fixture
def demo_office(db):
    """The demo office. Tests on a transactional database flush it, so re-seed when gone."""
    from office import workcalendar
    from office.models import CalendarYear, Section

    if not (Section.objects.exists() and CalendarYear.objects.exists()):
        call_command("seed_demo", verbosity=0)
    workcalendar.invalidate()


def _persona(name: str):
    @pytest.fixture
    def fixture(demo_office) -> User:
        return User.objects.get(username=PERSONAS[name])

    fixture.__name__ = name
    return fixture


for _name in PERSONAS:
    globals()[_name] = _persona(_name)


@pytest.fixture
def outsider(db) -> User:
    """Signed in, but no role at all."""
    return User.objects.create_user("outsider", password="Outsider-Pass-2026")


@pytest.fixture
def client_for(demo_office):
    """client_for(user) → a Client signed in as that user (None → anonymous)."""

    def make(user: User | None) -> Client:
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (row locks and real concurrency); CI runs it there",
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded files go to a temporary folder, never into the project's var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


def pytest_collection_modifyitems(config, items):
    """Mark `serial` what must not run beside other pytest-xdist workers (bin/test runs those
    in their own step, after the parallel one): the real Celery worker tests (one Redis db and
    queue for every test run on the machine) and the concurrency tests (threads racing on row
    locks with timeouts: beside other workers on two cores they measure the machine)."""
    for item in items:
        if item.get_closest_marker("worker") or "concurrency" in item.path.name:
            item.add_marker(pytest.mark.serial)
