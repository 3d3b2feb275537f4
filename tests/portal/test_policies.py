"""Published policies (政务公开): issued outgoing documents marked public, with their numbers
and PDFs; nothing unpublished or internal ever shows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from documents.outgoing import services
from tests.documents import outgoing_flow as flow

pytestmark = pytest.mark.django_db


def published_document(*, marking="public", title="乌兰浩特市冬季城市道路积雪清除管理办法"):
    """Drafted, reviewed, signed, numbered and dispatched through the services."""
    doc = flow.registered(marking=marking, title=title, code="乌政办发", direction="down")
    return services.outgoing_dispatch(document=doc, by=flow.user("secretary"), now=flow.NOW)


def test_a_dispatched_public_document_is_listed_with_its_number_and_pdf(demo_office):
    doc = published_document()
    html = Client().get(reverse("portal:policies")).content.decode()
    assert doc.issue_number and doc.issue_number in html
    assert reverse("portal:policy_pdf", args=[doc.pk]) in html
    assert doc.title in Client().get(reverse("portal:home")).content.decode()
    response = Client().get(reverse("portal:policy_pdf", args=[doc.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_internal_or_unissued_documents_are_never_public(demo_office):
    internal = published_document(marking="internal", title="关于内部事项的通知")
    signed = flow.signed(
        marking="public", title="尚未编号的公开文件", code="乌政办发", direction="down"
    )
    html = Client().get(reverse("portal:policies")).content.decode()
    assert "关于内部事项的通知" not in html and "尚未编号的公开文件" not in html
    for doc in (internal, signed):
        assert Client().get(reverse("portal:policy_pdf", args=[doc.pk])).status_code == 404


def test_the_list_searches_and_keeps_its_query_count(demo_office, django_assert_num_queries):
    published_document(title="关于做好冬季供暖保障工作的通知")
    client = Client()
    assert "冬季供暖" in client.get(reverse("portal:policies"), {"q": "供暖"}).content.decode()
    empty = client.get(reverse("portal:policies"), {"q": "不存在的标题"}).content.decode()
    assert "没有符合条件的已公开文件" in empty
    client.get(reverse("portal:policies"))
    with django_assert_num_queries(2):  # one count, one page — whatever the number of rows
        client.get(reverse("portal:policies"))


def test_the_public_pdf_is_the_record_copy_as_issued(demo_office, monkeypatch):
    """The public page serves the document as issued: its record copy, typeset once at 印制."""
    from documents.outgoing import typeset
    from office.models import RecordCopy

    doc = published_document()
    renders = []
    real = typeset.typeset_document
    monkeypatch.setattr(
        typeset, "typeset_document", lambda d, **kw: renders.append(d.pk) or real(d, **kw)
    )
    first = Client().get(reverse("portal:policy_pdf", args=[doc.pk])).content
    second = Client().get(reverse("portal:policy_pdf", args=[doc.pk])).content
    assert first == second and first.startswith(b"%PDF")
    copy = RecordCopy.objects.of(doc).get()
    assert copy.read_pdf() == first
    assert len(renders) <= 1  # at dispatch (印制 before 核发) or, for an older one, once here
