"""The officer's results: counts and % with 95% CIs, breakdowns with small counts hidden, weighting."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cohesion.consultations import selectors
from cohesion.consultations.models import Consultation
from cohesion.strategy.progress import wilson_interval
from tests.consultations.conftest import enter


def _fill(consultation: Consultation) -> None:
    """46 answers: the young (16 to 24) over-represented and more in favour than the old."""
    n = 0
    for ward, age, agree, count in [
        ("Ward A", "16 to 24", "Agree", 16),
        ("Ward A", "65 or over", "Disagree", 10),
        ("Ward B", "16 to 24", "Agree", 10),
        ("Ward B", "65 or over", "Disagree", 6),
        ("Ward C", "65 or over", "Agree", 2),
        ("Ward D", "16 to 24", "Disagree", 2),
    ]:
        for _ in range(count):
            n += 1
            enter(consultation, ref=f"R{n}", answers={1: agree, 5: ward, 6: age})


def test_counts_percentages_and_wilson_intervals(
    officer_client: Client, consultation: Consultation
) -> None:
    _fill(consultation)
    question = consultation.questions.get(order=1)
    res = selectors.question_results(question=question)
    assert res["answered"] == 46
    agree = next(r for r in res["rows"] if r["option"] == "Agree")
    low, high = wilson_interval(successes=28, n=46)
    assert agree["count"] == 28 and agree["pct"] == pytest.approx(100 * 28 / 46)
    assert (agree["low"], agree["high"]) == (pytest.approx(100 * low), pytest.approx(100 * high))
    page = officer_client.get(
        reverse("consultations_staff:analysis", kwargs={"slug": consultation.slug})
    ).content.decode()
    assert f"{100 * 28 / 46:.1f}% (" in page and f"{100 * low:.1f} to {100 * high:.1f}" in page


def test_ward_and_group_breakdowns_hide_small_counts(
    officer_client: Client, consultation: Consultation
) -> None:
    _fill(consultation)
    question = consultation.questions.get(order=1)
    by_ward = selectors.breakdown(question=question, by="ward")
    assert by_ward is not None
    cells = {
        row["label"]: dict(zip(by_ward["columns"], row["cells"], strict=True))
        for row in by_ward["rows"]
    }
    assert cells["Ward A"]["Agree"] == "16"
    assert cells["Ward C"]["Agree"] == "fewer than 5"  # 2 people
    assert cells["Ward D"]["Disagree"] == "fewer than 5"
    by_age = selectors.breakdown(question=question, by="age_band")
    assert by_age is not None and {r["label"] for r in by_age["rows"]} == {"16 to 24", "65 or over"}
    page = officer_client.get(
        reverse("consultations_staff:analysis", kwargs={"slug": consultation.slug})
    ).content.decode()
    assert "By ward" in page and "fewer than 5" in page


def test_weighting_to_census_margins_beside_the_unweighted_results(
    officer_client: Client, consultation: Consultation
) -> None:
    _fill(consultation)
    census = reverse("consultations_staff:census", kwargs={"slug": consultation.slug})
    margins = "age_band,16 to 24,5000\nage_band,65 or over,5000\n"
    assert (
        officer_client.post(census, {"margins": margins, "weight_by": ["age_band"]}).status_code
        == 302
    )
    question = consultation.questions.get(order=1)
    consultation.refresh_from_db()
    res = selectors.question_results(question=question)
    agree = next(r for r in res["rows"] if r["option"] == "Agree")
    # Young: 28 people, 26 agree; old: 18 people, 2 agree. Weighted 50/50: (26/28 + 2/18) / 2.
    assert agree["wpct"] == pytest.approx(100 * (26 / 28 + 2 / 18) / 2, abs=0.01)
    assert agree["pct"] == pytest.approx(100 * 28 / 46)
    # Each half of the city is worth 23 of the 46: weights 23/28 and 23/18; Kish by hand.
    w_young, w_old = 23 / 28, 23 / 18
    expected_deff = 46 * (28 * w_young**2 + 18 * w_old**2) / 46**2
    assert res["design_effect"] == pytest.approx(expected_deff, abs=1e-4)
    assert (
        agree["whigh"] - agree["wlow"] > agree["high"] - agree["low"]
    )  # weighting costs precision
    page = officer_client.get(
        reverse("consultations_staff:analysis", kwargs={"slug": consultation.slug})
    ).content.decode()
    assert (
        "Weighted per cent" in page
        and f"Design effect <strong>{expected_deff:.2f}</strong>" in page
    )
    assert "Share of the city (census)" in page


def test_a_census_group_with_nobody_in_it_gives_a_clear_message(
    officer_client: Client, consultation: Consultation
) -> None:
    _fill(consultation)
    census = reverse("consultations_staff:census", kwargs={"slug": consultation.slug})
    margins = "age_band,16 to 24,5000\nage_band,35 to 49,5000\nage_band,65 or over,5000\n"
    officer_client.post(census, {"margins": margins, "weight_by": ["age_band"]})
    page = officer_client.get(
        reverse("consultations_staff:analysis", kwargs={"slug": consultation.slug})
    ).content.decode()
    assert "The results are not weighted" in page and "No respondent is in “35 to 49”" in page


@pytest.mark.parametrize(
    ("margins", "weight_by", "message"),
    [
        ("age_band,16 to 24\n", ["age_band"], "Line 1: write the about-you question"),
        ("shoe_size,9,100\n", [], "is not an about-you question"),
        ("age_band,16 to 24,lots\n", [], "is not a number"),
        ("age_band,16 to 24,100\n", ["gender"], "no census figures for “gender”"),
    ],
)
def test_bad_census_figures_are_refused(
    officer_client: Client, consultation: Consultation, margins: str, weight_by: list, message: str
) -> None:
    page = officer_client.post(
        reverse("consultations_staff:census", kwargs={"slug": consultation.slug}),
        {"margins": margins, "weight_by": weight_by},
    )
    assert message in page.content.decode()
    consultation.refresh_from_db()
    assert consultation.census_margins == {}
