"""Weighting a self-selected sample to the population: raking (iterative proportional fitting).

Pure Python with NumPy, no Django. Given each respondent's answer to some "about you" questions
(age band, ward, ...) and the population's share in each category of each question (the census
margins), :func:`rake` finds weights that make the weighted sample match every margin at once.

How it works
------------
* Start from the base weights (1 for everyone unless given).
* For each margin in turn, scale the weights of the respondents in each category so that the
  category's weighted share equals its population share. Respondents who did not answer that
  question (or gave an answer the margin does not cover, such as "prefer not to say") keep their
  weight for that step, and the respondents who did answer keep their total weight, so a missing
  answer neither counts for nor against any category.
* Repeat over all margins until no weighted share is further than ``tolerance`` from its target.
* Trimming: extreme weights make results unstable. After raking, weights are clipped to
  ``[trim_low, trim_high]`` times the mean weight and the raking is run again, alternating until
  the weights stay inside the bounds (or ``max_trim_rounds`` is reached). When trimming binds the
  margins are met only approximately; ``max_margin_error`` says by how much.
* A margin category with a population share above 0 that has no respondents cannot be matched:
  :class:`WeightingError` names it, so the officer can merge categories or drop the margin.

The Kish design effect ``deff = n * sum(w^2) / (sum w)^2`` says how much the weighting costs in
precision: the effective sample size is ``n / deff``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np


class WeightingError(ValueError):
    """The weights cannot be worked out; the message says why in plain English."""


@dataclass(frozen=True)
class RakeResult:
    weights: np.ndarray  # one per respondent, mean 1
    iterations: int
    converged: bool
    design_effect: float
    effective_n: float
    trimmed: int  # weights that hit a trimming bound in the last round
    max_margin_error: float  # largest |weighted share - target| over all margin categories
    weighted_shares: dict[str, dict[Hashable, float]] = field(default_factory=dict)


def kish_design_effect(weights: Sequence[float] | np.ndarray) -> float:
    """Kish's approximate design effect from unequal weights: n * sum(w^2) / (sum w)^2."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0:
        raise WeightingError("There are no respondents to weight")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise WeightingError("Weights must be finite and not negative")
    total = float(w.sum())
    if total <= 0:
        raise WeightingError("The weights add up to 0")
    return float(w.size * float(np.dot(w, w)) / (total * total))


def _normalise_targets(name: str, targets: Mapping[Hashable, float]) -> dict[Hashable, float]:
    if not targets:
        raise WeightingError(f"The margin “{name}” has no categories")
    cleaned: dict[Hashable, float] = {}
    for key, value in targets.items():
        v = float(value)
        if not math.isfinite(v) or v < 0:
            raise WeightingError(f"The population figure for “{key}” in “{name}” must be 0 or more")
        cleaned[key] = v
    total = sum(cleaned.values())
    if total <= 0:
        raise WeightingError(f"The population figures for “{name}” add up to 0")
    return {k: v / total for k, v in cleaned.items()}


def _shares(w: np.ndarray, codes: np.ndarray, n_categories: int) -> tuple[np.ndarray, float]:
    known = codes >= 0
    total = float(w[known].sum())
    sums = np.bincount(codes[known], weights=w[known], minlength=n_categories)
    return (sums / total if total > 0 else sums), total


def _clip_to_bounds(w: np.ndarray, low: float, high: float) -> np.ndarray:
    """Clip to [low, high] times the mean and share out the difference, until it holds."""
    n = len(w)
    for _ in range(200):
        w = np.clip(w, low, high)
        w = w * (n / w.sum())
        if np.all((w >= low * (1 - 1e-6)) & (w <= high * (1 + 1e-6))):
            break
    return w


def rake(
    *,
    categories: Mapping[str, Sequence[Hashable | None]],
    margins: Mapping[str, Mapping[Hashable, float]],
    base_weights: Sequence[float] | None = None,
    trim_low: float | None = 0.2,
    trim_high: float | None = 5.0,
    tolerance: float = 1e-6,
    max_iterations: int = 200,
    max_trim_rounds: int = 20,
) -> RakeResult:
    """Raking weights so that the weighted sample matches each margin.

    ``categories``: margin name -> each respondent's category (None or an unknown category:
    not answered). ``margins``: margin name -> {category: population count or share}.
    ``trim_low``/``trim_high``: bounds as multiples of the mean weight (None: no trimming).
    """
    if not margins:
        raise WeightingError("Give at least one census margin to weight to")
    missing = [name for name in margins if name not in categories]
    if missing:
        raise WeightingError(f"There are no answers for the margin “{missing[0]}”")
    lengths = {len(categories[name]) for name in margins}
    if len(lengths) != 1:
        raise WeightingError("Every margin needs one answer (or a blank) per respondent")
    n = lengths.pop()
    if n == 0:
        raise WeightingError("There are no respondents to weight")
    if trim_low is not None and trim_high is not None and not 0 <= trim_low < 1 < trim_high:
        raise WeightingError("Trimming bounds must be below 1 and above 1 times the mean weight")

    w = np.ones(n) if base_weights is None else np.asarray(base_weights, dtype=float).copy()
    if w.shape != (n,) or np.any(w <= 0) or not np.all(np.isfinite(w)):
        raise WeightingError("Base weights must be one positive number per respondent")

    prepared: list[tuple[str, list[Hashable], np.ndarray, np.ndarray]] = []
    for name, raw_targets in margins.items():
        targets = _normalise_targets(name, raw_targets)
        keys = list(targets)
        index = {k: i for i, k in enumerate(keys)}
        codes = np.array([index.get(v, -1) if v is not None else -1 for v in categories[name]])
        if not np.any(codes >= 0):
            raise WeightingError(
                f"No respondent answered “{name}”, so it cannot be used for weighting"
            )
        counts = np.bincount(codes[codes >= 0], minlength=len(keys))
        empty = [keys[i] for i in range(len(keys)) if counts[i] == 0 and targets[keys[i]] > 0]
        if empty:
            raise WeightingError(
                f"No respondent is in “{empty[0]}” for “{name}”, so the results cannot be weighted "
                "to that margin. Merge it with a neighbouring category or leave this margin out"
            )
        prepared.append((name, keys, codes, np.array([targets[k] for k in keys])))

    def one_pass(w: np.ndarray) -> np.ndarray:
        for _name, keys, codes, target in prepared:
            shares, _total = _shares(w, codes, len(keys))
            factor = np.ones(len(keys))
            nonzero = shares > 0
            factor[nonzero] = target[nonzero] / shares[nonzero]
            known = codes >= 0
            w[known] = w[known] * factor[codes[known]]
        return w

    def error(w: np.ndarray) -> float:
        worst = 0.0
        for _name, keys, codes, target in prepared:
            shares, _ = _shares(w, codes, len(keys))
            worst = max(worst, float(np.max(np.abs(shares - target))))
        return worst

    iterations = 0
    ever_trimmed = np.zeros(n, dtype=bool)
    low = trim_low if trim_low is not None else 0.0
    high = trim_high if trim_high is not None else math.inf
    trimming = trim_low is not None or trim_high is not None
    for _round in range(max_trim_rounds + 1):
        for _ in range(max_iterations):
            iterations += 1
            w = one_pass(w)
            if error(w) <= tolerance:
                break
        w = w * (n / w.sum())
        if not trimming:
            break
        outside = (w < low * (1 - 1e-6)) | (w > high * (1 + 1e-6))
        if not outside.any():
            break
        ever_trimmed |= outside
        w = _clip_to_bounds(w, low, high)
    if trimming:
        w = _clip_to_bounds(w, low, high)
    trimmed = int(ever_trimmed.sum())
    final_error = error(w)
    converged = final_error <= max(tolerance * 10, 1e-5)
    deff = kish_design_effect(w)
    weighted: dict[str, dict[Hashable, float]] = {}
    for name, keys, codes, _target in prepared:
        shares, _ = _shares(w, codes, len(keys))
        weighted[name] = {k: float(s) for k, s in zip(keys, shares, strict=True)}
    return RakeResult(
        weights=w,
        iterations=iterations,
        converged=converged,
        design_effect=deff,
        effective_n=n / deff,
        trimmed=trimmed,
        max_margin_error=final_error,
        weighted_shares=weighted,
    )


def weighted_proportion(weights: np.ndarray, mask: np.ndarray) -> float:
    """The weighted share of respondents for whom ``mask`` is true."""
    total = float(weights.sum())
    if total <= 0:
        raise WeightingError("The weights add up to 0")
    return float(weights[mask].sum() / total)
