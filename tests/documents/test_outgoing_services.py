"""发文 services: each transition's happy path, a forbidden state, and a refused person."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from documents.models import IssueNumber, OutgoingDocument, OutgoingVersion
from documents.outgoing import services
from office.models import Notification, WorkState
from office.services import TransitionError

from .outgoing_flow import (
    NOW,
    audit,
    draft,
    items,
    registered,
    reviewed,
    section,
    signed,
    submitted,
    units,
    user,
)

pytestmark = pytest.mark.django_db


# --- 拟稿 and versions -----------------------------------------------------------------------
def test_a_section_member_drafts_without_a_number(clerk):
    doc = draft(clerk)
    assert doc.state == "draft" and doc.issue_number == "" and doc.issue_serial is None
    assert doc.drafting_section.code == "general" and doc.version == 1
    assert OutgoingVersion.objects.filter(document=doc).count() == 1
    assert audit(doc, "outgoing.draft").count() == 1


@pytest.mark.parametrize("persona", ["leader", "system_admin", "outsider"])
def test_people_outside_a_drafting_role_cannot_draft(persona, request):
    with pytest.raises(PermissionDenied):
        draft(request.getfixturevalue(persona))


def test_a_classified_marking_is_refused(clerk):
    with pytest.raises(ValidationError):
        draft(clerk, title="机密文件：关于某事项的通知")


def test_a_restricted_outgoing_document_is_refused(clerk):
    with pytest.raises(ValidationError):
        draft(clerk, marking="restricted")


def test_an_edit_keeps_the_old_version(clerk):
    doc = draft(clerk)
    doc = services.outgoing_update(
        document=doc, by=clerk, expected_version=1, title="关于做好冬季安全生产工作的通知", now=NOW
    )
    assert doc.version == 2
    assert list(doc.versions.values_list("number", "title")) == [
        (2, "关于做好冬季安全生产工作的通知"),
        (1, "关于做好2026年冬季安全生产工作的通知"),
    ]


def test_a_stale_save_is_refused_and_overwrites_nothing(clerk, section_head):
    doc = draft(clerk)
    services.outgoing_update(document=doc, by=section_head, expected_version=1, body="甲稿。")
    with pytest.raises(services.StaleVersion):
        services.outgoing_update(document=doc, by=clerk, expected_version=1, body="乙稿。")
    doc.refresh_from_db()
    assert doc.body == "甲稿。" and doc.version == 2


def test_another_section_cannot_edit_the_draft(clerk, other_section_staff):
    doc = draft(clerk)
    with pytest.raises(PermissionDenied):
        services.outgoing_update(document=doc, by=other_section_staff, expected_version=1, body="x")


# --- 送核稿 and the lint ------------------------------------------------------------------------
def test_submitting_opens_review_work_for_the_secretariat(clerk):
    doc = submitted(draft(clerk))
    assert doc.state == "reviewing"
    item = items(doc, state=WorkState.OPEN).get()
    assert item.section.code == "secretariat" and item.action == "review"


def test_a_request_with_two_main_recipients_must_be_fixed_or_overridden(clerk):
    doc = draft(
        clerk,
        doc_type="request",
        main_recipients=units("league-admin", "league-office"),
        notes="联系人：刘晓东，电话：8261234",
    )
    with pytest.raises(services.LintFindings) as exc:
        services.outgoing_submit(document=doc, by=clerk)
    assert [f.code for f in exc.value.findings] == ["request_one_main"]
    doc = services.outgoing_submit(document=doc, by=clerk, overrides=["request_one_main"])
    assert doc.state == "reviewing" and doc.lint_overrides == ["request_one_main"]
    assert audit(doc, "outgoing.submit").get().changes["lint_overrides"] == ["request_one_main"]


def test_only_a_draft_can_be_submitted(clerk):
    doc = submitted(draft(clerk))
    with pytest.raises(TransitionError):
        services.outgoing_submit(document=doc, by=clerk)


# --- 核稿, 会签, 合法性审查 ------------------------------------------------------------------------
def test_review_without_co_signers_goes_to_the_signer_named_by_series_and_direction(leader):
    doc = reviewed()
    assert doc.state == "signing" and doc.signer == leader  # 乌政发 upward: 市长签发
    sign = items(doc, state=WorkState.OPEN).get()
    assert sign.assignee == leader and sign.action == "sign"
    assert Notification.objects.filter(recipient=leader, work_item=sign).exists()


def test_a_downward_office_document_goes_to_the_secretary_general():
    doc = reviewed(code="乌政办发", direction="down")
    assert doc.signer.username == "secgeneral"


def test_review_can_send_the_draft_back_with_a_reason(secretary, clerk):
    doc = submitted()
    with pytest.raises(ValidationError):
        services.outgoing_review(document=doc, by=secretary, approve=False)
    doc = services.outgoing_review(document=doc, by=secretary, approve=False, comment="请精简。")
    assert doc.state == "draft"
    assert items(doc, state=WorkState.OPEN).get().assignee == clerk


def test_only_the_secretariat_reviews(clerk):
    doc = submitted()
    with pytest.raises(PermissionDenied):
        services.outgoing_review(document=doc, by=clerk, approve=True)


def test_co_signers_decide_in_parallel_and_the_last_agreement_moves_on(other_section_staff):
    doc = reviewed(cosign=["subdistrict", "administration"])
    assert doc.state == "cosigning" and doc.cosigns.count() == 2
    assert items(doc, state=WorkState.OPEN).count() == 2
    street, admin_ = doc.cosigns.order_by("pk")
    services.cosign_decide(cosign=street, by=other_section_staff, agree=True, opinion="同意。")
    doc.refresh_from_db()
    assert doc.state == "cosigning"
    services.cosign_decide(cosign=admin_, by=user("admin_staff"), agree=True)
    doc.refresh_from_db()
    assert doc.state == "signing"


def test_one_disagreement_returns_the_draft_and_cancels_the_other_co_signing(other_section_staff):
    doc = reviewed(cosign=["subdistrict", "administration"])
    street, admin_ = doc.cosigns.order_by("pk")
    with pytest.raises(ValidationError):
        services.cosign_decide(cosign=street, by=other_section_staff, agree=False)
    services.cosign_decide(cosign=street, by=other_section_staff, agree=False, opinion="不同意。")
    doc.refresh_from_db()
    admin_.refresh_from_db()
    assert doc.state == "draft" and admin_.state == "cancelled"
    assert admin_.work_item.state == WorkState.CANCELLED


def test_a_stranger_cannot_co_sign(clerk):
    doc = reviewed(cosign=["subdistrict"])
    with pytest.raises(PermissionDenied):
        services.cosign_decide(cosign=doc.cosigns.get(), by=clerk, agree=True)


def test_a_normative_document_passes_the_legal_office_before_signing(leader):
    doc = reviewed(normative=True)
    assert doc.state == "legal_review"
    assert items(doc, state=WorkState.OPEN).get().section == section("legal")
    doc = services.outgoing_legal_review(
        document=doc, by=user("legal_head"), passed=True, opinion="符合上位法。"
    )
    assert doc.state == "signing" and doc.legal_passed is True


def test_a_normative_document_that_fails_legal_review_cannot_be_signed(leader):
    doc = reviewed(normative=True)
    doc = services.outgoing_legal_review(
        document=doc, by=user("legal_head"), passed=False, opinion="缺乏上位法依据。"
    )
    assert doc.state == "draft" and doc.legal_passed is False
    # Even forced into the signing state, the signature is refused.
    OutgoingDocument.objects.filter(pk=doc.pk).update(state="signing", signer=leader)
    with pytest.raises(TransitionError):
        services.outgoing_sign(document=doc, by=leader)


def test_only_the_legal_office_reviews_legality(secretary):
    doc = reviewed(normative=True)
    with pytest.raises(PermissionDenied):
        services.outgoing_legal_review(document=doc, by=secretary, passed=True, opinion="可。")


# --- 签发 -------------------------------------------------------------------------------------
def test_the_signer_signs_and_the_secretariat_gets_the_final_check(leader):
    doc = signed()
    assert doc.state == "signed" and doc.signed_version == doc.version
    item = items(doc, state=WorkState.OPEN).get()
    assert item.section.code == "secretariat" and item.action == "register"
    assert doc.issue_number == ""  # numbered only at registration


def test_another_leader_cannot_sign(other_leader):
    doc = reviewed()
    with pytest.raises(PermissionDenied):
        services.outgoing_sign(document=doc, by=other_leader)


def test_a_signed_document_cannot_be_signed_twice(leader):
    doc = signed()
    with pytest.raises(TransitionError):
        services.outgoing_sign(document=doc, by=leader)


def test_a_substantive_change_at_the_final_check_goes_back_to_the_signer(secretary, leader):
    doc = signed()
    doc = services.outgoing_update(
        document=doc, by=secretary, expected_version=doc.version, body="改后的正文。"
    )
    assert doc.state == "signing"
    assert items(doc, state=WorkState.OPEN).get().assignee == leader
    with pytest.raises(TransitionError):
        services.outgoing_register(document=doc, by=secretary)


def test_a_correction_of_form_at_the_final_check_keeps_the_signature(secretary):
    doc = signed()
    doc = services.outgoing_update(
        document=doc,
        by=secretary,
        expected_version=doc.version,
        notes="联系人：张敏，电话：8261234",
    )
    assert doc.state == "signed" and doc.signed_version == doc.version
    assert services.outgoing_register(document=doc, by=secretary).state == "registered"


# --- 登记: numbers ------------------------------------------------------------------------------
def test_registration_gives_the_next_number_in_the_standard_form(secretary):
    first = registered()
    second = registered()
    assert first.issue_number == "乌政发〔2026〕1号" and second.issue_number == "乌政发〔2026〕2号"
    assert IssueNumber.objects.filter(document=first, state="issued").count() == 1


def test_the_number_text_has_no_leading_zero_and_no_di():
    assert services.issue_number_text("乌政办发", 2026, 12) == "乌政办发〔2026〕12号"
    assert services.issue_number_text("乌政办发", 2026, 1) == "乌政办发〔2026〕1号"


def test_a_voided_number_is_recorded_and_never_reused(secretary):
    doc = registered()
    doc = services.outgoing_void_number(document=doc, by=secretary, reason="印制前发现文种有误")
    assert doc.state == "signed" and doc.issue_number == ""
    doc = services.outgoing_register(document=doc, by=secretary)
    assert doc.issue_number == "乌政发〔2026〕2号"
    assert list(IssueNumber.objects.filter(document=doc).values_list("serial", "state")) == [
        (1, "voided"),
        (2, "issued"),
    ]


def test_only_the_secretariat_numbers(clerk):
    doc = signed()
    with pytest.raises(PermissionDenied):
        services.outgoing_register(document=doc, by=clerk)


def test_an_unsigned_document_cannot_be_numbered(secretary):
    doc = reviewed()
    with pytest.raises(TransitionError):
        services.outgoing_register(document=doc, by=secretary)


# --- 核发 and 归档 ------------------------------------------------------------------------------
def test_dispatch_makes_an_incoming_document_for_internal_units(secretary, archivist):
    doc = registered()
    doc = services.outgoing_dispatch(document=doc, by=secretary, distribution=[])
    rows = {d.unit.code: d for d in doc.distribution.select_related("unit", "incoming")}
    assert set(rows) == {"league-admin", "info-centre"}
    assert rows["league-admin"].incoming is None  # external: sent on paper or by exchange
    incoming = rows["info-centre"].incoming
    assert incoming.sender_reference == doc.issue_number
    assert incoming.access.filter(unit__code="info-centre").exists()
    assert doc.state == "dispatched"
    assert items(doc, state=WorkState.OPEN).get().assignee == archivist
    doc = services.outgoing_archive(document=doc, by=archivist, retention="permanent")
    assert doc.state == "archived"


def test_a_document_without_a_number_cannot_be_dispatched(secretary):
    doc = signed()
    with pytest.raises(TransitionError):
        services.outgoing_dispatch(document=doc, by=secretary)


def test_only_the_archivist_files(secretary):
    doc = services.outgoing_dispatch(document=registered(), by=secretary)
    with pytest.raises(PermissionDenied):
        services.outgoing_archive(document=doc, by=secretary, retention="permanent")
