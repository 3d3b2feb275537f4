"""发文 pages: drafting, the conflict page, each transition by POST, the queue, the list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import OutgoingDocument, OutgoingSeries
from documents.outgoing import services

from .outgoing_flow import draft, registered, reviewed, signed, submitted, units, user

pytestmark = pytest.mark.django_db


def _draft_post(**extra):
    data = {
        "series": OutgoingSeries.objects.get(code="乌政办发").pk,
        "doc_type": "notice",
        "direction": "down",
        "title": "关于开展冬季消防安全检查的通知",
        "main_recipients": [u.pk for u in units("heping", "xingan")],
        "copy_recipients": [u.pk for u in units("info-centre")],
        "body": "一、检查范围\n全市各类公共场所。",
        "attachments": "",
        "notes": "",
        "marking": "internal",
        "urgency": "normal",
        "issuer_signature": "",
    }
    data.update(extra)
    return data


def test_a_clerk_drafts_through_the_form(client_for, clerk):
    response = client_for(clerk).post("/documents/outgoing/new/", _draft_post(state="archived"))
    doc = OutgoingDocument.objects.get(title="关于开展冬季消防安全检查的通知")
    assert response.status_code == 302 and response.url == doc.get_absolute_url()
    assert doc.state == "draft" and doc.issue_number == ""  # extra POST fields are ignored
    assert doc.main_recipients.count() == 2


def test_a_bad_draft_shows_a_message_and_saves_nothing(client_for, clerk):
    response = client_for(clerk).post("/documents/outgoing/new/", _draft_post(title="机密：某通知"))
    assert response.status_code == 200 and "机要" in response.content.decode()
    assert not OutgoingDocument.objects.filter(title="机密：某通知").exists()


def test_a_stale_save_shows_the_conflict_page_and_changes_nothing(client_for, clerk, section_head):
    doc = draft(clerk)
    form = {**_draft_post(), "version": 1, "body": "我的修改。"}
    client_for(section_head).post(
        f"/documents/outgoing/{doc.pk}/edit/", {**form, "body": "科长的修改。"}
    )
    response = client_for(clerk).post(f"/documents/outgoing/{doc.pk}/edit/", form)
    assert response.status_code == 409
    html = response.content.decode()
    assert "科长的修改。" in html and "我的修改。" in html
    doc.refresh_from_db()
    assert doc.body == "科长的修改。" and doc.version == 2


def test_transitions_refuse_get(client_for, clerk):
    doc = draft(clerk)
    assert client_for(clerk).get(f"/documents/outgoing/{doc.pk}/submit/").status_code == 405


def test_another_section_gets_404_on_a_draft(client_for, other_section_staff, clerk):
    doc = draft(clerk)
    assert client_for(other_section_staff).get(doc.get_absolute_url()).status_code == 404
    response = client_for(other_section_staff).post(f"/documents/outgoing/{doc.pk}/submit/")
    assert response.status_code == 404


def test_someone_who_sees_but_may_not_act_gets_403(client_for, supervisor):
    doc = submitted()
    response = client_for(supervisor).post(
        f"/documents/outgoing/{doc.pk}/review/", {"decision": "yes", "comment": ""}
    )
    assert response.status_code == 403


def test_lint_findings_show_on_the_page_and_block_the_submission(client_for, clerk):
    doc = draft(clerk, doc_type="request", main_recipients=units("league-admin", "league-office"))
    client = client_for(clerk)
    html = client.get(doc.get_absolute_url()).content.decode()
    assert "finding-request_one_main" in html and "finding-request_contact" in html
    client.post(f"/documents/outgoing/{doc.pk}/submit/", {"overrides": ["request_one_main"]})
    doc.refresh_from_db()
    assert doc.state == "draft"
    client.post(
        f"/documents/outgoing/{doc.pk}/submit/",
        {"overrides": ["request_one_main", "request_contact"]},
    )
    doc.refresh_from_db()
    assert doc.state == "reviewing"


def test_the_secretariat_reviews_with_co_signers(client_for, secretary):
    doc = submitted()
    from office.models import Section

    street = Section.objects.get(code="subdistrict")
    client_for(secretary).post(
        f"/documents/outgoing/{doc.pk}/review/",
        {"decision": "yes", "comment": "", "cosign_sections": [street.pk]},
    )
    doc.refresh_from_db()
    assert doc.state == "cosigning" and doc.cosigns.get().section == street


def test_co_signing_and_legal_review_by_post(client_for, other_section_staff):
    doc = reviewed(cosign=["subdistrict"], normative=True)
    client_for(other_section_staff).post(
        f"/documents/outgoing/{doc.pk}/cosign/", {"decision": "yes", "comment": "同意"}
    )
    doc.refresh_from_db()
    assert doc.state == "legal_review"
    client_for(user("legal_head")).post(
        f"/documents/outgoing/{doc.pk}/legal/", {"decision": "no", "comment": "缺乏依据"}
    )
    doc.refresh_from_db()
    assert doc.state == "draft" and doc.legal_passed is False


def test_the_leader_signs_from_the_approval_queue(client_for, leader):
    doc = reviewed()
    client = client_for(leader)
    html = client.get("/documents/queue/").content.decode()
    assert doc.title in html and f"/documents/outgoing/{doc.pk}/sign/" in html
    response = client.post(
        f"/documents/outgoing/{doc.pk}/sign/", {"decision": "yes", "comment": "", "next": "queue"}
    )
    assert response.status_code == 302 and response.url == "/documents/queue/"
    doc.refresh_from_db()
    assert doc.state == "signed"


def test_another_leader_sees_nothing_to_sign(client_for, other_leader):
    doc = reviewed()
    assert doc.title not in client_for(other_leader).get("/documents/queue/").content.decode()


def test_numbering_voiding_dispatch_and_archive_by_post(client_for, secretary, archivist):
    doc = signed()
    client = client_for(secretary)
    client.post(f"/documents/outgoing/{doc.pk}/register/", {"copies": "20", "state": "archived"})
    doc.refresh_from_db()
    assert doc.issue_number == "乌政发〔2026〕1号" and doc.copies == 20
    client.post(f"/documents/outgoing/{doc.pk}/void/", {"reason": "编号有误"})
    doc.refresh_from_db()
    assert doc.state == "signed"
    client.post(f"/documents/outgoing/{doc.pk}/register/", {"copies": "20"})
    client.post(f"/documents/outgoing/{doc.pk}/dispatch/", {"copies_each": "2"})
    doc.refresh_from_db()
    assert doc.state == "dispatched" and doc.issue_number == "乌政发〔2026〕2号"
    assert {d.copies for d in doc.distribution.all()} == {2}
    client_for(archivist).post(f"/documents/outgoing/{doc.pk}/archive/", {"retention": "10y"})
    doc.refresh_from_db()
    assert doc.state == "archived"


def test_the_pdf_view_serves_the_document_and_audits_the_print(client_for, secretary):
    from office.models import AuditEntry

    doc = registered()
    response = client_for(secretary).get(f"/documents/outgoing/{doc.pk}/document.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="outgoing.print", object_id=str(doc.pk)).exists()


# The floor (session, the person, the navigation counts: office.auth, office.navigation), then
# the count and the page; the same at 5 and at 50 rows.
OUTGOING_LIST_QUERIES = (3 if connection.vendor == "postgresql" else 5) + 2


# --- The list ---------------------------------------------------------------------------------
def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _many(n: int, clerk) -> None:
    for i in range(n):
        doc = draft(clerk, title=f"发文{i}")
        if i % 2:
            services.outgoing_submit(document=doc, by=clerk)


@pytest.mark.parametrize(
    "path", ["/documents/outgoing/", "/documents/outgoing/?q=发文&sort=number"]
)
@pytest.mark.parametrize("persona", ["clerk", "secretary"])
def test_the_outgoing_list_keeps_a_constant_number_of_queries(
    client_for, clerk, persona, path, request
):
    client = client_for(request.getfixturevalue(persona))
    client.get(path)
    _many(5, clerk)
    at_5 = _count(client, path)
    _many(45, clerk)
    at_50 = _count(client, path)
    assert at_5 == at_50, (at_5, at_50)
    # session, user, permissions ×2, staff, navigation counts; count and page.
    assert at_50 == OUTGOING_LIST_QUERIES, at_50


def test_the_outgoing_list_paginates_and_has_an_empty_state(client_for, clerk):
    client = client_for(clerk)
    html = client.get("/documents/outgoing/?q=没有这个标题").content.decode()
    assert 'class="empty"' in html
    _many(25, clerk)
    page = client.get("/documents/outgoing/?q=发文").context["page"]
    assert page.paginator.num_pages == 2 and len(page.object_list) == 20


def test_the_list_shows_only_what_the_person_may_see(client_for, clerk, other_section_staff):
    draft(clerk, title="综合科的稿件")
    assert "综合科的稿件" in client_for(clerk).get("/documents/outgoing/").content.decode()
    html = client_for(other_section_staff).get("/documents/outgoing/").content.decode()
    assert "综合科的稿件" not in html
