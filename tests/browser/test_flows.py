"""Real people's journeys through the forms, in Chromium, with JavaScript and the real CSP on."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import (
    VIEWPORT,
    axe_violations,
    error_summary_links,
    sign_in,
    submit,
    visit,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_officer_corrects_a_figure_and_the_public_status_updates(page: Any, demo: None) -> None:
    from cohesion.strategy.models import Measure, Observation

    measure = Measure.objects.get(slug="schools-trained")  # a city-wide count, at risk in the demo
    assert measure.status != "on_track"
    before = Observation.objects.filter(measure=measure).count()
    sign_in(page, "officer")
    visit(page, f"/staff/measures/{measure.pk}/figures/")

    page.get_by_label("Period").fill("2026-Q4")
    page.get_by_label("Value").fill("-3")
    submit(page, page.get_by_role("button", name="Save figure"))
    assert page.title().startswith("Error: ")
    assert error_summary_links(page) == ["A count or rate cannot be less than 0"]
    # GOV.UK Frontend focuses the summary when the page loads, and each link moves focus to its field.
    assert page.evaluate("() => document.activeElement.classList.contains('govuk-error-summary')")
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="A count or rate cannot be less than 0").click()
    assert page.evaluate("() => document.activeElement.id") == "id_value"
    error = page.locator("#div_id_value .govuk-error-message")
    assert " ".join(error.text_content().split()) == "Error: A count or rate cannot be less than 0"
    assert (
        error.get_attribute("id")
        in (page.get_attribute("#id_value", "aria-describedby") or "").split()
    )
    assert Observation.objects.filter(measure=measure).count() == before

    assert page.get_by_label("Period").input_value() == "2026-Q4"  # what was typed is kept
    page.get_by_label("Value").fill("80")
    submit(page, page.get_by_role("button", name="Save figure"))
    assert "The figure has been saved." in page.locator(".govuk-notification-banner").inner_text()
    newest = page.locator("table.govuk-table tbody tr").first
    assert newest.locator("td").nth(0).inner_text() == "2026 Q4"
    assert newest.locator("td").nth(2).inner_text() == "80"
    assert Observation.objects.filter(measure=measure).count() == before + 1

    visit(page, "/measures/schools-trained/")
    assert page.locator("main .app-status-tag").first.inner_text() == "On track"
    assert "80 schools" in page.locator(".app-status-reason").inner_text()
    assert page.locator("table.govuk-table tbody th", has_text="2026 Q4").count() == 1


def test_officer_uploads_a_csv_with_a_bad_header(page: Any, demo: None) -> None:
    from cohesion.strategy.models import Observation, ObservationImport

    before = Observation.objects.count()
    sign_in(page, "officer")
    visit(page, "/staff/imports/new/")
    bad = "measure,ward,when,value\nschools-trained,,2026-Q4,60\n"
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    submit(page, page.get_by_role("button", name="Upload and check"))
    assert page.url.endswith("/staff/imports/new/")
    [message] = error_summary_links(page)
    assert message.startswith(
        "The first row of the file is wrong: it has no column called “period”"
    )
    assert "we do not know the column “ward”, “when”" in message
    assert "measure,ward_code,period,value" in message
    assert page.locator("#div_id_file .govuk-error-message").is_visible()
    assert Observation.objects.count() == before
    assert not ObservationImport.objects.exists()


def test_job_page_follows_progress_without_reloading(page: Any, demo: None) -> None:
    """With JavaScript the job page asks for progress, says it politely, then shows the result."""
    from cohesion.core.models import Job, User
    from cohesion.strategy.models import ObservationImport

    officer = User.objects.get(username="officer")
    job = Job.objects.create(
        kind="observation_import",
        title="Import of figures.csv",
        started_by=officer,
        status=Job.Status.RUNNING,
        total=4,
    )
    record = ObservationImport.objects.create(
        uploaded_by=officer, filename="figures.csv", content="", job=job
    )
    sign_in(page, "officer")
    visit(page, f"/staff/jobs/{job.pk}/")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    live = page.locator('[aria-live="polite"]')
    assert "0% done" in live.inner_text()
    # The script does the checking, so the button is hidden (and out of the accessibility tree).
    assert page.get_by_role("button", name="Check progress").count() == 0

    Job.objects.filter(pk=job.pk).update(done=2, message="Checking rows")
    page.wait_for_function(
        "() => document.querySelector('[aria-live=polite]').textContent.includes('50% done')"
    )
    assert page.locator("#job-progress").get_attribute("value") == "50"
    assert "Checking rows" in live.inner_text()

    ObservationImport.objects.filter(pk=record.pk).update(rows_total=4, rows_saved=4)
    Job.objects.filter(pk=job.pk).update(done=4, status=Job.Status.DONE)
    page.wait_for_url(f"**/staff/imports/{record.pk}/")
    assert page.locator("h1").inner_text() == "Import of figures.csv"
    assert "4 rows saved" in page.inner_text("main")
    assert not page.problems, page.problems


def test_councillor_downloads_the_progress_report_pdf(page: Any, demo: None) -> None:
    sign_in(page, "councillor")
    submit(page, page.get_by_role("link", name="Reports", exact=True))
    assert page.locator("h1").inner_text() == "Progress reports"
    # The immediate task backend makes the PDF during the request (a few seconds, longer on a busy
    # machine); the job page then sends the browser straight on to the download.
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Make a PDF for cabinet").click(timeout=60_000)
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.startswith("progress-report-")
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    visit(page, "/reports/")
    assert page.get_by_role("link", name="Download PDF").count() == 1


def test_resident_downloads_a_measures_figures(page: Any, demo: None) -> None:
    from cohesion.strategy.models import Observation

    visit(page, "/measures/community-grants-awarded/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download all the figures (CSV)").click()
    download = info.value
    assert download.suggested_filename == "community-grants-awarded.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) == Observation.objects.filter(measure__slug="community-grants-awarded").count()
    ward_rows = [row for row in rows if row["area_code"]]
    assert ward_rows and {row["measure"] for row in rows} == {"community-grants-awarded"}
    # Small ward counts never reach a resident: each is a number of 5 or more, or hidden.
    hidden_labels = {"fewer than 5", "hidden to protect a small number"}
    hidden = [row for row in ward_rows if row["value"] in hidden_labels]
    assert hidden
    assert all(float(row["value"]) >= 5 for row in ward_rows if row["value"] not in hidden_labels)


def test_a_screenshot_that_is_too_big_is_refused_before_anything_is_sent(
    page: Any, demo: None
) -> None:
    """The server refuses a body over 5 MB before it reads the form, which would lose what was
    typed: the page refuses the file as soon as it is chosen, and the report can still be sent."""
    from cohesion.rumours.models import Sighting
    from tests.browser.support import axe_violations, screenshot

    before = Sighting.objects.count()
    sign_in(page, "officer")
    visit(page, "/staff/rumours/log/")
    words = "People are saying the community centre will close to pay for a new hotel"
    page.get_by_label("What is being said?").fill(words)
    page.get_by_label("Screenshot (optional)").set_input_files(
        files=[
            {"name": "big.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"0" * 6_000_000}
        ]
    )
    error = page.locator("#id_screenshot-size-error")
    assert error.is_visible()
    text = " ".join(error.text_content().split())
    assert text.startswith("Error: The file must be smaller than 5 MB (this one is 5.7 MB)")
    assert page.evaluate("() => document.getElementById('id_screenshot').files.length") == 0
    assert "id_screenshot-size-error" in (
        page.get_attribute("#id_screenshot", "aria-describedby") or ""
    )
    assert axe_violations(page, "screenshot too big") == []
    screenshot(page, "rumour-log-screenshot-too-big")
    assert page.get_by_label("What is being said?").input_value() == words  # nothing lost
    assert Sighting.objects.count() == before  # nothing was sent
    page.get_by_label("Word of mouth").check()
    submit(page, page.get_by_role("button", name="Send the report"))
    assert Sighting.objects.count() == before + 1
    assert not Sighting.objects.latest("pk").screenshot


def test_on_a_phone_a_wide_table_scrolls_in_its_own_box_not_the_whole_page(
    page: Any, demo: None
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    try:
        visit(page, "/how-we-are-doing/")
        page.wait_for_selector(".app-table-scroll[role=region]")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        box = page.get_by_role("region", name="All measures")
        assert box.get_attribute("tabindex") == "0"  # keyboard users can scroll it
        assert box.evaluate("(el) => el.scrollWidth > el.clientWidth")
        violations = axe_violations(page, "how we are doing, on a phone")
        assert not violations, violations
        # A long word with no spaces (the CSV header in a hint) wraps instead of widening the page.
        sign_in(page, "officer")
        visit(page, "/staff/imports/new/")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        visit(page, "/how-we-are-doing/")
        # On a wide screen the table fits, and its box is no longer a tab stop.
        page.set_viewport_size(VIEWPORT)
        page.wait_for_function("() => !document.querySelector('.app-table-scroll[tabindex]')")
        assert page.locator(".app-table-scroll[role=region]").count() == 0
    finally:
        page.set_viewport_size(VIEWPORT)


def test_the_desk_suggests_what_is_on_file_as_the_rumour_is_typed(page: Any, demo: None) -> None:
    """The log form's script asks for matches as the words are typed (in English or Polish) and
    lists them, best first, with their score, in a polite live region; a partner sees only
    published myth-busters, never the desk's claims."""
    from django.core.management import call_command
    from playwright.sync_api import expect

    call_command("load_demo_rumours", stdout=io.StringIO())
    sign_in(page, "officer")
    visit(page, "/staff/rumours/log/")
    words = page.get_by_label("What is being said?")
    region = page.locator("#rumour-suggestions")
    assert region.get_attribute("aria-live") == "polite"
    links = region.locator("ol li a")

    words.fill("Everyone says rents in Stoke went up because of all the migrants moving here")
    # The first search loads the two sentence models in the test server: allow for a slow machine.
    expect(links.first).to_be_visible(timeout=60_000)
    titles = links.all_inner_texts()
    assert "Migrants pushed up housing costs" in titles[:2], titles
    notes = region.locator("ol li span").all_inner_texts()
    assert all(
        re.fullmatch(
            r" \((claim, [a-z]+|published myth-buster); match \d+%, (strong|possible|weak)\)", n
        )
        for n in notes
    ), notes
    assert region.locator("h2").inner_text().startswith("Already on file:")
    assert axe_violations(page, "log form with suggestions") == []

    # The same rumour told in Polish finds the English claim.
    words.fill(
        "Na grupie piszą, że uchodźcy dostają mieszkania komunalne przed miejscowymi rodzinami"
    )
    expect(links.first).to_have_text("Refugees get council houses before local families")

    # Too few words to match: the list goes.
    words.fill("Heard that")
    expect(region.locator("li")).to_have_count(0)
    assert not page.problems, page.problems

    # A partner (the police) logs rumours too, but is shown published myth-busters only.
    page.context.clear_cookies()
    sign_in(page, "police")
    visit(page, "/staff/rumours/log/")
    page.get_by_label("What is being said?").fill(
        "Everyone says rents in Stoke went up because of all the migrants moving here"
    )
    expect(links.first).to_be_visible(timeout=60_000)
    notes = region.locator("ol li span").all_inner_texts()
    assert notes and all("published myth-buster" in n for n in notes), notes
    assert "Migrants pushed up housing costs" not in links.all_inner_texts()


def test_an_officer_adds_several_waiting_reports_to_a_claim_at_once(page: Any, demo: None) -> None:
    from django.core.management import call_command

    from cohesion.rumours.models import Claim, Sighting

    call_command("load_demo_rumours", stdout=io.StringIO())
    claim = Claim.objects.get(title="Refugees get council houses before local families")
    chosen = list(Sighting.objects.filter(state="waiting").order_by("pk")[:2])
    sign_in(page, "officer")
    visit(page, "/staff/rumours/")
    for report in chosen:
        page.get_by_label(f"Choose report {report.pk}:").check()
    page.get_by_label("The claim they repeat").select_option(str(claim.pk))
    submit(page, page.get_by_role("button", name="Add them to the claim"))
    banner = page.locator(".govuk-notification-banner")
    assert f"2 reports are now sightings of “{claim.title}”." in banner.inner_text()
    assert {Sighting.objects.get(pk=r.pk).claim_id for r in chosen} == {claim.pk}
    assert page.get_by_label(f"Choose report {chosen[0].pk}:").count() == 0
    assert axe_violations(page, "desk after a decision for two reports") == []
    assert not page.problems, page.problems


def test_in_a_surge_an_officer_takes_one_group_of_reports_at_once(page: Any, demo: None) -> None:
    """The desk groups the waiting reports by the claim they match best; the officer opens one
    group, ticks every report on the page with one box and adds them all to that claim."""
    from django.core.management import call_command

    from cohesion.rumours.models import Claim, Sighting

    call_command("load_demo_rumours", stdout=io.StringIO())
    claim = Claim.objects.get(title="Another riot planned in Hanley this weekend")
    group = set(
        Sighting.objects.filter(state="waiting", suggested_claim=claim).values_list("pk", flat=True)
    )
    assert len(group) >= 4
    sign_in(page, "officer")
    visit(page, "/staff/rumours/")
    assert axe_violations(page, "desk with its groups of waiting reports") == []
    row = page.locator("tr", has_text=claim.title).first
    assert row.locator("td").nth(1).inner_text() == str(len(group))
    submit(
        page, page.get_by_role("link", name=f"Show them the reports that match “{claim.title}”")
    )
    boxes = page.locator("tbody input[name=reports]")
    assert {int(v) for v in boxes.evaluate_all("els => els.map(e => e.value)")} == group
    assert page.get_by_label("The claim they repeat").input_value() == str(claim.pk)
    page.get_by_label("Choose all the reports on this page").check()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    submit(page, page.get_by_role("button", name="Add them to the claim"))
    banner = page.locator(".govuk-notification-banner")
    assert f"{len(group)} reports are now sightings of “{claim.title}”." in banner.inner_text()
    assert (
        set(Sighting.objects.filter(claim=claim, pk__in=group).values_list("pk", flat=True))
        == group
    )
    # Back on the same filtered list, now empty.
    assert f"best={claim.pk}" in page.url
    assert "No waiting reports match these filters." in page.locator("main").inner_text()
    assert axe_violations(page, "desk filtered to one group, after the decision") == []
    assert not page.problems, page.problems
