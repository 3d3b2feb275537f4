"""The office's benchmarks: the framework floor and the staff list at 5,000 staff."""

from __future__ import annotations

import io
import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max

from bench.fake import person_name
from bench.registry import page, scaled, seeder, url
from office import demo
from office.models import Section, Staff, Unit
from office.roles import Role

STAFF_VOLUME = 5_000
BATCH = 1_000
# Bench staff have badge numbers B00001, B00002, …; the demo people's never start with B.
BADGE_PREFIX = "B"
# One password hash for every bench account: hashing 5,000 times would dominate the seeding.
BENCH_PASSWORD = "Bench-Staff-2026"

# Where bench staff work, per 100 people. 街道办 coordinates the sub-districts and has most
# staff, so that `?section=subdistrict&page=50` is a real page 50 at full volume.
PLACES_PER_100 = {
    "subdistrict": 52,
    "general": 12,
    "secretariat": 12,
    "administration": 10,
    "supervision": 5,
    "legal": 4,
    "logistics": 3,  # subordinate units: section is empty, unit is set
    "info-centre": 2,
}
POSTS = [
    ("科员", 40),
    ("一级科员", 12),
    ("办事员", 10),
    ("四级主任科员", 10),
    ("三级主任科员", 6),
    ("副科长", 8),
    ("科长", 3),
    ("信息员", 4),
    ("工勤人员", 5),
    ("", 2),
]


def _bench_staff():
    return Staff.objects.filter(badge_number__startswith=BADGE_PREFIX)


@seeder("demo")
def seed_demo(scale: float) -> str:
    """The demo office (sections, units, one person per role); seed_demo is idempotent itself
    and brings an existing bench database up to date, so it always runs (< 1 s when present).

    seed_demo hashes each new account's password separately (17 × ~1 s of PBKDF2); creating the
    missing demo accounts first with one shared hash of the same password makes it skip that.
    """
    existing = set(
        User.objects.filter(username__in=[p[0] for p in demo.PEOPLE]).values_list(
            "username", flat=True
        )
    )
    if len(existing) < len(demo.PEOPLE):
        password = make_password(settings.DEMO_PASSWORD)
        User.objects.bulk_create(
            User(username=username, last_name=family, first_name=given, password=password)
            for username, family, given, *_ in demo.PEOPLE
            if username not in existing
        )
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue().strip()


@seeder("staff", needs=("demo",))
def seed_staff(scale: float) -> str:
    """5,000 staff with accounts. Each number's data depends on the number alone, so adding
    the missing ones to a smaller run gives the same rows as seeding from nothing."""
    target = scaled(STAFF_VOLUME, scale)
    have = _bench_staff().count()
    if have >= target:
        return f"{have:,} bench staff present (marker: badge numbers {BADGE_PREFIX}…)"
    # Each batch commits whole; new numbers follow the highest one present.
    last = _bench_staff().aggregate(last=Max("badge_number"))["last"]
    first = int(last[len(BADGE_PREFIX) :]) + 1 if last else 1
    end = first + target - have
    password = make_password(BENCH_PASSWORD)
    group = Group.objects.get(name=Role.STAFF)
    sections = {s.code: s for s in Section.objects.filter(code__in=PLACES_PER_100)}
    units = {u.code: u for u in Unit.objects.filter(code__in=PLACES_PER_100)}
    missing = set(PLACES_PER_100) - set(sections) - set(units)
    if missing:
        raise RuntimeError(f"places missing from the demo office: {sorted(missing)}")
    slots = [code for code, n in PLACES_PER_100.items() for _ in range(n)]
    random.Random("bench-places").shuffle(slots)
    posts, post_weights = zip(*POSTS, strict=True)
    for start in range(first, end, BATCH):
        numbers = range(start, min(start + BATCH, end))
        users, staff = [], []
        for n in numbers:
            rng = random.Random(f"bench-staff-{n}")
            family, given = person_name(rng)
            users.append(
                User(
                    username=f"b{n:05d}",
                    last_name=family,
                    first_name=given,
                    password=password,
                    is_active=rng.random() >= 0.03,  # a few have left
                )
            )
            place = slots[n % len(slots)]
            staff.append(
                Staff(
                    section=sections.get(place),
                    unit=units.get(place),
                    post=rng.choices(posts, weights=post_weights)[0],
                    badge_number=f"{BADGE_PREFIX}{n:05d}",
                    phone="" if rng.random() < 0.1 else f"0482-83{n:05d}",
                    in_public_directory=rng.random() >= 0.05,
                    display_order=100 + rng.randrange(50),
                )
            )
        with transaction.atomic():
            User.objects.bulk_create(users, batch_size=BATCH)
            if any(u.pk is None for u in users):  # a backend that returns no ids
                ids = dict(
                    User.objects.filter(username__in=[u.username for u in users]).values_list(
                        "username", "pk"
                    )
                )
                for u in users:
                    u.pk = ids[u.username]
            for u, s in zip(users, staff, strict=True):
                s.user_id = u.pk
            User.groups.through.objects.bulk_create(
                [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users],
                batch_size=BATCH,
            )
            Staff.objects.bulk_create(staff, batch_size=BATCH)
    return f"created {target - have:,} bench staff ({target:,} in all)"


def _staff_rows() -> int:
    return Staff.objects.count()


# The framework floor: a signed-in page rendering a trivial template (the shell only).
page(
    "floor (about)",
    url("office:about"),
    persona="clerk",
    volume_note="shell only",
    needs=("demo",),
)

_STAFF = {
    "persona": "clerk",  # 工作人员, has office.view_staff
    "volume_note": f"{STAFF_VOLUME:,} staff",
    "needs": ("staff",),
    "rows": _staff_rows,
}
page("staff: page 1", url("office:staff_list"), **_STAFF)
page("staff: search 王", url("office:staff_list", q="王"), **_STAFF)
page(
    "staff: section, name, p50",
    url("office:staff_list", section="subdistrict", sort="name", page=50),
    **_STAFF,
)
