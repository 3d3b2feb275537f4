"""Every transition: the happy path (state, work items, notice, audit entry), a refused person and
a forbidden state."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from office.models import AuditEntry, OutboxMessage, WorkItem, WorkState
from office.services import TransitionError
from petitions import services
from petitions.models import Assignment, Decision, NoticeKind, Petition, PetitionState

from .conftest import PERSON, at

pytestmark = pytest.mark.django_db


def audit_actions(petition) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="petitions.petition", object_id=str(petition.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Intake -------------------------------------------------------------------------------------
def test_a_visit_is_registered_with_its_first_responder_code_and_acknowledgement(
    register, petition_officer
):
    petition, code = register()
    assert petition.number.startswith("信访〔2026〕")
    assert petition.first_responder == petition_officer
    assert len(code) == 17 and petition.query_code == code
    assert petition.notices.get().kind == NoticeKind.ACKNOWLEDGEMENT
    assert code in petition.notices.get().body
    assert audit_actions(petition) == ["petition.register"]
    item = WorkItem.objects.get(object_id=petition.pk, action="screen", kind="petition")
    assert item.section.code == "general" and item.state == WorkState.OPEN


def test_a_letter_has_no_first_responder(register):
    petition, _code = register(channel="letter")
    assert petition.first_responder is None


def test_query_codes_are_unguessable_and_distinct(register):
    codes = {register()[1] for _ in range(5)}
    assert len(codes) == 5
    # S-18: at least 80 bits
    from petitions import crypto

    assert len(crypto.QUERY_ALPHABET) ** crypto.QUERY_LENGTH > 2**80


def test_a_forwarded_item_needs_its_source(register):
    with pytest.raises(ValidationError):
        register(channel="forwarded")
    petition, _code = register(
        channel="forwarded", forwarded_from="hotline", forwarded_reference="12345-2026-0091"
    )
    assert petition.get_forwarded_from_display() == "12345热线"


def test_a_group_visit_has_at_most_five_representatives(register):
    reps = [{"role": "representative", "name": f"代表{i}"} for i in range(6)]
    with pytest.raises(ValidationError):
        register(is_group=True, headcount=40, people=[dict(PERSON), *reps])
    petition, _code = register(is_group=True, headcount=40, people=[dict(PERSON), *reps[:5]])
    assert petition.headcount == 40 and petition.petitioners.count() == 6


@pytest.mark.parametrize("persona", ["clerk", "leader", "system_admin"])
def test_only_the_desk_registers(register, persona, request):
    with pytest.raises(PermissionDenied):
        register(by=request.getfixturevalue(persona))


def test_the_public_may_register_only_online(register):
    with pytest.raises(PermissionDenied):
        register(by=None, channel="visit")
    petition, _code = register(by=None, channel="online")
    assert petition.registered_by is None and petition.first_responder is None


# --- Acceptance decisions ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("decision", "extra", "state", "notice"),
    [
        ("accept", {}, PetitionState.ACCEPTED, NoticeKind.ACCEPT),
        (
            "reject",
            {"statutory_channel": "litigation", "reason": "属于民事纠纷"},
            PetitionState.REJECTED,
            NoticeKind.REJECT,
        ),
        (
            "not_reaccept",
            {"reason": "已复核终结"},
            PetitionState.NOT_REACCEPTED,
            NoticeKind.NOT_REACCEPT,
        ),
        (
            "transfer",
            {"reason": "属市住建局职责", "unit": "housing"},
            PetitionState.TRANSFERRED,
            NoticeKind.TRANSFER,
        ),
        ("assign", {"unit": "housing"}, PetitionState.ACCEPTED, NoticeKind.ASSIGN),
    ],
)
def test_each_decision_issues_its_notice(
    register, petition_officer, housing, decision, extra, state, notice
):
    petition, _code = register()
    if extra.get("unit"):
        extra = {**extra, "unit": housing}
    services.petition_decide(
        petition=petition, by=petition_officer, decision=decision, now=at(2026, 9, 3), **extra
    )
    petition.refresh_from_db()
    assert petition.state == state
    n = petition.notices.get(kind=notice)
    assert petition.number in n.body
    if decision == "reject":
        assert "诉讼" in n.body
    assert audit_actions(petition) == ["petition.register", "petition.decide"]
    assert WorkItem.objects.get(object_id=petition.pk, action="screen").state == WorkState.DONE
    opened = WorkItem.objects.filter(object_id=petition.pk, kind="petition", state=WorkState.OPEN)
    if state == PetitionState.ACCEPTED:
        assert opened.filter(action="reply", rule__code="petition.handle").exists()
    else:
        assert not opened.exists()
    if decision == "assign":
        assignment = Assignment.objects.get(petition=petition)
        assert assignment.unit == housing and assignment.work_item.due_at == petition.due_at


def test_a_rejection_must_name_the_statutory_channel(register, petition_officer):
    petition, _code = register()
    with pytest.raises(ValidationError):
        services.petition_decide(
            petition=petition,
            by=petition_officer,
            decision="reject",
            reason="x",
            now=at(2026, 9, 2),
        )
    petition.refresh_from_db()
    assert petition.state == PetitionState.REGISTERED


@pytest.mark.parametrize("persona", ["clerk", "section_head", "leader", "supervisor"])
def test_only_the_desk_decides(register, persona, request):
    petition, _code = register()
    with pytest.raises(PermissionDenied):
        services.petition_decide(
            petition=petition,
            by=request.getfixturevalue(persona),
            decision="accept",
            now=at(2026, 9, 2),
        )


def test_a_decided_petition_cannot_be_decided_again(register, petition_officer):
    petition, _code = register()
    services.petition_decide(
        petition=petition, by=petition_officer, decision="accept", now=at(2026, 9, 2)
    )
    with pytest.raises(TransitionError):
        services.petition_decide(
            petition=petition,
            by=petition_officer,
            decision="reject",
            statutory_channel="litigation",
            reason="x",
            now=at(2026, 9, 3),
        )


# --- Handling, reports, reply ---------------------------------------------------------------------
@pytest.fixture
def assigned(register, petition_officer, housing):
    petition, _code = register()
    services.petition_decide(
        petition=petition, by=petition_officer, decision="assign", unit=housing, now=at(2026, 9, 2)
    )
    return Petition.objects.get(pk=petition.pk)


def test_the_reply_waits_for_the_units_report(assigned, petition_officer, other_section_staff):
    with pytest.raises(TransitionError):
        services.petition_reply(
            petition=assigned,
            by=petition_officer,
            outcome="support",
            reply_text="a",
            basis="b",
            now=at(2026, 9, 10),
        )
    assignment = assigned.assignments.get()
    with pytest.raises(PermissionDenied):
        services.assignment_report(
            assignment=assignment, by=other_section_staff, report="已维修", now=at(2026, 9, 9)
        )
    services.assignment_report(
        assignment=assignment,
        by=petition_officer,
        report="已维修管网，室温达标。",
        now=at(2026, 9, 9),
    )
    assignment.refresh_from_db()
    assert assignment.work_item.state == WorkState.DONE
    with pytest.raises(TransitionError):
        services.assignment_report(
            assignment=assignment, by=petition_officer, report="again", now=at(2026, 9, 9)
        )
    services.petition_reply(
        petition=assigned,
        by=petition_officer,
        outcome="support",
        reply_text="已维修",
        basis="《供热条例》",
        now=at(2026, 9, 10),
    )
    assigned.refresh_from_db()
    assert assigned.state == PetitionState.REPLIED and assigned.due_at is None
    reply = assigned.notices.get(kind=NoticeKind.REPLY)
    assert "予以支持" in reply.body and "30日内" in reply.body and "复查" in reply.body
    assert not WorkItem.objects.filter(
        object_id=assigned.pk, kind="petition", state=WorkState.OPEN
    ).exists()
    assert audit_actions(assigned)[-2:] == ["petition.report", "petition.reply"]


@pytest.mark.parametrize("persona", ["clerk", "leader"])
def test_only_the_desk_replies(assigned, persona, request):
    with pytest.raises(PermissionDenied):
        services.petition_reply(
            petition=assigned,
            by=request.getfixturevalue(persona),
            outcome="support",
            reply_text="a",
            basis="b",
        )


def test_a_registered_petition_cannot_be_replied_to(register, petition_officer):
    petition, _code = register()
    with pytest.raises(TransitionError):
        services.petition_reply(
            petition=petition,
            by=petition_officer,
            outcome="support",
            reply_text="a",
            basis="b",
            now=at(2026, 9, 2),
        )


def test_a_further_assignment_needs_an_accepted_petition(register, petition_officer, housing):
    petition, _code = register()
    with pytest.raises(TransitionError):
        services.petition_assign(
            petition=petition, by=petition_officer, unit=housing, now=at(2026, 9, 2)
        )


def test_delivery_is_recorded_once(register, petition_officer, clerk):
    petition, _code = register()
    notice = petition.notices.get()
    with pytest.raises(PermissionDenied):
        services.notice_deliver(notice=notice, by=clerk, method="in_person", now=at(2026, 9, 1, 11))
    services.notice_deliver(
        notice=notice, by=petition_officer, method="in_person", now=at(2026, 9, 1, 11)
    )
    notice.refresh_from_db()
    assert notice.delivery_method == "in_person" and notice.delivered_at == at(2026, 9, 1, 11)
    with pytest.raises(TransitionError):
        services.notice_deliver(
            notice=notice, by=petition_officer, method="post", now=at(2026, 9, 1, 12)
        )


def test_rating_once_after_the_reply(assigned, petition_officer):
    with pytest.raises(TransitionError):
        services.petition_rate(petition=assigned, rating="满意")
    services.assignment_report(
        assignment=assigned.assignments.get(), by=petition_officer, report="r", now=at(2026, 9, 9)
    )
    services.petition_reply(
        petition=assigned,
        by=petition_officer,
        outcome="explain",
        reply_text="a",
        basis="b",
        now=at(2026, 9, 10),
    )
    with pytest.raises(ValidationError):
        services.petition_rate(petition=assigned, rating="非常好")
    services.petition_rate(
        petition=assigned, rating="基本满意", by=petition_officer, now=at(2026, 9, 12)
    )
    assigned.refresh_from_db()
    assert assigned.rating == "基本满意" and assigned.rated_by_phone
    with pytest.raises(TransitionError):
        services.petition_rate(petition=assigned, rating="满意")


def test_review_needs_a_reply_first(register, petition_officer, clerk):
    petition, _code = register()
    with pytest.raises(TransitionError):
        services.review_apply(
            petition=petition, by=petition_officer, reasons="不服", now=at(2026, 9, 2)
        )
    with pytest.raises(PermissionDenied):
        services.review_apply(petition=petition, by=clerk, reasons="不服", now=at(2026, 9, 2))


def test_a_unit_report_notifies_the_desk_by_email_as_plain_text(assigned, petition_officer):
    services.assignment_report(
        assignment=assigned.assignments.get(), by=petition_officer, report="r", now=at(2026, 9, 9)
    )
    assert OutboxMessage.objects.filter(subject__contains=assigned.number).exists()


def test_decision_enum_matches_the_regulation():
    assert {c.label for c in Decision} == {"受理", "交办", "不予受理", "不再受理", "转送"}
