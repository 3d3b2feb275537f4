"""Seed the working calendar (2004–2026, from chinesecalendar), the regulations' default
time limits, the audit chain's head, and the append-only trigger on PostgreSQL."""

import datetime as dt

from django.db import migrations

from office.reference import seed_calendar, seed_chain, seed_rules
from office.roles import sync_roles_migration

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION office_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.at < now() - interval '184 days' THEN
    RETURN OLD;  -- retention purge of entries older than 184 days is allowed
  END IF;
  RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS office_audit_append_only ON office_auditentry;
CREATE TRIGGER office_audit_append_only BEFORE UPDATE OR DELETE ON office_auditentry
  FOR EACH ROW EXECUTE FUNCTION office_audit_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS office_audit_append_only ON office_auditentry;
DROP FUNCTION IF EXISTS office_audit_append_only();
"""


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY, params=None)


class Migration(migrations.Migration):
    dependencies = [("office", "0003_spine")]

    operations = [
        migrations.RunPython(seed_calendar, migrations.RunPython.noop),
        migrations.RunPython(seed_rules, migrations.RunPython.noop),
        migrations.RunPython(seed_chain, migrations.RunPython.noop),
        migrations.RunPython(append_only, drop_append_only),
        migrations.RunPython(sync_roles_migration, migrations.RunPython.noop),
    ]
