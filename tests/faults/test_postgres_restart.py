"""PostgreSQL restarted under writes (SECURITY.md S-35; issue 16, finding 2): every acknowledged
write is still there, the pages answer the static Chinese 503 (with Retry-After) while it is
down — never gunicorn's bare English error — and serve again within 15 s of its return."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from .conftest import report
from .stack import BASE_DIR, free_port, wait_until

pytestmark = pytest.mark.faults

DOWN_SECONDS = 6
RECOVERY_LIMIT = 15

# Writes through a service, as the web and the worker make them: each commit that returned is
# printed ("acknowledged"); a failed one is retried with the next number.
WRITER = """
import sys, time
import django
django.setup()
from django.contrib.auth.models import User
from django.db import Error, close_old_connections
from office.services.notify import notify
person = User.objects.get(username="clerk")
deadline = time.monotonic() + float(sys.argv[1])
i = 0
while time.monotonic() < deadline:
    i += 1
    try:
        notify(recipients=[person], title=f"pg-ack-{i}")
    except Error as exc:
        print("fail", i, type(exc).__name__, flush=True)
        # What Celery's Django fix-up does between tasks (and Django between requests): a
        # connection found broken is dropped, the next statement opens a new one.
        close_old_connections()
        time.sleep(0.1)
        continue
    print("ack", i, flush=True)
    time.sleep(0.02)
"""


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), error.headers.get("Retry-After")
    except OSError as error:
        return 0, repr(error), ""


def test_postgresql_restarted_under_writes(stack):
    port = free_port()
    web = stack.start(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "office.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
            "--preload",
        ],
    )
    page = f"http://127.0.0.1:{port}/public/"
    wait_until("gunicorn serving", lambda: _get(page)[0] == 200, 180)

    written = stack.root / "writer.out"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(4 + DOWN_SECONDS + RECOVERY_LIMIT + 6)],
        cwd=BASE_DIR,
        env=stack.env(DJANGO_SETTINGS_MODULE="office.settings"),
        stdout=written.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Writing under way (the interpreter takes a while to start on a busy machine).
    wait_until("acknowledged writes", lambda: written.read_text().count("ack ") >= 20, 180)
    stack.pg.stop("immediate")  # a crash: no checkpoint, no goodbye to the clients
    down_at = time.monotonic()
    answers: list[tuple[int, str]] = []
    while time.monotonic() - down_at < DOWN_SECONDS:
        status, body, retry_after = _get(page)
        answers.append((status, retry_after))
        assert status == 503, f"{status} while PostgreSQL is down:\n{body[:500]}"
        assert "系统暂时不可用" in body and retry_after
        time.sleep(0.5)
    stack.pg.start()  # returns once it accepts connections
    recovered = wait_until("the page again", lambda: _get(page)[0] == 200, 60, step=0.25)
    readyz = _get(f"http://127.0.0.1:{port}/readyz")[0]

    writer.wait(timeout=120)
    out = written.read_text()
    acked = {int(line.split()[1]) for line in out.splitlines() if line.startswith("ack ")}
    last_failure = max(
        (int(line.split()[1]) for line in out.splitlines() if line.startswith("fail ")),
        default=0,
    )
    acked_after = sum(1 for i in acked if i > last_failure)
    failed = [line for line in out.splitlines() if line.startswith("fail ")]
    present = {
        int(title.rsplit("-", 1)[1])
        for (title,) in stack.pg.rows(
            "SELECT title FROM office_notification WHERE title LIKE 'pg-ack-%%'"
        )
    }
    lost = sorted(acked - present)
    web.stop()
    report(
        "PostgreSQL restarted under writes",
        acknowledged=len(acked),
        acknowledged_after_restart=acked_after,
        refused_during_outage=len(failed),
        lost=len(lost),
        answers_while_down=f"{len(answers)}x503",
        seconds_to_serve_again=round(recovered, 1),
        readyz_after=readyz,
    )
    assert acked and failed, out[-2000:]
    assert not lost, lost
    assert acked_after > 0, "the writer did not write again after the restart"
    assert recovered < RECOVERY_LIMIT
    assert readyz == 200
    assert "database unavailable reference=" in web.output()  # each 503 is in the log
