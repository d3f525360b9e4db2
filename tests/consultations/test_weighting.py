"""The raking engine on its own (no Django): a hand-worked example, trimming and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from cohesion.consultations.weighting import WeightingError, kish_design_effect, rake

# 100 people: men 30 young + 10 old, women 20 young + 40 old. Census: 50/50 men/women, 40/60 young/old.
SEX = ["M"] * 40 + ["F"] * 60
AGE = ["Y"] * 30 + ["O"] * 10 + ["Y"] * 20 + ["O"] * 40
MARGINS = {"sex": {"M": 50, "F": 50}, "age": {"Y": 40, "O": 60}}


def test_raking_matches_the_hand_worked_example() -> None:
    # By hand: raking keeps the sample's odds ratio (30*40)/(10*20) = 6 and meets both margins.
    # Cells a, 50-a, 40-a, 10+a with a(10+a) = 6(50-a)(40-a) give a^2 - 110a + 2400 = 0, a = 30:
    # men young 30 (weight 30/30 = 1), men old 20 (20/10 = 2), women young 10 (10/20 = 0.5),
    # women old 40 (40/40 = 1). Kish: n * sum(w^2) / (sum w)^2 = 100 * 115 / 100^2 = 1.15.
    result = rake(
        categories={"sex": SEX, "age": AGE}, margins=MARGINS, trim_low=None, trim_high=None
    )
    assert result.converged
    np.testing.assert_allclose(result.weights[[0, 35, 45, 90]], [1.0, 2.0, 0.5, 1.0], atol=1e-5)
    assert result.design_effect == pytest.approx(1.15, abs=1e-5)
    assert result.effective_n == pytest.approx(100 / 1.15, abs=1e-3)
    assert result.weighted_shares["sex"]["M"] == pytest.approx(0.5, abs=1e-6)
    assert result.weighted_shares["age"]["O"] == pytest.approx(0.6, abs=1e-6)


def test_one_margin_is_a_simple_ratio_and_shares_or_counts_both_work() -> None:
    result = rake(
        categories={"sex": SEX},
        margins={"sex": {"M": 0.5, "F": 0.5}},
        trim_low=None,
        trim_high=None,
    )
    np.testing.assert_allclose(result.weights[:40], 50 / 40)
    np.testing.assert_allclose(result.weights[40:], 50 / 60)


def test_a_margin_category_with_no_respondents_is_a_clear_error() -> None:
    with pytest.raises(WeightingError, match="No respondent is in “65 or over” for “age”"):
        rake(
            categories={"age": ["16 to 24", "25 to 34"]},
            margins={"age": {"16 to 24": 10, "25 to 34": 10, "65 or over": 5}},
        )


def test_people_who_did_not_say_keep_their_weight_for_that_margin() -> None:
    ages = ["Y", "Y", "O", None]
    result = rake(
        categories={"age": ages}, margins={"age": {"Y": 50, "O": 50}}, trim_low=None, trim_high=None
    )
    w = result.weights
    assert w[0] == pytest.approx(w[1])
    assert w[0] + w[1] == pytest.approx(w[2])  # the young and old who answered balance
    assert w[3] == pytest.approx(float(np.mean(w[:3])))  # the unknown person keeps the average


def test_trimming_keeps_weights_near_the_bounds() -> None:
    ages = ["Y"] + ["O"] * 99
    untrimmed = rake(
        categories={"age": ages}, margins={"age": {"Y": 50, "O": 50}}, trim_low=None, trim_high=None
    )
    trimmed = rake(
        categories={"age": ages}, margins={"age": {"Y": 50, "O": 50}}, trim_low=0.3, trim_high=3.0
    )
    assert untrimmed.weights.max() == pytest.approx(50.0)
    assert trimmed.weights.max() <= 3.0 * 1.05
    assert trimmed.trimmed >= 1
    assert trimmed.design_effect < untrimmed.design_effect
    assert trimmed.max_margin_error > 0.1  # the margin is no longer met exactly, and it says so


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"categories": {}, "margins": {}}, "at least one census margin"),
        ({"categories": {"a": []}, "margins": {"a": {"x": 1}}}, "no respondents"),
        ({"categories": {"a": ["x"]}, "margins": {"a": {"x": -1}}}, "0 or more"),
        (
            {
                "categories": {"a": ["x", "y"], "b": ["x"]},
                "margins": {"a": {"x": 1}, "b": {"x": 1}},
            },
            "one answer",
        ),
        ({"categories": {"a": [None, None]}, "margins": {"a": {"x": 1}}}, "No respondent answered"),
    ],
)
def test_bad_input_is_refused_with_a_message(kwargs: dict, message: str) -> None:
    with pytest.raises(WeightingError, match=message):
        rake(**kwargs)


def test_kish_design_effect_is_1_for_equal_weights() -> None:
    assert kish_design_effect([2.0, 2.0, 2.0]) == pytest.approx(1.0)
    assert kish_design_effect([1.0, 3.0]) == pytest.approx(2 * 10 / 16)
