"""Browser tests: real Chromium driven by Playwright against pytest-django's live server.

The browser is Debian's Chromium at /usr/bin/chromium (Playwright never downloads one). In CI
(CI=true) a missing Chromium or axe-core fails the run, so these tests can never be skipped
without anyone noticing; on a developer's machine they are skipped with a reason.

One Chromium serves the whole session. It is started by the first browser test and stopped as
soon as the last one in a row has finished (see pytest_runtest_teardown below), because while
Playwright's sync API is running it keeps an asyncio event loop marked as running in the main
thread. Django then refuses ORM calls unless DJANGO_ALLOW_ASYNC_UNSAFE is set, so that variable
is set exactly while Chromium is running: other tests on the same xdist worker never see it (a
subprocess that inherited it would fail `manage.py check --deploy`, for example).
"""

from __future__ import annotations

import io
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import AXE_PATH, CHROMIUM, CHROMIUM_ARGS, VIEWPORT

MISSING_CHROMIUM = "Chromium is not installed: run scripts/test as root or apt-get install chromium"
MISSING_AXE = "axe-core is not installed: run scripts/setup (npm ci) to get node_modules/axe-core"
HERE = Path(__file__).resolve().parent
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives real Chromium with Playwright")


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{reason} (browser tests must run in CI, they are never skipped there)", pytrace=False)
    pytest.skip(reason)


class Chromium:
    """Playwright's Chromium, started on first use; behaves like a playwright Browser."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None
        self._env_before: str | None = None

    def live(self) -> Any:
        if self._browser is None:
            if not CHROMIUM.exists():
                _missing(MISSING_CHROMIUM)
            if not AXE_PATH.exists():
                _missing(MISSING_AXE)
            from playwright.sync_api import sync_playwright

            self._env_before = os.environ.get(ASYNC_UNSAFE)
            # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
            # tests while it runs are ordinary synchronous code.
            os.environ[ASYNC_UNSAFE] = "true"
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        return self._browser

    def stop(self) -> None:
        if self._playwright is None:
            return
        try:
            if self._browser is not None:
                self._browser.close()
            self._playwright.stop()
        finally:
            self._browser = self._playwright = None
            if self._env_before is None:
                os.environ.pop(ASYNC_UNSAFE, None)
            else:
                os.environ[ASYNC_UNSAFE] = self._env_before

    def __getattr__(self, name: str) -> Any:  # new_context, new_page, version ...
        return getattr(self.live(), name)


_CHROMIUM = Chromium()


@pytest.fixture(scope="session")
def browser() -> Iterator[Chromium]:
    """The session's headless Chromium (all browser tests share one xdist worker)."""
    _CHROMIUM.live()
    yield _CHROMIUM
    _CHROMIUM.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    """Stop Chromium once the next test is not a browser test (after this test's own teardown)."""
    yield
    if nextitem is None or not Path(nextitem.path).resolve().is_relative_to(HERE):
        _CHROMIUM.stop()


@pytest.fixture
def demo(transactional_db: None) -> None:
    """The Stoke-on-Trent demo (wards, strategy, 17 measures, figures and the four demo users).

    The test server runs in this process, so the rumour desk's claim index (one per process)
    and the cache (rate-limit counts) would carry over from an earlier test's database: each
    test starts without them, as a freshly started server does."""
    from django.core.cache import cache
    from django.core.management import call_command

    from cohesion.rumours import matching

    matching.index_reset()
    cache.clear()
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def context(browser: Chromium, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies) with JavaScript on and the real CSP in force."""
    ctx = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A page that records console errors, failed sub-resources and script errors.

    CSP violations show up as console errors, so they are caught here too.
    """
    new_page = context.new_page()
    new_page.problems = []

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
