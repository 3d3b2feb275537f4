"""Attachments printed as pages (GB/T 9704-2012 8: 附件 bound with the body, numbered on).

The stylesheet lays out, after each attachment's label page, one empty page per page of its PDF
(`annex-slot`): WeasyPrint numbers them like every other page, so the numbering, the odd/even
sides and the 版记 on the even last page all stay right. After drawing, each empty page receives
the attachment's own page, scaled to stand above the page number (it keeps its proportions and
its own margins) — pypdf, after WeasyPrint, as the issue asks.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

PAGE_W_PT, PAGE_H_PT = 595.28, 841.89
# The attachment's page may use the whole sheet down to the top of the page-number band.
USABLE_H_PT = (37 + 225 + 3) * 72 / 25.4


class AttachmentUnprintable(ValueError):
    """An attachment that cannot be printed as pages (a Word or Excel file, a broken PDF)."""


def page_count(data: bytes) -> int:
    """How many pages a PDF attachment has; AttachmentUnprintable when it cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise AttachmentUnprintable(_("An encrypted PDF attachment cannot be printed."))
        return len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise AttachmentUnprintable(_("The PDF attachment cannot be read.")) from error


def slots(document, find) -> dict[int, list[int]]:
    """{attachment index: [page index, …]} of the empty pages laid out for it."""
    found: dict[int, list[int]] = {}
    for page, box in find(document, "annex-slot"):
        index = int(box.element.get("data-file"))
        if page not in found.setdefault(index, []):
            found[index].append(page)
    return found


def merge(pdf: bytes, where: dict[int, list[int]], files: dict[int, bytes]) -> bytes:
    """Put each attachment's pages onto its empty pages."""
    from pypdf import PdfReader, PdfWriter, Transformation

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for index, data in files.items():
        source = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        for target, page in zip(where.get(index, []), source.pages, strict=False):
            if page.rotation:
                page.transfer_rotation_to_content()
            box = page.mediabox
            w, h = float(box.width), float(box.height)
            scale = min(PAGE_W_PT / w, USABLE_H_PT / h)
            dx = (PAGE_W_PT - w * scale) / 2 - float(box.left) * scale
            dy = PAGE_H_PT - h * scale - float(box.bottom) * scale
            writer.pages[target].merge_transformed_page(
                page, Transformation().scale(scale).translate(dx, dy), over=False
            )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
