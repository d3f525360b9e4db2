"""The Farrington methods agree with R `surveillance` (fixture written by
benchmarks/early_warning/make_fixture.py from simulated series) and detect planted outbreaks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cohesion.tensions.warning.ears import ears
from cohesion.tensions.warning.farrington import (
    FARRINGTON_1996,
    NOUFAILY,
    farrington,
    history_needed,
)

FIXTURE = json.loads((Path(__file__).parent / "fixtures/anchor_farrington.json").read_text())
WEEKS = np.arange(575, 624)  # zero-based weeks 576..624


def _judge(y: list[int], settings):
    arr = np.asarray(y, dtype=float)
    return farrington(np.tile(arr, (len(WEEKS), 1)), WEEKS, alpha=0.01, settings=settings)


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=lambda c: f"scenario{c['scenario']}")
@pytest.mark.parametrize(
    ("settings", "upper_key", "alarm_key"),
    [
        (NOUFAILY, "noufaily_upper", "noufaily_alarm"),
        (FARRINGTON_1996, "f1996_upper", "f1996_alarm"),
    ],
    ids=["noufaily", "farrington1996"],
)
def test_thresholds_and_alarms_match_r_surveillance(case, settings, upper_key, alarm_key):
    res = _judge(case["y"], settings)
    expected = np.array([np.nan if v is None else v for v in case[upper_key]])
    known = np.isfinite(expected)
    assert known.any()
    # R leaves the threshold out when there are fewer than 5 cases in 4 weeks; we give it anyway.
    np.testing.assert_allclose(res.threshold[known], expected[known], rtol=1e-3)
    np.testing.assert_array_equal(res.alarm, np.asarray(case[alarm_key]) == 1)


@pytest.mark.parametrize("case", FIXTURE["cases"][:2], ids=lambda c: f"scenario{c['scenario']}")
def test_ears_c1_matches_r_surveillance(case):
    y = np.asarray(case["y"], dtype=float)
    res = ears(np.tile(y, (len(WEEKS), 1)), WEEKS, method="C1", alpha=0.01)
    np.testing.assert_allclose(res.threshold, np.asarray(case["c1_upper"], dtype=float), rtol=1e-9)


def _seasonal_series(rng: np.random.Generator, weeks: int, base: float = 3.0) -> np.ndarray:
    t = np.arange(weeks)
    mu = base * np.exp(0.4 * np.sin(2 * np.pi * t / 52))
    return rng.poisson(mu).astype(float)


def test_planted_outbreak_is_detected_and_flat_weeks_rarely_alarm():
    rng = np.random.default_rng(5)
    T = history_needed(NOUFAILY) + 60
    n = 200
    Y = np.stack([_seasonal_series(rng, T) for _ in range(n)])
    weeks = np.full(n, T - 1)
    calm = farrington(Y, weeks, alpha=0.01)
    Y_out = Y.copy()
    Y_out[:, -1] += 15  # about 5 standard deviations above the usual level
    hot = farrington(Y_out, weeks, alpha=0.01)
    assert hot.alarm.mean() > 0.95
    assert calm.alarm.mean() < 0.04  # nominal 1%; small sample
    assert np.all(hot.p_value[hot.alarm] < 0.01)
    assert np.all(
        np.abs(calm.expected - 3.0 * np.exp(0.4 * np.sin(2 * np.pi * (T - 1) / 52))) < 1.5
    )


def test_flat_poisson_series_gives_about_alpha_false_alarms():
    rng = np.random.default_rng(11)
    T = history_needed(NOUFAILY) + 1
    n = 3000
    Y = rng.poisson(8.0, size=(n, T)).astype(float)
    res = farrington(Y, np.full(n, T - 1), alpha=0.01)
    # The plug-in threshold ignores estimation error and counts are discrete: close to 1%.
    assert 0.002 < res.alarm.mean() < 0.02


def test_too_little_history_is_refused():
    with pytest.raises(ValueError, match="weeks of history"):
        farrington(np.ones((1, 100)), np.array([99]))
