"""Shared steps for the 发文 tests: take an outgoing document to any state with the services."""

from __future__ import annotations

import contextlib

from django.contrib.auth.models import User

from documents.models import OutgoingDocument, OutgoingSeries
from documents.outgoing import services
from office.models import AuditEntry, Section, Unit, WorkItem

from .incoming_flow import NOW, at  # noqa: F401  (an ordinary working day in Ulanhot)

TITLE = "关于做好2026年冬季安全生产工作的通知"
BODY = """为切实做好今冬明春安全生产工作，现将有关事项通知如下。
一、总体要求
坚持人民至上、生命至上，统筹发展和安全。
（一）加强供暖安全管理
1.加强冰雪天气道路巡查。
（1）每日巡查一次。"""


def user(username: str) -> User:
    return User.objects.get(username=username)


def series(code: str = "乌政办发") -> OutgoingSeries:
    return OutgoingSeries.objects.get(code=code)


def units(*codes: str) -> list[Unit]:
    return list(Unit.objects.filter(code__in=codes).order_by("pk"))


def section(code: str) -> Section:
    return Section.objects.get(code=code)


def draft(
    by=None, *, code="乌政发", direction="up", doc_type="notice", **kwargs
) -> OutgoingDocument:
    """A draft by the clerk (综合科). 乌政发 upward: the mayor (the `leader` persona) signs."""
    kwargs.setdefault("main_recipients", units("league-admin"))
    kwargs.setdefault("copy_recipients", units("info-centre"))
    kwargs.setdefault("title", TITLE)
    kwargs.setdefault("body", BODY)
    kwargs.setdefault("now", NOW)
    return services.outgoing_draft(
        by=by or user("clerk"),
        series=series(code),
        doc_type=doc_type,
        direction=direction,
        **kwargs,
    )


def submitted(doc=None, **kwargs) -> OutgoingDocument:
    doc = doc or draft(**kwargs)
    return services.outgoing_submit(document=doc, by=user("clerk"), now=NOW)


def reviewed(doc=None, *, cosign=(), **kwargs) -> OutgoingDocument:
    doc = submitted(doc, **kwargs)
    return services.outgoing_review(
        document=doc,
        by=user("secretary"),
        approve=True,
        cosign_sections=[section(c) for c in cosign],
        now=NOW,
    )


def signed(doc=None, **kwargs) -> OutgoingDocument:
    doc = reviewed(doc, **kwargs)
    if doc.state == "legal_review":
        doc = services.outgoing_legal_review(
            document=doc, by=user("legal_head"), passed=True, opinion="合法。", now=NOW
        )
    return services.outgoing_sign(document=doc, by=doc.signer, now=NOW)


def registered(doc=None, **kwargs) -> OutgoingDocument:
    doc = signed(doc, **kwargs)
    return services.outgoing_register(document=doc, by=user("secretary"), copies=30, now=NOW)


def items(doc, **filters):
    return WorkItem.objects.filter(
        content_type__model="outgoingdocument", object_id=doc.pk, **filters
    )


def audit(doc, action: str):
    return AuditEntry.objects.filter(
        object_type="documents.outgoingdocument", object_id=str(doc.pk), action=action
    )


def seal_png(
    text: str = "乌兰浩特市人民政府办公室", *, size: int = 600, blank: bool = False
) -> bytes:
    """A specimen seal: a red ring, a star and the issuer's name round the top, on transparency."""
    import io
    import math

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    if not blank:
        red = (230, 0, 18, 255)
        draw = ImageDraw.Draw(image)
        draw.ellipse([0, 0, size - 1, size - 1], outline=red, width=size // 30)  # ink to the edge
        c, r = size / 2, size * 0.13
        star = [
            (
                c + (r if i % 2 == 0 else r * 0.4) * math.sin(i * math.pi / 5),
                c - (r if i % 2 == 0 else r * 0.4) * math.cos(i * math.pi / 5),
            )
            for i in range(10)
        ]
        draw.polygon(star, fill=red)
        font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", size // 9)
        n = len(text)
        for i, ch in enumerate(text):
            angle = -110 + 220 * (i + 0.5) / n
            glyph = Image.new("RGBA", (size // 8, size // 8), (0, 0, 0, 0))
            ImageDraw.Draw(glyph).text(
                (size // 16, size // 16), ch, font=font, fill=red, anchor="mm"
            )
            glyph = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
            x = c + size * 0.36 * math.sin(math.radians(angle)) - size // 16
            y = c - size * 0.36 * math.cos(math.radians(angle)) - size // 16
            image.alpha_composite(glyph, (int(x), int(y)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def upload_seal(issuer: str = "乌兰浩特市人民政府办公室", *, diameter_mm: int = 42):
    """The security admin uploads the issuer's seal (as the admin page does)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.models import IssuerSeal
    from documents.outgoing import assets

    seal = IssuerSeal.objects.filter(issuer_name=issuer).first() or IssuerSeal(
        issuer_name=issuer, diameter_mm=diameter_mm
    )
    upload = SimpleUploadedFile("seal.png", seal_png(issuer), content_type="image/png")
    return assets.seal_store(seal=seal, upload=upload, by=user("secadmin"))


GB2312_EXTRA = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "，。、；：？！“”‘’（）〔〕《》—…·　０１２３４５６７８９"
)


def licensed_font_bytes(family: str = "Licensed FangSong Test") -> bytes:
    """A stand-in for a licensed 仿宋_GB2312: Noto Serif CJK SC cut down to GB 2312 and renamed,
    so the PDF can be checked for the uploaded font by name. Made once per session."""
    import hashlib
    import io
    import logging
    import tempfile
    from pathlib import Path

    from fontTools import subset
    from fontTools.ttLib import TTCollection

    cached = getattr(licensed_font_bytes, "_cache", {})
    if family in cached:
        return cached[family]
    # Cut once per machine (~10 s), then reused from the temp folder.
    key = hashlib.sha256(family.encode()).hexdigest()[:12]
    on_disk = Path(tempfile.gettempdir()) / f"zb-test-font-{key}.otf"
    if on_disk.exists():
        cached[family] = on_disk.read_bytes()
        licensed_font_bytes._cache = cached
        return cached[family]
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    chars = []
    for row in range(0xA1, 0xF8):
        for col in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.append(bytes([row, col]).decode("gb2312"))
    font = TTCollection("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc").fonts[2]
    options = subset.Options()
    options.name_IDs = ["*"]
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "VORG", "vmtx", "vhea"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(chars) + GB2312_EXTRA)
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 16):
            record.string = family
        elif record.nameID == 6:
            record.string = family.replace(" ", "")
    out = io.BytesIO()
    font.save(out)
    on_disk.write_bytes(out.getvalue())
    cached[family] = out.getvalue()
    licensed_font_bytes._cache = cached
    return cached[family]


def upload_font(role: str = "fangsong", data: bytes | None = None, name: str = "fs.otf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.models import LicensedFont
    from documents.outgoing import assets

    font = LicensedFont.objects.filter(role=role).first() or LicensedFont(role=role)
    upload = SimpleUploadedFile(name, data or licensed_font_bytes(), content_type="font/otf")
    return assets.font_store(font=font, upload=upload, by=user("sysadmin"))
