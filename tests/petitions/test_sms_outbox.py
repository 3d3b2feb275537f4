"""Side effects after commit (office.outbox): with the SMS gateway down, an online petition is
still registered and the petitioner sees the query code; the SMS waits in the outbox and is
delivered, code and all, once the gateway answers again."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from office.delivery import deliver_pending
from office.models import Channel, OutboxMessage, OutboxState
from office.sms import LocmemSMSBackend
from petitions import crypto
from petitions.models import Petition

from .test_public import form

pytestmark = pytest.mark.django_db

JUNE = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class GatewayDown:
    """An SMS backend whose gateway is unreachable."""

    calls = 0

    def send(self, number: str, text: str, *, secrets=()) -> None:
        GatewayDown.calls += 1
        raise ConnectionError("短信网关无响应")


@time_machine.travel(JUNE, tick=False)
def test_a_registration_completes_with_the_sms_gateway_down_and_the_sms_is_retried(
    client, settings, demo_office, django_capture_on_commit_callbacks
):
    cache.clear()
    settings.SMS_BACKEND = "tests.petitions.test_sms_outbox.GatewayDown"
    GatewayDown.calls = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("petitions_public:submit"), form(token="gateway-down-token-00000001")
        )
    assert response.status_code == 302
    petition = Petition.objects.get(title="建议增设公交站点")
    page = client.get(reverse("petitions_public:submitted")).content.decode()
    assert crypto.format_query_code(petition.query_code) in page

    message = OutboxMessage.objects.get(channel=Channel.SMS, address="13847125678")
    assert message.state == OutboxState.PENDING and petition.query_code not in message.body
    deliver_pending()  # the gateway is down …
    assert GatewayDown.calls == 1
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING and "短信网关无响应" in message.last_error

    settings.SMS_BACKEND = "office.sms.LocmemSMSBackend"  # … and back
    LocmemSMSBackend.outbox.clear()
    assert deliver_pending() >= 1
    number, text = LocmemSMSBackend.outbox[-1]
    assert number == "13847125678" and crypto.format_query_code(petition.query_code) in text
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and message.attempts == 2
    cache.clear()
