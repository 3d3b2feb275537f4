"""The fault suite's stack: its own PostgreSQL and Redis, a real office on them.

Set-up is the "starting a real office" drill of issue 16 too: `migrate`, `seed_office` on the
empty database, the first security admin by `createsuperuser` — and no demo person may exist
then — and `seed_demo` afterwards, which the fault cases use.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from .stack import Postgres, Redis, Stack, postgres_bin

FIGURES: list[str] = []


def report(case: str, **figures) -> None:
    """One line of figures per case, printed at the end of the run (and at once with -s)."""
    line = f"{case}: " + ", ".join(f"{k}={v}" for k, v in figures.items())
    FIGURES.append(line)
    sys.stdout.write(f"\n[faults] {line}\n")


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("fault suite figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def stack():
    import os

    needed = ["redis-server"] + (["runuser"] if os.geteuid() == 0 else [])
    missing = [name for name in needed if not shutil.which(name)]
    if postgres_bin() is None:
        missing.append("/usr/lib/postgresql/*/bin/initdb")
    if missing:
        pytest.skip(f"the fault suite needs {', '.join(missing)} (Debian: postgresql, redis)")
    root = Path(tempfile.mkdtemp(prefix="zb-faults-"))
    root.chmod(0o755)  # the cluster runs as the postgres user, which must reach its folder
    pg, redis = Postgres(root), Redis(root)
    s = Stack(root, pg, redis)
    started = time.monotonic()
    try:
        pg.init()
        pg.start()
        pg.scalar("SELECT 1", database="postgres")
        with pg.connect("postgres") as conn:
            conn.execute("CREATE DATABASE zb_faults")
        redis.start()
        s.manage("migrate", "--noinput", "-v0")
        seeded = s.manage("seed_office").stdout
        s.manage(
            "createsuperuser",
            "--noinput",
            "--username",
            "first_secadmin",
            "--email",
            "secadmin@example.gov.cn",
            DJANGO_SUPERUSER_PASSWORD="Faults-Security-2026!",
        )
        # django-guardian's own AnonymousUser row is no person.
        people = pg.rows(
            "SELECT username FROM auth_user WHERE username <> 'AnonymousUser' ORDER BY username"
        )
        staff = pg.scalar("SELECT count(*) FROM office_staff")
        sections = pg.scalar("SELECT count(*) FROM office_section")
        units = pg.scalar("SELECT count(*) FROM office_unit")
        years = pg.scalar("SELECT count(*) FROM office_calendaryear")
        assert people == [("first_secadmin",)], f"seed_office created people: {people}"
        assert staff == 0 and sections == 6 and units == 13 and years > 0, seeded
        s.manage("seed_demo", "-v0")
        demo_people = pg.scalar("SELECT count(*) FROM auth_user WHERE username <> 'AnonymousUser'")
        report(
            "seed_office on an empty database",
            sections=sections,
            units=units,
            calendar_years=years,
            accounts_after_createsuperuser=len(people),
            accounts_after_seed_demo=demo_people,
            setup_seconds=round(time.monotonic() - started, 1),
        )
        yield s
    finally:
        s.stop_all()
        redis.stop()
        with contextlib.suppress(Exception):
            pg.stop("fast")
        shutil.rmtree(root, ignore_errors=True)
