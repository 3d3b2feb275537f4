"""Inter-character justification of laid-out lines (GB/T 9704-2012 5.2.2: 撑满版心).

WeasyPrint justifies a line by widening its spaces (U+0020, U+00A0) only. Chinese text has none:
a line of 28 ideographs fills the 156 mm block by itself (the character pitch is set so), but a
line that carries a half-width run ("2026", "1.5") stops short of the right edge by up to one
character. CSS Text 3 says `text-justify: auto` should then spread the space between the
characters (inter-character, the Chinese practice). This pass does that on the laid-out pages,
before they are drawn: for each line of a justified block that is not the block's last line,
the missing width is shared by every gap between characters, through each text run's
letter-spacing. The lines and the page breaks stay exactly as laid out.
"""

from __future__ import annotations

from weasyprint.formatting_structure import boxes


def _walk(box, block, out):
    """(line box, its block box) for every line in `box`."""
    if isinstance(box, boxes.LineBox):
        out.append((box, block))
        return
    children = getattr(box, "children", None) or ()
    next_block = box if isinstance(box, boxes.BlockContainerBox) else block
    for child in children:
        _walk(child, next_block, out)


def _text_boxes(box, out):
    if isinstance(box, boxes.TextBox):
        out.append(box)
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            _text_boxes(child, out)
    return out


def justify_document(document) -> int:
    """Justify every full line of every justified block in a laid-out WeasyPrint document.
    Returns how many lines were widened."""
    lines = []
    for page in document.pages:
        _walk(page._page_box, None, lines)
    last_of = {}
    for index, (_line, block) in enumerate(lines):
        if block is not None:
            last_of[block.element if block.element is not None else id(block)] = index
    widened = 0
    for index, (line, block) in enumerate(lines):
        if block is None or block.style["text_align_all"] != "justify":
            continue
        key = block.element if block.element is not None else id(block)
        if last_of.get(key) == index:
            continue  # a paragraph's last line stays flush left
        texts = _text_boxes(line, [])
        if not texts:
            continue
        right = max(t.position_x + t.width for t in texts)
        target = block.content_box_x() + block.width
        extra = target - right
        count = sum(len(t.text) for t in texts)
        font = texts[0].style["font_size"]
        # A digit run or a kinsoku rule (no line starts with "，") can leave up to a few characters.
        if count < 2 or extra <= 0.2 or extra >= font * 4:
            continue
        per = extra / (count - 1)
        shift = 0.0
        for text in texts:
            style = text.style.copy()
            spacing = style["letter_spacing"]
            style["letter_spacing"] = (0 if spacing == "normal" else spacing) + per
            text.style = style
            text.position_x += shift
            grow = per * len(text.text)
            text.width += grow
            shift += grow
        widened += 1
    return widened
