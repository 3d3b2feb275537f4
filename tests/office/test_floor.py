"""The floor: what every signed-in page pays before it does anything (issue 21).

The session, the person (user, staff row, permissions, groups: office.auth) and the navigation's
counts (office.navigation) — three queries, whatever the person's role or volume of work.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from office.models import Notification, WorkItem
from tests.conftest import requires_postgres

pytestmark = pytest.mark.django_db


def _queries(client, path: str) -> list[str]:
    client.get(path)  # the session's activity stamp is written on the first visit
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@requires_postgres
@pytest.mark.parametrize("persona", ["clerk", "section_head", "leader", "system_admin"])
def test_a_trivial_signed_in_page_costs_at_most_three_queries(request, client_for, persona):
    user = request.getfixturevalue(persona)
    queries = _queries(client_for(user), reverse("office:about"))
    assert len(queries) <= 3, queries
    assert "django_session" in queries[0]
    assert "office_staff" in queries[1] and "auth_permission" in queries[1]


def test_the_floor_is_the_same_on_any_database_without_a_staff_lookup(client_for, clerk):
    """On SQLite the permissions come from ModelBackend's own two queries; still no staff row
    or navigation count is asked for separately."""
    queries = _queries(client_for(clerk), reverse("office:about"))
    assert not any(q.lstrip().startswith('SELECT "office_staff"') for q in queries)
    assert sum("office_notification" in q for q in queries) == 1
    assert len(queries) <= (3 if connection.vendor == "postgresql" else 5)


def test_the_badges_count_what_the_person_has_now(client_for, clerk, leader):
    """Counted in the page's one query, never cached: reading a notification shows at once."""
    client = client_for(clerk)
    page = client.get(reverse("office:about"))
    assert page.context["open_count"] == WorkItem.objects.count_waiting_for(clerk)
    unread = Notification.objects.filter(recipient=clerk, read_at__isnull=True)
    Notification.objects.create(
        recipient=clerk, title="测试通知", created_at="2026-06-15T09:00:00+08:00"
    )
    before = unread.count()
    assert client.get(reverse("office:about")).context["unread_count"] == before >= 1
    unread.update(read_at="2026-06-15T10:00:00+08:00")
    assert client.get(reverse("office:about")).context["unread_count"] == 0
    assert "approval_count" not in page.context  # not a leader: no queue link
    assert client_for(leader).get(reverse("office:about")).context["approval_count"] == 0


def test_a_person_without_a_staff_row_is_not_looked_up_again(client_for, system_admin):
    queries = _queries(client_for(system_admin), reverse("office:about"))
    assert not any(q.lstrip().startswith('SELECT "office_staff"') for q in queries)


def test_a_deactivated_person_is_signed_out(client_for, clerk):
    client = client_for(clerk)
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    response = client.get(reverse("office:about"))
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_sessions_survive_a_cache_that_is_down(settings, client_for, clerk):
    """With a memory cache the sessions are cached_db (office.sessions); a cache that does not
    answer (nothing listens on port 1) costs the database read, never the page."""
    settings.CACHES = {
        **settings.CACHES,
        "sessions": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }
    settings.SESSION_CACHE_ALIAS = "sessions"
    settings.SESSION_ENGINE = "office.sessions"
    client = client_for(clerk)
    assert client.get(reverse("office:about")).status_code == 200
    client.logout()
    assert client.get(reverse("office:about")).status_code == 302
