"""The pages of outgoing documents (发文): the list, drafting and editing (with the conflict page),
a document's page, one POST-only view per transition, and the GB/T 9704 PDF.

Thin views (STYLE.md): `_get_outgoing_for_user` answers 404 for what the person may not see; the
services answer 403 (PermissionDenied) for what they may see but not change.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from office import workcalendar
from office.models import AuditEntry
from office.services import TransitionError

from . import body as body_mod
from . import forms as f
from . import lint, services, typeset
from .models import (
    NUMBERED_STATES,
    CoSign,
    CoSignState,
    FilingState,
    NormativeFiling,
    OutgoingDocument,
    OutgoingState,
    Translation,
)

PAGE_SIZE = 20

HISTORY = {
    "outgoing.draft": gettext_lazy("drafted"),
    "outgoing.edit": gettext_lazy("edited"),
    "outgoing.submit": gettext_lazy("sent for review"),
    "outgoing.review": gettext_lazy("reviewed"),
    "outgoing.review_return": gettext_lazy("returned to the drafter"),
    "outgoing.cosign": gettext_lazy("co-signed"),
    "outgoing.cosign_disagree": gettext_lazy("disagreed at co-signing"),
    "outgoing.legal_pass": gettext_lazy("passed the legality review"),
    "outgoing.legal_fail": gettext_lazy("failed the legality review"),
    "outgoing.sign": gettext_lazy("signed"),
    "outgoing.sign_return": gettext_lazy("sent back by the signer"),
    "outgoing.register": gettext_lazy("numbered"),
    "outgoing.void_number": gettext_lazy("voided the number"),
    "outgoing.dispatch": gettext_lazy("dispatched"),
    "outgoing.archive": gettext_lazy("filed in the archive"),
    "outgoing.filing": gettext_lazy("filed for record"),
}

SORTS = {
    "-drafted": ["-drafted_at", "-pk"],
    "drafted": ["drafted_at", "pk"],
    "number": ["issue_year", "issue_serial", "pk"],
}


def _visible(request):
    return OutgoingDocument.objects.visible_to(request.user)


def _get_outgoing_for_user(request, pk: int) -> OutgoingDocument:
    document = (
        _visible(request)
        .filter(pk=pk)
        .select_related("series", "drafted_by", "drafting_section", "signer")
        .first()
    )
    if document is None:
        raise Http404
    return document


# --- The list -------------------------------------------------------------------------------
@login_required
def outgoing_list(request):
    """发文登记: what this person may see, by state, searched in titles and numbers, 20 a page.
    One count and one page query whatever the number of rows."""
    documents = _visible(request).for_list()
    state = request.GET.get("state", "")
    if state in OutgoingState.values:
        documents = documents.filter(state=state)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        from django.db.models import Q

        documents = documents.filter(Q(title__contains=q) | Q(issue_number__contains=q))
    sort = request.GET.get("sort", "-drafted")
    sort = sort if sort in SORTS else "-drafted"
    page = Paginator(documents.order_by(*SORTS[sort]), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/outgoing_list.html",
        {
            "page": page,
            "states": OutgoingState.choices,
            "state": state,
            "q": q,
            "sort": sort,
            "can_draft": request.user.has_perm("documents.draft_outgoing"),
            "can_register_normative": request.user.has_perm("documents.view_all_outgoing")
            or services._in_section(request.user, "legal"),
        },
    )


# --- Drafting and editing ---------------------------------------------------------------------
def _draft_kwargs(d: dict) -> dict:
    return {
        k: d[k]
        for k in (
            "doc_type",
            "direction",
            "title",
            "body",
            "attachments",
            "notes",
            "marking",
            "urgency",
            "normative",
            "issuer_signature",
        )
    }


@login_required
@permission_required("documents.draft_outgoing", raise_exception=True)
def outgoing_new(request):
    form = f.DraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            document = services.outgoing_draft(
                by=request.user,
                series=d["series"],
                main_recipients=d["main_recipients"],
                copy_recipients=d["copy_recipients"],
                **_draft_kwargs(d),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect(document)
    return render(request, "documents/outgoing_form.html", {"form": form, "document": None})


@login_required
def outgoing_edit(request, pk: int):
    """Edit as a new version. A save from a stale form (the draft was saved elsewhere since)
    shows the conflict page with both texts and changes nothing (S-30)."""
    document = _get_outgoing_for_user(request, pk)
    if not services.can_edit(request.user, document):
        raise PermissionDenied
    initial = {
        "doc_type": document.doc_type,
        "direction": document.direction,
        "title": document.title,
        "body": document.body,
        "attachments": document.attachments,
        "notes": document.notes,
        "marking": document.marking,
        "urgency": document.urgency,
        "normative": document.normative,
        "issuer_signature": document.issuer_signature,
        "version": document.version,
        "main_recipients": list(document.main_recipients.all()),
        "copy_recipients": list(document.copy_recipients.all()),
    }
    form = f.EditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.outgoing_update(
                document=document,
                by=request.user,
                expected_version=d["version"],
                main_recipients=d["main_recipients"],
                copy_recipients=d["copy_recipients"],
                **_draft_kwargs(d),
            )
        except services.StaleVersion as exc:
            current = OutgoingDocument.objects.get(pk=document.pk)
            return render(
                request,
                "documents/outgoing_conflict.html",
                {"document": current, "mine": d, "message": str(exc)},
                status=409,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except TransitionError as exc:
            messages.error(request, str(exc))
            return redirect(document)
        else:
            messages.success(request, _("Saved as a new version."))
            return redirect(document)
    return render(request, "documents/outgoing_form.html", {"form": form, "document": document})


# --- A document's page --------------------------------------------------------------------------
@login_required
def outgoing_detail(request, pk: int):
    document = _get_outgoing_for_user(request, pk)
    user = request.user
    state = document.state
    secretariat = user.has_perm("documents.review_outgoing")
    cosigns = list(document.cosigns.select_related("section", "unit", "decided_by"))
    my_cosign = next(
        (
            c
            for c in cosigns
            if c.state == CoSignState.PENDING
            and state == OutgoingState.COSIGNING
            and services.can_cosign(user, c)
        ),
        None,
    )
    can = {
        "edit": services.can_edit(user, document),
        "submit": state == OutgoingState.DRAFT and services.can_edit(user, document),
        "review": state == OutgoingState.REVIEWING and secretariat,
        "cosign": my_cosign is not None,
        "legal": state == OutgoingState.LEGAL_REVIEW and services._in_section(user, "legal"),
        "sign": state == OutgoingState.SIGNING and document.signer_id == user.pk,
        "register": state == OutgoingState.SIGNED and secretariat,
        "void": state == OutgoingState.REGISTERED and secretariat,
        "dispatch": state == OutgoingState.REGISTERED and secretariat,
        "archive": state == OutgoingState.DISPATCHED
        and user.has_perm("documents.archive_incoming"),
    }
    filing = (
        NormativeFiling.objects.filter(document=document).first() if document.normative else None
    )
    can["filing"] = bool(
        filing and filing.state == FilingState.DUE and services._in_section(user, "legal")
    )
    translations = list(document.translations.select_related("translator"))
    my_translation = next(
        (t for t in translations if t.translator_id == user.pk and t.state == "requested"), None
    )
    staff = services.staff_of(user)
    can["translate"] = state != OutgoingState.ARCHIVED and (
        secretariat or bool(staff and staff.section_id == document.drafting_section_id)
    )
    findings = lint.check(document) if state == OutgoingState.DRAFT else []
    history = AuditEntry.objects.filter(
        object_type=OutgoingDocument._meta.label_lower,
        object_id=str(document.pk),
        action__in=list(HISTORY),
    ).order_by("at", "pk")
    return render(
        request,
        "documents/outgoing_detail.html",
        {
            "document": document,
            "blocks": body_mod.parse(document.body),
            "attachment_names": body_mod.attachment_names(document.attachments),
            "files": list(document.files.select_related("uploaded_by")),
            "attachment_form": f.AttachmentForm()
            if document.state == OutgoingState.DRAFT and can["edit"]
            else None,
            "fonts_used": typeset.fonts_used(),
            "main": list(document.main_recipients.all()),
            "copy": list(document.copy_recipients.all()),
            "cosigns": cosigns,
            "my_cosign": my_cosign,
            "numbers": list(document.numbers.all()),
            "distribution": list(document.distribution.select_related("unit", "incoming")),
            "versions": list(document.versions.select_related("saved_by")[:20]),
            "findings": findings,
            "overridden": set(document.lint_overrides or []),
            "can": can,
            "review_form": f.ReviewForm(),
            "decide_form": f.DecideForm(),
            "register_form": f.RegisterForm(),
            "void_form": f.VoidForm(),
            "dispatch_form": f.DispatchForm(),
            "archive_form": f.ArchiveForm(),
            "filing": filing,
            "translations": translations,
            "my_translation": my_translation,
            "translate_form": f.TranslationRequestForm() if can["translate"] else None,
            "translation_form": f.TranslationSubmitForm(),
            "filing_form": f.FilingForm(),
            "history": [(e, HISTORY[e.action]) for e in history],
        },
    )


# --- Transitions (POST only) --------------------------------------------------------------------
def _run(request, pk: int, form_class, call, success: str, to: str | None = None):
    document = _get_outgoing_for_user(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: please check the form."))
        return redirect(document)
    try:
        call(document, form)
    except services.LintFindings as exc:
        for finding in exc.findings:
            messages.error(request, str(finding.message))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except (TransitionError, workcalendar.CalendarNotLoaded) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
        if to:
            return redirect(to)
    return redirect(document)


@login_required
@require_POST
def outgoing_submit(request, pk: int):
    def call(document, form):
        services.outgoing_submit(
            document=document, by=request.user, overrides=form.cleaned_data["overrides"]
        )

    return _run(request, pk, f.SubmitForm, call, _("Sent to the secretariat for review."))


@login_required
@require_POST
def outgoing_review(request, pk: int):
    def call(document, form):
        d = form.cleaned_data
        services.outgoing_review(
            document=document,
            by=request.user,
            approve=form.approve,
            comment=d["comment"],
            cosign_sections=d["cosign_sections"],
            cosign_units=d["cosign_units"],
        )

    return _run(request, pk, f.ReviewForm, call, _("Review recorded."))


@login_required
@require_POST
def outgoing_cosign(request, pk: int):
    def call(document, form):
        cosign = CoSign.objects.filter(document=document, state=CoSignState.PENDING)
        mine = next((c for c in cosign if services.can_cosign(request.user, c)), None)
        if mine is None:
            raise PermissionDenied
        services.cosign_decide(
            cosign=mine, by=request.user, agree=form.approve, opinion=form.cleaned_data["comment"]
        )

    return _run(request, pk, f.DecideForm, call, _("Co-signing recorded."))


@login_required
@require_POST
def outgoing_legal(request, pk: int):
    def call(document, form):
        services.outgoing_legal_review(
            document=document,
            by=request.user,
            passed=form.approve,
            opinion=form.cleaned_data["comment"],
        )

    return _run(request, pk, f.DecideForm, call, _("Legality review recorded."))


@login_required
@require_POST
def outgoing_sign(request, pk: int):
    """签发, from the document's page or straight from the approval queue."""

    def call(document, form):
        services.outgoing_sign(
            document=document,
            by=request.user,
            approve=form.approve,
            comment=form.cleaned_data["comment"],
        )

    to = "documents:queue" if request.POST.get("next") == "queue" else None
    return _run(request, pk, f.DecideForm, call, _("Signature recorded."), to=to)


@login_required
@require_POST
def outgoing_register(request, pk: int):
    def call(document, form):
        services.outgoing_register(
            document=document, by=request.user, copies=form.cleaned_data["copies"]
        )

    return _run(request, pk, f.RegisterForm, call, _("Numbered."))


@login_required
@require_POST
def outgoing_void(request, pk: int):
    def call(document, form):
        services.outgoing_void_number(
            document=document, by=request.user, reason=form.cleaned_data["reason"]
        )

    return _run(request, pk, f.VoidForm, call, _("The number is voided and recorded."))


@login_required
@require_POST
def outgoing_dispatch(request, pk: int):
    def call(document, form):
        d = form.cleaned_data
        wanted = [*document.main_recipients.all(), *document.copy_recipients.all()]
        wanted += list(d["extra_units"])
        services.outgoing_dispatch(
            document=document, by=request.user, distribution=[(u, d["copies_each"]) for u in wanted]
        )

    return _run(request, pk, f.DispatchForm, call, _("Dispatched."))


@login_required
@require_POST
def outgoing_archive(request, pk: int):
    def call(document, form):
        services.outgoing_archive(
            document=document, by=request.user, retention=form.cleaned_data["retention"]
        )

    return _run(request, pk, f.ArchiveForm, call, _("Filed in the archive."))


@login_required
@require_POST
def outgoing_filing(request, pk: int):
    def call(document, form):
        filing = NormativeFiling.objects.filter(document=document).first()
        if filing is None:
            raise Http404
        services.filing_record(filing=filing, by=request.user, **form.cleaned_data)

    return _run(request, pk, f.FilingForm, call, _("The filing is recorded."))


@login_required
@require_POST
def outgoing_translate(request, pk: int):
    def call(document, form):
        services.translation_request(document=document, by=request.user, **form.cleaned_data)

    return _run(request, pk, f.TranslationRequestForm, call, _("The translation is requested."))


@login_required
@require_POST
def translation_submit(request, pk: int):
    translation = (
        Translation.objects.filter(pk=pk, document__in=_visible(request))
        .select_related("document")
        .first()
    )
    if translation is None:
        raise Http404

    def call(document, form):
        services.translation_submit(translation=translation, by=request.user, **form.cleaned_data)

    return _run(
        request,
        translation.document_id,
        f.TranslationSubmitForm,
        call,
        _("The translation is handed in."),
    )


# --- 规范性文件 register and the quarterly list ---------------------------------------------------
def _quarter(value: str):
    import datetime as dt
    import re

    match = re.fullmatch(r"(20\d\d)-([1-4])", value or "")
    if not match:
        return None
    year, q = int(match[1]), int(match[2])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return start, end


@login_required
def normative_register(request):
    """规范性文件 register: every filing, its due date, filing date and validity; `?quarter=
    2026-3` is the quarterly list of what was filed in that quarter (published in the second
    month of the next, DOMAIN.md §6.2). One count and one page query."""
    user = request.user
    if not (user.has_perm("documents.view_all_outgoing") or services._in_section(user, "legal")):
        raise PermissionDenied
    filings = NormativeFiling.objects.filter(document__in=_visible(request)).select_related(
        "document__series", "work_item", "filed_by"
    )
    quarter = request.GET.get("quarter", "")
    bounds = _quarter(quarter)
    if bounds:
        filings = filings.filter(filed_on__gte=bounds[0], filed_on__lt=bounds[1])
    page = Paginator(filings.order_by("-published_on", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "documents/outgoing_normative.html",
        {"page": page, "quarter": quarter if bounds else ""},
    )


# --- The PDF and the OFD -------------------------------------------------------------------------
def _pdf_response(data: bytes, name: str, content_type: str = "application/pdf") -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    disposition = "inline" if content_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{name}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _record(request, document):
    """The record copy of a numbered document; 印制 now when the secretariat asks for it first."""
    from office.services.records import record_copy

    copy = record_copy(document)
    if copy is None and request.user.has_perm("documents.review_outgoing"):
        copy = services.outgoing_print(document=document, by=request.user)
    return copy


@login_required
@require_GET
def outgoing_pdf(request, pk: int):
    """The document as it prints (GB/T 9704-2012). A numbered document prints as issued: its
    record copy, byte for byte; anything else is a preview with the 草稿 watermark, never sealed.
    Each print is an audit entry."""
    from office.services.audit import audit_record

    document = _get_outgoing_for_user(request, pk)
    try:
        copy = _record(request, document) if document.state in NUMBERED_STATES else None
        pdf = copy.read_pdf() if copy else typeset.render(document, preview=True)
    except (typeset.SealUnavailable, typeset.AttachmentUnprintable, TransitionError) as error:
        return render(
            request,
            "documents/outgoing_unprintable.html",
            {"document": document, "reason": str(error)},
            status=409,
        )
    audit_record(
        action="outgoing.print",
        actor=request.user,
        obj=document,
        request=request,
        changes={"record_sha256": copy.pdf_sha256} if copy else {"preview": True},
    )
    return _pdf_response(pdf, f"outgoing-{document.pk}.pdf")


@login_required
@require_GET
def outgoing_ofd(request, pk: int):
    """The issued document as OFD (GB/T 33190-2016): the record copy's, made at 印制 from the same
    pages as the PDF. 404 before the document is issued."""
    from office.services.audit import audit_record

    document = _get_outgoing_for_user(request, pk)
    if document.state not in NUMBERED_STATES:
        raise Http404
    try:
        copy = _record(request, document)
    except TransitionError as error:
        return render(
            request,
            "documents/outgoing_unprintable.html",
            {"document": document, "reason": str(error)},
            status=409,
        )
    if copy is None or not copy.ofd:
        raise Http404
    audit_record(
        action="outgoing.download_ofd",
        actor=request.user,
        obj=document,
        request=request,
        changes={"ofd_sha256": copy.ofd_sha256},
    )
    return _pdf_response(copy.read_ofd(), f"outgoing-{document.pk}.ofd", "application/ofd")


# --- Attachment files ---------------------------------------------------------------------------
@login_required
@require_POST
def outgoing_attach(request, pk: int):
    document = _get_outgoing_for_user(request, pk)
    form = f.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, error)
        return redirect(document)
    try:
        services.outgoing_attach(
            document=document, by=request.user, upload=form.cleaned_data["file"]
        )
    except PermissionDenied:
        raise
    except (ValidationError, TransitionError) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
        return redirect(document)
    messages.success(request, _("The file was attached."))
    return redirect(document)


@login_required
@require_POST
def outgoing_detach(request, pk: int, file_pk: int):
    document = _get_outgoing_for_user(request, pk)
    try:
        services.outgoing_detach(document=document, by=request.user, attachment_id=file_pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(document)
    messages.success(request, _("The file was removed."))
    return redirect(document)


@login_required
@require_GET
def outgoing_file(request, pk: int, file_pk: int):
    """Download through the document's own visibility check (S-24): a document the user may not
    see is a 404, and so is a file of another document."""
    from django.http import FileResponse

    from office.files import content_disposition

    document = _get_outgoing_for_user(request, pk)
    attachment = document.files.filter(pk=file_pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- 归档文件目录 (DA/T 22-2015) ----------------------------------------------------------------------
CATALOGUE_COLUMNS = [
    "档号",
    "件号",
    "文号",
    "责任者",
    "题名",
    "日期",
    "页数",
    "保管期限",
    "SHA-256",
]


@login_required
@require_GET
@permission_required("documents.archive_incoming", raise_exception=True)
def archive_catalogue(request):
    """The 归档文件目录 of a year: items in 保管期限 / 机构 / 件号 order (DA/T 22-2015 7), on the page
    or as Excel (`?format=xlsx`, an audited export). One query, whatever the number of rows."""
    import io

    from django.utils import timezone

    from office.services.audit import audit_record

    from .models import ArchiveItem

    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    items = ArchiveItem.objects.filter(year=year).order_by("retention", "section_code", "number")
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = f"{year}"
        ws.append([f"归档文件目录（{year}年）"])
        ws.append(CATALOGUE_COLUMNS)
        for item in items:
            ws.append(
                [
                    item.archive_code,
                    item.number,
                    item.reference,
                    item.responsible,
                    item.title,
                    item.written_on.isoformat() if item.written_on else "",
                    item.pages,
                    item.get_retention_display(),
                    item.sha256,
                ]
            )
        buffer = io.BytesIO()
        wb.save(buffer)
        audit_record(
            action="archive.export",
            actor=request.user,
            request=request,
            object_type="documents.archiveitem",
            object_id=str(year),
        )
        return _pdf_response(
            buffer.getvalue(),
            f"archive-{year}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return render(
        request,
        "documents/archive_catalogue.html",
        {"items": items, "year": year, "columns": CATALOGUE_COLUMNS},
    )
