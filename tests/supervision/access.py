"""The supervision rows of the access table (see tests/access.py).

The object URLs use a task opened by the supervisor from a leader's instruction, led by 综合科
(the clerk, its head and the petition officer who sits in it) with 街道办 assisting: seen by
those, the supervisor and the leaders (who see every task); 404 for everyone else."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tests.access import everyone, only

TASK_SEEN_BY = [
    "clerk",
    "other_section_staff",
    "section_head",
    "petition_officer",
    "leader",
    "supervisor",
]

TABLE: dict[str, dict[str, object]] = {
    "supervision:index": everyone(200),
    "supervision:task": only(TASK_SEEN_BY, refused=404),
    "supervision:slip_pdf": only(TASK_SEEN_BY, refused=404),
}


def _task():
    from django.contrib.auth.models import User
    from django.utils import timezone

    from office.models import Section
    from supervision import services

    return services.task_open(
        by=User.objects.get(username="supervisor"),
        title="城区道路积雪清理落实情况",
        source="instruction",
        leader=User.objects.get(username="mayor"),
        lead_section=Section.objects.get(code="general"),
        assisting_sections=[Section.objects.get(code="subdistrict")],
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )


def _slip():
    from django.utils import timezone

    from supervision.models import ChaseSlip

    task = _task()
    return ChaseSlip.objects.create(
        task=task,
        level=1,
        number="督查单〔2026〕1号",
        issued_at=timezone.now(),
        respond_by=task.due_on,
        text="请按期办结。",
    )


def url_for(name: str) -> str:
    if name == "supervision:task":
        return reverse(name, args=[_task().pk])
    if name == "supervision:slip_pdf":
        return reverse(name, args=[_slip().pk])
    return reverse(name)
