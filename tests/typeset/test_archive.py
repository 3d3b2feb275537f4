"""立卷归档 (DA/T 22-2015): 件号 in order within 全宗/年度/保管期限/机构, the record copy's hash,
the 归档文件目录 on the page and as Excel, in a constant number of queries."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.models import ArchiveItem
from documents.outgoing import services
from office.models import RecordCopy
from tests.documents.outgoing_flow import NOW, draft, registered, upload_seal, user

pytestmark = pytest.mark.django_db


def _archived(clerk, title: str, retention: str = "30y"):
    doc = registered(draft(clerk, code="乌政办发", direction="down", title=title))
    doc = services.outgoing_dispatch(document=doc, by=user("secretary"), now=NOW)
    return services.outgoing_archive(
        document=doc, by=user("archivist"), retention=retention, now=NOW
    )


def test_the_catalogue_of_a_year_has_item_numbers_in_order(clerk, client_for):
    upload_seal()
    titles = [f"关于第{n}项工作的通知" for n in range(1, 4)]
    docs = [_archived(clerk, t) for t in titles]
    other = _archived(clerk, "关于永久保存事项的通知", retention="permanent")
    items = list(ArchiveItem.objects.filter(retention="30y").order_by("number"))
    assert [i.number for i in items] == [1, 2, 3]
    assert [i.title for i in items] == titles
    assert ArchiveItem.objects.get(document=other).number == 1  # its own 保管期限 counts anew
    first = items[0]
    assert first.archive_code == f"J001-WS·2026-D30-{docs[0].drafting_section.code}-0001"
    assert first.sha256 == RecordCopy.objects.of(docs[0]).get().pdf_sha256  # fixity
    client = client_for(user("archivist"))
    url = reverse("documents:archive_catalogue") + "?year=2026"
    with CaptureQueriesContext(connection) as few:
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    positions = [html.index(t) for t in titles]
    assert positions == sorted(positions)
    sheet = client.get(url + "&format=xlsx")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[2:]] == [1, 1, 2, 3] or [r[1] for r in rows[2:]] == [1, 2, 3, 1]
    _archived(clerk, "关于第四项工作的通知")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)  # the list's queries do not grow with its rows
    assert client_for(user("clerk")).get(url).status_code == 403
