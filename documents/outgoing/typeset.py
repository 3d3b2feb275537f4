"""印制: the GB/T 9704-2012 PDF of an outgoing document, through `office.pdf.render_pdf`.

Every number comes from the standard (DOMAIN.md §2): A4; 天头 37 mm, 订口 28 mm; a 156 × 225 mm
text block on a 22-line × 28-character grid (撑满版心: the grid wins over the nominal 行, §2.1);
the red issuer mark 35 mm below the top of the text block; the number two blank lines below it,
签发人 on its line for upward documents; the red line 4 mm below the number; the title in 2号 two
lines below; the body in 3号; page numbers "— 1 —" in 4号, 7 mm below the text block, odd pages
one 字 in from the right, even pages from the left; the 版记 at the foot of its own page, which
carries no number.

Fonts: the licensed 方正小标宋 / 仿宋_GB2312 / 楷体_GB2312 / 黑体 are not redistributable (§2.7),
so the open Debian fonts stand in, and the PDF's metadata names the fonts actually used — never
a font it does not contain.
"""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass

from django.utils import timezone

from documents.models import Marking
from office.pdf import render_pdf

from . import body as body_mod
from .models import Direction

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
    """The licensed font when the deployment installed it, else the open stand-in."""
    return {
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


def font_note(used: dict[str, Face]) -> str:
    """What the PDF says about its fonts: each role and the font that was really used."""
    parts = []
    for face in used.values():
        if not face.installed:
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
    return f"{user.last_name}{user.first_name}".strip() or user.get_username() if user else ""


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
        "attachments": body_mod.attachment_names(document.attachments),
        "signature": document.issuer_signature or series.issuer_name,
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


def render(document) -> bytes:
    return render_pdf("documents/pdf/outgoing.html", context(document))
