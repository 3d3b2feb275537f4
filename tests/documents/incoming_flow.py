"""Shared steps for the 收文 service tests: take a document to any state with the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from documents import services
from documents.models import Handling, IncomingDocument, IncomingState, Routing
from office.models import AuditEntry, Notification, Section, WorkItem

SH = ZoneInfo("Asia/Shanghai")
# Wednesday 2026-11-25, 10:00 in Ulanhot: an ordinary working day.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH)
DUE_ON = dt.date(2026, 12, 4)  # a Friday
TITLE = "关于做好2026年冬季供暖保障工作的通知"
SENDER = "兴安盟行政公署办公室"
REFERENCE = "兴署办发〔2026〕88号"
PROPOSAL = "拟请王市长阅示，交综合科牵头办理。"
INSTRUCTION = "请综合科牵头抓好落实，街道办配合，12月4日前报送落实情况。"


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def end_of(day: dt.date) -> dt.datetime:
    """24:00 of `day` in Ulanhot: how a deadline on that day is stored."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=SH)


def last_day(due_at: dt.datetime) -> dt.date:
    """The local working day a deadline falls on (24:00 belongs to the day that ends)."""
    return (due_at.astimezone(SH) - dt.timedelta(microseconds=1)).date()


def user(username: str) -> User:
    return User.objects.get(username=username)


def section(code: str) -> Section:
    return Section.objects.get(code=code)


# --- Steps ---------------------------------------------------------------------------------
def register(secretary, **kwargs) -> IncomingDocument:
    defaults = {
        "by": secretary,
        "title": TITLE,
        "doc_type": "notice",
        "sender_name": SENDER,
        "sender_reference": REFERENCE,
        "now": NOW,
    }
    defaults.update(kwargs)
    return services.incoming_register(**defaults)


def accept(doc, secretary, now=NOW) -> IncomingDocument:
    return services.incoming_screen(document=doc, by=secretary, accept=True, now=now)


def present(doc, secretary, leader, now=NOW) -> IncomingDocument:
    return services.incoming_present(
        document=doc, by=secretary, leader=leader, proposal=PROPOSAL, now=now
    )


def assign(doc, leader, lead=None, assist=(), due_on=DUE_ON, now=NOW, text=INSTRUCTION):
    return services.incoming_instruct(
        document=doc,
        leader=leader,
        text=text,
        routing=Routing.ASSIGN,
        lead=lead or section("general"),
        assist=assist,
        due_on=due_on,
        now=now,
    )


def reach(state: str, secretary, leader, **kwargs) -> IncomingDocument:
    """A fresh document taken to `state` along the ordinary path (assigned to 综合科 alone)."""
    doc = register(secretary, **kwargs)
    if state == IncomingState.REGISTERED:
        return doc
    if state == IncomingState.RETURNED:
        return services.incoming_screen(
            document=doc, by=secretary, accept=False, reason="不属于本机关职责", now=NOW
        )
    doc = accept(doc, secretary)
    if state == IncomingState.ACCEPTED:
        return doc
    if state == IncomingState.CIRCULATING:
        return services.incoming_circulate(
            document=doc, by=secretary, readers=[user("vicemayor")], now=NOW
        )
    doc = present(doc, secretary, leader)
    if state == IncomingState.PRESENTED:
        return doc
    assign(doc, leader)
    if state == IncomingState.HANDLING:
        return refresh(doc)
    handling = Handling.objects.get(document=doc)
    services.handling_complete(handling=handling, by=user("clerk"), outcome="已落实", now=NOW)
    if state == IncomingState.HANDLED:
        return refresh(doc)
    services.incoming_confirm(document=doc, by=secretary, now=NOW)
    if state == IncomingState.COMPLETED:
        return refresh(doc)
    services.incoming_archive(
        document=doc, by=user("archivist"), retention="30y", volume_reference="2026-WS-001", now=NOW
    )
    assert state == IncomingState.ARCHIVED, state
    return refresh(doc)


def refresh(doc) -> IncomingDocument:
    return IncomingDocument.objects.get(pk=doc.pk)


# --- What happened -------------------------------------------------------------------------
def items(doc, **filters):
    """The document's work items, oldest first."""
    return WorkItem.objects.filter(
        content_type__app_label="documents",
        content_type__model="incomingdocument",
        object_id=doc.pk,
        **filters,
    ).order_by("pk")


def audits(doc) -> list[str]:
    """The actions of the document's audit entries, oldest first."""
    return list(
        AuditEntry.objects.filter(object_type="documents.incomingdocument", object_id=str(doc.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def audit(doc, action: str) -> AuditEntry:
    return AuditEntry.objects.get(
        object_type="documents.incomingdocument", object_id=str(doc.pk), action=action
    )


def notes(doc) -> list[tuple[str, str]]:
    """(recipient, action of the work item or "" for a plain message) of the notifications that
    point at the document, sorted."""
    rows = Notification.objects.filter(url=doc.get_absolute_url()).values_list(
        "recipient__username", "work_item__action"
    )
    return sorted((who, action or "") for who, action in rows)
