"""The GB/T 9704-2012 PDF, measured (DOMAIN.md §2): every figure within ±1 mm of the standard.

Glyph positions come from the PDF itself: pypdf gives each text run's baseline and size, pdftotext
(poppler) each word's horizontal extent; the red line is found in a 300 dpi rendering (pdftoppm).
For CJK fonts the ideographic em box runs from 0.88 em above the baseline to 0.12 em below it:
that box is what the standard's "top edge" and line positions refer to.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from documents.outgoing import typeset
from documents.outgoing.body import heading_level, parse

from .outgoing_flow import draft, registered, units, upload_seal
from .test_pdf import listener  # noqa: F401  (a port that counts connections)

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
PAGE_W, PAGE_H = 210, 297
TOP, LEFT, WIDTH, HEIGHT = 37, 28, 156, 225
LINE = HEIGHT / 22
CHAR = WIDTH / 28
TOL = 1.0

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="needs poppler-utils (bin/setup installs it)",
)

FULL_LINE = "这是用于检验版心网格的正文段落每行二十八个字满页排版测试文字"  # 30 characters
BODY = "\n".join(
    [
        "为切实做好今冬明春安全生产工作，现将有关事项通知如下。",
        "一、总体要求",
        "（一）加强供暖安全管理",
    ]
    + [FULL_LINE * 3 for _ in range(16)]
)


def _runs(path: Path) -> list[list[tuple[float, float, float, str]]]:
    """Per page: (x mm, baseline mm from the top, size mm, text) of each text run."""
    pages = []
    for page in PdfReader(path).pages:
        runs: list[tuple[float, float, float, str]] = []

        def visit(text, cm, tm, font, size, runs=runs):
            if text.strip():
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
                runs.append((x / MM, PAGE_H - y / MM, size * abs(cm[3]) / MM, text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def _words(path: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """pdftotext -bbox words of one page: (x0, y0, x1, y1) in mm from the top left, text."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = (
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        (float(a) / MM, float(b) / MM, float(c) / MM, float(d) / MM, t)
        for a, b, c, d, t in re.findall(pattern, html)
    ]


def _lines(words):
    """Words grouped into lines by their vertical position."""
    lines: dict[int, list] = {}
    for w in words:
        lines.setdefault(round(w[1] * 2), []).append(w)
    return [sorted(ws) for _k, ws in sorted(lines.items())]


def _red_rows(path: Path, tmp_path: Path) -> list[tuple[float, float, float]]:
    """(y mm, x0 mm, x1 mm) of each pixel row of page 1 that is mostly red."""
    subprocess.run(
        ["pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "p")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("p-*.png"))).convert("RGB")
    width, height = image.size
    px = image.load()
    per_mm = 300 / 25.4
    rows = []
    for y in range(height):
        xs = [
            x
            for x in range(0, width, 2)
            if px[x, y][0] > 180 and px[x, y][1] < 90 and px[x, y][2] < 90
        ]
        if len(xs) * 2 > 100 * per_mm:
            rows.append((y / per_mm, xs[0] / per_mm, xs[-1] / per_mm))
    return rows


def em_top(run) -> float:
    return run[1] - 0.88 * run[2]


def em_bottom(run) -> float:
    return run[1] + 0.12 * run[2]


@pytest.fixture
def pdf_path(tmp_path, clerk):
    doc = registered(
        draft(
            clerk,
            code="乌政办发",
            direction="down",
            body=BODY,
            attachments="2026年冬季安全生产检查表",
            main_recipients=units("heping", "xingan"),
            copy_recipients=units("info-centre", "drc"),
        )
    )
    path = tmp_path / "doc.pdf"
    path.write_bytes(typeset.render(doc))
    return path


def test_the_body_parser_knows_the_four_heading_levels():
    assert [
        heading_level(x) for x in ("一、总体要求", "（一）供暖", "1.巡查", "（1）每日", "正文")
    ] == [
        1,
        2,
        3,
        4,
        0,
    ]
    assert [b.kind for b in parse("一、甲\n\n正文\n　（二）乙")] == ["h1", "p", "h2"]


@needs_poppler
def test_the_page_is_a4(pdf_path):
    for page in PdfReader(pdf_path).pages:
        box = page.mediabox
        assert abs(float(box.width) / MM - PAGE_W) < TOL
        assert abs(float(box.height) / MM - PAGE_H) < TOL


@needs_poppler
def test_the_header_marks_number_and_title_sit_where_the_standard_puts_them(pdf_path, tmp_path):
    page1 = _runs(pdf_path)[0]
    mark = next(r for r in page1 if r[3] == "乌兰浩特市人民政府办公室文件")
    number = next(r for r in page1 if r[3].startswith("乌政办发〔2026〕"))
    title = next(r for r in page1 if r[3].startswith("关于做好"))
    # The red mark's top edge 35 mm below the top of the text block.
    assert abs(em_top(mark) - (TOP + 35)) < TOL
    # The number two blank lines below it (on the grid: its line starts two lines lower).
    half_leading = (LINE - number[2]) / 2
    assert abs(em_top(number) - (em_bottom(mark) + 2 * LINE + half_leading)) < TOL
    assert number[3] == "乌政办发〔2026〕1号"
    # The red line 4 mm below the number, as wide as the text block.
    red = _red_rows(pdf_path, tmp_path)
    line = [r for r in red if r[0] > em_bottom(number)]
    assert line, "no red line below the number"
    middle = (line[0][0] + line[-1][0]) / 2
    assert abs(middle - (em_bottom(number) + 4)) < TOL
    assert abs(line[0][1] - LEFT) < TOL and abs(line[0][2] - (LEFT + WIDTH)) < TOL
    # The title in 2号 (22 pt), its line two blank lines below the red line.
    assert abs(title[2] - 22 / MM) < 0.1
    title_half = (LINE - title[2]) / 2
    assert abs(em_top(title) - (line[-1][0] + 2 * LINE + title_half)) < TOL


@needs_poppler
def test_a_full_page_has_22_lines_of_28_characters_filling_the_text_block(pdf_path):
    words = _words(pdf_path, 2)
    body = [ln for ln in _lines(words) if not re.fullmatch(r"[—\d ]+", "".join(w[4] for w in ln))]
    assert len(body) == 22
    # Full lines: flush left and reaching the right edge (not a paragraph's last line).
    full = [ln for ln in body if ln[0][0] < LEFT + 0.5 and ln[-1][2] > LEFT + WIDTH - CHAR]
    assert len(full) >= 8
    for ln in full:
        text = "".join(w[4] for w in ln)
        assert len(text) == 28, text
        assert abs(ln[0][0] - LEFT) < TOL
        assert abs(ln[-1][2] - (LEFT + WIDTH)) < TOL
    runs = [r for r in _runs(pdf_path)[1] if not re.fullmatch(r"[—\d ]+", r[3])]
    baselines = sorted({round(r[1], 1) for r in runs})
    first, last = baselines[0], baselines[-1]
    size = 16 / MM
    centre = lambda base: base - 0.38 * size  # noqa: E731  (the em box's middle)
    assert abs(centre(first) - (TOP + LINE / 2)) < TOL
    assert abs(centre(last) - (TOP + 21.5 * LINE)) < TOL
    assert abs((last - first) / 21 - LINE) < 0.05


@needs_poppler
def test_page_numbers_are_4hao_7mm_below_the_block_odd_right_even_left(pdf_path):
    pages = _runs(pdf_path)
    assert len(pages) >= 4  # body pages, the attachment, the 版记 page
    for n in (1, 2):
        words = _words(pdf_path, n)
        dashes = [w for w in words if w[1] > TOP + HEIGHT]
        assert "".join(w[4] for w in dashes) == f"—{n}—"
        run = next(r for r in pages[n - 1] if re.fullmatch(r"—\s*\d+\s*—", r[3]))
        assert abs(run[2] - 14 / MM) < 0.1
        # The 一字线 sits at the middle of the em box: 7 mm below the text block (7.5); its ink is
        # measured on the rendered page in tests/typeset/test_layout.py.
        assert abs(em_top(run) + run[2] / 2 - (TOP + HEIGHT + 7)) < TOL
        one_char = 14 / MM
        if n % 2:
            assert abs(dashes[-1][2] - (LEFT + WIDTH - one_char)) < TOL
        else:
            assert abs(dashes[0][0] - (LEFT + one_char)) < TOL
    # Content ends on page 5 (the attachment, odd): the 版记 has the even page 6 to itself, and
    # is numbered — only a blank page before it would take the numbers away (7.5.1).
    assert len(pages) % 2 == 0
    last = _words(pdf_path, len(pages))
    assert "".join(w[4] for w in last if w[1] > TOP + HEIGHT) == f"—{len(pages)}—"
    assert any(w[4].startswith("抄送") for w in last)
    printed = [w for w in last if w[4].endswith("印发")]
    assert printed and abs(printed[0][3] - (TOP + HEIGHT)) < 3  # just above the last rule


def _dark_rows(path: Path, page: int, tmp_path: Path) -> list[float]:
    """y (mm) of each pixel row of a page that is black across more than 100 mm (the rules)."""
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
            str(tmp_path / f"r{page}"),
        ],
        check=True,
    )
    image = Image.open(next(tmp_path.glob(f"r{page}-*.png"))).convert("L")
    per_mm = 150 / 25.4
    px = image.load()
    width, height = image.size
    return [
        y / per_mm
        for y in range(height)
        if sum(1 for x in range(0, width, 2) if px[x, y] < 100) * 2 > 100 * per_mm
    ]


def _colophon_doc(clerk, paragraphs: int):
    body = "\n".join(
        ["为切实做好今冬明春安全生产工作，现将有关事项通知如下。"] + [FULL_LINE] * paragraphs
    )
    return registered(
        draft(
            clerk,
            code="乌政办发",
            direction="down",
            body=body,
            main_recipients=units("heping"),
            copy_recipients=units("info-centre"),
        )
    )


@needs_poppler
@pytest.mark.parametrize(
    ("paragraphs", "layout"),
    [(6, "foot"), (15, "own page"), (12, "blank page before")],
)
def test_the_colophon_ends_on_the_text_block_bottom_of_the_even_last_page(
    clerk, tmp_path, paragraphs, layout
):
    """GB/T 9704-2012 7.4 and 7.5.1 (DOMAIN.md §2.5): the 版记 at the foot of the last page, its
    last rule on the bottom edge of the text block; the last page even (printed two-sided); a blank
    page before the 版记 page and the 版记 page carry no number, every other page does."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(typeset.render(_colophon_doc(clerk, paragraphs)))
    count = len(PdfReader(path).pages)
    assert count % 2 == 0
    last = _words(path, count)
    text_bottom = max((w[3] for w in last if w[3] < TOP + HEIGHT - 25), default=0)
    rules = [y for y in _dark_rows(path, count, tmp_path) if y > text_bottom]
    assert rules, "no 版记 rules on the last page"
    assert abs(rules[-1] - (TOP + HEIGHT)) < TOL  # the last rule's lower edge
    below = "".join(w[4] for w in last if w[1] > TOP + HEIGHT)
    above = [w for w in last if w[1] < TOP + HEIGHT and w[3] < rules[0] - 1]
    before = _words(path, count - 1)
    if layout == "foot":
        assert above, "the 版记 shares the page with the end of the text"
        assert below == f"—{count}—"
    elif layout == "own page":
        assert not above and below == f"—{count}—"
        assert any(w[4] == "乌兰浩特市人民政府办公室" for w in before)
    else:
        assert not above and below == ""
        assert before == []  # the blank page: not even a page number
        assert any(w[4] == "乌兰浩特市人民政府办公室" for w in _words(path, count - 2))
    for n in range(1, count - (2 if layout == "blank page before" else 0) + 1):
        if n < count or layout != "blank page before":
            numbered = "".join(w[4] for w in _words(path, n) if w[1] > TOP + HEIGHT)
            assert numbered == f"—{n}—", (n, numbered)


@needs_poppler
def test_the_pdf_names_only_the_fonts_it_really_embeds(pdf_path):
    meta = PdfReader(pdf_path).metadata
    listed = subprocess.run(["pdffonts", str(pdf_path)], capture_output=True, text=True).stdout
    embedded = {
        re.sub(r"^[A-Z]{6}\+", "", line.split()[0]).replace("-", " ")
        for line in listed.splitlines()[2:]
    }
    note = meta.subject
    named = set(re.findall(r"→([^（；]+)（替代）|：([^；]+)", note))
    families = {a or b for a, b in named}
    for family in families:
        assert any(e.startswith(family) for e in embedded), (family, embedded)
    for e in embedded:
        assert any(e.startswith(f) for f in families), (e, families)
    assert "仿宋_GB2312→Noto Serif CJK SC（替代）" in note or "仿宋_GB2312：仿宋_GB2312" in note


def test_the_date_is_written_without_leading_zeros():
    import datetime as dt

    assert typeset.cn_date(dt.date(2026, 3, 5)) == "2026年3月5日"


@needs_poppler
def test_an_upward_document_carries_the_signer_on_the_number_line(clerk, tmp_path):
    doc = registered(draft(clerk, code="乌政发", direction="up"))
    pdf = typeset.render(doc)
    page = _runs_from(pdf)[0]
    number = next(r for r in page if r[3].startswith("乌政发〔2026〕"))
    same_line = "".join(r[3] for r in page if abs(r[1] - number[1]) < 0.5).replace(" ", "")
    assert same_line == "乌政发〔2026〕1号签发人：王建华"
    assert abs(number[0] - (LEFT + CHAR)) < TOL  # one character in from the left
    path = tmp_path / "up.pdf"
    path.write_bytes(pdf)
    name = next(w for w in _words(path, 1) if w[4].endswith("王建华"))
    assert abs(name[2] - (LEFT + WIDTH - CHAR)) < TOL  # and the signer one in from the right


def _runs_from(pdf: bytes):
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return _runs(Path(f.name))


def test_hostile_text_in_a_draft_is_printed_as_text_and_fetches_nothing(clerk, listener):  # noqa: F811
    """S-20, S-26: the drafter's text is escaped; the renderer makes no connection."""
    port, state = listener
    hostile = f'<img src="http://127.0.0.1:{port}/x.png"><link rel="stylesheet" href="file:///etc/passwd">'
    doc = draft(clerk, title="关于<b>测试</b>的通知", body=f"正文{hostile}")
    pdf = typeset.render(doc)
    text = "".join(p.extract_text() for p in PdfReader(__import__("io").BytesIO(pdf)).pages)
    assert "<b>测试</b>" in text.replace("\n", "") and "127.0.0.1" in text
    assert state["connections"] == 0
    assert b"root:x:0:0" not in pdf


@needs_poppler
def test_the_letter_format_has_its_own_header_and_no_number_on_page_one(clerk, tmp_path):
    """信函格式 (10.1): mark 30 mm from the page top, red double lines 4 mm below it and 20 mm
    above the foot, the number flush right 7/8 of a 3号 character under the upper pair."""
    upload_seal("乌兰浩特市人民政府")  # 乌政函 requires its seal
    doc = registered(draft(clerk, code="乌政函", direction="lateral", doc_type="letter"))
    path = tmp_path / "letter.pdf"
    path.write_bytes(typeset.render(doc))
    page1 = _runs(path)[0]
    mark = min((r for r in page1 if r[3] == "乌兰浩特市人民政府"), key=lambda r: r[1])
    assert abs(em_top(mark) - 30) < TOL
    red = _red_rows(path, tmp_path)
    upper = [r for r in red if r[0] < 150]
    lower = [r for r in red if r[0] > 250]
    assert upper and lower
    assert abs(upper[0][0] - (em_bottom(mark) + 4)) < TOL
    assert abs((lower[0][0] + lower[-1][0]) / 2 - (297 - 20)) < TOL
    assert abs(upper[0][1] - 20) < TOL and abs(upper[0][2] - 190) < TOL  # 170 mm, centred
    number = _words(path, 1)
    numbered = [
        w for w in number if w[4].endswith("号") and "乌政函" in "".join(x[4] for x in number)
    ]
    assert numbered and abs(numbered[-1][2] - (LEFT + WIDTH)) < TOL  # flush right
    run = next(r for r in page1 if "乌政函〔2026〕1号" in r[3])
    assert abs(em_top(run) - (upper[-1][0] + 16 / MM * 7 / 8)) < TOL
    assert not [w for w in number if w[1] > TOP + HEIGHT]  # no page number on page 1


def test_minutes_carry_the_attendance_and_no_signature(clerk):
    """纪要格式 (10.3): a "…纪要" mark, 出席/请假/列席 below the body, not sealed or signed."""
    body = "会议研究了冬季供暖保障工作。\n出席：王建华、李志刚\n请假：包文斌\n列席：市住建局"
    doc = registered(draft(clerk, code="乌政办发", direction="down", doc_type="minutes", body=body))
    text = "".join(
        p.extract_text() for p in PdfReader(__import__("io").BytesIO(typeset.render(doc))).pages
    )
    flat = text.replace("\n", "").replace(" ", "")
    assert "乌兰浩特市人民政府办公室纪要" in flat
    assert "出席：王建华、李志刚" in flat and "请假：包文斌" in flat and "列席：市住建局" in flat
    assert flat.index("会议研究了") < flat.index("出席：")
    body_part = flat.split("抄送")[0]
    assert "年" not in body_part.split("出席")[1]  # no issuer name and date block after it
