"""The audit trail is append-only for the application's own database role (SECURITY.md S-37)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from office.models import AuditEntry
from office.services.audit import audit_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles need PostgreSQL"),
]

ROLE = "zb_test_app_role"


@pytest.fixture
def app_role(demo_office):
    # Inside the test's transaction: the role and its grants are rolled back afterwards.
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
    call_command("grant_app_role", ROLE, verbosity=0)
    return ROLE


def _as(role, sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(sql, params)
        return cursor.rowcount


def test_the_app_role_appends_to_the_audit_trail_but_cannot_change_or_remove_it(app_role):
    entry = audit_record(action="test.app_role", object_repr="before")
    # Reading and appending work, as does everything else the application does.
    assert _as(app_role, "SELECT 1 FROM office_auditentry WHERE id = %s", [entry.pk]) == 1
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {app_role}")
        appended = audit_record(action="test.app_role", object_repr="appended by the app role")
    assert AuditEntry.objects.get(pk=appended.pk).prev_hash == entry.hash
    assert _as(app_role, "UPDATE office_section SET name = name WHERE false") == 0
    for sql in (
        "UPDATE office_auditentry SET object_repr = 'after' WHERE id = %s",
        "DELETE FROM office_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="permission denied"):
            _as(app_role, sql, [entry.pk])
    with pytest.raises(DatabaseError, match="permission denied"):
        _as(app_role, "TRUNCATE office_auditentry CASCADE")
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "before"


def test_the_command_refuses_an_unknown_role_and_prints_its_sql(demo_office, capsys):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("grant_app_role", "no_such_role_zb")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
    call_command("grant_app_role", ROLE, "--print")
    out = capsys.readouterr().out
    assert f'REVOKE UPDATE, DELETE, TRUNCATE ON "office_auditentry" FROM "{ROLE}"' in out
