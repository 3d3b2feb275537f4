"""The outbox drain: 30,000 notifications waiting (the first sweep after a holiday), delivered by
a real Celery worker with several pool processes, each claiming its own batches (SKIP LOCKED),
over real SMTP to a local sink. Issue 16 measured ~650 messages a minute with one worker and
asked for 30,000 in under 5 minutes.

The sink speaks just enough SMTP (HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to accept and
count messages; it runs in this process on a spare port. The worker listens on a queue of its
own on the configured broker (CELERY_BROKER_URL, Redis), so nothing else takes the tasks.
"""

from __future__ import annotations

import math
import os
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench.registry import task

MESSAGES = 30_000
WORKERS = int(os.environ.get("BENCH_DRAIN_WORKERS", "4"))
SUBJECT = "bench-drain"


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        in_data = False
        while line := self.rfile.readline():
            if in_data:
                if line in (b".\r\n", b".\n"):
                    in_data = False
                    self.server.received += 1
                    self.wfile.write(b"250 OK queued\r\n")
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 OK\r\n")


class SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.received = 0

    @property
    def port(self) -> int:
        return self.server_address[1]


def _arrange(n: int) -> None:
    from office.models import Channel, OutboxMessage, OutboxState

    OutboxMessage.objects.filter(subject=SUBJECT).update(state=OutboxState.SENT)
    now = timezone.now()
    body = "您有一项待办事项已临近办结时限，请登录政办系统及时办理。\n" * 3
    for start in range(0, n, 5000):
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                channel=Channel.EMAIL,
                address=f"staff{i}@bench.example.gov.cn",
                subject=SUBJECT,
                body=body,
                created_at=now,
            )
            for i in range(start, min(n, start + 5000))
        )


def _pending() -> int:
    from office.models import OutboxMessage, OutboxState

    return OutboxMessage.objects.filter(subject=SUBJECT).exclude(state=OutboxState.SENT).count()


@task(
    "outbox: drain 30,000 notifications",
    volume_note=f"{MESSAGES:,} e-mails waiting, {WORKERS} worker processes, SMTP to a local sink",
    needs=("demo",),
    repeat=1,
    warmup=0,
)
def drain(timed) -> str:
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        with timed():
            pass
        return "skipped: needs PostgreSQL (SKIP LOCKED) and a Redis broker (CELERY_BROKER_URL)"
    from office.delivery import BATCH
    from office.tasks import deliver_outbox

    sink = SMTPSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    queue = f"bench-drain-{uuid.uuid4().hex[:8]}"
    log = Path(settings.BASE_DIR) / "bench" / "results" / "drain-worker.log"
    log.parent.mkdir(exist_ok=True)
    env = os.environ | {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "0",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": os.environ["DATABASE_URL"],
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "office",
            "worker",
            f"--concurrency={WORKERS}",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 300
        while " ready." not in log.read_text(errors="replace"):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the bench worker did not start; see {log}")
            time.sleep(0.5)
        _arrange(MESSAGES)
        tasks = math.ceil(MESSAGES / BATCH)
        with timed():
            started = time.perf_counter()
            for _ in range(tasks):  # what the relay does for a backlog: a task per batch
                deliver_outbox.apply_async(queue=queue)
            while (left := _pending()) > 0:
                if worker.poll() is not None:
                    raise RuntimeError(f"the bench worker exited; see {log}")
                if time.perf_counter() - started > 1800:
                    raise RuntimeError(f"{left:,} messages still waiting after 30 minutes")
                time.sleep(0.5)
            seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        sink.shutdown()
        _forget_queue(queue)
    return (
        f"{MESSAGES:,} delivered in {seconds:.1f} s = {MESSAGES / seconds:,.0f} messages/s "
        f"({MESSAGES / seconds * 60:,.0f}/min) by {WORKERS} processes; "
        f"the SMTP sink received {sink.received:,}"
    )


def _forget_queue(queue: str) -> None:
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2)
    try:
        for key in client.scan_iter(f"*{queue}*"):
            client.delete(key)
    except (OSError, redis.RedisError):
        pass
    finally:
        client.close()
