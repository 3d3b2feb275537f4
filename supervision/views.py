"""Supervision pages: the board, a task's page and one POST-only view per transition."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from documents.files import content_disposition
from office.pdf import render_pdf

from .models import ChaseSlip, SupervisionTask


def _get_task_for_user(request, pk: int) -> SupervisionTask:
    """404 for a task the person may not see, so its existence does not leak."""
    task = (
        SupervisionTask.objects.visible_to(request.user)
        .filter(pk=pk)
        .select_related("leader", "supervisor", "lead_section", "lead_unit", "opened_by")
        .first()
    )
    if task is None:
        raise Http404
    return task


@login_required
def board(request):
    tasks = SupervisionTask.objects.visible_to(request.user).open().for_board()[:50]
    return render(request, "supervision/board.html", {"tasks": tasks})


@login_required
def task_detail(request, pk: int):
    task = _get_task_for_user(request, pk)
    return render(request, "supervision/task_detail.html", {"task": task})


@login_required
@require_safe
def slip_pdf(request, pk: int):
    """督查单 as a PDF: the fixed Chinese form, for whoever may see the task."""
    slip = (
        ChaseSlip.objects.filter(pk=pk, task__in=SupervisionTask.objects.visible_to(request.user))
        .select_related("task__leader")
        .first()
    )
    if slip is None:
        raise Http404
    context = {
        "slip": slip,
        "task": slip.task,
        "handlers": list(slip.task.handlers.select_related("section", "unit")),
        "office_name": settings.OFFICE_NAME,
    }
    with translation.override(settings.LANGUAGE_CODE):
        pdf = render_pdf("supervision/pdf/slip.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{slip.number}.pdf", inline=True)
    response["Cache-Control"] = "private, no-store"
    return response
