"""Error pages that need nothing, and the probes (SECURITY.md S-35, S-39; issue 16)."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import OperationalError
from django.test import Client, RequestFactory

from office import errors, health, workcalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.mark.urls("tests.office.error_urls")
@pytest.mark.parametrize("path", ["/database-gone/", "/connection-closed/"])
def test_a_database_outage_answers_a_chinese_503_with_retry_after(anonymous, path, caplog):
    with caplog.at_level(logging.ERROR, logger="office.errors"):
        response = anonymous.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "系统暂时不可用" in page and "Internal Server Error" not in page
    reference = page.split('<strong class="reference">')[1].split("</strong>")[0]
    assert len(reference) == 8
    (record,) = [r for r in caplog.records if reference in r.getMessage()]
    assert record.exc_info is not None  # the traceback is in the log, never on the page
    assert "Traceback" not in page


@pytest.mark.urls("tests.office.error_urls")
def test_a_bug_answers_a_chinese_500_with_a_logged_reference(anonymous, caplog):
    with caplog.at_level(logging.ERROR, logger="office.errors"):
        response = anonymous.get("/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    page = response.content.decode()
    assert "系统出错" in page and "ZeroDivisionError" not in page
    reference = page.split('<strong class="reference">')[1].split("</strong>")[0]
    assert any(reference in r.getMessage() for r in caplog.records)


def test_the_error_pages_render_without_a_single_query(django_assert_num_queries):
    request = RequestFactory().get("/anything/")
    with django_assert_num_queries(0):
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            outage = errors.server_error(request)
        try:
            raise KeyError("x")
        except KeyError:
            bug = errors.server_error(request)
    assert (outage.status_code, bug.status_code) == (503, 500)


def test_healthz_answers_without_the_database(anonymous, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_readyz_checks_database_broker_migrations_and_calendar(anonymous):
    response = anonymous.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "migrations": "ok", "calendar": "ok"},
    }


def test_readyz_is_unavailable_when_a_check_fails(anonymous, monkeypatch):
    monkeypatch.setattr(health, "check_migrations", lambda: "pending")
    response = anonymous.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "pending"
    assert response.json()["status"] == "unavailable"


def test_a_year_without_a_calendar_is_missing():
    assert health.check_calendar(dt.date(1999, 6, 1)) == "missing"


@pytest.mark.parametrize(
    ("status", "answer"),
    [("confirmed", "ok"), ("provisional", "provisional"), ("unavailable", "missing")],
)
def test_the_calendar_check_asks_the_calendar_for_its_year_status(monkeypatch, status, answer):
    monkeypatch.setattr(workcalendar, "year_status", lambda year: status)
    assert health.check_calendar(dt.date(2026, 6, 15)) == answer
