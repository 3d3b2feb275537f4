"""Outgoing documents (发文): a 5-page GB/T 9704 render, and issue-number allocation with 16
concurrent writers (the issue's targets: ≤ 1 s per render; 500 allocations/s on PostgreSQL)."""

from __future__ import annotations

import threading
import time

from django.contrib.auth.models import User
from django.db import connection, transaction

from bench.registry import scaled, seeder, task
from documents.models import OutgoingDocument, OutgoingSeries
from office.models import Section

MARKER = "基准测试：五页发文"
WRITERS = 16
ALLOCATIONS = 4_000  # per repetition at scale 1
PARAGRAPH = "为切实做好今冬明春安全生产工作，统筹发展和安全，坚决防范遏制重特大事故发生，" * 3


def _five_page_body() -> str:
    lines = []
    for i in range(1, 4):
        lines.append(f"{'一二三四五六'[i - 1]}、第{i}部分")
        lines.append(f"（一）第{i}部分第一项")
        lines += [PARAGRAPH] * 2
    return "\n".join(lines)


@seeder("outgoing", needs=("demo",))
def seed_outgoing(scale: float) -> str:
    if OutgoingDocument.objects.filter(title=MARKER).exists():
        return "the 5-page document is present"
    from documents.outgoing import services

    clerk = User.objects.get(username="clerk")
    doc = services.outgoing_draft(
        by=clerk,
        series=OutgoingSeries.objects.get(code="乌政办发"),
        doc_type="notice",
        direction="down",
        title=MARKER,
        body=_five_page_body(),
        attachments="检查表",
    )
    return f"created the 5-page document {doc.pk}"


@task("outgoing: render 5 pages", volume_note="one document, 5 pages", needs=("outgoing",))
def render_five_pages(timed) -> str:
    from pypdf import PdfReader

    from documents.outgoing import typeset

    doc = OutgoingDocument.objects.select_related("series").get(title=MARKER)
    with timed():
        pdf = typeset.render(doc)
    import io

    return f"{len(PdfReader(io.BytesIO(pdf)).pages)} pages, {len(pdf):,} bytes"


def _signed(n: int) -> list[int]:
    clerk = User.objects.get(username="clerk")
    mayor = User.objects.get(username="mayor")
    series = OutgoingSeries.objects.get(code="乌政办发")
    general = Section.objects.get(code="general")
    from django.utils import timezone

    now = timezone.now()
    docs = OutgoingDocument.objects.bulk_create(
        [
            OutgoingDocument(
                series=series,
                doc_type="notice",
                direction="down",
                title="基准测试：编号",
                body="正文。",
                drafted_by=clerk,
                drafting_section=general,
                drafted_at=now,
                state="signed",
                signer=mayor,
                signed_at=now,
                signed_version=1,
            )
            for _ in range(n)
        ],
        batch_size=1000,
    )
    return [d.pk for d in docs]


def _parallel(work, n: int) -> None:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@task(
    "outgoing: number allocations, 16 writers",
    volume_note="16 concurrent writers, one series",
    needs=("demo",),
    repeat=3,
    warmup=0,
)
def allocate_numbers(timed) -> str:
    """Bare allocations (`next_number` in its own transaction) and whole registrations
    (`outgoing_register`: the number, the ledger row, the document, one audit entry)."""
    if connection.vendor != "postgresql":
        with timed():
            pass
        return "skipped: needs PostgreSQL (row locks, real concurrency)"
    from documents.outgoing import services
    from documents.services import next_number

    total = scaled(ALLOCATIONS, 1.0) // WRITERS * WRITERS
    per = total // WRITERS
    ids = _signed(per * WRITERS // 4)  # a quarter as many full registrations
    secretary_pk = User.objects.get(username="secretary").pk

    def bare(i: int) -> None:
        for _ in range(per):
            with transaction.atomic():
                next_number("基准编号", 2026)

    def register(i: int) -> None:
        me = User.objects.get(pk=secretary_pk)
        share = len(ids) // WRITERS
        for pk in ids[i * share : (i + 1) * share]:
            services.outgoing_register(document=OutgoingDocument(pk=pk), by=me)

    with timed():
        started = time.perf_counter()
        _parallel(bare, WRITERS)
        bare_s = time.perf_counter() - started
    started = time.perf_counter()
    _parallel(register, WRITERS)
    full_s = time.perf_counter() - started
    return (
        f"{total / bare_s:,.0f} allocations/s ({total:,} in {bare_s:.2f} s); "
        f"{len(ids) / full_s:,.0f} registrations/s ({len(ids):,} with audit)"
    )
