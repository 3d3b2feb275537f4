"""Staff pages: the case list, registration at the desk, a petition's page, and one POST-only view
per transition. Every page finds its petition through `Petition.objects.visible_to` (404 for what
the person may not see); a PermissionDenied from a service is a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from office import workcalendar
from office.models import AuditEntry
from office.paging import CappedPaginator
from office.pdf import render_pdf
from office.services import TransitionError
from office.services.audit import audit_record

from . import crypto, services
from .forms import (
    AssignForm,
    DecideForm,
    DeliverForm,
    ExtendForm,
    HearingForm,
    IntakeForm,
    ListFilterForm,
    RatingForm,
    ReplyForm,
    ReportForm,
    RevealForm,
    ReviewApplyForm,
    ReviewDecideForm,
)
from .models import (
    Assignment,
    AssignmentState,
    Notice,
    Petition,
    Petitioner,
    PetitionState,
    Review,
)
from .transitions import TRANSITIONS

PAGE_SIZE = 20


def _get_petition_for_user(request, pk: int) -> Petition:
    petition = (
        Petition.objects.visible_to(request.user)
        .filter(pk=pk)
        .select_related("first_responder", "registered_by", "complained_unit", "transferred_to")
        .first()
    )
    if petition is None:
        raise Http404
    return petition


def _fail(request, petition, exc) -> HttpResponse:
    if isinstance(exc, PermissionDenied):
        raise exc
    text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)
    return redirect(petition.get_absolute_url())


def _form_errors(form) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


# --- The list ---------------------------------------------------------------------------------
@login_required
def petition_list(request):
    """信访台账 on screen: what this person may see, filtered and searched, 20 a page.
    Queries: one count, one page, one prefetch of the lead petitioners (asserted in the tests)."""
    form = ListFilterForm(request.GET)
    f = form.values()
    petitions = Petition.objects.visible_to(request.user).for_list()
    for field in ("state", "channel", "category"):
        if field in f:
            petitions = petitions.filter(**{field: f[field]})
    if f.get("q", "").strip():
        q = f["q"].strip()
        petitions = petitions.filter(
            Q(number__contains=q) | Q(title__contains=q) | Q(request__contains=q)
        )
    sort = request.GET.get("sort", "-received")
    order = {
        "-received": ["-received_at", "-pk"],
        "received": ["received_at", "pk"],
        "due": ["due_at", "pk"],
    }
    petitions = petitions.order_by(*order.get(sort, order["-received"]))
    page = CappedPaginator(petitions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "petitions/list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "filtered": bool(f),
            "can_register": request.user.has_perm("petitions.register_petition"),
        },
    )


# --- Registration at the desk -----------------------------------------------------------------
@login_required
@permission_required("petitions.register_petition", raise_exception=True)
def petition_register(request):
    """Registration with repeat detection: the first POST shows earlier petitions from the same
    person or with similar content; the officer links a repeat or registers a new case."""
    form = IntakeForm(request.POST or None, request.FILES or None)
    repeats = []
    closed = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        people = form.people()
        repeats = services.find_repeats(
            id_numbers=[p.get("id_number", "") for p in people],
            phones=[p.get("phone", "") for p in people],
            subject_area=d["subject_area"],
            text=f"{d['title']}{d['request']}",
        )
        closed = services.is_closed_after_re_review(repeats)
        if not repeats or request.POST.get("confirm"):
            repeat_of = None
            if request.POST.get("repeat_of"):
                repeat_of = Petition.objects.filter(pk=request.POST["repeat_of"]).first()
            try:
                intake = services.Intake(
                    channel=d["channel"],
                    category=d["category"],
                    subject_area=d["subject_area"],
                    title=d["title"],
                    request=d["request"],
                    facts=d["facts"],
                    reasons=d["reasons"],
                    location=d["location"],
                    complained_unit=d["complained_unit"],
                    forwarded_from=d["forwarded_from"],
                    forwarded_reference=d["forwarded_reference"],
                    is_group=d["is_group"],
                    headcount=d["headcount"] or 1,
                    materials=d["materials"],
                    received_at=d["received_at"],
                    people=people,
                    repeat_of=repeat_of,
                )
                petition, code = services.petition_register(
                    intake,
                    by=request.user,
                    files=[d["attachment"]] if d.get("attachment") else [],
                    http_request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except workcalendar.CalendarNotLoaded as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Registered as %(n)s. Query code: %(c)s — print the acknowledgement for the petitioner."
                    )
                    % {"n": petition.number, "c": crypto.format_query_code(code)},
                )
                return redirect(petition.get_absolute_url())
    elif request.method == "GET":
        form.initial["received_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    return render(
        request,
        "petitions/register.html",
        {"form": form, "repeats": repeats, "closed_after_re_review": closed},
    )


# --- A petition's page --------------------------------------------------------------------------
HISTORY = {
    "petition.register": "登记",
    "petition.decide": "作出受理决定",
    "petition.assign": "交办",
    "petition.report": "承办单位报告办理结果",
    "petition.extend": "延长办理期限",
    "petition.reply": "出具处理意见书",
    "petition.notice_delivered": "记录送达",
    "petition.rate": "满意度评价",
    "petition.review_apply": "申请复查/复核",
    "petition.review_decide": "作出复查/复核意见",
    "petition.reveal": "查看个人信息",
}


@login_required
def petition_detail(request, pk: int):
    petition = _get_petition_for_user(request, pk)
    return render(request, "petitions/detail.html", _detail_context(request, petition))


def _detail_context(request, petition: Petition, **extra) -> dict:
    user = request.user
    can_decide = user.has_perm("petitions.decide_petition")
    assignments = list(petition.assignments.select_related("unit", "section", "work_item"))
    for a in assignments:
        a.may_report = a.state == AssignmentState.OPEN and services.can_report(user, a)
    reviews = list(petition.reviews.select_related("work_item"))
    history = AuditEntry.objects.filter(
        object_type="petitions.petition", object_id=str(petition.pk), action__in=list(HISTORY)
    ).order_by("at", "pk")
    open_review = next((r for r in reviews if r.decided_at is None), None)
    return {
        "petition": petition,
        "petitioners": list(petition.petitioners.all()),
        "show_identity": services.identity_visible(user, petition),
        "can_reveal": user.has_perm("petitions.reveal_petitioner"),
        "can_decide": can_decide,
        # What the page offers comes from the declared transitions (petitions.transitions).
        "may": TRANSITIONS.offered(user, petition),
        "assignments": assignments,
        "notices": list(petition.notices.all()),
        "reviews": reviews,
        "open_review": open_review,
        "attachments": list(petition.attachments.all()),
        "history": [(e, HISTORY.get(e.action, e.action)) for e in history],
        "decide_form": DecideForm(),
        "assign_form": AssignForm(),
        "report_form": ReportForm(),
        "extend_form": ExtendForm(),
        "reply_form": ReplyForm(),
        "deliver_form": DeliverForm(),
        "reveal_form": RevealForm(),
        "rating_form": RatingForm(),
        "review_apply_form": ReviewApplyForm(),
        "review_decide_form": ReviewDecideForm(),
        "hearing_form": HearingForm(),
        "States": PetitionState,
        "open_assignments": any(a.state == AssignmentState.OPEN for a in assignments),
        **extra,
    }


def _transition(request, pk, form_class, call):
    petition = _get_petition_for_user(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(petition.get_absolute_url())
    try:
        call(petition, form.cleaned_data)
    except (ValidationError, TransitionError, PermissionDenied) as exc:
        return _fail(request, petition, exc)
    except workcalendar.CalendarNotLoaded as exc:
        messages.error(request, str(exc))
        return redirect(petition.get_absolute_url())
    messages.success(request, _("Saved."))
    return redirect(petition.get_absolute_url())


@login_required
@require_POST
def petition_decide(request, pk: int):
    return _transition(
        request,
        pk,
        DecideForm,
        lambda p, d: services.petition_decide(
            petition=p,
            by=request.user,
            decision=d["decision"],
            reason=d["reason"],
            statutory_channel=d["statutory_channel"],
            unit=d["unit"],
            share_identity=d["share_identity"],
            instructions=d["instructions"],
            http_request=request,
        ),
    )


@login_required
@require_POST
def petition_assign(request, pk: int):
    return _transition(
        request,
        pk,
        AssignForm,
        lambda p, d: services.petition_assign(
            petition=p,
            by=request.user,
            unit=d["unit"],
            section=d["section"],
            share_identity=d["share_identity"],
            instructions=d["instructions"],
            http_request=request,
        ),
    )


@login_required
@require_POST
def petition_extend(request, pk: int):
    return _transition(
        request,
        pk,
        ExtendForm,
        lambda p, d: services.petition_extend(
            petition=p, by=request.user, days=d["days"], reason=d["reason"], http_request=request
        ),
    )


@login_required
@require_POST
def petition_reply(request, pk: int):
    return _transition(
        request,
        pk,
        ReplyForm,
        lambda p, d: services.petition_reply(
            petition=p,
            by=request.user,
            outcome=d["outcome"],
            reply_text=d["reply_text"],
            basis=d["basis"],
            http_request=request,
        ),
    )


@login_required
@require_POST
def petition_rate(request, pk: int):
    """A rating the petitioner gave by phone, recorded by the desk."""
    return _transition(
        request,
        pk,
        RatingForm,
        lambda p, d: services.petition_rate(
            petition=p, rating=d["rating"], by=request.user, http_request=request
        ),
    )


@login_required
@require_POST
def review_apply(request, pk: int):
    return _transition(
        request,
        pk,
        ReviewApplyForm,
        lambda p, d: services.review_apply(
            petition=p,
            by=request.user,
            reasons=d["reasons"],
            applied_at=d["applied_at"],
            http_request=request,
        ),
    )


def _open_review(petition) -> Review:
    review = petition.reviews.filter(decided_at__isnull=True).select_related("work_item").first()
    if review is None:
        raise TransitionError(str(services.ALREADY_HANDLED))
    return review


@login_required
@require_POST
def review_decide(request, pk: int):
    return _transition(
        request,
        pk,
        ReviewDecideForm,
        lambda p, d: services.review_decide(
            review=_open_review(p),
            by=request.user,
            outcome=d["outcome"],
            text=d["text"],
            http_request=request,
        ),
    )


@login_required
@require_POST
def review_hearing(request, pk: int):
    start = request.POST.get("action") != "end"
    return _transition(
        request,
        pk,
        HearingForm,
        lambda p, d: services.review_hearing(
            review=_open_review(p), by=request.user, start=start, reason=d["reason"]
        ),
    )


@login_required
@require_POST
def assignment_report(request, pk: int):
    assignment = (
        Assignment.objects.filter(pk=pk, petition__in=Petition.objects.visible_to(request.user))
        .select_related("petition", "work_item")
        .first()
    )
    if assignment is None:
        raise Http404
    petition = assignment.petition
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(petition.get_absolute_url())
    try:
        services.assignment_report(
            assignment=assignment,
            by=request.user,
            report=form.cleaned_data["report"],
            http_request=request,
        )
    except (ValidationError, TransitionError, PermissionDenied) as exc:
        return _fail(request, petition, exc)
    messages.success(request, _("Saved."))
    return redirect(petition.get_absolute_url())


# --- Notices ------------------------------------------------------------------------------------
def _get_notice_for_user(request, pk: int) -> Notice:
    notice = (
        Notice.objects.filter(pk=pk, petition__in=Petition.objects.visible_to(request.user))
        .select_related("petition")
        .first()
    )
    if notice is None:
        raise Http404
    return notice


@login_required
def notice_pdf(request, pk: int):
    """The notice as a PDF under the office's name (never a section's), audited as a print."""
    notice = _get_notice_for_user(request, pk)
    if not request.user.has_perm("petitions.decide_petition") and not request.user.has_perm(
        "petitions.register_petition"
    ):
        raise PermissionDenied
    from django.conf import settings

    pdf = render_pdf(
        "petitions/pdf/notice.html",
        {"notice": notice, "petition": notice.petition, "office_name": settings.OFFICE_NAME},
    )
    audit_record(
        action="petition.notice_print",
        actor=request.user,
        obj=notice.petition,
        changes={"notice": notice.pk, "kind": notice.kind},
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def notice_deliver(request, pk: int):
    notice = _get_notice_for_user(request, pk)
    form = DeliverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(notice.petition.get_absolute_url())
    d = form.cleaned_data
    try:
        services.notice_deliver(
            notice=notice,
            by=request.user,
            method=d["method"],
            delivered_at=d["delivered_at"],
            note=d["note"],
            http_request=request,
        )
    except (ValidationError, TransitionError, PermissionDenied) as exc:
        return _fail(request, notice.petition, exc)
    messages.success(request, _("Saved."))
    return redirect(notice.petition.get_absolute_url())


# --- Reveal (S-17) ------------------------------------------------------------------------------
@login_required
@require_POST
def petitioner_reveal(request, pk: int):
    """Shows the full personal data once, in the response to the POST that stated the purpose;
    nothing is put in a URL or a cache."""
    petitioner = (
        Petitioner.objects.filter(pk=pk, petition__in=Petition.objects.visible_to(request.user))
        .select_related("petition")
        .first()
    )
    if petitioner is None:
        raise Http404
    if not request.user.has_perm("petitions.reveal_petitioner"):
        raise PermissionDenied
    petition = petitioner.petition
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(petition.get_absolute_url())
    data = services.petitioner_reveal(
        petitioner=petitioner,
        by=request.user,
        purpose=form.cleaned_data["purpose"],
        http_request=request,
    )
    response = render(
        request,
        "petitions/reveal.html",
        {"petition": petition, "petitioner": petitioner, "data": data},
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Statistics and the ledger (信访台账) -------------------------------------------------------
@login_required
@permission_required("petitions.view_all_petitions", raise_exception=True)
def petition_stats(request):
    from . import stats
    from .models import Category, Channel, SubjectArea

    year = _year(request)
    by = request.GET.get("by", "channel")
    if by not in stats.GROUPS:
        by = "channel"
    labels = {"channel": Channel, "category": Category, "subject_area": SubjectArea}.get(by)
    total, rows, months = stats.overview(
        year, by, dict(labels.choices) if labels else None, label_all=str(_("All"))
    )
    return render(
        request,
        "petitions/stats.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "by": by,
            "total": total,
            "rows": rows,
            "chart": stats.month_chart_svg(months),
        },
    )


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


SYNC_LIMIT = 2_000  # more rows than this are built in the background


@login_required
@permission_required("petitions.view_all_petitions", raise_exception=True)
def petition_ledger(request):
    """信访台账 as Excel for a year. Up to SYNC_LIMIT rows it is built in the request; a longer
    one is queued for a worker and the person is sent to its progress page (S-37: audited either
    way; personal data masked unless the separate export permission)."""
    from . import exports

    year = _year(request)
    full = request.user.has_perm("petitions.export_petitioner_data")
    rows = exports.ledger_rows(year).count()
    if rows > SYNC_LIMIT:
        job = exports.ledger_queue(by=request.user, year=year, personal_data=full, total=rows)
        return redirect("petitions:ledger_status", pk=job.pk)
    content, count = exports.ledger_workbook(year, personal_data=full)
    exports.audit_export(request.user, year, count, full, request=request)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    from office.files import content_disposition

    response["Content-Disposition"] = content_disposition(f"信访台账-{year}.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _get_export_for_user(request, pk: int):
    from .models import LedgerExport

    job = LedgerExport.objects.filter(pk=pk, requested_by=request.user).first()
    if job is None:
        raise Http404
    return job


@login_required
def ledger_status(request, pk: int):
    """The export's progress; the page reloads itself (a Refresh header, no script) until ready."""
    from .models import ExportState

    job = _get_export_for_user(request, pk)
    response = render(request, "petitions/ledger_status.html", {"job": job})
    if job.state in (ExportState.QUEUED, ExportState.RUNNING):
        response["Refresh"] = "3"
    return response


@login_required
def ledger_download(request, pk: int):
    from django.http import FileResponse

    from office.files import content_disposition

    from .models import ExportState

    job = _get_export_for_user(request, pk)
    if job.state != ExportState.DONE or not job.file:
        raise Http404
    response = FileResponse(
        job.file.open("rb"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition(f"信访台账-{job.year}.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def attachment_download(request, pk: int):
    """Material handed in with a petition. It carries the petitioner's identity, so only those
    who may see the identity may download it (403 for a unit the identity was not passed to)."""
    from django.http import FileResponse

    from office.files import content_disposition

    from .models import Attachment

    attachment = (
        Attachment.objects.filter(pk=pk, petition__in=Petition.objects.visible_to(request.user))
        .select_related("petition")
        .first()
    )
    if attachment is None:
        raise Http404
    if not services.identity_visible(request.user, attachment.petition):
        raise PermissionDenied
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    audit_record(
        action="petition.download",
        actor=request.user,
        obj=attachment.petition,
        changes={"attachment": attachment.pk},
        request=request,
    )
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
