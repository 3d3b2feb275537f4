"""Staff pages of the portal, under /service/: the first-inquiry desk (首问登记), disclosure
requests, today's whereabouts, moderation of public comments and the monthly evaluation results.

Each view: one access line (404 for what the person may not see), a form, one service, a
redirect with a message. Transitions are POST-only; a PermissionDenied from a service is a 403.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from office import workcalendar
from office.forms import MonthForm
from office.models import Section, Staff
from office.pdf import render_pdf
from office.services import TransitionError
from office.services.workitems import can_act

from . import services
from .forms import (
    AnswerForm,
    ExtendForm,
    InquiryForm,
    MaterialFormSet,
    ModerateForm,
    PresenceForm,
    materials_from,
)
from .models import (
    CommentState,
    DisclosureRequest,
    DisclosureState,
    Evaluation,
    Inquiry,
    InquiryResult,
    PresenceStatus,
    Rating,
)

PAGE_SIZE = 50


def _now_local():
    return timezone.now().astimezone(workcalendar.local_tz())


# --- 首问登记 -------------------------------------------------------------------------------
@login_required
@permission_required("portal.view_inquiry", raise_exception=True)
def desk(request):
    inquiries = Inquiry.objects.visible_to(request.user).for_list()
    query = request.GET.get("q", "").strip()[:50]
    if query:
        inquiries = inquiries.filter(Q(visitor__icontains=query) | Q(matter__icontains=query))
    result = request.GET.get("result", "")
    if result in InquiryResult.values:
        inquiries = inquiries.filter(result=result)
    page = Paginator(inquiries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/staff/desk.html",
        {"page": page, "query": query, "result": result, "results": InquiryResult.choices},
    )


@login_required
@permission_required("portal.add_inquiry", raise_exception=True)
def desk_new(request):
    form = InquiryForm(request.POST or None)
    formset = MaterialFormSet(request.POST or None, prefix="m")
    now = timezone.now()
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            inquiry = services.inquiry_log(
                by=request.user,
                channel=data["channel"],
                visitor=data["visitor"],
                phone=data["phone"],
                address=data["address"],
                matter=data["matter"],
                guide=data["guide"],
                result=data["result"],
                handler=data["handler"],
                forwarded_to=data["forwarded_to"],
                promised_date=data["promised_date"],
                result_note=data["result_note"],
                materials=materials_from(formset),
                now=now,
            )
        except (TransitionError, workcalendar.CalendarNotLoaded) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The inquiry is logged."))
            return redirect("portal_staff:desk_detail", pk=inquiry.pk)
    return render(
        request,
        "portal/staff/desk_new.html",
        {"form": form, "formset": formset, "limit": services.inquiry_promise_limit(now)},
    )


def _get_inquiry_for_user(request, pk: int) -> Inquiry:
    inquiry = Inquiry.objects.visible_to(request.user).for_list().filter(pk=pk).first()
    if inquiry is None:
        raise Http404
    return inquiry


@login_required
def desk_detail(request, pk: int):
    inquiry = _get_inquiry_for_user(request, pk)
    return render(
        request,
        "portal/staff/desk_detail.html",
        {"inquiry": inquiry, "materials": list(inquiry.materials.all())},
    )


@login_required
def desk_receipt(request, pk: int):
    """收件回执: the materials, their pages, the promised date and the handler (DOMAIN.md §5.5)."""
    inquiry = _get_inquiry_for_user(request, pk)
    pdf = render_pdf(
        "portal/pdf/receipt.html",
        {
            "inquiry": inquiry,
            "materials": list(inquiry.materials.all()),
            "printed_at": timezone.now(),
        },
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=receipt-{inquiry.pk}.pdf"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- 依申请公开 -------------------------------------------------------------------------------
@login_required
@permission_required("portal.view_disclosurerequest", raise_exception=True)
def disclosure_list(request):
    requests_ = DisclosureRequest.objects.visible_to(request.user).select_related(
        "section", "work_item"
    )
    state = request.GET.get("state", "")
    if state in DisclosureState.values:
        requests_ = requests_.filter(state=state)
    page = Paginator(requests_, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/staff/disclosure_list.html",
        {"page": page, "state": state, "states": DisclosureState.choices},
    )


def _get_disclosure_for_user(request, pk: int) -> DisclosureRequest:
    obj = (
        DisclosureRequest.objects.visible_to(request.user)
        .select_related("section", "work_item", "answered_by")
        .filter(pk=pk)
        .first()
    )
    if obj is None:
        raise Http404
    return obj


@login_required
def disclosure_detail(request, pk: int):
    obj = _get_disclosure_for_user(request, pk)
    may_answer = obj.state != DisclosureState.ANSWERED and can_act(request.user, obj.work_item)
    return render(
        request,
        "portal/staff/disclosure_detail.html",
        {
            "obj": obj,
            "answer_form": AnswerForm(),
            "extend_form": ExtendForm(),
            "may_answer": may_answer,
        },
    )


@login_required
@require_POST
def disclosure_answer(request, pk: int):
    obj = _get_disclosure_for_user(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the request is answered."))
        return redirect("portal_staff:disclosure", pk=obj.pk)
    try:
        services.disclosure_answer(
            request_obj=obj,
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            reply=form.cleaned_data["reply"],
        )
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The request is answered."))
    return redirect("portal_staff:disclosure", pk=obj.pk)


@login_required
@require_POST
def disclosure_extend(request, pk: int):
    obj = _get_disclosure_for_user(request, pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why more time is needed."))
        return redirect("portal_staff:disclosure", pk=obj.pk)
    try:
        services.disclosure_extend(
            request_obj=obj, by=request.user, reason=form.cleaned_data["reason"]
        )
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The time limit is extended by 20 working days."))
    return redirect("portal_staff:disclosure", pk=obj.pk)


# --- 去向牌 ---------------------------------------------------------------------------------
@login_required
def presence(request):
    """The person's own whereabouts and, for a section head, those of the section."""
    staff = Staff.objects.active().select_related("user", "section", "presence")
    people = staff.filter(Q(user=request.user) | Q(section__head__user=request.user)).order_by(
        "display_order", "badge_number"
    )
    return render(
        request,
        "portal/staff/presence.html",
        {
            "people": people,
            "today": _now_local().date(),
            "statuses": PresenceStatus.choices,
        },
    )


@login_required
@require_POST
def presence_set(request, pk: int):
    staff = Staff.objects.filter(pk=pk).select_related("user", "section").first()
    if staff is None or not services.can_set_presence(request.user, staff):
        raise Http404
    form = PresenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose where the person is today."))
    else:
        services.presence_set(staff=staff, status=form.cleaned_data["status"], by=request.user)
        messages.success(request, _("Whereabouts updated for %(name)s.") % {"name": staff.name})
    return redirect("portal_staff:presence")


# --- 社会评议 -------------------------------------------------------------------------------
@login_required
@permission_required("portal.moderate_evaluation", raise_exception=True)
def moderation(request):
    pending = (
        Evaluation.objects.moderated_by(request.user)
        .filter(comment_state=CommentState.PENDING)
        .select_related("staff__user", "guide", "section")
        .order_by("created_at", "pk")
    )
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/staff/moderation.html", {"page": page})


@login_required
@require_POST
def moderate(request, pk: int):
    if not request.user.has_perm("portal.moderate_evaluation"):
        raise Http404
    evaluation = Evaluation.objects.moderated_by(request.user).filter(pk=pk).first()
    if evaluation is None:
        raise Http404
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Approve or reject the comment."))
        return redirect("portal_staff:moderation")
    try:
        services.evaluation_moderate(
            evaluation=evaluation,
            by=request.user,
            approve=form.cleaned_data["decision"] == "approve",
        )
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The comment is moderated."))
    return redirect("portal_staff:moderation")


def _rating_counts(qs, key: str):
    return (
        qs.values(key)
        .annotate(
            total=Count("pk"),
            satisfied=Count("pk", filter=Q(rating=Rating.SATISFIED)),
            fairly=Count("pk", filter=Q(rating=Rating.FAIRLY)),
            dissatisfied=Count("pk", filter=Q(rating=Rating.DISSATISFIED)),
        )
        .order_by(key)
    )


@login_required
@permission_required("portal.view_evaluation_results", raise_exception=True)
def results(request):
    """The month's ratings per person and per section, for the monthly register (通报)."""
    today = _now_local().date()
    month = MonthForm(request.GET).month_start(today)
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    prev = (month - dt.timedelta(days=1)).replace(day=1)
    tz = workcalendar.local_tz()
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(nxt, dt.time.min, tzinfo=tz)
    month_qs = Evaluation.objects.filter(created_at__gte=start, created_at__lt=end)
    names = {
        s.pk: s
        for s in Staff.objects.filter(
            pk__in=month_qs.filter(staff__isnull=False).values("staff")
        ).select_related("user", "section")
    }
    sections = {s.pk: s for s in Section.objects.all()}
    per_staff = [
        {**row, "person": names.get(row["staff"])}
        for row in _rating_counts(month_qs.filter(staff__isnull=False), "staff")
    ]
    per_section = [
        {**row, "section_obj": sections.get(row["section"])}
        for row in _rating_counts(month_qs, "section")
    ]
    return render(
        request,
        "portal/staff/results.html",
        {
            "month": month,
            "prev": prev,
            "next": nxt,
            "per_staff": per_staff,
            "per_section": per_section,
        },
    )
