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
# Numbered, so it prints sealed (印制). Five pages of text and attachment; with the 版记 on the
# even last page (GB/T 9704 7.4) that prints as six.
PRINTED = "基准测试：五页正文发文（印制）"
# The same with a 10-page PDF attachment whose pages print after its label page (issue 17).
WITH_ATTACHMENT = "基准测试：五页正文加十页附件（印制）"
ISSUER = "乌兰浩特市人民政府办公室"
WRITERS = 16
ALLOCATIONS = 4_000  # per repetition at scale 1
PARAGRAPH = "为切实做好今冬明春安全生产工作，统筹发展和安全，坚决防范遏制重特大事故发生，" * 3


def _five_page_body(sections: int = 3) -> str:
    lines = []
    for i in range(1, sections + 1):
        lines.append(f"{'一二三四五六'[i - 1]}、第{i}部分")
        lines.append(f"（一）第{i}部分第一项")
        lines += [PARAGRAPH] * 2
    return "\n".join(lines)


def _draft(title: str, sections: int = 3):
    from documents.outgoing import services
    from office.models import Unit

    clerk = User.objects.get(username="clerk")
    return services.outgoing_draft(
        by=clerk,
        series=OutgoingSeries.objects.get(code="乌政办发"),
        doc_type="notice",
        direction="down",
        title=title,
        body=_five_page_body(sections),
        attachments="检查表",
        main_recipients=Unit.objects.filter(code__in=["heping", "xingan"]),
        copy_recipients=Unit.objects.filter(code__in=["info-centre"]),
    )


def _ten_page_pdf() -> bytes:
    from office.pdf import html_to_pdf

    pages = "".join(
        f'<h1 style="page-break-after: always">附件第{n}页</h1><p>{PARAGRAPH * 4}</p>'
        for n in range(1, 11)
    )
    return html_to_pdf(f"<html><body>{pages}</body></html>")


def _numbered(title: str, *, attachment: bytes | None = None):
    """The document taken through the route to its number, so that it prints sealed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.outgoing import services

    secretary = User.objects.get(username="secretary")
    doc = _draft(title, sections=5)
    if attachment:
        upload = SimpleUploadedFile("检查表.pdf", attachment, content_type="application/pdf")
        services.outgoing_attach(document=doc, by=doc.drafted_by, upload=upload)
    doc = services.outgoing_submit(document=doc, by=doc.drafted_by)
    doc = services.outgoing_review(document=doc, by=secretary, approve=True)
    doc = services.outgoing_sign(document=doc, by=doc.signer)
    return services.outgoing_register(document=doc, by=secretary, copies=30)


@seeder("outgoing", needs=("demo",))
def seed_outgoing(scale: float) -> str:
    made = []
    if not OutgoingDocument.objects.filter(title=MARKER).exists():
        made.append(f"the 5-page draft {_draft(MARKER).pk}")
    if not OutgoingDocument.objects.filter(title=PRINTED).exists():
        made.append(f"the 5-page numbered document {_numbered(PRINTED).pk}")
    if not OutgoingDocument.objects.filter(title=WITH_ATTACHMENT).exists():
        doc = _numbered(WITH_ATTACHMENT, attachment=_ten_page_pdf())
        made.append(f"the 5-page document with a 10-page PDF attachment {doc.pk}")
    return ("created " + ", ".join(made)) if made else "the 5-page documents are present"


def _seal_png() -> bytes:
    """A specimen seal (red ring, star, the issuer round the top) on transparency."""
    import io
    import math

    from PIL import Image, ImageDraw, ImageFont

    size, red = 600, (230, 0, 18, 255)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([8, 8, size - 8, size - 8], outline=red, width=20)
    c, r = size / 2, size * 0.13
    draw.polygon(
        [
            (
                c + (r if i % 2 == 0 else r * 0.4) * math.sin(i * math.pi / 5),
                c - (r if i % 2 == 0 else r * 0.4) * math.cos(i * math.pi / 5),
            )
            for i in range(10)
        ],
        fill=red,
    )
    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 60)
    for i, ch in enumerate(ISSUER):
        angle = -110 + 220 * (i + 0.5) / len(ISSUER)
        x = c + size * 0.36 * math.sin(math.radians(angle))
        y = c - size * 0.36 * math.cos(math.radians(angle))
        draw.text((x, y), ch, font=font, fill=red, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _font_bytes() -> bytes:
    """A stand-in for a licensed 仿宋_GB2312 of realistic size: Noto Serif CJK SC cut to GB 2312
    (about 2.5 MB, like the real one), cached in the temp folder."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.documents.outgoing_flow import licensed_font_bytes

    return licensed_font_bytes("Bench FangSong")


def _ensure_seal_and_font() -> None:
    """The seal and a licensed font, uploaded as the admins would, and their files present in
    this checkout's media folder (the bench database is shared, the media folder is not)."""
    from pathlib import Path

    from django.contrib.auth.models import Group, Permission
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.models import IssuerSeal, LicensedFont
    from documents.outgoing import assets
    from office.roles import Role

    # The bench database is shared by branches whose migrations each re-sync the roles: add (never
    # remove) the two permissions this needs.
    for role, codename in (
        (Role.SECURITY_ADMIN, "add_issuerseal"),
        (Role.SYSTEM_ADMIN, "add_licensedfont"),
    ):
        Group.objects.get(name=role).permissions.add(
            Permission.objects.get(content_type__app_label="documents", codename=codename)
        )
    seal = IssuerSeal.objects.filter(issuer_name=ISSUER).first()
    if seal is None or not Path(seal.image.path).is_file():
        assets.seal_store(
            seal=seal or IssuerSeal(issuer_name=ISSUER),
            upload=SimpleUploadedFile("seal.png", _seal_png()),
            by=User.objects.get(username="secadmin"),
        )
    font = LicensedFont.objects.filter(role="fangsong").first()
    if font is None or not Path(font.file.path).is_file():
        assets.font_store(
            font=font or LicensedFont(role="fangsong"),
            upload=SimpleUploadedFile("fangsong.otf", _font_bytes()),
            by=User.objects.get(username="sysadmin"),
        )


@task(
    "outgoing: render 5 pages",
    volume_note="one numbered document, 5 pages, sealed, with an uploaded 仿宋 font",
    needs=("outgoing",),
)
def render_five_pages(timed) -> str:
    import io

    from pypdf import PdfReader

    from documents.outgoing import typeset

    _ensure_seal_and_font()
    doc = OutgoingDocument.objects.select_related("series").get(title=PRINTED)
    with timed():
        pdf = typeset.typeset_document(doc).pdf
    reader = PdfReader(io.BytesIO(pdf))
    return f"{len(reader.pages)} pages, {len(pdf):,} bytes; fonts: {reader.metadata.subject}"


def _with_attachment():
    _ensure_seal_and_font()
    return OutgoingDocument.objects.select_related("series").get(title=WITH_ATTACHMENT)


@task(
    "outgoing: print 5 pages + 10-page PDF attachment",
    volume_note="numbered, sealed, 5 pages of text, a 10-page PDF merged after its label page",
    needs=("outgoing",),
)
def print_with_attachment(timed) -> str:
    from documents.outgoing import typeset

    doc = _with_attachment()
    with timed():
        printed = typeset.typeset_document(doc)
    return f"{printed.pages} laid-out pages, {len(printed.pdf):,} bytes"


@task(
    "outgoing: OFD of 5 pages + 10-page PDF attachment",
    volume_note="the OFD package written from the laid-out pages; attachment pages as images",
    needs=("outgoing",),
)
def ofd_with_attachment(timed) -> str:
    from documents.outgoing import typeset
    from office.typeset import ofd

    doc = _with_attachment()
    printed = typeset.typeset_document(doc, keep_layout=True)
    with timed():
        package = ofd.from_layout(
            printed.layout, title=doc.title, slots=printed.slots, files=printed.files
        )
    return f"{len(ofd.read(package)['pages'])} pages, {len(package):,} bytes"


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
    from office.numbers import next_number

    total = scaled(ALLOCATIONS, 1.0) // WRITERS * WRITERS
    per = total // WRITERS
    ids = _signed(per * WRITERS // 4)  # a quarter as many full registrations
    secretary_pk = User.objects.get(username="secretary").pk

    from office.numbers import last_number

    start = last_number("基准编号", 2026)
    taken: list[list[int]] = [[] for _ in range(WRITERS)]

    def bare(i: int) -> None:
        for _ in range(per):
            with transaction.atomic():
                taken[i].append(next_number("基准编号", 2026))

    def register(i: int) -> None:
        me = User.objects.get(pk=secretary_pk)
        share = len(ids) // WRITERS
        for pk in ids[i * share : (i + 1) * share]:
            services.outgoing_register(document=OutgoingDocument(pk=pk), by=me)

    with timed():
        started = time.perf_counter()
        _parallel(bare, WRITERS)
        bare_s = time.perf_counter() - started
    numbers = sorted(n for part in taken for n in part)
    if numbers != list(range(start + 1, start + total + 1)):
        raise AssertionError(f"numbers {start + 1}…{start + total} have a gap or a duplicate")
    started = time.perf_counter()
    _parallel(register, WRITERS)
    full_s = time.perf_counter() - started
    return (
        f"{total / bare_s:,.0f} allocations/s ({total:,} in {bare_s:.2f} s, "
        f"{start + 1}…{start + total} without gap or duplicate); "
        f"{len(ids) / full_s:,.0f} registrations/s ({len(ids):,} with audit)"
    )
