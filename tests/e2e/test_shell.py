"""The shell in a real browser: sign in through the form, Chinese navigation, our CSS applied,
no console errors or CSP violations, sign out."""

from __future__ import annotations

import re
import subprocess

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


def test_leader_enrols_an_authenticator_and_signs_in_with_the_code(
    page, browser_log, live_server, e2e_office, artifacts_dir, settings
):
    """S-04 in the browser: the password step, the QR code to scan, the code, the inbox."""
    from django.contrib.auth.models import User

    from office import totp
    from office.models import SecondFactor

    settings.TOTP_REQUIRED = True
    sign_in(page, "mayor", settings.DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/accounts/verify/")
    expect(page.get_by_role("heading", level=1)).to_have_text("设置身份验证器")
    qr = page.get_by_role("img", name="供身份验证器应用扫描的二维码")
    expect(qr).to_be_visible()
    qr.screenshot(path=artifacts_dir / "totp-qr.png")
    page.screenshot(path=artifacts_dir / "totp-enrol.png", full_page=True)

    # What the phone app would compute from the key it scanned.
    factor = SecondFactor.objects.get(user=User.objects.get(username="mayor"))
    secret = totp.unseal(factor.secret)
    # The QR code as drawn in the browser decodes to the key's otpauth:// URI (bin/setup
    # installs zbarimg with the browser).
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(artifacts_dir / "totp-qr.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert decoded == totp.provisioning_uri(secret, account="mayor", issuer="政办")
    page.get_by_label("动态口令", exact=True).fill("000000")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("动态口令错误或已使用")
    page.get_by_label("动态口令", exact=True).fill(totp.hotp(secret, totp.step_at()))
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".whoami")).to_contain_text("王建华")
    assert browser_log.problems == []
