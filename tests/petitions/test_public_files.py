"""Attachments on the public online form (S-19, S-21…S-25): up to five PDF or image files,
content sniffed, size-limited, stored under generated names, never served publicly, downloaded by
staff through the permission check; a bad file gives a clear message and nothing is saved; the
double-submit protection and the rate limit still hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from petitions import services
from petitions.models import Attachment, Petition

from .test_public import form

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def pdf(name="信访材料.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="现场照片.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()]


def submit(client, files, **kw):
    return client.post(reverse("petitions_public:submit"), {**form(**kw), "attachments": files})


def test_a_citizen_attaches_files_under_generated_names(client, client_for, petition_officer):
    response = submit(client, [pdf(), png()])
    assert response.status_code == 302
    petition = Petition.objects.get(title="建议增设公交站点")
    names = sorted(a.original_name for a in petition.attachments.all())
    assert names == ["信访材料.pdf", "现场照片.png"]
    for attachment in petition.attachments.all():
        assert attachment.uploaded_by is None
        stored = Path(attachment.file.name).name
        assert "信访" not in stored and "照片" not in stored and len(stored) >= 32
    assert len(stored_files()) == 2
    # staff download through the permission-checked view
    attachment = petition.attachments.get(original_name="信访材料.pdf")
    url = reverse("petitions:attachment", args=[attachment.pk])
    staff = client_for(petition_officer).get(url)
    assert staff.status_code == 200 and b"".join(staff.streaming_content) == PDF
    assert staff["Content-Disposition"].startswith("attachment;")
    assert staff["X-Content-Type-Options"] == "nosniff"
    # never served publicly: not to the citizen's browser, not under the media URL
    assert client.get(url).status_code in (302, 403, 404)
    assert client.get(f"/{django_settings.MEDIA_URL}{attachment.file.name}").status_code == 404


@pytest.mark.parametrize(
    "bad, message",
    [
        (lambda: png("照片.png", b"<script>alert(1)</script>"), "照片.png"),
        (lambda: SimpleUploadedFile("材料.docx", b"PK\x03\x04" + b"\x00" * 40), "PDF"),
        (lambda: SimpleUploadedFile("run.exe", b"MZ\x90\x00"), "PDF"),
        (lambda: pdf("空.pdf", b""), "空.pdf"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_saved(client, bad, message):
    response = submit(client, [pdf(), bad()])
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "has-error" in page
    assert not Petition.objects.filter(title="建议增设公交站点").exists()
    assert not Attachment.objects.exists() and stored_files() == []


def test_at_most_five_files(client):
    response = submit(client, [pdf(f"{i}.pdf") for i in range(6)])
    assert "最多" in response.content.decode() or "5" in response.content.decode()
    assert not Petition.objects.filter(title="建议增设公交站点").exists()
    assert stored_files() == []
    assert submit(client, [pdf(f"{i}.pdf") for i in range(5)]).status_code == 302
    assert Attachment.objects.count() == 5


def test_a_file_over_the_public_limit_is_refused(client, settings):
    settings.PETITION_PUBLIC_UPLOAD_MAX_MB = 1
    big = pdf("扫描件.pdf", PDF + b"0" * (1024 * 1024))
    response = submit(client, [big])
    assert response.status_code == 200 and "扫描件.pdf" in response.content.decode()
    assert not Petition.objects.exists() or not Attachment.objects.exists()
    assert stored_files() == []


def test_a_double_submission_with_files_stores_them_once(client):
    assert submit(client, [pdf(), png()]).status_code == 302
    assert submit(client, [pdf(), png()]).status_code == 302
    assert Petition.objects.filter(title="建议增设公交站点").count() == 1
    assert Attachment.objects.count() == 2 and len(stored_files()) == 2


def test_the_rate_limit_holds_with_files(client):
    for i in range(5):
        assert submit(client, [], token=f"token-number-{i:02d}-abcdefghij").status_code == 302
    response = submit(client, [pdf()], token="token-number-99-abcdefghij")
    assert response.status_code == 200
    assert Petition.objects.filter(title="建议增设公交站点").count() == 5
    assert not Attachment.objects.exists() and stored_files() == []


def test_the_service_checks_every_file_before_storing_any(register):
    """At the desk too: a bad third file leaves neither the petition nor the first two files."""
    from django.core.exceptions import ValidationError

    before = Petition.objects.count()
    with pytest.raises(ValidationError):
        register(files=[pdf(), png(), png("坏.png", b"GIF89a")])
    assert Petition.objects.count() == before and stored_files() == []


def test_files_of_a_registration_that_rolls_back_are_removed(register, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the notice could not be written")

    monkeypatch.setattr(services, "_notice", fail)
    with pytest.raises(RuntimeError):
        register(files=[pdf(), png()])
    assert not Attachment.objects.exists() and stored_files() == []


def test_the_public_look_up_never_lists_the_files(client):
    submit(client, [pdf()])
    page = client.get(reverse("petitions_public:submitted")).content.decode()
    assert "信访材料" not in page and "/media/" not in page
