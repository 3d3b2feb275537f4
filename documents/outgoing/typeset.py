"""印制: the GB/T 9704-2012 PDF of an outgoing document, through `office.pdf.render_pdf`.

Every number comes from the standard (DOMAIN.md §2): A4; 天头 37 mm, 订口 28 mm; a 156 × 225 mm
text block on a 22-line × 28-character grid (撑满版心: the grid wins over the nominal 行, §2.1);
the red issuer mark 35 mm below the top of the text block; the number two blank lines below it,
签发人 on its line for upward documents; the red line 4 mm below the number; the title in 2号 two
lines below; the body in 3号; page numbers "— 1 —" in 4号, 7 mm below the text block, odd pages
one 字 in from the right, even pages from the left.

The 版记 (7.4, 7.5.1): at the bottom of the last page, its last rule on the bottom edge of the
text block, and the last page is an even page (封四, printed two-sided). `render` lays the document
out once with the 版记 on a page of its own, looks where the content ends, and then keeps that
layout (content ends on an odd page: the 版记 page after it is even and numbered), moves the 版记
to the foot of the last content page (content ends on an even page with room for it), or puts a
blank page before the 版记 page (even page, no room) — and then neither of those two pages carries
a page number.

印章 (7.3.5.1): applied at 印制 only, i.e. to a numbered document; a draft or a preview is never
sealed. The seal of the name printed in the signature is centred over the issuer name and the date,
which sit slightly below its centre, its top less than one line below the body or 附件说明; the date
4 字 in from the right. Without a seal: 7.3.5.2 (unsealed) when the series allows it, otherwise
`SealUnavailable` — the 条例 (第九条) says a document with an issuer signature carries the seal.

Fonts: the licensed 方正小标宋 / 仿宋_GB2312 / 楷体_GB2312 / 黑体 are not redistributable (§2.7).
A deployment uploads them in the admin (`LicensedFont`); WeasyPrint loads each through @font-face
from our own font folder, and the open Debian fonts stand in for a role without an upload. The
PDF's metadata (and the document page) names the fonts actually used — never a font it does not
contain.
"""

from __future__ import annotations

import functools
import math
import subprocess
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Marking
from office.pdf import SafeURLFetcher, allowed_roots, html_to_pdf
from office.people import display_name

from . import assets
from . import body as body_mod
from .assets import SealUnavailable
from .models import NUMBERED_STATES, Direction, IssuerSeal

__all__ = ["SealUnavailable", "context", "faces", "render"]

# --- The grid -----------------------------------------------------------------------------------
PT_PER_MM = 72 / 25.4
TEXT_WIDTH_MM = 156
TEXT_HEIGHT_MM = 225
CHARS_PER_LINE = 28
LINES_PER_PAGE = 22
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
FOOTER_PT = 14  # 4号
# Slightly under the exact pitch so rounding never pushes the 28th character to the next line.
CHAR_PITCH_PT = round(TEXT_WIDTH_MM * PT_PER_MM / CHARS_PER_LINE - 0.005, 2)  # 15.79 pt
LINE_PT = round(TEXT_HEIGHT_MM * PT_PER_MM / LINES_PER_PAGE - 0.005, 2)  # 28.99 pt
MARK_OFFSET_MM = 35
TOP_MM = 37
RED_LINE_GAP_MM = 4
RED_LINE_MM = 0.5
PAGE_NUMBER_GAP_MM = 7
RED = "#e60012"
# Noto CJK (ascent 1.151, descent 0.286 em) sets the ideographic em box 0.0525 em below the centre
# of its line box; the mark is pulled up by that much so its top edge, not its line box, sits at
# 35 mm.
EM_SHIFT = 0.0525  # Y80% M80% on paper; a printable red on screen


@dataclass(frozen=True)
class Face:
    role: str  # what the standard asks for
    family: str  # what is used
    weight: int
    substitute: bool
    installed: bool = True
    uploaded: bool = False
    css_family: str = ""  # the name the stylesheet uses (uploaded fonts get a private one)
    url: str = ""  # file: URL of an uploaded font, inside our font folder

    @property
    def css(self) -> str:
        return self.css_family or self.family


@functools.cache
def _installed_families() -> frozenset[str]:
    try:
        out = subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    names = set()
    for line in out.splitlines():
        names.update(part.strip() for part in line.split(","))
    return frozenset(names)


def _pick(role: str, wanted: list[tuple[str, int]]) -> Face:
    installed = _installed_families()
    for family, weight in wanted:
        if family in installed:
            return Face(role, family, weight, substitute=family != role)
    family, weight = wanted[-1]
    return Face(role, family, weight, substitute=True, installed=False)


def faces() -> dict[str, Face]:
    """The licensed font the deployment uploaded, else one installed on the system, else the open
    stand-in."""
    found = {
        "biaosong": _pick(
            "方正小标宋简体",
            [("方正小标宋简体", 400), ("FZXiaoBiaoSong-B05S", 400), ("Noto Serif CJK SC", 700)],
        ),
        "fangsong": _pick(
            "仿宋_GB2312", [("仿宋_GB2312", 400), ("FangSong", 400), ("Noto Serif CJK SC", 400)]
        ),
        "kaiti": _pick(
            "楷体_GB2312",
            [
                ("楷体_GB2312", 400),
                ("KaiTi", 400),
                ("AR PL UKai CN", 400),
                ("Noto Serif CJK SC", 400),
            ],
        ),
        "heiti": _pick("黑体", [("黑体", 400), ("SimHei", 400), ("Noto Sans CJK SC", 400)]),
        "songti": _pick("宋体", [("宋体", 400), ("SimSun", 400), ("Noto Serif CJK SC", 400)]),
        "mongolian": _pick("Noto Sans Mongolian", [("Noto Sans Mongolian", 400)]),
    }
    for role, (font, path) in assets.uploaded_fonts().items():
        found[role] = Face(
            found[role].role,
            font.family,
            400,
            substitute=False,
            uploaded=True,
            css_family=f"{font.family} uploaded",
            url=path.as_uri(),
        )
    return found


def font_note(used: dict[str, Face]) -> str:
    """What the PDF says about its fonts: each role and the font that was really used."""
    parts = []
    for face in used.values():
        if face.uploaded:
            parts.append(f"{face.role}：{face.family}（上传）")
        elif not face.installed:
            parts.append(f"{face.role}：未安装，由系统回退字体显示")
        elif face.substitute:
            parts.append(f"{face.role}→{face.family}（替代）")
        else:
            parts.append(f"{face.role}：{face.family}")
    return "；".join(parts)


# --- Dates and names ------------------------------------------------------------------------------
def cn_date(day) -> str:
    """2026年3月5日: Arabic numerals, the year in full, no leading zeros (GB/T 9704 7.3.5)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def person(user) -> str:
    return display_name(user)


def mark_size_pt(text: str) -> float:
    """The issuer mark as large as fits: at most 15 mm a character, within 150 mm."""
    n = max(len(text), 1)
    return round(min(15.0, 150.0 / n) * PT_PER_MM, 1)


# 信函格式 (GB/T 9704-2012 10.1): the mark 30 mm from the top of the PAGE, a red double line
# (thick over thin) 4 mm below it, and a double line (thin over thick) 20 mm above the page's foot.
LETTER_MARK_MM = 30
LETTER_LINE_MM = 170
THICK_MM, THIN_MM, GAP_MM = 0.8, 0.3, 0.6


def letter_lines_svg(mark_pt: float) -> tuple[str, float]:
    """The page-1 background of a letter as a data: URL, and where the upper pair ends (mm)."""
    import base64

    x = (210 - LETTER_LINE_MM) / 2
    top = LETTER_MARK_MM + mark_pt / PT_PER_MM + RED_LINE_GAP_MM
    bottom = 297 - 20 - (THICK_MM + GAP_MM + THIN_MM) / 2

    def rect(y: float, h: float) -> str:
        return f'<rect x="{x}" y="{y:.2f}" width="{LETTER_LINE_MM}" height="{h}" fill="{RED}"/>'

    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297">'
        + rect(top, THICK_MM)
        + rect(top + THICK_MM + GAP_MM, THIN_MM)
        + rect(bottom, THIN_MM)
        + rect(bottom + THIN_MM + GAP_MM, THICK_MM)
        + "</svg>"
    )
    url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return url, top + THICK_MM + GAP_MM + THIN_MM


ATTENDANCE = ("出席", "请假", "列席")
SEAL_BELOW_CENTRE = 0.15  # lines: the name and date sit this much below the seal's centre


def attachment_titles(document) -> list[str]:
    """The 附件说明: the names typed in the draft, then each attached file not already named."""
    names = body_mod.attachment_names(document.attachments)
    for f in document.files.all():
        if f.title not in names:
            names.append(f.title)
    return names


def seal_for(document, signature: str, minutes: bool) -> IssuerSeal | None:
    """The seal 印制 applies, None for an unsealed print, or SealUnavailable.

    A draft or a preview (not yet numbered) is never sealed; 纪要 are not sealed (10.3); the seal
    must match the name printed in the signature (条例 第九条: 与署名机关相符)."""
    if minutes or document.state not in NUMBERED_STATES:
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


def seal_geometry(diameter_mm: float) -> dict:
    """7.3.5.1 on the grid: blank lines between the body and the issuer name, and where the seal's
    top sits relative to the name's line (pt; negative = above it). The name and date lines are
    centred `SEAL_BELOW_CENTRE` lines below the seal's centre; the fewest blank lines are used that
    keep the seal's top below the body, which puts it less than one line below it."""
    line_mm = TEXT_HEIGHT_MM / LINES_PER_PAGE
    half = diameter_mm / 2 / line_mm
    blank = max(0, math.ceil(half + SEAL_BELOW_CENTRE - 1 - 1e-9))
    top_lines = 1 - SEAL_BELOW_CENTRE - half  # from the top of the name's line
    return {
        "blank_pt": round(blank * LINE_PT, 2),
        "top_pt": round(top_lines * LINE_PT, 2),
        "size_mm": diameter_mm,
        "gap_lines": round(blank + top_lines, 3),  # seal top below the body, in lines
    }


def context(document) -> dict:
    series = document.series
    used = faces()
    shown = {k: v for k, v in used.items() if k != "mongolian" or series.header_mongolian}
    day = document.issued_on or (
        timezone.localtime(document.signed_at).date() if document.signed_at else None
    )
    minutes = document.doc_type == "minutes"
    blocks, attendance = [], []
    for b in body_mod.parse(document.body):
        label = b.text[:2]
        if minutes and label in ATTENDANCE and b.text[2:3] in ("：", ":"):
            # 纪要 (10.3): 出席 / 请假 / 列席 go below the body, label in 黑体.
            attendance.append({"label": label, "names": b.text[3:].strip()})
            continue
        head, rest = b.text, ""
        if b.level and "。" in b.text[:-1]:
            cut = b.text.index("。") + 1
            head, rest = b.text[:cut], b.text[cut:]
        blocks.append({"kind": b.kind, "head": head, "rest": rest})
    mark_text = series.header_text
    if minutes and not mark_text.endswith("纪要"):
        mark_text = f"{series.issuer_name}纪要"
    mark_pt = mark_size_pt(mark_text)
    letter_bg, letter_lines_end = letter_lines_svg(mark_pt) if series.letter_format else ("", 0)
    main = [u.name for u in document.main_recipients.all()]
    copy = [u.name for u in document.copy_recipients.all()]
    signature = document.issuer_signature or series.issuer_name
    seal = seal_for(document, signature, minutes)
    return {
        "document": document,
        "series": series,
        "upward": document.direction == Direction.UPWARD,
        "signer_name": person(document.signer) if document.signer_id else "",
        "number": document.issue_number,
        "mark_text": mark_text,
        "minutes": minutes,
        "attendance": attendance,
        "mark_pt": mark_pt,
        "letter": series.letter_format,
        "letter_bg": letter_bg,
        "main_text": "、".join(main),
        "copy_text": "，".join(copy),
        "blocks": blocks,
        "attachments": attachment_titles(document),
        "signature": signature,
        "seal": seal,
        "seal_url": assets.seal_data_url(seal) if seal else "",
        "seal_g": seal_geometry(seal.diameter_mm) if seal else {},
        "colophon_mode": "page",
        "date_text": cn_date(day),
        "print_date_text": cn_date(document.issued_on or day),
        "urgency": document.get_urgency_display() if document.urgency != "normal" else "",
        "public": document.marking == Marking.PUBLIC,
        "faces": used,
        "font_note": font_note(shown),
        "g": {
            "pitch": CHAR_PITCH_PT,
            "spacing": round(CHAR_PITCH_PT - BODY_PT, 2),
            "indent2": round(2 * CHAR_PITCH_PT, 2),
            "indent4": round(4 * CHAR_PITCH_PT, 2),
            "attend_pad": round(5 * CHAR_PITCH_PT, 2),  # 2 字 in, then "出席：" (3 字)
            "attend_label": round(3 * CHAR_PITCH_PT, 2),
            "line": LINE_PT,
            "half_leading": round((LINE_PT - BODY_PT) / 2, 2),
            "two_lines": round(2 * LINE_PT, 2),
            "footer_pt": FOOTER_PT,
            # 4 mm from the number's em box to the middle of the red line.
            "red_gap": round(RED_LINE_GAP_MM - RED_LINE_MM / 2 + EM_SHIFT * BODY_PT / PT_PER_MM, 2),
            "red_line": RED_LINE_MM,
            "mark_offset": MARK_OFFSET_MM,
            "page_gap": PAGE_NUMBER_GAP_MM,
            "red": RED,
            "mark_shift": round(EM_SHIFT * mark_pt, 2),
            # The letter's mark: 30 mm from the page top = 7 mm above the text block (drawn
            # there by a relative offset; the flow below counts from the text block's top).
            "letter_mark_up": round((TOP_MM - LETTER_MARK_MM) * PT_PER_MM + EM_SHIFT * mark_pt, 2),
            # Its number: 7/8 of a 3号 character below the double line, flush right.
            "letter_number_gap": round(
                (letter_lines_end - TOP_MM - mark_pt / PT_PER_MM) * PT_PER_MM
                + BODY_PT * 7 / 8
                - EM_SHIFT * BODY_PT,
                2,
            ),
        },
    }


# --- The 版记 on the last page (7.4, 7.5.1) --------------------------------------------------------
PX_PER_MM = 96 / 25.4  # WeasyPrint lays out in CSS px
TEXT_BOTTOM_PX = (TOP_MM + TEXT_HEIGHT_MM) * PX_PER_MM


def _boxes(page):
    stack = [page._page_box]
    while stack:
        box = stack.pop()
        yield box
        stack.extend(getattr(box, "children", ()) or ())


def _classes(box) -> set[str]:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) is None:
        return set()
    return set((element.get("class") or "").split())


def _find(document, name: str) -> list[tuple[int, object]]:
    return [
        (i, b) for i, page in enumerate(document.pages) for b in _boxes(page) if name in _classes(b)
    ]


def colophon_plan(document) -> str | None:
    """Where the 版记 goes, from a layout with the 版记 on a page of its own ("page" mode):
    None = keep this layout; "foot" = at the foot of the last content page; "blank" = a blank
    page, then the 版记 page."""
    ends = _find(document, "content-end")
    inner = _find(document, "colophon-inner")
    if not ends or not inner:
        return None
    page, end = ends[-1]
    if (page + 1) % 2 == 1:
        return None  # odd: the 版记 page after it is the even last page
    bottom = end.position_y + end.margin_height()
    for p, seal in _find(document, "seal"):
        if p == page:
            bottom = max(bottom, seal.position_y + seal.margin_height())
    height = inner[-1][1].margin_height()
    room = TEXT_BOTTOM_PX - bottom - LINE_PT * 96 / 72 / 2  # and half a line between
    return "foot" if room >= height else "blank"


def _fetcher() -> SafeURLFetcher:
    """Our static folders, the system font folders and our own font folder (uploaded fonts):
    nothing else, in particular not the seals, attachments or anything else in MEDIA_ROOT."""
    roots = allowed_roots()
    folder = assets.font_folder()
    if folder.is_dir():
        roots.append(folder)
    return SafeURLFetcher(roots=roots)


def _html(ctx: dict) -> str:
    return render_to_string("documents/pdf/outgoing.html", ctx)


def render(document) -> bytes:
    """The PDF as it prints. Raises SealUnavailable when it must be sealed and cannot be."""
    ctx = context(document)

    def relayout(laid_out):
        mode = colophon_plan(laid_out)
        if mode is None:
            return None
        ctx["colophon_mode"] = mode
        return _html(ctx)

    def verify(laid_out):
        # The 版记 at the foot must not have pushed the content over: then a blank page instead.
        if ctx["colophon_mode"] == "foot" and len(laid_out.pages) % 2:
            ctx["colophon_mode"] = "blank"
            return _html(ctx)
        return None

    return html_to_pdf(_html(ctx), url_fetcher=_fetcher(), relayout=[relayout, verify])


def fonts_used() -> str:
    """The font note shown on the document page: what the PDF really uses."""
    return font_note({k: v for k, v in faces().items() if k != "mongolian"})
