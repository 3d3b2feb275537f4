"""Upload checks and safe downloads (SECURITY.md S-21…S-25).

A file is accepted only when its extension is on the allowlist AND its first bytes say the same
thing; Office and OFD files are zip archives, so the archive is checked (entry count, expansion
ratio, no absolute or parent paths, no macros) before anything reads it. Files are stored under
generated names; the uploaded name is kept only as text, cleaned.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from office.classification import check_not_classified

ALLOWED = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
# Shown inline (the scan beside the instruction form); everything else is downloaded.
INLINE = {"application/pdf", "image/jpeg", "image/png"}
ZIP_KINDS = {"ofd", "docx", "xlsx"}
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_RATIO = 100
MAX_ZIP_TOTAL = 200 * 1024 * 1024


@dataclass(frozen=True)
class UploadInfo:
    safe_name: str
    extension: str
    content_type: str
    size: int


def _max_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_MB", 20) * 1024 * 1024


def safe_name(name: str) -> str:
    """The uploaded name as harmless text: no path, no control characters, bounded."""
    name = PurePosixPath((name or "").replace("\\", "/")).name
    name = "".join(
        c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C"
    )
    name = re.sub(r"[\"<>|:*?]", "_", name).strip(" .")
    return name[-150:] or "file"


def _sniff(head: bytes, extension: str) -> bool:
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ZIP_KINDS:
        return head.startswith(b"PK\x03\x04")
    return False


def _check_zip(upload, extension: str, size: int) -> None:
    refused = ValidationError(
        _("The file is damaged or not a real %(ext)s file.") % {"ext": extension}
    )
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise refused
            total = sum(e.file_size for e in entries)
            if total > MAX_ZIP_TOTAL or total > MAX_ZIP_RATIO * max(size, 1):
                raise refused
            names = [e.filename for e in entries]
            for name in names:
                if name.startswith("/") or ".." in PurePosixPath(name).parts:
                    raise refused
            lowered = [n.lower() for n in names]
            if any(n.endswith("vbaproject.bin") for n in lowered):
                raise ValidationError(_("Office files with macros are not accepted."))
            if extension == "docx" and "word/document.xml" not in lowered:
                raise refused
            if extension == "xlsx" and "xl/workbook.xml" not in lowered:
                raise refused
            if extension == "ofd" and "ofd.xml" not in lowered:
                raise refused
    except zipfile.BadZipFile as error:
        raise refused from error
    finally:
        upload.seek(0)


def check_upload(upload) -> UploadInfo:
    """Refuse what is not on the allowlist, too large, or not what its name claims."""
    name = safe_name(getattr(upload, "name", ""))
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise ValidationError(
            _("Only PDF, OFD, Word (docx), Excel (xlsx), JPEG and PNG files are accepted.")
        )
    size = upload.size
    if size == 0:
        raise ValidationError(_("The file is empty."))
    if size > _max_bytes():
        raise ValidationError(
            _("The file is larger than %(n)d MB.") % {"n": getattr(settings, "UPLOAD_MAX_MB", 20)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _sniff(head, extension):
        raise ValidationError(
            _("The file's content does not match its name (.%(ext)s).") % {"ext": extension}
        )
    if extension in ZIP_KINDS:
        _check_zip(upload, extension, size)
    # The non-classified boundary: the file's name and its first page (issue 15; S-15b).
    check_not_classified(file_name=name, upload=upload, extension=extension)
    return UploadInfo(name, extension, ALLOWED[extension], size)


def stored_name(extension: str) -> str:
    """A generated storage name: never the uploaded one (S-22)."""
    return f"{uuid.uuid4().hex}.{extension}"


def store_checked(attachment, upload, info: UploadInfo) -> None:
    """Save a checked upload on an attachment model (incoming, outgoing or petition): its
    name, type, size and SHA-256 recorded, the file stored under a generated name (S-23)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment.original_name = info.safe_name
    attachment.content_type = info.content_type
    attachment.size = info.size
    attachment.sha256 = digest.hexdigest()
    attachment.file.save(stored_name(info.extension), upload, save=False)
    attachment.save()


def content_disposition(name: str, *, inline: bool = False) -> str:
    """RFC 6266 / 5987: an ASCII fallback plus the UTF-8 name."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
