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

# POST-only: a GET is refused before anything else is looked at.
TRANSITIONS = [
    "task_assign",
    "task_acknowledge",
    "task_report",
    "extension_apply",
    "completion_submit",
    "task_cancel",
    "task_urge",
    "task_return_wrong",
    "proposal_record",
    "extension_check",
    "extension_decide",
    "completion_review",
    "from_instruction",
    "bulletin_draft",
    "bulletin_edit",
]
BULLETIN_SEEN_BY = ["leader", "supervisor"]

TABLE: dict[str, dict[str, object]] = {
    "supervision:index": everyone(200),
    # 建议提案 figures: everyone signed in, over the tasks they may see.
    "supervision:proposals": everyone(200),
    # 立项: the supervision section, the leaders, the secretariat (meeting decisions).
    "supervision:task_new": only(["leader", "secretary", "supervisor"]),
    "supervision:task": only(TASK_SEEN_BY, refused=404),
    "supervision:slip_pdf": only(TASK_SEEN_BY, refused=404),
    "supervision:attachment": only(TASK_SEEN_BY, refused=404),
    **{f"supervision:{name}": everyone(405, anonymous="login") for name in TRANSITIONS},
    # 督查通报: the supervision section and the leaders.
    **{
        f"supervision:{name}": only(BULLETIN_SEEN_BY)
        for name in ("bulletins", "bulletin", "bulletin_pdf", "bulletin_xlsx")
    },
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


def _attachment():
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supervision import services

    task = _task()
    clerk = User.objects.get(username="clerk")
    services.task_acknowledge(task=task, by=clerk)
    report = services.report_submit(
        task=task,
        by=clerk,
        text="已完成主干道清理",
        files=[SimpleUploadedFile("进展.pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    return report.attachments.get()


def _bulletin():
    from django.contrib.auth.models import User
    from django.utils import timezone

    from supervision import bulletins

    today = timezone.localdate()
    return bulletins.bulletin_draft(
        by=User.objects.get(username="supervisor"), year=today.year, month=today.month
    )


def url_for(name: str) -> str:
    if name in ("supervision:bulletin", "supervision:bulletin_pdf", "supervision:bulletin_xlsx"):
        return reverse(name, args=[_bulletin().pk])
    if name == "supervision:bulletin_draft":
        return reverse(name)
    if name.removeprefix("supervision:") in TRANSITIONS:
        return reverse(name, args=[1])
    if name == "supervision:attachment":
        return reverse(name, args=[_attachment().pk])
    if name == "supervision:task":
        return reverse(name, args=[_task().pk])
    if name == "supervision:slip_pdf":
        return reverse(name, args=[_slip().pk])
    return reverse(name)
