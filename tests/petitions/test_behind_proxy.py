"""Behind the production reverse proxy every request comes from the proxy's address; the
client's own is the last X-Forwarded-For entry the trusted proxy wrote (TRUSTED_PROXY_COUNT,
office.client). The online petition form limits submissions per citizen, not per proxy, and
the audit trail records the citizen's address (SECURITY.md S-19, S-37)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from office.models import AuditEntry
from petitions.models import Petition

from .test_public import form

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
NOON = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings, demo_office):
    settings.TRUSTED_PROXY_COUNT = 1
    cache.clear()
    yield
    cache.clear()


def _submit(client: Client, citizen: str, n: int):
    return client.post(
        reverse("petitions_public:submit"),
        form(token=f"proxy-token-{citizen.replace('.', '-')}-{n:08d}", title=f"建议{citizen}-{n}"),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"203.0.113.250, {citizen}",  # the first entry is the client's claim
    )


@time_machine.travel(NOON, tick=False)
def test_six_citizens_behind_one_proxy_each_submit_and_a_seventh_over_the_limit_is_refused():
    client = Client()
    citizens = [f"198.51.100.{i}" for i in range(1, 7)]
    for citizen in citizens:
        response = _submit(client, citizen, 0)
        assert response.status_code == 302, citizen
    assert Petition.objects.filter(title__startswith="建议198.51.100.").count() == 6

    # The audit trail names the citizen, never the proxy.
    entries = AuditEntry.objects.filter(action="petition.register").order_by("-pk")[:6]
    assert sorted(e.address for e in entries) == sorted(citizens)
    assert PROXY not in {e.address for e in entries}

    busy = "198.51.100.99"
    for n in range(5):
        assert _submit(client, busy, n).status_code == 302
    refused = _submit(client, busy, 5)
    assert refused.status_code == 200 and "提交过于频繁" in refused.content.decode()
    assert not Petition.objects.filter(title=f"建议{busy}-5").exists()
    # The others behind the same proxy are not locked out.
    assert _submit(client, citizens[0], 1).status_code == 302
