"""Files attached to a draft (附件): the incoming attachment rules reused (office.files,
S-21…S-25) — allowlist and content sniffing, size limit, generated storage names — listed on the
page, downloaded only by those who may see the draft, named in the PDF's 附件说明."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from documents.models import OutgoingAttachment
from documents.outgoing import services, typeset
from office.models import AuditEntry

from .outgoing_flow import draft, submitted

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


def _pdf(name="检查表.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_the_drafter_attaches_a_file_stored_under_a_generated_name(client_for, clerk, settings):
    doc = draft(clerk)
    response = client_for(clerk).post(f"/documents/outgoing/{doc.pk}/files/", {"file": _pdf()})
    assert response.status_code == 302
    attachment = OutgoingAttachment.objects.get(document=doc)
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored.name)
    assert attachment.original_name == "检查表.pdf" and attachment.content_type == "application/pdf"
    entry = AuditEntry.objects.get(action="outgoing.attach")
    assert entry.changes["sha256"] == attachment.sha256
    page = client_for(clerk).get(doc.get_absolute_url()).content.decode()
    assert "检查表.pdf" in page and f"/files/{attachment.pk}/" in page


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("run.exe", b"MZ\x90\x00"),
        ("检查表.pdf", b"<html>not a pdf</html>"),
        ("空.pdf", b""),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_stored(
    client_for, clerk, name, data
):
    doc = draft(clerk)
    client_for(clerk).post(
        f"/documents/outgoing/{doc.pk}/files/", {"file": SimpleUploadedFile(name, data)}
    )
    assert not OutgoingAttachment.objects.filter(document=doc).exists()


def test_a_file_over_the_size_limit_is_refused(client_for, clerk, settings):
    settings.UPLOAD_MAX_MB = 1
    doc = draft(clerk)
    big = PDF + b"0" * (1024 * 1024 + 1)
    client_for(clerk).post(f"/documents/outgoing/{doc.pk}/files/", {"file": _pdf(data=big)})
    assert not OutgoingAttachment.objects.exists()


def test_only_those_who_may_edit_the_draft_attach_and_only_to_a_draft(
    client_for, clerk, secretary, other_section_staff
):
    doc = draft(clerk)
    assert (
        client_for(secretary)
        .post(f"/documents/outgoing/{doc.pk}/files/", {"file": _pdf()})
        .status_code
        == 403
    )
    assert (
        client_for(other_section_staff)
        .post(f"/documents/outgoing/{doc.pk}/files/", {"file": _pdf()})
        .status_code
        == 404
    )
    submitted(doc)
    assert (
        client_for(clerk).post(f"/documents/outgoing/{doc.pk}/files/", {"file": _pdf()}).status_code
        == 403
    )
    assert not OutgoingAttachment.objects.exists()


def test_downloads_go_through_the_documents_visibility(
    client_for, clerk, section_head, other_section_staff
):
    doc = draft(clerk)
    attachment = services.outgoing_attach(document=doc, by=clerk, upload=_pdf())
    url = f"/documents/outgoing/{doc.pk}/files/{attachment.pk}/"
    response = client_for(section_head).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "UTF-8''%E6%A3%80" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(other_section_staff).get(url).status_code == 404
    other = draft(clerk, title="关于另一件事的通知")
    assert (
        client_for(clerk).get(f"/documents/outgoing/{other.pk}/files/{attachment.pk}/").status_code
        == 404
    )


def test_removing_a_file_is_audited(client_for, clerk):
    doc = draft(clerk)
    attachment = services.outgoing_attach(document=doc, by=clerk, upload=_pdf())
    client_for(clerk).post(f"/documents/outgoing/{doc.pk}/files/{attachment.pk}/remove/")
    assert not OutgoingAttachment.objects.exists()
    assert AuditEntry.objects.filter(action="outgoing.detach").exists()


def test_the_attachment_note_of_the_pdf_lists_the_files(clerk):
    doc = draft(clerk, attachments="2026年冬季安全生产检查表")
    services.outgoing_attach(document=doc, by=clerk, upload=_pdf("责任分工表.pdf"))
    services.outgoing_attach(document=doc, by=clerk, upload=_pdf("2026年冬季安全生产检查表.pdf"))
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(typeset.render(doc))).pages
    ).replace(" ", "")
    assert "附件：1.2026年冬季安全生产检查表" in text and "2.责任分工表" in text
    assert "3." not in text.split("附件：")[1].split("乌兰浩特")[0]  # a named file is listed once


def test_the_draft_page_keeps_its_query_count_with_more_files(client_for, clerk):
    doc = draft(clerk)
    client = client_for(clerk)
    services.outgoing_attach(document=doc, by=clerk, upload=_pdf("a.pdf"))
    client.get(doc.get_absolute_url())
    with CaptureQueriesContext(connection) as one:
        client.get(doc.get_absolute_url())
    for i in range(5):
        services.outgoing_attach(document=doc, by=clerk, upload=_pdf(f"{i}.pdf"))
    with CaptureQueriesContext(connection) as six:
        client.get(doc.get_absolute_url())
    assert len(six) == len(one)
