"""The register (收文登记簿), its Excel export, and the leaders' approval queue (批示)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from office import search
from office.models import Unit
from office.paging import TopKPaginator
from office.people import display_name as person_name
from office.services.audit import audit_record

from ..forms import SORTS, ListFilterForm
from ..models import IncomingDocument, Marking
from .access import _visible

PAGE_SIZE = 20
EXPORT_LIMIT = 10_000
SIGNING_LIMIT = 50  # outgoing documents for signature shown on the queue


def _filtered(request):
    """The register's rows for this person and these filters: visible_to, then the filters,
    the search and a whitelisted order."""
    form = ListFilterForm(request.GET)
    f = form.values()
    # Bounded by what the person may see: a person with few grants starts from them.
    documents = IncomingDocument.objects.visible_to_grants_first(request.user).for_list()
    for field in ("state", "urgency", "marking"):
        if field in f:
            documents = documents.filter(**{field: f[field]})
    if "sender" in f:
        documents = _by_sender(documents, f["sender"].strip())
    if "section" in f:
        documents = documents.filter(lead_section=f["section"])
    if "received_from" in f:
        documents = documents.filter(received_at__gte=_day_start(f["received_from"]))
    if "received_to" in f:
        documents = documents.filter(
            received_at__lt=_day_start(f["received_to"] + dt.timedelta(days=1))
        )
    if f.get("q", "").strip():
        documents = search.search(documents, f["q"])
    sort = f.get("sort", "-received")
    return form, documents.order_by(*SORTS[sort]), sort, f


def _by_sender(documents, text: str):
    """A unit's name or short name (as picked from the list) filters by that unit — the
    registration form records a sender typed that way as the unit (forms.SenderField), and the
    (sender, received_at) index serves it at any volume; any other text matches sender names
    containing it."""
    unit = Unit.objects.named(text)
    if unit is not None:
        return documents.filter(sender=unit)
    return documents.filter(sender_name__contains=text)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
def incoming_list(request):
    """收文登记簿: what this person may see, filtered, searched, sorted, 20 a page.

    Queries: one count and one page whatever the page size (asserted in the tests)."""
    form, documents, sort, filters = _filtered(request)
    page = TopKPaginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/incoming_list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "filtered": bool(set(filters) - {"sort"}),
            "can_register": request.user.has_perm("documents.register_incoming"),
        },
    )


@login_required
def incoming_export(request):
    """The register as filtered on screen, as Excel, at most EXPORT_LIMIT rows. Every export is
    an audit entry naming the filters and the restricted documents it contained (S-37)."""
    from office.spreadsheet import Workbook, xlsx_response

    _form, documents, _sort, filters = _filtered(request)
    wb = Workbook()
    ws = wb.sheet(_("Incoming register"))
    header = [
        _("Registration number"),
        _("Time received"),
        _("Sender"),
        _("Sender reference"),
        _("Title"),
        _("Document type"),
        _("Urgency"),
        _("Marking"),
        _("Copies"),
        _("Date written"),
        _("State"),
        _("Presented to"),
        _("Lead"),
        _("Deadline"),
        _("Completed"),
    ]
    rows, restricted, truncated = [], [], False
    for n, d in enumerate(documents.iterator(chunk_size=1000)):
        if n >= EXPORT_LIMIT:
            truncated = True
            break
        if d.marking == Marking.RESTRICTED:
            restricted.append(d.pk)
        rows.append(
            [
                d.registration_number,
                _local(d.received_at),
                d.sender_name,
                d.sender_reference,
                d.title,
                d.get_doc_type_display(),
                d.get_urgency_display(),
                d.get_marking_display(),
                d.copies,
                d.written_on,
                d.get_state_display(),
                person_name(d.presented_to) if d.presented_to else "",
                str(d.lead_section or d.lead_unit or ""),
                _due_day(d.due_at),
                _local(d.completed_at),
            ]
        )
    if truncated:
        wb.row(
            ws,
            [
                _("Only the first %(n)d rows are exported; narrow the filters for the rest.")
                % {"n": EXPORT_LIMIT}
            ],
        )
    wb.row(ws, header, bold=True)
    for row in rows:
        wb.row(ws, row)
    content = wb.content()
    audit_record(
        action="incoming.export",
        actor=request.user,
        request=request,
        object_type="documents.incomingdocument",
        object_repr=_("Incoming register"),
        changes={
            "rows": len(rows),
            "truncated": truncated,
            "filters": {k: str(v) for k, v in filters.items()},
            "restricted": restricted,
        },
    )
    return xlsx_response(content, f"incoming-{timezone.localdate():%Y%m%d}.xlsx")


def _local(value):
    """Excel has no time zones: the local wall-clock time, naive."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _due_day(value):
    """A deadline ends at 24:00 of its last day (workcalendar.end_of_day), stored as 00:00 of
    the next: the register shows the last day itself, as the pages do (zb_due)."""
    if not value:
        return None
    local = timezone.localtime(value)
    if local.time() == dt.time.min:
        return local.date() - dt.timedelta(days=1)
    return local.replace(tzinfo=None)


# --- The approval queue (批示) ------------------------------------------------------------------
@login_required
@permission_required("documents.instruct_incoming", raise_exception=True)
def approval_queue(request):
    """What was presented to this leader: 特急 first, then the longest waiting; and the outgoing
    documents waiting for this leader's signature (签发), in one more query."""
    from ..outgoing.models import OutgoingDocument

    documents = _visible(request).awaiting(request.user)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    signing = list(
        OutgoingDocument.objects.visible_to(request.user).awaiting_signature(request.user)[
            :SIGNING_LIMIT
        ]
    )
    return render(
        request,
        "documents/queue.html",
        {"page": page, "now": timezone.now(), "signing": signing},
    )
