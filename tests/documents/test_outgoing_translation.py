"""翻译: a translation task with a translator and a deadline; the Mongolian header line."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from documents.outgoing import services, typeset
from office.models import WorkState
from office.services import TransitionError

from .outgoing_flow import NOW, draft, registered, series, user

pytestmark = pytest.mark.django_db

MONGOLIAN = "ᠤᠯᠠᠭᠠᠨᠬᠣᠲᠠ ᠬᠣᠲᠠ ᠶᠢᠨ ᠠᠷᠠᠳ ᠤᠨ ᠵᠠᠰᠠᠭ ᠤᠨ ᠣᠹᠹᠢᠰ"


def _request(doc, by=None, translator="street_staff"):
    return services.translation_request(
        document=doc,
        by=by or user("secretary"),
        translator=user(translator),
        due_on=dt.date(2026, 11, 30),
        now=NOW,
    )


def test_the_secretariat_orders_a_translation_with_a_deadline(other_section_staff):
    doc = registered()
    t = _request(doc)
    assert t.work_item.assignee == other_section_staff and t.work_item.state == WorkState.OPEN
    assert t.work_item.due_at.astimezone(NOW.tzinfo).date() == dt.date(2026, 12, 1)  # 24:00
    # The translator may now open the document.
    from documents.models import OutgoingDocument

    assert OutgoingDocument.objects.visible_to(other_section_staff).filter(pk=doc.pk).exists()


def test_the_translator_hands_in_the_text(other_section_staff):
    t = _request(registered())
    t = services.translation_submit(translation=t, by=other_section_staff, text=MONGOLIAN)
    assert t.state == "submitted"
    t.work_item.refresh_from_db()
    assert t.work_item.state == WorkState.DONE
    with pytest.raises(TransitionError):
        services.translation_submit(translation=t, by=other_section_staff, text="再次")


def test_only_the_translator_hands_in(clerk):
    t = _request(registered())
    with pytest.raises(PermissionDenied):
        services.translation_submit(translation=t, by=clerk, text=MONGOLIAN)


def test_an_empty_translation_or_a_past_deadline_is_refused(other_section_staff, secretary):
    t = _request(registered())
    with pytest.raises(ValidationError):
        services.translation_submit(translation=t, by=other_section_staff, text="  ")
    with pytest.raises(ValidationError):
        services.translation_request(
            document=t.document,
            by=secretary,
            translator=other_section_staff,
            due_on=dt.date(2026, 11, 1),
            now=NOW,
        )


def test_a_stranger_cannot_order_a_translation(other_section_staff):
    with pytest.raises(PermissionDenied):
        _request(registered(), by=other_section_staff)


def test_the_red_header_carries_the_mongolian_line_above_at_equal_size(clerk):
    s = series("乌政发")
    s.header_mongolian = MONGOLIAN
    s.save()
    doc = registered(draft(clerk))
    pdf = typeset.render(doc)
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {f.get_object()["/BaseFont"] for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("Mongolian" in str(name) for name in fonts), fonts
    sizes = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.append((size, text.strip(), tm[5]))

    reader.pages[0].extract_text(visitor_text=visit)
    chinese = next(s for s in sizes if s[1] == "乌兰浩特市人民政府文件")
    # The Mongolian line is sized to fit one line of the block (issue 17), never larger than the
    # Chinese mark; the layout test (tests/typeset) measures its ink and the red rule.
    mongolian = [s for s in sizes if s[1].startswith("ᠤ") and s[0] <= chinese[0]]
    assert len(mongolian) == 1, sizes[:4]
    assert "Noto Sans Mongolian" in reader.metadata.subject


def test_translation_pages(client_for, secretary, other_section_staff):
    doc = registered()
    client_for(secretary).post(
        f"/documents/outgoing/{doc.pk}/translate/",
        {"language": "mn", "translator": other_section_staff.pk, "due_on": "2026-12-31"},
    )
    t = doc.translations.get()
    client = client_for(other_section_staff)
    assert 'id="translation-form"' in client.get(doc.get_absolute_url()).content.decode()
    client.post(f"/documents/translation/{t.pk}/submit/", {"text": MONGOLIAN, "title": ""})
    t.refresh_from_db()
    assert t.state == "submitted"
