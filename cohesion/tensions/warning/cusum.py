"""Negative-binomial CUSUM for slow rises (Höhle & Paul 2008 style).

Given each week's in-control mean ``mu0`` and dispersion ``phi`` (variance ``phi * mu0``, from the
improved Farrington fit), the CUSUM adds the log-likelihood ratio of "mean ``mu1``" against
"mean ``mu0``", with ``mu1 = mu0 + shift * sqrt(phi * mu0)``, week by week over the last ``window``
weeks, resetting at zero: ``S_t = max(0, S_{t-1} + LLR_t)``. The alarm threshold is the
``1 - alpha`` quantile of ``S`` in the current week when the series is in control, found by
simulating ``paths`` in-control series with the same means (a fixed seed, so it is
reproducible).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CusumResult", "nb_cusum"]


@dataclass(frozen=True)
class CusumResult:
    statistic: np.ndarray  # (B,) S in the current week
    threshold: np.ndarray  # (B,) h
    alarm: np.ndarray
    p_value: np.ndarray


def _llr(y: np.ndarray, mu0: np.ndarray, phi: np.ndarray, shift: float) -> np.ndarray:
    mu1 = mu0 + shift * np.sqrt(phi * mu0)
    # NB with the same size r = mu0/(phi-1) under both hypotheses; Poisson when phi == 1.
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(phi > 1.0 + 1e-9, mu0 / (phi - 1.0), np.inf)
        pois = y * np.log(mu1 / mu0) - (mu1 - mu0)
        nb = y * np.log(mu1 * (r + mu0) / (mu0 * (r + mu1))) + r * np.log((r + mu0) / (r + mu1))
    return np.where(np.isfinite(r), nb, pois)


def nb_cusum(
    y: np.ndarray,
    mu0: np.ndarray,
    phi: np.ndarray,
    *,
    alpha: float = 0.01,
    shift: float = 1.0,
    paths: int = 1000,
    seed: int = 0,
) -> CusumResult:
    """``y``, ``mu0``: (B, L) the last L weeks (current week last); ``phi``: (B,) or (B, L)."""
    y = np.asarray(y, dtype=float)
    mu0 = np.maximum(np.asarray(mu0, dtype=float), 1e-6)
    phi = np.broadcast_to(np.asarray(phi, dtype=float).reshape(y.shape[0], -1), y.shape)
    phi = np.maximum(phi, 1.0)
    B, L = y.shape
    inc = _llr(y, mu0, phi, shift)
    S = np.zeros(B)
    for t in range(L):
        S = np.maximum(0.0, S + inc[:, t])
    rng = np.random.default_rng(seed)
    mu_p = np.broadcast_to(mu0[:, None, :], (B, paths, L))
    phi_p = np.broadcast_to(phi[:, None, :], (B, paths, L))
    size = np.where(phi_p > 1.0 + 1e-9, mu_p / np.maximum(phi_p - 1.0, 1e-12), 0.0)
    lam = np.where(phi_p > 1.0 + 1e-9, rng.gamma(np.maximum(size, 1e-12), (phi_p - 1.0)), mu_p)
    sim = rng.poisson(lam)
    inc_s = _llr(sim, mu_p, phi_p, shift)
    Ss = np.zeros((B, paths))
    for t in range(L):
        Ss = np.maximum(0.0, Ss + inc_s[:, :, t])
    h = np.quantile(Ss, 1.0 - alpha, axis=1, method="higher")
    p = (1.0 + np.sum(Ss >= S[:, None] - 1e-12, axis=1)) / (paths + 1.0)
    alarm = (h < S) & (S > 0)
    return CusumResult(statistic=S, threshold=h, alarm=alarm, p_value=p)
