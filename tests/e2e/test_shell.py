"""The shell in a real browser: sign in through the form, Chinese navigation, our CSS applied,
no console errors or CSP violations, sign out."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e]

TOPBAR_RED = "rgb(179, 38, 30)"  # --red: #b3261e in static/css/site.css
NAVIGATION = ["待办", "公文", "信访", "会议", "督查"]
LOGIN_PATH = "/accounts/login/"


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto(LOGIN_PATH)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def topbar_colour(page: Page) -> str:
    return page.locator("header.topbar").evaluate("e => getComputedStyle(e).backgroundColor")


def test_leader_signs_in_to_a_chinese_shell(
    page, browser_log, live_server, e2e_office, artifacts_dir
):
    sign_in(page, "mayor", settings.DEMO_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("待办")
    nav = page.locator("nav.mainnav")
    for label in NAVIGATION:
        expect(nav.get_by_role("link", name=re.compile(rf"^{label}"))).to_be_visible()
    expect(nav.get_by_role("link", name=re.compile(r"^待办"))).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator(".whoami")).to_contain_text("王建华")
    expect(page.get_by_role("button", name="退出", exact=True)).to_be_visible()
    # The stylesheet really loaded and applied (whitenoise serves it from the finders).
    assert topbar_colour(page) == TOPBAR_RED

    page.screenshot(path=artifacts_dir / "leader-shell.png", full_page=True)
    assert browser_log.problems == []


def test_wrong_password_shows_the_chinese_error_and_stays_on_sign_in(
    page, browser_log, live_server, e2e_office
):
    sign_in(page, "mayor", "Not-The-Password-2026")

    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}{LOGIN_PATH}"))
    expect(page.get_by_label("密码", exact=True)).to_be_visible()
    expect(page.locator("nav.mainnav")).to_have_count(0)
    assert topbar_colour(page) == TOPBAR_RED
    assert browser_log.problems == []


def test_sign_out_returns_to_the_sign_in_page(page, browser_log, live_server, e2e_office):
    sign_in(page, "mayor", settings.DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")

    page.get_by_role("button", name="退出", exact=True).click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}{LOGIN_PATH}"))
    expect(page.get_by_label("用户名", exact=True)).to_be_visible()
    expect(page.locator("nav.mainnav")).to_have_count(0)
    # Really signed out: the inbox now sends the browser back to sign in.
    page.goto("/")
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}{LOGIN_PATH}\?next=/$"))
    assert browser_log.problems == []


def test_the_site_has_an_icon(page, live_server, e2e_office):
    page.goto(LOGIN_PATH)
    href = page.evaluate(
        "() => document.querySelector('link[rel~=\"icon\"]')?.href ?? `${location.origin}/favicon.ico`"
    )
    if not href.startswith("data:"):
        assert page.request.get(href).ok, f"{href} is not served"
