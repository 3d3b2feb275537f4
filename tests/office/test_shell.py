"""The UI shell: Chinese by default, navigation, the staff list, error pages, settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from office.models import Section, Staff

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_the_shell_shows_the_navigation_person_and_section(client_for, clerk):
    body = client_for(clerk).get("/").content.decode()
    assert '>待办<span class="badge"' in body  # the clerk has open work: a count
    for label in ["公文", "信访", "会议", "督查", "人员"]:
        assert f">{label}</a>" in body or f">{label}<span" in body, label
    assert "刘晓东" in body and "综合科" in body
    assert ">管理</a>" not in body  # no admin link for a business role


def test_admins_get_the_admin_link(client_for, system_admin):
    assert ">管理</a>" in client_for(system_admin).get("/").content.decode()


def test_pages_load_nothing_from_outside(client_for, clerk):
    body = client_for(clerk).get("/").content.decode()
    assert "http://" not in body and "https://" not in body


def test_security_headers(client_for, clerk):
    response = client_for(clerk).get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def _staff(n: int, start: int = 0) -> None:
    section = Section.objects.get(code="general")
    users = User.objects.bulk_create(
        [User(username=f"bulk{i}", last_name="测") for i in range(start, start + n)]
    )
    Staff.objects.bulk_create(
        [
            Staff(user=u, section=section, badge_number=f"B{i:05d}")
            for i, u in zip(range(start, start + n), users, strict=True)
        ]
    )


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_staff_list_keeps_a_constant_number_of_queries(client_for, clerk):
    client = client_for(clerk)
    client.get("/staff/")  # the session's activity stamp is written on the first visit
    _staff(5)
    at_5 = _count_queries(client, "/staff/?sort=name")
    _staff(45, start=5)
    at_50 = _count_queries(client, "/staff/?sort=name")
    assert at_5 == at_50
    # session, user, 2 × permissions, the shell's staff row and two navigation counts,
    # then the view: count, page, sections for the filter
    assert at_50 <= 10


def test_the_staff_list_searches_filters_and_paginates(client_for, clerk):
    client = client_for(clerk)
    names = [s.name for s in client.get("/staff/?q=王").context["page"]]
    assert names == ["王建华"]
    names = [s.name for s in client.get("/staff/?section=secretariat").context["page"]]
    assert names == ["陈秀英", "张敏", "孙桂兰"]
    _staff(120)
    page = client.get("/staff/?page=3").context["page"]
    assert page.number == 3 and page.paginator.num_pages == 3
    assert client.get("/staff/?page=999").context["page"].number == 3
    assert "没有符合条件的人员" in client.get("/staff/?q=不存在的人").content.decode()


def test_the_staff_list_shows_no_inactive_people(client_for, clerk):
    User.objects.filter(username="street_staff").update(is_active=False)
    names = [s.name for s in client_for(clerk).get("/staff/").context["page"]]
    assert "何静" not in names and "刘晓东" in names


def test_a_missing_page_is_a_chinese_404(client_for, clerk):
    response = client_for(clerk).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_the_catalog_is_complete():
    po = (ROOT / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    blocks = po.split("\n\n")[1:]
    empty = [b for b in blocks if 'msgstr ""\n' in b + "\n" and b.rstrip().endswith('msgstr ""')]
    fuzzy = [b for b in blocks if "#, fuzzy" in b]
    assert not empty, empty[:3]
    assert not fuzzy, fuzzy[:3]


def test_extracted_strings_are_all_in_the_catalog(tmp_path):
    """Re-extract the strings in a copy of the tree, so no new string ships untranslated."""
    if shutil.which("xgettext") is None:
        pytest.skip("gettext is not installed (bin/setup installs it)")
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "test-artifacts", "*.sqlite3*"),
    )
    env = {**os.environ, "DEBUG": "1"}
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--ignore=.venv",
            "--ignore=var",
            "--ignore=bench",
            "--ignore=tests",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    po = (copy / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    untranslated = [b for b in po.split("\n\n")[1:] if b.rstrip().endswith('msgstr ""')]
    assert not untranslated, "run `make messages` and translate:\n" + "\n".join(untranslated[:5])


def _settings_error(**env_overrides: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "TESTING")}
    env.update(env_overrides)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


def test_a_missing_secret_key_in_production_stops_start_up_with_one_sentence():
    line = _settings_error(DATABASE_URL="sqlite:///x.sqlite3")
    assert line.startswith("django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set")


@pytest.mark.parametrize("url", ["nonsense", "mysqlx://what", "postgres://host:notaport/db"])
def test_an_unreadable_database_url_stops_start_up_with_one_sentence(url):
    line = _settings_error(DATABASE_URL=url, SECRET_KEY="k" * 50)
    assert "DATABASE_URL" in line and "ImproperlyConfigured" in line


def test_check_deploy_reports_nothing_in_production_settings(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        SECRET_KEY="a-long-random-production-secret-key-" + "Zx9" * 12,
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
        ALLOWED_HOSTS="zhengban.example.gov.cn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
