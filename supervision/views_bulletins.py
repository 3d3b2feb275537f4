"""督查通报 pages: the list (with a form to draft a month), a bulletin (figures, commentary,
issue), and its PDF (通报 format) and Excel file. For the supervision section and the leaders
(supervision.view_all_supervisiontask); the changes are the supervision section's."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from office.files import content_disposition
from office.pdf import render_pdf
from office.services import TransitionError
from office.services.audit import audit_record

from . import bulletins
from .models import Bulletin, BulletinState
from .services import can_manage

VIEW = "supervision.view_all_supervisiontask"


def _get(pk: int) -> Bulletin:
    bulletin = Bulletin.objects.filter(pk=pk).first()
    if bulletin is None:
        raise Http404
    return bulletin


@login_required
@permission_required(VIEW, raise_exception=True)
@require_safe
def bulletin_list(request):
    today = timezone.localdate()
    months = []
    day = today.replace(day=1)
    for _i in range(12):
        months.append(day)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "supervision/bulletin_list.html",
        {
            "bulletins": list(Bulletin.objects.order_by("-year", "-month")[:60]),
            "months": months,
            "can_manage": can_manage(request.user),
        },
    )


@login_required
@require_POST
def bulletin_draft(request):
    try:
        year, month = (int(x) for x in request.POST.get("month", "").split("-"))
    except ValueError:
        messages.error(request, _("Choose a month."))
        return redirect("supervision:bulletins")
    try:
        bulletin = bulletins.bulletin_draft(by=request.user, year=year, month=month)
    except (TransitionError, ValidationError) as exc:
        messages.error(request, getattr(exc, "messages", [str(exc)])[0])
        return redirect("supervision:bulletins")
    messages.success(request, _("The figures are drawn from the records."))
    return redirect(bulletin)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_safe
def bulletin_detail(request, pk: int):
    bulletin = _get(pk)
    return render(
        request,
        "supervision/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "f": bulletin.figures,
            "editable": bulletin.state == BulletinState.DRAFT and can_manage(request.user),
        },
    )


@login_required
@require_POST
def bulletin_edit(request, pk: int):
    bulletin = _get(pk)
    try:
        bulletins.bulletin_edit(
            bulletin=bulletin,
            by=request.user,
            commentary=request.POST.get("commentary", "")[:20000],
        )
        if request.POST.get("issue"):
            bulletins.bulletin_issue(bulletin=bulletin, by=request.user)
            messages.success(request, _("Issued."))
        else:
            messages.success(request, _("Saved."))
    except (TransitionError, ValidationError) as exc:
        messages.error(request, getattr(exc, "messages", [str(exc)])[0])
    return redirect(bulletin)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_safe
def bulletin_pdf(request, pk: int):
    bulletin = _get(pk)
    with translation.override(settings.LANGUAGE_CODE):
        pdf = render_pdf(
            "supervision/pdf/bulletin.html",
            {"bulletin": bulletin, "f": bulletin.figures, "office_name": settings.OFFICE_NAME},
        )
    audit_record(
        action="supervision.bulletin_print", actor=request.user, obj=bulletin, request=request
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = bulletin.number or f"督查通报{bulletin.year}年{bulletin.month}月（草稿）"
    response["Content-Disposition"] = content_disposition(f"{name}.pdf", inline=True)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
@require_safe
def bulletin_xlsx(request, pk: int):
    from office.spreadsheet import Workbook, xlsx_response

    bulletin = _get(pk)
    f = bulletin.figures
    wb = Workbook()
    ws = wb.sheet(
        _("By unit"),
        header=[_("Unit"), _("Closed"), _("On time"), _("Late"), _("Overdue"), _("On-time rate")],
    )
    for u in f.get("by_unit", []):
        wb.row(
            ws,
            [
                u["unit"],
                u["closed"],
                u["on_time"],
                u["late"],
                u["overdue"],
                f"{u['rate']}%" if u["rate"] is not None else "",
            ],
        )
    for key, title in (
        ("on_time", _("Closed on time")),
        ("late", _("Closed late")),
        ("overdue", _("Overdue")),
    ):
        sheet = wb.sheet(title, header=[_("Number"), _("Task"), _("Lead unit"), _("Deadline")])
        for row in f.get(key, []):
            wb.row(sheet, [row["number"], row["title"], row["unit"], row["due_on"]])
    content = wb.content()
    audit_record(
        action="supervision.bulletin_export", actor=request.user, obj=bulletin, request=request
    )
    response = xlsx_response(content, f"督查通报{bulletin.year}-{bulletin.month:02d}.xlsx")
    return response
