"""The Celery app: the standard three steps (create, read settings, discover tasks), and a
guard for kombu's Redis transport after a lost connection (below)."""

from __future__ import annotations

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "office.settings")

app = Celery("office")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger(__name__)


def _guard_the_redis_qos_after_a_lost_connection() -> None:
    """Keep the worker alive when Redis drops while a task runs (issue 16, finding 1).

    Reproduced with celery 5.7.0 / kombu 5.7.0 / redis-py 8.1.0 (prefork pool, a 12-second
    late-acknowledged task, Redis stopped for 25 s), 2 of 2 times with the settings alone:
    1. the consumer's reaction to the lost connection (`on_connection_error_after_connected` →
       `connection.close()`) closes the channel, whose QoS then tries to put the message back
       through a new client built from a transport already detached from its connection:
       AttributeError ('NoneType' object has no attribute 'hostname') from `_connparams`;
    2. with (1) out of the way, the task finishes while Redis is away and its late
       acknowledgement runs after the reconnect on the old, closed channel: AttributeError
       ('NoneType' object has no attribute 'client').
    Neither is a connection error, so Celery stops the worker with "Unrecoverable error" and
    the outbox waits for a person (an idle worker survives: nothing is unacknowledged).

    On a channel whose connection is gone there is nothing to restore or acknowledge: the
    message is still in kombu's unacked hash in Redis, and `restore_visible` — which every
    worker runs — gives it back after the visibility timeout (BROKER_VISIBILITY_TIMEOUT). The
    task then runs a second time, harmlessly: every task is idempotent (office.tasks).
    """
    try:
        from kombu.transport import redis as kombu_redis
    except ImportError:  # pragma: no cover - redis is a dependency
        return
    qos = kombu_redis.QoS
    if getattr(qos, "_zb_guarded", False):
        return
    restore_unacked, ack, reject = qos.restore_unacked, qos.ack, qos.reject

    def detached(self) -> bool:
        transport = self.channel.connection
        return transport is None or getattr(transport, "client", None) is None

    def guarded_restore_unacked(self, client=None):
        if client is None and detached(self):
            log.warning(
                "broker connection lost: %d unacknowledged message(s) stay in Redis and come "
                "back after the visibility timeout",
                len(self._delivered),
            )
            self._delivered.clear()
            return None
        return restore_unacked(self, client)

    def guarded_ack(self, delivery_tag):
        if detached(self):
            log.warning("broker connection lost: message %s will be redelivered", delivery_tag)
            return None
        return ack(self, delivery_tag)

    def guarded_reject(self, delivery_tag, requeue=False):
        if detached(self):
            log.warning("broker connection lost: message %s will be redelivered", delivery_tag)
            return None
        return reject(self, delivery_tag, requeue=requeue)

    qos.restore_unacked = guarded_restore_unacked
    qos.ack = guarded_ack
    qos.reject = guarded_reject
    qos._zb_guarded = True


_guard_the_redis_qos_after_a_lost_connection()
