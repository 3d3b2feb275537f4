"""A production-shaped stack of the suite's own: a PostgreSQL cluster (initdb into a temporary
folder) and a redis-server, each on a spare port, plus the project's processes (Celery worker,
gunicorn, manage.py) pointed at them. The machine's shared servers are never touched, so the
suite may stop and restart its own freely, in CI too."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parents[2]
DATABASE = "zb_faults"
SMTP_VARIABLES = ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what: str, condition: Callable[[], bool], seconds: float, step=0.2) -> float:
    """Poll until `condition()`; return the seconds it took; AssertionError after `seconds`."""
    start = time.monotonic()
    while True:
        try:
            if condition():
                return time.monotonic() - start
        except Exception:
            pass
        if time.monotonic() - start > seconds:
            raise AssertionError(f"no {what} within {seconds} s")
        time.sleep(step)


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[4]))
    return found[-1].parent if found else None


class Postgres:
    def __init__(self, root: Path):
        self.bin = postgres_bin()
        self.data = root / "pg"
        self.port = free_port()
        # initdb refuses to run as root: run the cluster as the postgres system user then.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *argv: str) -> None:
        subprocess.run([*self.as_user, *argv], check=True, capture_output=True, text=True)

    def init(self) -> None:
        self.data.mkdir()
        if self.as_user:
            shutil.chown(self.data, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )

    def start(self) -> None:
        # fsync off: the suite crashes the server process, never the machine, so the page cache
        # keeps every committed write; synchronous_commit stays on (acknowledged = committed).
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=60"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.data / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        )

    def scalar(self, sql: str, params=(), database: str = DATABASE):
        with self.connect(database) as conn:
            return conn.execute(sql, params).fetchone()[0]

    def rows(self, sql: str, params=(), database: str = DATABASE) -> list[tuple]:
        with self.connect(database) as conn:
            return conn.execute(sql, params).fetchall()


class Redis:
    def __init__(self, root: Path):
        self.dir = root / "redis"
        self.dir.mkdir()
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # Append-only file, as a production Redis with a volume keeps its queues over a restart.
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            stdout=(self.dir / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_until("Redis answering", self.ping, 20)

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        """SIGTERM, as `docker stop` does: Redis flushes its append-only file and exits."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


@dataclass
class Process:
    """A project process (worker, gunicorn) started by the suite, with its log."""

    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 20) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL to the whole process group: the worker and its pool, as the OOM killer."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=20)


@dataclass
class Stack:
    root: Path
    pg: Postgres
    redis: Redis
    processes: list[Process] = field(default_factory=list)

    @property
    def mail_dir(self) -> Path:
        return self.root / "mail"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SMTP_VARIABLES}
        env.update(
            DATABASE_URL=self.pg.url(),
            CELERY_BROKER_URL=self.redis.url(),
            REDIS_URL=self.redis.url(),
            TESTING="1",  # no SECRET_KEY needed; TOTP off; plain static files
            CELERY_TASK_ALWAYS_EAGER="0",
            MEDIA_ROOT=str(self.root / "media"),
            EMAIL_BACKEND="tests.faults.mailsink.SlowFileBackend",
            EMAIL_FILE_PATH=str(self.mail_dir),
            SMS_BACKEND="office.sms.ConsoleSMSBackend",
            SMS_FOR_LEVELS="",
            WORKER_HEARTBEAT_DIR=str(self.root / "heartbeat"),
            PYTHONUNBUFFERED="1",
            LOG_LEVEL="INFO",
        )
        env.pop("CELERY_BROKER_WRITE_URL", None)
        env.update(extra)
        return env

    def manage(self, *args: str, check=True, **extra: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=900,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
        return result

    def python(self, code: str, **extra: str) -> str:
        """Run `code` in a fresh interpreter with Django set up on the stack; return stdout."""
        script = "import django; django.setup()\n" + code
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=BASE_DIR,
            env=self.env(DJANGO_SETTINGS_MODULE="office.settings", **extra),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise AssertionError(f"python -c failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, name: str, argv: list[str], **extra: str) -> Process:
        log = self.root / f"{name}.log"
        popen = subprocess.Popen(
            argv,
            cwd=BASE_DIR,
            env=self.env(**extra),
            stdin=subprocess.DEVNULL,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped and killed as a whole
        )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def worker(self, name: str = "worker", concurrency: int = 2, **extra: str) -> Process:
        """A Celery worker as the compose file runs it (prefork pool), ready to consume."""
        process = self.start(
            name,
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "office",
                "worker",
                f"--concurrency={concurrency}",
                "-n",
                f"{name}@faults",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            **extra,
        )
        wait_until(
            f"{name} ready",
            lambda: " ready." in process.output() or not process.alive(),
            180,
        )
        assert process.alive(), f"{name} exited at start:\n{process.output()}"
        return process

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop(timeout=10)
        self.processes.clear()

    # Figures from the database ----------------------------------------------------------
    def outbox_states(self, like: str) -> dict[str, int]:
        return dict(
            self.pg.rows(
                "SELECT state, count(*) FROM office_outboxmessage WHERE subject LIKE %s "
                "GROUP BY state",
                (like,),
            )
        )

    def mails_per_message_id(self) -> dict[str, int]:
        """Files received per Message-ID, keyed by its left-hand side (outbox.<pk>.<stamp>)."""
        counts: dict[str, int] = {}
        for path in self.mail_dir.glob("*.eml"):
            local = path.name.rsplit(".", 2)[0].split("@", 1)[0]
            counts[local] = counts.get(local, 0) + 1
        return counts
