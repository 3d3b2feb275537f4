"""The inbox in a real browser: one person's work in all three lights, 特急 first, then by
deadline; the colours really rendered by our CSS, on a desktop and a tablet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from office.services import workitems as svc

from .test_shell import sign_in

pytestmark = [pytest.mark.e2e]

# The dots' colours in static/css/site.css (.light-*::before).
DOT = {
    "red": "rgb(209, 36, 47)",
    "yellow": "rgb(227, 179, 65)",
    "green": "rgb(45, 164, 78)",
}
LABEL = {"red": "已逾期", "yellow": "即将到期", "green": "正常"}
URGENCY = {"extra_urgent": "特急", "urgent": "加急", "normal": "平件"}

# title, urgency, hours until due (negative: overdue), expected light — in the expected order.
WORK = [
    ("关于春节期间安全生产工作的紧急通知（特急）", "extra_urgent", 72, "green"),
    ("和平街道居民反映供暖不热的信访事项办理", "urgent", -6, "red"),
    ("审核市政府常务会议纪要（第33次）", "urgent", 5, "yellow"),
    ("起草全市冬季安全生产工作要点", "normal", -48, "red"),
    ("答复市人大代表关于老旧小区改造的建议", "normal", 20, "yellow"),
    ("整理第四季度政务信息报送情况", "normal", 100, "green"),
]


def _give_work(username: str) -> None:
    """Open the work above for one person; the default reminder window is 24 h."""
    user = User.objects.get(username=username)
    secretary = User.objects.get(username="secretary")
    now = timezone.now()
    for title, urgency, hours, _light in WORK:
        svc.workitem_open(
            title=title,
            kind="petition" if "信访" in title else "document",
            action="handle",
            urgency=urgency,
            assignee=user,
            section=user.staff.section,
            actor=secretary,
            start=now - dt.timedelta(days=3),
            due_at=now + dt.timedelta(hours=hours),
            notify_people=False,
        )


def _dot_colour(page: Page, row) -> str:
    return row.locator(".light").evaluate("e => getComputedStyle(e, '::before').backgroundColor")


def _check_the_inbox(page: Page) -> None:
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(len(WORK))
    for i, (title, urgency, _hours, light) in enumerate(WORK):
        row = rows.nth(i)
        expect(row.get_by_role("link", name=title, exact=True)).to_be_visible()
        expect(row).to_have_class(f"row-{light}")
        dot = row.locator(f".light.light-{light}")
        expect(dot).to_be_visible()
        expect(dot).to_have_text(LABEL[light])
        assert _dot_colour(page, row) == DOT[light], (title, light)
        expect(row.locator("td").nth(1)).to_have_text(URGENCY[urgency])
        # The light cell, urgency and the title are all inside the window, not cut off.
        box = row.locator(".light").bounding_box()
        assert box is not None and box["width"] > 12 and box["x"] >= 0


@pytest.mark.parametrize(
    "size,name",
    [
        ({"width": 1440, "height": 900}, "inbox-three-lights.png"),
        ({"width": 1024, "height": 768}, "inbox-three-lights-tablet.png"),
    ],
)
def test_the_inbox_shows_three_lights_urgent_work_first(
    page, browser_log, live_server, e2e_office, artifacts_dir, size, name
):
    _give_work("petition_officer")
    page.set_viewport_size(size)
    sign_in(page, "petition_officer", settings.DEMO_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("待办")
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text("待办")
    expect(page.locator("nav.mainnav .badge")).to_have_text(str(len(WORK)))
    _check_the_inbox(page)
    # Nothing spills sideways at this width: the page does not scroll horizontally.
    overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the window"

    page.screenshot(path=artifacts_dir / name, full_page=True)
    assert browser_log.problems == []


def test_the_light_filter_in_the_browser(page, browser_log, live_server, e2e_office):
    _give_work("petition_officer")
    sign_in(page, "petition_officer", settings.DEMO_PASSWORD)
    page.get_by_label("红黄绿灯").select_option("red")
    page.get_by_role("button", name="筛选", exact=True).click()

    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("和平街道居民反映供暖不热的信访事项办理")
    expect(rows.nth(1)).to_contain_text("起草全市冬季安全生产工作要点")
    expect(page.locator("table.inbox .light-red")).to_have_count(2)
    expect(page.get_by_label("红黄绿灯")).to_have_value("red")
    assert browser_log.problems == []


def test_on_a_phone_the_table_scrolls_rather_than_squeezing_the_titles(
    page, browser_log, live_server, e2e_office, artifacts_dir
):
    _give_work("petition_officer")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "petition_officer", settings.DEMO_PASSWORD)

    _check_the_inbox(page)
    title = page.locator("table.inbox tbody tr").first.locator("td.work")
    assert title.bounding_box()["width"] >= 200  # 14em: a readable line, not two characters
    due = page.locator("table.inbox tbody tr").first.locator("td.when-due")
    lines = "e => { const r = document.createRange(); r.selectNodeContents(e); "
    lines += "return r.getClientRects().length; }"
    assert due.evaluate(lines) == 1  # date and time on one line
    # The page itself stays within the window; only the table's own box scrolls sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") <= 0
    assert page.locator(".table-wrap").evaluate("e => e.scrollWidth > e.clientWidth")

    page.screenshot(path=artifacts_dir / "inbox-three-lights-phone.png", full_page=True)
    assert browser_log.problems == []
