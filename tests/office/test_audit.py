"""The audit trail: append-only, hash-chained, verified (SECURITY.md S-37)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from office.models import AuditEntry
from office.services.audit import audit_record, verify_chain

from ..conftest import requires_postgres

pytestmark = pytest.mark.django_db


def _entries(n: int) -> list[AuditEntry]:
    return [audit_record(action="test.write", object_repr=f"条目{i}") for i in range(n)]


def _tamper(sql: str, params: list) -> None:
    """Change a row behind the application's back, as a database superuser could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        cursor.execute(sql, params)


def test_entries_chain_to_each_other():
    a, b, c = _entries(3)
    assert b.prev_hash == a.hash and c.prev_hash == b.hash
    assert list(verify_chain()) == []
    call_command("verify_audit", verbosity=0)


def test_a_changed_row_is_detected():
    entries = _entries(5)
    with transaction.atomic():
        _tamper("UPDATE office_auditentry SET comment = %s WHERE id = %s", ["改过", entries[2].pk])
    breaks = list(verify_chain())
    assert [b.entry_id for b in breaks] == [entries[2].pk]
    with pytest.raises(CommandError, match=f"entry {entries[2].pk}"):
        call_command("verify_audit", verbosity=0)


def test_a_removed_row_is_detected():
    entries = _entries(5)
    with transaction.atomic():
        _tamper("DELETE FROM office_auditentry WHERE id = %s", [entries[2].pk])
    assert [b.entry_id for b in verify_chain()] == [entries[3].pk]


def test_the_model_refuses_updates_and_deletes():
    entry = _entries(1)[0]
    entry.comment = "x"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@requires_postgres
def test_the_database_refuses_updates_and_recent_deletes():
    entry = _entries(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(comment="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk)._raw_delete(connection.alias)
    assert AuditEntry.objects.filter(pk=entry.pk, comment="").exists()


def test_every_entry_has_time_with_offset_actor_and_address(client_for, clerk):
    client = Client(REMOTE_ADDR="10.1.2.3")
    from django.conf import settings

    client.post("/accounts/login/", {"username": "clerk", "password": settings.DEMO_PASSWORD})
    entry = AuditEntry.objects.filter(action="auth.sign_in").latest("pk")
    assert entry.actor == clerk and entry.address == "10.1.2.3"
    assert entry.at.utcoffset() is not None
    assert "刘晓东" in entry.actor_name


def test_failed_sign_ins_and_lock_outs_are_audited(demo_office):
    from django.conf import settings

    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post("/accounts/login/", {"username": "clerk", "password": "Wrong-Pass-123"})
    failures = AuditEntry.objects.filter(action="auth.sign_in_failed", outcome="failure")
    assert failures.count() >= settings.AXES_FAILURE_LIMIT
    assert AuditEntry.objects.filter(action="auth.locked_out", outcome="refused").exists()
    assert list(verify_chain()) == []


def test_the_audit_admin_reads_the_trail_and_nobody_edits_it(client_for, audit_admin):
    entry = _entries(1)[0]
    client = client_for(audit_admin)
    assert client.get("/manage/office/auditentry/").status_code == 200
    response = client.get(f"/manage/office/auditentry/{entry.pk}/change/")
    assert response.status_code == 200 and 'name="_save"' not in response.content.decode()
    assert (
        client.post(f"/manage/office/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
