"""A small harness for browser tests: real Chromium driven by Playwright's sync API.

Use it from a test module by importing the fixtures (pytest finds fixtures imported into
the module) and the helpers::

    from tests.browser import chromium_browser, page, login_as, screenshot  # noqa: F401

    @pytest.mark.browser
    def test_something(transactional_db, live_server, tree, personas, page):
        login_as(page, live_server, personas.street_clerk)
        screenshot(page, "home")

Browser downloads are impossible here, so Playwright drives the system Chromium
($CHROMIUM_PATH, else `chromium` on PATH). Without one the tests are skipped, except in
CI (CI=true), where that is a failure (see ``require_service``).

Playwright's sync API marks its asyncio loop as running in the main thread between calls
for as long as it is started, and Django then refuses database access from that thread
(SynchronousOnlyOperation). The browser fixture therefore sets DJANGO_ALLOW_ASYNC_UNSAFE
while Playwright runs and restores it when the browser closes at the end of the module.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import require_service

PASSWORD = "Test-pass-2026!"
SCREENSHOT_DIR = Path(__file__).resolve().parent.parent / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # the browser's own widgets (date boxes, file pickers) in Chinese too
]
# A clerk's browser: Simplified Chinese, Beijing time, a laptop-sized window.
CONTEXT_OPTIONS = dict(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900})
TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture(scope="module")
def chromium_browser():
    """One headless Chromium per test module, so the async-safety relaxation below ends with it."""
    executable = chromium_path()
    require_service("Chromium", bool(executable) and os.path.exists(executable or ""),
                    "set CHROMIUM_PATH or install the chromium package")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in the test requirements
        require_service("Playwright", False, str(exc))

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium_browser):
    """A fresh page in its own context (own cookies), closed after the test."""
    context = chromium_browser.new_context(**CONTEXT_OPTIONS)
    context.set_default_timeout(TIMEOUT_MS)
    p = context.new_page()
    try:
        yield p
    finally:
        context.close()


def url(live_server, path: str) -> str:
    return live_server.url.rstrip("/") + "/" + path.lstrip("/")


def login_as(page, live_server, user, password: str = PASSWORD):
    """Log in through the login form like a person; returns the page on the home page."""
    from playwright.sync_api import expect

    page.goto(url(live_server, "/login/"))
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/?$"))
    return page


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to var/screenshots/<name>.png for people to look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
