"""Browser tests: real Chromium driven by Playwright against pytest-django's live server.

The browser is Debian's Chromium at /usr/bin/chromium (Playwright never downloads one). In CI
(CI=true) a missing Chromium or axe-core fails the run, so these tests can never be skipped
without anyone noticing; on a developer's machine they are skipped with a reason.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any

import pytest

# Playwright's sync API runs an asyncio event loop in the main thread, and Django refuses ORM calls
# from a thread with a running loop unless this is set. The ORM calls here are ordinary sync code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from tests.browser.support import AXE_PATH, CHROMIUM, CHROMIUM_ARGS, VIEWPORT  # noqa: E402

MISSING_CHROMIUM = "Chromium is not installed: run scripts/test as root or apt-get install chromium"
MISSING_AXE = "axe-core is not installed: run scripts/setup (npm ci) to get node_modules/axe-core"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives real Chromium with Playwright")


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (browser tests must run in CI, they are never skipped there)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session (all browser tests share one xdist worker)."""
    if not CHROMIUM.exists():
        _missing(MISSING_CHROMIUM)
    if not AXE_PATH.exists():
        _missing(MISSING_AXE)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def demo(transactional_db: None) -> None:
    """The Stoke-on-Trent demo (wards, strategy, 16 measures, figures and the four demo users)."""
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def context(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies) with JavaScript on and the real CSP in force."""
    ctx = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A page that records console errors, failed page scripts and CSP violations."""
    new_page = context.new_page()
    new_page.problems = []  # type: ignore[attr-defined]

    def on_console(message: Any) -> None:
        # A page's own 404 or 403 is tested on purpose; failed sub-resources are caught below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            new_page.problems.append(f"console error on {new_page.url}: {message.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            new_page.problems.append(f"{response.url} answered {response.status} on {new_page.url}")

    new_page.on("console", on_console)
    new_page.on("response", on_response)
    new_page.on("pageerror", lambda error: new_page.problems.append(f"script error on {new_page.url}: {error}"))
    return new_page
