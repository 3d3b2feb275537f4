"""Shared steps for the 发文 tests: take an outgoing document to any state with the services."""

from __future__ import annotations

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
