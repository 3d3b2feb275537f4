"""首问登记 (DOMAIN.md §5.4, §5.5): the four results; a promised date becomes a work item with
that deadline; the receipt lists the materials and the date; the guide is one click away."""

from __future__ import annotations

import datetime as dt
import gc
import io

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from office import workcalendar
from office.models import AuditEntry, Notification, Staff, WorkItem, WorkKind, WorkState
from office.services import TransitionError
from portal import services
from portal.models import Inquiry, InquiryResult

pytestmark = pytest.mark.django_db

# Tuesday 1 December 2026, 10:00 in Ulanhot.
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=workcalendar.local_tz())


def _post_data(**kw):
    data = {
        "channel": "visit",
        "visitor": "兴安街道居民王某",
        "phone": "13900002222",
        "address": "",
        "matter": "咨询老旧小区改造补助申请",
        "guide": "",
        "result": "settled",
        "handler": "",
        "forwarded_to": "",
        "promised_date": "",
        "result_note": "",
        "m-TOTAL_FORMS": "4",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "20",
    }
    for i in range(4):
        data[f"m-{i}-name"] = ""
        data[f"m-{i}-pages"] = ""
    data.update(kw)
    return data


def test_accepted_with_a_promised_date_becomes_a_work_item_due_that_day(demo_office, clerk):
    handler = Staff.objects.get(user__username="general_head")
    promised = dt.date(2026, 12, 4)  # Friday, within five working days
    inquiry = services.inquiry_log(
        by=clerk,
        visitor="市民李某",
        matter="申请查阅会议纪要",
        result=InquiryResult.ACCEPTED,
        handler=handler,
        promised_date=promised,
        materials=[("身份证复印件", 1), ("申请书", 3)],
        now=NOW,
    )
    item = inquiry.work_item
    assert item.kind == WorkKind.INQUIRY and item.state == WorkState.OPEN
    assert item.rule.code == "inquiry.promise"
    assert item.due_at == workcalendar.end_of_day(promised)
    assert item.assignee == handler.user and item.section == handler.section
    assert inquiry.first_responder.user == clerk
    assert [(m.name, m.pages) for m in inquiry.materials.all()] == [
        ("身份证复印件", 1),
        ("申请书", 3),
    ]
    assert AuditEntry.objects.filter(action="inquiry.log", object_id=str(inquiry.pk)).exists()
    assert "李某" not in AuditEntry.objects.get(action="inquiry.log").object_repr


def test_a_promise_beyond_the_published_limit_is_refused(demo_office, clerk):
    limit = services.inquiry_promise_limit(NOW)
    assert limit == workcalendar.add_workdays(NOW.date(), 5)
    with pytest.raises(TransitionError, match="最晚"):
        services.inquiry_log(
            by=clerk,
            visitor="某人",
            matter="事项",
            result=InquiryResult.ACCEPTED,
            promised_date=limit + dt.timedelta(days=1),
            now=NOW,
        )
    with pytest.raises(TransitionError):
        services.inquiry_log(
            by=clerk,
            visitor="某人",
            matter="事项",
            result=InquiryResult.ACCEPTED,
            promised_date=NOW.date() - dt.timedelta(days=1),
            now=NOW,
        )
    assert not Inquiry.objects.exists() and not WorkItem.objects.filter(kind="inquiry").exists()


def test_handing_over_needs_a_colleague_and_tells_them(demo_office, clerk):
    with pytest.raises(TransitionError):
        services.inquiry_log(by=clerk, visitor="甲", matter="乙", result="handed_over", now=NOW)
    colleague = Staff.objects.get(user__username="street_staff")
    inquiry = services.inquiry_log(
        by=clerk, visitor="甲", matter="乙", result="handed_over", handler=colleague, now=NOW
    )
    assert inquiry.work_item is None and inquiry.handler == colleague
    assert Notification.objects.filter(recipient=colleague.user, url__contains="/desk/").exists()


def test_forwarding_says_where_to(demo_office, clerk):
    with pytest.raises(TransitionError):
        services.inquiry_log(by=clerk, visitor="甲", matter="乙", result="forwarded", now=NOW)
    inquiry = services.inquiry_log(
        by=clerk, visitor="甲", matter="乙", result="forwarded", forwarded_to="市人社局 一楼窗口"
    )
    assert inquiry.forwarded_to == "市人社局 一楼窗口"


def test_only_staff_log_inquiries(demo_office, outsider):
    with pytest.raises(Exception, match="工作人员"):
        services.inquiry_log(by=outsider, visitor="甲", matter="乙", result="settled")


def test_the_desk_form_logs_an_accepted_inquiry_with_materials(client_for, clerk):
    handler = Staff.objects.get(user__username="clerk")
    promised = services.inquiry_promise_limit(timezone.now())
    response = client_for(clerk).post(
        reverse("portal_staff:desk_new"),
        _post_data(
            result="accepted",
            handler=str(handler.pk),
            promised_date=promised.isoformat(),
            **{
                "m-0-name": "营业执照复印件",
                "m-0-pages": "2",
                "m-1-name": "申请表",
                "m-1-pages": "1",
            },
        ),
        follow=True,
    )
    assert "首问登记已保存" in response.content.decode()
    inquiry = Inquiry.objects.get()
    assert inquiry.materials.count() == 2
    assert inquiry.work_item.due_at == workcalendar.end_of_day(promised)


def test_a_material_without_pages_is_refused_and_nothing_is_kept(client_for, clerk):
    response = client_for(clerk).post(
        reverse("portal_staff:desk_new"), _post_data(**{"m-0-name": "身份证"})
    )
    assert "请填写页数" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_the_receipt_lists_the_materials_and_the_promised_date(client_for, clerk):
    from pypdf import PdfReader

    inquiry = services.inquiry_log(
        by=clerk,
        visitor="市民<b>赵某</b>",
        matter="办理证明",
        result=InquiryResult.ACCEPTED,
        promised_date=dt.date(2026, 12, 3),
        materials=[("户口簿复印件", 4)],
        now=NOW,
    )
    response = client_for(clerk).get(reverse("portal_staff:desk_receipt", args=[inquiry.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert "收件回执" in compact and "户口簿复印件" in compact
    assert "2026年12月3日" in compact
    assert "<b>赵某</b>" in compact  # shown as typed, never as markup
    # Collect WeasyPrint's font objects now: their finalizer, run by a later GC, would swallow
    # the SIGALRM of another test's bounded render (office.pdf._time_limit).
    gc.collect()


def test_the_service_guide_is_one_click_away(client_for, clerk):
    html = client_for(clerk).get(reverse("portal_staff:desk_new")).content.decode()
    assert reverse("portal:guides") in html
    html = client_for(clerk).get(reverse("portal_staff:desk")).content.decode()
    assert reverse("portal:guides") in html


def test_others_do_not_see_the_entry(client_for, clerk, other_section_staff, section_head):
    inquiry = services.inquiry_log(by=clerk, visitor="甲", matter="乙", result="settled")
    url = reverse("portal_staff:desk_detail", args=[inquiry.pk])
    assert client_for(other_section_staff).get(url).status_code == 404
    assert client_for(section_head).get(url).status_code == 200
    html = client_for(other_section_staff).get(reverse("portal_staff:desk")).content.decode()
    assert url not in html


def test_desk_list_query_count_is_constant(client_for, supervisor):
    clerk = User.objects.get(username="clerk")
    handler = Staff.objects.get(user__username="street_staff")
    client = client_for(supervisor)
    client.get(reverse("portal_staff:desk"))
    counts = []
    for n in (5, 50):
        while Inquiry.objects.count() < n:
            services.inquiry_log(
                by=clerk, visitor="甲", matter="乙", result="handed_over", handler=handler
            )
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("portal_staff:desk"))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
