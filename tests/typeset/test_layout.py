"""GB/T 9704-2012 measured by the ink on rendered pages (DOMAIN.md §2), for the ordinary format,
the 信函 and the 纪要 — all through the one typesetter (office.typeset)."""

from __future__ import annotations

import pytest

from documents.outgoing import typeset
from office.typeset import title as title_mod
from tests.documents.outgoing_flow import draft, registered, series, units, upload_seal

from . import ink

pytestmark = pytest.mark.django_db

TOL = 1.0
FULL = "这是用于检验版心网格的正文段落每行二十八个字满页排版测试文字"  # 30 characters
DIGITS = "2026年全市共有12345户居民完成供暖改造，投资1.5亿元，涉及3456个小区和789栋楼房。"
BODY = "\n".join(
    ["为切实做好今冬明春安全生产工作，现将有关事项通知如下。", "一、总体要求"]
    + [FULL * 3, DIGITS * 3] * 8
)


def _dash_centre(mask, page_index: int) -> float:
    """The vertical centre of the 一字线 left of the page number."""
    footer = ink.bbox(mask, 20, ink.BOTTOM + 1, 195, 290)
    assert footer, f"no page number on page {page_index + 1}"
    x0 = footer[0]
    (top, bottom), *_ = ink.bands(mask, x0 - 0.2, ink.BOTTOM + 1, x0 + 3, 290, gap=0.2)
    return (top + bottom) / 2


def _check_grid(images, *, full_pages, numbered):
    masks = [ink.black(im) for im in images]
    for n in numbered:
        assert abs(_dash_centre(masks[n], n) - 269) <= TOL, n  # 7.5: 7 mm below the block
    long_lines = 0
    for n in full_pages:
        page_bands = ink.bands(masks[n])
        assert len(page_bands) == 22, (n + 1, len(page_bands))  # 5.2.2: 22 lines
        extents = ink.line_extents(masks[n], page_bands)
        for i, (left, right) in enumerate(extents[:-1]):
            if extents[i + 1][0] > ink.LEFT + 8:
                continue  # the next line is indented: this one ends its paragraph
            if right > ink.LEFT + 100:
                # Full lines reach the right edge, with or without half-width digits in them.
                assert abs(right - ink.RIGHT) <= TOL, (n + 1, right)
                long_lines += 1
            assert left >= ink.LEFT - TOL
    assert long_lines >= 10 * len(full_pages)


@pytest.fixture
def ordinary(clerk):
    upload_seal()
    doc = registered(
        draft(
            clerk,
            code="乌政办发",
            direction="down",
            title="关于申请拨付2026年冬季供暖补贴资金和老旧小区改造配套资金的请示",
            body=BODY,
            attachments="2026年冬季安全生产检查表",
            notes="联系人：张三，电话：0482-8261234",
            main_recipients=units("heping", "xingan"),
            copy_recipients=units("info-centre", "drc"),
        )
    )
    return typeset.typeset_document(doc)


def test_ordinary_document_on_the_grid(ordinary):
    """Page numbers' 一字线 at 269 mm; full pages of 22 lines; justified lines (digits too) end at
    184 mm."""
    images = ink.pages(ordinary.pdf)
    count = len(images)
    assert count % 2 == 0
    _check_grid(images, full_pages=[1, 2], numbered=range(count))


def test_the_seal_sits_within_a_line_of_the_text_inside_the_block_and_off_the_notes(ordinary):
    """7.3.5.1: the seal's top within one line below the body or 附件说明; 7.3.5.4: its bottom
    inside the text block; the 附注 below it, never under it."""
    images = ink.pages(ordinary.pdf)
    for image in images:
        seal = ink.bbox(ink.red(image), ink.LEFT, ink.TOP, ink.RIGHT, 296)
        if seal and 30 < seal[3] - seal[1] < 50 and seal[2] - seal[0] < 50:
            break
    else:
        pytest.fail("no seal")
    mask = ink.black(image)
    bands = ink.bands(mask)
    above = [b for b in bands if b[1] < seal[1]]
    assert above, "the seal opens a page"
    assert 0 <= seal[1] - above[-1][1] <= ink.LINE  # within one line below the text
    assert seal[3] <= ink.BOTTOM + 0.5  # never below the text block
    notes = bands[-1]  # the 附注, the last line of the page
    assert notes[0] >= seal[3] - 0.2  # never under the seal


def test_a_long_title_breaks_between_words_as_a_trapezoid():
    """7.3.1: "…资金的请 / 示" and "…值班工作的通 / 知" were the old breaks."""
    for title in (
        "关于申请拨付2026年冬季供暖补贴资金和老旧小区改造配套资金的请示",
        "关于做好2026年元旦春节期间全市政务值班和安全生产应急值守工作的通知",
    ):
        lines = title_mod.break_title(title, 19.5)
        assert "".join(lines) == title and len(lines) == 2
        words = title_mod.words(title)
        cuts = {sum(len(w) for w in words[:i]) for i in range(len(words) + 1)}
        assert len(lines[0]) in cuts  # a cut between two words
        assert lines[-1].endswith(("请示", "通知")) and len(lines[-1]) > 2
        widths = [title_mod.width(x) for x in lines]
        assert abs(widths[0] - widths[1]) >= 0.5  # a trapezoid, not a rectangle


def test_the_mongolian_line_stays_on_one_line_and_the_red_rule_in_place(clerk):
    s = series("乌政办发")
    s.header_mongolian = "ᠤᠯᠠᠭᠠᠨᠬᠣᠲᠠ ᠬᠣᠲᠠ ᠶᠢᠨ ᠠᠷᠠᠳ ᠤᠨ ᠵᠠᠰᠠᠭ ᠤᠨ ᠭᠠᠵᠠᠷ ᠤᠨ ᠠᠯᠪᠠᠨ ᠲᠠᠰᠤᠭ ᠤᠨ ᠪᠢᠴᠢᠭ"
    s.save()
    doc = registered(draft(clerk, code="乌政办发", direction="down"))
    image = ink.pages(typeset.typeset_document(doc).pdf)[0]
    red = ink.red(image)
    bands = ink.bands(red, ink.LEFT - 1, ink.TOP, ink.RIGHT + 1, 200, gap=0.2)
    mongolian, mark, rule = bands[0], bands[1], bands[-1]
    assert len(bands) == 3, bands  # one Mongolian line, one Chinese line, the red rule
    assert mongolian[1] - mongolian[0] < 16  # one line (a wrap was 2 lines, the rule at 150 mm)
    assert abs(mongolian[0] - (ink.TOP + 35)) <= 3  # the mark (both lines) from 35 mm
    assert mark[0] > mongolian[1]
    assert rule[1] - rule[0] < 1.5 and rule[0] < 135


def test_the_letter_double_line_is_4mm_under_the_mark(clerk):
    """10.1: the mark 30 mm from the page top; the upper double line 4 mm under it."""
    upload_seal("乌兰浩特市人民政府")
    doc = registered(draft(clerk, code="乌政函", direction="lateral", doc_type="letter"))
    images = ink.pages(typeset.typeset_document(doc).pdf)
    red = ink.red(images[0])
    bands = ink.bands(red, 15, 20, 195, 80, gap=0.2)
    mark, upper = bands[0], bands[1]
    assert abs(mark[0] - 30) <= TOL + 0.5
    assert abs(upper[0] - mark[1] - 4) <= TOL
    assert not ink.bbox(ink.black(images[0]), 20, ink.BOTTOM + 1, 195, 290)  # no number on p. 1


def test_series_minutes_on_the_same_grid(clerk):
    """10.3 through the same stylesheet: 22-line pages, justified to 184 mm, dash at 269 mm."""
    body = "会议研究了冬季供暖保障工作。\n" + BODY + "\n出席：王建华、李志刚\n请假：包文斌"
    doc = registered(draft(clerk, code="乌政办发", direction="down", doc_type="minutes", body=body))
    images = ink.pages(typeset.typeset_document(doc).pdf)
    _check_grid(images, full_pages=[1, 2], numbered=[0, 1, 2])


def test_meeting_minutes_on_the_same_grid(demo_office):
    """The meetings app's 纪要 through the same typesetter: the dash at 269 mm, the attendance
    lines aligned after the colon, full lines justified to 184 mm, kept as issued."""
    from meetings import services as meeting_services
    from office.models import RecordCopy
    from tests.meetings import flow

    minutes = flow.issued(decisions=2)
    minutes.body = "\n".join(["会议听取了汇报。", FULL * 3, DIGITS * 3] * 7)
    minutes.save(update_fields=["body"])
    copy = meeting_services.minutes_print(by=user_named("secretary"), minutes=minutes)
    images = ink.pages(copy.read_pdf())
    assert len(images) % 2 == 0
    _check_grid(images, full_pages=[1], numbered=[0, 1])
    again = meeting_services.minutes_print(by=user_named("secretary"), minutes=minutes)
    assert again.pk == copy.pk and RecordCopy.objects.count() == 1


def user_named(name):
    from django.contrib.auth.models import User

    return User.objects.get(username=name)
