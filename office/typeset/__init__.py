"""The one typesetter for every official document (公文, 信函, 纪要): GB/T 9704-2012.

An app builds a *context* (what to print: header, title, body blocks, signature, seal, 版记,
attachments) and calls `typeset(ctx)`; this package lays it out from ONE stylesheet
(`templates/office/typeset/document.html`) on the 22 × 28 grid, then draws it. The grid and every
number are the standard's (DOMAIN.md §2):

- A4; 天头 37 mm, 订口 28 mm; a 156 × 225 mm text block of 22 lines × 28 characters that the text
  fills (撑满版心, 5.2.2): every full page has 22 lines — no orphans/widows rule shortens a page;
  a heading is kept with at least two lines of its paragraph instead;
- justified lines reach the right edge also when they carry half-width digits (`justify`);
- titles broken between words, as a trapezoid or a diamond (7.3.1, `title`);
- the Mongolian header line (DOMAIN.md §2.7.5) sized to stay on one line;
- the seal (7.3.5.1): its top within one line below the body, its bottom inside the text block,
  never over the 附注; when the signature does not fit at the foot of the last page, the lines of
  that page are set closer (7.3.5.4: 采取调整行距、字距的措施) rather than a paragraph moved over;
- page numbers (7.5): the 一字线 7 mm below the text block, odd pages 1 字 from the right, even
  pages 1 字 from the left;
- 信函 (10.1): the upper double line 4 mm under the mark;
- 版记 at the foot of the even last page (7.4, `colophon_plan`);
- attachments (附件, 8): an uploaded PDF's own pages follow its label page (`merge`);
- a 草稿 watermark on every page of a draft or preview.

Fonts: a deployment's licensed fonts come from the app that stores them, registered with
`register_font_source` (documents registers its uploaded `LicensedFont`s); the open Debian fonts
stand in for any role without one. The PDF names the fonts it really uses.
"""

from __future__ import annotations

import base64
import functools
import math
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string

from office.pdf import SafeURLFetcher, allowed_roots, html_to_pdf

from . import title as title_mod
from .justify import justify_document

TEMPLATE = "office/typeset/document.html"

# --- The grid (DOMAIN.md §2.1) --------------------------------------------------------------------
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
LINE_MM = TEXT_HEIGHT_MM / LINES_PER_PAGE
MARK_OFFSET_MM = 35
TOP_MM = 37
RED_LINE_GAP_MM = 4
RED_LINE_MM = 0.5
PAGE_NUMBER_GAP_MM = 7
RED = "#e60012"  # Y80% M80% on paper; a printable red on screen
# Noto CJK (ascent 1.151, descent 0.286 em) sets the ideographic em box 0.0525 em below the centre
# of its line box; the mark is pulled up by that much so its top edge sits at 35 mm.
EM_SHIFT = 0.0525
# Where the ink of the 一字线 "—" sits below the top of a 4号 line box of its own height, and where
# the ink of a bold 标宋 ideograph ends above the bottom of its em box (measured on the rendered
# page: tests/office/test_typeset_layout.py measures the result).
DASH_INK_BELOW_LINE_TOP_MM = 3.2
MARK_INK_ABOVE_EM_BOTTOM = 0.08
TITLE_MAX_EM = 19.5  # 2号 characters on a 156 mm line (20.1), with room for half-width digits
TIGHTEST = 0.75  # 7.3.5.4: lines set at most this much closer to keep the signature on its page
ATTENDANCE = ("出席", "请假", "列席")
SEAL_BELOW_CENTRE = 0.15  # lines: the name and date sit this much below the seal's centre


# --- Fonts --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Face:
    role: str  # what the standard asks for
    family: str  # what is used
    weight: int
    substitute: bool
    installed: bool = True
    uploaded: bool = False
    css_family: str = ""  # the name the stylesheet uses (uploaded fonts get a private one)
    url: str = ""  # file: URL of an uploaded font, inside its app's font folder

    @property
    def css(self) -> str:
        return self.css_family or self.family


@dataclass
class FontSource:
    """What an app offers the typesetter: uploaded fonts by role ({role: (family, path)}) and the
    folder they live in (the only extra folder the renderer may read)."""

    fonts: Callable[[], dict[str, tuple[str, Path]]]
    folder: Callable[[], Path]


_SOURCES: list[FontSource] = []


def register_font_source(source: FontSource) -> None:
    """Called from an app's `AppConfig.ready`."""
    if source not in _SOURCES:
        _SOURCES.append(source)


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
    """The licensed font a deployment uploaded, else one installed on the system, else the open
    stand-in (DOMAIN.md §2.7.3)."""
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
    for source in _SOURCES:
        for role, (family, path) in source.fonts().items():
            found[role] = Face(
                found[role].role,
                family,
                400,
                substitute=False,
                uploaded=True,
                css_family=f"{family} uploaded",
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


def fetcher() -> SafeURLFetcher:
    """Our static folders, the system font folders and the registered font folders: nothing else,
    in particular not the seals, attachments or anything else in MEDIA_ROOT."""
    roots = allowed_roots()
    for source in _SOURCES:
        folder = source.folder()
        if folder.is_dir():
            roots.append(folder)
    return SafeURLFetcher(roots=roots)


# --- Text helpers ---------------------------------------------------------------------------------
def cn_date(day) -> str:
    """2026年3月5日: Arabic numerals, the year in full, no leading zeros (GB/T 9704 7.3.5)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def mark_size_pt(text: str) -> float:
    """The issuer mark as large as fits: at most 15 mm a character, within 150 mm."""
    n = max(len(text), 1)
    return round(min(15.0, 150.0 / n) * PT_PER_MM, 1)


@functools.cache
def _mongolian_advances() -> tuple[dict[int, float], float]:
    from fontTools.ttLib import TTFont

    path = "/usr/share/fonts/truetype/noto/NotoSansMongolian-Regular.ttf"
    if not Path(path).exists():
        return {}, 0.5
    font = TTFont(path, lazy=True)
    upem = font["head"].unitsPerEm
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    return {cp: hmtx[name][0] / upem for cp, name in cmap.items()}, 0.5


_MEASURED_EM: dict[str, float] = {}  # Mongolian line → its width in em, as Pango shaped it


def mongolian_size_pt(text: str, largest: float) -> float:
    """The Mongolian line at the mark's size if it fits on one line of the text block, else as
    large as fits. The width is the one Pango shaped (joined forms are narrower than the nominal
    glyphs), measured on the first layout of that line and remembered; before that, an estimate
    from the nominal glyphs' advances."""
    advances, fallback = _mongolian_advances()
    em = _MEASURED_EM.get(text) or sum(advances.get(ord(ch), fallback) for ch in text)
    if em <= 0:
        return largest
    return round(min(largest, TEXT_WIDTH_MM * PT_PER_MM * 0.97 / em), 1)


# 信函格式 (GB/T 9704-2012 10.1): the mark 30 mm from the top of the PAGE, a red double line
# (thick over thin) 4 mm below it, and a double line (thin over thick) 20 mm above the page's foot.
LETTER_MARK_MM = 30
LETTER_LINE_MM = 170
THICK_MM, THIN_MM, GAP_MM = 0.8, 0.3, 0.6


def letter_lines_svg(mark_pt: float) -> tuple[str, float]:
    """The page-1 background of a letter as a data: URL, and where the upper pair ends (mm).
    The upper pair starts 4 mm below the mark's ink (its em box ends lower than its ink)."""
    x = (210 - LETTER_LINE_MM) / 2
    mark_mm = mark_pt / PT_PER_MM
    top = LETTER_MARK_MM + mark_mm * (1 - MARK_INK_ABOVE_EM_BOTTOM) + RED_LINE_GAP_MM
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


def letter_rules(mark_pt: float) -> list[tuple[float, float, float, float, str]]:
    """The same double lines as (x, y of the middle, length, thickness, "r g b") for the OFD."""
    x = (210 - LETTER_LINE_MM) / 2
    top = LETTER_MARK_MM + mark_pt / PT_PER_MM * (1 - MARK_INK_ABOVE_EM_BOTTOM) + RED_LINE_GAP_MM
    bottom = 297 - 20 - (THICK_MM + GAP_MM + THIN_MM) / 2
    rgb = " ".join(str(int(RED[i : i + 2], 16)) for i in (1, 3, 5))
    return [
        (x, top + THICK_MM / 2, LETTER_LINE_MM, THICK_MM, rgb),
        (x, top + THICK_MM + GAP_MM + THIN_MM / 2, LETTER_LINE_MM, THIN_MM, rgb),
        (x, bottom + THIN_MM / 2, LETTER_LINE_MM, THIN_MM, rgb),
        (x, bottom + THIN_MM + GAP_MM + THICK_MM / 2, LETTER_LINE_MM, THICK_MM, rgb),
    ]


def seal_geometry(diameter_mm: float) -> dict:
    """7.3.5.1 on the grid: blank lines between the body and the issuer name, where the seal's top
    sits relative to the name's line (pt; negative = above it), and how many whole lines the seal
    reaches below the date (kept free: the 附注 goes under the seal, never beneath it). The name and
    date lines are centred `SEAL_BELOW_CENTRE` lines below the seal's centre; the fewest blank
    lines are used that keep the seal's top below the body, which puts it less than one line
    below it."""
    half = diameter_mm / 2 / LINE_MM
    blank = max(0, math.ceil(half + SEAL_BELOW_CENTRE - 1 - 1e-9))
    top_lines = 1 - SEAL_BELOW_CENTRE - half  # from the top of the name's line
    below = max(0.0, top_lines + 2 * half - 2)  # past the bottom of the date's line
    return {
        "blank_pt": round(blank * LINE_PT, 2),
        "top_pt": round(top_lines * LINE_PT, 2),
        "size_mm": diameter_mm,
        "gap_lines": round(blank + top_lines, 3),  # seal top below the body, in lines
        "below_pt": round(math.ceil(below - 1e-9) * LINE_PT, 2),
    }


def grid(mark_pt: float, letter_lines_end: float = 0) -> dict:
    """The numbers the stylesheet uses (pt unless named mm)."""
    return {
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
        # The 一字线's ink, not its line box, 7 mm below the text block (7.5).
        "page_gap": round(PAGE_NUMBER_GAP_MM - DASH_INK_BELOW_LINE_TOP_MM, 2),
        "red": RED,
        "mark_shift": round(EM_SHIFT * mark_pt, 2),
        # The letter's mark: 30 mm from the page top = 7 mm above the text block (drawn there by
        # a relative offset; the flow below counts from the text block's top).
        "letter_mark_up": round((TOP_MM - LETTER_MARK_MM) * PT_PER_MM + EM_SHIFT * mark_pt, 2),
        # Its number: 7/8 of a 3号 character below the double line, flush right.
        "letter_number_gap": round(
            (letter_lines_end - TOP_MM - mark_pt / PT_PER_MM) * PT_PER_MM
            + BODY_PT * 7 / 8
            - EM_SHIFT * BODY_PT,
            2,
        ),
    }


def watermark_svg() -> str:
    """草稿 across the page, light enough to read the text through."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297">'
        '<text x="105" y="160" font-family="Noto Sans CJK SC" font-size="60" font-weight="700" '
        'fill="#d0d0d0" fill-opacity="0.55" text-anchor="middle" '
        'transform="rotate(-35 105 150)">草稿</text></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@dataclass
class Attachment:
    """One 附件: its label page, then the pages of its file (a PDF's own pages; an image on a
    page of its own), or nothing more (a title typed in the draft)."""

    title: str
    pdf: bytes | None = None
    pages: int = 0
    image_url: str = ""

    @property
    def slots(self) -> range:
        return range(self.pages if self.pdf else 0)


def document_context(**values) -> dict:
    """The defaults every official document's context starts from; an app overrides what it has.
    The keys are the template's (office/typeset/document.html)."""
    used = faces()
    mark_text = values.get("mark_text", "")
    mark_pt = mark_size_pt(mark_text)
    letter = values.get("letter", False)
    letter_bg, letter_lines_end = letter_lines_svg(mark_pt) if letter else ("", 0)
    mongolian = values.get("mongolian", "")
    ctx = {
        "title": "",
        "mongolian": mongolian,
        "mongolian_pt": mongolian_size_pt(mongolian, mark_pt) if mongolian else 0,
        "mark_pt": mark_pt,
        "letter": letter,
        "letter_bg": letter_bg,
        "number": "",
        "number_placeholder": "",
        "upward": False,
        "signer_name": "",
        "urgency": "",
        "minutes": False,
        "minutes_head": None,  # (issuer, date) on the line under the number (纪要)
        "main_text": "",
        "blocks": [],
        "attendance": [],
        "attachments": [],
        "signature": "",
        "signed": True,  # print the issuer name and date
        "seal_url": "",
        "seal_g": {},
        "date_text": "",
        "notes": "",
        "copy_label": "抄送",
        "copy_text": "",
        "printer": "",
        "print_date_text": "",
        "colophon": True,
        "colophon_mode": "page",
        "draft": False,
        "faces": used,
        "tight": {},
        "keep_last": 0,
    }
    ctx.update(values)
    shown = {k: v for k, v in used.items() if k != "mongolian" or ctx["mongolian"]}
    ctx.setdefault("font_note", font_note(shown))
    ctx["title_lines"] = title_mod.break_title(ctx["title"], TITLE_MAX_EM)
    ctx["g"] = grid(mark_pt, letter_lines_end)
    ctx["watermark"] = watermark_svg() if ctx["draft"] else ""
    return ctx


def body_blocks(parsed, *, minutes: bool = False) -> tuple[list[dict], list[dict]]:
    """Body blocks for the template from parsed (level, text) blocks; in a 纪要 the 出席 / 请假 /
    列席 lines go to the attendance list below the body (10.3). A heading that stands on one line
    is kept with the next block (CSS break-after: avoid + orphans: 2 on the next)."""
    blocks, attendance = [], []
    for level, text in parsed:
        label = text[:2]
        if minutes and label in ATTENDANCE and text[2:3] in ("：", ":"):
            attendance.append({"label": label, "names": text[3:].strip()})
            continue
        head, rest = text, ""
        if level and "。" in text[:-1]:
            cut = text.index("。") + 1
            head, rest = text[:cut], text[cut:]
        keep = bool(level) and title_mod.width(text) <= CHARS_PER_LINE - 2
        kind = f"h{level}" if level else "p"
        blocks.append({"kind": kind, "head": head, "rest": rest, "keep": keep})
    for i, block in enumerate(blocks):
        block["i"] = i
        block["after_keep"] = i > 0 and blocks[i - 1]["keep"]
    return blocks, attendance


# --- Reading the layout -------------------------------------------------------------------------
PX_PER_MM = 96 / 25.4  # WeasyPrint lays out in CSS px
PX_PER_PT = 96 / 72
TEXT_TOP_PX = TOP_MM * PX_PER_MM
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


def find(document, name: str) -> list[tuple[int, object]]:
    """(page index, box) of every block-level box whose element carries the class `name`, in
    document order (a block split over two pages has a box on each)."""
    from weasyprint.formatting_structure import boxes

    found = [
        (i, b)
        for i, page in enumerate(document.pages)
        for b in _boxes(page)
        if not isinstance(b, (boxes.LineBox, boxes.InlineLevelBox)) and name in _classes(b)
    ]
    return sorted(found, key=lambda pb: (pb[0], pb[1].position_y))


def _bottom(box) -> float:
    return box.position_y + box.margin_height()


def signature_plan(document, ctx: dict) -> dict | None:
    """7.3.5.4: the signature (and its seal) must share a page with the end of the body and stay
    inside the text block. When it was pushed to the next page, the blocks that start on the
    body's last page are set closer — line pitch × f, f ≥ `TIGHTEST` — so that it fits; returns
    {block index: line pitch} for them, or None when nothing needs changing. When no closer
    setting is enough, the body's last block comes along with the signature instead
    (`keep_last`)."""
    signs = find(document, "sign-block")
    if not signs:
        return None
    sign_page, sign = signs[0]
    blocks = [(p, b) for p, b in find(document, "flow") if b.position_y < 10**6]
    before = [(p, b) for p, b in blocks if p < sign_page or b.position_y < sign.position_y]
    if not before:
        return None
    body_page = before[-1][0]
    if sign_page == body_page and _bottom(sign) <= TEXT_BOTTOM_PX + 0.5:
        return None
    # Height on the body's last page: fixed (blocks continued from the page before) and variable.
    fixed = variable = 0.0
    starting = []
    for p, b in before:
        if p != body_page:
            continue
        height = _bottom(b) - max(b.position_y, TEXT_TOP_PX)
        index = b.element.get("data-i")
        first_on_page = not any(q < body_page and c.element is b.element for q, c in before)
        if first_on_page and index is not None:
            variable += height
            starting.append(index)
        else:
            fixed += height
    seal = ctx.get("seal_g") or {}
    if ctx.get("seal_url"):
        need_pt = seal["blank_pt"] + 2 * LINE_PT + seal["below_pt"]
    else:
        need_pt = 3 * LINE_PT
    need = need_pt * PX_PER_PT
    room = (
        TEXT_BOTTOM_PX
        - TEXT_TOP_PX
        - fixed
        - need
        - (LINE_PT * PX_PER_PT if ctx.get("notes") else 0)
    )
    # One line to spare: WeasyPrint places the signature block only with room below its last
    # line box (measured: 0.3 line was not enough, 1 line is).
    room -= LINE_PT * PX_PER_PT
    if variable <= 0 or room <= 0:
        return {"keep": True}
    factor = room / variable
    if factor >= 1:
        factor = 0.995
    if factor < TIGHTEST:
        return {"keep": True}
    return {"tight": {i: round(LINE_PT * factor - 0.01, 2) for i in starting}}


def _measure_mongolian(document, ctx: dict) -> bool:
    """Measure the shaped width of the Mongolian line; True when its size must change."""
    text = ctx.get("mongolian")
    if not text or text in _MEASURED_EM:
        return False
    from .justify import _text_boxes

    lines = [b for _p, box in find(document, "mongolian") for b in _boxes_of(box)]
    width = sum(t.width for line in lines for t in _text_boxes(line, []))
    size = ctx["mongolian_pt"] * PX_PER_PT
    if not width or not size:
        return False
    _MEASURED_EM[text] = width / size
    fitted = mongolian_size_pt(text, ctx["mark_pt"])
    if abs(fitted - ctx["mongolian_pt"]) < 0.05 * fitted:
        return False
    ctx["mongolian_pt"] = fitted
    return True


def _boxes_of(box):
    from weasyprint.formatting_structure import boxes

    return [b for b in getattr(box, "children", ()) if isinstance(b, boxes.LineBox)]


def colophon_plan(document) -> str | None:
    """Where the 版记 goes, from a layout with the 版记 on a page of its own ("page" mode):
    None = keep this layout; "foot" = at the foot of the last content page; "blank" = a blank
    page, then the 版记 page (7.4, 7.5.1: the 版记 on the even last page)."""
    ends = find(document, "content-end")
    inner = find(document, "colophon-inner")
    if not ends or not inner:
        return None
    page, end = ends[-1]
    if (page + 1) % 2 == 1:
        return None  # odd: the 版记 page after it is the even last page
    bottom = end.position_y + end.margin_height()
    for p, box in find(document, "sign-block"):
        if p == page:
            bottom = max(bottom, _bottom(box))
    height = inner[-1][1].margin_height()
    room = TEXT_BOTTOM_PX - bottom - LINE_PT * PX_PER_PT / 2  # and half a line between
    return "foot" if room >= height else "blank"


@dataclass
class Printed:
    """A typeset document: the PDF, and the OFD of the same pages when asked for."""

    pdf: bytes
    ofd: bytes | None = None
    pages: int = 0
    info: dict = field(default_factory=dict)
    layout: object = None  # the final WeasyPrint layout, when asked to keep it (the bench)
    slots: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)


def _html(ctx: dict, template: str) -> str:
    return render_to_string(template, ctx)


def typeset(
    ctx: dict, *, template: str = TEMPLATE, ofd: bool = False, keep_layout: bool = False
) -> Printed:
    """Lay out and draw one official document. Raises office.pdf.PDFRenderTimeout when it takes
    longer than PDF_RENDER_TIMEOUT (the whole of it: every layout pass, the attachments, the OFD)."""
    from . import merge

    out = Printed(pdf=b"")

    def signature(laid_out):
        out.info["passes"] = [len(laid_out.pages)]
        again = _measure_mongolian(laid_out, ctx)
        plan = signature_plan(laid_out, ctx) if not again else None
        if not plan:
            return _html(ctx, template) if again else None
        if plan.get("keep"):
            ctx["keep_last"] = True
        else:
            for key, pitch in plan["tight"].items():
                if key.isdigit():
                    ctx["blocks"][int(key)]["pitch"] = pitch
                else:
                    ctx[f"tight_{key}"] = pitch
        out.info["signature"] = plan
        return _html(ctx, template)

    def signature_again(laid_out):
        # Closer lines were not enough after all: the body's last lines go with the signature
        # (never the seal alone on a page, 7.3.5.4).
        if ctx["keep_last"] or not signature_plan(laid_out, ctx):
            return None
        ctx["keep_last"] = True
        out.info["signature_again"] = True
        return _html(ctx, template)

    def colophon(laid_out):
        out.info["passes"].append(len(laid_out.pages))
        if not ctx["colophon"]:
            return None
        mode = colophon_plan(laid_out)
        out.info["colophon"] = mode
        if mode is None:
            return None
        ctx["colophon_mode"] = mode
        return _html(ctx, template)

    def verify(laid_out):
        # The 版记 at the foot must not have pushed the content over: then a blank page instead.
        if ctx["colophon_mode"] == "foot" and len(laid_out.pages) % 2:
            ctx["colophon_mode"] = "blank"
            return _html(ctx, template)
        return None

    def finish(laid_out) -> bytes:
        out.info["justified"] = justify_document(laid_out)
        slots = merge.slots(laid_out, find)
        pdf = laid_out.write_pdf()
        files = {i: a.pdf for i, a in enumerate(ctx["attachments"]) if a.pdf}
        if files:
            pdf = merge.merge(pdf, slots, files)
        if ofd:
            from . import ofd as ofd_mod

            extra = {0: letter_rules(ctx["mark_pt"])} if ctx["letter"] else None
            out.ofd = ofd_mod.from_layout(
                laid_out, slots=slots, files=files, title=ctx["title"], extra_lines=extra
            )
        out.pages = len(laid_out.pages)
        if keep_layout:
            out.layout, out.slots, out.files = laid_out, slots, files
        return pdf

    out.pdf = html_to_pdf(
        _html(ctx, template),
        url_fetcher=fetcher(),
        relayout=[signature, signature_again, colophon, verify],
        finish=finish,
    )
    return out
