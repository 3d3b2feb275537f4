"""A real Celery worker against the real Redis: the outbox is delivered after commit, and a broker
that is down neither holds up nor fails the request; the relay delivers once it is back.

The worker is a separate process, so it needs a database it can see: the test database on
PostgreSQL (the tests commit, hence `transaction=True`). Each worker gets its own Redis DB number
and its own queue name, so it never takes work meant for anyone else using the same Redis.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from office.models import (
    Channel,
    OutboxMessage,
    OutboxState,
    Section,
    WorkItemEvent,
    WorkItemEventKind,
)
from office.services import workitems as svc
from office.tasks import deliver_outbox, relay_outbox
from tests.helpers import publishing_to

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a real Celery worker is a separate process and cannot see the test's SQLite "
        "in-memory database; these tests run on PostgreSQL (CI)",
    ),
    pytest.mark.django_db(transaction=True),
]

REDIS_DB = 7  # not db 0, which the application and other tools use
WORKER_READY_SECONDS = 120  # a loaded 2-core CI machine takes a while to import Django twice
DELIVERY_SECONDS = 60
CLERK_EMAIL = "clerk@example.gov.cn"
# Options of the SMTP mailer that the file-based one would refuse.
SMTP_VARIABLES = (
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
)


# --- The worker --------------------------------------------------------------------------------
def _test_broker_url() -> tuple[str, bool]:
    """The configured Redis with our own DB number, and whether Redis was configured at all."""
    configured = settings.CELERY_BROKER_URL
    is_redis = configured.startswith(("redis://", "rediss://"))
    parts = urlsplit(configured if is_redis else "redis://127.0.0.1:6379/0")
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}")), is_redis


def _worker_database_url() -> str:
    """DATABASE_URL with the test database's name (pytest-django's test_<name>, _gwN with xdist)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        pytest.fail("PostgreSQL is in use but DATABASE_URL does not name it; cannot start a worker")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(connection.settings_dict["NAME"])))


def _refused_url() -> str:
    """A Redis URL on a local port that nothing listens on (just freed by the OS)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path
    queue: str
    broker_url: str
    mail_dir: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def fail(self, why: str) -> None:
        pytest.fail(f"{why}\n--- worker output ---\n{self.output()}", pytrace=False)

    def wait_for(self, what: str, condition: Callable[[], bool], seconds=DELIVERY_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if self.process.poll() is not None:
                self.fail(f"the worker exited ({self.process.returncode}) before {what}")
            if time.monotonic() > deadline:
                self.fail(f"no {what} within {seconds} s")
            time.sleep(0.1)

    def mails(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.mail_dir.glob("*.log"))
        ]


def _forget_queue(client: redis.Redis, queue: str) -> None:
    """Remove what kombu left in Redis for this queue and this worker (bindings, pidbox)."""
    for key in client.scan_iter():
        name = key.decode(errors="replace")
        if queue in name:
            client.delete(key)
        elif name.startswith("_kombu.binding"):
            kind = client.type(key)
            if kind == b"set":
                members = [m for m in client.smembers(key) if queue.encode() in m]
                if members:
                    client.srem(key, *members)
            elif kind == b"zset":
                members = [m for m in client.zrange(key, 0, -1) if queue.encode() in m]
                if members:
                    client.zrem(key, *members)


@pytest.fixture
def worker(transactional_db, tmp_path, request) -> Iterator[Worker]:
    """`celery worker` in a subprocess: our Redis DB and queue, the test database, e-mail to
    files in tmp_path. Always stopped (before the test database is flushed)."""
    broker_url, configured = _test_broker_url()
    client = redis.Redis.from_url(broker_url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {broker_url} ({exc})"
        if configured:  # the environment says there is a Redis: that it is down is a failure
            pytest.fail(message)
        pytest.skip(message + "; set CELERY_BROKER_URL to a Redis to run the worker tests")

    queue = f"zb-test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    log_path = tmp_path / "worker.log"
    env = {key: value for key, value in os.environ.items() if key not in SMTP_VARIABLES}
    env.update(
        DATABASE_URL=_worker_database_url(),
        CONN_MAX_AGE="0",  # hold no connection between tasks: the test database is flushed
        CELERY_BROKER_URL=broker_url,
        REDIS_URL=broker_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        SMS_BACKEND="office.sms.ConsoleSMSBackend",
        TESTING="1",  # no SECRET_KEY needed, as in the test process
        PYTHONUNBUFFERED="1",
    )
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "office",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    w = Worker(process, log_path, queue, broker_url, mail_dir)
    try:
        w.wait_for("the worker to be ready", lambda: " ready." in w.output(), WORKER_READY_SECONDS)
        yield w
    finally:
        process.terminate()  # warm shutdown: a task in progress finishes first
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        # Shown with the failure of the test (pytest prints a failed test's teardown sections).
        request.node.add_report_section("teardown", f"worker {queue}", w.output())
        try:
            _forget_queue(client, queue)
        finally:
            client.close()


# --- Publishing from the test process ----------------------------------------------------------
def _open_for(clerk, secretary, **kwargs):
    return svc.workitem_open(
        title="审核政务信息报送",
        kind="other",
        action="handle",
        assignee=clerk,
        section=Section.objects.get(code="general"),
        actor=secretary,
        due_at=timezone.now() + dt.timedelta(days=10),
        **kwargs,
    )


def _email_for(item) -> OutboxMessage:
    return OutboxMessage.objects.get(notification__work_item=item, channel=Channel.EMAIL)


@pytest.fixture
def reachable_clerk(clerk):
    clerk.email = CLERK_EMAIL
    clerk.save(update_fields=["email"])
    return clerk


# --- The tests -------------------------------------------------------------------------------
def test_a_committed_change_is_delivered_by_a_real_worker(worker, reachable_clerk, secretary):
    with publishing_to(worker.broker_url, worker.queue):
        item = _open_for(reachable_clerk, secretary, url="/work/e2e/")  # commits; kicks a worker
        message = _email_for(item)
        worker.wait_for(
            "delivery of the outbox message",
            lambda: OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.SENT).exists(),
        )
    message.refresh_from_db()
    assert message.attempts == 1 and message.sent_at is not None and not message.last_error
    assert "office.tasks.deliver_outbox[" in worker.output()  # the kick, not a relay, woke it
    (mail,) = worker.mails()
    assert mail["To"] == CLERK_EMAIL
    assert mail["Subject"] == message.subject and "审核政务信息报送" in mail["Subject"]
    assert "/work/e2e/" in mail.get_content()


def test_a_broker_that_is_down_does_not_hold_up_the_request_and_the_relay_delivers(
    worker, reachable_clerk, secretary, section_head, client_for, monkeypatch
):
    item = _open_for(reachable_clerk, secretary, notify_people=False)
    assert not OutboxMessage.objects.filter(notification__work_item=item).exists()

    publishes = []
    real_apply_async = deliver_outbox.apply_async

    def spy(*args, **kwargs):
        publish = {"thread": threading.current_thread(), "error": None}
        publishes.append(publish)
        try:
            return real_apply_async(*args, **kwargs)
        except Exception as exc:
            publish["error"] = exc
            raise

    monkeypatch.setattr(deliver_outbox, "apply_async", spy)

    client = client_for(section_head)
    with publishing_to(_refused_url(), worker.queue):
        response = client.post(
            reverse("office:workitem_urge", args=[item.pk]), {"message": "请今天内办结"}
        )
        request_thread = threading.current_thread()
    # The request succeeded, with the change and its outbox row committed …
    assert response.status_code == 302
    assert response.url == reverse("office:workitem", args=[item.pk])
    assert WorkItemEvent.objects.filter(
        work_item=item, kind=WorkItemEventKind.URGE, reason="请今天内办结"
    ).exists()
    message = _email_for(item)
    assert message.state == OutboxState.PENDING and message.attempts == 0
    # … because the publish ran on the after-commit thread, never in the request's, and failed.
    assert publishes, "the commit did not try to wake a worker"
    assert all(p["thread"] is not request_thread for p in publishes)
    assert all(isinstance(p["error"], OperationalError) for p in publishes), publishes

    # The broker is back: the periodic relay, run by the real worker, delivers the message.
    with publishing_to(worker.broker_url, worker.queue):
        relay_outbox.delay()
        worker.wait_for(
            "delivery by the relay",
            lambda: (
                not OutboxMessage.objects.filter(notification__work_item=item)
                .exclude(state=OutboxState.SENT)
                .exists()
            ),
        )
    assert "office.tasks.relay_outbox[" in worker.output()
    assert "office.tasks.deliver_outbox[" not in worker.output()
    message.refresh_from_db()
    assert message.attempts == 1
    (mail,) = worker.mails()
    assert mail["To"] == CLERK_EMAIL and mail["Subject"] == message.subject
    assert "请今天内办结" in mail.get_content()
