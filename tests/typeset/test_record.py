"""Kept as issued, OFD, attachments as pages, the 草稿 watermark."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from documents.outgoing import services, typeset
from office.models import AuditEntry, RecordCopy
from office.services import TransitionError
from office.typeset import ofd
from tests.documents.outgoing_flow import NOW, draft, registered, upload_font, upload_seal, user

from . import ink

pytestmark = pytest.mark.django_db

FULL = "这是用于检验版心网格的正文段落每行二十八个字满页排版测试文字"


def _pdf_of(pages: int) -> bytes:
    """A real PDF of `pages` A4 pages, each saying which page it is (WeasyPrint)."""
    from office.pdf import html_to_pdf

    html = "".join(
        f'<p style="page-break-after: always">附件原件第{n}页</p>' for n in range(1, pages + 1)
    )
    return html_to_pdf(f"<html><body>{html}</body></html>")


def _attach(doc, name: str, data: bytes, content_type: str):
    return services.outgoing_attach(
        document=doc,
        by=user("clerk"),
        upload=SimpleUploadedFile(name, data, content_type=content_type),
        now=NOW,
    )


def test_an_issued_document_downloads_byte_identical_after_the_seal_and_font_change(
    clerk, client_for
):
    upload_seal()
    doc = registered(draft(clerk, code="乌政办发", direction="down"))
    secretary = client_for(user("secretary"))
    first = secretary.get(reverse("documents:outgoing_pdf", args=[doc.pk]))
    assert first.status_code == 200
    copy = RecordCopy.objects.of(doc).get()
    entry = AuditEntry.objects.get(action="record.keep", object_id=str(doc.pk))
    assert entry.changes["pdf_sha256"] == hashlib.sha256(first.content).hexdigest()
    assert copy.pdf_sha256 == entry.changes["pdf_sha256"]
    # A month later: a new seal and a licensed font uploaded.
    upload_seal(diameter_mm=40)
    upload_font()
    later = client_for(user("clerk")).get(reverse("documents:outgoing_pdf", args=[doc.pk]))
    assert later.status_code == 200 and later.content == first.content
    with pytest.raises(typeset.AlreadyIssued):
        typeset.render(doc)  # re-typesetting an issued document is impossible
    assert RecordCopy.objects.of(doc).count() == 1


def test_the_ofd_of_a_three_page_sealed_document_reads_back(clerk, client_for):
    upload_seal()
    body = "\n".join([FULL * 3] * 14)
    doc = registered(draft(clerk, code="乌政办发", direction="down", body=body))
    copy = services.outgoing_print(document=doc, by=user("secretary"), now=NOW)
    # Three pages of text; the 版记 takes the even fourth page (7.4: the last page is even).
    assert copy.pages == 4
    response = client_for(user("clerk")).get(reverse("documents:outgoing_ofd", args=[doc.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/ofd"
    back = ofd.read(response.content)
    assert len(back["pages"]) == 4 == len(PdfReader(io.BytesIO(copy.read_pdf())).pages)
    assert FULL[:10] in back["pages"][2]["text"]
    assert back["title"] == doc.title
    assert doc.title in back["pages"][0]["text"]
    seals = [img for page in back["pages"] for w, h, img in page["images"] if 35 < w < 50]
    assert seals and seals[0].startswith(b"\x89PNG")  # the seal image is in the package
    assert back["fonts"]  # fonts named


def test_a_draft_has_no_ofd_and_its_pdf_carries_the_watermark(clerk, client_for):
    doc = draft(clerk, code="乌政办发", direction="down")
    client = client_for(user("clerk"))
    assert client.get(reverse("documents:outgoing_ofd", args=[doc.pk])).status_code == 404
    response = client.get(reverse("documents:outgoing_pdf", args=[doc.pk]))
    assert response.status_code == 200
    for image in ink.pages(response.content):
        assert ink.grey(image) > 5000  # 草稿 on every page
    assert not RecordCopy.objects.exists()


def test_pdf_attachment_pages_follow_their_label_page(clerk):
    upload_seal()
    doc = draft(clerk, code="乌政办发", direction="down", attachments="检查表")
    _attach(doc, "检查表.pdf", _pdf_of(3), "application/pdf")
    doc = registered(doc)
    printed = typeset.typeset_document(doc)
    pages = PdfReader(io.BytesIO(printed.pdf)).pages
    texts = [p.extract_text().replace(" ", "").replace("\n", "") for p in pages]
    label = next(i for i, t in enumerate(texts) if t.startswith("附件") and "检查表" in t)
    for n in range(1, 4):
        assert f"附件原件第{n}页" in texts[label + n]
        assert f"—{label + n + 1}—" in texts[label + n]  # numbering continues
    assert len(pages) % 2 == 0


def test_a_word_attachment_is_refused_for_printing_with_a_clear_message(clerk, client_for):
    import zipfile

    upload_seal()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    doc = draft(clerk, code="乌政办发", direction="down", attachments="方案")
    _attach(
        doc,
        "方案.docx",
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    doc = registered(doc)
    with pytest.raises(TransitionError, match="PDF"):
        services.outgoing_print(document=doc, by=user("secretary"), now=NOW)
    response = client_for(user("secretary")).get(reverse("documents:outgoing_pdf", args=[doc.pk]))
    assert response.status_code == 409
    assert "PDF" in response.content.decode() and "OFD" in response.content.decode()
    assert not RecordCopy.objects.exists()
