"""The inbox (待办/已办), a work item's page and its actions, notifications, the register."""

from __future__ import annotations

import functools
import operator

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from . import workcalendar
from .forms import CompleteForm, ExtendForm, MonthForm, ReasonForm, UrgeForm
from .models import Notification, Section, TrafficLight, WorkItem, WorkKind, WorkState
from .models.workitems import waiting_for_parts
from .owners import openable_q, owner_of, refused_message
from .register import monthly_register, totals
from .services import TransitionError
from .services import workitems as svc
from .services.audit import audit_record

PAGE_SIZE = 50

# Lazy: translated per request (LocaleMiddleware), not once in the language active at import.
TABS = {
    "todo": gettext_lazy("To do"),
    "done": gettext_lazy("Done by me"),
    "section": gettext_lazy("My section"),
    "assigned": gettext_lazy("Assigned by me"),
}


def _headed_section_ids(user) -> list[int]:
    cached = getattr(user, "_zb_headed", None)
    if cached is None:
        cached = list(Section.objects.filter(head__user=user).values_list("pk", flat=True))
        user._zb_headed = cached
    return cached


class InOrder:
    """Open work that is the union of disjoint parts, in inbox order, for the Paginator.

    One OR across two indexes (the person's work, their section's unassigned work) cannot be
    read in order: PostgreSQL would fetch every matching row (16,000 for a busy person at a
    million work items) to sort them for one page of 50. Part by part it reads each index in
    order and stops: a page takes the first `offset + 50` entries of each part (UNION ALL), picks
    the page's 50 ids among them and only then reads those rows; the count adds the parts'
    counts, each an index-only scan. Two queries, however many rows there are.
    """

    ordered = True  # for the Paginator: the order is the inbox's

    def __init__(self, items, parts: list[Q]):
        self.items = items  # open work, filtered but not narrowed to anyone
        self.parts = parts

    def filter(self, *args, **kwargs) -> InOrder:
        return InOrder(self.items.filter(*args, **kwargs), self.parts)

    def alias(self, **kwargs) -> InOrder:
        return InOrder(self.items.alias(**kwargs), self.parts)

    def open(self) -> InOrder:
        return InOrder(self.items.open(), self.parts)

    def count(self) -> int:
        ones = [self.items.filter(p).order_by().values(one=Value(1)) for p in self.parts]
        return ones[0].union(*ones[1:], all=True).count() if len(ones) > 1 else ones[0].count()

    def __getitem__(self, key: slice):
        if not isinstance(key, slice) or key.stop is None:
            raise TypeError("InOrder supports slices with an end only")
        if key.stop <= (key.start or 0):
            return []
        if len(self.parts) == 1 or not connection.features.supports_slicing_ordering_in_compound:
            either = functools.reduce(operator.or_, self.parts)  # SQLite: LIMIT in a UNION
            return list(self.items.filter(either).for_inbox()[key])
        order = WorkItem.objects.for_inbox().query.order_by
        keys = ("pk", "priority", "due_at")
        firsts = [
            self.items.filter(p).order_by(*order).values_list(*keys)[: key.stop] for p in self.parts
        ]
        # The page's ids are picked among the candidates before any row is joined: the planner
        # would otherwise join and sort every candidate (10,000 wide rows on page 100).
        page = firsts[0].union(*firsts[1:], all=True).order_by(*order)[key]
        sql, params = page.query.sql_with_params()
        ids = RawSQL(f"SELECT {connection.ops.quote_name('pk')} FROM ({sql}) AS page", params)
        return list(self.items.filter(pk__in=ids).for_inbox())


def inbox_queryset(user, staff, tab: str):
    items = WorkItem.objects.all()
    if tab == "done":
        return (
            items.done_by(user)
            .select_related("section", "unit", "assignee")
            .order_by("-completed_at", "-pk")
        )
    if tab == "section":
        items = items.open().filter(section_id__in=_headed_section_ids(user))
        items = items.filter(Q(assignee=user) | openable_q(user))
    elif tab == "assigned":
        items = items.assigned_by(user)
    else:  # as items.waiting_for(user, staff), read part by part
        return InOrder(items.open(), waiting_for_parts(user, staff))
    return items.for_inbox()


@login_required
def inbox(request):
    """待办 / 已办: all the person's work across the apps, 特急 first, then by deadline."""
    user = request.user
    staff = getattr(user, "_zb_staff", None) or svc.staff_of(user)
    if staff is not None:
        staff.user = user  # the shell shows the person's name: no second query for the user
    tab = request.GET.get("tab", "todo")
    if tab not in TABS or (tab == "section" and not _headed_section_ids(user)):
        tab = "todo"
    items = inbox_queryset(user, staff, tab)
    kind = request.GET.get("kind", "")
    if kind in WorkKind.values:
        items = items.filter(kind=kind)
    now = timezone.now()
    light = request.GET.get("light", "")
    if tab != "done" and light in TrafficLight.values:
        # As WorkItem.light(): only open work has a light, and a stopped clock keeps the light
        # it had when it stopped.
        ref = Coalesce("paused_at", Value(now, output_field=DateTimeField()))
        items = items.open().alias(light_ref=ref)
        if light == TrafficLight.RED:
            items = items.filter(due_at__lte=F("light_ref"))
        elif light == TrafficLight.YELLOW:
            items = items.filter(remind_at__lte=F("light_ref"), due_at__gt=F("light_ref"))
        else:
            items = items.filter(Q(due_at__isnull=True) | Q(remind_at__gt=F("light_ref")))
    state = request.GET.get("state", "")
    if tab == "assigned" and state in WorkState.values:
        items = items.filter(state=state)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(item, item.light(now)) for item in page.object_list]
    tabs = {k: v for k, v in TABS.items() if k != "section" or _headed_section_ids(user)}
    return render(
        request,
        "office/inbox.html",
        {
            "page": page,
            "rows": rows,
            "tab": tab,
            "tabs": tabs,
            "kind": kind,
            "kinds": WorkKind.choices,
            "light": light,
            "state": state,
            "states": WorkState.choices,
            "now": now,
        },
    )


def _get_workitem_for_user(request, pk: int) -> WorkItem:
    """404 for work the person may not see, so its existence does not leak."""
    item = (
        WorkItem.objects.filter(pk=pk)
        .filter(svc.visible_workitems_q(request.user))
        .filter(Q(assignee=request.user) | openable_q(request.user))
        .select_related(
            "assignee", "section", "unit", "rule", "assigned_by", "leader", "completed_by"
        )
        .first()
    )
    if item is None:
        raise Http404
    return item


@login_required
def workitem_detail(request, pk: int):
    item = _get_workitem_for_user(request, pk)
    user = request.user
    owner = owner_of(item)  # an app's work: its own page acts on it, never the generic 办结
    return render(
        request,
        "office/workitem_detail.html",
        {
            "item": item,
            "owner": owner,
            "light": item.light(timezone.now()),
            "events": item.events.select_related("by"),
            "can_act": owner is None and item.state == WorkState.OPEN and svc.can_act(user, item),
            "can_manage": owner is None
            and item.state == WorkState.OPEN
            and svc.can_manage(user, item),
            "can_urge": item.state == WorkState.OPEN
            and user.has_perm("office.urge_workitem")
            and svc.can_manage(user, item),
            "can_extend": item.state == WorkState.OPEN
            and svc.can_manage(user, item)
            and item.rule is not None
            and item.extensions < item.rule.max_extensions,
            "complete_form": CompleteForm(),
            "reason_form": ReasonForm(),
            "urge_form": UrgeForm(),
            "extend_form": ExtendForm(),
        },
    )


def _run(request, item, call):
    try:
        call()
    except (TransitionError, workcalendar.CalendarNotLoaded) as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    return redirect("office:workitem", pk=item.pk)


def _action(form_class, perform, success, *, generic: bool = False):
    """A POST on a work item. `generic`: an action that closes or stops the work itself
    (complete, pause, resume, cancel) — refused with 409, nothing changed, for work that belongs
    to an app's object (office.owners): that app's own transition does it."""

    @login_required
    @require_POST
    def view(request, pk: int):
        item = _get_workitem_for_user(request, pk)
        owner = owner_of(item) if generic else None
        if owner is not None:
            return render(
                request,
                "office/workitem_owned.html",
                {"item": item, "owner": owner, "message": refused_message(owner)},
                status=409,
            )
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("office:workitem", pk=item.pk)

        def call():
            perform(request, item, form.cleaned_data)
            messages.success(request, success())

        return _run(request, item, call)

    return view


workitem_complete = _action(
    CompleteForm,
    lambda r, i, d: svc.workitem_complete(item=i, by=r.user, outcome=d["outcome"]),
    lambda: _("The work is completed."),
    generic=True,
)
workitem_urge = _action(
    UrgeForm,
    lambda r, i, d: svc.workitem_urge(item=i, by=r.user, message=d["message"]),
    lambda: _("A reminder was sent."),
)
workitem_pause = _action(
    ReasonForm,
    lambda r, i, d: svc.workitem_pause(item=i, by=r.user, reason=d["reason"]),
    lambda: _("The clock is stopped."),
    generic=True,
)
workitem_resume = _action(
    UrgeForm,  # no fields needed; an empty form validates
    lambda r, i, d: svc.workitem_resume(item=i, by=r.user),
    lambda: _("The clock runs again; the deadline moved by the time it was stopped."),
    generic=True,
)
workitem_extend = _action(
    ExtendForm,
    lambda r, i, d: svc.workitem_extend(item=i, by=r.user, amount=d["amount"], reason=d["reason"]),
    lambda: _("The deadline is extended."),
)
workitem_cancel = _action(
    ReasonForm,
    lambda r, i, d: svc.workitem_cancel(item=i, by=r.user, reason=d["reason"]),
    lambda: _("The work is cancelled."),
    generic=True,
)


@login_required
def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "office/notifications.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk: int):
    note = Notification.objects.filter(pk=pk, recipient=request.user).first()
    if note is None:
        raise Http404
    if note.read_at is None:
        Notification.objects.filter(pk=pk).update(read_at=timezone.now())
    if note.url:
        return redirect(note.url)
    if note.work_item_id:  # work opened without a link of its own: its page
        return redirect("office:workitem", pk=note.work_item_id)
    return redirect("office:notifications")


@login_required
@require_POST
def notification_read_all(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    messages.success(request, _("All notifications are marked as read."))
    return redirect("office:notifications")


def _register_month(request):
    now = timezone.now()
    month = MonthForm(request.GET).month_start(timezone.localdate(now))
    return month, now


@login_required
@permission_required("office.view_register", raise_exception=True)
def register(request):
    month, now = _register_month(request)
    rows = monthly_register(month, now=now)
    prev = (month.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    nxt = (month.replace(day=28) + timezone.timedelta(days=4)).replace(day=1)
    return render(
        request,
        "office/register.html",
        {"rows": rows, "total": totals(rows), "month": month, "prev": prev, "next": nxt},
    )


@login_required
@permission_required("office.view_register", raise_exception=True)
def register_export(request):
    """The register as Excel; every export is an audit entry (S-37)."""
    from office.spreadsheet import Workbook, xlsx_response

    month, now = _register_month(request)
    rows = monthly_register(month, now=now)
    wb = Workbook()
    ws = wb.sheet(f"{month:%Y-%m}", widths=[14, 14, 8, 10, 10, 10, 12, 12])
    wb.row(
        ws,
        [
            _("Time-limited completion register, %(y)d-%(m)02d")
            % {"y": month.year, "m": month.month}
        ],
        bold=True,
        size=14,
    )
    header = [
        _("Section"),
        _("Kind"),
        pgettext("register column: work due in the month", "Due"),
        _("Done on time"),
        _("Done late"),
        _("Still overdue"),
        _("Open, not yet due"),
        _("On-time rate (%)"),
    ]
    wb.row(ws, header, bold=True)
    for r in [*rows, totals(rows)]:
        wb.row(
            ws,
            [
                r.section or _("Total"),
                r.kind,
                r.due,
                r.on_time,
                r.late,
                r.overdue,
                r.open_not_due,
                r.rate,
            ],
        )
    content = wb.content()
    audit_record(
        action="register.export",
        actor=request.user,
        request=request,
        object_type="office.register",
        object_id=f"{month:%Y-%m}",
        object_repr=f"限时办结登记表 {month:%Y-%m}",
    )
    return xlsx_response(content, f"register-{month:%Y-%m}.xlsx")
