"""Every page each audience can see, checked with axe-core (WCAG 2.0-2.2, levels A and AA).

One test per audience: the demo is loaded once, every page is visited and checked, and all the
violations are reported together at the end (rule, impact, what to do, and the failing nodes).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.support import (
    VIEWPORT,
    axe_violations,
    error_summary_links,
    screenshot,
    sign_in,
    submit,
    visit,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CSV_ONE_GOOD_ONE_BAD = (
    "measure,ward_code,period,value,numerator,denominator,sample_size,note\n"
    "schools-trained,,2026-Q4,60,,,,good row\n"
    "schools-trained,,2026-Q4,abc,,,,bad row\n"
)

# Full-page screenshots for people to look at, taken when COHESION_SCREENSHOTS=1.
SCREENSHOTS = {
    "/": "home",
    "/how-we-are-doing/": "how-we-are-doing",
    "/measures/hate-crimes-per-1000/": "measure-hate-crimes-per-1000",
}


def report(violations: list[str], problems: list[str]) -> str:
    return "\n".join([f"{len(violations)} accessibility violation(s):", *violations, *problems])


def test_public_pages(page: Any, demo: None) -> None:
    from cohesion.strategy.models import Measure, Priority

    priorities = list(Priority.objects.order_by("number").values_list("slug", flat=True))
    measures = list(Measure.objects.published().order_by("slug").values_list("slug", flat=True))
    assert len(measures) == 17
    pages = [
        ("home", "/", 200),
        *((f"priority {slug}", f"/priorities/{slug}/", 200) for slug in priorities),
        ("how we are doing", "/how-we-are-doing/", 200),
        ("how we are doing, on track", "/how-we-are-doing/?status=on_track", 200),
        *((f"measure {slug}", f"/measures/{slug}/", 200) for slug in measures),
        ("sign in", "/accounts/sign-in/", 200),
        ("API for partners", "/api/docs", 200),
        ("not found", "/no-such-page/", 404),
    ]
    violations: list[str] = []
    for label, path, status in pages:
        visit(page, path, status=status)
        if path in SCREENSHOTS:
            screenshot(page, SCREENSHOTS[path])
        violations += axe_violations(page, label)
    assert not violations and not page.problems, report(violations, page.problems)


def test_staff_pages_as_admin(page: Any, demo: None) -> None:
    from cohesion.core.jobs import job_create
    from cohesion.core.models import User
    from cohesion.strategy.models import Measure, Priority

    city = Measure.objects.get(slug="schools-trained")
    ward = Measure.objects.get(slug="hate-crimes-per-1000")
    priority = Priority.objects.order_by("number").first()
    assert priority is not None
    violations: list[str] = []

    sign_in(page, "admin")
    violations += axe_violations(page, "dashboard")
    pages = [
        ("change strategy", "/staff/strategy/"),
        ("priorities", "/staff/priorities/"),
        ("add priority", "/staff/priorities/add/"),
        ("change priority", f"/staff/priorities/{priority.pk}/"),
        ("measures", "/staff/measures/"),
        ("add measure", "/staff/measures/add/"),
        ("change measure", f"/staff/measures/{city.pk}/"),
        ("figures of a city measure", f"/staff/measures/{city.pk}/figures/"),
        ("figures of a ward measure", f"/staff/measures/{ward.pk}/figures/"),
        ("import", "/staff/imports/new/"),
    ]
    for label, path in pages:
        visit(page, path)
        if label == "figures of a ward measure":
            screenshot(page, "staff-figures")
        violations += axe_violations(page, label)

    # Upload a CSV through the form: the import runs at once, and the job page sends us on to
    # the result with the saved row and the rejected one.
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "figures.csv", "mimeType": "text/csv",
                "buffer": CSV_ONE_GOOD_ONE_BAD.encode()}]
    )
    submit(page, page.get_by_role("button", name="Upload and check"))
    page.wait_for_url(re.compile(r"/staff/imports/\d+/$"))
    assert "1 row saved" in page.inner_text("main")
    screenshot(page, "import-result")
    violations += axe_violations(page, "import result")

    admin = User.objects.get(username="admin")
    job = job_create(kind="progress_report", title="Progress report (PDF)", started_by=admin, total=3)
    more = [
        ("audit log", "/staff/audit/"),
        ("API tokens", "/staff/api-tokens/"),
        ("reports", "/reports/"),
        ("progress report", "/reports/progress/"),
        ("job still running", f"/staff/jobs/{job.pk}/"),
    ]
    for label, path in more:
        visit(page, path)
        violations += axe_violations(page, label)
    assert not violations and not page.problems, report(violations, page.problems)


def test_forms_showing_errors(page: Any, demo: None) -> None:
    """The GOV.UK error summary, after each form is sent empty (or with a wrong password)."""
    from cohesion.strategy.models import Measure

    city = Measure.objects.get(slug="schools-trained")
    violations: list[str] = []

    visit(page, "/accounts/sign-in/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("not-the-password")
    submit(page, page.get_by_role("button", name="Sign in"))
    assert error_summary_links(page) == [
        "Enter a correct username and password. Both are case-sensitive."
    ]
    assert page.title().startswith("Error: ")
    violations += axe_violations(page, "sign in with a wrong password")

    sign_in(page, "admin")
    forms = [
        ("add priority", "/staff/priorities/add/", "Save", "Enter a title"),
        ("add measure", "/staff/measures/add/", "Save", "Enter a title"),
        ("add figure", f"/staff/measures/{city.pk}/figures/", "Save figure",
         "Enter the period the figure is for"),
        ("import with no file", "/staff/imports/new/", "Upload and check", "Choose a CSV file to upload"),
    ]
    for label, path, button, expected in forms:
        visit(page, path)
        submit(page, page.get_by_role("button", name=button, exact=True))
        assert expected in error_summary_links(page), f"{label}: {error_summary_links(page)}"
        assert page.title().startswith("Error: "), f"{label}: the title does not start with 'Error: '"
        violations += axe_violations(page, f"{label}, sent empty")
    assert not violations and not page.problems, report(violations, page.problems)


def test_axe_reports_a_known_violation(page: Any, transactional_db: None) -> None:
    """Guard against a silent axe: a page with an image without alt text must fail."""
    visit(page, "/accounts/sign-in/")
    page.evaluate(
        "() => document.querySelector('main').append("
        "Object.assign(document.createElement('img'), {src: '/static/images/favicon.svg'}))"
    )
    found = axe_violations(page, "sign in with a broken image")
    assert any(": image-alt (critical)" in line and "nodes: img" in line for line in found), found


def test_pages_work_without_javascript(browser: Any, live_server: Any, demo: None) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=VIEWPORT)
    try:
        page = context.new_page()
        visit(page, "/")
        assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
        assert page.locator("h1").inner_text() == "Community Cohesion Strategy 2026-30"
        assert page.locator(".app-priority-list__item").count() == 10
        visit(page, "/measures/hate-crimes-per-1000/")
        chart = page.locator("svg.app-chart__svg")
        assert chart.count() == 1 and chart.is_visible()
        assert page.locator("svg.ward-map__svg path.ward-map__ward").count() == 37
        # The ward table under the map (the map's own copy is inside a closed <details>).
        ward_table = page.get_by_role(
            "table", name=re.compile(r"^Police-recorded hate crimes per 1,000 residents by ward")
        )
        assert ward_table.is_visible()
        assert ward_table.locator("tbody tr").count() == 37
        # <details> opens without JavaScript too.
        page.get_by_text("Show the figures for each ward").click()
        assert page.locator(".ward-map__table").is_visible()

        sign_in(page, "officer")
        assert page.locator("h1").inner_text() == "Staff pages"

        # A job page never reloads itself; without JavaScript people check with a button.
        from cohesion.core.jobs import job_create
        from cohesion.core.models import User

        officer = User.objects.get(username="officer")
        job = job_create(kind="progress_report", title="Progress report (PDF)", started_by=officer)
        visit(page, f"/staff/jobs/{job.pk}/")
        assert page.locator('meta[http-equiv="refresh"]').count() == 0
        assert page.get_by_role("button", name="Check progress").is_visible()
    finally:
        context.close()
