"""How close is the early warning to the best its tests could do? An oracle on the Noufaily et
al. (2013) simulation study.

    .venv/bin/python benchmarks/early_warning/oracle.py --seeds 1 3 5 7

The shipped method (``seasonal``: a fitted baseline, then a one-week and a two-week
negative-binomial test, with the "5 reports in 4 weeks" rule) is run beside an **oracle** that
uses the very same tests and rules (``seasonal.judge``) but is given each series' *true* expected
counts and dispersion, which the simulator knows and no real method can. Whatever the oracle
cannot find, no better estimate of the baseline can find either with these tests.

The oracle is run at the shipped shares of alpha and over a grid of shares, to draw the best
probability of detection (POD) it reaches at a false-alarm rate no higher than the shipped
method's, for each floor on the share of outbreaks found in their first week. The series are
those of ``noufaily.py`` (same simulator, same random streams for the same seed), and the
anchor's method (the improved Farrington method, identical to R's ``farringtonFlexible``, see
``noufaily.py``) is run on them too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from noufaily import NW, WEEKS0, series_metrics, summarise  # noqa: E402
from simulate import Sim, mu_t, scenarios, sim_one  # noqa: E402

from cohesion.tensions.warning.farrington import NOUFAILY, farrington  # noqa: E402
from cohesion.tensions.warning.seasonal import (  # noqa: E402
    LIMIT_WEEKS,
    ONE_WEEK_SHARE,
    TWO_WEEK_SHARE,
    expected_counts,
    judge,
    years_for,
)

ONE_WEEK_GRID = np.round(np.arange(0.5, 1.41, 0.05), 2)
TWO_WEEK_GRID = np.round(np.arange(0.0, 1.01, 0.05), 2)
FIRST_WEEK_FLOORS = (0.40, 0.41, 0.42, 0.43)


def _summary(alarms: np.ndarray, sims: list[Sim]) -> dict[str, float]:
    """alarms: (n, 2, 49), index 1 of axis 1 = the series with the current outbreak."""
    return summarise([series_metrics(a[0], a[1], sim) for a, sim in zip(alarms, sims, strict=True)])


def frontier(grid: list[dict[str, float]], fpr_cap: float) -> dict[str, Any]:
    """For each floor on first-week detections, the grid point with the highest POD at a
    false-alarm rate of at most ``fpr_cap`` (None if no point reaches the floor)."""
    within = [g for g in grid if g["FPR"] <= fpr_cap]
    out: dict[str, Any] = {}
    for floor in FIRST_WEEK_FLOORS:
        ok = [g for g in within if g["POD1w"] >= floor]
        out[f"{floor:.2f}"] = max(ok, key=lambda g: (g["POD"], g["POD1w"])) if ok else None
    return out


class Seed:
    """The 42 × reps series pairs of one seed, with what the oracle needs to judge them."""

    def __init__(self, seed: int, reps: int, alpha: float) -> None:
        self.sims: list[Sim] = []
        windows, true_mu, true_phi, fitted_mu, fitted_phi = [], [], [], [], []
        anchor = []
        for s in scenarios():
            sims = [sim_one(s, np.random.default_rng([seed, s.id, i])) for i in range(reps)]
            self.sims += sims
            series = np.stack([np.stack([sim.y_nocur, sim.y]) for sim in sims]).astype(float)
            flat = series.reshape(len(sims) * 2, -1)
            rows = np.repeat(np.arange(len(flat)), NW)
            weeks = np.tile(WEEKS0, len(flat))
            Y = flat[rows]
            mu_fit, phi_fit = expected_counts(Y, weeks, years=years_for(int(WEEKS0[0])))
            fitted_mu.append(mu_fit)
            fitted_phi.append(phi_fit)
            anchor.append(farrington(Y, weeks, alpha=alpha, settings=NOUFAILY).alarm)
            # The oracle needs only the last few weeks of each judged week.
            windows.append(
                Y[np.arange(len(weeks))[:, None], weeks[:, None] + np.arange(-LIMIT_WEEKS, 1)]
            )
            mu = mu_t(s)
            true_mu.append(np.stack([mu[weeks - 1], mu[weeks]], axis=1))
            true_phi.append(np.full(len(weeks), s.phi))
        self.windows = np.concatenate(windows)
        self.baselines = {
            "true": (np.concatenate(true_mu), np.concatenate(true_phi)),
            "fitted": (np.concatenate(fitted_mu), np.concatenate(fitted_phi)),
        }
        self.alpha = alpha
        self.anchor = np.concatenate(anchor).reshape(len(self.sims), 2, NW)

    def alarms(self, baseline: str, shares: tuple[float, float]) -> np.ndarray:
        """The seasonal regression's tests with the ``"fitted"`` baseline (the shipped method
        when ``shares`` are the shipped ones) or the ``"true"`` one (the oracle)."""
        mu, phi = self.baselines[baseline]
        weeks = np.full(len(self.windows), LIMIT_WEEKS)
        result = judge(self.windows, weeks, mu, phi, alpha=self.alpha, shares=shares)
        return result.alarm.reshape(len(self.sims), 2, NW)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 3, 5, 7])
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--alpha", type=float, default=0.01)
    ap.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/early_warning_oracle.json")
    )
    args = ap.parse_args()

    seeds = []
    for seed in args.seeds:
        seeds.append(Seed(seed, args.reps, args.alpha))
        print(f"seed {seed} simulated and judged", file=sys.stderr, flush=True)
    sims = [sim for s in seeds for sim in s.sims]

    def pooled(alarms: list[np.ndarray]) -> dict[str, float]:
        return _summary(np.concatenate(alarms), sims)

    shipped_shares = (ONE_WEEK_SHARE, TWO_WEEK_SHARE)
    shipped = pooled([s.alarms("fitted", shipped_shares) for s in seeds])
    anchor = pooled([s.anchor for s in seeds])
    at_shipped = pooled([s.alarms("true", shipped_shares) for s in seeds])
    grids: dict[str, list[dict[str, float]]] = {"fitted": [], "true": []}
    for a in ONE_WEEK_GRID:
        for b in TWO_WEEK_GRID:
            for baseline, grid in grids.items():
                r = pooled([s.alarms(baseline, (float(a), float(b))) for s in seeds])
                grid.append({"one_week_share": float(a), "two_week_share": float(b), **r})
    frontiers = {baseline: frontier(grid, shipped["FPR"]) for baseline, grid in grids.items()}

    res = {
        "seeds": args.seeds,
        "reps": args.reps,
        "alpha": args.alpha,
        "series_pairs": len(sims),
        "shipped": shipped,
        "anchor_improved_farrington": anchor,
        "oracle_at_shipped_shares": at_shipped,
        "frontier_fitted": frontiers["fitted"],
        "frontier_oracle": frontiers["true"],
        "grid_fitted": grids["fitted"],
        "grid_oracle": grids["true"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=1))

    def row(name: str, r: dict[str, float], shares: str = "") -> str:
        return f"| {name} | {100 * r['FPR']:.2f}% | {r['POD']:.3f} | {r['POD1w']:.3f} | {shares} |"

    print(f"\nSeeds {args.seeds}, {len(sims)} series pairs, alpha {args.alpha}\n")
    print("| method | FPR | POD | POD first week | shares of alpha (one-week, two-week) |")
    print("|---|---:|---:|---:|---|")
    print(row("improved Farrington (the anchor's method)", anchor))
    print(row("seasonal regression (shipped)", shipped, f"{ONE_WEEK_SHARE}, {TWO_WEEK_SHARE}"))
    print(
        row(
            "oracle: the same tests on the true baseline",
            at_shipped,
            f"{ONE_WEEK_SHARE}, {TWO_WEEK_SHARE}",
        )
    )
    for floor in FIRST_WEEK_FLOORS:
        for baseline, name in (("fitted", "seasonal regression"), ("true", "oracle")):
            g = frontiers[baseline][f"{floor:.2f}"]
            label = f"{name}, best shares: FPR ≤ shipped, first week ≥ {floor:.2f}"
            if g is not None:
                print(row(label, g, f"{g['one_week_share']}, {g['two_week_share']}"))
    print(f"\nWritten to {args.out}")


if __name__ == "__main__":
    main()
