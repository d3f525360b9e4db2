"""Speed: the whole city (37 wards x 10 categories, 5 years of weekly data), all methods, ours
against R `surveillance` on the same series in the same run.

    .venv/bin/python benchmarks/early_warning/speed.py --repeat 5 --seed 3

Data: negative binomial weekly counts (variance 1.5 x mean, ward x category means from a gamma
distribution with mean 1, a seasonal wave), 271 weeks (5 years and 11 weeks, so that the judged
last week, and the 7 weeks before it for the CUSUM, have the 5 x 52 + 3 weeks of history the
b = 5 methods need), the Stoke ward adjacency.
Each judges the last week of every ward x category series (370) and every citywide category
series (10).

- ours, per-series methods: improved Farrington (the automatic choice), Farrington 1996, EARS
  C1, C2, C3, the NB CUSUM (8-week window, 1,000 in-control paths per series);
- ours, scan: the space-time scan per category, 999 replicates;
- ours, `city_alarms` end to end (improved Farrington for every series + scan);
- R: farringtonFlexible (Noufaily settings and 1996 settings) and earsC (C1, C2, C3) on the same
  380 series (one call per series, range = the last week; for C3 the last two weeks, because
  `earsC` C3 fails on a range of one week), timed inside R.
The figure is the median over ``--repeat`` runs (wall clock), with the CPU time beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cohesion.core.geo import compute_adjacency, read_wards  # noqa: E402
from cohesion.tensions.warning import (  # noqa: E402
    METHODS,
    SCAN_MAX_WARDS,
    SCAN_MAX_WEEKS,
    SCAN_STUDY_WEEKS,
    city_alarms,
    judge,
)
from cohesion.tensions.warning.scan import (  # noqa: E402
    clusters_by_adjacency,
    neighbours_from_adjacency,
    space_time_scan,
)

GEO = Path("/work/shared/datasets/geo/stoke_wards_2011_WD13.geojson")
T = 5 * 52 + 3 + 8  # 271: b = 5 years back, plus the CUSUM's 8-week window
C = 10


def timed(fn, repeat: int) -> tuple[float, float, Any]:
    walls, cpus = [], []
    out = None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return median(walls), median(cpus), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--r-repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks/results/early_warning_speed.json"
    )
    args = ap.parse_args()
    wards = read_wards(geojson=GEO.read_text())
    codes = [w.code for w in wards]
    adj = {k: sorted(v) for k, v in compute_adjacency(wards=wards).items()}
    W = len(codes)
    rng = np.random.default_rng(args.seed)
    means = rng.gamma(2.0, 0.5, size=(W, C))
    t = np.arange(T)
    mu = means[None] * np.exp(0.3 * np.sin(2 * np.pi * t / 52))[:, None, None]
    X = rng.negative_binomial(mu / 0.5, 1 / 1.5).astype(np.int64)
    cats = [f"cat{i}" for i in range(C)]
    series = np.concatenate([X.transpose(1, 2, 0).reshape(W * C, T), X.sum(axis=1).T]).astype(float)
    S = series.shape[0]
    last = np.full(S, T - 1)

    res: dict[str, Any] = {
        "command": " ".join(sys.argv),
        "series": S,
        "weeks": T,
        "cpus": os.cpu_count(),
    }
    ours: dict[str, tuple[float, float]] = {}
    per_series = [m for m in METHODS if m != "auto"]
    for m in per_series:
        w, c, _ = timed(lambda m=m: judge(series, last, method=m, alpha=0.01, b=5), args.repeat)
        ours[m] = (w, c)
    zones = clusters_by_adjacency(W, neighbours_from_adjacency(codes, adj), SCAN_MAX_WARDS)

    def scan_all() -> None:
        for c in range(C):
            space_time_scan(
                X[:, :, c],
                zones,
                max_weeks=SCAN_MAX_WEEKS,
                study_weeks=SCAN_STUDY_WEEKS,
                replicates=999,
                seed=c,
            )

    ours["space_time_scan (10 categories, 999 replicates)"] = timed(scan_all, args.repeat)[:2]
    w, c, alarms = timed(
        lambda: city_alarms(X, wards=codes, categories=cats, adjacency=adj, scan_replicates=999),
        args.repeat,
    )
    ours["city_alarms end to end"] = (w, c)
    per_series_total = sum(
        v[0]
        for k, v in ours.items()
        if k in per_series
    )
    res["ours"] = ours
    res["ours_per_series_methods_total_wall_s"] = per_series_total
    res["alarms_found"] = len(alarms)

    if not args.no_r:
        import rpy2.robjects as ro

        ro.r("suppressMessages(library(surveillance))")
        ro.r(
            """
            speed_run <- function(Y, Tn) {
              rng <- Tn
              mk <- function(y) sts(observed=y, frequency=52, start=c(2000,1))
              con.nou <- list(range=rng, b=5, w=3, reweight=TRUE, weightsThreshold=2.58, alpha=0.01, trend=TRUE, pThresholdTrend=1, limit54=c(5,4), powertrans="2/3", noPeriods=10, pastWeeksNotIncluded=26, thresholdMethod="nbPlugin", glmWarnings=FALSE)
              con.far <- list(range=rng, b=5, w=3, reweight=TRUE, weightsThreshold=1, alpha=0.01, trend=TRUE, pThresholdTrend=0.05, limit54=c(5,4), powertrans="2/3", noPeriods=1, pastWeeksNotIncluded=3, thresholdMethod="delta", glmWarnings=FALSE)
              tt <- c(nou=0, far=0, c1=0, c2=0, c3=0)
              al <- 0
              for (j in seq_len(ncol(Y))) {
                y <- Y[, j]
                t0 <- proc.time()[[3]]; a <- suppressWarnings(farringtonFlexible(mk(y), con.nou)); tt["nou"] <- tt["nou"] + proc.time()[[3]] - t0
                al <- al + sum(alarms(a), na.rm=TRUE)
                t0 <- proc.time()[[3]]; suppressWarnings(farringtonFlexible(mk(y), con.far)); tt["far"] <- tt["far"] + proc.time()[[3]] - t0
                for (m in c("C1","C2","C3")) {
                  t0 <- proc.time()[[3]]; earsC(mk(y), list(range=if (m == "C3") (Tn-1):Tn else rng, method=m, alpha=0.01)); tt[tolower(m)] <- tt[tolower(m)] + proc.time()[[3]] - t0
                }
              }
              c(tt, alarms=al)
            }
            """
        )
        r_times = []
        for _ in range(args.r_repeat):
            w0 = time.perf_counter()
            Ymat = ro.r.matrix(ro.IntVector(series.T.ravel().astype(int).tolist()), nrow=T, ncol=S)
            out = ro.r["speed_run"](Ymat, T)
            r_wall = time.perf_counter() - w0
            r_times.append(
                (r_wall, dict(zip(list(out.names), [float(v) for v in out], strict=True)))
            )
        res["r"] = {
            "wall_s": median(x[0] for x in r_times),
            "by_method_s": r_times[0][1],
            "version": str(ro.r('as.character(packageVersion("surveillance"))')[0]),
        }
        rb = res["r"]["by_method_s"]
        res["ratio_farrington_noufaily"] = rb["nou"] / ours["farrington_noufaily"][0]
        res["ratio_same_methods"] = (rb["nou"] + rb["far"] + rb["c1"] + rb["c2"] + rb["c3"]) / sum(
            ours[m][0]
            for m in ("farrington_noufaily", "farrington_1996", "ears_c1", "ears_c2", "ears_c3")
        )
        res["ratio_r_vs_city_alarms"] = (
            rb["nou"] + rb["far"] + rb["c1"] + rb["c2"] + rb["c3"]
        ) / ours["city_alarms end to end"][0]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=1))
    print(f"\n`{res['command']}` ({S} series of {T} weeks; median of {args.repeat} runs)\n")
    print("| ours | wall s | CPU s |")
    print("|---|---|---|")
    for k, (w, c) in ours.items():
        print(f"| {k} | {w:.3f} | {c:.3f} |")
    print(f"| all per-series methods together | {per_series_total:.3f} | |")
    if "r" in res:
        print("\n| R surveillance " + res["r"]["version"] + " | s (inside R) |")
        print("|---|---|")
        for k, v in res["r"]["by_method_s"].items():
            if k != "alarms":
                print(f"| {k} | {v:.2f} |")
        print(f"| total wall (with rpy2 conversion) | {res['r']['wall_s']:.2f} |")
        print(
            f"\nratio R / ours: improved Farrington {res['ratio_farrington_noufaily']:.0f}x; "
            f"same methods (Noufaily, 1996, C1-C3) {res['ratio_same_methods']:.0f}x"
        )


if __name__ == "__main__":
    main()
