"""`manage.py backup [--output DIR]`: a consistent pg_dump (custom format), the media folder and
a manifest of hashes, counts and the audit chain's head (office.backup; SECURITY.md S-36)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from office import backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and the media folder, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default="",
            help="the folder to create (default: var/backups/<UTC time>)",
        )

    def handle(self, *args, output: str, **options):
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = Path(output) if output else Path(settings.BASE_DIR) / "var" / "backups" / stamp
        try:
            result = backup.backup(folder)
        except (backup.BackupError, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        m = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"backup written to {folder}: {m['database']['size']:,} bytes of database "
                f"({sum(m['tables'].values()):,} rows in {len(m['tables'])} tables), "
                f"{len(m['media'])} media files, {m['audit']['entries']} audit entries"
            )
        )
