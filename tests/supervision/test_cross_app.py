"""Cross-app: a leader's instruction on an incoming document opens a supervised task linked back
to it with one click; closing the task shows on the document's page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from documents import services as documents
from office import workcalendar
from supervision import services
from supervision.models import SupervisionSource, SupervisionTask, TaskState

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructed(secretary, leader, general, subdistrict):
    doc = documents.incoming_register(
        by=secretary,
        title="关于做好冬季供暖保障工作的通知",
        doc_type="notice",
        sender_name="兴安盟行政公署办公室",
        files=[("scan", SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n"))],
    )
    documents.incoming_screen(document=doc, by=secretary, accept=True)
    documents.incoming_present(document=doc, by=secretary, leader=leader, proposal="拟请综合科办理")
    instruction = documents.incoming_instruct(
        document=doc,
        leader=leader,
        text="请综合科牵头，街道办配合，抓好落实并督办。",
        routing="assign",
        lead=general,
        assist=[subdistrict],
        due_on=workcalendar.add_workdays(timezone.localdate(), 5),
    )
    doc.refresh_from_db()
    return doc, instruction


def test_one_click_opens_a_task_linked_to_the_document(client_for, leader, instructed, general):
    doc, instruction = instructed
    page = client_for(leader).get(doc.get_absolute_url()).content.decode()
    url = reverse("supervision:from_instruction", args=[instruction.pk])
    assert url in page  # the button
    response = client_for(leader).post(url)
    task = SupervisionTask.objects.for_source(doc).get()
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert task.source == SupervisionSource.INSTRUCTION
    assert task.source_object == doc
    assert task.requirements == instruction.text
    assert task.leader == leader
    assert task.lead_section == general
    assert task.state == TaskState.ASSIGNED
    assert [h.section.code for h in task.handlers.order_by("role")] == ["subdistrict", "general"]
    # The task page links back to the document.
    assert (
        doc.get_absolute_url() in client_for(leader).get(task.get_absolute_url()).content.decode()
    )
    # A second click makes no second task.
    client_for(leader).post(url)
    assert SupervisionTask.objects.for_source(doc).count() == 1


def test_closing_the_task_shows_on_the_document(client_for, leader, supervisor, clerk, instructed):
    doc, instruction = instructed
    task = services.task_open_from_instruction(by=supervisor, instruction=instruction)
    page = client_for(clerk).get(doc.get_absolute_url()).content.decode()
    assert task.number in page and "state-sv-assigned" in page
    services.task_acknowledge(task=task, by=clerk)
    report = services.completion_submit(task=task, by=clerk, text="供暖保障工作已落实")
    services.completion_review(report=report, by=supervisor, accept=True)
    page = client_for(clerk).get(doc.get_absolute_url()).content.decode()
    assert "state-sv-closed" in page


def test_people_who_may_not_open_tasks_see_no_button_and_are_refused(
    client_for, clerk, instructed, other_section_staff
):
    doc, instruction = instructed
    url = reverse("supervision:from_instruction", args=[instruction.pk])
    assert url not in client_for(clerk).get(doc.get_absolute_url()).content.decode()
    assert client_for(clerk).post(url).status_code == 403
    # 街道办 assists on the document, yet may not open supervised tasks.
    assert client_for(other_section_staff).post(url).status_code == 403
    assert not SupervisionTask.objects.for_source(doc).exists()


def test_a_document_one_may_not_see_is_a_404(client_for, instructed, admin_staff_user):
    _doc, instruction = instructed
    url = reverse("supervision:from_instruction", args=[instruction.pk])
    assert client_for(admin_staff_user).post(url).status_code == 404


@pytest.fixture
def admin_staff_user(demo_office):
    from django.contrib.auth.models import User

    return User.objects.get(username="admin_staff")  # 行政科: the document never reached it
