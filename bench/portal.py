"""The public portal at volume: the public directory over the 5,000 bench staff (seeder `staff`
of bench/office.py), 200,000 ratings from the public over a year, 100,000 first-inquiry desk
entries.

- seeder `portal-evaluations`: ratings of bench staff, one in ten with a comment (most of them
  moderated), spread over the twelve months before the anchor; marker: client "bench-…".
- seeder `portal-desk`: desk entries logged by the clerk, handed to bench staff; marker: visitor
  "bench-…".
- pages: the public home page and directory (anonymous), a section's directory page 50, a
  person's page; the moderation queue, the month's results and the desk list for staff. Each
  keeps the same number of queries whatever the volume behind it.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from bench.registry import page, scaled, seeder, url
from office.models import Staff
from portal.models import CommentState, Evaluation, Inquiry, InquiryResult, Rating

EVALUATIONS = 200_000
DESK = 100_000
BATCH = 5_000
# Fixed, so runs on any date seed the same rows.
ANCHOR = dt.datetime(2026, 11, 15, 10, 0, tzinfo=dt.UTC)
RATINGS = [(Rating.SATISFIED, 80), (Rating.FAIRLY, 15), (Rating.DISSATISFIED, 5)]


def _bench_staff() -> list[tuple[int, int | None]]:
    return list(
        Staff.objects.filter(badge_number__startswith="B", in_public_directory=True)
        .order_by("pk")
        .values_list("pk", "section_id")
    )


@seeder("portal-evaluations", needs=("staff",))
def seed_evaluations(scale: float) -> str:
    target = scaled(EVALUATIONS, scale)
    marked = Evaluation.objects.filter(client__startswith="bench-")
    have = marked.count()
    if have >= target:
        return f"{have:,} bench ratings present"
    people = _bench_staff()
    ratings, weights = zip(*RATINGS, strict=True)
    for start in range(have, target, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, target)):
            rng = random.Random(f"bench-eval-{n}")
            staff_id, section_id = people[n % len(people)]
            commented = rng.random() < 0.1
            rows.append(
                Evaluation(
                    staff_id=staff_id,
                    section_id=section_id,
                    rating=rng.choices(ratings, weights=weights)[0],
                    comment=f"意见{n}" if commented else "",
                    comment_state=(
                        (CommentState.PENDING if rng.random() < 0.05 else CommentState.APPROVED)
                        if commented
                        else CommentState.NONE
                    ),
                    client=f"bench-{n % 5000}",
                    created_at=ANCHOR - dt.timedelta(minutes=rng.randrange(365 * 24 * 60)),
                )
            )
        with transaction.atomic():
            Evaluation.objects.bulk_create(rows, batch_size=BATCH)
    return f"created {target - have:,} bench ratings ({target:,} in all)"


@seeder("portal-desk", needs=("staff",))
def seed_desk(scale: float) -> str:
    from django.contrib.auth.models import User

    target = scaled(DESK, scale)
    marked = Inquiry.objects.filter(visitor__startswith="bench-")
    have = marked.count()
    if have >= target:
        return f"{have:,} bench desk entries present"
    clerk = User.objects.get(username="clerk")
    first = Staff.objects.get(user=clerk)
    people = _bench_staff()
    for start in range(have, target, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, target)):
            rng = random.Random(f"bench-desk-{n}")
            rows.append(
                Inquiry(
                    visitor=f"bench-{n}",
                    matter="咨询办事流程",
                    first_responder=first,
                    handler_id=people[n % len(people)][0],
                    result=InquiryResult.HANDED_OVER,
                    received_at=ANCHOR - dt.timedelta(minutes=rng.randrange(365 * 24 * 60)),
                    created_by=clerk,
                )
            )
        with transaction.atomic():
            Inquiry.objects.bulk_create(rows, batch_size=BATCH)
    return f"created {target - have:,} bench desk entries ({target:,} in all)"


def _staff_rows() -> int:
    return Staff.objects.count()


_PUBLIC = {"persona": None, "volume_note": "5,000 staff", "needs": ("staff",), "rows": _staff_rows}
page("portal: public home", url("portal:home"), **_PUBLIC)
page("portal: directory p1", url("portal:directory"), **_PUBLIC)
page(
    "portal: directory 街道办 p50",
    url("portal:directory", section="subdistrict", page=50),
    **_PUBLIC,
)


def _person_url() -> str:
    from django.urls import reverse

    person = (
        Staff.objects.in_public_directory()
        .filter(badge_number__startswith="B")
        .order_by("pk")
        .first()
    )
    return reverse("portal:person", args=[person.badge_number])


page(
    "portal: person",
    _person_url,
    **{**_PUBLIC, "volume_note": "200,000 ratings", "needs": ("portal-evaluations",)},
)
page(
    "portal: moderation queue",
    url("portal_staff:moderation"),
    persona="supervisor",
    volume_note="200,000 ratings",
    needs=("portal-evaluations",),
    rows=lambda: Evaluation.objects.count(),
)
page(
    "portal: results 2026-10",
    url("portal_staff:results", month="2026-10"),
    persona="supervisor",
    volume_note="200,000 ratings",
    needs=("portal-evaluations",),
    rows=lambda: Evaluation.objects.count(),
)
page(
    "portal: desk p1",
    url("portal_staff:desk"),
    persona="supervisor",
    volume_note="100,000 desk entries",
    needs=("portal-desk",),
    rows=lambda: Inquiry.objects.count(),
)
