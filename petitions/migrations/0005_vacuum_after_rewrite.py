"""VACUUM (ANALYZE) the petitions after 0004 rewrote the table (PostgreSQL only).

Adding the stored generated column rewrites every row and leaves the visibility map empty, so
the case list's capped count (an index-only scan over `petition_received`) visits the heap for
every row until autovacuum comes round; at 1,000,000 petitions that doubled the case list. VACUUM
cannot run inside a transaction: this migration is not atomic and does nothing else."""

from django.db import migrations


def vacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("VACUUM (ANALYZE) petitions_petition")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("petitions", "0004_content_index")]

    operations = [migrations.RunPython(vacuum, migrations.RunPython.noop, atomic=False)]
