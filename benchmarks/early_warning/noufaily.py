"""Early-warning benchmark: the Noufaily et al. (2013) simulation study, our engine side by side
with the R package `surveillance` (the anchor) called through rpy2 in the same run.

    .venv/bin/python benchmarks/early_warning/noufaily.py --reps 20 --r-reps 2 --seed 2026

For each of the 42 scenarios and each replicate, one series without and one with the current
outbreak are simulated (simulate.py); every method judges the 49 evaluation weeks. Metrics as in
../shared/benchmarks/early-warning/summarise.R. The first ``--r-reps`` replicates of each
scenario are also run through R (farringtonFlexible with the Noufaily and the 1996 settings,
earsC C1 and C3) on the very same series: alarm agreement and threshold differences, the anchor's
metrics on that subset, and the time each side took.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulate import CUR, Scenario, Sim, scenarios, sim_one  # noqa: E402

from cohesion.tensions.warning.cusum import nb_cusum  # noqa: E402
from cohesion.tensions.warning.ears import ears  # noqa: E402
from cohesion.tensions.warning.farrington import (  # noqa: E402
    FARRINGTON_1996,
    NOUFAILY,
    farrington,
)
from cohesion.tensions.warning.seasonal import seasonal, years_for  # noqa: E402

WEEKS0 = CUR - 1  # zero-based judged weeks
NW = len(CUR)


# --------------------------------------------------------------------------- metrics


def series_metrics(a0: np.ndarray, a1: np.ndarray, sim: Sim) -> dict[str, Any]:
    """As summarise.R / run_bench.R for one replicate: a0, a1 bool (49,) alarms on the series
    without / with the current outbreak."""
    ob = np.isin(CUR, sim.ob_weeks)
    hit = a1 & ob
    delay = None
    if hit.any():
        delay = int(np.nonzero(hit)[0][0] - np.nonzero(sim.start == CUR)[0][0])
    det1 = False
    if len(sim.ob_weeks):
        det1 = bool(a1[np.nonzero(sim.ob_weeks.min() == CUR)[0][0]])
    return {
        "ob_len": int(ob.sum()),
        "fp_weeks": int(a0.sum()),
        "nweeks": NW,
        "detected": int(hit.any()),
        "det_week1": int(det1),
        "tp_weeks": int(hit.sum()),
        "fp_weeks_cur": int((a1 & ~ob).sum()),
        "nonob_weeks": int((~ob).sum()),
        "delay": delay,
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, float]:
    def s(k: str) -> float:
        return float(sum(r[k] for r in rows))

    delays = [r["delay"] for r in rows if r["delay"] is not None]
    return {
        "FPR": s("fp_weeks") / s("nweeks"),
        "POD": s("detected") / len(rows),
        "POD1w": s("det_week1") / len(rows),
        "Sens": s("tp_weeks") / max(s("ob_len"), 1),
        "Spec": 1 - s("fp_weeks_cur") / s("nonob_weeks"),
        "medDelay": float(np.median(delays)) if delays else float("nan"),
        "n": len(rows),
    }


# --------------------------------------------------------------------------- our methods


def our_alarms(
    sims: list[Sim], alpha: float, seed: int, cusum_paths: int = 500
) -> tuple[dict[str, np.ndarray], dict]:
    """Alarms (n_sims, 2, 49) per method; index 1 of axis 1 = with the current outbreak."""
    series = np.stack([np.stack([s.y_nocur, s.y]) for s in sims]).astype(float)  # (n, 2, T)
    n = len(sims)
    flat = series.reshape(n * 2, -1)
    rows = np.repeat(np.arange(n * 2), NW)
    weeks = np.tile(WEEKS0, n * 2)
    Y = flat[rows]
    out: dict[str, np.ndarray] = {}
    timing: dict[str, float] = {}

    t0 = time.perf_counter()
    r = farrington(Y, weeks, alpha=alpha, settings=NOUFAILY)
    timing["farrington_noufaily"] = time.perf_counter() - t0
    out["farrington_noufaily"] = r.alarm.reshape(n, 2, NW)
    thr_nou = r.threshold.reshape(n, 2, NW)

    t0 = time.perf_counter()
    r96 = farrington(Y, weeks, alpha=alpha, settings=FARRINGTON_1996)
    timing["farrington_1996"] = time.perf_counter() - t0
    out["farrington_1996"] = r96.alarm.reshape(n, 2, NW)
    thr_96 = r96.threshold.reshape(n, 2, NW)

    for m in ("C1", "C2", "C3"):
        t0 = time.perf_counter()
        e = ears(Y, weeks, method=m, alpha=alpha)
        timing[f"ears_{m.lower()}"] = time.perf_counter() - t0
        out[f"ears_{m.lower()}"] = e.alarm.reshape(n, 2, NW)

    L = 8
    # The engine's CUSUM: one fit per judged week, its expected counts for the last 8 weeks.
    t0 = time.perf_counter()
    rc = farrington(Y, weeks, alpha=alpha, settings=NOUFAILY, recent_weeks=L)
    assert rc.expected_recent is not None
    mu_c = rc.expected_recent
    ok_c = np.all(np.isfinite(mu_c), axis=1)
    mu_c = np.where(np.isfinite(mu_c), mu_c, 1e-6)
    phi_c = np.repeat(np.where(np.isfinite(rc.phi), rc.phi, 1.0)[:, None], L, axis=1)
    y_c = Y[np.arange(len(weeks))[:, None], weeks[:, None] - np.arange(L)[::-1][None, :]]
    c = nb_cusum(y_c, mu_c, phi_c, alpha=alpha, seed=seed, paths=cusum_paths)
    timing["nb_cusum"] = time.perf_counter() - t0
    out["nb_cusum"] = (c.alarm & ok_c).reshape(n, 2, NW)

    # The automatic choice for series this long: the seasonal regression with its one-week and
    # two-week tests, with as many years back as the first judged week has (10 here).
    t0 = time.perf_counter()
    sr = seasonal(Y, weeks, alpha=alpha, years=years_for(int(WEEKS0[0])))
    timing["seasonal_regression"] = time.perf_counter() - t0
    out["seasonal_regression"] = sr.alarm.reshape(n, 2, NW)
    return out, {"timing": timing, "thr_nou": thr_nou, "thr_96": thr_96}


# --------------------------------------------------------------------------- the anchor


class Anchor:
    def __init__(self) -> None:
        import rpy2.robjects as ro

        self.ro = ro
        ro.r("suppressMessages(library(surveillance))")
        self.version = str(ro.r('as.character(packageVersion("surveillance"))')[0])
        self.r_version = str(ro.r("R.version.string")[0])
        ro.r(
            """
            cur <- 576:624
            mk <- function(y) sts(observed=y, frequency=52, start=c(2000,1))
            anchor_run <- function(y, alpha) {
              con.far <- list(range=cur, b=5, w=3, reweight=TRUE, weightsThreshold=1, alpha=alpha, trend=TRUE, pThresholdTrend=0.05, limit54=c(5,4), powertrans="2/3", noPeriods=1, pastWeeksNotIncluded=3, thresholdMethod="delta", glmWarnings=FALSE)
              con.nou <- list(range=cur, b=5, w=3, reweight=TRUE, weightsThreshold=2.58, alpha=alpha, trend=TRUE, pThresholdTrend=1, limit54=c(5,4), powertrans="2/3", noPeriods=10, pastWeeksNotIncluded=26, thresholdMethod="nbPlugin", glmWarnings=FALSE)
              tt <- numeric(4)
              t0 <- proc.time()[[3]]; f <- suppressWarnings(farringtonFlexible(mk(y), con.far)); tt[1] <- proc.time()[[3]] - t0
              t0 <- proc.time()[[3]]; nn <- suppressWarnings(farringtonFlexible(mk(y), con.nou)); tt[2] <- proc.time()[[3]] - t0
              t0 <- proc.time()[[3]]; c1 <- earsC(mk(y), list(range=cur, method="C1", alpha=alpha)); tt[3] <- proc.time()[[3]] - t0
              t0 <- proc.time()[[3]]; c3 <- earsC(mk(y), list(range=cur, method="C3", alpha=alpha)); tt[4] <- proc.time()[[3]] - t0
              list(far=alarms(f)[,1], far_ub=upperbound(f)[,1], nou=alarms(nn)[,1], nou_ub=upperbound(nn)[,1],
                   c1=alarms(c1)[,1], c3=alarms(c3)[,1], c1_ub=upperbound(c1)[,1], time=tt)
            }
            """
        )

    def run(self, y: np.ndarray, alpha: float) -> dict[str, np.ndarray]:
        res = self.ro.r["anchor_run"](self.ro.IntVector([int(v) for v in y]), alpha)
        d = {k: np.asarray(res.rx2(k), dtype=float) for k in res.names}
        return d


ANCHOR_METHODS = {
    "far": "farrington_1996",
    "nou": "farrington_noufaily",
    "c1": "ears_c1",
    "c3": "ears_c3",
}


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--reps", type=int, default=20, help="replicates per scenario (ours)")
    ap.add_argument("--r-reps", type=int, default=2, help="of which also run through R")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--alpha", type=float, default=0.01)
    ap.add_argument("--cusum-paths", type=int, default=500, help="in-control paths for the CUSUM")
    ap.add_argument("--scenarios", type=str, default="1-42", help="e.g. 1-42 or 1,5,9")
    ap.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/early_warning_noufaily.json")
    )
    args = ap.parse_args()
    if "-" in args.scenarios:
        a, b = (int(x) for x in args.scenarios.split("-"))
        wanted = set(range(a, b + 1))
    else:
        wanted = {int(x) for x in args.scenarios.split(",")}
    scen = [s for s in scenarios() if s.id in wanted]

    anchor = Anchor() if args.r_reps > 0 else None
    rows: list[dict[str, Any]] = []
    anchor_rows: list[dict[str, Any]] = []
    ours_on_anchor_subset: list[dict[str, Any]] = []
    agree = {m: [0, 0] for m in ANCHOR_METHODS}
    thr_rel: dict[str, list[float]] = {"nou": [], "far": []}
    t_ours = 0.0
    t_ours_subset = 0.0
    t_anchor = 0.0
    timing_by_method: dict[str, float] = {}
    anchor_time_by_method = np.zeros(4)
    for s in scen:
        sims = [sim_one(s, np.random.default_rng([args.seed, s.id, i])) for i in range(args.reps)]
        t0 = time.perf_counter()
        alarms, info = our_alarms(sims, args.alpha, args.seed, args.cusum_paths)
        dt = time.perf_counter() - t0
        t_ours += dt
        t_ours_subset += dt * min(args.r_reps, args.reps) / args.reps
        for k, v in info["timing"].items():
            timing_by_method[k] = timing_by_method.get(k, 0.0) + v
        for i, sim in enumerate(sims):
            for m, a in alarms.items():
                r = series_metrics(a[i, 0], a[i, 1], sim)
                r.update(scenario=s.id, rep=i, method=m, k=sim.k)
                rows.append(r)
                if i < args.r_reps:
                    ours_on_anchor_subset.append(r)
            if anchor is None or i >= args.r_reps:
                continue
            res = []
            for j, y in enumerate((sim.y_nocur, sim.y)):
                t1 = time.perf_counter()
                d = anchor.run(y, args.alpha)
                t_anchor += time.perf_counter() - t1
                anchor_time_by_method += d["time"]
                res.append(d)
                for m, ours in ANCHOR_METHODS.items():
                    ra = np.nan_to_num(d[m], nan=0.0) == 1
                    agree[m][0] += int(np.sum(ra == alarms[ours][i, j]))
                    agree[m][1] += NW
                for m, key in (("nou", "thr_nou"), ("far", "thr_96")):
                    ub = d[f"{m}_ub"]
                    th = info[key][i, j]
                    ok = np.isfinite(ub) & np.isfinite(th)
                    thr_rel[m].extend((np.abs(th[ok] - ub[ok]) / np.maximum(ub[ok], 1e-9)).tolist())
            for m, name in ANCHOR_METHODS.items():
                a0 = np.nan_to_num(res[0][m], nan=0.0) == 1
                a1 = np.nan_to_num(res[1][m], nan=0.0) == 1
                r = series_metrics(a0, a1, sim)
                r.update(scenario=s.id, rep=i, method="R " + name, k=sim.k)
                anchor_rows.append(r)
        print(f"scenario {s.id:2d} done ({dt:.1f} s ours)", file=sys.stderr, flush=True)

    methods = sorted({r["method"] for r in rows})
    overall = {m: summarise([r for r in rows if r["method"] == m]) for m in methods}
    by_scen = {
        m: {
            s.id: summarise([r for r in rows if r["method"] == m and r["scenario"] == s.id])
            for s in scen
        }
        for m in methods
    }
    subset = {}
    if anchor is not None:
        for m in sorted({r["method"] for r in anchor_rows}):
            subset[m] = summarise([r for r in anchor_rows if r["method"] == m])
        for m in methods:
            subset["ours " + m] = summarise([r for r in ours_on_anchor_subset if r["method"] == m])
    result = {
        "command": " ".join(sys.argv),
        "reps": args.reps,
        "r_reps": args.r_reps,
        "seed": args.seed,
        "alpha": args.alpha,
        "scenarios": sorted(wanted),
        "overall": overall,
        "by_scenario": by_scen,
        "anchor_subset": subset,
        "agreement": {ANCHOR_METHODS[m]: (v[0] / v[1] if v[1] else None) for m, v in agree.items()},
        "threshold_rel_diff": {
            ANCHOR_METHODS[m]: {
                "n": len(v),
                "max": float(np.max(v)) if v else None,
                "share_within_1pct": float(np.mean(np.asarray(v) <= 0.01)) if v else None,
            }
            for m, v in thr_rel.items()
        },
        "time_ours_s": t_ours,
        "time_ours_on_anchor_subset_s": t_ours_subset,
        "time_anchor_s": t_anchor,
        "time_ours_by_method_s": timing_by_method,
        "time_anchor_by_method_s": dict(
            zip(
                ["farrington_1996", "farrington_noufaily", "ears_c1", "ears_c3"],
                anchor_time_by_method.tolist(),
                strict=True,
            )
        ),
        "anchor_version": None
        if anchor is None
        else f"surveillance {anchor.version}, {anchor.r_version}",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, default=float))
    print_markdown(result)


def print_markdown(res: dict[str, Any]) -> None:
    print(f"\n`{res['command']}`\n")
    print("| method | FPR | POD | POD first week | sensitivity | specificity | median delay | n |")
    print("|---|---|---|---|---|---|---|---|")
    for m, v in res["overall"].items():
        print(
            f"| {m} | {v['FPR']:.2%} | {v['POD']:.3f} | {v['POD1w']:.3f} | {v['Sens']:.3f} | "
            f"{v['Spec']:.3f} | {v['medDelay']:.1f} | {v['n']} |"
        )
    if res["anchor_subset"]:
        print("\nOn the replicates also run through R (same series):\n")
        print("| method | FPR | POD | POD first week | sensitivity | specificity | n |")
        print("|---|---|---|---|---|---|---|")
        for m, v in res["anchor_subset"].items():
            print(
                f"| {m} | {v['FPR']:.2%} | {v['POD']:.3f} | {v['POD1w']:.3f} | {v['Sens']:.3f} | "
                f"{v['Spec']:.3f} | {v['n']} |"
            )
        print("\nAlarm agreement with R (share of weeks):", json.dumps(res["agreement"]))
        print("Threshold relative difference:", json.dumps(res["threshold_rel_diff"]))
        print(
            f"Time: ours {res['time_ours_on_anchor_subset_s']:.1f} s on the R subset "
            f"(all methods); R {res['time_anchor_s']:.1f} s "
            f"({json.dumps(res['time_anchor_by_method_s'])})"
        )
    print("Our time by method (all replicates):", json.dumps(res["time_ours_by_method_s"]))


if __name__ == "__main__":
    main()


_ = (Scenario, replace)
