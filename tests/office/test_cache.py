"""The cache behind the public forms' rate limits is shared by every worker (S-18, S-19)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_default_cache_is_a_table_every_worker_shares():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert "zhengban_cache" in connection.introspection.table_names()


def test_a_counter_set_by_one_request_is_seen_by_the_next():
    assert cache.add("rate:test", 1, timeout=60)
    assert cache.incr("rate:test") == 2
    assert cache.get("rate:test") == 2
