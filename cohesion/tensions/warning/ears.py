"""EARS C1, C2 and C3 (Hutwagner et al. 2003), for short series.

C1 compares this week with the mean and standard deviation of the 7 weeks before it; C2 does the
same with a 2-week guard band (weeks t-9..t-3); C3 adds the excesses of C2 over 1 in the two
previous weeks. C1 and C2 agree with R `surveillance::earsC`. For C3 `earsC` (1.20) writes the
threshold as ``y_t + sd (z - lags)`` (so the current week's own excess is ignored); we use the
published definition ``mean + sd (z - lags)``, i.e. alarm when C2_t + lags > z.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["EarsResult", "ears", "ears_history_needed"]

BASELINE = 7


@dataclass(frozen=True)
class EarsResult:
    expected: np.ndarray
    threshold: np.ndarray
    alarm: np.ndarray
    p_value: np.ndarray


def ears_history_needed(method: str, baseline: int = BASELINE) -> int:
    return {"C1": baseline, "C2": baseline + 2, "C3": baseline + 4}[method]


def _stats(Y: np.ndarray, weeks: np.ndarray, lag: int, baseline: int) -> tuple[np.ndarray, ...]:
    B = Y.shape[0]
    idx = weeks[:, None] - lag - np.arange(baseline)[None, :]
    ref = Y[np.arange(B)[:, None], idx]
    return ref.mean(axis=1), ref.std(axis=1, ddof=1)


def ears(
    series: np.ndarray,
    weeks: np.ndarray,
    *,
    method: str = "C1",
    alpha: float = 0.01,
    min_sigma: float = 0.0,
    baseline: int = BASELINE,
) -> EarsResult:
    """Judge week ``weeks[j]`` of row ``series[j]`` (zero-based) with EARS ``method``."""
    Y = np.asarray(series, dtype=float)
    weeks = np.asarray(weeks, dtype=int)
    if method not in ("C1", "C2", "C3"):
        raise ValueError(f"unknown EARS method {method!r}")
    if np.any(weeks < ears_history_needed(method, baseline)):
        raise ValueError(f"EARS {method} needs {ears_history_needed(method, baseline)} weeks")
    z = stats.norm.ppf(1.0 - alpha)
    y = Y[np.arange(Y.shape[0]), weeks]
    if method == "C1":
        mean, sd = _stats(Y, weeks, 1, baseline)
    else:
        mean, sd = _stats(Y, weeks, 3, baseline)
    sd = np.maximum(sd, min_sigma)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method in ("C1", "C2"):
            upper = mean + z * sd
            zscore = (y - mean) / sd
        else:
            lags = np.zeros_like(mean)
            for lag in (1, 2):
                m_l, s_l = _stats(Y, weeks - lag, 3, baseline)
                s_l = np.maximum(s_l, min_sigma)
                c2 = (Y[np.arange(Y.shape[0]), weeks - lag] - m_l) / s_l
                lags += np.maximum(0.0, np.nan_to_num(c2, nan=0.0) - 1.0)
            upper = np.maximum(0.0, mean + sd * (z - lags))
            zscore = (y - mean) / sd + lags
        alarm = y > upper
        p = stats.norm.sf(zscore)
    alarm = np.where(np.isfinite(upper), alarm, False)
    return EarsResult(expected=mean, threshold=upper, alarm=alarm, p_value=p)
