"""Helpers for the browser tests: axe-core checks, signing in, forms and screenshots."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "demo-password-only"
SHOTS_DIR = Path("/tmp/cohesion-shots")  # noqa: S108 - outside the repository on purpose

# WCAG 2.0, 2.1 and 2.2 at levels A and AA; best-practice rules are not run.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}

AXE_RUN = """async (options) => {
  const results = await window.axe.run(document, options);
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((node) => node.target.join(' ')),
  }));
}"""


@cache
def axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page: Any, label: str, *, open_details: bool = True) -> list[str]:
    """Run axe-core on the page as it is now; return one line per violation.

    axe is defined with page.evaluate (the DevTools protocol is not subject to the page's
    Content Security Policy), so the real CSP stays on. Closed <details> are opened first so
    that the content behind them (the ward map's table, for example) is checked too.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    if open_details:
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    found = page.evaluate(AXE_RUN, AXE_OPTIONS)
    return [
        f"{label} [{page.url}]: {v['id']} ({v['impact']}): {v['help']}; nodes: {', '.join(v['targets'][:8])}"
        + (f" (+{len(v['targets']) - 8} more)" if len(v["targets"]) > 8 else "")
        for v in found
    ]


def visit(page: Any, path: str, *, status: int = 200) -> Any:
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    return response


def submit(page: Any, target: Any) -> None:
    """Click a button or link that loads a new page, and wait until that page has loaded.

    Playwright's click does not wait for the navigation it starts, and wait_for_load_state()
    returns at once while the old page is still shown; a check made then reads the old page
    (a form sent to its own address looks unchanged). target is a locator or a selector.
    """
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()


def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form, as a person would."""
    visit(page, "/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    submit(page, page.get_by_role("button", name="Sign in"))
    assert "/accounts/sign-in/" not in page.url, f"signing in as {username} failed: {page.url}"


def error_summary_links(page: Any) -> list[str]:
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1, f"no error summary on {page.url}"
    return summary.locator("a").all_inner_texts()


def screenshot(page: Any, name: str) -> None:
    """Save a full-page screenshot when COHESION_SCREENSHOTS=1 (for people to look at)."""
    if os.environ.get("COHESION_SCREENSHOTS") != "1":
        return
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS_DIR / f"{name}.png"), full_page=True)
