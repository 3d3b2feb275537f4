"""Notifications and the outbox: written with the change, delivered once, never lost."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from office.delivery import deliver_pending
from office.models import Notification, OutboxMessage, OutboxState
from office.services.notify import notify
from office.sms import LocmemSMSBackend
from tests.helpers import publishing_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable(clerk):
    clerk.email = "clerk@example.gov.cn"
    clerk.save()
    clerk.staff.mobile = "13800001234"
    clerk.staff.save()
    LocmemSMSBackend.outbox.clear()
    return clerk


def test_a_notification_queues_an_email_in_the_same_transaction(reachable):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[reachable], title="回滚的通知")
        raise RuntimeError  # the change fails: nothing of the notification survives
    assert (
        not Notification.objects.exists()
        or not Notification.objects.filter(title="回滚的通知").exists()
    )
    assert not OutboxMessage.objects.filter(subject="回滚的通知").exists()
    notify(recipients=[reachable], title="新的待办", url="/work/1/")
    message = OutboxMessage.objects.get(subject="新的待办")
    assert message.state == OutboxState.PENDING and message.address == "clerk@example.gov.cn"


def test_people_without_an_address_get_the_in_app_notification_only(clerk):
    clerk.email = ""
    clerk.save(update_fields=["email"])
    notify(recipients=[clerk, clerk, None], title="只在系统内")
    assert Notification.objects.filter(title="只在系统内").count() == 1
    assert not OutboxMessage.objects.filter(subject="只在系统内").exists()


def test_delivery_sends_each_message_once(reachable):
    notify(recipients=[reachable], title="请办理", url="/work/7/")
    assert deliver_pending() == 1
    assert deliver_pending() == 0  # claimed and sent: a second run finds nothing
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "请办理" and "/work/7/" in mail.outbox[0].body
    assert OutboxMessage.objects.get(subject="请办理").state == OutboxState.SENT


@override_settings(SMS_BACKEND="office.sms.LocmemSMSBackend", SMS_FOR_LEVELS=["overdue"])
def test_urgent_levels_also_go_by_sms(reachable):
    notify(recipients=[reachable], title="已逾期：某事项", level="overdue")
    notify(recipients=[reachable], title="普通通知", level="info")
    deliver_pending()
    assert LocmemSMSBackend.outbox == [("13800001234", "已逾期：某事项")]


def test_a_failed_delivery_is_retried_later(reachable, monkeypatch):
    notify(recipients=[reachable], title="会失败一次")

    def broken(*args, **kwargs):
        raise ConnectionError("SMTP server unreachable")

    monkeypatch.setattr("office.delivery._send_email", broken)
    assert deliver_pending() == 0
    message = OutboxMessage.objects.get(subject="会失败一次")
    assert message.state == OutboxState.PENDING and message.attempts == 1
    assert "unreachable" in message.last_error
    monkeypatch.undo()
    assert deliver_pending() == 1


def test_a_broker_that_is_down_does_not_fail_the_change(
    reachable, django_capture_on_commit_callbacks
):
    # Nothing listens on port 1: the after-commit publish fails in its own thread.
    with (
        publishing_to("redis://127.0.0.1:1/0", "zb-test-down"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(recipients=[reachable], title="broker 不可用时")
    # The change committed; the message waits for the relay.
    assert OutboxMessage.objects.get(subject="broker 不可用时").state == OutboxState.PENDING
    assert deliver_pending() == 1


@pytest.mark.parametrize("people", [5, 50])
@override_settings(SMS_BACKEND="office.sms.LocmemSMSBackend", SMS_FOR_LEVELS=["overdue"])
def test_the_recipients_mobiles_come_in_one_query_however_many(people, section_head):
    """notify_many (the sweep's bulk form): notifications, the users, their mobile numbers and
    the outbox rows in a fixed number of queries (issue 21: the sweep read `user.staff` once per
    recipient)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from office.models import Staff
    from office.services.notify import notify_many

    section = section_head.staff.section
    users = User.objects.bulk_create(
        [User(username=f"sms{i}", email=f"sms{i}@example.gov.cn") for i in range(people)]
    )
    Staff.objects.bulk_create(
        Staff(user=u, section=section, badge_number=f"S{i:04d}", mobile=f"1390000{i:04d}")
        for i, u in enumerate(users)
    )
    now = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    rows = [(u.pk, "overdue", "已逾期：某事项", "", "/work/1/", None) for u in users]
    with CaptureQueriesContext(connection) as ctx:
        assert notify_many(rows, now=now) == people
    # notifications, users, mobiles, outbox (a backend that returns no ids adds none here)
    assert len(ctx.captured_queries) <= 5, [q["sql"][:80] for q in ctx.captured_queries]
    sms = OutboxMessage.objects.filter(channel="sms", notification__recipient__in=users)
    assert sorted(sms.values_list("address", flat=True)) == [
        f"1390000{i:04d}" for i in range(people)
    ]
