"""The per-person QR code, drawn by our own encoder: it decodes to the rating link (checked with
Debian's zbarimg when installed) and is shown, labelled, on the person's public page."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from office import qr

TEXTS = [
    "A",
    "http://testserver/public/staff/Z002/rate/",
    "https://www.wlht.gov.cn/public/staff/B00001/rate/",
    "https://example.org/公开/评价/Z002/",
    "x" * 104,
]


def _png(text: str, path) -> None:
    modules = qr.encode(text)
    scale, quiet = 6, 4
    n = (len(modules) + 2 * quiet) * scale
    image = Image.new("L", (n, n), 255)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                x0, y0 = (x + quiet) * scale, (y + quiet) * scale
                image.paste(0, (x0, y0, x0 + scale, y0 + scale))
    image.save(path)


@pytest.mark.parametrize("text", TEXTS)
def test_the_code_has_the_size_of_its_version(text):
    size = len(qr.encode(text))
    assert size in (21, 25, 29, 33, 37, 41)
    assert all(len(row) == size for row in qr.encode(text))


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbarimg (Debian zbar-tools) missing")
@pytest.mark.parametrize("text", TEXTS)
def test_the_code_decodes_to_the_text(text, tmp_path):
    _png(text, tmp_path / "code.png")
    out = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "code.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == text


def test_too_long_a_text_is_refused():
    with pytest.raises(qr.TooLong):
        qr.encode("x" * 200)


@pytest.mark.django_db
def test_the_person_page_shows_the_code_of_the_rating_link(demo_office):
    html = Client().get(reverse("portal:person", args=["Z002"])).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img"' in html
    assert "http://testserver/public/staff/Z002/rate/" in html
    assert "style=" not in html.split('class="qr"')[1].split("</svg>")[0]
