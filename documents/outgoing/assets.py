"""Seals (印章) and licensed fonts for the GB/T 9704 PDF: upload checks, storage, audit.

Seals are uploaded by the security admin only, fonts by the system admin (office.roles); both in
the Django admin at /manage/, both stored under generated names in the media folder (never served,
never the uploaded name — S-21, S-22), every upload and replacement audited.

- A seal is a PNG with transparency (the seal is printed over the issuer name and date, which must
  show through), at most `SEAL_MAX_BYTES`, 200–4000 px a side, roughly square, with visible ink and
  transparent background. It is decoded and re-encoded by Pillow before it is stored: what is kept
  is pixels only (no metadata, nothing appended after the image). Never a blank seal: an image
  without ink is refused at upload, and a seal whose stored file is missing or altered is refused
  at 印制 (`SealUnavailable`), never printed empty.
- A font is a real TrueType / OpenType / TrueType-collection file (magic bytes, then parsed by
  fontTools), at most `FONT_MAX_BYTES`, and must contain Chinese glyphs; its family name is read
  from the file itself, so the PDF's font note names the font actually used.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import struct
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from office.files import safe_name
from office.roles import Role
from office.services.audit import audit_record

from .models import IssuerSeal, LicensedFont

SEAL_MAX_BYTES = 2 * 1024 * 1024
SEAL_MIN_PX, SEAL_MAX_PX = 200, 4000
SEAL_STORED_PX = 1000  # re-encoded at most this size: ~600 dpi for a 42 mm seal
FONT_MAX_BYTES = 40 * 1024 * 1024
FONT_MAGIC = {b"\x00\x01\x00\x00": "ttf", b"true": "ttf", b"OTTO": "otf", b"ttcf": "ttc"}
FONT_FOLDER = "outgoing/fonts"


class SealUnavailable(Exception):
    """The document must be sealed and cannot be: no seal uploaded for a series that requires
    one, or the stored seal file is gone or altered. The message is for the user, in Chinese."""


def _has_role(user, role: str) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.groups.filter(name=role).exists()
    )


def may_manage_seals(user) -> bool:
    """Only the security admin (安全管理员), by role and permission both."""
    return _has_role(user, Role.SECURITY_ADMIN) and user.has_perm("documents.add_issuerseal")


def may_manage_fonts(user) -> bool:
    return _has_role(user, Role.SYSTEM_ADMIN) and user.has_perm("documents.add_licensedfont")


def _read(upload, limit: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("The file is larger than %(n)d MB.") % {"n": limit // (1024 * 1024)}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if not data:
        raise ValidationError(_("The file is empty."))
    if len(data) > limit:
        raise ValidationError(
            _("The file is larger than %(n)d MB.") % {"n": limit // (1024 * 1024)}
        )
    return data


# --- Seals --------------------------------------------------------------------------------------
def check_seal(upload) -> bytes:
    """The seal re-encoded as PNG (RGBA), or a ValidationError in the user's language."""
    from PIL import Image, UnidentifiedImageError

    name = safe_name(getattr(upload, "name", ""))
    if not name.lower().endswith(".png"):
        raise ValidationError(_("A seal must be a PNG image with a transparent background."))
    data = _read(upload, SEAL_MAX_BYTES)
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError(
            _("The file's content does not match its name (.%(ext)s).") % {"ext": "png"}
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != "PNG":
                raise ValidationError(
                    _("A seal must be a PNG image with a transparent background.")
                )
            width, height = probe.size
            if not (SEAL_MIN_PX <= width <= SEAL_MAX_PX and SEAL_MIN_PX <= height <= SEAL_MAX_PX):
                raise ValidationError(
                    _("A seal image must be %(a)d to %(b)d pixels wide and high.")
                    % {"a": SEAL_MIN_PX, "b": SEAL_MAX_PX}
                )
            if not 0.8 <= width / height <= 1.25:
                raise ValidationError(_("A seal image must be about as high as it is wide."))
            has_alpha = probe.mode in ("RGBA", "LA", "PA") or "transparency" in probe.info
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            rgba = image.convert("RGBA")
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as error:
        raise ValidationError(
            _("The file is damaged or not a real %(ext)s file.") % {"ext": "png"}
        ) from error
    if not has_alpha:
        raise ValidationError(_("A seal must be a PNG image with a transparent background."))
    alpha = rgba.getchannel("A")
    histogram = alpha.histogram()
    total = width * height
    transparent = sum(histogram[:16]) / total
    # Ink: pixels that are opaque and not white.
    small = rgba.resize((200, 200))
    ink = sum(
        1
        for r, g, b, a in small.get_flattened_data()
        if a > 128 and (r < 230 or g < 200 or b < 200)
    )
    if ink < 0.02 * 200 * 200:
        raise ValidationError(_("The seal image shows no seal: it is blank or nearly blank."))
    if transparent < 0.2:
        raise ValidationError(
            _("The seal's background must be transparent, so the name and date show through.")
        )
    if max(width, height) > SEAL_STORED_PX:
        rgba.thumbnail((SEAL_STORED_PX, SEAL_STORED_PX), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgba.save(out, format="PNG", optimize=True)
    return out.getvalue()


def seal_store(*, seal: IssuerSeal, upload, by, request=None) -> IssuerSeal:
    """Upload (new seal) or replace (existing one): checked, re-encoded, stored under a generated
    name, audited. The previous file is kept (an audit trail of what was printed when)."""
    from PIL import Image

    if not may_manage_seals(by):
        raise ValidationError(_("Only the security admin uploads seals."))
    png = check_seal(upload)
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    now = timezone.now()
    replaced = seal.pk is not None
    with transaction.atomic():
        if replaced:
            edited = seal
            seal = IssuerSeal.objects.select_for_update().get(pk=seal.pk)
            seal.issuer_name, seal.diameter_mm = edited.issuer_name, edited.diameter_mm
            previous = seal.sha256
            seal.version += 1
        else:
            previous = ""
        seal.image.save(f"{uuid.uuid4().hex}.png", ContentFile(png), save=False)
        seal.width_px, seal.height_px, seal.size = width, height, len(png)
        seal.sha256 = hashlib.sha256(png).hexdigest()
        seal.original_name = safe_name(getattr(upload, "name", ""))
        seal.uploaded_by, seal.uploaded_at = by, now
        seal.save()
        audit_record(
            action="documents.seal_replace" if replaced else "documents.seal_upload",
            actor=by,
            obj=seal,
            changes={
                "issuer": seal.issuer_name,
                "file": seal.original_name,
                "sha256": seal.sha256,
                "previous_sha256": previous,
                "size": seal.size,
                "pixels": f"{width}×{height}",
                "diameter_mm": seal.diameter_mm,
                "version": seal.version,
            },
            request=request,
            now=now,
        )
    return seal


def seal_data_url(seal: IssuerSeal) -> str:
    """The stored seal as a data: URL, after checking it is the file that was uploaded."""
    try:
        with seal.image.open("rb") as handle:
            data = handle.read(SEAL_MAX_BYTES + 1)
    except (FileNotFoundError, ValueError, OSError) as error:
        raise SealUnavailable(
            _(
                "The seal file of “%(issuer)s” is missing: the document cannot be printed. Ask the security admin to upload the seal again."
            )
            % {"issuer": seal.issuer_name}
        ) from error
    if hashlib.sha256(data).hexdigest() != seal.sha256:
        raise SealUnavailable(
            _(
                "The seal file of “%(issuer)s” is not the one that was uploaded: the document cannot be printed. Ask the security admin to upload the seal again."
            )
            % {"issuer": seal.issuer_name}
        )
    return "data:image/png;base64," + base64.b64encode(data).decode()


# --- Fonts --------------------------------------------------------------------------------------
def font_folder() -> Path:
    """Our own font folder: where uploaded fonts live (inside MEDIA_ROOT, never served)."""
    return (Path(settings.MEDIA_ROOT) / FONT_FOLDER).resolve()


def check_font(upload) -> tuple[str, str, str]:
    """(extension, family, PostScript name) of a real TTF/OTF/TTC with Chinese glyphs."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    data = _read(upload, FONT_MAX_BYTES)
    kind = FONT_MAGIC.get(data[:4])
    name = safe_name(getattr(upload, "name", "")).lower()
    if kind is None or not name.endswith((".ttf", ".otf", ".ttc")):
        raise ValidationError(
            _("Only TrueType or OpenType font files (.ttf, .otf, .ttc) are accepted.")
        )
    try:
        if kind == "ttc":
            fonts = TTCollection(io.BytesIO(data), lazy=True).fonts
            if not fonts:
                raise TTLibError("empty collection")
            font = fonts[0]
        else:
            font = TTFont(io.BytesIO(data), lazy=True)
        names = font["name"]
        family = str(names.getDebugName(16) or names.getDebugName(1) or "").strip()
        postscript = str(names.getDebugName(6) or "").strip()
        cmap = font.getBestCmap() or {}
    except (TTLibError, KeyError, AssertionError, ValueError, IndexError, struct.error) as error:
        raise ValidationError(_("The file is damaged or not a real font file.")) from error
    if not family:
        raise ValidationError(_("The font file does not say its family name."))
    level1 = gb2312_level1()
    missing = sum(1 for c in level1 if ord(c) not in cmap)
    if missing > len(level1) // 100:
        raise ValidationError(
            _("The font lacks %(n)d of the 3,755 common Chinese characters (GB 2312 level 1).")
            % {"n": missing}
        )
    return kind, family[:120], postscript[:120]


@functools.cache
def gb2312_level1() -> str:
    """The 3,755 first-level characters of GB 2312 (rows 16–55): what every official font has."""
    chars = []
    for row in range(0xB0, 0xD8):
        for col in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, col]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def font_store(*, font: LicensedFont, upload, by, request=None) -> LicensedFont:
    if not may_manage_fonts(by):
        raise ValidationError(_("Only the system admin uploads fonts."))
    kind, family, postscript = check_font(upload)
    data = _read(upload, FONT_MAX_BYTES)
    now = timezone.now()
    replaced = font.pk is not None
    with transaction.atomic():
        previous = ""
        if replaced:
            font = LicensedFont.objects.select_for_update().get(pk=font.pk)
            previous = f"{font.family} {font.sha256}"
        font.file.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(data), save=False)
        font.family, font.postscript_name = family, postscript
        font.original_name = safe_name(getattr(upload, "name", ""))
        font.size = len(data)
        font.sha256 = hashlib.sha256(data).hexdigest()
        font.uploaded_by, font.uploaded_at = by, now
        font.save()
        audit_record(
            action="documents.font_replace" if replaced else "documents.font_upload",
            actor=by,
            obj=font,
            changes={
                "role": font.role,
                "family": family,
                "file": font.original_name,
                "sha256": font.sha256,
                "previous": previous,
                "size": font.size,
            },
            request=request,
            now=now,
        )
    return font


def uploaded_fonts() -> dict[str, tuple[LicensedFont, Path]]:
    """role → (font, resolved path) for every uploaded font whose file is in our font folder."""
    folder = font_folder()
    found = {}
    for font in LicensedFont.objects.all():
        try:
            path = Path(font.file.path).resolve(strict=True)
        except (OSError, ValueError, NotImplementedError):
            continue
        if path.is_relative_to(folder) and path.is_file():
            found[font.role] = (font, path)
    return found
