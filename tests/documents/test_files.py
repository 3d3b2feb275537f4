"""Uploads and downloads of incoming documents' files (SECURITY.md S-21…S-25).

Upload checks: allowlisted extension AND sniffed content; archives checked for entry count,
expansion ratio, paths and macros before anything reads them; size limits; clean names. Storage
under generated names. Downloads through permission-checked views with safe headers.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import services
from documents.models import AttachmentKind, Marking
from office import files
from office.models import AuditEntry

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def office_zip(entries: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
XLSX = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


# --- Upload checks ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("来文扫描件.pdf", PDF, "application/pdf"),
        ("scan.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("附件.docx", office_zip(DOCX), files.ALLOWED["docx"]),
        ("表格.xlsx", office_zip(XLSX), files.ALLOWED["xlsx"]),
    ],
)
def test_allowed_types_are_accepted(name, content, content_type):
    info = files.check_upload(upload(name, content))
    assert info.content_type == content_type
    assert info.size == len(content)
    assert info.safe_name == name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.pdf", PNG),  # a PNG calling itself PDF
        ("invoice.pdf", EXE),  # a program renamed .pdf
        ("photo.png", JPEG),
        ("photo.jpg", PDF),
        ("letter.docx", PDF),  # not a zip at all
        ("letter.docx", b"PK\x03\x04 broken archive"),
        ("letter.docx", office_zip(XLSX)),  # a workbook calling itself a document
        ("setup.exe", EXE),  # not on the allowlist
        ("page.html", b"<script>alert(1)</script>"),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("no-extension", PDF),
        ("macro.docm", office_zip(DOCX)),
    ],
)
def test_mismatched_or_unlisted_files_are_refused(name, content):
    with pytest.raises(ValidationError):
        files.check_upload(upload(name, content))


def test_macro_enabled_office_file_is_refused():
    content = office_zip({**DOCX, "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    with pytest.raises(ValidationError, match="带宏"):
        files.check_upload(upload("report.docx", content))


def test_zip_bomb_ratio_is_refused():
    # 5 MB of zeros compress to a few KB: far beyond the allowed expansion ratio.
    content = office_zip({**DOCX, "word/media/big.bin": b"\x00" * (5 * 1024 * 1024)})
    assert len(content) * files.MAX_ZIP_RATIO < 5 * 1024 * 1024
    with pytest.raises(ValidationError):
        files.check_upload(upload("bomb.docx", content))


def test_zip_with_too_many_entries_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_ZIP_ENTRIES", 5)
    content = office_zip({**DOCX, **{f"word/p{i}.xml": b"x" for i in range(5)}})
    with pytest.raises(ValidationError):
        files.check_upload(upload("many.docx", content))


@pytest.mark.parametrize("entry", ["../../evil.sh", "/etc/cron.d/evil", "word/../../evil.xml"])
def test_path_traversal_entry_is_refused(entry):
    content = office_zip({**DOCX, entry: b"#!/bin/sh"})
    with pytest.raises(ValidationError):
        files.check_upload(upload("traversal.docx", content))


def test_size_limit(settings):
    settings.UPLOAD_MAX_MB = 1
    at_limit = PDF + b"0" * (1024 * 1024 - len(PDF))
    assert files.check_upload(upload("ok.pdf", at_limit)).size == 1024 * 1024
    with pytest.raises(ValidationError, match="1 MB"):
        files.check_upload(upload("big.pdf", at_limit + b"0"))


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="空"):
        files.check_upload(upload("empty.pdf", b""))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("/var/www/来文.pdf", "来文.pdf"),
        ("C:\\Users\\张敏\\Desktop\\报告.pdf", "报告.pdf"),
        ("a\x00b\r\n\tc.pdf", "abc.pdf"),
        ("invoice\u202egpj.pdf", "invoicegpj.pdf"),  # right-to-left override removed
        ('x"<y>|z:*?.pdf', "x__y__z___.pdf"),
        ("  ..hidden.pdf. ", "hidden.pdf"),
        ("", "file"),
        ("../..", "file"),
    ],
)
def test_safe_name(raw, clean):
    assert files.safe_name(raw) == clean


def test_safe_name_is_bounded():
    assert len(files.safe_name("长" * 500 + ".pdf")) == 150
    assert files.safe_name("长" * 500 + ".pdf").endswith(".pdf")


def test_content_disposition_encodes_the_name():
    header = files.content_disposition('报告 "1".pdf')
    assert header.startswith("attachment; ")
    assert 'filename="' in header and "filename*=UTF-8''" in header
    assert "%E6%8A%A5%E5%91%8A" in header  # 报告
    assert '"1"' not in header.split("filename*=")[1]
    assert files.content_disposition("a.pdf", inline=True).startswith("inline; ")


# --- Storage ---------------------------------------------------------------------------------
@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def document(secretary):
    return services.incoming_register(
        by=secretary, title="关于报送年度统计数据的通知", doc_type="notice", sender_name="市统计局"
    )


@pytest.fixture
def assigned(document, secretary, leader):
    """Registered by 秘书科 and handled by 综合科 (the clerk's section)."""
    import datetime as dt

    from django.utils import timezone

    from office.models import Section

    services.incoming_screen(document=document, by=secretary, accept=True)
    services.incoming_present(document=document, by=secretary, leader=leader, proposal="拟请阅示。")
    services.incoming_instruct(
        document=document,
        leader=leader,
        text="请综合科办理。",
        routing="assign",
        lead=Section.objects.get(code="general"),
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    document.refresh_from_db()
    return document


def test_attachment_is_stored_under_a_generated_name(media, document, secretary):
    content = PDF + "正文".encode()
    attachment = services.attachment_add(
        document=document,
        by=secretary,
        kind=AttachmentKind.SCAN,
        upload=upload("../../来文 扫描件.pdf", content),
    )
    stored = Path(attachment.file.name)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored.name)
    assert "来文" not in attachment.file.name and ".." not in attachment.file.name
    assert attachment.original_name == "来文 扫描件.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert (media / attachment.file.name).read_bytes() == content
    assert Path(attachment.file.path).resolve().is_relative_to(media.resolve())


def test_attachment_add_checks_again(media, document, secretary):
    with pytest.raises(ValidationError):
        services.attachment_add(
            document=document, by=secretary, kind=AttachmentKind.SCAN, upload=upload("x.pdf", EXE)
        )
    assert not document.attachments.exists()


# --- Downloads -------------------------------------------------------------------------------
def attach(document, by, name="来文 扫描件.pdf", content=PDF):
    return services.attachment_add(
        document=document, by=by, kind=AttachmentKind.SCAN, upload=upload(name, content)
    )


def test_download_by_someone_who_may_see_it(media, client_for, assigned, secretary, clerk):
    attachment = attach(assigned, secretary)
    for person in (secretary, clerk):
        response = client_for(person).get(reverse("documents:attachment", args=[attachment.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            "attachment; filename=\"______.pdf\"; filename*=UTF-8''"
            "%E6%9D%A5%E6%96%87%20%E6%89%AB%E6%8F%8F%E4%BB%B6.pdf"
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert response["X-Frame-Options"] == "DENY"


def test_download_stores_type_not_guess(media, client_for, assigned, secretary):
    """The response type is the one checked at upload, never guessed from the name."""
    attachment = attach(assigned, secretary, name="table.xlsx", content=office_zip(XLSX))
    response = client_for(secretary).get(reverse("documents:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == files.ALLOWED["xlsx"]
    assert response["Content-Disposition"].startswith("attachment; ")


def test_download_refused_to_others(media, client_for, assigned, secretary, other_section_staff):
    attachment = attach(assigned, secretary)
    for name in ("attachment", "attachment_inline"):
        url = reverse(f"documents:{name}", args=[attachment.pk])
        assert client_for(other_section_staff).get(url).status_code == 404
        anonymous = client_for(None).get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("login"))
    missing = reverse("documents:attachment", args=[attachment.pk + 1000])
    assert client_for(secretary).get(missing).status_code == 404


def test_download_of_restricted_document_is_audited(media, client_for, secretary, clerk, leader):
    document = services.incoming_register(
        by=secretary,
        title="关于人事调整的内部通报",
        doc_type="bulletin",
        sender_name="市委组织部",
        marking=Marking.RESTRICTED,
        audience=[clerk],
    )
    attachment = attach(document, secretary)
    url = reverse("documents:attachment", args=[attachment.pk])
    assert client_for(leader).get(url).status_code == 404  # not in the named audience
    assert client_for(clerk).get(url).status_code == 200
    entries = AuditEntry.objects.filter(action="incoming.download", object_id=str(document.pk))
    assert entries.count() == 1 and entries.get().actor == clerk
    inline = reverse("documents:attachment_inline", args=[attachment.pk])
    assert client_for(clerk).get(inline).status_code == 200
    assert AuditEntry.objects.filter(
        action="incoming.view_file", object_id=str(document.pk)
    ).exists()


def test_unrestricted_download_is_not_audited(media, client_for, assigned, secretary):
    attachment = attach(assigned, secretary)
    client_for(secretary).get(reverse("documents:attachment", args=[attachment.pk]))
    assert not AuditEntry.objects.filter(action="incoming.download").exists()


def test_inline_view_headers(media, client_for, assigned, secretary, clerk):
    attachment = attach(assigned, secretary, name="扫描.png", content=PNG)
    response = client_for(clerk).get(reverse("documents:attachment_inline", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline; ")
    assert "filename*=UTF-8''%E6%89%AB%E6%8F%8F.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "'none'" not in csp.split("frame-ancestors")[1]
    assert "default-src 'self'" in csp  # the rest of the policy is the project's
    # Every other page still refuses to be framed.
    other = client_for(clerk).get(reverse("documents:attachment", args=[attachment.pk]))
    assert other["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in other["Content-Security-Policy"]


def test_inline_view_only_for_pdf_and_images(media, client_for, assigned, secretary):
    attachment = attach(assigned, secretary, name="附件.docx", content=office_zip(DOCX))
    url = reverse("documents:attachment_inline", args=[attachment.pk])
    assert client_for(secretary).get(url).status_code == 404
    download = client_for(secretary).get(reverse("documents:attachment", args=[attachment.pk]))
    assert download.status_code == 200


def test_downloads_are_get_only(media, client_for, assigned, secretary):
    attachment = attach(assigned, secretary)
    url = reverse("documents:attachment", args=[attachment.pk])
    assert client_for(secretary).post(url).status_code in (403, 405)  # CSRF or method
