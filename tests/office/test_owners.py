"""Work items know their owner app (office.owners): a petition's or a document's work is done
through that app's own transition, never the inbox's generic 办结/暂停/恢复/撤销 — the generic POST
is refused (409, a Chinese message) and changes nothing — and a section member who has the item
in the inbox can open its object. Free-standing work keeps the generic actions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from documents.models import IncomingState
from office.models import WorkItem, WorkState
from office.owners import owner_of
from office.services.workitems import workitem_open
from petitions import services as petitions
from petitions.models import Petition
from petitions.services import Intake
from tests.documents.incoming_flow import NOW, reach

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
JUNE = dt.datetime(2026, 6, 15, 10, 0, tzinfo=SH)
GENERIC = [
    ("complete", {"outcome": "已办结"}),
    ("pause", {"reason": "暂停"}),
    ("resume", {}),
    ("cancel", {"reason": "撤销"}),
]


def _snapshot(item: WorkItem) -> tuple:
    item = WorkItem.objects.get(pk=item.pk)
    return (item.state, item.outcome, item.paused_at, item.due_at, item.completed_at)


def _refuses_the_generic_actions(client, item: WorkItem, app: str) -> None:
    before = _snapshot(item)
    page = client.get(f"/work/{item.pk}/").content.decode()
    assert f"/work/{item.pk}/complete/" not in page and f"/work/{item.pk}/pause/" not in page
    assert item.url in page  # the app's own page instead
    for action, data in GENERIC:
        response = client.post(f"/work/{item.pk}/{action}/", data)
        assert response.status_code == 409, action
        text = response.content.decode()
        assert f"这项工作属于{app}" in text and "未作任何更改" in text, action
    assert _snapshot(item) == before


@time_machine.travel(JUNE, tick=False)
def test_a_petitions_work_is_done_in_petitions_and_only_shown_to_who_can_open_it(
    client_for, petition_officer, clerk
):
    petition, _code = petitions.petition_register(
        Intake(
            channel="visit",
            category="claim",
            subject_area="urban",
            title="小区供暖温度不达标",
            request="请求维修供暖管网。",
            people=[{"name": "王桂芝", "phone": "13904825678"}],
            received_at=JUNE,
        ),
        by=petition_officer,
        now=JUNE,
    )
    item = WorkItem.objects.get(
        content_type=ContentType.objects.get_for_model(petition),
        object_id=petition.pk,
        state=WorkState.OPEN,
    )
    assert owner_of(item) is not None and item.section.code == "general"
    # The petition officer of the desk's section (综合科) has it in the inbox and opens it …
    officer = client_for(petition_officer)
    assert f"/work/{item.pk}/" in officer.get("/").content.decode()
    assert officer.get(item.url).status_code == 200
    _refuses_the_generic_actions(officer, item, "信访")
    assert Petition.objects.get(pk=petition.pk).state == petition.state
    # … a clerk of the same section, who may not read petitions (S-11), is not shown it at all.
    desk_clerk = client_for(clerk)
    assert f"/work/{item.pk}/" not in desk_clerk.get("/").content.decode()
    assert desk_clerk.get(f"/work/{item.pk}/").status_code == 404
    assert desk_clerk.post(f"/work/{item.pk}/complete/", {"outcome": "x"}).status_code == 404
    assert desk_clerk.get(item.url).status_code == 404
    assert _snapshot(item)[0] == WorkState.OPEN


def test_a_documents_handling_work_is_done_in_documents(client_for, secretary, leader, clerk):
    with time_machine.travel(NOW, tick=False):
        document = reach(IncomingState.HANDLING, secretary, leader)
        item = WorkItem.objects.filter(
            content_type=ContentType.objects.get_for_model(document),
            object_id=document.pk,
            state=WorkState.OPEN,
        ).first()
        assert item is not None and owner_of(item) is not None
        client = client_for(clerk)  # 综合科 leads the handling: in the inbox, and it opens
        assert f"/work/{item.pk}/" in client.get("/").content.decode()
        assert client.get(item.url).status_code == 200
        _refuses_the_generic_actions(client, item, "公文")


def test_free_standing_work_keeps_the_generic_actions(client_for, clerk, section_head):
    with time_machine.travel(JUNE, tick=False):
        item = workitem_open(
            title="催办：报送材料",
            kind="other",
            action="handle",
            actor=section_head,
            assignee=clerk,
            due_at=JUNE + dt.timedelta(days=3),
        )
        assert owner_of(item) is None
        response = client_for(clerk).post(f"/work/{item.pk}/complete/", {"outcome": "已报送"})
        assert response.status_code == 302
        assert WorkItem.objects.get(pk=item.pk).state == WorkState.DONE
