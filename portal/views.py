"""Public pages (政务公开): no sign-in, their own URL space under /public/.

Everything shown here is filtered for the public at the query: published texts and guides only,
staff with `in_public_directory` only and only the directory's fields (name, photo, post, duties,
badge number, section, office phone, today's whereabouts), comments only once approved.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from office import qr, workcalendar
from office.client import client_key
from office.models import Section, Staff, TimeLimitRule, Unit, UnitKind
from office.services import TransitionError

from . import services
from .forms import DisclosureForm, EvaluationForm
from .models import Evaluation, PresenceStatus, PublicText, ServiceGuide

DIRECTORY_PAGE = 24
GUIDES_PAGE = 20
POLICIES_PAGE = 20
DISPLAY_COOKIE_AGE = 365 * 24 * 3600


def _today():
    return timezone.now().astimezone(workcalendar.local_tz()).date()


def home(request):
    sections = Section.objects.active()
    units = Unit.objects.filter(kind=UnitKind.SUBORDINATE, active=True)
    texts = PublicText.objects.published()
    guides = ServiceGuide.objects.published()[:6]
    policies = _published()[:5]
    return render(
        request,
        "portal/home.html",
        {
            "sections": sections,
            "units": units,
            "texts": texts,
            "guides": guides,
            "policies": policies,
        },
    )


def _published():
    """Issued outgoing documents marked public (the documents app decides what that is)."""
    from documents.models import OutgoingDocument

    return OutgoingDocument.objects.published()


def policy_list(request):
    """Published policies and normative documents, with their issue numbers (政务公开)."""
    documents = _published()
    query = request.GET.get("q", "").strip()[:50]
    if query:
        documents = documents.filter(Q(title__icontains=query) | Q(issue_number__icontains=query))
    normative = request.GET.get("normative") == "1"
    if normative:
        documents = documents.filter(normative=True)
    page = Paginator(documents, POLICIES_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/policy_list.html",
        {"page": page, "query": query, "normative": normative},
    )


@require_GET
def policy_pdf(request, pk: int):
    """The published document as it was issued: its record copy (kept at 印制), byte for byte.
    404 for anything not published."""
    from documents.outgoing import services as outgoing_services
    from office.services.records import record_copy

    document = get_object_or_404(_published(), pk=pk)
    copy = record_copy(document)
    if copy is None:  # issued before record copies were kept: 印制 it once, now
        try:
            copy = outgoing_services.outgoing_print(document=document)
        except TransitionError as error:
            raise Http404 from error
    pdf = copy.read_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{document.issue_number}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def charter(request):
    texts = PublicText.objects.published()
    return render(request, "portal/charter.html", {"texts": texts})


def guide_list(request):
    guides = ServiceGuide.objects.published().select_related("section")
    query = request.GET.get("q", "").strip()[:50]
    if query:
        guides = guides.filter(
            Q(title__icontains=query) | Q(summary__icontains=query) | Q(materials__icontains=query)
        )
    page = Paginator(guides, GUIDES_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/guide_list.html", {"page": page, "query": query})


def guide_detail(request, slug: str):
    guide = get_object_or_404(ServiceGuide.objects.published().select_related("section"), slug=slug)
    return render(request, "portal/guide_detail.html", {"guide": guide})


def disclosure(request):
    """依申请公开: the request form, with the time limits the office must keep."""
    rule = TimeLimitRule.objects.filter(code="disclosure.answer").first()
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            # Say thank you and keep nothing: a bot learns nothing from the answer.
            messages.success(request, _("Your request has been received."))
            return redirect("portal:disclosure")
        data = form.cleaned_data
        try:
            obj = services.disclosure_submit(
                applicant_name=data["applicant_name"],
                phone=data["phone"],
                email=data["email"],
                address=data["address"],
                description=data["description"],
                delivery=data["delivery"],
                client=client_key(request),
                token=data["token"],
            )
        except TransitionError as exc:
            messages.error(request, str(exc))
        except workcalendar.CalendarNotLoaded:
            # Only a deadline beyond the provisional calendar's horizon gets here (a year without
            # its notice is counted on the law's days): nothing is kept, and the person is told
            # how else to reach us.
            messages.error(
                request,
                _(
                    "We cannot take requests online at the moment. Please call the office or "
                    "bring your request in person."
                ),
            )
        else:
            due = obj.work_item.due_at if obj.work_item else None
            messages.success(
                request,
                _(
                    "Your request has been received. Reference: %(ref)s. We answer by %(date)s "
                    "at the latest."
                )
                % {"ref": obj.reference, "date": _due_text(due)},
            )
            return redirect("portal:disclosure")
    return render(request, "portal/disclosure.html", {"form": form, "rule": rule})


def _due_text(due) -> str:
    if due is None:
        return ""
    from office.templatetags.zb import zb_due

    return zb_due(due)


def _directory_staff():
    """Exactly the public directory: active staff marked for it, with what their card shows."""
    return Staff.objects.in_public_directory().select_related("user", "section", "unit", "presence")


def directory(request):
    staff = _directory_staff()
    sections = Section.objects.active()
    section_code = request.GET.get("section", "")[:30]
    if section_code:
        staff = staff.filter(section__code=section_code)
    query = request.GET.get("q", "").strip()[:30]
    if query:
        staff = staff.filter(
            Q(user__last_name__icontains=query)
            | Q(user__first_name__icontains=query)
            | Q(post__icontains=query)
            | Q(duties__icontains=query)
            | Q(badge_number__iexact=query)
        )
    page = Paginator(
        staff.order_by("section__display_order", "display_order", "badge_number"), DIRECTORY_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/directory.html",
        {
            "page": page,
            "sections": sections,
            "section_code": section_code,
            "query": query,
            "today": _today(),
            "in_office": PresenceStatus.IN_OFFICE,
        },
    )


def person(request, badge: str):
    staff = get_object_or_404(_directory_staff(), badge_number=badge)
    comments = Evaluation.objects.public_comments().filter(staff=staff)[:10]
    rate_url = request.build_absolute_uri(reverse("portal:rate_staff", args=[badge]))
    try:
        code = qr.svg(
            rate_url, label=_("QR code: rate the service of %(name)s") % {"name": staff.name}
        )
    except qr.TooLong:
        code = ""
    return render(
        request,
        "portal/person.html",
        {
            "person": staff,
            "comments": comments,
            "today": _today(),
            "rate_url": rate_url,
            "qr": code,
        },
    )


@require_GET
def photo(request, badge: str):
    staff = get_object_or_404(Staff.objects.in_public_directory(), badge_number=badge)
    if not staff.photo:
        raise Http404
    try:
        handle = staff.photo.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _rate(request, *, staff=None, guide=None):
    form = EvaluationForm(request.POST or None)
    back = (
        redirect("portal:person", badge=staff.badge_number)
        if staff is not None
        else redirect("portal:guide", slug=guide.slug)
    )
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            messages.success(request, _("Thank you for your rating."))
            return back
        try:
            evaluation = services.evaluation_submit(
                staff=staff,
                guide=guide,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                client=client_key(request),
            )
        except TransitionError as exc:
            messages.error(request, str(exc))
            return back
        if evaluation.comment:
            messages.success(
                request,
                _(
                    "Thank you for your rating. Your comment will appear once the office has read it."
                ),
            )
        else:
            messages.success(request, _("Thank you for your rating."))
        return back
    return render(request, "portal/rate.html", {"form": form, "person": staff, "guide": guide})


def rate_staff(request, badge: str):
    staff = get_object_or_404(_directory_staff(), badge_number=badge)
    return _rate(request, staff=staff)


def rate_guide(request, slug: str):
    guide = get_object_or_404(ServiceGuide.objects.published(), slug=slug)
    return _rate(request, guide=guide)


@require_GET
def display(request):
    """Large text and high contrast without JavaScript: a plain link sets a cookie (a display
    preference kept in the browser; nothing on the server changes) and goes back."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/public/"
    response = redirect(target)
    for key, cookie, allowed in (
        ("text", "zb_text", {"large", "normal"}),
        ("contrast", "zb_contrast", {"high", "normal"}),
    ):
        value = request.GET.get(key)
        if value in allowed:
            if value == "normal":
                response.delete_cookie(cookie, samesite="Lax")
            else:
                response.set_cookie(
                    cookie, value, max_age=DISPLAY_COOKIE_AGE, samesite="Lax", httponly=True
                )
    return response
