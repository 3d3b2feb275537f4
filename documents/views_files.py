"""Files of an incoming document: the processing slip (公文处理笺) and return slip (退文单) as PDF,
and the permission-checked attachment downloads (SECURITY.md S-22, S-24, S-26).

Every view finds its document through `IncomingDocument.objects.visible_to(user)`: a document the
user may not see is a 404, so its existence does not leak. Views of restricted (受控) documents
are audited through `services.incoming_viewed`.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from office.files import INLINE, content_disposition
from office.models import Staff
from office.pdf import PDFRenderTimeout, render_pdf
from office.people import display_name

from . import services
from .models import Attachment, HandlingRole, IncomingDocument, IncomingState

logger = logging.getLogger(__name__)


def _visible(request, pk: int) -> IncomingDocument:
    return get_object_or_404(
        IncomingDocument.objects.visible_to(request.user).select_related(
            "sender",
            "registered_by",
            "screened_by",
            "presented_to",
            "lead_section",
            "lead_unit",
            "completed_by",
            "archived_by",
        ),
        pk=pk,
    )


def _private(response):
    """Documents are never kept by shared caches or the browser's disk cache."""
    patch_cache_control(response, private=True, no_store=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class _People:
    """Names as the form prints them: 王建华（市长）. One query for every person on the slip."""

    def __init__(self, users):
        users = {u.pk: u for u in users if u is not None}
        self.posts = dict(
            Staff.objects.filter(user_id__in=list(users)).values_list("user_id", "post")
        )

    def name(self, user, *, with_post: bool = False) -> str:
        if user is None:
            return ""
        full = display_name(user)
        post = self.posts.get(user.pk)
        return f"{full}（{post}）" if with_post and post else full


def _due_day(moment):
    """The day a deadline falls on. Deadlines are stored as 24:00 of their last day
    (`workcalendar.end_of_day`), which is 00:00 of the next one: print the last day."""
    if moment is None:
        return None
    local = timezone.localtime(moment)
    if local.time() == dt.time.min:
        return local.date() - dt.timedelta(days=1)
    return local.date()


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, inline=True)
    return _private(response)


def _render(template: str, context: dict) -> HttpResponse | bytes:
    """The PDF bytes, or a 503 answer when the render ran out of time. A fixed Chinese
    government form: rendered in Chinese whatever the interface language. No request is passed:
    the form needs none of the site shell's context processors (and their queries)."""
    with translation.override(settings.LANGUAGE_CODE):
        try:
            return render_pdf(template, context)
        except PDFRenderTimeout:
            logger.error("PDF %s for %s took too long", template, context.get("document"))
            return HttpResponse(
                _("The PDF took too long to produce. Try again later or ask the system admin."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )


@login_required
@require_safe
def processing_slip(request, pk: int):
    """公文处理笺: the registration data and the whole handling record on one A4 form."""
    document = _visible(request, pk)
    instructions = list(document.instructions.select_related("leader", "forwarded_to"))
    handlings = list(
        document.handlings.select_related(
            "section", "unit", "completed_by", "work_item", "instruction"
        )
    )
    circulations = list(document.circulations.select_related("reader", "sent_by"))
    attachments = list(document.attachments.only("original_name", "kind", "document_id"))
    people = _People(
        [
            document.registered_by,
            document.screened_by,
            document.presented_to,
            document.completed_by,
            document.archived_by,
            *(i.leader for i in instructions),
            *(i.forwarded_to for i in instructions),
            *(h.completed_by for h in handlings),
            *(c.reader for c in circulations),
            *(c.sent_by for c in circulations),
        ]
    )
    context = {
        "document": document,
        "office_name": settings.OFFICE_NAME,
        "registered_by": people.name(document.registered_by),
        "screened_by": people.name(document.screened_by),
        "presented_to": people.name(document.presented_to, with_post=True),
        "completed_by": people.name(document.completed_by),
        "archived_by": people.name(document.archived_by),
        "instructions": [
            {
                "leader": people.name(i.leader, with_post=True),
                "text": i.text,
                "routing": i.routing,
                "forwarded_to": people.name(i.forwarded_to, with_post=True),
                "due_on": _due_day(i.due_at),
                "created_at": i.created_at,
                "handlings": sorted(
                    (h for h in handlings if h.instruction_id == i.pk),
                    key=lambda h: (h.role != HandlingRole.LEAD, h.pk),
                ),
            }
            for i in instructions
        ],
        "handlings": [
            {
                "handler": str(h.handler),
                "role": h.role,
                "state": h.state,
                "due_on": _due_day(h.work_item.due_at),
                "outcome": h.outcome,
                "completed_at": h.completed_at,
                "completed_by": people.name(h.completed_by),
            }
            # 主办 first, then 协办 in the order they were named.
            for h in sorted(handlings, key=lambda h: (h.role != HandlingRole.LEAD, h.pk))
        ],
        "circulations": [
            {
                "reader": people.name(c.reader, with_post=True),
                "sent_by": people.name(c.sent_by),
                "sent_at": c.sent_at,
                "read_at": c.read_at,
                "comment": c.comment,
            }
            for c in circulations
        ],
        "attachments": attachments,
        "printed_at": timezone.now(),
    }
    result = _render("documents/pdf/processing_slip.html", context)
    if isinstance(result, HttpResponse):
        return result
    services.incoming_viewed(document=document, by=request.user, request=request, what="slip")
    return _pdf_response(result, f"公文处理笺-{document.registration_number}.pdf")


@login_required
@require_safe
def return_slip(request, pk: int):
    """退文单: why a document goes back to its sender (初审, 第二十四条). Returned documents only."""
    document = _visible(request, pk)
    if document.state != IncomingState.RETURNED:
        raise Http404
    people = _People([document.screened_by])
    context = {
        "document": document,
        "office_name": settings.OFFICE_NAME,
        "screened_by": people.name(document.screened_by),
        "returned_on": document.screened_at or document.updated_at,
    }
    result = _render("documents/pdf/return_slip.html", context)
    if isinstance(result, HttpResponse):
        return result
    services.incoming_viewed(
        document=document, by=request.user, request=request, what="return_slip"
    )
    return _pdf_response(result, f"退文单-{document.registration_number}.pdf")


def _attachment(request, pk: int) -> Attachment:
    return get_object_or_404(
        Attachment.objects.select_related("document").filter(
            document__in=IncomingDocument.objects.visible_to(request.user)
        ),
        pk=pk,
    )


def _file_response(attachment: Attachment, *, inline: bool) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        logger.error("attachment %s: stored file missing", attachment.pk)
        raise Http404 from error
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name, inline=inline)
    return _private(response)


@login_required
@require_safe
def attachment_download(request, pk: int):
    """Download under the uploaded name, as an attachment, with the type stored at upload."""
    attachment = _attachment(request, pk)
    response = _file_response(attachment, inline=False)
    services.incoming_viewed(
        document=attachment.document, by=request.user, request=request, what="download"
    )
    return response


@login_required
@require_safe
@xframe_options_sameorigin
def attachment_inline(request, pk: int):
    """The scan shown beside the instruction form: PDF, JPEG and PNG only. This response alone may
    be framed, and only by our own pages (X-Frame-Options and CSP frame-ancestors 'self')."""
    attachment = _attachment(request, pk)
    if attachment.content_type not in INLINE:
        raise Http404
    response = _file_response(attachment, inline=True)
    # Django's CSP middleware uses the response's own config when one is set (what
    # django.views.decorators.csp.csp_override does); built per request so that the project's
    # policy, read from settings at that moment, stays the single source.
    response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}
    services.incoming_viewed(
        document=attachment.document, by=request.user, request=request, what="view_file"
    )
    return response
