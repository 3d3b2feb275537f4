"""督查通报: the monthly bulletin, generated from the records (DOMAIN.md §5.2, 通报).

The figures are computed from the tasks (closed on time, closed late, overdue, by unit, with
the units named) when the draft is made and again on request while it is a draft; the
supervision section writes the commentary; issuing freezes it and gives it its number (gapless,
assigned at issue, never at drafting). The PDF and the Excel file are drawn from the frozen
figures, so what was issued is what is printed.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from office.services import TransitionError
from office.services.audit import audit_record
from office.services.notify import notify

from .models import RUNNING_STATES, Bulletin, BulletinState, SupervisionTask, TaskState

MAX_LISTED = 300  # tasks named per list: keeps the PDF bounded (office.pdf input limits)


def _month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime, dt.date]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    last = _calendar.monthrange(year, month)[1]
    end = start + dt.timedelta(days=last)
    return start, end, dt.date(year, month, last)


def _name(row: dict, prefix: str = "") -> str:
    return (
        row.get(f"{prefix}lead_section__name")
        or row.get(f"{prefix}lead_unit__short_name")
        or row.get(f"{prefix}lead_unit__name")
        or "—"
    )


def compute_figures(year: int, month: int, *, now=None) -> dict:
    """The bulletin's figures for a month, in a handful of queries whatever the volume."""
    now = now or timezone.now()
    start, end, last_day = _month_bounds(year, month)
    as_of = min(timezone.localdate(now), last_day + dt.timedelta(days=1))
    closed = SupervisionTask.objects.filter(
        state=TaskState.CLOSED, closed_at__gte=start, closed_at__lt=end
    )
    overdue = SupervisionTask.objects.filter(state__in=RUNNING_STATES, due_on__lt=as_of)
    fields = [
        "number",
        "title",
        "due_on",
        "lead_section__name",
        "lead_unit__short_name",
        "lead_unit__name",
    ]

    def listed(qs):
        return [
            {
                "number": r["number"],
                "title": r["title"],
                "unit": _name(r),
                "due_on": r["due_on"].isoformat() if r["due_on"] else "",
            }
            for r in qs.order_by("due_on", "pk").values(*fields)[:MAX_LISTED]
        ]

    units: dict[str, dict] = {}
    group = ["lead_section__name", "lead_unit__short_name", "lead_unit__name"]
    for r in (
        closed.values(*group)
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
        .order_by()
    ):
        u = units.setdefault(_name(r), {"closed": 0, "on_time": 0, "late": 0, "overdue": 0})
        u["closed"] += r["n"]
        u["on_time"] += r["on_time"]
        u["late"] += r["n"] - r["on_time"]
    for r in overdue.values(*group).annotate(n=Count("pk")).order_by():
        u = units.setdefault(_name(r), {"closed": 0, "on_time": 0, "late": 0, "overdue": 0})
        u["overdue"] += r["n"]
    by_unit = [
        {
            "unit": name,
            **u,
            "rate": round(u["on_time"] / u["closed"] * 100) if u["closed"] else None,
        }
        for name, u in units.items()
    ]
    by_unit.sort(key=lambda u: (u["rate"] is None, -(u["rate"] or 0), u["overdue"], u["unit"]))
    totals = {
        "closed": sum(u["closed"] for u in by_unit),
        "on_time": sum(u["on_time"] for u in by_unit),
        "late": sum(u["late"] for u in by_unit),
        "overdue": sum(u["overdue"] for u in by_unit),
        "opened": SupervisionTask.objects.filter(opened_at__gte=start, opened_at__lt=end).count(),
    }
    return {
        "year": year,
        "month": month,
        "as_of": as_of.isoformat(),
        "totals": totals,
        "by_unit": by_unit,
        "on_time": listed(closed.filter(on_time=True)),
        "late": listed(closed.filter(on_time=False)),
        "overdue": listed(overdue),
    }


def _require_manager(by) -> None:
    if by is not None and not by.has_perm("supervision.manage_supervisiontask"):
        raise PermissionDenied(_("Only the supervision section prepares bulletins."))


def bulletin_draft(*, by, year: int, month: int, now=None) -> Bulletin:
    """Make the month's draft (or refresh its figures while it is a draft). `by=None`: the
    monthly beat job."""
    now = now or timezone.now()
    _require_manager(by)
    if not (1 <= month <= 12) or not (2000 <= year <= 2100):
        raise ValidationError(_("Choose a month."))
    if dt.date(year, month, 1) > timezone.localdate(now):
        raise ValidationError(_("A bulletin covers a month that has begun."))
    figures = compute_figures(year, month, now=now)
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().filter(year=year, month=month).first()
        if bulletin is None:
            try:
                with transaction.atomic():
                    bulletin = Bulletin.objects.create(
                        year=year, month=month, figures=figures, created_by=by, created_at=now
                    )
            except IntegrityError as exc:  # made by a concurrent call: refresh that one
                raise TransitionError(_("This bulletin was just made; reload the page.")) from exc
            action = "supervision.bulletin_draft"
        else:
            if bulletin.state != BulletinState.DRAFT:
                raise TransitionError(_("This bulletin has been issued and cannot change."))
            bulletin.figures = figures
            bulletin.save(update_fields=["figures"])
            action = "supervision.bulletin_refresh"
        audit_record(action=action, actor=by, obj=bulletin, changes=figures["totals"], now=now)
    return bulletin


def bulletin_edit(*, bulletin: Bulletin, by, commentary: str, now=None) -> Bulletin:
    now = now or timezone.now()
    if by is None:
        raise PermissionDenied(_("Only the supervision section prepares bulletins."))
    _require_manager(by)
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if bulletin.state != BulletinState.DRAFT:
            raise TransitionError(_("This bulletin has been issued and cannot change."))
        bulletin.commentary = commentary.strip()
        bulletin.save(update_fields=["commentary"])
        audit_record(action="supervision.bulletin_edit", actor=by, obj=bulletin, now=now)
    return bulletin


def bulletin_issue(*, bulletin: Bulletin, by, now=None) -> Bulletin:
    """印发: freeze the figures, give the number, tell the leaders."""
    from django.contrib.auth import get_user_model

    from office.numbers import next_number
    from office.roles import Role

    now = now or timezone.now()
    if by is None:
        raise PermissionDenied(_("Only the supervision section prepares bulletins."))
    _require_manager(by)
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if bulletin.state != BulletinState.DRAFT:
            raise TransitionError(_("This bulletin has already been issued."))
        if not bulletin.commentary.strip():
            raise ValidationError(_("Write the commentary before issuing the bulletin."))
        year = timezone.localdate(now).year
        bulletin.number = f"督查通报〔{year}〕{next_number('supervision:bulletin', year)}号"
        bulletin.state = BulletinState.ISSUED
        bulletin.issued_at, bulletin.issued_by = now, by
        bulletin.save()
        audit_record(
            action="supervision.bulletin_issue",
            actor=by,
            obj=bulletin,
            from_state=BulletinState.DRAFT,
            to_state=BulletinState.ISSUED,
            now=now,
        )
        leaders = get_user_model().objects.filter(groups__name=Role.LEADER, is_active=True)
        notify(
            recipients=list(leaders),
            title=_("Supervision bulletin issued: %(n)s") % {"n": bulletin.number},
            url=bulletin.get_absolute_url(),
            now=now,
        )
    return bulletin


def draft_last_month(*, now=None) -> Bulletin | None:
    """The monthly beat job: on the first days of a month, the previous month's draft."""
    now = now or timezone.now()
    first = timezone.localdate(now).replace(day=1)
    last_month = first - dt.timedelta(days=1)
    if Bulletin.objects.filter(year=last_month.year, month=last_month.month).exists():
        return None
    return bulletin_draft(by=None, year=last_month.year, month=last_month.month, now=now)
