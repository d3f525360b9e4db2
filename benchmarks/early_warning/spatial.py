"""Spatial benchmark on the Stoke-on-Trent ward adjacency: does the space-time scan find a rise
spread over a ward and its neighbours, and sooner than any single ward's own alarm, at no more
than one false alarm a year?

    .venv/bin/python benchmarks/early_warning/spatial.py --outbreaks 40 --null-years 10 --seed 7

Design (ours; there is no anchor for this part):

- 37 wards (2011-2023 boundaries, /work/shared/datasets/geo), adjacency from cohesion.core.geo.
- Baseline: weekly counts of one category, negative binomial (variance 1.5 x mean), ward means
  drawn once from a gamma distribution (mean 1.5 a week), a yearly seasonal wave; 5 years and
  4 weeks of history before the evaluation year.
- Outbreak: a random ward and all its neighbours; starting in a random week of the evaluation
  year, each ward in it gets extra reports growing over 6 weeks: in week h (1..6) of the
  outbreak, Poisson(0.5 h sqrt(mean)) more, i.e. +0.5, +1, +1.5, ... Poisson standard
  deviations: a slow rise that no single ward shows clearly at first.
- Detectors, each judged every week on the weeks before it:
  * scan: space-time permutation scan (cohesion.tensions.warning.scan), 999 replicates, alarm
    when p <= alpha_scan (0.01), clusters up to 8 wards, windows up to 4 weeks;
  * single wards: the engine's automatic method for such series (the seasonal regression;
    ``--ward-method farrington_noufaily`` for the improved Farrington method) on each ward; an
    alarm in any ward counts.
    At alpha 0.01 the 37 wards would give about 19 false alarms a year, so for a fair comparison
    at <= 1 false alarm a year it is also run at alpha = 1 / (37 x 52).
- Null years (no outbreak) give the false alarms per year of each detector.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cohesion.core.geo import compute_adjacency, read_wards  # noqa: E402
from cohesion.tensions.warning.farrington import NOUFAILY, farrington  # noqa: E402
from cohesion.tensions.warning.scan import (  # noqa: E402
    clusters_by_adjacency,
    neighbours_from_adjacency,
    space_time_scan,
)
from cohesion.tensions.warning.seasonal import seasonal, years_for  # noqa: E402

GEO = Path("/work/shared/datasets/geo/stoke_wards_2011_WD13.geojson")
HIST = 5 * 52 + 4
EVAL = 52
HORIZON = 6  # weeks an outbreak is followed


def load_geo() -> tuple[list[str], list[list[int]]]:
    wards = read_wards(geojson=GEO.read_text())
    adj = compute_adjacency(wards=wards)
    codes = [w.code for w in wards]
    return codes, neighbours_from_adjacency(codes, {k: sorted(v) for k, v in adj.items()})


def baseline(
    rng: np.random.Generator, means: np.ndarray, phi: float = 1.5
) -> tuple[np.ndarray, np.ndarray]:
    T = HIST + EVAL
    t = np.arange(T)
    mu = means[None, :] * np.exp(0.3 * np.sin(2 * np.pi * t / 52))[:, None]
    size = mu / (phi - 1)
    return rng.negative_binomial(size, 1 / phi).astype(np.int64), mu


def scan_week(X: np.ndarray, week: int, zones: np.ndarray, reps: int, seed: int):
    return space_time_scan(
        X[: week + 1], zones, max_weeks=4, study_weeks=52, replicates=reps, seed=seed
    )


def ward_alarms(Y: np.ndarray, wks: np.ndarray, a: float, method: str, weeks: int) -> np.ndarray:
    """Whether any ward alarms at level ``a``, week by week (rows of Y are ward-major, each
    ward judged at the same ``weeks`` weeks)."""
    if method == "farrington_noufaily":
        alarm = farrington(Y, wks, alpha=a, settings=NOUFAILY).alarm
    else:
        alarm = seasonal(Y, wks, alpha=a, years=years_for(int(wks.min()))).alarm
    return np.asarray(alarm).reshape(-1, weeks).any(axis=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--outbreaks", type=int, default=40)
    ap.add_argument("--null-years", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--replicates", type=int, default=999)
    ap.add_argument("--alpha-scan", type=float, default=0.01)
    ap.add_argument("--max-wards", type=int, default=8)
    ap.add_argument(
        "--ward-method",
        choices=["seasonal_regression", "farrington_noufaily"],
        default="seasonal_regression",
    )
    ap.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks/results/early_warning_spatial.json"
    )
    args = ap.parse_args()
    codes, nbs = load_geo()
    W = len(codes)
    zones = clusters_by_adjacency(W, nbs, args.max_wards)
    alpha_ward_fair = 1.0 / (W * 52)
    rng = np.random.default_rng(args.seed)
    means = rng.gamma(3.0, 0.5, size=W)  # mean 1.5 reports a week per ward
    t0 = time.perf_counter()

    # ---------------- null years
    fa = {"scan": 0, "ward_0.01": 0, "ward_fair": 0, "ward_cal": 0}
    null_sets: list[tuple[np.ndarray, np.ndarray]] = []
    for n in range(args.null_years):
        X, _ = baseline(rng, means)
        weeks = np.arange(HIST, HIST + EVAL)
        for wk in weeks:
            res = scan_week(X, wk, zones, args.replicates, args.seed + 1000 + n)
            if res.clusters and res.clusters[0].p_value <= args.alpha_scan:
                fa["scan"] += 1
        Y = np.repeat(X.T.astype(float), EVAL, axis=0)
        wks = np.tile(weeks, W)
        null_sets.append((Y, wks))
        for key, a in (("ward_0.01", 0.01), ("ward_fair", alpha_ward_fair)):
            fa[key] += int(ward_alarms(Y, wks, a, args.ward_method, EVAL).sum())
        print(f"null year {n}: {fa}", file=sys.stderr, flush=True)

    # Calibrated single-ward detector: the p-value cut that gives at most one false alarm week a
    # year over these null years (an alarm when any ward's p-value is at or below it).
    # The largest alpha on a fine grid that gives at most one false alarm week a year.
    alpha_ward_cal, fa["ward_cal"] = 0.0, 0
    for a in np.geomspace(1e-7, 1e-2, 61):
        weeks_alarmed = sum(
            int(ward_alarms(Y, wks, float(a), args.ward_method, EVAL).sum()) for Y, wks in null_sets
        )
        if weeks_alarmed > args.null_years:
            break
        alpha_ward_cal, fa["ward_cal"] = float(a), weeks_alarmed

    # ---------------- outbreaks
    out_rows: list[dict[str, Any]] = []
    for o in range(args.outbreaks):
        X, mu = baseline(rng, means)
        centre = int(rng.integers(W))
        true = sorted({centre, *nbs[centre]})
        start = HIST + int(rng.integers(0, EVAL - HORIZON))
        for h in range(HORIZON):
            wk = start + h
            for w in true:
                X[wk, w] += rng.poisson(0.5 * (h + 1) * np.sqrt(mu[wk, w]))
        weeks = np.arange(start, start + HORIZON)
        first: dict[str, int | None] = {
            "scan": None,
            "ward_0.01": None,
            "ward_fair": None,
            "ward_cal": None,
        }
        found: list[int] | None = None
        for h, wk in enumerate(weeks):
            if first["scan"] is None:
                res = scan_week(X, wk, zones, args.replicates, args.seed + o)
                top = res.clusters[0] if res.clusters else None
                if top is not None and top.p_value <= args.alpha_scan:
                    first["scan"] = h
                    found = list(top.wards)
        # single wards: all wards, all weeks at once
        Y = np.repeat(X.T.astype(float), HORIZON, axis=0)  # (W*H, T)
        wks = np.tile(weeks, W)
        for key, a in (("ward_0.01", 0.01), ("ward_fair", alpha_ward_fair)):
            al = ward_alarms(Y, wks, a, args.ward_method, HORIZON)
            first[key] = int(np.argmax(al)) if al.any() else None
        cal = ward_alarms(Y, wks, alpha_ward_cal, args.ward_method, HORIZON)
        first["ward_cal"] = int(np.argmax(cal)) if cal.any() else None
        row: dict[str, Any] = {"true": true, "centre": centre, "start": start, **first}
        if found is not None:
            inter = len(set(found) & set(true))
            row.update(found=found, recall=inter / len(true), precision=inter / len(found))
        out_rows.append(row)
        print(f"outbreak {o}: {row}", file=sys.stderr, flush=True)

    def summ(key: str) -> dict[str, Any]:
        d = [r[key] for r in out_rows]
        det = [x for x in d if x is not None]
        return {
            "detected_within_6_weeks": len(det) / len(d),
            "mean_delay_weeks": float(np.mean(det)) if det else None,
            "mean_delay_not_detected_as_6": float(np.mean([6 if x is None else x for x in d])),
            "median_delay_weeks": float(np.median(det)) if det else None,
            "false_alarm_weeks_per_year": fa[key] / args.null_years,
        }

    def versus(other: str) -> dict[str, int]:
        both = [r for r in out_rows if r["scan"] is not None and r[other] is not None]
        return {
            "both_detect": len(both),
            "scan_sooner": sum(r["scan"] < r[other] for r in both),
            "same_week": sum(r["scan"] == r[other] for r in both),
            "ward_sooner": sum(r["scan"] > r[other] for r in both),
            "only_scan": sum(r["scan"] is not None and r[other] is None for r in out_rows),
            "only_ward": sum(r["scan"] is None and r[other] is not None for r in out_rows),
        }

    result = {
        "command": " ".join(sys.argv),
        "seed": args.seed,
        "outbreaks": args.outbreaks,
        "null_years": args.null_years,
        "alpha_scan": args.alpha_scan,
        "alpha_ward_fair": alpha_ward_fair,
        "ward_method": args.ward_method,
        "scan": summ("scan"),
        "ward_0.01": summ("ward_0.01"),
        "ward_fair": summ("ward_fair"),
        "alpha_ward_cal": alpha_ward_cal,
        "ward_cal": summ("ward_cal"),
        "scan_vs_ward_fair": versus("ward_fair"),
        "scan_vs_ward_cal": versus("ward_cal"),
        "scan_recall_mean": float(
            np.mean([r["recall"] for r in out_rows if "recall" in r] or [np.nan])
        ),
        "scan_precision_mean": float(
            np.mean([r["precision"] for r in out_rows if "precision" in r] or [np.nan])
        ),
        "true_cluster_size_mean": float(np.mean([len(r["true"]) for r in out_rows])),
        "elapsed_s": time.perf_counter() - t0,
        "rows": out_rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"\n`{result['command']}`\n")
    print(
        "| detector | detected within 6 weeks | mean delay when detected | median delay"
        " | mean delay, not detected = 6 | false alarm weeks a year |"
    )
    print("|---|---|---|---|---|---|")
    for key, label in (
        ("scan", f"space-time scan, p <= {args.alpha_scan}"),
        ("ward_fair", f"any single ward, {args.ward_method}, alpha {alpha_ward_fair:.5f}"),
        (
            "ward_cal",
            f"any single ward, {args.ward_method}, alpha {alpha_ward_cal:.2e} (<= 1 false alarm week a year)",
        ),
        ("ward_0.01", f"any single ward, {args.ward_method}, alpha 0.01"),
    ):
        s = result[key]
        md = "-" if s["mean_delay_weeks"] is None else f"{s['mean_delay_weeks']:.2f}"
        me = "-" if s["median_delay_weeks"] is None else f"{s['median_delay_weeks']:.1f}"
        print(
            f"| {label} | {s['detected_within_6_weeks']:.2f} | {md} | {me}"
            f" | {s['mean_delay_not_detected_as_6']:.2f} | {s['false_alarm_weeks_per_year']:.1f} |"
        )
    print(f"\nScan vs single wards (alpha 1/(37x52)): {json.dumps(result['scan_vs_ward_fair'])}")
    print(f"Scan vs single wards (calibrated): {json.dumps(result['scan_vs_ward_cal'])}")
    print(
        f"Scan's cluster: recall {result['scan_recall_mean']:.2f}, precision {result['scan_precision_mean']:.2f} "
        f"(true clusters have {result['true_cluster_size_mean']:.1f} wards on average; the scan looks at up to {args.max_wards})"
    )
    print(f"elapsed {result['elapsed_s']:.0f} s")


if __name__ == "__main__":
    main()
