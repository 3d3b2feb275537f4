"""Seals (印章, GB/T 9704-2012 7.3.5) and licensed fonts (DOMAIN.md §2.7 item 3) in the 发文 PDF.

Seals are uploaded by the security admin only, fonts by the system admin only, both in the admin at
/manage/; both are checked by content, stored under generated names outside the static folder and
audited. The seal is applied only at 印制 (a numbered document) and measured on the rendered page:
centred over the issuer name and date, its top within one line of the body.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from documents.models import IssuerSeal, LicensedFont, OutgoingSeries
from documents.outgoing import assets, typeset
from documents.outgoing.assets import SealUnavailable
from office.models import AuditEntry
from office.pdf import RefusedURL

from .outgoing_flow import (
    draft,
    licensed_font_bytes,
    registered,
    seal_png,
    signed,
    units,
    upload_font,
    upload_seal,
    user,
)
from .test_outgoing_pdf import CHAR, LEFT, LINE, TOL, WIDTH, _words, needs_poppler

pytestmark = pytest.mark.django_db

ISSUER = "乌兰浩特市人民政府办公室"


def _png(name="seal.png", data=None):
    return SimpleUploadedFile(name, data if data is not None else seal_png(), "image/png")


def _registered(clerk, **kwargs):
    kwargs.setdefault("main_recipients", units("heping", "xingan"))
    kwargs.setdefault("copy_recipients", units("info-centre"))
    return registered(draft(clerk, code="乌政办发", direction="down", **kwargs))


def _images(pdf: bytes) -> int:
    """Images drawn on the pages (pdfimages lists each placement; the soft mask apart)."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        listed = subprocess.run(
            ["pdfimages", "-list", handle.name], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
    return sum(1 for line in listed if line.split()[2] == "image")


def _sign_page(path: Path) -> int:
    pages = len(PdfReader(path).pages)
    return next(n for n in range(1, pages + 1) if any(w[4] == ISSUER for w in _words(path, n)))


# --- Upload -------------------------------------------------------------------------------------
def test_the_security_admin_uploads_a_seal_stored_re_encoded_under_a_generated_name(
    security_admin, settings
):
    seal = upload_seal()
    stored = Path(seal.image.path)
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert not any(stored.is_relative_to(Path(d)) for d in settings.STATICFILES_DIRS)
    assert re.fullmatch(r"[0-9a-f]{32}\.png", stored.name)
    assert seal.original_name == "seal.png" and seal.width_px == 600
    with Image.open(stored) as image:
        assert image.mode == "RGBA"
    entry = AuditEntry.objects.get(action="documents.seal_upload")
    assert entry.changes["sha256"] == seal.sha256 and entry.changes["issuer"] == ISSUER
    again = upload_seal()
    assert again.version == 2 and Path(again.image.path) != stored
    replaced = AuditEntry.objects.get(action="documents.seal_replace")
    assert replaced.changes["previous_sha256"] == seal.sha256


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("seal.jpg", None, "PNG"),
        ("seal.png", b"\xff\xd8\xff\xe0" + b"0" * 400, "不符"),
        ("seal.png", "blank", "空白"),
        ("seal.png", "opaque", "透明"),
        ("seal.png", "wide", "宽"),
        ("seal.png", "tiny", "像素"),
        ("seal.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "损坏"),
    ],
)
def test_a_seal_upload_is_refused_unless_it_is_a_real_transparent_png_with_ink(
    security_admin, name, data, message
):
    made = {
        "blank": lambda: seal_png(blank=True),
        "opaque": lambda: _flatten(seal_png()),
        "wide": lambda: _resize(seal_png(), (900, 400)),
        "tiny": lambda: _resize(seal_png(), (120, 120)),
    }
    if isinstance(data, str):
        data = made[data]()
    with pytest.raises(ValidationError) as error:
        assets.check_seal(_png(name, data if data is not None else seal_png()))
    assert message in " ".join(error.value.messages)


def _flatten(png: bytes) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        out = io.BytesIO()
        Image.alpha_composite(
            Image.new("RGBA", image.size, "white"), image.convert("RGBA")
        ).convert("RGB").save(out, format="PNG")
        return out.getvalue()


def _resize(png: bytes, size) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        out = io.BytesIO()
        image.resize(size).save(out, format="PNG")
        return out.getvalue()


def test_a_seal_larger_than_the_limit_is_refused(security_admin):
    with pytest.raises(ValidationError):
        assets.check_seal(_png(data=seal_png() + b"\x00" * (assets.SEAL_MAX_BYTES + 1)))


def test_only_the_security_admin_may_upload_a_seal(system_admin, clerk):
    for person in (system_admin, clerk, user("auditadmin")):
        with pytest.raises(ValidationError):
            assets.seal_store(seal=IssuerSeal(issuer_name=ISSUER), upload=_png(), by=person)
    assert not IssuerSeal.objects.exists()


def test_the_seal_admin_pages_answer_only_the_security_admin(client_for, security_admin):
    url = "/manage/documents/issuerseal/add/"
    for username in ("sysadmin", "auditadmin"):
        assert client_for(user(username)).get(url).status_code == 403
    client = client_for(security_admin)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"issuer_name": ISSUER, "diameter_mm": "42", "upload": _png()}, follow=False
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    seal = IssuerSeal.objects.get(issuer_name=ISSUER)
    assert seal.uploaded_by == security_admin
    assert AuditEntry.objects.filter(action="documents.seal_upload", actor=security_admin).exists()
    refused = client.post(
        f"/manage/documents/issuerseal/{seal.pk}/change/",
        {"issuer_name": ISSUER, "diameter_mm": "42", "upload": _png(data=seal_png(blank=True))},
    )
    assert refused.status_code == 200 and IssuerSeal.objects.get().version == 1
    assert client.post(f"/manage/documents/issuerseal/{seal.pk}/delete/").status_code == 403


# --- Applied at 印制 only -----------------------------------------------------------------------
def test_a_draft_and_a_signed_preview_are_never_sealed_the_numbered_print_is(clerk):
    upload_seal()
    preview = signed(draft(clerk, code="乌政办发", direction="down"))
    assert _images(typeset.render(preview)) == 0
    numbered = _registered(clerk)
    assert _images(typeset.render(numbered)) == 1


def test_a_series_that_requires_a_seal_is_not_printed_without_one(clerk, client_for, secretary):
    """条例 第九条: a document with the issuer's signature carries its seal. 乌政函 requires it."""
    doc = registered(draft(clerk, code="乌政函", direction="lateral", doc_type="letter"))
    with pytest.raises(SealUnavailable) as error:
        typeset.render(doc)
    response = client_for(secretary).get(f"/documents/outgoing/{doc.pk}/document.pdf")
    assert response.status_code == 409
    assert "印章尚未上传" in response.content.decode()
    assert "印章尚未上传" in str(error.value)
    # 核发 includes 印制: refused too, nothing changed.
    from documents.outgoing import services
    from office.services import TransitionError

    with pytest.raises(TransitionError):
        services.outgoing_dispatch(document=doc, by=secretary)
    doc.refresh_from_db()
    assert doc.state == "registered"
    upload_seal("乌兰浩特市人民政府")
    assert _images(typeset.render(doc)) == 1


def test_without_a_seal_a_series_that_allows_it_prints_unsealed_per_7_3_5_2(clerk, tmp_path):
    series = OutgoingSeries.objects.get(code="乌政办发")
    assert series.seal_required is False  # the demo: 普发性 documents with the "…文件" mark
    doc = _registered(clerk)
    pdf = typeset.render(doc)
    assert _images(pdf) == 0
    path = tmp_path / "unsealed.pdf"
    path.write_bytes(pdf)
    words = _words(path, _sign_page(path))
    name = next(w for w in words if w[4] == ISSUER)
    date = next(w for w in words if re.fullmatch(r"\d{4}年\d+月\d+日", w[4]))
    assert abs(name[2] - (LEFT + WIDTH - 2 * CHAR)) < TOL  # the name 2 字 in from the right
    assert abs(date[0] - (name[0] + 2 * CHAR)) < TOL  # the date 2 字 right of the name's start


def test_a_lost_or_altered_seal_file_is_refused_never_printed_blank(clerk):
    seal = upload_seal()
    doc = _registered(clerk)
    Path(seal.image.path).write_bytes(seal_png(blank=True))
    with pytest.raises(SealUnavailable, match="不一致"):
        typeset.render(doc)
    Path(seal.image.path).unlink()
    with pytest.raises(SealUnavailable, match="丢失"):
        typeset.render(doc)


def test_minutes_are_not_sealed(clerk):
    upload_seal()
    body = "会议研究了冬季供暖保障工作。\n出席：王建华、李志刚"
    doc = _registered(clerk, doc_type="minutes", body=body)
    assert _images(typeset.render(doc)) == 0


def _red_box(path: Path, page: int, tmp_path: Path, below_mm: float):
    """The bounding box (mm) of the red pixels of a page below `below_mm` from the top."""
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-f",
            str(page),
            "-l",
            str(page),
            "-png",
            str(path),
            str(tmp_path / "s"),
        ],
        check=True,
    )
    image = Image.open(sorted(tmp_path.glob("s-*.png"))[-1]).convert("RGB")
    per_mm = 150 / 25.4
    px = image.load()
    xs, ys = [], []
    for y in range(int(below_mm * per_mm), image.size[1]):
        for x in range(0, image.size[0]):
            r, g, b = px[x, y]
            if r > 150 and g < 110 and b < 110:
                xs.append(x)
                ys.append(y)
    return min(xs) / per_mm, min(ys) / per_mm, max(xs) / per_mm, max(ys) / per_mm


@needs_poppler
def test_the_seal_covers_the_issuer_name_and_date_centred_within_a_line_of_the_body(
    clerk, tmp_path
):
    """7.3.5.1: the date 4 字 in from the right; the name centred over it; the seal centred over
    both, which sit slightly below its centre; its top within one line of the 附件说明."""
    upload_seal(diameter_mm=42)
    doc = _registered(clerk, attachments="2026年冬季安全生产检查表")
    path = tmp_path / "sealed.pdf"
    path.write_bytes(typeset.render(doc))
    page = _sign_page(path)
    words = _words(path, page)
    annex = next(w for w in words if w[4].startswith("附件："))
    name = next(w for w in words if w[4] == ISSUER)
    date = next(w for w in words if re.fullmatch(r"\d{4}年\d+月\d+日", w[4]))
    assert abs(date[2] - (LEFT + WIDTH - 4 * CHAR)) < TOL
    assert abs((name[0] + name[2]) / 2 - (date[0] + date[2]) / 2) < TOL
    x0, y0, x1, y1 = _red_box(path, page, tmp_path, below_mm=annex[3])
    assert abs((x1 - x0) - 42) < TOL and abs((y1 - y0) - 42) < TOL  # the seal, at its size
    assert abs((x0 + x1) / 2 - (date[0] + date[2]) / 2) < TOL  # centred over the date
    text_centre = (name[1] + date[3]) / 2
    seal_centre = (y0 + y1) / 2
    assert 0 < text_centre - seal_centre < 3  # name and date slightly below the centre
    assert x0 < date[0] and x1 > date[2] and y0 < name[1] and y1 > date[3]  # covers them
    assert 0 <= y0 - annex[3] < LINE  # its top within one line of the 附件说明


# --- Fonts --------------------------------------------------------------------------------------
def test_the_system_admin_uploads_a_licensed_font_checked_by_content(system_admin, settings):
    font = upload_font()
    assert font.family == "Licensed FangSong Test"
    assert re.fullmatch(r"[0-9a-f]{32}\.otf", Path(font.file.path).name)
    assert Path(font.file.path).resolve().is_relative_to(assets.font_folder())
    assert AuditEntry.objects.filter(action="documents.font_upload", actor=system_admin).exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("font.ttf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),  # not a font, whatever its name
        ("font.ttf", b"\x00\x01\x00\x00" + b"\x00" * 100),  # the magic, then garbage
        ("font.exe", None),
        ("dejavu.ttf", Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").read_bytes()),
    ],
)
def test_a_font_upload_is_refused_unless_a_real_font_with_chinese_glyphs(system_admin, name, data):
    upload = SimpleUploadedFile(name, data if data is not None else licensed_font_bytes())
    with pytest.raises(ValidationError):
        assets.check_font(upload)


def test_only_the_system_admin_may_upload_a_font(client_for, security_admin):
    with pytest.raises(ValidationError):
        assets.font_store(
            font=LicensedFont(role="fangsong"),
            upload=SimpleUploadedFile("a.otf", b"x"),
            by=security_admin,
        )
    assert client_for(security_admin).get("/manage/documents/licensedfont/add/").status_code == 403
    assert (
        client_for(user("sysadmin")).get("/manage/documents/licensedfont/add/").status_code == 200
    )


@needs_poppler
def test_the_uploaded_font_is_used_and_named_truthfully(clerk, tmp_path, client_for):
    upload_font()
    doc = _registered(clerk)
    path = tmp_path / "font.pdf"
    path.write_bytes(typeset.render(doc))
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    embedded = [re.sub(r"^[A-Z]{6}\+", "", ln.split()[0]) for ln in listed.splitlines()[2:]]
    assert any(e.startswith("Licensed-FangSong-Test") for e in embedded), embedded
    note = PdfReader(path).metadata.subject
    assert "仿宋_GB2312：Licensed FangSong Test（上传）" in note
    assert "仿宋_GB2312→" not in note
    page = client_for(clerk).get(doc.get_absolute_url()).content.decode()
    assert "Licensed FangSong Test（上传）" in page


def test_the_renderer_may_read_our_font_folder_but_not_seals_attachments_or_system_files(clerk):
    """S-26: the fetcher's roots are the static folders, the system fonts and our font folder."""
    font = upload_font()
    seal = upload_seal()
    fetcher = typeset._fetcher()
    fetcher.fetch(Path(font.file.path).as_uri())  # allowed: no exception
    for url in (
        Path(seal.image.path).as_uri(),
        Path(seal.image.path).parent.parent.as_uri() + "/",
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.ttf",
        Path(font.file.path).as_uri().replace("/fonts/", "/fonts/../seals/"),
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
