"""Tensions, consultations and rumours pages with their demo data, checked with axe-core in real
Chromium: each audience starts from the capability's front page and follows every link it is
offered inside the capability (a crawl, so a new page is checked as soon as something links to
it), then sends the main forms empty to check the GOV.UK error summary too.
"""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest

from tests.browser.support import (
    axe_violations,
    error_summary_links,
    sign_in,
    submit,
    visit,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Files, not pages: downloads are checked by the capability's own tests.
NOT_PAGES = re.compile(
    r"(\.csv|\.json|\.pdf|\.ics|/pdf/|/screenshot/|/documents/\d+/|/report\.pdf)$|/(tell-us/thank-you)/$"
)
MAX_PAGES = 45


@pytest.fixture
def capability_demos(demo: None) -> None:
    from django.core.management import call_command

    from cohesion.rumours import matching

    for command in ["load_demo_tensions", "load_demo_rumours", "load_demo_consultations"]:
        call_command(command, stdout=io.StringIO())
    # Load the sentence models and build the claim index now, as a running server already has,
    # so that the first report page is not timed against loading them on a busy machine.
    matching.suggestions(text="People say the mosque is closing")


def crawl(page: Any, start: str, prefixes: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Visit start and every page linked from it (and so on) whose path begins with a prefix."""
    seen: set[str] = set()
    queue = [start]
    violations: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        visit(page, path)
        violations += axe_violations(page, path)
        hrefs = page.eval_on_selector_all(
            "main a[href]", "els => els.map((a) => a.getAttribute('href'))"
        )
        for href in hrefs:
            target = urldefrag(href)[0]
            parsed = urlparse(target)
            if parsed.scheme or parsed.netloc or not parsed.path.startswith(prefixes):
                continue
            link = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if not NOT_PAGES.search(parsed.path) and link not in seen:
                queue.append(link)
    return sorted(seen), violations


def test_public_pages_then_a_partner(page: Any, capability_demos: None) -> None:
    visited, violations = crawl(page, "/consultations/", ("/consultations/",))
    more, more_violations = crawl(page, "/myth-busters/", ("/myth-busters/",))
    visited += more
    violations += more_violations
    assert any("/results/" in path for path in visited), visited
    assert len(more) >= 3, more
    # The public rumour form, sent empty, shows the error summary.
    visit(page, "/myth-busters/tell-us/")
    violations += axe_violations(page, "tell us a rumour")
    # A partner (the police) sees the tension pages their role allows, and the report form.
    sign_in(page, "police")
    visited, found = crawl(page, "/staff/tensions/", ("/staff/tensions/",))
    assert "/staff/tensions/reports/new/" in visited
    violations += found
    assert not violations and not page.problems, "\n".join([*violations, *page.problems])


STAFF_AREAS = [
    ("/staff/tensions/", ["/staff/tensions/reports/new/", "/staff/tensions/levels/set/"]),
    ("/staff/rumours/", ["/staff/rumours/log/", "/staff/rumours/"]),
    ("/staff/consultations/", ["/staff/consultations/new/"]),
]


def test_staff_pages(page: Any, capability_demos: None) -> None:
    """An officer's pages in each capability (one demo load for all three, to keep the suite quick)."""
    sign_in(page, "officer")
    violations: list[str] = []
    for start, forms in STAFF_AREAS:
        visited, found = crawl(page, start, (start,))
        assert len(visited) >= 5, visited
        violations += found
        for path in forms:
            visit(page, path)
            submit(page, "main form [type=submit] >> nth=-1")
            assert page.locator(".govuk-error-summary").count() == 1, (
                f"no error summary after sending {path} empty"
            )
            violations += axe_violations(page, f"{path} with errors")
    # An officer corrects the language of the demo's Polish report: sent with none chosen first.
    from cohesion.rumours.models import Sighting

    polish = Sighting.objects.filter(language="pl").first()
    assert polish is not None, "the demo has a report in Polish"
    path = f"/staff/rumours/reports/{polish.pk}/language/"
    visit(page, path)
    violations += axe_violations(page, path)
    page.get_by_label("Which language are the words in?").select_option("")
    submit(page, page.get_by_role("button", name="Save the language"))
    assert error_summary_links(page) == ["Choose the language the words are in"]
    violations += axe_violations(page, f"{path} with errors")
    # The demo's forwarded screenshot: its report lists the earlier report with the same picture.
    forwarded = Sighting.objects.filter(state="waiting").exclude(picture_hash="").get()
    visit(page, f"/staff/rumours/reports/{forwarded.pk}/")
    same = page.get_by_role("table", name="Reports with the same picture")
    assert same.locator("tbody tr").count() == 1
    assert "The same picture came with report" in page.locator("main form").first.inner_text()
    violations += axe_violations(page, "a report with the same picture as another")
    assert not violations and not page.problems, "\n".join([*violations, *page.problems])
