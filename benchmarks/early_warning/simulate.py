"""The Noufaily et al. (2013) simulation, ported from ../shared/benchmarks/early-warning/noufaily_sim.R
to NumPy (same design and parameters; NumPy's random numbers, so not the same draws as R)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N = 624
CUR = np.arange(576, 625)  # 1-based evaluation weeks
BASEW = np.arange(313, 576)  # 1-based weeks that can hold past outbreaks

_BASE = {
    "theta": [0.1, -2, 1.5, 0.5, 2.5, 3.75, 5],
    "beta": [0.0025, 0.005, 0.003, 0.002, 0.001, 0.001, 0.0001],
    "gamma1": [0.6, 0.1, 0.2, 0.5, 1, 0.1, 0.05],
    "gamma2": [0.6, 0.3, -0.4, 0.5, 0.1, -0.1, 0.01],
    "phi": [1.5, 2, 1, 5, 3, 1.1, 1.2],
}


@dataclass(frozen=True)
class Scenario:
    id: int
    theta: float
    beta: float
    gamma1: float
    gamma2: float
    m: int
    phi: float


def scenarios() -> list[Scenario]:
    """42 scenarios in the same order as the R script (for each set: trend 0/1 inside m 0..2)."""
    out = []
    sid = 1
    for i in range(7):
        # expand.grid(m=0:2, trend=0:1): m varies fastest
        for trend in range(2):
            for m in range(3):
                out.append(
                    Scenario(
                        sid,
                        _BASE["theta"][i],
                        _BASE["beta"][i] if trend else 0.0,
                        _BASE["gamma1"][i] if m else 0.0,
                        _BASE["gamma2"][i] if m else 0.0,
                        m,
                        _BASE["phi"][i],
                    )
                )
                sid += 1
    return out


def mu_t(s: Scenario) -> np.ndarray:
    t = np.arange(1, N + 1)
    seas = np.zeros(N)
    for j in range(1, s.m + 1):
        seas += s.gamma1 * np.cos(2 * np.pi * j * t / 52) + s.gamma2 * np.sin(
            2 * np.pi * j * t / 52
        )
    return np.exp(s.theta + s.beta * t + seas)


def rnb(rng: np.random.Generator, mu: np.ndarray, phi: float) -> np.ndarray:
    if phi == 1:
        return rng.poisson(mu)
    return rng.negative_binomial(mu / (phi - 1), 1 / phi)


def add_outbreak(
    rng: np.random.Generator, y: np.ndarray, start: int, k: int, mu: np.ndarray, phi: float
) -> tuple[np.ndarray, np.ndarray]:
    """start is 1-based. Returns the new series and the 1-based outbreak weeks."""
    v = rng.poisson(k * np.sqrt(phi * mu[start - 1]))
    if v == 0:
        return y, np.zeros(0, dtype=int)
    w = start + np.floor(rng.lognormal(0.0, 0.5, size=v)).astype(int)
    w = w[w <= len(y)]
    y = y.copy()
    weeks, cnt = np.unique(w, return_counts=True)
    y[weeks - 1] += cnt
    return y, weeks


@dataclass(frozen=True)
class Sim:
    y_nocur: np.ndarray
    y: np.ndarray
    ob_weeks: np.ndarray  # 1-based
    start: int
    k: int


def sim_one(s: Scenario, rng: np.random.Generator) -> Sim:
    mu = mu_t(s)
    y0 = rnb(rng, mu, s.phi)
    for _ in range(4):
        y0, _w = add_outbreak(
            rng, y0, int(rng.choice(BASEW)), int(rng.choice([2, 3, 5, 10])), mu, s.phi
        )
    k = int(rng.integers(1, 11))
    st = int(rng.choice(CUR))
    y, weeks = add_outbreak(rng, y0, st, k, mu, s.phi)
    return Sim(y0, y, weeks, st, k)
