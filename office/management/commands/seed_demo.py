"""`manage.py seed_demo`: create (or bring up to date) the demo office. Idempotent."""

from __future__ import annotations

import datetime as dt
import importlib

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from office import demo
from office.charter import seed_office
from office.models import Section, Staff, Unit, UnitKind
from office.roles import ADMIN_SITE_ROLES

# Apps whose demo records are seeded after the office, in this order (later ones may use earlier).
APP_DEMOS = ("documents", "supervision", "petitions", "meetings", "portal")


class Command(BaseCommand):
    help = (
        "Create the demo office: seed_office's real structure, plus one person per role and "
        "demo records. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=settings.DEMO_PASSWORD,
            help="Password for the demo accounts (only set when an account is created).",
        )

    @transaction.atomic
    def handle(self, *args, password: str, **options):
        seed_office()  # the real structure and reference data; the demo adds people
        sections = {s.code: s for s in Section.objects.all()}
        units = {}
        for kind, rows in (
            (UnitKind.SUBORDINATE, demo.SUBORDINATE_UNITS),
            (UnitKind.EXTERNAL, demo.EXTERNAL_UNITS),
        ):
            for order, (code, name, short) in enumerate(rows, start=1):
                units[code], _ = Unit.objects.update_or_create(
                    code=code,
                    defaults={
                        "name": name,
                        "short_name": short,
                        "kind": kind,
                        "display_order": order,
                    },
                )
        created = 0
        for order, (username, family, given, role, place, post, badge, heads) in enumerate(
            demo.PEOPLE, start=1
        ):
            user, is_new = User.objects.get_or_create(
                username=username, defaults={"last_name": family, "first_name": given}
            )
            # A reserved domain (RFC 2606): the demo shows e-mail on the console, never sends it.
            user.email = user.email or f"{username}@zhengban.example"
            if is_new:
                user.set_password(password)
                created += 1
            user.is_staff = role in ADMIN_SITE_ROLES
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            staff, _ = Staff.objects.update_or_create(
                user=user,
                defaults={
                    "badge_number": badge,
                    "post": post,
                    "section": sections.get(place),
                    "unit": units.get(place),
                    "phone": f"0482-82{order:05d}",
                    "display_order": order,
                    "in_public_directory": role not in ADMIN_SITE_ROLES,
                },
            )
            if heads and place in sections:
                Section.objects.filter(pk=sections[place].pk).update(head=staff)
        for code, username in demo.LEADERS_IN_CHARGE.items():
            Section.objects.filter(code=code).update(
                leader_in_charge=User.objects.get(username=username)
            )
        work = self._seed_work()
        app_lines = self._seed_apps()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo office ready: {len(sections)} sections, {len(units)} units, "
                f"{len(demo.PEOPLE)} people ({created} new accounts), {work} new work items."
            )
        )
        for line in app_lines:
            self.stdout.write(f"  {line}")

    def _seed_apps(self) -> list[str]:
        """Each app may bring demo records of its own: `<app>/demo.py` with
        `seed_demo() -> str` (idempotent, returns one line for the log)."""
        lines = []
        for label in APP_DEMOS:
            try:
                module = importlib.import_module(f"{label}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{label}.demo":
                    raise
                continue
            lines.append(f"{label}: {module.seed_demo()}")
        return lines

    def _seed_work(self) -> int:
        """A few open items per demo person, in all three lights. Only once."""
        from office.models import WorkItem
        from office.services.workitems import workitem_open

        if WorkItem.objects.filter(title=demo.WORK[0][1]).exists():
            return 0
        now = timezone.now()
        secretary = User.objects.get(username="secretary")
        for username, title, kind, action, urgency, hours in demo.WORK:
            user = User.objects.get(username=username)
            workitem_open(
                title=title,
                kind=kind,
                action=action,
                urgency=urgency,
                assignee=user,
                section=getattr(getattr(user, "staff", None), "section", None),
                actor=secretary,
                start=now - dt.timedelta(days=3),
                due_at=now + dt.timedelta(hours=hours),
                now=now,
                notify_people=False,
            )
        return len(demo.WORK)
