"""`manage.py restore DIR`: restore a backup into an EMPTY database and media folder, then check
row counts, media hashes and the audit chain before declaring success (office.backup)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from office import backup


class Command(BaseCommand):
    help = "Restore a backup folder into an empty database and verify it."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a folder written by manage.py backup")

    def handle(self, *args, folder: str, **options):
        try:
            manifest = backup.restore(Path(folder))
        except backup.BackupError as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"restore verified: {sum(manifest['tables'].values()):,} rows in "
                f"{len(manifest['tables'])} tables, {len(manifest['media'])} media files, "
                f"audit chain intact ({manifest['audit']['entries']} entries)"
            )
        )
