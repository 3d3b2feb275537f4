"""The non-classified boundary, as a rule (保密法 第十三条 密级: 绝密、机密、秘密; 第二十四条/
《保密法实施条例》: classified information is not stored or processed on a system not approved
for it; SECURITY.md S-15b; issue 15, finding 6).

One function answers "does this text carry a state-secret marking?" for every app:

* the **marking field** (密级): any of 秘密/机密/绝密 is refused;
* a **title, summary or file name**: the level word is refused unless it is part of a phrase that
  names secrets rather than marks a document — 保守国家秘密, 商业秘密, 工作秘密 …;
* the **first page** of an uploaded PDF or DOCX: only a marking's own form (GB/T 9704-2012
  7.2.2: 密级和保密期限, e.g. ``机密★10年``, ``绝密★启用前``, or a level word alone on its
  line), so a document *about* secrecy work passes.

Text is compared after NFKC (full-width → ordinary), traditional → simplified (祕/機/絕), and
with spaces, full-width spaces and separators removed, so ``秘 密``, ``机　密`` and ``機密`` are
caught. Records that carry material also have a 密级 field whose only value is 非密, with a check
constraint in the database. A refusal names the confidential (机要) channel and is audited.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader

NON_CLASSIFIED = "非密"
LEVELS = ("绝密", "机密", "秘密")

_TRADITIONAL = str.maketrans({"祕": "秘", "機": "机", "絕": "绝"})
# Removed before matching: spaces of every width, zero-width characters, separators people put
# between the two characters.
_GAPS = re.compile(r"[\s\u200b-\u200d\ufeff·•・._\-—/\\|*()（）\[\]【】\"'“”‘’]+")
_LEVEL = re.compile("|".join(LEVELS))
# Phrases in which a level word names secrets instead of marking the document.
_NOT_A_MARKING = re.compile(
    r"(国家|商业|工作|军事|技术|核心|个人|保守|涉及|泄露|窃取|刺探|非法获取)(秘密|机密)"
    r"|(秘密|机密)(法|事项|载体|工作|管理|范围)"
)
# A marking's own form on a page: level ★ period (GB/T 9704-2012 7.2.2), 启用前 (exam papers)
_STAR = re.compile(r"(绝密|机密|秘密)[★☆*＊⭐]|(绝密|机密|秘密)启用前")


def classification_field():
    """The 密级 of a record that carries material: 非密 is the only value (this system)."""
    return models.CharField(
        gettext_lazy("classification (密级)"),
        max_length=8,
        choices=[(NON_CLASSIFIED, NON_CLASSIFIED)],
        default=NON_CLASSIFIED,
        editable=False,
    )


def classification_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(classification=NON_CLASSIFIED), name=name)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_TRADITIONAL)
    return _GAPS.sub("", text)


def marking_in(text: str, *, kind: str = "title") -> str | None:
    """The state-secret level ``text`` carries, or None. ``kind``: "marking", "title" (also
    summaries and file names) or "page" (the first page of a file)."""
    if not text:
        return None
    if kind == "page":
        for line in (text or "").splitlines()[:40]:
            flat = normalise(line)
            found = _STAR.search(flat)
            if found:
                return found.group(1) or found.group(2)
            if flat in LEVELS:  # the level alone on its line
                return flat
        return None
    flat = normalise(text)
    if kind == "marking":
        found = _LEVEL.search(flat)
        return found.group(0) if found else None
    flat = _NOT_A_MARKING.sub("", flat)
    found = _LEVEL.search(flat)
    return found.group(0) if found else None


# --- Files ----------------------------------------------------------------------------------


def first_page_text(upload, extension: str, *, limit: int = 5000) -> str:
    """The text of a PDF's first page or a DOCX's opening paragraphs ("" for other kinds, or
    when it cannot be read — the upload checks refuse a broken file on their own)."""
    try:
        upload.seek(0)
        if extension == "pdf":
            reader = PdfReader(upload)
            if not reader.pages:
                return ""
            return (reader.pages[0].extract_text() or "")[:limit]
        if extension == "docx":
            with zipfile.ZipFile(upload) as archive:
                info = archive.getinfo("word/document.xml")
                if info.file_size > 50 * 1024 * 1024:
                    return ""
                xml = archive.read(info).decode("utf-8", "replace")
            paragraphs = re.split(r"</w:p>", xml)
            lines = ["".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", p)) for p in paragraphs]
            return "\n".join(lines)[:limit]
    except Exception:  # an unreadable file has no readable marking; the upload checks decide
        return ""
    finally:
        upload.seek(0)
    return ""


# --- Refusing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    where: str
    level: str


def find(
    *, marking: str = "", title: str = "", summary: str = "", file_name: str = "", page: str = ""
) -> Finding | None:
    for where, text, kind in (
        ("marking", marking, "marking"),
        ("title", title, "title"),
        ("summary", summary, "title"),
        ("file name", file_name, "title"),
        ("first page", page, "page"),
    ):
        level = marking_in(text, kind=kind)
        if level:
            return Finding(where, level)
    return None


def refusal_message() -> str:
    return _(
        "This system is not approved for classified material (秘密/机密/绝密). "
        "Hand the document to the confidential (机要) channel and register it there."
    )


def check_not_classified(
    *,
    marking: str = "",
    title: str = "",
    summary: str = "",
    file_name: str = "",
    page: str = "",
    upload=None,
    extension: str = "",
    record: str = "",
) -> None:
    """Refuse (ValidationError, code "classified") and audit when anything carries a
    state-secret marking; ``page`` is a paper's text, read like a first page (agenda papers);
    ``upload`` with its ``extension`` has its first page read."""
    if upload is not None:
        page = "\n".join([page, first_page_text(upload, extension)])
    finding = find(marking=marking, title=title, summary=summary, file_name=file_name, page=page)
    if finding is None:
        return
    _audit_refusal(finding, record or title or file_name)
    raise ValidationError(refusal_message(), code="classified")


def _audit_refusal(finding: Finding, what: str) -> None:
    from .accountaudit import current_request
    from .services.audit import audit_record

    request = current_request()
    user = getattr(request, "user", None)
    audit_record(
        action="classification.refused",
        actor=user,
        object_type="classification",
        object_repr=str(what)[:300],
        changes={"where": finding.where, "level": finding.level},
        comment="refused: state-secret material belongs to the confidential (机要) channel",
        request=request,
        outcome="refused",
    )
