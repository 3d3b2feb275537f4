"""Notifications: in-app rows plus outbox messages, in the caller's transaction.

Delivery happens after commit (`transaction.on_commit`) by a Celery task; if the broker is
unreachable the request does not wait for it, and the periodic relay delivers later.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..models import Channel, Notification, NotificationLevel, OutboxMessage

log = logging.getLogger(__name__)


def notify(
    *,
    recipients: Iterable,
    title: str,
    body: str = "",
    url: str = "",
    level: str = NotificationLevel.INFO,
    work_item=None,
    now: dt.datetime | None = None,
) -> list[Notification]:
    """Notify people in the app and by e-mail (and SMS when configured), once each."""
    now = now or timezone.now()
    users = {u.pk: u for u in recipients if u is not None}
    if not users:
        return []
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=u,
                level=level,
                title=title[:300],
                body=body,
                url=url,
                work_item=work_item,
                created_at=now,
            )
            for u in users.values()
        ]
    )
    queue_external(notifications, users, now=now)
    return notifications


def notify_many(rows: list[tuple[int, str, str, str, str, int | None]], *, now: dt.datetime) -> int:
    """Bulk form for the sweep: rows of (user_id, level, title, body, url, work_item_id)."""
    if not rows:
        return 0
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=uid,
                level=level,
                title=title[:300],
                body=body,
                url=url,
                work_item_id=wid,
                created_at=now,
            )
            for uid, level, title, body, url, wid in rows
        ],
        batch_size=2000,
    )
    User = get_user_model()
    users = User.objects.in_bulk({n.recipient_id for n in notifications})
    queue_external(notifications, users, now=now)
    return len(notifications)


def queue_external(notifications: list[Notification], users: dict, *, now: dt.datetime) -> None:
    """E-mail and SMS outbox rows for these notifications. The recipients' mobile numbers come
    in one query for all of them (the sweep's escalations read `user.staff` once per recipient:
    129 of its 167 queries, issue 21), and only when a notification's level goes by SMS."""
    messages = []
    sms_levels = settings.SMS_FOR_LEVELS or ()
    texted = {n.recipient_id for n in notifications if n.level in sms_levels}
    mobiles = _mobiles(texted)
    for n in notifications:
        user = users.get(n.recipient_id)
        if user is not None and user.email:
            messages.append(
                OutboxMessage(
                    channel=Channel.EMAIL,
                    address=user.email,
                    subject=n.title,
                    body=_email_body(n),
                    notification=n,
                    created_at=now,
                )
            )
        phone = mobiles.get(n.recipient_id, "") if user is not None else ""
        if phone:
            messages.append(
                OutboxMessage(
                    channel=Channel.SMS,
                    address=phone,
                    body=n.title[:70],
                    notification=n,
                    created_at=now,
                )
            )
    if messages:
        OutboxMessage.objects.bulk_create(messages, batch_size=2000)
        transaction.on_commit(kick_delivery)


def _email_body(n: Notification) -> str:
    link = f"\n\n{settings.SITE_URL.rstrip('/')}{n.url}" if n.url else ""
    return f"{n.title}\n\n{n.body}{link}".strip()


def _mobiles(user_ids: set[int]) -> dict[int, str]:
    """{user id: mobile number} of these people's staff rows, in one query (none for no one)."""
    if not user_ids:
        return {}
    from ..models import Staff

    rows = Staff.objects.filter(user_id__in=user_ids).exclude(mobile="")
    return dict(rows.values_list("user_id", "mobile"))


def kick_delivery() -> None:
    """Ask a worker to deliver now, from a background thread.

    Publishing to a broker that is down costs seconds (redis-py retries even a refused
    connection, and an unreachable host waits for the socket timeout), so the request never
    does it itself. If publishing fails, the periodic relay (office.tasks.relay_outbox) delivers
    within a minute: the outbox row is the source of truth, the task only a wake-up call.
    """
    threading.Thread(target=_publish, name="outbox-kick", daemon=True).start()


def _publish() -> None:
    from ..tasks import deliver_outbox

    try:
        deliver_outbox.apply_async(retry=False, ignore_result=True)
    except Exception as exc:  # the broker is down: the relay will deliver
        log.warning("outbox: could not reach the broker (%s); the relay will deliver", exc)
