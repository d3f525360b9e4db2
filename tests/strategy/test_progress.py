"""Tests for the progress engine (pure Python, no database)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohesion.strategy.progress import (
    Assessment,
    Direction,
    Interval,
    Kind,
    MeasureSpec,
    Point,
    Status,
    assess_progress,
    format_value,
    point_interval,
    poisson_interval,
    trajectory_value,
    wilson_interval,
)

BASELINE = date(2024, 3, 31)
TARGET = date(2030, 3, 31)
TODAY = date(2027, 6, 1)


def belonging(**overrides: object) -> MeasureSpec:
    """% of residents who feel they belong: 30% -> 50%, higher is better."""
    fields: dict[str, object] = {
        "kind": Kind.PERCENTAGE,
        "direction": Direction.INCREASE,
        "baseline_value": 30.0,
        "baseline_date": BASELINE,
        "target_value": 50.0,
        "target_date": TARGET,
        "unit": "%",
    }
    fields.update(overrides)
    return MeasureSpec(**fields)  # type: ignore[arg-type]


def hate_crime(**overrides: object) -> MeasureSpec:
    """Hate crimes per 1,000 residents: 2.0 -> 1.4, lower is better."""
    fields: dict[str, object] = {
        "kind": Kind.RATE,
        "direction": Direction.DECREASE,
        "baseline_value": 2.0,
        "baseline_date": BASELINE,
        "target_value": 1.4,
        "target_date": TARGET,
        "rate_per": 1000.0,
        "unit": "per 1,000 residents",
    }
    fields.update(overrides)
    return MeasureSpec(**fields)  # type: ignore[arg-type]


def survey(year: int, pct: float, n: int = 1000) -> Point:
    return Point(period_end=date(year, 3, 31), value=pct, sample_size=n)


def crimes(year: int, count: float, population: float = 200_000) -> Point:
    return Point(
        period_end=date(year, 3, 31),
        value=count / population * 1000,
        numerator=count,
        denominator=population,
    )


def assess(spec: MeasureSpec, points: list[Point], today: date = TODAY) -> Assessment:
    return assess_progress(spec=spec, points=points, today=today)


def is_one_sentence(reason: str) -> bool:
    return (
        reason[:1].isupper()
        and reason.endswith(".")
        and ". " not in reason
        and "nan" not in reason.lower()
    )


# --------------------------------------------------------------------------- #
# Intervals
# --------------------------------------------------------------------------- #


class TestWilson:
    def test_36_of_100(self) -> None:
        # Worked by hand: z = 1.959964, centre = (0.36 + z^2/200) / (1 + z^2/100)
        # = 0.365179, half-width = 0.092466.
        low, high = wilson_interval(successes=36, n=100)
        assert low == pytest.approx(0.27271, abs=1e-5)
        assert high == pytest.approx(0.45765, abs=1e-5)

    @pytest.mark.parametrize(
        ("successes", "n", "low", "high"),
        [
            # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3.
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
            (29, 29, 0.8830, 1.0),
        ],
    )
    def test_published_values(self, successes: int, n: int, low: float, high: float) -> None:
        got = wilson_interval(successes=successes, n=n)
        assert got == pytest.approx((low, high), abs=1e-4)

    def test_matches_formula_at_other_confidence(self) -> None:
        z = 2.5758293035489  # 99%
        p, n = 0.36, 100
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        got = wilson_interval(successes=36, n=100, confidence=0.99)
        assert got == pytest.approx((centre - half, centre + half), abs=1e-9)

    def test_ends_are_exact(self) -> None:
        assert wilson_interval(successes=0, n=50)[0] == 0.0
        assert wilson_interval(successes=50, n=50)[1] == 1.0

    @pytest.mark.parametrize(
        ("successes", "n"), [(1, 0), (-1, 10), (11, 10), (math.nan, 10), (1, math.inf)]
    )
    def test_rejects_bad_input(self, successes: float, n: float) -> None:
        with pytest.raises(ValueError):
            wilson_interval(successes=successes, n=n)

    @pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1])
    def test_rejects_bad_confidence(self, confidence: float) -> None:
        with pytest.raises(ValueError):
            wilson_interval(successes=1, n=10, confidence=confidence)

    @given(
        n=st.integers(min_value=1, max_value=10**6),
        fraction=st.floats(min_value=0, max_value=1),
        confidence=st.floats(min_value=0.5, max_value=0.999),
    )
    def test_contains_estimate_and_stays_in_range(
        self, n: int, fraction: float, confidence: float
    ) -> None:
        successes = fraction * n
        low, high = wilson_interval(successes=successes, n=n, confidence=confidence)
        assert 0.0 <= low <= successes / n <= high <= 1.0

    def test_wider_with_more_confidence_and_narrower_with_more_people(self) -> None:
        def width(lo_hi: tuple[float, float]) -> float:
            return lo_hi[1] - lo_hi[0]

        assert width(wilson_interval(successes=36, n=100, confidence=0.99)) > width(
            wilson_interval(successes=36, n=100)
        )
        assert width(wilson_interval(successes=360, n=1000)) < width(
            wilson_interval(successes=36, n=100)
        )


class TestGarwood:
    def test_zero(self) -> None:
        low, high = poisson_interval(count=0)
        assert low == 0.0
        assert high == pytest.approx(3.6889, abs=1e-4)  # -ln(0.025)
        assert high == pytest.approx(-math.log(0.025), rel=1e-9)

    def test_five(self) -> None:
        assert poisson_interval(count=5) == pytest.approx((1.6235, 11.6683), abs=1e-4)

    @pytest.mark.parametrize(
        ("count", "low", "high"),
        [
            # Exact 95% Poisson limits, chi2(0.025, 2k)/2 and chi2(0.975, 2k + 2)/2.
            (1, 0.0253, 5.5716),
            (10, 4.7954, 18.3904),
            (100, 81.3640, 121.6268),
        ],
    )
    def test_table_values(self, count: int, low: float, high: float) -> None:
        assert poisson_interval(count=count) == pytest.approx((low, high), abs=1e-4)

    @pytest.mark.parametrize("count", [1, 3, 17, 250])
    def test_defining_property(self, count: int) -> None:
        # Garwood limits are the means at which the observed count is just
        # surprising: P(X >= k | low) = 2.5% and P(X <= k | high) = 2.5%.
        # Checked with the Poisson sum directly, independent of SciPy.
        def cdf(k: int, mean: float) -> float:
            term, total = math.exp(-mean), 0.0
            for i in range(k + 1):
                total += term
                term *= mean / (i + 1)
            return total

        low, high = poisson_interval(count=count)
        assert 1 - cdf(count - 1, low) == pytest.approx(0.025, abs=1e-9)
        assert cdf(count, high) == pytest.approx(0.025, abs=1e-9)

    @pytest.mark.parametrize("count", [-1, math.nan, math.inf])
    def test_rejects_bad_counts(self, count: float) -> None:
        with pytest.raises(ValueError):
            poisson_interval(count=count)

    @given(
        count=st.floats(min_value=0, max_value=1e6),
        confidence=st.floats(min_value=0.5, max_value=0.999),
    )
    def test_contains_count(self, count: float, confidence: float) -> None:
        low, high = poisson_interval(count=count, confidence=confidence)
        assert 0.0 <= low <= count <= high


class TestPointInterval:
    def test_percentage_from_sample_size(self) -> None:
        got = point_interval(spec=belonging(), point=survey(2025, 36.0, n=100))
        assert got is not None
        assert got.method == "Wilson"
        assert (got.low, got.high) == pytest.approx((27.271, 45.765), abs=1e-3)

    def test_percentage_prefers_numerator_and_denominator(self) -> None:
        point = Point(date(2025, 3, 31), value=99.0, numerator=36, denominator=100, sample_size=5)
        got = point_interval(spec=belonging(), point=point)
        assert got is not None
        assert (got.low, got.high) == pytest.approx((27.271, 45.765), abs=1e-3)

    def test_percentage_without_sample_size_has_no_interval(self) -> None:
        assert point_interval(spec=belonging(), point=Point(date(2025, 3, 31), 36.0)) is None

    def test_rate_scales_poisson_interval(self) -> None:
        got = point_interval(spec=hate_crime(), point=crimes(2025, 5, population=10_000))
        assert got is not None
        assert got.method == "exact Poisson (Garwood)"
        assert (got.low, got.high) == pytest.approx((0.16235, 1.16683), abs=1e-5)

    def test_count(self) -> None:
        spec = belonging(kind=Kind.COUNT, unit="people")
        got = point_interval(spec=spec, point=Point(date(2025, 3, 31), 5))
        assert got is not None
        assert (got.low, got.high) == pytest.approx((1.6235, 11.6683), abs=1e-4)

    def test_value_kind_has_none(self) -> None:
        spec = belonging(kind=Kind.VALUE, unit="")
        assert point_interval(spec=spec, point=Point(date(2025, 3, 31), 5)) is None

    def test_supplied_range_is_used(self) -> None:
        spec = belonging(kind=Kind.VALUE, unit="")
        got = point_interval(spec=spec, point=Point(date(2025, 3, 31), 5, lower=4, upper=7))
        assert got == Interval(4, 7, "supplied")

    @pytest.mark.parametrize(
        "point",
        [
            Point(date(2025, 3, 31), 36.0, sample_size=0),
            Point(date(2025, 3, 31), 36.0, sample_size=-3),
            Point(date(2025, 3, 31), math.nan, sample_size=100),
            Point(date(2025, 3, 31), 136.0, sample_size=100),
            Point(date(2025, 3, 31), 36.0, numerator=5, denominator=0),
            Point(date(2025, 3, 31), 36.0, numerator=50, denominator=10),
            Point(date(2025, 3, 31), 36.0, numerator=math.nan, denominator=10),
        ],
    )
    def test_bad_points_give_none_without_crashing(self, point: Point) -> None:
        assert point_interval(spec=belonging(), point=point) is None

    @given(
        pct=st.floats(min_value=0, max_value=100),
        n=st.integers(min_value=1, max_value=100_000),
    )
    def test_percentage_interval_contains_value(self, pct: float, n: int) -> None:
        got = point_interval(spec=belonging(), point=Point(date(2025, 1, 1), pct, sample_size=n))
        assert got is not None
        assert 0.0 <= got.low <= pct <= got.high <= 100.0

    @given(
        count=st.integers(min_value=0, max_value=100_000),
        population=st.floats(min_value=1, max_value=1e7),
    )
    def test_rate_interval_contains_rate(self, count: int, population: float) -> None:
        point = crimes(2025, count, population=population)
        got = point_interval(spec=hate_crime(), point=point)
        assert got is not None
        rate = count / population * 1000
        assert got.low <= rate * (1 + 1e-9)
        assert rate <= got.high * (1 + 1e-9)


# --------------------------------------------------------------------------- #
# The straight-line path
# --------------------------------------------------------------------------- #


class TestTrajectory:
    def test_ends_and_middle(self) -> None:
        spec = belonging(baseline_date=date(2024, 1, 1), target_date=date(2024, 1, 11))
        assert trajectory_value(spec=spec, on=date(2024, 1, 1)) == 30.0
        assert trajectory_value(spec=spec, on=date(2024, 1, 6)) == pytest.approx(40.0)
        assert trajectory_value(spec=spec, on=date(2024, 1, 11)) == 50.0

    def test_flat_outside_the_plan(self) -> None:
        spec = belonging()
        assert trajectory_value(spec=spec, on=date(2020, 1, 1)) == 30.0
        assert trajectory_value(spec=spec, on=date(2040, 1, 1)) == 50.0

    def test_decrease(self) -> None:
        spec = hate_crime(baseline_date=date(2024, 1, 1), target_date=date(2024, 1, 5))
        assert trajectory_value(spec=spec, on=date(2024, 1, 2)) == pytest.approx(1.85)

    def test_target_date_not_after_baseline_does_not_crash(self) -> None:
        spec = belonging(target_date=BASELINE)
        assert trajectory_value(spec=spec, on=BASELINE) == 50.0
        assert trajectory_value(spec=spec, on=BASELINE - timedelta(days=1)) == 30.0

    @given(
        baseline=st.floats(min_value=-1e6, max_value=1e6),
        target=st.floats(min_value=-1e6, max_value=1e6),
        length=st.integers(min_value=1, max_value=5000),
        offset=st.integers(min_value=-1000, max_value=7000),
    )
    def test_lies_between_baseline_and_target(
        self, baseline: float, target: float, length: int, offset: int
    ) -> None:
        spec = belonging(
            baseline_value=baseline,
            target_value=target,
            baseline_date=BASELINE,
            target_date=BASELINE + timedelta(days=length),
        )
        got = trajectory_value(spec=spec, on=BASELINE + timedelta(days=offset))
        tolerance = 1e-9 * max(1.0, abs(baseline), abs(target))
        assert min(baseline, target) - tolerance <= got <= max(baseline, target) + tolerance


# --------------------------------------------------------------------------- #
# Statuses
# --------------------------------------------------------------------------- #


class TestIncreaseMeasure:
    def test_on_track(self) -> None:
        result = assess(belonging(), [survey(2025, 34), survey(2026, 37), survey(2027, 41)])
        assert result.status is Status.ON_TRACK
        assert result.status.label == "On track"
        assert result.reason == (
            "The latest figure, 41% (between 38% and 44%), "
            "is close to where we planned to be by now (40%)."
        )
        assert result.expected == pytest.approx(40.0, abs=0.01)
        assert result.trend_per_year is not None and result.trend_per_year > 3
        assert result.projected_at_target is not None and result.projected_at_target > 50
        assert result.points_used == 3

    def test_on_track_with_one_figure_and_no_trend(self) -> None:
        result = assess(belonging(), [survey(2027, 41)])
        assert result.status is Status.ON_TRACK
        assert result.trend_per_year is None

    def test_off_track(self) -> None:
        result = assess(belonging(), [survey(2025, 31), survey(2026, 31), survey(2027, 32)])
        assert result.status is Status.OFF_TRACK
        assert result.reason == (
            "The latest figure, 32% (between 29% and 35%), is lower than planned (40%), "
            "and at this speed it will not reach the target of 50% by March 2030."
        )

    def test_off_track_with_one_figure(self) -> None:
        result = assess(belonging(), [survey(2027, 32)])
        assert result.status is Status.OFF_TRACK
        assert result.reason == (
            "The latest figure, 32% (between 29% and 35%), is lower than planned (40%)."
        )

    def test_at_risk_when_close_now_but_trend_falls_short(self) -> None:
        # Small survey: the interval is wide enough to reach the path, but the
        # trend only gets to about 39% by 2030.
        points = [survey(2025, 31, n=100), survey(2026, 32, n=100), survey(2027, 37, n=100)]
        result = assess(belonging(), points)
        assert result.status is Status.AT_RISK
        assert result.status.label == "At risk"
        assert "will not reach the target of 50% by March 2030" in result.reason
        assert result.reason.startswith("The latest figure, 37% (between 28% and 47%), is close")

    def test_at_risk_when_behind_now_but_trend_could_get_there(self) -> None:
        result = assess(belonging(), [survey(2025, 36), survey(2026, 40), survey(2027, 36)])
        assert result.status is Status.AT_RISK
        assert result.reason == (
            "The latest figure, 36% (between 33% and 39%), is lower than planned (40%), "
            "but at this speed it could still reach the target of 50% by March 2030."
        )

    def test_ahead_of_plan(self) -> None:
        result = assess(belonging(), [survey(2027, 48)])
        assert result.status is Status.ON_TRACK
        assert "is better than where we planned to be by now (40%)" in result.reason

    def test_wrong_way_trend_is_off_track(self) -> None:
        result = assess(belonging(), [survey(2025, 29), survey(2026, 28), survey(2027, 27)])
        assert result.status is Status.OFF_TRACK
        assert "it has been going down, away from the target of 50%" in result.reason

    def test_old_figure_says_by_then(self) -> None:
        result = assess(belonging(), [survey(2025, 35)], today=date(2027, 6, 1))
        assert "where we planned to be by then" in result.reason


class TestDecreaseMeasure:
    def test_on_track(self) -> None:
        result = assess(hate_crime(), [crimes(2025, 370), crimes(2026, 350), crimes(2027, 330)])
        assert result.status is Status.ON_TRACK
        assert result.reason == (
            "The latest figure, 1.6 per 1,000 residents (between 1.5 and 1.8), "
            "is close to where we planned to be by now (1.7 per 1,000 residents)."
        )
        assert result.trend_per_year is not None and result.trend_per_year < 0
        assert result.interval is not None
        assert result.interval.method == "exact Poisson (Garwood)"

    def test_off_track(self) -> None:
        result = assess(hate_crime(), [crimes(2025, 400), crimes(2026, 410), crimes(2027, 420)])
        assert result.status is Status.OFF_TRACK
        assert result.reason == (
            "The latest figure, 2.1 per 1,000 residents (between 1.9 and 2.3), "
            "is higher than planned (1.7 per 1,000 residents), and it has been going up, "
            "away from the target of 1.4 per 1,000 residents."
        )

    def test_at_risk(self) -> None:
        # Close to the path now, but the fall has stalled well above the target.
        points = [
            crimes(y, c, population=1e6) for y, c in [(2025, 1800), (2026, 1750), (2027, 1750)]
        ]
        result = assess(hate_crime(), points)
        assert result.status is Status.AT_RISK
        assert result.reason == (
            "The latest figure, 1.8 per 1,000 residents (between 1.7 and 1.8), "
            "is close to where we planned to be by now (1.7 per 1,000 residents), "
            "but at this speed it will not reach the target of 1.4 per 1,000 residents "
            "by March 2030."
        )

    def test_at_risk_behind_but_falling_fast(self) -> None:
        points = [crimes(2025, 330), crimes(2026, 300), crimes(2027, 380)]
        result = assess(hate_crime(), points)
        assert result.status is Status.AT_RISK
        assert "but at this speed it could still reach the target" in result.reason

    def test_lower_is_better_single_figure(self) -> None:
        assert assess(hate_crime(), [crimes(2027, 200)]).status is Status.ON_TRACK
        assert assess(hate_crime(), [crimes(2027, 500)]).status is Status.OFF_TRACK

    def test_not_enough_data(self) -> None:
        result = assess(hate_crime(), [])
        assert result.status is Status.NOT_ENOUGH_DATA
        assert result.reason == "We have no new figures since the baseline in March 2024."


class TestCountAndValue:
    def test_count(self) -> None:
        spec = belonging(kind=Kind.COUNT, baseline_value=1000, target_value=2000, unit="people")
        result = assess(spec, [Point(date(2027, 3, 31), 1250)])
        assert result.status is Status.OFF_TRACK
        assert result.reason == (
            "The latest figure, 1,250 people (between 1,182 and 1,321), "
            "is lower than planned (1,500 people)."
        )

    def test_value_kind_compares_the_number_itself(self) -> None:
        spec = belonging(kind=Kind.VALUE, unit="")
        on = date(2027, 3, 31)
        expected = trajectory_value(spec=spec, on=on)
        above = assess(spec, [Point(on, expected + 1)])
        below = assess(spec, [Point(on, expected - 0.4)])
        assert above.status is Status.ON_TRACK and above.interval is None
        assert below.status is Status.OFF_TRACK
        # Numbers said to differ never print the same.
        assert below.reason == "The latest figure, 39.6, is lower than planned (40.0)."


class TestNotEnoughData:
    def test_no_points(self) -> None:
        result = assess(belonging(), [])
        assert result.status is Status.NOT_ENOUGH_DATA
        assert result.status.label == "Not enough data"
        assert result.reason == "We have no new figures since the baseline in March 2024."
        assert result.latest is None and result.points_used == 0

    def test_only_points_on_or_before_baseline(self) -> None:
        result = assess(belonging(), [survey(2023, 40), survey(2024, 45)])
        assert result.status is Status.NOT_ENOUGH_DATA
        assert "no new figures since the baseline in March 2024" in result.reason

    def test_broken_plan(self) -> None:
        result = assess(belonging(target_value=math.nan), [survey(2027, 40)])
        assert result.status is Status.NOT_ENOUGH_DATA
        assert is_one_sentence(result.reason)


class TestTargetDatePassed:
    def test_met(self) -> None:
        result = assess(belonging(), [survey(2030, 52)], today=date(2030, 6, 1))
        assert result.status is Status.ON_TRACK
        assert result.expected == 50.0
        assert result.reason == (
            "The latest figure, 52% (between 49% and 55%), "
            "meets the target of 50% we set for March 2030."
        )

    def test_missed(self) -> None:
        result = assess(belonging(), [survey(2030, 45)], today=date(2030, 6, 1))
        assert result.status is Status.OFF_TRACK
        assert result.reason == (
            "The latest figure, 45% (between 42% and 48%), "
            "is lower than the target of 50% we set for March 2030."
        )

    def test_close_enough_given_uncertainty(self) -> None:
        result = assess(belonging(), [survey(2030, 49, n=500)], today=date(2030, 6, 1))
        assert result.status is Status.ON_TRACK
        assert "is close to the target of 50%" in result.reason

    def test_trend_no_longer_matters(self) -> None:
        # Rising fast, but the date has gone and the target was not reached.
        points = [survey(2026, 35), survey(2028, 40), survey(2030, 45)]
        result = assess(belonging(), points, today=date(2030, 6, 1))
        assert result.status is Status.OFF_TRACK

    def test_judged_against_target_even_if_last_figure_is_older(self) -> None:
        # On the path in 2029, but by 2031 we should be at the target.
        result = assess(belonging(), [survey(2029, 45)], today=date(2031, 1, 1))
        assert result.expected == 50.0
        assert result.status is Status.OFF_TRACK

    def test_decrease_met(self) -> None:
        result = assess(hate_crime(), [crimes(2030, 260)], today=date(2030, 6, 1))
        assert result.status is Status.ON_TRACK
        assert "the target of 1.4 per 1,000 residents" in result.reason


class TestBadPoints:
    @pytest.mark.parametrize(
        ("point", "words"),
        [
            (survey(2027, 40, n=0), "the number of people asked is 0"),
            (survey(2027, 40, n=-5), "the number of people asked is less than 0"),
            (Point(date(2027, 3, 31), math.nan, sample_size=1000), "the number is missing"),
            (Point(date(2027, 3, 31), math.inf), "the number is missing"),
            (Point(date(2027, 3, 31), 140.0), "a percentage must be between 0 and 100"),
            (
                Point(date(2027, 3, 31), 40.0, numerator=40, denominator=0),
                "the total it is out of is 0",
            ),
            (
                Point(date(2027, 3, 31), 40.0, numerator=-4, denominator=10),
                "the count is less than 0",
            ),
            (
                Point(date(2027, 3, 31), 40.0, numerator=20, denominator=10),
                "the part is bigger than the total",
            ),
        ],
    )
    def test_bad_latest_point_is_not_hidden(self, point: Point, words: str) -> None:
        # Earlier good figures exist, but we never fall back to them silently.
        result = assess(belonging(), [survey(2025, 34), survey(2026, 37), point])
        assert result.status is Status.NOT_ENOUGH_DATA
        assert result.latest == point
        assert result.reason == (
            f"The latest figure, for March 2027, cannot be used because {words}, "
            "so we cannot tell yet."
        )
        assert result.points_used == 2

    def test_bad_rate_and_count(self) -> None:
        zero_population = Point(date(2027, 3, 31), 1.0, numerator=10, denominator=0)
        assert assess(hate_crime(), [zero_population]).status is Status.NOT_ENOUGH_DATA
        counts = belonging(kind=Kind.COUNT, baseline_value=10, target_value=20, unit="")
        negative = assess(counts, [Point(date(2027, 3, 31), -3)])
        assert negative.status is Status.NOT_ENOUGH_DATA
        assert "the number is less than 0" in negative.reason

    def test_bad_earlier_point_is_skipped(self) -> None:
        points = [survey(2025, 34), survey(2026, 37, n=0), survey(2027, 41)]
        result = assess(belonging(), points)
        assert result.status is Status.ON_TRACK
        assert result.points_used == 2
        assert result.trend_per_year is not None

    def test_nonsense_supplied_range(self) -> None:
        spec = belonging(kind=Kind.VALUE, unit="")
        point = Point(date(2027, 3, 31), 40.0, lower=42.0, upper=44.0)
        result = assess(spec, [point])
        assert result.status is Status.NOT_ENOUGH_DATA
        assert "the range given with it does not make sense" in result.reason

    def test_same_date_latest_given_wins(self) -> None:
        first = survey(2027, 30)
        second = survey(2027, 41)
        assert assess(belonging(), [first, second]).latest == second


# --------------------------------------------------------------------------- #
# Trend
# --------------------------------------------------------------------------- #


class TestTheilSen:
    SPEC = belonging(
        baseline_date=date(2024, 1, 1),
        target_date=date(2030, 1, 1),
        baseline_value=30.0,
        target_value=42.0,
    )

    def points(self, values: list[float]) -> list[Point]:
        return [Point(date(2025 + i, 1, 1), v, sample_size=1000) for i, v in enumerate(values)]

    def test_outlier_does_not_flip_the_trend(self) -> None:
        clean = assess(self.SPEC, self.points([32, 34, 36, 38, 40]), today=date(2029, 2, 1))
        # A typing slip (0 instead of 38) in one year's figure.
        noisy = assess(self.SPEC, self.points([32, 34, 36, 0, 40]), today=date(2029, 2, 1))

        # Least squares would turn the trend round...
        years = [0, 1, 2, 3, 4, 5]
        ols_slope = np.polyfit(years, [30, 32, 34, 36, 0, 40], 1)[0]
        assert ols_slope < 0
        # ...Theil-Sen does not.
        assert clean.trend_per_year == pytest.approx(2.0, abs=0.01)
        assert noisy.trend_per_year == pytest.approx(2.0, abs=0.01)
        assert noisy.projected_at_target == pytest.approx(42.0, abs=0.1)
        assert clean.status is noisy.status is Status.ON_TRACK

    def test_needs_three_points_counting_baseline(self) -> None:
        one = assess(self.SPEC, self.points([32]), today=date(2025, 2, 1))
        two = assess(self.SPEC, self.points([32, 34]), today=date(2026, 2, 1))
        assert one.trend_per_year is None and one.projected_at_target is None
        assert two.trend_per_year == pytest.approx(2.0, abs=0.01)

    def test_projection_within_half_width_counts(self) -> None:
        # Trend reaches ~41.3, target 42: short by less than the latest
        # interval's half-width (about 3 points), so still On track.
        result = assess(
            self.SPEC, self.points([31.8, 33.7, 35.5, 37.4, 39.2]), today=date(2029, 2, 1)
        )
        assert result.projected_at_target is not None
        assert 42.0 - 3 < result.projected_at_target < 42.0
        assert result.status is Status.ON_TRACK


# --------------------------------------------------------------------------- #
# Formatting
# --------------------------------------------------------------------------- #


class TestFormatValue:
    @pytest.mark.parametrize(
        ("value", "unit", "text"),
        [
            (36.0, "%", "36%"),
            (36.4, "%", "36%"),
            (2.4, "per 1,000 residents", "2.4 per 1,000 residents"),
            (2.0, "per 1,000 residents", "2 per 1,000 residents"),
            (1250, "", "1,250"),
            (1250.4, "people", "1,250 people"),
            (0.0712, "", "0.071"),
            (0, "%", "0%"),
            (-0.0, "", "0"),
            (1500, "£", "£1,500"),
            (-5, "£", "-£5"),
            (math.nan, "%", "not known"),
        ],
    )
    def test_examples(self, value: float, unit: str, text: str) -> None:
        assert format_value(value=value, unit=unit) == text

    def test_forced_decimals(self) -> None:
        assert format_value(value=39.995, unit="%", decimals=1) == "40.0%"


# --------------------------------------------------------------------------- #
# Robustness
# --------------------------------------------------------------------------- #

finite_or_not = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-10, max_value=200),
)
maybe = st.one_of(st.none(), finite_or_not)


@st.composite
def any_point(draw: st.DrawFn) -> Point:
    return Point(
        period_end=BASELINE + timedelta(days=draw(st.integers(min_value=-400, max_value=3000))),
        value=draw(finite_or_not),
        numerator=draw(maybe),
        denominator=draw(maybe),
        sample_size=draw(st.one_of(st.none(), st.integers(min_value=-5, max_value=5000))),
    )


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(list(Kind)),
    direction=st.sampled_from(list(Direction)),
    points=st.lists(any_point(), max_size=8),
    today_offset=st.integers(min_value=0, max_value=4000),
)
def test_never_crashes_and_always_explains(
    kind: Kind, direction: Direction, points: list[Point], today_offset: int
) -> None:
    spec = belonging(kind=kind, direction=direction)
    result = assess(spec, points, today=BASELINE + timedelta(days=today_offset))
    assert isinstance(result.status, Status)
    assert is_one_sentence(result.reason), result.reason
    if result.interval is not None and result.latest is not None:
        assert result.interval.low <= result.interval.high
    if result.status is Status.NOT_ENOUGH_DATA:
        assert result.interval is None


def test_status_values_and_labels() -> None:
    assert [s.value for s in Status] == ["on_track", "at_risk", "off_track", "not_enough_data"]
    assert [s.label for s in Status] == ["On track", "At risk", "Off track", "Not enough data"]
    assert Kind("rate") is Kind.RATE and Direction("decrease") is Direction.DECREASE
