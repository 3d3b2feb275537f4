"""The Chinese search index (PostgreSQL only) and the roles' new permissions."""

from django.db import migrations

from office.roles import sync_roles_migration

INDEX = (
    "CREATE INDEX IF NOT EXISTS incoming_search_gin ON documents_incomingdocument "
    "USING gin (to_tsvector('simple', search_text))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS incoming_search_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_incoming"),
        ("office", "0004_spine_data"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(sync_roles_migration, migrations.RunPython.noop),
    ]
