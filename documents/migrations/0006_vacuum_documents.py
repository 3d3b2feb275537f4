"""VACUUM (ANALYZE) the incoming documents on PostgreSQL after 0005 wrote a new version of every
row: the dead versions go, the visibility map is set again (the covering indexes of 0005 answer
counts without reading the table only for all-visible pages) and the planner gets statistics for
the new column and index expressions. VACUUM cannot run in a transaction, hence a migration of
its own, not atomic; it changes no data, so running it again is harmless."""

from django.db import migrations


def vacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) documents_incomingdocument")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("documents", "0005_grantees"),
    ]

    operations = [
        migrations.RunPython(vacuum, migrations.RunPython.noop),
    ]
