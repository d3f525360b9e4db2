"""The Farrington family of outbreak detectors, vectorised over many series and weeks.

Both the original method (Farrington et al. 1996) and the improved one (Noufaily et al. 2013)
are the same recipe with different settings; this module follows the R package `surveillance`
(`farringtonFlexible`, version 1.20) step by step so that the alarms agree with it:

1. Reference weeks: for each of the ``b`` past years, the ``2w + 1`` weeks around the same week
   of that year. With ``no_periods > 1`` (Noufaily) every week in the last ``b`` years is used
   and the weeks between the windows are split into ``no_periods - 1`` seasonal blocks; the
   regression has a factor with ``no_periods`` levels. The most recent ``past_weeks_excluded``
   weeks (and the current week) are left out.
2. A quasi-Poisson GLM with log link (intercept, optional linear trend, optional factor) is
   fitted by iteratively reweighted least squares (IRLS).
3. Past outbreaks are down-weighted: standardised Anscombe residuals above
   ``weights_threshold`` get weight ``s**-2`` (normalised), and the model is refitted.
4. The trend is kept only if its p-value is below ``p_threshold_trend``, there are at least
   three years of data, and the prediction does not exceed the largest count used.
5. Threshold: the original method uses a 2/3-power transformation and the delta method; the
   improved one the ``1 - alpha`` quantile of a negative binomial with mean ``exp(eta)`` and
   variance ``phi * mean`` (the "nbPlugin" threshold).
6. No alarm unless at least ``limit54[0]`` cases in the last ``limit54[1]`` weeks (the current
   week included) and the current count is not zero.

All design matrices depend only on the position of a week relative to the current week, so all
fits for all series and weeks share one design and are solved together in NumPy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from ._threads import single_threaded

__all__ = [
    "FARRINGTON_1996",
    "NOUFAILY",
    "FarringtonResult",
    "FarringtonSettings",
    "farrington",
    "history_needed",
]

FloatArray = np.ndarray


@dataclass(frozen=True)
class FarringtonSettings:
    b: int = 5
    w: int = 3
    reweight: bool = True
    weights_threshold: float = 2.58
    trend: bool = True
    p_threshold_trend: float = 1.0
    limit54: tuple[int, int] = (5, 4)
    no_periods: int = 10
    past_weeks_excluded: int = 26
    threshold_method: str = "nbPlugin"  # or "delta" (original, 2/3 power transform)
    freq: int = 52
    #: Reproduce surveillance 1.20 exactly: after reweighting, R's summary() of the refitted
    #: model sees the prior weights in place of the working weights, so the dispersion used for
    #: the standard error of the prediction and the trend test is sum(omega (y-mu)^2/mu^2)/df.
    #: This matters for the original method (delta threshold), not for the nbPlugin threshold.
    surveillance_compatible: bool = True

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["limit54"] = list(self.limit54)
        return d


#: Settings of the improved method (Noufaily et al. 2013), as in the benchmark's anchor.
NOUFAILY = FarringtonSettings()
#: Settings of the original method (Farrington et al. 1996), as in the benchmark's anchor.
FARRINGTON_1996 = FarringtonSettings(
    weights_threshold=1.0,
    p_threshold_trend=0.05,
    no_periods=1,
    past_weeks_excluded=3,
    threshold_method="delta",
)


@dataclass(frozen=True)
class FarringtonResult:
    """Arrays of shape (n,) for n judged weeks."""

    expected: FloatArray  # exp(eta) (nbPlugin) or mu0 (delta); NaN if no fit
    threshold: FloatArray  # upper bound; NaN if no fit
    alarm: np.ndarray  # bool
    p_value: FloatArray  # P(Y >= y) under the fitted model
    phi: FloatArray
    trend_used: np.ndarray  # bool
    enough_cases: np.ndarray  # bool
    #: (B, recent_weeks) expected counts for the judged week and the weeks just before it
    #: (oldest first) from the same fit; empty unless asked for
    expected_recent: np.ndarray | None = None


def history_needed(settings: FarringtonSettings) -> int:
    """Weeks of history needed before the judged week."""
    return settings.b * settings.freq + settings.w


def _levels(s: FarringtonSettings) -> np.ndarray:
    """Seasonal level of every week from ``b`` years and ``w`` weeks back to the current week
    (index ``span`` = the current week), before any week is left out."""
    span = s.b * s.freq + s.w
    # index i <-> offset span - i (i = span is the current week)
    level = np.full(span + 1, -1, dtype=int)
    now = span
    p = s.no_periods
    level[now - s.w : now + 1] = p
    for i in range(1, s.b + 1):
        ref = now - s.freq * i
        level[ref - s.w : ref + s.w + 1] = p
        if p != 1:
            period = s.freq - 2 * s.w - 1
            if period < p - (2 * s.w + 1):
                raise ValueError("Too many seasonal periods for this window.")
            lengths = np.full(p - 1, period // (p - 1))
            lengths[: period % (p - 1)] += 1
            start = ref + s.w + 1
            for j in range(p - 1):
                level[start : start + lengths[j]] = j + 1
                start += lengths[j]
    return level


def _design_rows(s: FarringtonSettings) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (weeks before the current week, positive) and seasonal level of each row."""
    level = _levels(s).copy()
    span = len(level) - 1
    level[span - s.past_weeks_excluded :] = -1
    idx = np.nonzero(level >= 0)[0]
    return (span - idx), level[idx]


def _x_rows(s: FarringtonSettings, trend: bool, offsets: np.ndarray) -> np.ndarray:
    """Design rows for weeks ``offsets`` weeks before the current week (for prediction)."""
    level = _levels(s)
    span = len(level) - 1
    lev = level[span - offsets]
    cols = [np.ones(len(offsets))]
    if trend:
        cols.append(-offsets / float(s.freq))
    if s.no_periods != 1:
        for k in range(1, s.no_periods):
            cols.append((lev == k).astype(float))
    return np.column_stack(cols)


def _design(s: FarringtonSettings, trend: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Design matrix X (n, p), the offsets of its rows, and x0 for the current week."""
    offsets, levels = _design_rows(s)
    cols = [np.ones(len(offsets))]
    x0 = [1.0]
    if trend:
        cols.append(-offsets / float(s.freq))  # time in years relative to the current week
        x0.append(0.0)
    if s.no_periods != 1:
        for lev in range(1, s.no_periods):  # level `no_periods` (current season) is the base
            cols.append((levels == lev).astype(float))
            x0.append(0.0)
    return np.column_stack(cols), offsets, np.asarray(x0)


@dataclass
class _Fit:
    beta: np.ndarray  # (B, p)
    mu: np.ndarray  # (B, n)
    inv: np.ndarray  # (B, p, p) (X' W X)^-1 with W the final working weights
    work_w: np.ndarray  # (B, n)
    converged: np.ndarray  # (B,)
    dispersion: np.ndarray  # (B,) Pearson, unclamped
    se_dispersion: np.ndarray | None = None  # dispersion used for standard errors


def _outer_rows(X: np.ndarray) -> np.ndarray:
    """Row-wise outer products, flattened: (n, p*p)."""
    return (X[:, :, None] * X[:, None, :]).reshape(X.shape[0], -1)


def _irls(
    X: np.ndarray, Y: np.ndarray, prior: np.ndarray | None, maxit: int = 25, eps: float = 1e-8
) -> _Fit:
    """Poisson/quasi-Poisson log-link GLM by IRLS, like R's glm.fit (start mu = y + 0.1)."""
    B, n = Y.shape
    p = X.shape[1]
    pw = np.ones_like(Y) if prior is None else prior
    mu = Y + 0.1
    eta = np.log(mu)

    def deviance(mu_: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu_), 0.0)
        return np.asarray(2.0 * np.sum(w * (ylogy - (y - mu_)), axis=-1))

    dev_old = deviance(mu, Y, pw)
    beta = np.zeros((B, p))
    inv = np.zeros((B, p, p))
    work_w = pw * mu
    converged = np.zeros(B, dtype=bool)
    active = np.arange(B)
    XX = _outer_rows(X)  # (n, p*p): X'WX = w @ XX, as one matrix product for all series
    for _ in range(maxit):
        if active.size == 0:
            break
        y = Y[active]
        m = mu[active]
        w = pw[active] * m
        z = eta[active] + (y - m) / m
        xtwx = (w @ XX).reshape(-1, p, p)
        xtwz = (w * z) @ X
        try:
            inv_a = np.linalg.inv(xtwx)
        except np.linalg.LinAlgError:
            inv_a = np.linalg.pinv(xtwx)
        b_new = np.einsum("bij,bj->bi", inv_a, xtwz)
        eta_new = b_new @ X.T
        eta_new = np.clip(eta_new, -700.0, 700.0)
        mu_new = np.exp(eta_new)
        dev = deviance(mu_new, y, pw[active])
        beta[active] = b_new
        inv[active] = inv_a
        work_w[active] = w
        eta[active] = eta_new
        mu[active] = mu_new
        done = np.abs(dev - dev_old[active]) / (np.abs(dev) + 0.1) < eps
        dev_old[active] = dev
        converged[active[done]] = True
        active = active[~done]
    df = n - p
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.sum(pw * (Y - mu) ** 2 / mu, axis=1)
    dispersion = pearson / df if df > 0 else np.full(B, np.nan)
    return _Fit(beta, mu, inv, work_w, converged, dispersion)


def _flexible_fit(X: np.ndarray, Y: np.ndarray, s: FarringtonSettings) -> tuple[_Fit, np.ndarray]:
    """Fit, then (optionally) reweight by Anscombe residuals and refit. Returns fit and phi."""
    fit = _irls(X, Y, None)
    phi = np.maximum(fit.dispersion, 1.0)
    if not s.reweight:
        return fit, phi
    mu = fit.mu
    p = X.shape[1]
    hat = fit.work_w * (fit.inv.reshape(-1, p * p) @ _outer_rows(X).T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = 1.5 * (Y ** (2.0 / 3.0) * mu ** (-1.0 / 6.0) - np.sqrt(mu))
        res = a / np.sqrt(phi[:, None] * (1.0 - hat))
        big = res > s.weights_threshold
        inv_sq = np.where(big, res**-2.0, 1.0)
        gamma = Y.shape[1] / np.sum(inv_sq, axis=1)
    omega = gamma[:, None] * inv_sq
    omega = np.where(np.isfinite(omega), omega, 1.0)
    fit2 = _irls(X, Y, omega)
    fit2.converged = fit.converged  # R checks convergence of the first fit only
    if s.surveillance_compatible:
        df = X.shape[0] - X.shape[1]
        fit2.se_dispersion = np.sum(omega * (Y - fit2.mu) ** 2 / fit2.mu**2, axis=1) / df
    return fit2, np.maximum(fit2.dispersion, 1.0)


def _nb_quantile(q: float, mean: np.ndarray, phi: np.ndarray) -> np.ndarray:
    out = np.full(mean.shape, np.nan)
    ok = np.isfinite(mean)
    nb = ok & (phi > 1.0)
    po = ok & ~(phi > 1.0)
    if nb.any():
        size = mean[nb] / (phi[nb] - 1.0)
        out[nb] = stats.nbinom.ppf(q, size, 1.0 / phi[nb])
    if po.any():
        out[po] = stats.poisson.ppf(q, mean[po])
    return out


def _nb_sf(y: np.ndarray, mean: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """P(Y >= y)."""
    out = np.full(mean.shape, np.nan)
    ok = np.isfinite(mean)
    nb = ok & (phi != 1.0)
    po = ok & (phi == 1.0)
    if nb.any():
        size = mean[nb] / (phi[nb] - 1.0)
        out[nb] = stats.nbinom.sf(y[nb] - 1, size, 1.0 / phi[nb])
    if po.any():
        out[po] = stats.poisson.sf(y[po] - 1, mean[po])
    return out


@single_threaded
def farrington(
    series: np.ndarray,
    weeks: np.ndarray,
    *,
    alpha: float = 0.01,
    settings: FarringtonSettings = NOUFAILY,
    recent_weeks: int = 0,
) -> FarringtonResult:
    """Judge week ``weeks[j]`` of series ``series[j]`` (2-D: one row per judged week; rows may
    repeat the same series) against the weeks before it.

    ``series``: (B, T) counts; ``weeks``: (B,) zero-based index of the judged week in each row.
    Every judged week needs ``history_needed(settings)`` weeks before it. With
    ``recent_weeks`` > 0 the result also holds the fitted expected counts of the judged week and
    the ``recent_weeks - 1`` weeks before it (all left out of the fit when ``recent_weeks`` is at
    most ``past_weeks_excluded + 1``), for the CUSUM.
    """
    s = settings
    Yall = np.asarray(series, dtype=float)
    weeks = np.asarray(weeks, dtype=int)
    B = Yall.shape[0]
    if weeks.shape != (B,):
        raise ValueError("weeks must have one entry per row of series")
    if np.any(weeks < history_needed(s)):
        raise ValueError(
            f"each judged week needs {history_needed(s)} weeks of history (b={s.b}, w={s.w})"
        )
    X_t, offsets, x0_t = _design(s, trend=True)
    X_n, _, x0_n = _design(s, trend=False)
    rows = weeks[:, None] - offsets[None, :]
    Y = Yall[np.arange(B)[:, None], rows]
    y_now = Yall[np.arange(B), weeks]
    n_lim = s.limit54[1]
    recent = np.stack([Yall[np.arange(B), weeks - i] for i in range(n_lim)], axis=1)
    enough = recent.sum(axis=1) >= s.limit54[0]
    ymax = Y.max(axis=1)

    def predict(fit: _Fit, x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        eta0 = fit.beta @ x0
        disp = fit.dispersion if fit.se_dispersion is None else fit.se_dispersion
        var = np.einsum("p,bpq,q->b", x0, fit.inv, x0) * disp
        return eta0, np.sqrt(np.maximum(var, 0.0))

    # No-trend pipeline (always needed as the fallback).
    fit_n, phi_n = _flexible_fit(X_n, Y, s)
    eta_n, se_n = predict(fit_n, x0_n)
    eta, se, phi = eta_n.copy(), se_n.copy(), phi_n.copy()
    ok = fit_n.converged.copy()
    trend_used = np.zeros(B, dtype=bool)
    if s.trend:
        fit_t, phi_t = _flexible_fit(X_t, Y, s)
        eta_t, se_t = predict(fit_t, x0_t)
        ti = 1  # trend column
        with np.errstate(divide="ignore", invalid="ignore"):
            disp_t = fit_t.dispersion if fit_t.se_dispersion is None else fit_t.se_dispersion
            tstat = fit_t.beta[:, ti] / np.sqrt(fit_t.inv[:, ti, ti] * disp_t)
        df = X_t.shape[0] - X_t.shape[1]
        pval = 2.0 * stats.t.sf(np.abs(tstat), df)
        do_trend = (
            fit_t.converged
            & (pval < s.p_threshold_trend)
            & (s.b >= 3)
            & (np.exp(np.minimum(eta_t, 700.0)) <= ymax)
        )
        eta = np.where(do_trend, eta_t, eta)
        se = np.where(do_trend, se_t, se)
        phi = np.where(do_trend, phi_t, phi)
        ok = np.where(do_trend, True, ok)
        trend_used = do_trend
    eta = np.where(ok, eta, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        mu0 = np.exp(eta)
    expected_recent = None
    if recent_weeks > 0:
        offs = np.arange(recent_weeks)[::-1]
        eta_r = fit_n.beta @ _x_rows(s, False, offs).T
        if s.trend:
            eta_rt = fit_t.beta @ _x_rows(s, True, offs).T
            eta_r = np.where(trend_used[:, None], eta_rt, eta_r)
        with np.errstate(over="ignore", invalid="ignore"):
            expected_recent = np.where(ok[:, None], np.exp(np.minimum(eta_r, 700.0)), np.nan)
    if s.threshold_method == "nbPlugin":
        upper = _nb_quantile(1.0 - alpha, mu0, phi)
        upper[~np.isfinite(mu0)] = np.nan
        pv = _nb_sf(y_now, mu0, phi)
        pred_fit = eta
    elif s.threshold_method == "delta":
        se_mu = mu0 * se
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            tau = phi + se_mu**2 / mu0
            sd = np.sqrt(4.0 / 9.0 * mu0 ** (1.0 / 3.0) * tau)
            z = stats.norm.ppf(1.0 - alpha)
            upper = (mu0 ** (2.0 / 3.0) + z * sd) ** 1.5
            pv = stats.norm.sf(y_now ** (2.0 / 3.0), loc=mu0 ** (2.0 / 3.0), scale=sd)
        pred_fit = mu0
    else:
        raise ValueError(f"unknown threshold method {s.threshold_method!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (y_now - pred_fit) / (upper - pred_fit)
    alarm = enough & np.isfinite(upper) & (score > 1.0) & (y_now != 0)
    # R returns NaN score (and no alarm) when y == upper == pred; an infinite score alarms.
    return FarringtonResult(
        expected=mu0,
        threshold=upper,
        alarm=np.asarray(alarm, dtype=bool),
        p_value=pv,
        phi=phi,
        trend_used=trend_used,
        enough_cases=enough,
        expected_recent=expected_recent,
    )
