"""The 信访台账 (petition ledger) as Excel: built in the request when short, by a worker when long.

Names, ID numbers and phones are masked unless the person holds the separate permission
`petitions.export_petitioner_data` (S-17); text typed by the public never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from office.people import display_name
from office.services.audit import audit_record

from . import stats
from .models import ExportState, LedgerExport, Petition, Petitioner

HEAD = [
    "信访编号", "登记日期", "信访形式", "类别", "问题领域", "标题", "信访人", "身份证号码",
    "联系电话", "首问责任人", "状态", "受理决定", "受理期限", "办理期限", "答复日期",
    "处理意见", "评价",
]  # fmt: skip
PROGRESS_EVERY = 500

log = logging.getLogger(__name__)


def ledger_rows(year: int) -> QuerySet:
    start, end = stats.period(year)
    return stats.for_period(Petition.objects.all(), start, end)


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _due_day(moment):
    if not moment:
        return None
    return (timezone.localtime(moment) - dt.timedelta(microseconds=1)).date()


def _row(p: Petition, full: bool) -> list:
    lead = p.lead_petitioner
    if lead is None:
        name = id_number = phone = ""
    elif full:
        name, id_number, phone = lead.name, lead.id_number, lead.phone
    else:
        name, id_number, phone = lead.name[:1] + "＊＊", lead.masked_id_number, lead.masked_phone
    responder = p.first_responder
    return [
        _cell(p.number),
        timezone.localtime(p.received_at).date(),
        p.get_channel_display(),
        p.get_category_display(),
        p.get_subject_area_display(),
        _cell(p.title),
        _cell(name),
        id_number,
        phone,
        display_name(responder),
        p.get_state_display(),
        p.get_decision_display() if p.decision else "",
        _due_day(p.accept_due_at),
        _due_day(p.handle_due_at),
        timezone.localtime(p.replied_at).date() if p.replied_at else None,
        p.get_outcome_display() if p.outcome else "",
        p.rating,
    ]


def ledger_workbook(year: int, *, personal_data: bool, progress=None) -> tuple[bytes, int]:
    """The workbook's bytes and its row count; `progress(n)` is called every few hundred rows."""
    from office.spreadsheet import Workbook

    petitions = (
        ledger_rows(year)
        .select_related("first_responder")
        .prefetch_related(
            Prefetch(
                "petitioners",
                queryset=Petitioner.objects.filter(order=0),
                to_attr="lead_petitioners",
            )
        )
        .order_by("received_at", "pk")
    )
    wb = Workbook()
    ws = wb.sheet(f"{year}年信访台账", header=HEAD)
    count = 0
    for p in petitions.iterator(chunk_size=1000):
        wb.row(ws, _row(p, personal_data))
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    return wb.content(), count


def audit_export(user, year: int, rows: int, personal_data: bool, *, request=None) -> None:
    audit_record(
        action="petition.export",
        actor=user,
        object_type="petitions.petition",
        object_repr=f"{year}年信访台账",
        changes={"year": year, "rows": rows, "personal_data": personal_data},
        request=request,
    )


def ledger_queue(*, by, year: int, personal_data: bool, total: int) -> LedgerExport:
    with transaction.atomic():
        job = LedgerExport.objects.create(
            requested_by=by,
            year=year,
            personal_data=personal_data,
            total=total,
            created_at=timezone.now(),
        )
        transaction.on_commit(lambda: _kick(job.pk))
    return job


def _kick(pk: int) -> None:
    """Publish from a background thread: a broker that is down must not hold the request."""

    def publish():
        from .tasks import build_ledger

        try:
            build_ledger.apply_async(args=[pk], retry=False, ignore_result=True)
        except Exception as exc:  # the job stays queued; the status page says so
            log.warning("ledger export %s: could not reach the broker (%s)", pk, exc)

    threading.Thread(target=publish, name="ledger-kick", daemon=True).start()


def ledger_build(pk: int) -> str:
    """The worker's part. Claims the job with a conditional UPDATE so a redelivered task does not
    build it twice; a failure marks it failed."""
    claimed = LedgerExport.objects.filter(pk=pk, state=ExportState.QUEUED).update(
        state=ExportState.RUNNING
    )
    if not claimed:
        return "already taken"
    job = LedgerExport.objects.select_related("requested_by").get(pk=pk)

    def progress(n: int) -> None:
        LedgerExport.objects.filter(pk=pk).update(done_rows=n)

    try:
        content, count = ledger_workbook(
            job.year, personal_data=job.personal_data, progress=progress
        )
    except Exception:
        LedgerExport.objects.filter(pk=pk).update(
            state=ExportState.FAILED, finished_at=timezone.now()
        )
        raise
    job.file.save(f"ledger-{job.pk}.xlsx", ContentFile(content), save=False)
    job.done_rows = count
    job.state = ExportState.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "done_rows", "state", "finished_at"])
    audit_export(job.requested_by, job.year, count, job.personal_data)
    return f"{count} rows"
