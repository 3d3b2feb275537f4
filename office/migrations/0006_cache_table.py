"""The database cache table (CACHES, `dbcache://zhengban_cache`): created by `migrate`, so
every environment that migrates has it (createcachetable skips a table that exists)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("office", "0005_workitem_open_unassigned")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
