"""Ink on rendered pages (pypdfium2 → Pillow): where the marks really are, not where boxes say.

Pages are rendered at 150 dpi; a pixel is black ink when all of R, G, B are below 110, red ink when
R > 150 and G, B < 110. Positions are millimetres from the page's top left.
"""

from __future__ import annotations

from PIL import Image, ImageChops

DPI = 150
PX_PER_MM = DPI / 25.4
TOP, LEFT, WIDTH, HEIGHT = 37, 28, 156, 225
BOTTOM, RIGHT = TOP + HEIGHT, LEFT + WIDTH
LINE = HEIGHT / 22


def pages(pdf: bytes) -> list[Image.Image]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return [p.render(scale=DPI / 72).to_pil().convert("RGB") for p in document]
    finally:
        document.close()


def black(image: Image.Image) -> Image.Image:
    r, g, b = image.split()
    darkest = ImageChops.lighter(ImageChops.lighter(r, g), b)
    return darkest.point(lambda v: 255 if v < 110 else 0)


def red(image: Image.Image) -> Image.Image:
    r, g, b = image.split()
    return ImageChops.multiply(
        r.point(lambda v: 255 if v > 150 else 0),
        ImageChops.lighter(g, b).point(lambda v: 255 if v < 110 else 0),
    )


def grey(image: Image.Image) -> int:
    """How many pixels are light grey (the 草稿 watermark)."""
    r, g, b = image.split()
    darkest = ImageChops.lighter(ImageChops.lighter(r, g), b)
    lightest = ImageChops.darker(ImageChops.darker(r, g), b)
    band = ImageChops.multiply(
        lightest.point(lambda v: 255 if v > 195 else 0),
        darkest.point(lambda v: 255 if v < 245 else 0),
    )
    return sum(band.point(lambda v: 1 if v else 0).getdata())


def _crop(mask, x0, y0, x1, y1):
    box = tuple(round(v * PX_PER_MM) for v in (x0, y0, x1, y1))
    return mask.crop(box), box


def bbox(mask, x0=0.0, y0=0.0, x1=210.0, y1=297.0):
    """(x0, y0, x1, y1) mm of the ink inside the region, or None."""
    part, box = _crop(mask, x0, y0, x1, y1)
    found = part.getbbox()
    if not found:
        return None
    return tuple((found[i] + box[i % 2]) / PX_PER_MM for i in range(4))


def bands(mask, x0=LEFT - 1, y0=TOP - 1, x1=RIGHT + 1, y1=BOTTOM + 1, gap=1.0):
    """The horizontal bands of ink in a region (text lines): [(top, bottom)] in mm."""
    part, box = _crop(mask, x0, y0, x1, y1)
    profile = part.resize((1, part.height), Image.Resampling.BOX).getdata()
    rows = [i for i, v in enumerate(profile) if v > 0]
    out: list[list[int]] = []
    for row in rows:
        if out and row - out[-1][1] <= gap * PX_PER_MM:
            out[-1][1] = row
        else:
            out.append([row, row])
    return [((a + box[1]) / PX_PER_MM, (b + 1 + box[1]) / PX_PER_MM) for a, b in out]


def line_extents(mask, page_bands):
    """(left, right) mm of the ink of each band."""
    out = []
    for top, bottom in page_bands:
        found = bbox(mask, LEFT - 2, top, RIGHT + 2, bottom)
        out.append((found[0], found[2]) if found else (0, 0))
    return out
