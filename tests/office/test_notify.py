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
