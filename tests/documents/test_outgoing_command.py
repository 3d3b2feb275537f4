from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from .outgoing_flow import draft, registered

pytestmark = pytest.mark.django_db


def test_render_document_writes_the_pdf_as_it_prints(tmp_path, clerk):
    doc = registered(draft(clerk))
    out = tmp_path / "doc.pdf"
    call_command("render_document", str(doc.pk), "--output", str(out))
    text = PdfReader(out).pages[0].extract_text()
    assert "乌政发〔2026〕1号" in text and doc.title in text.replace("\n", "")


def test_render_document_refuses_an_unknown_id(tmp_path):
    with pytest.raises(CommandError):
        call_command("render_document", "999999", "--output", str(tmp_path / "x.pdf"))
