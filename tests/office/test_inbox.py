"""The inbox (待办/已办/科室待办/我交办的), a work item's page and its actions, notifications and
the monthly register, through the test client with the demo personas."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from office.models import (
    AuditEntry,
    Notification,
    Section,
    Urgency,
    WorkItem,
    WorkState,
)
from office.services import workitems as svc
from office.services.notify import notify

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
PREFIX = "测试事项"


# --- Helpers -------------------------------------------------------------------------------
def _secretary() -> User:
    return User.objects.get(username="secretary")


def _work(
    assignee=None,
    *,
    hours: float | None = 100,
    title: str = "",
    kind: str = "other",
    urgency: str = Urgency.NORMAL,
    section=None,
    actor=None,
    rule=None,
    **kwargs,
) -> WorkItem:
    """Open a work item due `hours` from now (None: no deadline), started three days ago."""
    now = timezone.now()
    if section is None and assignee is not None:
        staff = getattr(assignee, "staff", None)
        section = getattr(staff, "section", None)
    return svc.workitem_open(
        title=title or f"{PREFIX}{WorkItem.objects.count()}",
        kind=kind,
        action="handle",
        assignee=assignee,
        section=section,
        actor=actor or _secretary(),
        urgency=urgency,
        rule=rule,
        start=now - dt.timedelta(days=3),
        due_at=None if hours is None else now + dt.timedelta(hours=hours),
        notify_people=False,
        **kwargs,
    )


def _bulk_work(assignee, n: int, *, start: int = 0, **fields) -> None:
    """Many open items at once (for volume tests), in all three lights and urgencies."""
    now = timezone.now()
    section = assignee.staff.section if assignee is not None else fields.pop("section")
    rows = []
    for i in range(start, start + n):
        urgency = [Urgency.NORMAL, Urgency.URGENT, Urgency.EXTRA_URGENT][i % 3]
        due = now + dt.timedelta(hours=[-5, 5, 100][i % 3] + i / 100)
        rows.append(
            WorkItem(
                title=f"{PREFIX}批量{i}",
                kind=["document", "petition", "meeting", "other"][i % 4],
                action="handle",
                assignee=assignee,
                section=section,
                assigned_by=_secretary(),
                urgency=urgency,
                priority={"normal": 1, "urgent": 2, "extra_urgent": 3}[urgency],
                started_at=now - dt.timedelta(days=3),
                due_at=due,
                remind_at=due - dt.timedelta(hours=24),
                **fields,
            )
        )
    WorkItem.objects.bulk_create(rows)


def _rows(response) -> list[tuple[WorkItem, str | None]]:
    assert response.status_code == 200
    return list(response.context["rows"])


def _titles(response) -> list[str]:
    return [item.title for item, _light in _rows(response)]


def _mine(response) -> list[str]:
    return [t for t in _titles(response) if t.startswith(PREFIX)]


ROW = re.compile(r'<tr class="row-(?P<light>\w+)">(?P<body>.*?)</tr>', re.S)


def _row_lights(response) -> dict[str, str]:
    """title → the row's light class, as rendered."""
    html = response.content.decode()
    lights = {}
    for m in ROW.finditer(html):
        title = re.search(r'<a href="/work/\d+/">(.*?)</a>', m["body"])
        if title:
            lights[title[1]] = m["light"]
    return lights


def _sort_key(item: WorkItem):
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return (-item.priority, item.due_at or far, item.pk)


def _badge(html: str, label: str) -> int | None:
    m = re.search(rf'>{label}<span class="badge"[^>]*>(\d+)</span>', html)
    return int(m[1]) if m else None


# --- 待办 / 已办 ---------------------------------------------------------------------------
def test_todo_shows_my_open_work_across_kinds_urgency_first_then_due(
    client_for, clerk, other_section_staff, section_head
):
    normal_soon = _work(clerk, hours=2, kind="document", title=f"{PREFIX}平件两小时")
    normal_late = _work(clerk, hours=200, kind="petition", title=f"{PREFIX}平件二百小时")
    no_due = _work(clerk, hours=None, kind="other", title=f"{PREFIX}平件无时限")
    urgent_late = _work(clerk, hours=50, kind="meeting", urgency="urgent", title=f"{PREFIX}加急50")
    urgent_soon = _work(
        clerk, hours=10, kind="supervision", urgency="urgent", title=f"{PREFIX}加急10"
    )
    extra = _work(clerk, hours=300, kind="inquiry", urgency="extra_urgent", title=f"{PREFIX}特急")
    extra_overdue = _work(
        clerk, hours=-5, kind="disclosure", urgency="extra_urgent", title=f"{PREFIX}特急逾期"
    )
    done = _work(clerk, title=f"{PREFIX}已办结")
    svc.workitem_complete(item=done, by=clerk)
    cancelled = _work(clerk, title=f"{PREFIX}已撤销")
    svc.workitem_cancel(item=cancelled, by=section_head, reason="撤回")
    _work(other_section_staff, title=f"{PREFIX}别人的")

    response = client_for(clerk).get("/")
    assert response.context["tab"] == "todo"
    expected = [extra_overdue, extra, urgent_soon, urgent_late, normal_soon, normal_late, no_due]
    assert _mine(response) == [i.title for i in expected]
    # The whole list (the demo's own work included) follows the same order.
    items = [item for item, _light in _rows(response)]
    assert items == sorted(items, key=_sort_key)
    assert {i.kind for i in items} >= {
        "document",
        "petition",
        "meeting",
        "supervision",
        "inquiry",
        "disclosure",
        "other",
    }
    html = response.content.decode()
    # Rendered in that order, with Chinese urgency and kind labels.
    positions = [html.index(i.title) for i in expected]
    assert positions == sorted(positions)
    assert '<span class="urgency urgency-extra_urgent">特急</span>' in html
    assert '<span class="urgency urgency-urgent">加急</span>' in html
    assert "<td>平件</td>" in html and "<td>依申请公开</td>" in html
    assert f"{PREFIX}已办结" not in html and f"{PREFIX}已撤销" not in html
    assert f"{PREFIX}别人的" not in html


def test_section_work_with_nobody_named_waits_for_everyone_in_the_section(
    client_for, clerk, petition_officer, other_section_staff
):
    general = Section.objects.get(code="general")
    _work(None, section=general, title=f"{PREFIX}科室件")
    _work(clerk, title=f"{PREFIX}刘晓东的")
    assert f"{PREFIX}科室件" in _mine(client_for(petition_officer).get("/"))
    assert f"{PREFIX}刘晓东的" not in _mine(client_for(petition_officer).get("/"))
    assert f"{PREFIX}科室件" in _mine(client_for(clerk).get("/"))
    assert _mine(client_for(other_section_staff).get("/")) == []


def test_done_shows_what_i_completed_newest_first(client_for, clerk, section_head):
    first, second, still_open = (_work(clerk, title=f"{PREFIX}{n}") for n in "一二三")
    svc.workitem_complete(item=first, by=clerk, outcome="已答复")
    svc.workitem_complete(item=second, by=clerk)
    by_head = _work(clerk, title=f"{PREFIX}科长办的")
    svc.workitem_complete(item=by_head, by=section_head)

    client = client_for(clerk)
    response = client.get("/?tab=done")
    assert response.context["tab"] == "done"
    assert _mine(response) == [second.title, first.title]
    html = response.content.decode()
    assert '<th scope="col">办结时间</th>' in html and '<th scope="col">时限</th>' not in html
    assert all(light is None for _item, light in _rows(response))
    assert f"{PREFIX}三" not in html and f"{PREFIX}科长办的" not in html
    # …and they left the to-do list.
    todo = _mine(client.get("/"))
    assert still_open.title in todo and first.title not in todo and second.title not in todo


def test_filters_by_kind_light_and_state(client_for, clerk, leader):
    doc_red = _work(clerk, hours=-3, kind="document", title=f"{PREFIX}公文红")
    doc_green = _work(clerk, hours=100, kind="document", title=f"{PREFIX}公文绿")
    pet_yellow = _work(clerk, hours=5, kind="petition", title=f"{PREFIX}信访黄")
    client = client_for(clerk)

    assert _mine(client.get("/?kind=document")) == [doc_red.title, doc_green.title]
    assert all(i.kind == "document" for i, _l in _rows(client.get("/?kind=document")))
    assert _mine(client.get("/?kind=petition")) == [pet_yellow.title]
    assert _mine(client.get("/?kind=meeting")) == []
    assert _mine(client.get("/?kind=nonsense")) == _mine(client.get("/"))  # ignored
    assert 'value="document" selected' in client.get("/?kind=document").content.decode()

    assert _mine(client.get("/?light=red")) == [doc_red.title]
    assert _mine(client.get("/?light=yellow")) == [pet_yellow.title]
    assert _mine(client.get("/?light=green")) == [doc_green.title]
    assert {light for _i, light in _rows(client.get("/?light=red"))} == {"red"}
    assert _mine(client.get("/?kind=document&light=green")) == [doc_green.title]

    # 我交办的: the leader filters what they assigned by state.
    mine_open = _work(clerk, actor=leader, title=f"{PREFIX}交办未办")
    mine_done = _work(clerk, actor=leader, title=f"{PREFIX}交办已办")
    svc.workitem_complete(item=mine_done, by=clerk)
    lead = client_for(leader)
    assert set(_mine(lead.get("/?tab=assigned"))) == {mine_open.title, mine_done.title}
    assert _mine(lead.get("/?tab=assigned&state=open")) == [mine_open.title]
    assert _mine(lead.get("/?tab=assigned&state=done")) == [mine_done.title]
    assert _mine(lead.get("/?tab=assigned&state=cancelled")) == []
    assert 'id="state"' in lead.get("/?tab=assigned").content.decode()
    assert 'id="state"' not in lead.get("/").content.decode()  # only on 我交办的


def test_a_light_filter_shows_only_open_work(client_for, clerk, leader):
    """我交办的 also lists closed work, which has no light: 已逾期 must not list it."""
    overdue = _work(clerk, hours=-3, actor=leader, title=f"{PREFIX}逾期未办")
    closed = _work(clerk, hours=-2, actor=leader, title=f"{PREFIX}逾期后办结")
    svc.workitem_complete(item=closed, by=clerk)
    client = client_for(leader)
    assert _mine(client.get("/?tab=assigned&light=red")) == [overdue.title]
    assert _mine(client.get("/?tab=assigned&light=green")) == []
    assert set(_mine(client.get("/?tab=assigned"))) == {overdue.title, closed.title}


def test_the_navigation_shows_the_open_count(client_for, clerk, petition_officer):
    client = client_for(clerk)
    before = WorkItem.objects.waiting_for(clerk, clerk.staff).count()
    assert before == 3  # the demo's work for the clerk
    assert _badge(client.get("/").content.decode(), "待办") == before
    item = _work(clerk)
    _work(None, section=clerk.staff.section)  # section work counts too
    html = client.get("/").content.decode()
    assert _badge(html, "待办") == before + 2
    assert f'aria-label="{before + 2} 件待办"' in html
    svc.workitem_complete(item=item, by=clerk)
    assert _badge(client.get("/notifications/").content.decode(), "待办") == before + 1
    # Nothing open: no badge at all.
    WorkItem.objects.filter(section=clerk.staff.section, assignee__isnull=True).update(
        section=Section.objects.get(code="legal")
    )
    assert _badge(client_for(petition_officer).get("/").content.decode(), "待办") is None


def test_empty_states(client_for, petition_officer):
    client = client_for(petition_officer)
    html = client.get("/").content.decode()
    assert "暂无待办事项。" in html and "<table" not in html
    assert "您还没有已办事项。" in client.get("/?tab=done").content.decode()


def test_unknown_or_forbidden_tabs_fall_back_to_todo(client_for, clerk):
    client = client_for(clerk)
    for tab in ["nonsense", "section"]:  # the clerk heads no section
        response = client.get(f"/?tab={tab}")
        assert response.context["tab"] == "todo", tab
    html = client.get("/").content.decode()
    assert ">待办</a>" in html and ">已办</a>" in html and ">我交办的</a>" in html
    assert ">科室待办</a>" not in html


def test_the_tabs_follow_the_language_of_the_request(client_for, clerk):
    """The tab labels are translated per request, not once when the module is imported."""
    client = client_for(clerk)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert ">To do</a>" in html and ">Done by me</a>" in html and ">待办</a>" not in html


def test_chinese_is_shown_whatever_the_browser_asks_for(client_for, clerk):
    """An office PC with an English browser still gets the Chinese UI (Chinese first)."""
    html = client_for(clerk).get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-Hans">' in html and ">待办</a>" in html


# --- Traffic lights ------------------------------------------------------------------------
def test_traffic_lights_green_yellow_red(client_for, clerk, section_head):
    green = _work(clerk, hours=30, title=f"{PREFIX}绿灯")  # reminder 24 h before: not yet
    yellow = _work(clerk, hours=23, title=f"{PREFIX}黄灯")
    red = _work(clerk, hours=-1, title=f"{PREFIX}红灯")
    none = _work(clerk, hours=None, title=f"{PREFIX}无时限")
    # 信访 handling reminds 120 h before: due in 100 h is already inside the window.
    rule_yellow = _work(clerk, hours=100, rule="petition.handle", title=f"{PREFIX}规则黄灯")
    # A stopped clock keeps the light it had when it stopped.
    paused = _work(clerk, hours=30, rule="disclosure.answer", title=f"{PREFIX}中止计时")
    svc.workitem_pause(item=paused, by=section_head, reason="征求第三方意见")
    WorkItem.objects.filter(pk=paused.pk).update(
        paused_at=timezone.now() - dt.timedelta(days=2),
        due_at=timezone.now() - dt.timedelta(hours=1),
        remind_at=timezone.now() - dt.timedelta(days=1, hours=1),
    )

    response = client_for(clerk).get("/")
    lights = _row_lights(response)
    assert lights[green.title] == "green"
    assert lights[yellow.title] == "yellow"
    assert lights[red.title] == "red"
    assert lights[none.title] == "none"
    assert lights[rule_yellow.title] == "yellow"
    assert lights[paused.title] == "green"
    # The light filter agrees with the lights shown.
    client = client_for(clerk)
    assert paused.title in _mine(client.get("/?light=green"))
    assert paused.title not in _mine(client.get("/?light=red"))
    assert _mine(client.get("/?light=yellow")) == [yellow.title, rule_yellow.title]
    assert set(_mine(client.get("/?light=red"))) == {red.title}
    html = response.content.decode()
    assert '<span class="light light-red" title="已逾期">已逾期</span>' in html
    assert '<span class="light light-yellow" title="即将到期">即将到期</span>' in html
    assert '<span class="light light-green" title="正常">正常</span>' in html
    assert "中止计时" in html  # the row says the clock is stopped
    context_lights = {item.title: light for item, light in _rows(response)}
    assert context_lights[red.title] == "red" and context_lights[none.title] is None


def test_the_detail_page_shows_the_light(client_for, clerk):
    item = _work(clerk, hours=-1)
    html = client_for(clerk).get(f"/work/{item.pk}/").content.decode()
    assert '<span class="light light-red"' in html and "已逾期" in html


# --- Who sees what -------------------------------------------------------------------------
def test_a_section_head_sees_all_open_work_of_the_section(
    client_for, clerk, petition_officer, section_head, other_section_staff
):
    general = Section.objects.get(code="general")
    for_clerk = _work(clerk, title=f"{PREFIX}给刘晓东")
    for_officer = _work(petition_officer, urgency="urgent", title=f"{PREFIX}给那仁")
    for_section = _work(None, section=general, hours=-1, title=f"{PREFIX}给综合科")
    elsewhere = _work(other_section_staff, title=f"{PREFIX}给街道办")
    done = _work(clerk, title=f"{PREFIX}已办结的")
    svc.workitem_complete(item=done, by=clerk)

    client = client_for(section_head)
    html = client.get("/").content.decode()
    assert ">科室待办</a>" in html
    response = client.get("/?tab=section")
    assert response.context["tab"] == "section"
    mine = _mine(response)
    assert mine == [for_officer.title, for_section.title, for_clerk.title]
    assert elsewhere.title not in mine and done.title not in mine
    items = [i for i, _l in _rows(response)]
    assert {i.section_id for i in items} == {general.pk}
    assert all(i.state == WorkState.OPEN for i in items)
    assert items == sorted(items, key=_sort_key)
    # Their own 待办 stays their own: the clerk's work is not in it.
    assert for_clerk.title not in _mine(client.get("/"))
    # The head may open every item of the section.
    assert client.get(f"/work/{for_clerk.pk}/").status_code == 200


def test_a_leader_sees_what_waits_for_them_and_what_they_assigned(
    client_for, leader, clerk, other_section_staff
):
    waiting = _work(leader, urgency="extra_urgent", title=f"{PREFIX}请王市长审批")
    assigned = _work(clerk, actor=leader, title=f"{PREFIX}王市长交办刘晓东")
    assigned2 = _work(other_section_staff, actor=leader, title=f"{PREFIX}王市长交办何静")
    not_theirs = _work(clerk, title=f"{PREFIX}秘书科交办")

    client = client_for(leader)
    todo = _mine(client.get("/"))
    assert todo == [waiting.title]
    response = client.get("/?tab=assigned")
    assert set(_mine(response)) == {assigned.title, assigned2.title}
    assert not_theirs.title not in _titles(response)
    assert all(i.assigned_by_id == leader.pk for i, _l in _rows(response))
    assert client.get(f"/work/{assigned.pk}/").status_code == 200
    assert client.get(f"/work/{not_theirs.pk}/").status_code == 404


def test_another_sections_staff_neither_sees_nor_opens_my_work(
    client_for, clerk, other_section_staff
):
    item = _work(clerk, title=f"{PREFIX}只给刘晓东")
    client = client_for(other_section_staff)
    for url in ["/", "/?tab=done", "/?tab=assigned", "/?tab=section", "/?light=green"]:
        assert item.title not in client.get(url).content.decode(), url
    detail = client.get(f"/work/{item.pk}/")
    assert detail.status_code == 404
    assert item.title not in detail.content.decode()
    # The actions are refused the same way, and change nothing.
    for action, data in [
        ("complete", {"outcome": "越权"}),
        ("urge", {"message": "越权"}),
        ("cancel", {"reason": "越权"}),
        ("extend", {"amount": 1, "reason": "越权"}),
        ("pause", {"reason": "越权"}),
        ("resume", {}),
    ]:
        assert client.post(f"/work/{item.pk}/{action}/", data).status_code == 404, action
    item.refresh_from_db()
    assert item.state == WorkState.OPEN
    assert list(item.events.values_list("kind", flat=True)) == ["open"]
    # A missing item looks the same as someone else's.
    assert client.get("/work/99999999/").status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client_for, clerk):
    item = _work(clerk)
    client = client_for(None)
    for url in ["/", f"/work/{item.pk}/", "/notifications/", "/register/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Queries do not grow with the volume ---------------------------------------------------
# The same with 5 items as with 50, on every tab: the floor (three queries on PostgreSQL:
# session, the person, the navigation's counts; on SQLite two more for the permissions) and
# three for the inbox.
INBOX_QUERIES = (3 if connection.vendor == "postgresql" else 5) + 3


def _count(client, url: str) -> int:
    client.get(url)  # unmeasured: the session's activity stamp is written at most once a minute
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "persona,url",
    [
        ("clerk", "/"),
        ("clerk", "/?kind=document&light=red"),
        ("section_head", "/?tab=section"),
        ("secretary", "/?tab=assigned"),
        ("clerk", "/?tab=done"),
    ],
)
def test_the_inbox_keeps_a_constant_number_of_queries(
    client_for, persona, url, request, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    clerk = User.objects.get(username="clerk")
    done_fields = {}
    if "done" in url:
        done_fields = {"state": WorkState.DONE, "completed_by": clerk}
    client = client_for(user)
    client.get(url)  # the session's activity stamp is written on the first visit

    def add(n, start):
        if done_fields:
            _bulk_work(clerk, n, start=start, completed_at=timezone.now(), **done_fields)
        else:
            _bulk_work(clerk, n, start=start)

    add(5, 0)
    at_5 = _count(client, url)
    add(45, 5)
    at_50 = _count(client, url)
    assert at_5 == at_50 == INBOX_QUERIES
    assert len(client.get(url).context["rows"]) >= (50 if "kind" not in url else 5)
    # session, user, the person's staff row, the sections they head, the page's count and rows,
    # the shell's two counts (open work, unread notifications), 2 × permissions (navigation).
    with django_assert_max_num_queries(INBOX_QUERIES):
        client.get(url)


# --- Pagination ----------------------------------------------------------------------------
def test_the_inbox_pages_by_fifty_keeping_the_filters(client_for, petition_officer):
    _bulk_work(petition_officer, 120)
    client = client_for(petition_officer)
    first = client.get("/")
    page = first.context["page"]
    assert page.paginator.count == 120 and page.paginator.num_pages == 3
    assert len(_rows(first)) == 50
    html = first.content.decode()
    assert "第 1 页，共 3 页" in html and "下一页" in html and "上一页" not in html
    everything = []
    for n in (1, 2, 3):
        everything += [i for i, _l in _rows(client.get(f"/?page={n}"))]
    assert len(everything) == 120 and len({i.pk for i in everything}) == 120
    assert everything == sorted(everything, key=_sort_key)
    assert client.get("/?page=999").context["page"].number == 3
    assert client.get("/?page=abc").context["page"].number == 1
    docs = client.get("/?kind=document")
    assert docs.context["page"].paginator.count == 30
    assert "下一页" not in docs.content.decode()
    red = client.get("/?light=red")
    assert red.context["page"].paginator.count == 40
    assert {light for _i, light in _rows(red)} == {"red"}


def test_the_page_links_keep_the_filters(client_for, petition_officer):
    _bulk_work(petition_officer, 240)  # 80 of each light, 60 of each kind
    client = client_for(petition_officer)
    html = client.get("/?tab=todo&kind=document&light=red").content.decode()
    assert "下一页" not in html  # 20 red documents fit on one page
    html = client.get("/?tab=todo&light=red").content.decode()
    link = re.search(r'<a href="\?([^"]*)">下一页</a>', html)
    assert link[1].replace("&amp;", "&") == "tab=todo&light=red&page=2"
    second = client.get("/?" + link[1].replace("&amp;", "&"))
    assert second.context["page"].number == 2 and len(_rows(second)) == 30
    assert {light for _i, light in _rows(second)} == {"red"}
    back = re.search(r'<a href="\?([^"]*)">上一页</a>', second.content.decode())
    assert back[1].replace("&amp;", "&") == "tab=todo&light=red&page=1"


# --- A work item's actions with bad input --------------------------------------------------
def _snapshot(item: WorkItem) -> tuple:
    item.refresh_from_db()
    return (
        item.state,
        item.due_at,
        item.paused_at,
        item.extensions,
        item.completed_at,
        item.outcome,
        item.events.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def _post(client, item, action, data):
    response = client.post(f"/work/{item.pk}/{action}/", data, follow=True)
    assert response.redirect_chain == [(f"/work/{item.pk}/", 302)]
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]], response.content.decode()


@pytest.mark.parametrize(
    "persona,action,data,message",
    [
        ("clerk", "complete", {"outcome": "办" * 2001}, "不超过 2000 字符"),
        ("section_head", "urge", {"message": "催" * 501}, "不超过 500 字符"),
        ("section_head", "cancel", {"reason": ""}, "请填写理由。"),
        ("section_head", "cancel", {"reason": "   "}, "请填写理由。"),
        ("section_head", "pause", {"reason": ""}, "请填写理由。"),
        ("section_head", "pause", {"reason": "听证"}, "该事项的时限不允许中止计时。"),
        ("section_head", "resume", {}, "该事项没有中止计时。"),
        ("other_leader", "extend", {"reason": "情况复杂"}, "请填写延长的时长。"),
        ("other_leader", "extend", {"amount": "三十", "reason": "情况复杂"}, "请输入整数。"),
        ("other_leader", "extend", {"amount": "0", "reason": "情况复杂"}, "确保该值大于或等于1"),
        ("other_leader", "extend", {"amount": "30", "reason": ""}, "请填写理由。"),
        ("other_leader", "extend", {"amount": "31", "reason": "情况复杂"}, "延期最长不得超过 30"),
    ],
)
def test_actions_with_bad_input_say_why_in_chinese_and_change_nothing(
    client_for, clerk, persona, action, data, message, request
):
    item = _work(clerk, hours=200, rule="petition.handle")
    client = client_for(request.getfixturevalue(persona))  # signing in is audited: before
    before = _snapshot(item)
    messages, html = _post(client, item, action, data)
    assert len(messages) == 1 and message in messages[0], messages
    assert 'class="msg msg-error"' in html and message in html
    assert _snapshot(item) == before


def test_actions_on_closed_work_are_refused_in_chinese(client_for, clerk, section_head):
    item = _work(clerk, hours=200, rule="disclosure.answer")
    svc.workitem_complete(item=item, by=clerk, outcome="已答复")
    clients = {p.username: client_for(p) for p in (clerk, section_head)}
    before = _snapshot(item)
    for persona, action, data in [
        (clerk, "complete", {"outcome": "再办一次"}),
        (section_head, "cancel", {"reason": "撤回"}),
        (section_head, "pause", {"reason": "听证"}),
        (section_head, "urge", {"message": "快"}),
    ]:
        messages, _html = _post(clients[persona.username], item, action, data)
        assert messages == ["该事项已经办结或撤销。"], action
    assert _snapshot(item) == before
    # The closed item's page offers no actions.
    html = client_for(clerk).get(f"/work/{item.pk}/").content.decode()
    assert "/complete/" not in html and "此处没有需要您办理的操作。" in html


def test_actions_by_people_who_may_not_take_them_are_forbidden(client_for, clerk, section_head):
    item = _work(clerk, hours=200, rule="petition.handle")
    clerk_client, head_client = client_for(clerk), client_for(section_head)
    before = _snapshot(item)
    assert clerk_client.post(f"/work/{item.pk}/urge/", {"message": "x"}).status_code == 403
    response = clerk_client.post(f"/work/{item.pk}/cancel/", {"reason": "x"})
    assert response.status_code == 403
    assert "无权操作" in response.content.decode()
    # 信访 extensions need a leader's approval; the section head manages the item but may not.
    response = head_client.post(f"/work/{item.pk}/extend/", {"amount": 1, "reason": "x"})
    assert response.status_code == 403
    assert _snapshot(item) == before
    assert clerk_client.get(f"/work/{item.pk}/complete/").status_code == 405
    # …whereas the assignee may complete it, and hears so in Chinese.
    messages, _html = _post(clerk_client, item, "complete", {"outcome": "已答复"})
    assert messages == ["事项已办结。"]
    item.refresh_from_db()
    assert item.state == WorkState.DONE and item.outcome == "已答复"


def test_the_detail_page_offers_only_the_allowed_actions(
    client_for, clerk, section_head, other_leader
):
    item = _work(clerk, hours=200, rule="petition.handle")
    clerk_html = client_for(clerk).get(f"/work/{item.pk}/").content.decode()
    assert f"/work/{item.pk}/complete/" in clerk_html
    assert "/urge/" not in clerk_html and "/extend/" not in clerk_html
    head_html = client_for(section_head).get(f"/work/{item.pk}/").content.decode()
    assert "/urge/" in head_html and "/complete/" in head_html
    assert "/pause/" not in head_html  # 信访 handling cannot stop the clock
    leader_html = client_for(other_leader).get(f"/work/{item.pk}/").content.decode()
    assert "/extend/" in leader_html and "/complete/" not in leader_html


# --- Notifications -------------------------------------------------------------------------
def test_the_bell_counts_unread_notifications(client_for, clerk, petition_officer):
    client = client_for(petition_officer)
    assert _badge(client.get("/").content.decode(), "通知") is None
    item = _work(petition_officer)
    notify(recipients=[petition_officer], title="请办理", work_item=item, url=f"/work/{item.pk}/")
    notify(recipients=[petition_officer], title="催办", level="urge")
    notify(recipients=[clerk], title="别人的通知")
    assert _badge(client.get("/").content.decode(), "通知") == 2


def test_notifications_list_open_and_read_all(client_for, clerk, petition_officer):
    item = _work(petition_officer)
    older = notify(
        recipients=[petition_officer],
        title="新事项：请办理",
        url=f"/work/{item.pk}/",
        work_item=item,
        now=timezone.now() - dt.timedelta(hours=1),
    )[0]
    newer = notify(
        recipients=[petition_officer], title="催办：请抓紧", body="明天到期", level="urge"
    )[0]
    others = notify(recipients=[clerk], title="别人的通知")[0]
    client = client_for(petition_officer)

    html = client.get("/notifications/").content.decode()
    assert html.index("催办：请抓紧") < html.index("新事项：请办理")  # newest first
    assert "明天到期" in html and "别人的通知" not in html
    assert html.count('class="note note-urge unread"') == 1
    assert html.count('class="note note-info unread"') == 1
    assert html.count("· 未读") == 2

    # Opening one marks it read and goes to its link.
    response = client.post(f"/notifications/{older.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/work/{item.pk}/"
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.read_at is not None and newer.read_at is None
    assert _badge(client.get("/").content.decode(), "通知") == 1
    # Opening it again keeps the first reading time.
    first_read = older.read_at
    client.post(f"/notifications/{older.pk}/open/")
    older.refresh_from_db()
    assert older.read_at == first_read
    # Someone else's notification is not there; opening needs POST.
    assert client.post(f"/notifications/{others.pk}/open/").status_code == 404
    assert client.get(f"/notifications/{newer.pk}/open/").status_code == 405

    response = client.post("/notifications/read-all/", follow=True)
    assert [str(m) for m in response.context["messages"]] == ["全部通知已标为已读。"]
    assert not Notification.objects.filter(recipient=petition_officer, read_at__isnull=True)
    assert Notification.objects.get(pk=others.pk).read_at is None
    assert _badge(response.content.decode(), "通知") is None
    assert client.get("/notifications/read-all/").status_code == 405


def test_a_notification_without_a_link_opens_its_work_item(client_for, petition_officer):
    item = _work(petition_officer)
    note = notify(recipients=[petition_officer], title="新事项", work_item=item)[0]
    plain = notify(recipients=[petition_officer], title="系统通知")[0]
    client = client_for(petition_officer)
    assert client.post(f"/notifications/{note.pk}/open/")["Location"] == f"/work/{item.pk}/"
    assert client.post(f"/notifications/{plain.pk}/open/")["Location"] == "/notifications/"


def test_no_notifications(client_for, petition_officer):
    html = client_for(petition_officer).get("/notifications/").content.decode()
    assert "暂无通知。" in html and "全部标为已读" not in html


def test_notifications_page_by_fifty(client_for, petition_officer):
    for i in range(55):
        notify(recipients=[petition_officer], title=f"通知{i}")
    client = client_for(petition_officer)
    assert len(client.get("/notifications/").context["page"].object_list) == 50
    assert len(client.get("/notifications/?page=2").context["page"].object_list) == 5


# --- The monthly register ------------------------------------------------------------------
MARCH = dt.date(2025, 3, 1)


def _at(day: int, hour: int = 12, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, 0, tzinfo=SH)


def _march(assignee, due: dt.datetime, kind: str, *, done: dt.datetime | None = None, **kw):
    item = svc.workitem_open(
        title=f"{PREFIX}{kind}{due:%m%d%H}",
        kind=kind,
        action="handle",
        assignee=assignee,
        section=assignee.staff.section,
        actor=_secretary(),
        start=due - dt.timedelta(days=10),
        due_at=due,
        now=due - dt.timedelta(days=10),
        notify_people=False,
        **kw,
    )
    if done is not None:
        svc.workitem_complete(item=item, by=assignee, now=done)
    return item


@pytest.fixture
def march(clerk, other_section_staff, section_head):
    """综合科: 信访 1 on time, 1 late, 1 overdue; 公文 1 on time (due at the month's first
    instant). 街道办: 1 overdue 信访. Cancelled work and April's work do not count."""
    _march(clerk, _at(10), "petition", done=_at(9))
    _march(clerk, _at(15), "petition", done=_at(20))
    _march(clerk, _at(20), "petition")
    _march(clerk, dt.datetime(2025, 3, 1, 0, 0, tzinfo=SH), "document", done=_at(1, 0))
    _march(other_section_staff, _at(8), "petition")
    cancelled = _march(clerk, _at(12), "petition")
    svc.workitem_cancel(item=cancelled, by=section_head, reason="撤回")
    _march(clerk, dt.datetime(2025, 4, 1, 0, 0, tzinfo=SH), "petition")  # April
    _march(clerk, dt.datetime(2025, 2, 28, 23, 59, tzinfo=SH), "petition")  # February


def test_the_register_page(client_for, section_head, march):
    response = client_for(section_head).get("/register/?month=2025-03")
    assert response.status_code == 200
    rows = [
        (r.section, r.kind, r.due, r.on_time, r.late, r.overdue, r.open_not_due, r.rate)
        for r in response.context["rows"]
    ]
    assert rows == [
        ("综合科", "公文", 1, 1, 0, 0, 0, 100.0),
        ("综合科", "信访", 3, 1, 1, 1, 0, 33.3),
        ("街道办", "信访", 1, 0, 0, 1, 0, 0.0),
    ]
    total = response.context["total"]
    assert (total.due, total.on_time, total.late, total.overdue, total.rate) == (5, 2, 1, 2, 40.0)
    html = response.content.decode()
    assert "限时办结事项登记表 · 2025年3月" in html
    assert "33.3%" in html and "40.0%" in html and "合计" in html
    assert '<strong class="red">1</strong>' in html
    assert '?month=2025-02"' in html and '?month=2025-04"' in html
    assert "/register/export.xlsx?month=2025-03" in html


def test_the_register_counts_open_work_not_yet_due(client_for, section_head, clerk):
    _work(clerk, hours=None)
    far = dt.datetime(2099, 5, 10, 12, 0, tzinfo=SH)
    svc.workitem_open(
        title=f"{PREFIX}远期",
        kind="meeting",
        action="handle",
        assignee=clerk,
        section=clerk.staff.section,
        actor=_secretary(),
        due_at=far,
        notify_people=False,
    )
    rows = client_for(section_head).get("/register/?month=2099-05").context["rows"]
    assert [(r.section, r.kind, r.due, r.open_not_due, r.rate) for r in rows] == [
        ("综合科", "会议", 1, 1, None)
    ]
    html = client_for(section_head).get("/register/?month=2099-05").content.decode()
    assert "<td>—</td>" in html


def test_an_empty_month_and_a_bad_month_parameter(client_for, section_head):
    client = client_for(section_head)
    html = client.get("/register/?month=2001-01").content.decode()
    assert "本月没有到期事项。" in html
    today = timezone.localdate()
    for bad in ["2025-13", "abc", "1999-01", "2025-3"]:
        response = client.get(f"/register/?month={bad}")
        assert response.status_code == 200
        assert response.context["month"] == today.replace(day=1), bad


def test_only_people_who_chase_work_see_the_register(client_for, clerk, section_head):
    assert client_for(clerk).get("/register/").status_code == 403
    assert client_for(clerk).get("/register/export.xlsx").status_code == 403
    assert not AuditEntry.objects.filter(action="register.export").exists()
    assert 'href="/register/"' not in client_for(clerk).get("/").content.decode()
    assert 'href="/register/"' in client_for(section_head).get("/").content.decode()


def test_the_register_exports_to_excel_and_the_export_is_audited(client_for, section_head, march):
    from openpyxl import load_workbook

    response = client_for(section_head).get(
        "/register/export.xlsx?month=2025-03", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith("filename*=UTF-8''register-2025-03.xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert ws.title == "2025-03"
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    assert values[0][0] == "限时办结事项登记表（2025年03月）"
    assert values[1] == [
        "科室",
        "类别",
        "本月到期",
        "按时办结",
        "超时办结",
        "逾期未办结",
        "办理中（未到期）",
        "按期办结率（%）",
    ]
    assert values[2:] == [
        ["综合科", "公文", 1, 1, 0, 0, 0, 100],
        ["综合科", "信访", 3, 1, 1, 1, 0, 33.3],
        ["街道办", "信访", 1, 0, 0, 1, 0, 0],
        ["合计", None, 5, 2, 1, 2, 0, 40],
    ]
    entry = AuditEntry.objects.get(action="register.export")
    assert entry.actor == section_head
    assert (entry.object_type, entry.object_id) == ("office.register", "2025-03")
    assert entry.object_repr == "限时办结登记表 2025-03"
    assert entry.address == "10.1.2.3"
    # Each download is its own entry.
    client_for(section_head).get("/register/export.xlsx?month=2025-03")
    assert AuditEntry.objects.filter(action="register.export").count() == 2
