"""The 收文 services (documents.services), transition by transition: the happy path (state, work
items, one audit entry, notifications), every forbidden source state and every person refused;
registration numbers (S-29), the classified-material boundary (S-15b) and read-only archives."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from documents import services
from documents.models import (
    Attachment,
    Circulation,
    ExtensionRequest,
    ExtensionState,
    Handling,
    HandlingRole,
    HandlingState,
    IncomingAccess,
    IncomingDocument,
    IncomingState,
    Instruction,
    Marking,
    ProgressNote,
    Retention,
    Routing,
)
from office.models import AuditEntry, NumberSeries, Unit, Urgency, WorkState
from office.services import TransitionError
from office.services.audit import verify_chain

from .incoming_flow import (
    DUE_ON,
    INSTRUCTION,
    NOW,
    PROPOSAL,
    REFERENCE,
    SENDER,
    SH,
    TITLE,
    accept,
    assign,
    at,
    audit,
    audits,
    end_of,
    items,
    last_day,
    notes,
    present,
    reach,
    refresh,
    register,
    section,
    user,
)

pytestmark = pytest.mark.django_db

S = IncomingState
ALREADY_HANDLED = re.escape(str(services.ALREADY_HANDLED))
ALL_STATES = [s.value for s in IncomingState]


@pytest.fixture
def cast(
    secretary,
    leader,
    other_leader,
    clerk,
    section_head,
    other_section_staff,
    archivist,
    supervisor,
    audit_admin,
):
    """Everyone, by persona name."""
    return SimpleNamespace(**{k: v for k, v in locals().items()})


def access(doc) -> list[tuple[str, str]]:
    rows = IncomingAccess.objects.filter(document=doc).values_list(
        "user__username", "section__code", "unit__code", "reason"
    )
    return sorted((u or s or n, reason) for u, s, n, reason in rows)


def handling_of(doc, code: str) -> Handling:
    return Handling.objects.get(document=doc, section__code=code)


def assigned_with_assist(cast) -> IncomingDocument:
    """Presented to the mayor and assigned: 综合科 leads, 法制办 assists, due Friday 12-04."""
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    assign(doc, cast.leader, lead=section("general"), assist=[section("legal")])
    return refresh(doc)


# --- 签收/登记 ------------------------------------------------------------------------------
def test_registering_numbers_the_document_and_opens_the_screening_work(cast):
    doc = register(cast.secretary, copies=2, written_on=dt.date(2026, 11, 20))
    assert doc.state == S.REGISTERED
    assert doc.registration_number == "收文〔2026〕1号"
    assert (doc.registration_year, doc.registration_serial) == (2026, 1)
    assert (doc.registered_by, doc.registered_at, doc.received_at) == (cast.secretary, NOW, NOW)
    assert (doc.sender_name, doc.sender_reference, doc.copies) == (SENDER, REFERENCE, 2)
    assert doc.duplicate_of is None
    assert access(doc) == [("secretary", "registered")]

    [item] = items(doc)
    assert (item.action, item.state, item.assignee, item.section) == (
        "screen",
        WorkState.OPEN,
        cast.secretary,
        section("secretariat"),
    )
    # 3 working days from Wednesday 11-25: Thursday, Friday, Monday 11-30, to 24:00.
    assert item.rule.code == "document.request"
    assert item.due_at == end_of(dt.date(2026, 11, 30))

    assert audits(doc) == ["incoming.register"]
    entry = audit(doc, "incoming.register")
    assert (entry.actor, entry.to_state) == (cast.secretary, S.REGISTERED)
    assert entry.changes["registration_number"] == "收文〔2026〕1号"
    assert notes(doc) == []  # the registrar opened the screening work for herself


def test_registration_numbers_are_sequential_and_each_year_has_its_own_series(cast):
    first, second = register(cast.secretary), register(cast.secretary, sender_reference="")
    late_2025 = register(cast.secretary, received_at=dt.datetime(2025, 12, 31, 23, 30, tzinfo=SH))
    # 16:30 UTC on 12-31 is already 2026-01-01 00:30 in Ulanhot: the local year counts.
    new_year = register(
        cast.secretary, received_at=dt.datetime(2025, 12, 31, 16, 30, tzinfo=dt.UTC)
    )
    third = register(cast.secretary)
    assert [d.registration_number for d in (first, second, new_year, third)] == [
        "收文〔2026〕1号",
        "收文〔2026〕2号",
        "收文〔2026〕3号",
        "收文〔2026〕4号",
    ]
    assert (late_2025.registration_year, late_2025.registration_number) == (2025, "收文〔2025〕1号")
    series = NumberSeries.objects.filter(series="收文")
    assert dict(series.values_list("year", "last_number")) == {2025: 1, 2026: 4}


def test_the_prefix_comes_from_the_argument_or_the_setting_and_each_has_its_own_series(
    cast, settings
):
    assert register(cast.secretary).registration_number == "收文〔2026〕1号"
    other = register(cast.secretary, prefix="来文")
    assert (other.registration_prefix, other.registration_number) == ("来文", "来文〔2026〕1号")
    settings.INCOMING_NUMBER_PREFIX = "乌政办收"
    assert register(cast.secretary).registration_number == "乌政办收〔2026〕1号"
    assert register(cast.secretary).registration_number == "乌政办收〔2026〕2号"
    settings.INCOMING_NUMBER_PREFIX = "收文"
    assert register(cast.secretary).registration_number == "收文〔2026〕2号"


def test_a_rolled_back_registration_gives_its_number_back(cast):
    register(cast.secretary)
    with pytest.raises(RuntimeError), transaction.atomic():
        doc = register(cast.secretary)
        assert doc.registration_serial == 2
        raise RuntimeError("the form's second step failed")
    assert register(cast.secretary).registration_serial == 2
    assert sorted(IncomingDocument.objects.values_list("registration_serial", flat=True)) == [1, 2]
    assert NumberSeries.objects.get(series="收文", year=2026).last_number == 2


@pytest.mark.parametrize(
    "marking,title",
    [
        ("秘密", TITLE),
        ("机密", TITLE),
        ("绝密", TITLE),
        ("机密★5年", TITLE),
        (Marking.INTERNAL, "关于2026年征兵工作的通知（秘密）"),
        (Marking.PUBLIC, "绝密★30年 国防动员方案"),
    ],
)
def test_classified_material_is_refused_with_a_pointer_to_the_confidential_channel(
    cast, marking, title
):
    audit_rows = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="机要") as refused:
        register(cast.secretary, marking=marking, title=title)
    assert refused.value.code == "classified"
    assert not IncomingDocument.objects.exists()
    assert not NumberSeries.objects.filter(series="收文").exists()
    # Nothing registered; the refusal itself is audited (issue 15).
    assert AuditEntry.objects.count() == audit_rows + 1
    assert AuditEntry.objects.latest("pk").action == "classification.refused"


def test_a_second_registration_of_the_same_sender_reference_is_flagged(cast):
    first = register(cast.secretary)
    again = register(cast.secretary, sender_reference=f" {REFERENCE} ", now=at(26))
    third = register(cast.secretary, now=at(27))
    other_sender = register(cast.secretary, sender_name="乌兰浩特市教育局")
    no_reference = register(cast.secretary, sender_reference="")
    no_reference_again = register(cast.secretary, sender_reference="")
    assert again.duplicate_of == first and third.duplicate_of == first
    assert first.duplicate_of is None and other_sender.duplicate_of is None
    assert no_reference.duplicate_of is None and no_reference_again.duplicate_of is None
    assert audit(again, "incoming.register").changes["duplicate_of"] == first.pk


def test_a_sender_unit_gives_its_name(cast):
    drc = Unit.objects.get(code="drc")
    doc = register(cast.secretary, sender=drc, sender_name="")
    assert (doc.sender, doc.sender_name) == (drc, "乌兰浩特市发展和改革委员会")


def test_a_restricted_document_names_its_audience(cast):
    doc = register(
        cast.secretary, marking=Marking.RESTRICTED, audience=[cast.leader, cast.section_head]
    )
    assert access(doc) == [
        ("general_head", "audience"),
        ("mayor", "audience"),
        ("secretary", "registered"),
    ]
    assert audit(doc, "incoming.register").changes["audience"] == ["mayor", "general_head"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"marking": Marking.RESTRICTED},  # no audience
        {"marking": "top"},
        {"sender_name": "  "},
    ],
)
def test_registration_needs_what_the_register_records(cast, kwargs):
    with pytest.raises(ValidationError):
        register(cast.secretary, **kwargs)
    assert not IncomingDocument.objects.exists()


@pytest.mark.parametrize(
    "persona", ["clerk", "section_head", "leader", "archivist", "supervisor", "audit_admin"]
)
def test_only_the_secretariat_registers(cast, persona):
    with pytest.raises(PermissionDenied):
        register(getattr(cast, persona))
    assert not IncomingDocument.objects.exists()


# --- 初审 -----------------------------------------------------------------------------------
def test_accepting_keeps_the_screening_work_open_until_the_document_goes_on(cast):
    doc = accept(register(cast.secretary), cast.secretary, now=at(25, 11))
    assert doc.state == S.ACCEPTED
    assert (doc.screened_by, doc.screened_at) == (cast.secretary, at(25, 11))
    assert [(i.action, i.state) for i in items(doc)] == [("screen", WorkState.OPEN)]
    assert audits(doc) == ["incoming.register", "incoming.accept"]
    entry = audit(doc, "incoming.accept")
    assert (entry.from_state, entry.to_state) == (S.REGISTERED, S.ACCEPTED)


def test_returning_records_the_reason_and_closes_the_screening_work(cast):
    doc = register(cast.secretary)
    doc = services.incoming_screen(
        document=doc,
        by=cast.secretary,
        accept=False,
        reason="来文未按规定行文，请按隶属关系报送",
        notify_sender=True,
        now=at(25, 11),
    )
    assert doc.state == S.RETURNED and doc.is_read_only
    assert refresh(doc).return_reason == "来文未按规定行文，请按隶属关系报送"
    [item] = items(doc)
    assert (item.state, item.completed_by, item.outcome) == (
        WorkState.DONE,
        cast.secretary,
        "来文未按规定行文，请按隶属关系报送",
    )
    assert audits(doc) == ["incoming.register", "incoming.return"]
    entry = audit(doc, "incoming.return")
    assert (entry.from_state, entry.to_state) == (S.REGISTERED, S.RETURNED)
    assert entry.comment.startswith("来文未按规定行文")
    assert entry.changes == {"notify_sender": True}


def test_a_return_needs_a_reason(cast):
    doc = register(cast.secretary)
    with pytest.raises(ValidationError):
        services.incoming_screen(document=doc, by=cast.secretary, accept=False, reason=" ")
    assert refresh(doc).state == S.REGISTERED


# --- 拟办/呈批 ------------------------------------------------------------------------------
def test_presenting_puts_the_document_in_the_leaders_queue(cast):
    doc = accept(register(cast.secretary), cast.secretary)
    doc = present(doc, cast.secretary, cast.leader, now=at(25, 11))
    assert doc.state == S.PRESENTED
    assert (doc.presented_to, doc.presented_at, doc.proposal) == (cast.leader, at(25, 11), PROPOSAL)
    assert ("mayor", "presented") in access(doc)
    screen, approve = items(doc)
    assert (screen.action, screen.state, screen.completed_by) == (
        "screen",
        WorkState.DONE,
        cast.secretary,
    )
    assert (approve.action, approve.state, approve.assignee, approve.leader) == (
        "approve",
        WorkState.OPEN,
        cast.leader,
        cast.leader,
    )
    assert approve.due_at is None  # an ordinary 通知 has no presentation deadline
    assert list(IncomingDocument.objects.awaiting(cast.leader)) == [doc]
    assert audits(doc)[-1] == "incoming.present"
    assert audit(doc, "incoming.present").changes == {"presented_to": "mayor"}
    assert notes(doc) == [("mayor", "approve")]


def test_a_request_for_instructions_is_due_within_three_working_days(cast):
    doc = accept(register(cast.secretary, doc_type="request"), cast.secretary)
    present(doc, cast.secretary, cast.leader)
    approve = items(doc, action="approve").get()
    assert approve.due_at == end_of(dt.date(2026, 11, 30))


@pytest.mark.parametrize("urgency", [Urgency.URGENT, Urgency.EXTRA_URGENT])
@pytest.mark.parametrize(
    "when,working_day",
    [
        (at(25, 10), dt.date(2026, 11, 25)),  # Wednesday morning: that day
        (at(27, 20), dt.date(2026, 11, 27)),  # Friday evening: still that Friday, to 24:00
        (at(28, 9), dt.date(2026, 11, 30)),  # Saturday: the next working day, Monday
        (at(3, 9, month=10), dt.date(2026, 10, 8)),  # National Day: after the holiday
        (at(10, 9, month=10), dt.date(2026, 10, 10)),  # a make-up working Saturday counts
    ],
    ids=["wednesday", "friday-evening", "saturday", "national-day", "makeup-saturday"],
)
def test_urgent_documents_are_due_the_same_working_day(cast, urgency, when, working_day):
    doc = register(cast.secretary, urgency=urgency, received_at=when, now=when)
    assert last_day(items(doc, action="screen").get().due_at) == working_day
    present(accept(doc, cast.secretary, now=when), cast.secretary, cast.leader, now=when)
    approve = items(doc, action="approve").get()
    assert approve.due_at == end_of(working_day)
    assert last_day(approve.due_at) == working_day
    assert approve.urgency == urgency and approve.priority == (
        3 if urgency == "extra_urgent" else 2
    )


def test_the_queue_shows_extra_urgent_first(cast):
    normal = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    extra = register(cast.secretary, urgency=Urgency.EXTRA_URGENT, sender_reference="")
    extra = present(accept(extra, cast.secretary), cast.secretary, cast.leader, now=at(25, 12))
    assert list(IncomingDocument.objects.awaiting(cast.leader)) == [extra, normal]
    assert list(IncomingDocument.objects.awaiting(cast.other_leader)) == []


@pytest.mark.parametrize("who", ["clerk", "secretary", "section_head"])
def test_documents_are_presented_only_to_a_city_leader(cast, who):
    doc = accept(register(cast.secretary), cast.secretary)
    with pytest.raises(ValidationError):
        present(doc, cast.secretary, getattr(cast, who))
    assert refresh(doc).state == S.ACCEPTED


def test_an_inactive_leader_cannot_be_presented_to(cast):
    doc = accept(register(cast.secretary), cast.secretary)
    cast.other_leader.is_active = False
    cast.other_leader.save()
    with pytest.raises(ValidationError):
        present(doc, cast.secretary, cast.other_leader)


def test_presenting_needs_a_proposal(cast):
    doc = accept(register(cast.secretary), cast.secretary)
    with pytest.raises(ValidationError):
        services.incoming_present(document=doc, by=cast.secretary, leader=cast.leader, proposal="")


# --- 传阅 by the secretariat, read receipts ---------------------------------------------------
def test_circulating_sends_the_document_to_each_reader(cast):
    doc = accept(register(cast.secretary), cast.secretary)
    doc = services.incoming_circulate(
        document=doc,
        by=cast.secretary,
        readers=[cast.leader, cast.other_leader, cast.leader],
        proposal="请各位领导阅知。",
        now=at(25, 11),
    )
    assert doc.state == S.CIRCULATING
    assert sorted(
        Circulation.objects.filter(document=doc).values_list(
            "reader__username", "sent_by__username"
        )
    ) == [
        ("mayor", "secretary"),
        ("vicemayor", "secretary"),
    ]
    reads = items(doc, action="read")
    assert sorted(i.assignee.username for i in reads) == ["mayor", "vicemayor"]
    # Five working days from Wednesday 11-25 (公文承办): Wednesday 12-02.
    assert {i.due_at for i in reads} == {end_of(dt.date(2026, 12, 2))}
    assert items(doc, action="screen").get().state == WorkState.DONE
    assert ("mayor", "circulated") in access(doc) and ("vicemayor", "circulated") in access(doc)
    assert audits(doc)[-1] == "incoming.circulate"
    assert audit(doc, "incoming.circulate").changes == {"readers": ["mayor", "vicemayor"]}
    assert notes(doc) == [("mayor", "read"), ("vicemayor", "read")]


def test_circulating_to_nobody_changes_nothing(cast):
    doc = accept(register(cast.secretary), cast.secretary)
    with pytest.raises(ValidationError):
        services.incoming_circulate(document=doc, by=cast.secretary, readers=[], now=NOW)
    assert refresh(doc).state == S.ACCEPTED
    assert items(doc, action="screen").get().state == WorkState.OPEN
    assert audits(doc) == ["incoming.register", "incoming.accept"]


def test_the_last_reader_moves_the_document_to_confirmation(cast):
    doc = accept(register(cast.secretary), cast.secretary)
    services.incoming_circulate(
        document=doc, by=cast.secretary, readers=[cast.leader, cast.other_leader], now=NOW
    )
    first = Circulation.objects.get(document=doc, reader=cast.leader)
    services.circulation_read(circulation=first, by=cast.leader, comment="已阅", now=at(25, 15))
    first.refresh_from_db()
    assert (first.read_at, first.comment) == (at(25, 15), "已阅")
    assert first.work_item.state == WorkState.DONE
    assert refresh(doc).state == S.CIRCULATING
    assert not items(doc, action="review").exists()

    second = Circulation.objects.get(document=doc, reader=cast.other_leader)
    services.circulation_read(circulation=second, by=cast.other_leader, now=at(26))
    assert refresh(doc).state == S.HANDLED
    review = items(doc, action="review").get()
    assert (review.assignee, review.section) == (cast.secretary, section("secretariat"))
    assert audits(doc)[-2:] == ["incoming.read", "incoming.read"]
    entry = AuditEntry.objects.filter(
        object_type="documents.incomingdocument", object_id=str(doc.pk), action="incoming.read"
    ).latest("pk")
    assert (entry.from_state, entry.to_state) == (S.CIRCULATING, S.HANDLED)
    assert ("secretary", "review") in notes(doc)


def test_only_the_reader_confirms_reading_and_only_once(cast):
    doc = accept(register(cast.secretary), cast.secretary)
    services.incoming_circulate(document=doc, by=cast.secretary, readers=[cast.leader], now=NOW)
    circulation = Circulation.objects.get(document=doc)
    for someone in (cast.other_leader, cast.secretary, cast.clerk):
        with pytest.raises(PermissionDenied):
            services.circulation_read(circulation=circulation, by=someone, now=NOW)
    services.circulation_read(circulation=circulation, by=cast.leader, now=NOW)
    with pytest.raises(TransitionError):
        services.circulation_read(circulation=circulation, by=cast.leader, now=NOW)
    assert audits(doc).count("incoming.read") == 1


# --- 批示 -----------------------------------------------------------------------------------
def test_an_instruction_assigns_a_lead_and_an_assisting_section_with_a_deadline(cast):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    instruction = assign(
        doc, cast.leader, lead=section("general"), assist=[section("legal")], now=at(25, 15)
    )
    doc = refresh(doc)
    assert doc.state == S.HANDLING
    assert (doc.lead_section, doc.lead_unit) == (section("general"), None)
    assert doc.due_at == end_of(DUE_ON)

    assert (instruction.leader, instruction.text, instruction.routing) == (
        cast.leader,
        INSTRUCTION,
        Routing.ASSIGN,
    )
    assert instruction.due_at == end_of(DUE_ON) and instruction.created_at == at(25, 15)
    assert items(doc, action="approve").get().state == WorkState.DONE

    handlings = {h.role: h for h in Handling.objects.filter(document=doc)}
    assert handlings[HandlingRole.LEAD].section == section("general")
    assert handlings[HandlingRole.ASSIST].section == section("legal")
    for handling in handlings.values():
        item = handling.work_item
        assert (item.action, item.state, item.assignee, item.section) == (
            "handle",
            WorkState.OPEN,
            None,
            handling.section,
        )
        assert (item.leader, item.assigned_by, item.rule.code) == (
            cast.leader,
            cast.leader,
            "document.handle",
        )
        assert item.due_at == end_of(DUE_ON)
    assert ("general", "lead") in access(doc) and ("legal", "assist") in access(doc)

    assert audits(doc)[-1] == "incoming.instruct"
    entry = audit(doc, "incoming.instruct")
    assert (entry.actor, entry.from_state, entry.to_state) == (cast.leader, S.PRESENTED, S.HANDLING)
    assert entry.comment == INSTRUCTION
    assert entry.changes["lead"] == "综合科" and entry.changes["assist"] == ["法制办"]
    # The section heads are told of the new work; the registrar of the instruction.
    assert notes(doc) == [
        ("general_head", "handle"),
        ("legal_head", "handle"),
        ("mayor", "approve"),
        ("secretary", ""),
    ]


def test_a_unit_may_lead(cast):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    centre = Unit.objects.get(code="info-centre")
    assign(doc, cast.leader, lead=centre)
    doc = refresh(doc)
    assert (doc.lead_section, doc.lead_unit) == (None, centre)
    handling = Handling.objects.get(document=doc)
    assert (handling.unit, handling.section, handling.role) == (centre, None, HandlingRole.LEAD)
    assert (handling.work_item.unit, handling.work_item.section) == (centre, None)
    assert ("info-centre", "lead") in access(doc)


def test_the_lead_named_again_as_assisting_and_a_repeated_section_handle_once(cast):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    general, legal = section("general"), section("legal")
    assign(doc, cast.leader, lead=general, assist=[general, legal, legal, None])
    assert sorted(Handling.objects.filter(document=doc).values_list("section__code", "role")) == [
        ("general", "lead"),
        ("legal", "assist"),
    ]
    assert items(doc, action="handle").count() == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lead": None},
        {"due_on": None},
        {"due_on": dt.date(2026, 11, 24)},  # yesterday
    ],
    ids=["no-lead", "no-deadline", "past-deadline"],
)
def test_an_assignment_needs_a_lead_and_a_deadline_not_in_the_past(cast, kwargs):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    arguments = {
        "document": doc,
        "leader": cast.leader,
        "text": INSTRUCTION,
        "routing": Routing.ASSIGN,
        "lead": section("general"),
        "due_on": DUE_ON,
        "now": NOW,
    }
    arguments.update(kwargs)
    with pytest.raises(ValidationError):
        services.incoming_instruct(**arguments)
    assert refresh(doc).state == S.PRESENTED
    assert not Instruction.objects.filter(document=doc).exists()


def test_a_deadline_today_is_accepted(cast):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    assign(doc, cast.leader, due_on=NOW.date())
    assert refresh(doc).due_at == end_of(NOW.date())


@pytest.mark.parametrize("kwargs", [{"text": "  "}, {"routing": "delegate"}])
def test_an_instruction_needs_text_and_a_routing(cast, kwargs):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    arguments = {"document": doc, "leader": cast.leader, "text": "阅", "routing": Routing.READ}
    with pytest.raises(ValidationError):
        services.incoming_instruct(**(arguments | kwargs), now=NOW)
    assert refresh(doc).state == S.PRESENTED


def test_forwarding_passes_the_document_to_another_leader(cast):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    instruction = services.incoming_instruct(
        document=doc,
        leader=cast.leader,
        text="请志刚同志阅处。",
        routing=Routing.FORWARD,
        forward_to=cast.other_leader,
        now=at(25, 14),
    )
    doc = refresh(doc)
    assert doc.state == S.PRESENTED
    assert (doc.presented_to, doc.presented_at) == (cast.other_leader, at(25, 14))
    assert instruction.forwarded_to == cast.other_leader
    mayors, vicemayors = items(doc, action="approve")
    assert (mayors.assignee, mayors.state) == (cast.leader, WorkState.DONE)
    assert (vicemayors.assignee, vicemayors.state, vicemayors.leader) == (
        cast.other_leader,
        WorkState.OPEN,
        cast.other_leader,
    )
    assert ("vicemayor", "presented") in access(doc)
    assert audit(doc, "incoming.instruct").changes == {
        "routing": "forward",
        "forwarded_to": "vicemayor",
    }
    assert notes(doc) == [("mayor", "approve"), ("secretary", ""), ("vicemayor", "approve")]
    assert list(IncomingDocument.objects.awaiting(cast.other_leader)) == [doc]
    assert list(IncomingDocument.objects.awaiting(cast.leader)) == []

    # The mayor's second tab finds it no longer his; the vice-mayor instructs.
    with pytest.raises(TransitionError, match=ALREADY_HANDLED):
        services.incoming_instruct(
            document=doc, leader=cast.leader, text="阅", routing=Routing.READ, now=NOW
        )
    services.incoming_instruct(
        document=doc, leader=cast.other_leader, text="阅", routing=Routing.READ, now=NOW
    )
    assert refresh(doc).state == S.HANDLED
    assert audits(doc).count("incoming.instruct") == 2


@pytest.mark.parametrize("to", ["leader", "clerk", None])
def test_forwarding_goes_to_another_city_leader(cast, to):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    with pytest.raises(ValidationError):
        services.incoming_instruct(
            document=doc,
            leader=cast.leader,
            text="转",
            routing=Routing.FORWARD,
            forward_to=getattr(cast, to) if to else None,
            now=NOW,
        )
    assert refresh(doc).presented_to == cast.leader


def test_an_instruction_may_circulate_the_document(cast):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    services.incoming_instruct(
        document=doc,
        leader=cast.leader,
        text="请志刚同志、综合科阅。",
        routing=Routing.CIRCULATE,
        readers=[cast.other_leader, cast.section_head],
        now=NOW,
    )
    assert refresh(doc).state == S.CIRCULATING
    assert sorted(
        Circulation.objects.filter(document=doc).values_list(
            "reader__username", "sent_by__username"
        )
    ) == [("general_head", "mayor"), ("vicemayor", "mayor")]
    assert audit(doc, "incoming.instruct").changes == {
        "routing": "circulate",
        "readers": ["vicemayor", "general_head"],
    }
    assert notes(doc) == [
        ("general_head", "read"),
        ("mayor", "approve"),
        ("secretary", ""),
        ("vicemayor", "read"),
    ]
    for circulation in Circulation.objects.filter(document=doc):
        services.circulation_read(circulation=circulation, by=circulation.reader, now=NOW)
    assert refresh(doc).state == S.HANDLED


def test_circulating_by_instruction_needs_readers(cast):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    with pytest.raises(ValidationError):
        services.incoming_instruct(
            document=doc, leader=cast.leader, text="传阅", routing=Routing.CIRCULATE, now=NOW
        )
    assert refresh(doc).state == S.PRESENTED


def test_read_and_noted_goes_straight_to_confirmation(cast):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    services.incoming_instruct(
        document=doc, leader=cast.leader, text="已阅。", routing=Routing.READ, now=NOW
    )
    assert refresh(doc).state == S.HANDLED
    review = items(doc, action="review").get()
    assert (review.assignee, review.section, review.state) == (
        cast.secretary,
        section("secretariat"),
        WorkState.OPEN,
    )
    entry = audit(doc, "incoming.instruct")
    assert (entry.from_state, entry.to_state, entry.changes) == (
        S.PRESENTED,
        S.HANDLED,
        {"routing": "read"},
    )
    assert notes(doc) == [("mayor", "approve"), ("secretary", ""), ("secretary", "review")]


def test_the_leader_it_was_not_presented_to_cannot_instruct(cast):
    doc = present(accept(register(cast.secretary), cast.secretary), cast.secretary, cast.leader)
    with pytest.raises(TransitionError, match=ALREADY_HANDLED):
        services.incoming_instruct(
            document=doc, leader=cast.other_leader, text="阅", routing=Routing.READ, now=NOW
        )
    assert refresh(doc).state == S.PRESENTED
    assert not Instruction.objects.exists()


# --- 承办 -----------------------------------------------------------------------------------
def test_progress_notes_are_kept_in_order(cast):
    doc = assigned_with_assist(cast)
    handling = handling_of(doc, "general")
    services.handling_note(handling=handling, by=cast.clerk, text="已召开协调会", now=at(26))
    services.handling_note(handling=handling, by=cast.section_head, text="方案起草中", now=at(27))
    assert list(
        ProgressNote.objects.filter(handling=handling).values_list("text", "author__username")
    ) == [
        ("已召开协调会", "clerk"),
        ("方案起草中", "general_head"),
    ]
    assert audits(doc)[-2:] == ["incoming.progress", "incoming.progress"]
    with pytest.raises(ValidationError):
        services.handling_note(handling=handling, by=cast.clerk, text=" ")


def test_the_lead_finishing_first_leaves_the_document_with_the_assisting_section(cast):
    doc = assigned_with_assist(cast)
    lead = handling_of(doc, "general")
    services.handling_complete(handling=lead, by=cast.clerk, outcome="已制定保障方案", now=at(30))
    lead.refresh_from_db()
    assert (lead.state, lead.outcome, lead.completed_by, lead.completed_at) == (
        HandlingState.DONE,
        "已制定保障方案",
        cast.clerk,
        at(30),
    )
    assert (lead.work_item.state, lead.work_item.completed_by) == (WorkState.DONE, cast.clerk)
    doc = refresh(doc)
    assert (doc.state, doc.outcome) == (S.HANDLING, "已制定保障方案")
    assert not items(doc, action="review").exists()
    entry = audit(doc, "incoming.handled")
    assert (entry.from_state, entry.to_state) == (S.HANDLING, S.HANDLING)
    assert entry.changes == {"handler": "综合科", "role": "lead"}

    assist = handling_of(doc, "legal")
    services.handling_complete(handling=assist, by=user("legal_head"), outcome="已审查", now=at(30))
    doc = refresh(doc)
    assert doc.state == S.HANDLED
    assert doc.outcome == "已制定保障方案"  # the lead's outcome is the document's
    review = items(doc, action="review").get()
    assert (review.assignee, review.state) == (cast.secretary, WorkState.OPEN)
    assert audits(doc)[-2:] == ["incoming.handled", "incoming.handled"]
    assert ("secretary", "review") in notes(doc)


def test_the_assisting_section_finishing_first_leaves_the_document_with_the_lead(cast):
    doc = assigned_with_assist(cast)
    services.handling_complete(
        handling=handling_of(doc, "legal"), by=user("legal_head"), outcome="已审查", now=at(26)
    )
    doc = refresh(doc)
    assert (doc.state, doc.outcome) == (S.HANDLING, "")
    services.handling_complete(
        handling=handling_of(doc, "general"), by=cast.section_head, outcome="已落实", now=at(27)
    )
    assert (refresh(doc).state, refresh(doc).outcome) == (S.HANDLED, "已落实")


@pytest.mark.parametrize("persona", ["other_section_staff", "leader", "secretary", "supervisor"])
def test_only_the_handling_section_records_progress_and_outcome(cast, persona):
    doc = assigned_with_assist(cast)
    handling = handling_of(doc, "general")
    someone = getattr(cast, persona)
    with pytest.raises(PermissionDenied):
        services.handling_note(handling=handling, by=someone, text="进展", now=NOW)
    with pytest.raises(PermissionDenied):
        services.handling_complete(handling=handling, by=someone, outcome="办结", now=NOW)
    with pytest.raises(PermissionDenied):
        services.extension_request(handling=handling, by=someone, days=2, reason="复杂", now=NOW)
    # The assisting section cannot finish the lead's part either.
    with pytest.raises(PermissionDenied):
        services.handling_complete(handling=handling, by=user("legal_head"), outcome="x", now=NOW)
    handling.refresh_from_db()
    assert handling.state == HandlingState.OPEN
    assert "incoming.handled" not in audits(doc)


def test_finished_handling_takes_no_more_notes_or_outcomes(cast):
    doc = assigned_with_assist(cast)
    handling = handling_of(doc, "general")
    services.handling_complete(handling=handling, by=cast.clerk, outcome="已落实", now=NOW)
    with pytest.raises(TransitionError):
        services.handling_complete(handling=handling, by=cast.clerk, outcome="再次", now=NOW)
    with pytest.raises(TransitionError):
        services.handling_note(handling=handling, by=cast.clerk, text="补充", now=NOW)
    with pytest.raises(TransitionError):
        services.extension_request(handling=handling, by=cast.clerk, days=2, reason="x", now=NOW)
    with pytest.raises(ValidationError):
        services.handling_complete(
            handling=handling_of(doc, "legal"), by=user("legal_head"), outcome=" "
        )
    assert audits(doc).count("incoming.handled") == 1


# --- Extensions -----------------------------------------------------------------------------
MONDAY = at(30)


def _request(doc, by, days=2, now=MONDAY) -> ExtensionRequest:
    return services.extension_request(
        handling=handling_of(doc, "general"), by=by, days=days, reason="需征求街道意见", now=now
    )


def test_asking_for_more_time_goes_to_the_leader_who_instructed(cast):
    doc = assigned_with_assist(cast)
    request = _request(doc, cast.clerk)
    assert (request.state, request.days, request.requested_by) == (
        ExtensionState.PENDING,
        2,
        cast.clerk,
    )
    item = request.work_item
    assert (item.action, item.assignee, item.leader, item.state) == (
        "approve",
        cast.leader,
        cast.leader,
        WorkState.OPEN,
    )
    # 3 working days from Monday 11-30 (请示办理): Thursday 12-03.
    assert item.due_at == end_of(dt.date(2026, 12, 3))
    assert audits(doc)[-1] == "incoming.extension_request"
    assert audit(doc, "incoming.extension_request").changes == {"days": 2, "handler": "综合科"}
    assert notes(doc).count(("mayor", "approve")) == 2  # the document, then the request
    with pytest.raises(TransitionError):  # one request at a time
        _request(doc, cast.section_head)


@pytest.mark.parametrize("days,reason", [(0, "x"), (31, "x"), (2, "  ")])
def test_an_extension_request_needs_days_and_a_reason(cast, days, reason):
    doc = assigned_with_assist(cast)
    with pytest.raises(ValidationError):
        services.extension_request(
            handling=handling_of(doc, "general"), by=cast.clerk, days=days, reason=reason, now=NOW
        )
    assert not ExtensionRequest.objects.exists()


def test_a_request_beyond_what_the_rule_allows_is_refused_at_once(cast):
    # 公文承办 allows one extension of at most 5 working days; the leader could not approve more.
    doc = assigned_with_assist(cast)
    with pytest.raises(ValidationError):
        _request(doc, cast.clerk, days=6)
    assert not ExtensionRequest.objects.exists()
    services.extension_decide(
        request=_request(doc, cast.clerk, days=5), by=cast.leader, approve=True, now=at(30, 15)
    )
    with pytest.raises(TransitionError):
        _request(doc, cast.clerk, days=1)
    assert ExtensionRequest.objects.count() == 1


def test_approving_moves_the_deadline_by_working_days_and_tells_everyone(cast):
    doc = assigned_with_assist(cast)
    request = _request(doc, cast.clerk, days=2)
    before = Counter(notes(doc))
    services.extension_decide(request=request, by=cast.leader, approve=True, now=at(30, 15))
    request.refresh_from_db()
    assert (request.state, request.decided_by, request.decided_at) == (
        ExtensionState.APPROVED,
        cast.leader,
        at(30, 15),
    )
    assert request.work_item.state == WorkState.DONE
    # Friday 12-04 plus 2 working days: Tuesday 12-08.
    lead = handling_of(doc, "general")
    assert lead.work_item.due_at == end_of(dt.date(2026, 12, 8))
    assert lead.work_item.extensions == 1
    assert refresh(doc).due_at == end_of(dt.date(2026, 12, 8))
    assert handling_of(doc, "legal").work_item.due_at == end_of(DUE_ON)
    assert audits(doc)[-1] == "incoming.extension_approve"
    assert audit(doc, "incoming.extension_approve").changes == {"days": 2}
    # The section head and the clerk who asked hear of it, once each, about the handling work.
    told = Counter(notes(doc)) - before
    assert told[("clerk", "handle")] == 1 and told[("general_head", "handle")] == 1


def test_an_approved_extension_of_the_assisting_section_leaves_the_document_deadline(cast):
    doc = assigned_with_assist(cast)
    request = services.extension_request(
        handling=handling_of(doc, "legal"), by=user("legal_head"), days=1, reason="x", now=NOW
    )
    services.extension_decide(request=request, by=cast.leader, approve=True, now=NOW)
    assert handling_of(doc, "legal").work_item.due_at == end_of(dt.date(2026, 12, 7))
    assert refresh(doc).due_at == end_of(DUE_ON)


def test_refusing_keeps_the_deadline_and_tells_the_handler(cast):
    doc = assigned_with_assist(cast)
    request = _request(doc, cast.clerk)
    services.extension_decide(
        request=request, by=cast.leader, approve=False, reason="请按期办结", now=at(30, 15)
    )
    request.refresh_from_db()
    assert (request.state, request.decided_by) == (ExtensionState.REFUSED, cast.leader)
    assert request.work_item.state == WorkState.DONE
    assert handling_of(doc, "general").work_item.due_at == end_of(DUE_ON)
    assert refresh(doc).due_at == end_of(DUE_ON)
    assert audits(doc)[-1] == "incoming.extension_refuse"
    assert ("clerk", "") in notes(doc)


@pytest.mark.parametrize(
    "persona", ["other_leader", "section_head", "clerk", "secretary", "supervisor"]
)
def test_only_the_leader_who_instructed_decides_an_extension(cast, persona):
    doc = assigned_with_assist(cast)
    request = _request(doc, cast.clerk)
    with pytest.raises(PermissionDenied):
        services.extension_decide(request=request, by=getattr(cast, persona), approve=True, now=NOW)
    request.refresh_from_db()
    assert request.state == ExtensionState.PENDING
    assert handling_of(doc, "general").work_item.due_at == end_of(DUE_ON)


def test_an_extension_is_decided_once(cast):
    doc = assigned_with_assist(cast)
    request = _request(doc, cast.clerk)
    services.extension_decide(request=request, by=cast.leader, approve=False, now=NOW)
    with pytest.raises(TransitionError, match=ALREADY_HANDLED):
        services.extension_decide(request=request, by=cast.leader, approve=True, now=NOW)
    assert handling_of(doc, "general").work_item.due_at == end_of(DUE_ON)


def test_finishing_the_handling_closes_a_pending_request(cast):
    doc = assigned_with_assist(cast)
    request = _request(doc, cast.clerk)
    services.handling_complete(
        handling=handling_of(doc, "general"), by=cast.clerk, outcome="已提前办结", now=at(30, 16)
    )
    request.refresh_from_db()
    assert request.state == ExtensionState.REFUSED
    assert request.work_item.state != WorkState.OPEN  # no longer in the leader's inbox
    with pytest.raises(TransitionError):
        services.extension_decide(request=request, by=cast.leader, approve=True, now=at(30, 17))


# --- 办结, 归档 -----------------------------------------------------------------------------
def test_confirming_completion_hands_the_document_to_the_archivist(cast):
    doc = reach(S.HANDLED, cast.secretary, cast.leader)
    doc = services.incoming_confirm(document=doc, by=cast.secretary, now=at(30))
    assert doc.state == S.COMPLETED
    assert (doc.completed_by, doc.completed_at) == (cast.secretary, at(30))
    assert items(doc, action="review").get().state == WorkState.DONE
    filing = items(doc, action="file").get()
    assert (filing.assignee, filing.state, filing.rule.code) == (
        cast.archivist,
        WorkState.OPEN,
        "document.handle",
    )
    assert audits(doc)[-1] == "incoming.complete"
    entry = audit(doc, "incoming.complete")
    assert (entry.from_state, entry.to_state) == (S.HANDLED, S.COMPLETED)


def test_archiving_files_the_document_with_its_retention(cast):
    doc = reach(S.COMPLETED, cast.secretary, cast.leader)
    doc = services.incoming_archive(
        document=doc,
        by=cast.archivist,
        retention=Retention.PERMANENT,
        volume_reference=" 2026-WS-0001 ",
        now=at(30),
    )
    assert doc.state == S.ARCHIVED and doc.is_read_only
    doc = refresh(doc)
    assert (doc.retention, doc.volume_reference, doc.archived_by, doc.archived_at) == (
        "permanent",
        "2026-WS-0001",
        cast.archivist,
        at(30),
    )
    assert items(doc, action="file").get().state == WorkState.DONE
    assert not items(doc, state=WorkState.OPEN).exists()
    assert audits(doc)[-1] == "incoming.archive"
    assert audit(doc, "incoming.archive").changes == {
        "retention": "permanent",
        "volume_reference": "2026-WS-0001",
    }


@pytest.mark.parametrize("retention,volume", [("5y", "2026-WS-1"), ("10y", " ")])
def test_archiving_needs_a_retention_period_and_a_volume(cast, retention, volume):
    doc = reach(S.COMPLETED, cast.secretary, cast.leader)
    with pytest.raises(ValidationError):
        services.incoming_archive(
            document=doc, by=cast.archivist, retention=retention, volume_reference=volume
        )
    assert refresh(doc).state == S.COMPLETED


@pytest.mark.parametrize("state", [S.ARCHIVED, S.RETURNED])
def test_archived_and_returned_documents_are_read_only(cast, state):
    doc = reach(state, cast.secretary, cast.leader)
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(TransitionError):
        services.attachment_add(document=doc, by=cast.secretary, kind="annex", upload=upload)
    assert not Attachment.objects.filter(document=doc).exists()


def test_the_whole_path_leaves_no_open_work_and_one_audit_entry_per_step(cast):
    doc = reach(S.ARCHIVED, cast.secretary, cast.leader)
    assert audits(doc) == [
        "incoming.register",
        "incoming.accept",
        "incoming.present",
        "incoming.instruct",
        "incoming.handled",
        "incoming.complete",
        "incoming.archive",
    ]
    assert not items(doc, state=WorkState.OPEN).exists()
    assert [i.action for i in items(doc)] == ["screen", "approve", "handle", "review", "file"]


# --- Forbidden source states ----------------------------------------------------------------
def _screen(doc, c):
    services.incoming_screen(document=doc, by=c.secretary, accept=True, now=NOW)


def _return(doc, c):
    services.incoming_screen(document=doc, by=c.secretary, accept=False, reason="x", now=NOW)


def _present(doc, c):
    present(doc, c.secretary, c.other_leader)


def _circulate(doc, c):
    services.incoming_circulate(document=doc, by=c.secretary, readers=[c.other_leader], now=NOW)


def _instruct_read(doc, c):
    services.incoming_instruct(
        document=doc, leader=c.leader, text="阅", routing=Routing.READ, now=NOW
    )


def _instruct_assign(doc, c):
    assign(doc, c.leader)


def _confirm(doc, c):
    services.incoming_confirm(document=doc, by=c.secretary, now=NOW)


def _archive(doc, c):
    services.incoming_archive(
        document=doc, by=c.archivist, retention="10y", volume_reference="V-1", now=NOW
    )


TRANSITIONS = {
    "screen": (_screen, {S.REGISTERED}),
    "return": (_return, {S.REGISTERED}),
    "present": (_present, {S.ACCEPTED}),
    "circulate": (_circulate, {S.ACCEPTED}),
    "instruct-read": (_instruct_read, {S.PRESENTED}),
    "instruct-assign": (_instruct_assign, {S.PRESENTED}),
    "confirm": (_confirm, {S.HANDLED}),
    "archive": (_archive, {S.COMPLETED}),
}
FORBIDDEN = [
    pytest.param(name, state, id=f"{name}-from-{state}")
    for name, (_call, allowed) in TRANSITIONS.items()
    for state in ALL_STATES
    if state not in allowed
]


@pytest.mark.parametrize("name,state", FORBIDDEN)
def test_a_transition_from_a_state_that_does_not_allow_it_is_refused(cast, name, state):
    call, _allowed = TRANSITIONS[name]
    doc = reach(state, cast.secretary, cast.leader)
    trail = audits(doc)
    with pytest.raises(TransitionError, match=ALREADY_HANDLED):
        call(doc, cast)
    assert refresh(doc).state == state
    assert audits(doc) == trail


# --- People who are refused -----------------------------------------------------------------
REFUSED = {
    "screen": (S.REGISTERED, ["clerk", "section_head", "leader", "archivist", "supervisor"]),
    "present": (S.ACCEPTED, ["clerk", "section_head", "leader", "archivist", "supervisor"]),
    "circulate": (S.ACCEPTED, ["clerk", "section_head", "leader", "archivist", "supervisor"]),
    "instruct": (S.PRESENTED, ["secretary", "clerk", "section_head", "supervisor", "archivist"]),
    "confirm": (S.HANDLED, ["clerk", "section_head", "leader", "archivist", "supervisor"]),
    "archive": (S.COMPLETED, ["secretary", "clerk", "section_head", "leader", "supervisor"]),
}


def _as(name: str, doc, c, someone):
    if name == "screen":
        services.incoming_screen(document=doc, by=someone, accept=True, now=NOW)
    elif name == "present":
        services.incoming_present(
            document=doc, by=someone, leader=c.leader, proposal=PROPOSAL, now=NOW
        )
    elif name == "circulate":
        services.incoming_circulate(document=doc, by=someone, readers=[c.leader], now=NOW)
    elif name == "instruct":
        services.incoming_instruct(
            document=doc, leader=someone, text="阅", routing=Routing.READ, now=NOW
        )
    elif name == "confirm":
        services.incoming_confirm(document=doc, by=someone, now=NOW)
    else:
        services.incoming_archive(
            document=doc, by=someone, retention="10y", volume_reference="V-1", now=NOW
        )


@pytest.mark.parametrize(
    "name,persona",
    [
        pytest.param(name, persona, id=f"{persona}-cannot-{name}")
        for name, (_state, people) in REFUSED.items()
        for persona in people
    ],
)
def test_a_person_without_the_role_is_refused(cast, name, persona):
    state = REFUSED[name][0]
    doc = reach(state, cast.secretary, cast.leader)
    trail = audits(doc)
    with pytest.raises(PermissionDenied):
        _as(name, doc, cast, getattr(cast, persona))
    assert refresh(doc).state == state
    assert audits(doc) == trail


# --- The audit chain holds whatever offset `now` carries ----------------------------------
def test_audit_entries_written_with_a_local_time_still_verify(cast):
    register(cast.secretary)  # now = 2026-11-25 10:00+08:00
    assert list(verify_chain()) == []
