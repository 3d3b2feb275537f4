"""Joins the incoming documents' grantees/indexes branch (0005–0007) and the outgoing seals,
fonts and files (0005), and syncs the roles once both sets of models exist (each branch's own
sync ran without the other's permissions)."""

from django.db import migrations

from office.roles import sync_roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_outgoing_seals_fonts_files"),
        ("documents", "0007_sort_indexes"),
    ]

    operations = [migrations.RunPython(sync_roles_migration, migrations.RunPython.noop)]
