"""Supervision pages: the board, a task's page and one POST-only view per transition."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from .models import SupervisionTask


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
