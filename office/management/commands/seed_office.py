"""`manage.py seed_office`: start a real office — its structure and reference data, no person,
no demo record (office.charter). Then create the first security admin with `createsuperuser`."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from office.charter import seed_office


class Command(BaseCommand):
    help = (
        "Create the office's sections, subordinate units, sub-districts and 永联镇, the working "
        "calendar and the time-limit rules. Creates no account. Safe to run again."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        made = seed_office()
        summary = ", ".join(f"{n} {what}" for what, n in made.items())
        self.stdout.write(self.style.SUCCESS(f"Office ready: {summary}."))
        self.stdout.write(
            "Next: manage.py createsuperuser (the first security admin), then give the three "
            "admin roles to three people in /manage/ and deactivate that account."
        )
