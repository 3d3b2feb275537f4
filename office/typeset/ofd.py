"""OFD (GB/T 33190-2016), the national layout format for electronic official documents.

We write the OFD package ourselves, from the same laid-out pages the PDF is drawn from, so both
carry the same pages. `easyofd` (PyPI) was evaluated and not used: it converts between OFD and PDF
through PyMuPDF (AGPL, a licence a government deployment would have to clear) and pulls in
onnxruntime, numpy and reportlab — some 300 MB for a ZIP of XML files. What we write is the core
of the standard:

- `OFD.xml` (the entry: DocInfo with title, creation date, creator, and the DocRoot);
- `Doc_0/Document.xml` (CommonData: the A4 PageArea in mm, MaxUnitID, the resource files; Pages);
- `Doc_0/PublicRes.xml` (the fonts, named: FontName and FamilyName — the licensed fonts are not
  ours to embed, DOMAIN.md §2.7.3) and `Doc_0/DocumentRes.xml` (the images: seal, attachments);
- `Doc_0/Pages/Page_N/Content.xml`: one layer per page with TextObject (Boundary, Font, Size,
  FillColor, TextCode with X/Y and DeltaX per character), ImageObject (CTM, ResourceID) for the
  seal and for attachment pages, PathObject for the red rule and the 版记 rules.

All coordinates are in millimetres from the page's top left (7.1 of the OFD standard).
`read` parses a package back (pages, their text, their images) — the tests use it, and so can an
archive check.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import uuid
import zipfile
from xml.sax.saxutils import escape, quoteattr

from weasyprint.formatting_structure import boxes

NS = "http://www.ofdspec.org/2016"
MM_PER_PX = 25.4 / 96
HALF = re.compile(r"[\x20-\x7e]")


def _f(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _color(value) -> str:
    r, g, b = (round(c * 255) for c in tuple(value)[:3])
    return f"{r} {g} {b}"


class _Package:
    def __init__(self):
        self.next_id = 1
        self.fonts: dict[str, int] = {}
        self.media: list[tuple[int, str, bytes]] = []

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def font(self, family: str) -> int:
        if family not in self.fonts:
            self.fonts[family] = self.new_id()
        return self.fonts[family]

    def image(self, data: bytes, ext: str) -> int:
        res = self.new_id()
        self.media.append((res, f"image_{res}.{ext}", data))
        return res


def _walk(box, out):
    box = getattr(box, "_box", box)  # an absolutely positioned box (the seal) sits in a placeholder
    out.append(box)
    for child in getattr(box, "children", None) or ():
        _walk(child, out)
    return out


def _text_object(pkg: _Package, box) -> str:
    text = box.text.rstrip()
    if not text.strip():
        return ""
    style = box.style
    size = style["font_size"] * MM_PER_PX
    x = box.position_x * MM_PER_PX
    top = box.position_y * MM_PER_PX
    width = box.width * MM_PER_PX
    height = max(box.height * MM_PER_PX, size)
    baseline = box.baseline * MM_PER_PX
    weights = [0.5 if HALF.match(ch) else 1.0 for ch in text]
    unit = width / sum(weights)
    deltas = " ".join(_f(w * unit) for w in weights[:-1])
    family = style["font_family"][0] if style["font_family"] else "serif"
    bold = style["font_weight"] >= 600
    return (
        f'<ofd:TextObject ID="{pkg.new_id()}" Boundary="{_f(x)} {_f(top)} {_f(width)} '
        f'{_f(height)}" Font="{pkg.font(family)}" Size="{_f(size)}"'
        f"{' Weight="700"' if bold else ''}>"
        f'<ofd:FillColor Value="{_color(style["color"])}"/>'
        f'<ofd:TextCode X="0" Y="{_f(baseline)}"'
        f"{' DeltaX=' + quoteattr(deltas) if deltas else ''}>{escape(text)}</ofd:TextCode>"
        "</ofd:TextObject>"
    )


def _image_object(pkg: _Package, box) -> str:
    src = box.element.get("src", "") if box.element is not None else ""
    match = re.match(r"data:image/(png|jpeg);base64,(.*)", src, re.S)
    if not match:
        return ""  # the 草稿 watermark (SVG) and nothing else: an issued OFD has none
    res = pkg.image(base64.b64decode(match.group(2)), "png" if match.group(1) == "png" else "jpg")
    x, y = box.content_box_x() * MM_PER_PX, box.content_box_y() * MM_PER_PX
    w, h = box.width * MM_PER_PX, box.height * MM_PER_PX
    return (
        f'<ofd:ImageObject ID="{pkg.new_id()}" Boundary="{_f(x)} {_f(y)} {_f(w)} {_f(h)}" '
        f'CTM="{_f(w)} 0 0 {_f(h)} 0 0" ResourceID="{res}"/>'
    )


def _rules(pkg: _Package, box) -> list[str]:
    out = []
    style = box.style
    for side in ("top", "bottom"):
        width = style[f"border_{side}_width"]
        if not width or style[f"border_{side}_style"] in ("none", "hidden"):
            continue
        x = box.border_box_x() * MM_PER_PX
        length = box.border_width() * MM_PER_PX
        y = box.border_box_y() if side == "top" else box.border_box_y() + box.border_height()
        y = y * MM_PER_PX + (width * MM_PER_PX / 2 if side == "top" else -width * MM_PER_PX / 2)
        out.append(_line(pkg, x, y, length, width * MM_PER_PX, style[f"border_{side}_color"]))
    return out


def _line(pkg: _Package, x: float, y: float, length: float, thick: float, color) -> str:
    rgb = color if isinstance(color, str) else _color(color)
    return (
        f'<ofd:PathObject ID="{pkg.new_id()}" Boundary="{_f(x)} {_f(y - thick)} {_f(length)} '
        f'{_f(2 * thick)}" LineWidth="{_f(thick)}">'
        f'<ofd:StrokeColor Value="{rgb}"/>'
        f"<ofd:AbbreviatedData>M 0 {_f(thick)} L {_f(length)} {_f(thick)}</ofd:AbbreviatedData>"
        "</ofd:PathObject>"
    )


def _attachment_images(files: dict[int, bytes], where: dict[int, list[int]]) -> dict[int, bytes]:
    """{page index: JPEG} of each attachment page, rendered at 100 dpi (pypdfium2)."""
    import pypdfium2 as pdfium

    out = {}
    for index, data in files.items():
        pdf = pdfium.PdfDocument(data)
        try:
            for target, page in zip(where.get(index, []), pdf, strict=False):
                image = page.render(scale=100 / 72).to_pil().convert("RGB")
                buffer = io.BytesIO()
                image.save(buffer, format="JPEG", quality=80)
                out[target] = buffer.getvalue()
        finally:
            pdf.close()
    return out


def from_layout(
    document,
    *,
    title: str,
    slots: dict[int, list[int]] | None = None,
    files: dict[int, bytes] | None = None,
    extra_lines: dict[int, list[tuple[float, float, float, float, str]]] | None = None,
    creator: str = "政办 Zhengban",
    now: dt.datetime | None = None,
) -> bytes:
    """The OFD of a laid-out WeasyPrint document (after `justify`), with each attachment page as
    an image on its slot page. `extra_lines`: {page: [(x, y, length, thickness, "r g b")]} for
    rules drawn as page backgrounds (the 信函's double lines)."""
    pkg = _Package()
    attachment_pages = _attachment_images(files or {}, slots or {}) if files else {}
    pages_xml = []
    for index, page in enumerate(document.pages):
        objects = []
        if index in attachment_pages:
            res = pkg.image(attachment_pages[index], "jpg")
            h = 37 + 225 + 3
            w = h * 210 / 297
            objects.append(
                f'<ofd:ImageObject ID="{pkg.new_id()}" Boundary="{_f((210 - w) / 2)} 0 {_f(w)} '
                f'{_f(h)}" CTM="{_f(w)} 0 0 {_f(h)} 0 0" ResourceID="{res}"/>'
            )
        for x, y, length, thick, rgb in (extra_lines or {}).get(index, []):
            objects.append(_line(pkg, x, y, length, thick, rgb))
        for box in _walk(page._page_box, []):
            if isinstance(box, boxes.TextBox):
                objects.append(_text_object(pkg, box))
            elif isinstance(box, boxes.ReplacedBox):
                objects.append(_image_object(pkg, box))
            if hasattr(box, "border_box_x") and not isinstance(box, boxes.TextBox):
                objects.extend(_rules(pkg, box))
        layer = pkg.new_id()
        pages_xml.append(
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
            f'<ofd:Layer ID="{layer}">{"".join(o for o in objects if o)}</ofd:Layer>'
            "</ofd:Content></ofd:Page>"
        )
    page_ids = [pkg.new_id() for _ in pages_xml]
    fonts = "".join(
        f'<ofd:Font ID="{fid}" FontName={quoteattr(name)} FamilyName={quoteattr(name)}/>'
        for name, fid in pkg.fonts.items()
    )
    media = "".join(
        f'<ofd:MultiMedia ID="{res}" Type="Image"><ofd:MediaFile>{name}</ofd:MediaFile>'
        "</ofd:MultiMedia>"
        for res, name, _data in pkg.media
    )
    now = now or dt.datetime.now(dt.UTC)
    entry = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.0" '
        'DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
        f"<ofd:DocID>{uuid.uuid4().hex}</ofd:DocID><ofd:Title>{escape(title)}</ofd:Title>"
        f"<ofd:CreationDate>{now.date().isoformat()}</ofd:CreationDate>"
        f"<ofd:Creator>{escape(creator)}</ofd:Creator></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    pages_list = "".join(
        f'<ofd:Page ID="{pid}" BaseLoc="Pages/Page_{i}/Content.xml"/>'
        for i, pid in enumerate(page_ids)
    )
    document_xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}">'
        f"<ofd:CommonData><ofd:MaxUnitID>{pkg.next_id}</ofd:MaxUnitID>"
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
        "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData>"
        f"<ofd:Pages>{pages_list}</ofd:Pages></ofd:Document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", entry)
        z.writestr("Doc_0/Document.xml", document_xml)
        z.writestr(
            "Doc_0/PublicRes.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">'
            f"<ofd:Fonts>{fonts}</ofd:Fonts></ofd:Res>",
        )
        z.writestr(
            "Doc_0/DocumentRes.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">'
            f"<ofd:MultiMedias>{media}</ofd:MultiMedias></ofd:Res>",
        )
        for i, xml in enumerate(pages_xml):
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", xml)
        for _res, name, data in pkg.media:
            z.writestr(f"Doc_0/Res/{name}", data, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def read(data: bytes) -> dict:
    """Read an OFD package back: {"title", "pages": [{"text", "images": [(w, h, bytes)]}],
    "fonts"}. Follows OFD.xml → DocRoot → Pages → each page's Content.xml and resources."""
    import posixpath
    from xml.etree import ElementTree as ET

    q = {"ofd": NS}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entry = ET.fromstring(z.read("OFD.xml"))
        title = entry.findtext(".//ofd:DocInfo/ofd:Title", default="", namespaces=q)
        root = entry.findtext(".//ofd:DocRoot", namespaces=q)
        base = posixpath.dirname(root)
        doc = ET.fromstring(z.read(root))
        media, fonts = {}, {}
        for tag in ("PublicRes", "DocumentRes"):
            for loc in doc.findall(f".//ofd:CommonData/ofd:{tag}", q):
                res = ET.fromstring(z.read(posixpath.join(base, loc.text)))
                res_base = posixpath.join(base, res.get("BaseLoc", ""))
                for m in res.findall(".//ofd:MultiMedia", q):
                    file = m.findtext("ofd:MediaFile", namespaces=q)
                    media[m.get("ID")] = z.read(posixpath.join(res_base, file))
                for font in res.findall(".//ofd:Font", q):
                    fonts[font.get("ID")] = font.get("FontName")
        pages = []
        for page in doc.findall(".//ofd:Pages/ofd:Page", q):
            content = ET.fromstring(z.read(posixpath.join(base, page.get("BaseLoc"))))
            text = "".join(t.text or "" for t in content.iter(f"{{{NS}}}TextCode"))
            images = []
            for image in content.iter(f"{{{NS}}}ImageObject"):
                _x, _y, w, h = (float(v) for v in image.get("Boundary").split())
                images.append((w, h, media.get(image.get("ResourceID"), b"")))
            pages.append({"text": text, "images": images})
    return {"title": title, "pages": pages, "fonts": sorted(set(fonts.values()))}
