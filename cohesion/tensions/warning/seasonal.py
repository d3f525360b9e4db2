"""Seasonal regression with a one-week and a two-week test (pure NumPy/SciPy, no Django).

The expected count of a week comes from a quasi-Poisson regression on up to ten years of
history: a log-linear trend and two annual harmonics (a Serfling-type model), with past outbreaks
down-weighted as in the improved Farrington method (Anscombe residuals above 2.58) and the most
recent 26 weeks left out of the fit, so that a rise under way does not raise its own baseline.
Counts are judged with exact negative-binomial tail probabilities on that fit:

- **this week**: ``P(Y >= y)`` below ``ONE_WEEK_SHARE * alpha``;
- **the last two weeks together**: the sum of this week and last week against the sum of their
  expected counts (a sum of NB counts with one dispersion is NB with the summed mean), below
  ``TWO_WEEK_SHARE * alpha``. It is not used when last week already alarmed on its own, so one
  unusual week is not reported twice.

As in the Farrington methods, there is no alarm unless there were at least 5 reports in the last
4 weeks. Compared with the improved Farrington method (a 10-level seasonal factor on 5 years),
the smooth seasonal curve and the longer history estimate the expected count more precisely, and
the two-week test catches a rise that is spread over two weeks. The two shares of alpha were
chosen on training seeds of the Noufaily et al. (2013) simulation study (docs/benchmarks.md), not
on the seeds reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .farrington import NOUFAILY, _flexible_fit, _nb_quantile, _nb_sf

#: Annual harmonics of the seasonal curve.
HARMONICS = 2
#: Most years of history used (fewer when the series is shorter; at least 2).
MAX_YEARS = 10
MIN_YEARS = 2
#: Recent weeks left out of the fit (as the improved Farrington method).
EXCLUDED_WEEKS = 26
#: Shares of alpha for the one-week and the two-week test.
ONE_WEEK_SHARE = 0.85
TWO_WEEK_SHARE = 0.3
#: No alarm unless at least this many reports in the last ``LIMIT_WEEKS`` weeks.
LIMIT_CASES = 5
LIMIT_WEEKS = 4


def history_needed(years: int) -> int:
    """Weeks of history needed before the judged week for ``years`` years back."""
    return years * 52 + 3


def years_for(history: Any) -> Any:
    """Years back for ``history`` weeks before the judged week (an int or an array of them):
    as many whole years as there are, at most ``MAX_YEARS``; 0 when under ``MIN_YEARS``."""
    years = np.minimum(MAX_YEARS, (np.asarray(history) - 3) // 52)
    years = np.where(years >= MIN_YEARS, years, 0)
    return int(years) if years.ndim == 0 else years


def settings() -> dict[str, Any]:
    """The method's settings, as recorded with every alarm."""
    return {
        "harmonics": HARMONICS,
        "max_years": MAX_YEARS,
        "excluded_weeks": EXCLUDED_WEEKS,
        "one_week_share_of_alpha": ONE_WEEK_SHARE,
        "two_week_share_of_alpha": TWO_WEEK_SHARE,
        "reweight_threshold": NOUFAILY.weights_threshold,
        "limit": [LIMIT_CASES, LIMIT_WEEKS],
    }


def _design(offsets: np.ndarray, harmonics: int) -> np.ndarray:
    """Intercept, trend (years relative to the judged week) and the harmonics, by weeks back."""
    cols = [np.ones(len(offsets)), -offsets / 52.0]
    for h in range(1, harmonics + 1):
        angle = 2.0 * np.pi * h * offsets / 52.0
        cols += [np.cos(angle), np.sin(angle)]
    return np.column_stack(cols)


@dataclass(frozen=True)
class SeasonalResult:
    """Arrays of shape (B,) for B judged weeks."""

    expected: np.ndarray  # expected count of the judged week (NaN if no fit)
    threshold: np.ndarray  # the alarm threshold of the test that decided (see window_weeks)
    alarm: np.ndarray
    p_value: np.ndarray  # of the test that decided
    observed: np.ndarray  # this week's count, or the two weeks' sum when that test alarmed
    window_weeks: np.ndarray  # 1, or 2 when the two-week test alarmed (and this week's did not)
    expected_window: np.ndarray  # expected count over window_weeks
    phi: np.ndarray


def seasonal(
    series: np.ndarray,
    weeks: np.ndarray,
    *,
    alpha: float = 0.01,
    years: int = MAX_YEARS,
) -> SeasonalResult:
    """Judge week ``weeks[j]`` of ``series[j]`` (2-D, rows may repeat a series) against the
    ``years`` years before it."""
    mu, phi = expected_counts(series, weeks, years=years)
    return judge(series, weeks, mu, phi, alpha=alpha)


def expected_counts(
    series: np.ndarray, weeks: np.ndarray, *, years: int = MAX_YEARS
) -> tuple[np.ndarray, np.ndarray]:
    """The fitted expected counts of last week and this week (shape (B, 2), NaN where the fit
    failed) and the dispersion (shape (B,)) for week ``weeks[j]`` of ``series[j]``."""
    Y_all = np.asarray(series, dtype=float)
    weeks = np.asarray(weeks, dtype=int)
    B = len(weeks)
    if np.any(weeks < history_needed(years)):
        raise ValueError(f"each judged week needs {history_needed(years)} weeks of history")
    offsets = np.arange(EXCLUDED_WEEKS + 1, history_needed(years) + 1)
    X = _design(offsets.astype(float), HARMONICS)
    rows = np.arange(B)[:, None]
    Y = Y_all[rows, weeks[:, None] - offsets[None, :]]
    fit, phi = _flexible_fit(X, Y, NOUFAILY)  # Noufaily's down-weighting of past outbreaks
    x_recent = _design(np.array([1.0, 0.0]), HARMONICS)  # last week, this week
    eta = np.clip(fit.beta @ x_recent.T, -50.0, 50.0)
    mu = np.where(fit.converged[:, None], np.exp(eta), np.nan)
    return mu, phi


def judge(
    series: np.ndarray,
    weeks: np.ndarray,
    mu: np.ndarray,
    phi: np.ndarray,
    *,
    alpha: float = 0.01,
    shares: tuple[float, float] = (ONE_WEEK_SHARE, TWO_WEEK_SHARE),
) -> SeasonalResult:
    """The one-week and two-week tests of week ``weeks[j]`` of ``series[j]``, given the expected
    counts ``mu[j]`` of last week and this week (shape (B, 2)) and the dispersion ``phi[j]``.

    :func:`seasonal` gives the fitted expected counts; the benchmark's oracle
    (``benchmarks/early_warning/oracle.py``) gives the true ones, to show how much a better
    estimate of the baseline could add."""
    Y_all = np.asarray(series, dtype=float)
    weeks = np.asarray(weeks, dtype=int)
    B = len(weeks)
    rows = np.arange(B)[:, None]
    now = Y_all[np.arange(B), weeks]
    last = Y_all[np.arange(B), weeks - 1]
    recent = Y_all[rows, weeks[:, None] - np.arange(LIMIT_WEEKS + 1)[None, :]]
    enough_now = recent[:, :LIMIT_WEEKS].sum(axis=1) >= LIMIT_CASES
    enough_last = recent[:, 1:].sum(axis=1) >= LIMIT_CASES
    a1, a2 = shares[0] * alpha, shares[1] * alpha
    p1 = _nb_sf(now, mu[:, 1], phi)
    p_last = _nb_sf(last, mu[:, 0], phi)
    p2 = _nb_sf(now + last, mu.sum(axis=1), phi)
    with np.errstate(invalid="ignore"):
        one = (p1 < a1) & enough_now & (now > 0)
        last_alarmed = (p_last < a1) & enough_last
        two = (p2 < a2) & ~last_alarmed & enough_now & (now > 0) & ~one

    return SeasonalResult(
        expected=mu[:, 1],
        threshold=np.where(
            two, _nb_quantile(1.0 - a2, mu.sum(axis=1), phi), _nb_quantile(1.0 - a1, mu[:, 1], phi)
        ),
        alarm=np.asarray(one | two, dtype=bool),
        p_value=np.where(two, p2, p1),
        observed=np.where(two, now + last, now),
        window_weeks=np.where(two, 2, 1),
        expected_window=np.where(two, mu.sum(axis=1), mu[:, 1]),
        phi=phi,
    )
