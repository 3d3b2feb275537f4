"""Real-Chromium fixtures: Debian's Chromium driven by Playwright against pytest-django's
live_server.

Playwright cannot download its own browsers here, so the session launches /usr/bin/chromium
(installed by `bin/setup --browser`). Without it the tests are skipped with a reason, except on CI
(`CI` set), where a missing browser is a failure: the browser tests must run there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

# Playwright's sync API keeps an asyncio loop running in the test thread; Django's ORM would
# otherwise refuse every query made after the browser has started (SynchronousOnlyOperation).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--lang=zh-CN",  # date inputs in Chinese order, as on the office's machines
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "e2e"
TIMEOUT_MS = 10_000

# Reports every Content-Security-Policy violation of every document to Python as it happens.
# Added through CDP, so the page's own CSP does not apply to it.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__zbReportCsp(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || document.location.href}:${e.lineNumber}`);
});
"""


@dataclass
class BrowserLog:
    """What the page complained about: console errors, uncaught exceptions, CSP violations."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.console_errors + self.page_errors + self.csp_violations


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install it with `bin/setup --browser` (as root)"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run on CI, but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(browser, live_server, browser_log):
    """A fresh context per test: Chinese locale, Beijing time, a tablet-sized window."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1024, "height": 768},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.expose_function(
        "__zbReportCsp", lambda report: browser_log.csp_violations.append(report)
    )
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            browser_log.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: browser_log.page_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def e2e_office(transactional_db):
    """The demo office for browser tests. live_server needs transactional_db, whose flush
    between tests also removes the migration's role groups: seed_demo recreates them."""
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
