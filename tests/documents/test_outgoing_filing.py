"""规范性文件备案: due within 30 days of publication as a work item; the register and the
quarterly list (DOMAIN.md §6.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from documents.models import NormativeFiling
from documents.outgoing import services
from office.models import WorkState
from office.services import TransitionError

from .outgoing_flow import NOW, items, registered, user

pytestmark = pytest.mark.django_db

PACKAGE = ["report", "text", "explanation", "basis", "opinion"]


def _published():
    doc = registered(normative=True)
    return services.outgoing_dispatch(document=doc, by=user("secretary"), now=NOW)


def test_publishing_a_normative_document_opens_the_filing_due_in_30_days():
    doc = _published()
    filing = NormativeFiling.objects.get(document=doc)
    item = filing.work_item
    assert item.state == WorkState.OPEN and item.section.code == "legal"
    assert item.rule.code == "normative.filing"
    local_due = item.due_at.astimezone(NOW.tzinfo)
    assert (local_due.date() - NOW.date()).days in (30, 31)  # 24:00 of the 30th day


def test_an_ordinary_document_has_no_filing():
    doc = services.outgoing_dispatch(document=registered(), by=user("secretary"), now=NOW)
    assert not NormativeFiling.objects.filter(document=doc).exists()


def test_the_legal_office_records_the_filing_and_a_review_reminder_is_opened():
    doc = _published()
    filing = services.filing_record(
        filing=doc.filing,
        by=user("legal_head"),
        filed_on=dt.date(2026, 12, 10),
        valid_until=dt.date(2031, 12, 31),
        package=PACKAGE,
        reference="兴署法备〔2026〕3号",
        effective_on=dt.date(2027, 1, 1),
    )
    assert filing.state == "filed"
    filing.work_item.refresh_from_db()
    assert filing.work_item.state == WorkState.DONE
    review = filing.review_item
    assert review.state == WorkState.OPEN
    assert review.due_at.date() == dt.date(2031, 10, 2)
    with pytest.raises(TransitionError):
        services.filing_record(
            filing=filing,
            by=user("legal_head"),
            filed_on=dt.date(2026, 12, 10),
            valid_until=dt.date(2031, 12, 31),
            package=PACKAGE,
        )


def test_an_incomplete_package_is_refused():
    doc = _published()
    with pytest.raises(ValidationError):
        services.filing_record(
            filing=doc.filing,
            by=user("legal_head"),
            filed_on=dt.date(2026, 12, 10),
            valid_until=dt.date(2031, 12, 31),
            package=["report", "text"],
        )


def test_taking_effect_within_30_days_needs_a_reason():
    doc = _published()
    kwargs = dict(
        filing=doc.filing,
        by=user("legal_head"),
        filed_on=dt.date(2026, 12, 10),
        valid_until=dt.date(2031, 12, 31),
        package=PACKAGE,
        effective_on=dt.date(2026, 12, 1),
    )
    with pytest.raises(ValidationError):
        services.filing_record(**kwargs)
    assert services.filing_record(**kwargs, early_effect_reason="涉及冬季供暖，须立即施行。")


def test_only_the_legal_office_records_filings(secretary):
    doc = _published()
    with pytest.raises(PermissionDenied):
        services.filing_record(
            filing=doc.filing,
            by=secretary,
            filed_on=dt.date(2026, 12, 10),
            valid_until=dt.date(2031, 12, 31),
            package=PACKAGE,
        )


def test_archiving_does_not_close_the_filing_work():
    doc = _published()
    services.outgoing_archive(document=doc, by=user("archivist"), retention="permanent")
    assert items(doc, state=WorkState.OPEN, action="report").count() == 1


def test_the_register_and_the_quarterly_list(client_for, secretary, clerk):
    doc = _published()
    client_for(user("legal_head")).post(
        f"/documents/outgoing/{doc.pk}/filing/",
        {
            "filed_on": "2026-12-10",
            "valid_until": "2031-12-31",
            "package": PACKAGE,
            "reference": "兴署法备〔2026〕3号",
        },
    )
    doc.filing.refresh_from_db()
    assert doc.filing.state == "filed"
    client = client_for(secretary)
    assert doc.title in client.get("/documents/outgoing/normative/?quarter=2026-4").content.decode()
    html = client.get("/documents/outgoing/normative/?quarter=2026-3").content.decode()
    assert doc.title not in html and 'class="empty"' in html
    assert client_for(clerk).get("/documents/outgoing/normative/").status_code == 403
