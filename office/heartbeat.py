"""A worker's proof of life: it consumed a task recently.

A worker process that is up but no longer consumes (stuck on a dead broker connection, its
pool wedged) is worse than one that exited: the restart policy does not see it. The worker's
health check (`manage.py worker_health`, the compose file's worker healthcheck) therefore
1. reads the time this worker last consumed a heartbeat task (a file the task writes, named
   after the worker's node name, in the worker's own container), failing when it is older than
   `WORKER_HEARTBEAT_MINUTES`; and
2. sends the next heartbeat task to that worker's own direct queue (`worker_direct`), so with
   several workers each one is tested, not whichever took the task.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

from django.conf import settings


def default_node() -> str:
    return f"celery@{socket.gethostname()}"


def heartbeat_path(node: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in node)
    return Path(settings.WORKER_HEARTBEAT_DIR) / f"{safe}.beat"


def beat(path: str) -> str:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(str(time.time()), encoding="ascii")
    tmp.replace(target)  # atomic: the check never reads half a file
    return str(target)


def age_seconds(node: str) -> float | None:
    """Seconds since the worker `node` last consumed a heartbeat (None: never)."""
    path = heartbeat_path(node)
    try:
        # The time the task wrote (one clock for writing and reading), else the file's mtime.
        written = float(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        return None
    except ValueError:
        written = path.stat().st_mtime
    return time.time() - written


def send(node: str) -> None:
    """Queue the next heartbeat on the worker's direct queue (`<node>.dq2`)."""
    from celery.utils.nodenames import worker_direct

    from .tasks import heartbeat

    heartbeat.apply_async(
        args=[str(heartbeat_path(node))],
        queue=worker_direct(node),
        expires=settings.WORKER_HEARTBEAT_MINUTES * 60,
        retry=False,
    )
