"""`manage.py petition_stats --rebuild` recomputes the statistics' monthly cells from the
records; `--check YEAR` compares the cells with a direct computation from the records."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Rebuild or check the petition statistics' monthly pre-aggregates."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute from the records")
        parser.add_argument("--check", type=int, metavar="YEAR", help="compare with the records")

    def handle(self, *args, rebuild=False, check=None, **options):
        from petitions import stats

        if not rebuild and check is None:
            raise CommandError("Say --rebuild or --check YEAR.")
        if rebuild:
            cells = stats.rebuild()
            self.stdout.write(f"rebuilt {cells:,} cells")
        if check is not None:
            differences = stats.check(check)
            for line in differences:
                self.stdout.write(line)
            if differences:
                raise CommandError(f"{len(differences)} differences in {check}")
            self.stdout.write(f"{check}: the cells agree with the records")
