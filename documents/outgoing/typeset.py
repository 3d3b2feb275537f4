"""印制: an outgoing document (发文) through the one typesetter, `office.typeset`.

This module only says *what* an outgoing document prints — the series' header (and Mongolian
line), the number and 签发人, title, 主送, body blocks, 附件说明, signature and seal, 附注, 版记,
attachments — and `office.typeset` lays it out to GB/T 9704-2012 (see its docstring for every
number). The 纪要 of a series (doc type "minutes") and 信函 go through the same stylesheet.

印章 (7.3.5.1): applied at 印制 only, i.e. to a numbered document; a draft or a preview is never
sealed and carries the 草稿 watermark. The seal of the name printed in the signature is used; without
one, 7.3.5.2 (unsealed) when the series allows it, otherwise `SealUnavailable` (条例 第九条).

Kept as issued: `issue` typesets a numbered document once, at 印制, and the result is the record
copy (`office.models.RecordCopy`); `render` refuses to typeset a document that has one.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Marking
from office import typeset as ts
from office.people import display_name
from office.typeset import Attachment, cn_date, seal_geometry
from office.typeset.merge import AttachmentUnprintable, page_count

from . import assets
from . import body as body_mod
from .assets import SealUnavailable
from .models import NUMBERED_STATES, Direction, IssuerSeal

__all__ = [
    "AlreadyIssued",
    "AttachmentUnprintable",
    "SealUnavailable",
    "cn_date",
    "context",
    "faces",
    "render",
]

faces = ts.faces
font_note = ts.font_note
_fetcher = ts.fetcher
mark_size_pt = ts.mark_size_pt


class AlreadyIssued(Exception):
    """The document was issued: its record copy is what prints, never a new typesetting."""


def person(user) -> str:
    return display_name(user)


def _font_source() -> ts.FontSource:
    def fonts():
        return {role: (f.family, path) for role, (f, path) in assets.uploaded_fonts().items()}

    return ts.FontSource(fonts=fonts, folder=assets.font_folder)


FONT_SOURCE = _font_source()


def attachments(document, *, strict: bool = True) -> list[Attachment]:
    """The 附件说明 and the attachment pages: the names typed in the draft (each with the file of
    that name, when one is attached), then each attached file not already named. A PDF prints its
    own pages; an image prints on a page of its own; a Word or Excel file cannot be printed
    (AttachmentUnprintable asks for PDF or OFD); an OFD prints its label page (its pages travel
    in the OFD of the document)."""
    files = list(document.files.all())
    by_title = {f.title: f for f in files}
    names = body_mod.attachment_names(document.attachments)
    out = []
    for name in [*names, *[f.title for f in files if f.title not in names]]:
        f = by_title.get(name)
        item = Attachment(title=name)
        if f is not None:
            kind = f.original_name.rpartition(".")[2].lower()
            if kind == "pdf":
                with f.file.open("rb") as handle:
                    item.pdf = handle.read()
                try:
                    item.pages = page_count(item.pdf)
                except AttachmentUnprintable:
                    if strict:
                        raise
                    item.pdf = None  # a draft's preview shows the label page; 印制 refuses
            elif kind in ("png", "jpg", "jpeg"):
                import base64

                with f.file.open("rb") as handle:
                    data = base64.b64encode(handle.read()).decode()
                item.image_url = f"data:{f.content_type};base64,{data}"
            elif kind != "ofd" and strict:
                raise AttachmentUnprintable(
                    _(
                        "The attachment “%(name)s” is a %(kind)s file and cannot be printed as "
                        "pages. Upload it as PDF or OFD (the layout formats for official "
                        "documents), then print again."
                    )
                    % {"name": f.original_name, "kind": kind.upper()}
                )
        out.append(item)
    return out


def attachment_titles(document) -> list[str]:
    return [a.title for a in attachments_light(document)]


def attachments_light(document) -> list[Attachment]:
    names = body_mod.attachment_names(document.attachments)
    extra = [f.title for f in document.files.all() if f.title not in names]
    return [Attachment(title=n) for n in [*names, *extra]]


def seal_for(document, signature: str, minutes: bool, *, preview: bool = False):
    """The seal 印制 applies, None for an unsealed print, or SealUnavailable.

    A draft or a preview (not yet numbered) is never sealed; 纪要 are not sealed (10.3); the seal
    must match the name printed in the signature (条例 第九条: 与署名机关相符)."""
    if minutes or preview or document.state not in NUMBERED_STATES:
        return None
    seal = IssuerSeal.objects.filter(issuer_name=signature).first()
    if seal is None and document.series.seal_required:
        raise SealUnavailable(
            _(
                "The seal of “%(issuer)s” has not been uploaded. A document that carries the "
                "issuer's signature must be sealed (Regulations on the Handling of Official "
                "Documents, art. 9). Ask the security admin to upload the seal, then print again."
            )
            % {"issuer": signature}
        )
    return seal


def context(document, *, preview: bool = False, pages: bool = True) -> dict:
    """What the document prints. `preview`: unsealed, with the 草稿 watermark (every draft is a
    preview). `pages`: read the attachment files (False for a quick look at the layout)."""
    series = document.series
    draft = preview or document.state not in NUMBERED_STATES
    day = document.issued_on or (
        timezone.localtime(document.signed_at).date() if document.signed_at else None
    )
    minutes = document.doc_type == "minutes"
    parsed = [(b.level, b.text) for b in body_mod.parse(document.body)]
    blocks, attendance = ts.body_blocks(parsed, minutes=minutes)
    mark_text = series.header_text
    if minutes and not mark_text.endswith("纪要"):
        mark_text = f"{series.issuer_name}纪要"
    signature = document.issuer_signature or series.issuer_name
    seal = seal_for(document, signature, minutes, preview=draft)
    return ts.document_context(
        document=document,
        title=document.title,
        mark_text=mark_text,
        mongolian=series.header_mongolian,
        letter=series.letter_format,
        number=document.issue_number,
        number_placeholder=f"{series.code}〔　　〕　号",
        upward=document.direction == Direction.UPWARD,
        signer_name=person(document.signer) if document.signer_id else "",
        urgency=document.get_urgency_display() if document.urgency != "normal" else "",
        minutes=minutes,
        main_text="、".join(u.name for u in document.main_recipients.all()),
        copy_text="，".join(u.name for u in document.copy_recipients.all()),
        blocks=blocks,
        attendance=attendance,
        attachments=attachments(document, strict=not draft)
        if pages
        else attachments_light(document),
        signature=signature,
        signed=not minutes,
        seal=seal,
        seal_url=assets.seal_data_url(seal) if seal else "",
        seal_g=seal_geometry(seal.diameter_mm) if seal else {},
        date_text=cn_date(day),
        notes=document.notes,
        printer=series.issuer_name,
        print_date_text=cn_date(document.issued_on or day),
        public=document.marking == Marking.PUBLIC,
        draft=draft,
    )


def typeset_document(
    document, *, preview: bool = False, ofd: bool = False, keep_layout: bool = False
) -> ts.Printed:
    return ts.typeset(context(document, preview=preview), ofd=ofd, keep_layout=keep_layout)


def render(document, *, preview: bool = False) -> bytes:
    """The PDF as it prints now. Raises SealUnavailable when it must be sealed and cannot be,
    AttachmentUnprintable for a Word/Excel attachment, AlreadyIssued when the document has its
    record copy (that copy is what prints: `office.services.records.record_copy`)."""
    from office.services.records import record_copy

    if not preview and record_copy(document) is not None:
        raise AlreadyIssued(_("This document was issued; its record copy is what prints."))
    return typeset_document(document, preview=preview).pdf


def fonts_used() -> str:
    """The font note shown on the document page: what the PDF really uses."""
    return font_note({k: v for k, v in faces().items() if k != "mongolian"})
