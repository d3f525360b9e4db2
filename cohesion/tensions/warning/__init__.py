"""Statistical early warning for weekly counts of tension reports (pure Python, no Django).

The public contract:

- :class:`Alarm` — one alarm for the current week (a ward, a cluster of neighbouring wards, or the
  city), with everything needed to reproduce it;
- :class:`Band` — expected level, threshold and alarms of a series week by week, for drawing;
- :func:`city_alarms` — all alarms for the current week of a (weeks, wards, categories) array;
- :func:`series_band` — the band for the last weeks of one series.

Methods: a seasonal regression with a one-week and a two-week test in :mod:`.seasonal` (the
automatic choice when there are two years of history), the improved Farrington method (Noufaily
et al. 2013) and the original (Farrington et al. 1996) in :mod:`.farrington`, EARS C1/C2/C3 in
:mod:`.ears`, a negative-binomial CUSUM in :mod:`.cusum`, and Kulldorff's prospective space-time
permutation scan in :mod:`.scan`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from ._threads import single_threaded
from .cusum import nb_cusum
from .ears import ears, ears_history_needed
from .farrington import (
    FARRINGTON_1996,
    NOUFAILY,
    FarringtonSettings,
    farrington,
    history_needed,
)
from .scan import clusters_by_adjacency, neighbours_from_adjacency, space_time_scan
from .seasonal import history_needed as seasonal_history_needed
from .seasonal import seasonal, years_for
from .seasonal import settings as seasonal_settings

__all__ = [
    "METHODS",
    "Alarm",
    "Band",
    "Choice",
    "choose_method",
    "city_alarms",
    "judge",
    "series_band",
]

METHODS = (
    "auto",
    "seasonal_regression",
    "farrington_noufaily",
    "farrington_1996",
    "ears_c1",
    "ears_c2",
    "ears_c3",
    "nb_cusum",
)

#: What each method is called on the officers' pages (the code names stay in the records).
METHOD_LABELS = {
    "seasonal_regression": "seasonal regression (2 years of weekly history or more)",
    "farrington_noufaily": "improved Farrington method",
    "farrington_1996": "Farrington method (1996)",
    "ears_c1": "EARS C1 (short history: compares with the 7 weeks before)",
    "ears_c2": "EARS C2 (short history: compares with 7 earlier weeks, leaving out the last 2)",
    "ears_c3": "EARS C3 (short history)",
    "nb_cusum": "CUSUM for slow rises",
    "space_time_scan": "space-time scan over neighbouring wards",
    "none": "no method: too little history to compare with",
}


def method_label(code: str) -> str:
    """The plain name of a method code for officers; an unknown code is shown as it is."""
    return METHOD_LABELS.get(code, code)


#: Weeks with no report in a row that count as a gap in the data (if implausible for the series).
GAP_WEEKS = 13
#: Smallest standard deviation EARS uses when chosen automatically (avoids alarming on 1 report
#: after weeks of zeros).
EARS_MIN_SIGMA = 1.0
#: Weeks the CUSUM accumulates over, and the shift (in standard deviations) it is tuned to.
CUSUM_WINDOW = 8
CUSUM_SHIFT = 1.0
#: Scan settings.
SCAN_MAX_WARDS = 8
SCAN_MAX_WEEKS = 4
SCAN_STUDY_WEEKS = 52


@dataclass(frozen=True)
class Alarm:
    kind: Literal["ward", "cluster", "city"]
    wards: tuple[str, ...]
    category: str | None
    observed: float
    expected: float
    threshold: float
    p_value: float | None
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Band:
    expected: np.ndarray
    threshold: np.ndarray
    alarm: np.ndarray
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """The method chosen for a series, the first week of usable history, and why."""

    method: str  # one of METHODS without "auto", or "none"
    start: int  # index of the first week used (after a gap)
    reason: str
    b: int = 0  # years back (Farrington)


# --------------------------------------------------------------------------- validation


def _as_counts(counts: Any, ndim: int, name: str = "counts") -> np.ndarray:
    try:
        arr = np.asarray(counts, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers") from exc
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if arr.size == 0 or arr.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values; use 0 for weeks with no reports")
    if np.any(arr < 0):
        raise ValueError(f"{name} contains negative counts")
    if np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must be whole numbers")
    return arr


def _check_alpha(alpha: float) -> None:
    if not (0.0 < alpha < 0.5):
        raise ValueError(f"alpha must be between 0 and 0.5, got {alpha}")


# --------------------------------------------------------------------------- method choice


def _find_gap(y: np.ndarray) -> tuple[int, int] | None:
    """The last run of at least GAP_WEEKS zero weeks that is implausible for the series (the
    chance of so many zeros in a row at the series' mean outside the run is below 1 in 1000),
    as (start, end) with end exclusive; None if there is no such run."""
    zero = y == 0
    if not zero.any():
        return None
    best: tuple[int, int] | None = None
    t = len(y)
    i = 0
    while i < t:
        if zero[i]:
            j = i
            while j < t and zero[j]:
                j += 1
            if j - i >= GAP_WEEKS:
                outside = np.concatenate([y[:i], y[j:]])
                m = outside.mean() if outside.size else 0.0
                if m * (j - i) > np.log(1000.0):
                    best = (i, j)
            i = j
        else:
            i += 1
    return best


def choose_method(history: np.ndarray) -> Choice:
    """Choose a method for judging the week after ``history`` (the weeks before it).

    - all zeros: no method (nothing to compare with);
    - a gap (an implausibly long run of weeks with no reports, such as a missing import): only
      the weeks after the gap are used;
    - at least 2 years and 3 weeks of history: the seasonal regression with its one-week and
      two-week tests, with as many years back as there are (up to 10);
    - 9 weeks or more: EARS C2; 7 or 8 weeks: EARS C1; fewer: no method.
    """
    y = np.asarray(history, dtype=float)
    start = 0
    reason = ""
    gap = _find_gap(y)
    if gap is not None:
        start = gap[1]
        reason = (
            f"gap of {gap[1] - gap[0]} weeks with no reports, so only the weeks after it are used; "
        )
    h = y[start:]
    n = len(h)
    if n == 0 or h.sum() == 0:
        return Choice("none", start, reason + "no reports in the history: nothing to compare with")
    years = years_for(n)
    if years:
        return Choice("seasonal_regression", start, reason + f"{n} weeks of history", years)
    if n >= ears_history_needed("C2"):
        return Choice("ears_c2", start, reason + f"only {n} weeks of history")
    if n >= ears_history_needed("C1"):
        return Choice("ears_c1", start, reason + f"only {n} weeks of history")
    return Choice("none", start, reason + f"only {n} weeks of history: too short")


# --------------------------------------------------------------------------- judging


@dataclass(frozen=True)
class _Judged:
    expected: np.ndarray
    threshold: np.ndarray
    alarm: np.ndarray
    p_value: np.ndarray
    extra: list[dict[str, Any]]


def _settings_for(method: str, b: int) -> FarringtonSettings:
    base = NOUFAILY if method == "farrington_noufaily" else FARRINGTON_1996
    return replace(base, b=b)


@single_threaded
def judge(
    series: np.ndarray,
    weeks: np.ndarray,
    *,
    method: str,
    alpha: float = 0.01,
    b: int = 5,
    seed: int = 0,
    ears_min_sigma: float = 0.0,
) -> _Judged:
    """Judge ``weeks[j]`` of row ``series[j]`` (2-D) with one named method (batched)."""
    Y = np.asarray(series, dtype=float)
    weeks = np.asarray(weeks, dtype=int)
    B = len(weeks)
    if B == 0:
        e = np.zeros(0)
        return _Judged(e, e, np.zeros(0, dtype=bool), e, [])
    if method == "seasonal_regression":
        sr = seasonal(Y, weeks, alpha=alpha, years=b)
        extra = [
            {
                "phi": float(sr.phi[i]),
                "years_back": b,
                "window_weeks": int(sr.window_weeks[i]),
                "observed": float(sr.observed[i]),
                "expected_window": float(sr.expected_window[i]),
            }
            for i in range(B)
        ]
        return _Judged(sr.expected, sr.threshold, sr.alarm, sr.p_value, extra)
    if method in ("farrington_noufaily", "farrington_1996"):
        st = _settings_for(method, b)
        r = farrington(Y, weeks, alpha=alpha, settings=st)
        extra = [{"phi": float(r.phi[i]), "trend": bool(r.trend_used[i]), "b": b} for i in range(B)]
        return _Judged(r.expected, r.threshold, r.alarm, r.p_value, extra)
    if method in ("ears_c1", "ears_c2", "ears_c3"):
        er = ears(Y, weeks, method=method[-2:].upper(), alpha=alpha, min_sigma=ears_min_sigma)
        extra = [{"min_sigma": ears_min_sigma} for _ in range(B)]
        return _Judged(er.expected, er.threshold, er.alarm, er.p_value, extra)
    if method == "nb_cusum":
        L = CUSUM_WINDOW
        st = replace(NOUFAILY, b=b)
        # one fit per series: the expected counts of the last L weeks (all left out of the fit)
        r = farrington(Y, weeks, alpha=alpha, settings=st, recent_weeks=L)
        if r.expected_recent is None:  # pragma: no cover - always set when recent_weeks > 0
            raise RuntimeError("no recent expected counts")
        mu0 = r.expected_recent
        phi = np.repeat(r.phi[:, None], L, axis=1)
        yy = Y[np.arange(B)[:, None], weeks[:, None] - np.arange(L)[::-1][None, :]]
        ok = np.all(np.isfinite(mu0), axis=1)
        mu0 = np.where(np.isfinite(mu0), mu0, 1e-6)
        phi = np.where(np.isfinite(phi), phi, 1.0)
        c = nb_cusum(yy, mu0, phi, alpha=alpha, shift=CUSUM_SHIFT, seed=seed)
        extra = [
            {"statistic": float(c.statistic[i]), "window": L, "shift": CUSUM_SHIFT, "b": b}
            for i in range(B)
        ]
        return _Judged(
            np.where(ok, mu0[:, -1], np.nan),
            np.where(ok, c.threshold, np.nan),
            c.alarm & ok,
            np.where(ok, c.p_value, np.nan),
            extra,
        )
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def _needed(method: str, b: int) -> int:
    if method == "seasonal_regression":
        return seasonal_history_needed(b)
    if method in ("farrington_noufaily", "farrington_1996"):
        return history_needed(_settings_for(method, b))
    return ears_history_needed(method[-2:].upper())


def _auto_many(
    series: np.ndarray, *, alpha: float, seed: int
) -> tuple[list[Choice], np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """Judge the last week of each row of ``series`` (S, T) with the method chosen for it."""
    S, T = series.shape
    choices = [choose_method(series[i, :-1]) for i in range(S)]
    exp = np.full(S, np.nan)
    thr = np.full(S, np.nan)
    alarm = np.zeros(S, dtype=bool)
    pv = np.full(S, np.nan)
    extra: list[dict[str, Any]] = [{} for _ in range(S)]
    groups: dict[tuple[str, int, int], list[int]] = {}
    for i, c in enumerate(choices):
        if c.method != "none":
            groups.setdefault((c.method, c.b, c.start), []).append(i)
    for (method, b, start), idx in groups.items():
        sub = series[idx, start:]
        j = judge(
            sub,
            np.full(len(idx), sub.shape[1] - 1),
            method=method,
            alpha=alpha,
            b=b,
            seed=seed,
            ears_min_sigma=EARS_MIN_SIGMA,
        )
        exp[idx], thr[idx], alarm[idx], pv[idx] = j.expected, j.threshold, j.alarm, j.p_value
        for k, i in enumerate(idx):
            extra[i] = j.extra[k]
    return choices, exp, thr, alarm, pv, extra


def _parameters(method: str, alpha: float, length: int, choice: Choice, extra: dict[str, Any]):
    p: dict[str, Any] = {"alpha": alpha, "series_weeks": length, "reason": choice.reason}
    if choice.start:
        p["first_week_used"] = choice.start
    if method.startswith("farrington"):
        p["settings"] = _settings_for(method, choice.b).as_dict()
    if method == "seasonal_regression":
        p["settings"] = seasonal_settings()
    p.update(extra)
    return p


# --------------------------------------------------------------------------- public API


@single_threaded
def series_band(
    counts: np.ndarray, *, last: int = 52, alpha: float = 0.01, method: str = "auto"
) -> Band:
    """For a 1-D weekly series, expected/threshold/alarm for each of the last ``last`` weeks,
    each judged prospectively against only the weeks before it."""
    y = _as_counts(counts, 1)
    _check_alpha(alpha)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if last < 1:
        raise ValueError("last must be at least 1")
    T = len(y)
    last = min(last, T)
    exp = np.full(last, np.nan)
    thr = np.full(last, np.nan)
    alarm = np.zeros(last, dtype=bool)
    first = T - last
    if method == "auto":
        # chosen on the history before the last week; earlier weeks with too little history for
        # the chosen method are left out (NaN)
        choice = choose_method(y[:-1])
        chosen = choice.method
    else:
        gap = _find_gap(y[:-1])
        choice = Choice(method, gap[1] if gap else 0, "chosen by the caller", 0)
        chosen = method
    params: dict[str, Any] = {"alpha": alpha, "series_weeks": T, "reason": choice.reason}
    if chosen == "none":
        return Band(exp, thr, alarm, "none", params)
    start = choice.start
    sub = y[start:]
    weeks = np.arange(first, T) - start
    ok = np.zeros(last, dtype=bool)
    years_back = np.zeros(last, dtype=int)
    if chosen == "seasonal_regression":
        years_back = years_for(weeks)
        ok = years_back > 0
    elif chosen in ("farrington_noufaily", "farrington_1996", "nb_cusum"):
        # each week uses as many whole years of history as it has (at least 2, at most 5)
        years_back = np.clip((weeks - NOUFAILY.w) // 52, 0, 5)
        ok = years_back >= 2
    else:
        ok = weeks >= _needed(chosen, 0)
    for b in np.unique(years_back[ok]):
        sel = ok & (years_back == b)
        wk = weeks[sel]
        j = judge(
            np.broadcast_to(sub, (len(wk), len(sub))),
            wk,
            method=chosen,
            alpha=alpha,
            b=int(b),
            ears_min_sigma=EARS_MIN_SIGMA if method == "auto" else 0.0,
        )
        exp[sel], thr[sel], alarm[sel] = j.expected, j.threshold, j.alarm
    b = int(years_back.max()) if years_back.size else 0
    if chosen == "seasonal_regression":
        params["settings"] = seasonal_settings()
    elif chosen.startswith("farrington") or chosen == "nb_cusum":
        params["settings"] = replace(
            NOUFAILY if chosen != "farrington_1996" else FARRINGTON_1996, b=b
        ).as_dict()
    if start:
        params["first_week_used"] = start
    if "settings" in params:  # the methods that look back whole years
        params["years_back"] = sorted(int(v) for v in np.unique(years_back[ok]))
    params["weeks_without_enough_history"] = int((~ok).sum())
    return Band(exp, thr, alarm, chosen, params)


@single_threaded
def city_alarms(
    counts: np.ndarray,
    *,
    wards: Sequence[str],
    categories: Sequence[str],
    adjacency: Mapping[str, Sequence[str]],
    alpha: float = 0.01,
    seed: int = 0,
    scan_replicates: int = 999,
) -> list[Alarm]:
    """counts: integer array (weeks, wards, categories); the LAST week is the current week,
    judged against the weeks before it. Returns the alarms for the current week: per ward and
    category (method chosen automatically by length and counts), the space-time scan over groups
    of neighbouring wards (per category), and citywide per category."""
    X = _as_counts(counts, 3)
    _check_alpha(alpha)
    T, W, C = X.shape
    wards = list(wards)
    categories = list(categories)
    if len(wards) != W:
        raise ValueError(f"counts has {W} wards but {len(wards)} ward codes were given")
    if len(categories) != C:
        raise ValueError(f"counts has {C} categories but {len(categories)} were given")
    if len(set(wards)) != W:
        raise ValueError("ward codes must be unique")
    if len(set(categories)) != C:
        raise ValueError("categories must be unique")
    if scan_replicates < 0:
        raise ValueError("scan_replicates must not be negative")
    neighbours = neighbours_from_adjacency(wards, adjacency)
    alarms: list[Alarm] = []

    # Ward x category series, then citywide per category: one batch.
    ward_series = X.transpose(1, 2, 0).reshape(W * C, T)
    city_series = X.sum(axis=1).T  # (C, T)
    all_series = np.concatenate([ward_series, city_series], axis=0)
    choices, exp, thr, alarm, pv, extra = _auto_many(all_series, alpha=alpha, seed=seed)
    for i in np.nonzero(alarm)[0]:
        ch = choices[i]
        # A two-week alarm reports the two weeks' count and expected count (judge() gives them).
        obs = float(extra[i].pop("observed", all_series[i, -1]))
        expected = float(extra[i].pop("expected_window", exp[i]))
        params = _parameters(ch.method, alpha, T, ch, extra[i])
        kind: Literal["ward", "city"]
        codes: tuple[str, ...]
        if i < W * C:
            w, c = divmod(int(i), C)
            kind, codes = "ward", (wards[w],)
        else:
            c = int(i) - W * C
            kind, codes = "city", ()
        alarms.append(
            Alarm(
                kind,
                codes,
                categories[c],
                obs,
                expected,
                float(thr[i]),
                _opt(pv[i]),
                ch.method,
                params,
            )
        )

    # Space-time scan per category.
    zones = clusters_by_adjacency(W, neighbours, SCAN_MAX_WARDS)
    for c in range(C):
        res = space_time_scan(
            X[:, :, c],
            zones,
            max_weeks=SCAN_MAX_WEEKS,
            study_weeks=SCAN_STUDY_WEEKS,
            replicates=scan_replicates,
            seed=seed + c,
        )
        for cl in res.clusters:
            if scan_replicates == 0 or cl.p_value > alpha:
                continue
            threshold = res.threshold_count(cl, alpha)
            if not np.isfinite(threshold):  # ties in the replicates: the observed count qualifies
                threshold = cl.observed
            alarms.append(
                Alarm(
                    "cluster",
                    tuple(wards[i] for i in cl.wards),
                    categories[c],
                    cl.observed,
                    cl.expected,
                    threshold,
                    cl.p_value,
                    "space_time_scan",
                    {
                        "alpha": alpha,
                        "series_weeks": T,
                        "study_weeks": min(SCAN_STUDY_WEEKS, T),
                        "window_weeks": cl.weeks,
                        "max_weeks": SCAN_MAX_WEEKS,
                        "max_wards": SCAN_MAX_WARDS,
                        "replicates": scan_replicates,
                        "seed": seed + c,
                        "llr": cl.llr,
                        "total_cases": res.total_cases,
                        "overdispersion": res.phi,
                    },
                )
            )
    return alarms


def _opt(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None
