"""Make volunteer pools shaped like the ten real instances of Flanigan et al. (Nature 2021).

The real pools (sf_a ... sf_e, cca, hd, mass, nexus, obf) were never published. Their sizes are:
``reference_output/<inst>_<k>_statistics.txt`` in the data set gives, for each, the pool size n,
the panel size k and the number of quota categories; we copy those. The number of values in each
category is not published, except for sf_e, whose ``intersections.csv`` has 7 categories with
3, 4, 12, 3, 5, 2 and 2 values and their population shares (we use those). For the others the
number of values per category is drawn (2 to 6, seeded) and the population shares from a
Dirichlet distribution. There is also a pool of 5,000 volunteers, panel 50, 8 categories.

Self-selection is skewed, as in real pools: a person's value in each category is drawn with
probability proportional to ``population share x propensity x exp(slope x engagement)``, where
the propensity of each value is log-normal (some groups volunteer much more than others) and a
per-person "engagement" links the categories (so that, as with age and education in real pools,
over-represented values go together). Quotas are ``population share x k`` rounded down and up,
widened by ``slack`` on each side (``max(1, round(0.02 k))``), so that under-represented groups
must be picked with high probability and LEXIMIN's smallest probability is well below k/n. If
the quotas cannot all be met (checked with a small HiGHS integer program), the slack is widened by
one and the check repeated.

Writes the upstream instance format to ``OUT/<name>_<k>/``: ``categories.csv``
(``category,feature,min,max``) and ``respondents.csv`` (one column per category, one row per
volunteer, no id column, no trailing newline), and ``OUT/manifest.json``. Same seed, same files.

    .venv/bin/python benchmarks/sortition/generate_pools.py /tmp/sortition-pools
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Shape:
    name: str
    n: int
    k: int
    categories: int
    values: tuple[int, ...] | None = None  # values per category when known


# From reference_output/<inst>_<k>_statistics.txt (pool size n, panel size k, # categories).
PAPER_SHAPES: tuple[Shape, ...] = (
    Shape("sf_a", 312, 35, 6),
    Shape("sf_b", 250, 20, 6),
    Shape("sf_c", 161, 44, 7),
    Shape("sf_d", 404, 40, 6),
    Shape("sf_e", 1727, 110, 7, (3, 4, 12, 3, 5, 2, 2)),
    Shape("cca", 825, 75, 4),
    Shape("hd", 239, 30, 7),
    Shape("mass", 70, 24, 5),
    Shape("nexus", 342, 170, 5),
    Shape("obf", 321, 30, 8),
)
LARGE = Shape("large", 5000, 50, 8, (2, 4, 6, 5, 3, 2, 4, 3))


def sf_e_shares(data: Path | None) -> list[list[float]] | None:
    """Population shares of sf_e's 7 categories from ``intersections.csv`` (marginalised)."""
    if data is None:
        return None
    path = data / "instances" / "sf_e_110" / "intersections.csv"
    if not path.exists():
        return None
    values: dict[str, set[str]] = {}
    pair_share: dict[tuple[str, str, str], float] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            c1, f1, c2, f2 = (
                row["category 1"],
                row["feature 1"],
                row["category 2"],
                row["feature 2"],
            )
            values.setdefault(c1, set()).add(f1)
            values.setdefault(c2, set()).add(f2)
            share = float(row["population share"])
            pair_share[(c1, c2, f1)] = pair_share.get((c1, c2, f1), 0.0) + share
            pair_share[(c2, c1, f2)] = pair_share.get((c2, c1, f2), 0.0) + share
    shares: list[list[float]] = []
    for category in sorted(values):
        other = next(c for c in sorted(values) if c != category)
        ordered = sorted(values[category], key=lambda v: (len(v), v))
        raw = [pair_share.get((category, other, v), 0.0) for v in ordered]
        total = sum(raw) or 1.0
        shares.append([max(s / total, 0.0) for s in raw])
    return shares


def feasible(pool: np.ndarray, quotas: list[list[tuple[int, int]]], k: int) -> bool:
    """Is there a panel of k meeting every quota? (HiGHS integer program.)"""
    import highspy

    n = pool.shape[0]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", 60.0)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    rows_lower = [float(k)]
    rows_upper = [float(k)]
    row_members: list[np.ndarray] = [np.arange(n)]
    for c, category in enumerate(quotas):
        for v, (lo, hi) in enumerate(category):
            row_members.append(np.flatnonzero(pool[:, c] == v))
            rows_lower.append(float(lo))
            rows_upper.append(float(hi))
    lp.num_row_ = len(row_members)
    lp.col_cost_ = [0.0] * n
    lp.col_lower_ = [0.0] * n
    lp.col_upper_ = [1.0] * n
    lp.row_lower_ = rows_lower
    lp.row_upper_ = rows_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    starts, index = [], []
    for members in row_members:
        starts.append(len(index))
        index.extend(int(i) for i in members)
    starts.append(len(index))
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = [1.0] * len(index)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h.passModel(lp)
    h.run()
    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def generate(shape: Shape, seed: int, shares_override: list[list[float]] | None = None) -> dict:
    rng = np.random.default_rng([seed, sum(map(ord, shape.name)), shape.n, shape.k])
    values = shape.values or tuple(
        int(v) for v in rng.choice([2, 3, 3, 4, 4, 5, 6], size=shape.categories)
    )
    shares = shares_override or [list(rng.dirichlet(np.full(v, 2.0))) for v in values]
    engagement = rng.normal(size=shape.n)
    pool = np.zeros((shape.n, shape.categories), dtype=np.int64)
    for c, v in enumerate(values):
        share = np.asarray(shares[c], dtype=float)
        propensity = np.exp(rng.normal(0.0, 0.6, size=v))
        slope = rng.uniform(-0.8, 0.8) * np.linspace(-1.0, 1.0, v)
        weight = share * propensity * np.exp(np.outer(engagement, slope))  # n x v
        weight /= weight.sum(axis=1, keepdims=True)
        cumulative = weight.cumsum(axis=1)
        draws = rng.random(shape.n)[:, None]
        pool[:, c] = np.minimum((draws > cumulative).sum(axis=1), v - 1)
    slack = max(1, round(0.02 * shape.k))
    for _ in range(20):
        quotas: list[list[tuple[int, int]]] = []
        for c, v in enumerate(values):
            available = np.bincount(pool[:, c], minlength=v)
            category: list[tuple[int, int]] = []
            for value in range(v):
                target = shares[c][value] * shape.k
                lo = max(0, math.floor(target) - slack)
                hi = min(shape.k, math.ceil(target) + slack)
                lo = min(lo, int(available[value]))
                category.append((lo, max(hi, lo)))
            quotas.append(category)
        if feasible(pool, quotas, shape.k):
            break
        slack += 1
    else:  # pragma: no cover
        raise RuntimeError(f"{shape.name}: could not make feasible quotas")
    return {"shape": shape, "values": values, "pool": pool, "quotas": quotas, "slack": slack}


def write(out: Path, name: str, result: dict) -> Path:
    shape: Shape = result["shape"]
    directory = out / f"{name}_{shape.k}"
    directory.mkdir(parents=True, exist_ok=True)
    categories = [chr(ord("a") + c) for c in range(shape.categories)]
    with (directory / "categories.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["category", "feature", "min", "max"])
        for c, category in enumerate(result["quotas"]):
            for value, (lo, hi) in enumerate(category):
                writer.writerow([categories[c], f"{categories[c]}{value + 1}", lo, hi])
    lines = [",".join(categories)]
    lines += [
        ",".join(f"{categories[c]}{int(v) + 1}" for c, v in enumerate(row))
        for row in result["pool"]
    ]
    (directory / "respondents.csv").write_text("\n".join(lines))  # no trailing newline, as upstream
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "out",
        type=Path,
        help="directory to write the instances to (outside the repo, or benchmarks/results/)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--data", type=Path, default=None, help="the sortition data set (for sf_e's shares)"
    )
    parser.add_argument("--only", nargs="*", default=None, help="names to make (default: all)")
    args = parser.parse_args()
    manifest = []
    for shape in (*PAPER_SHAPES, LARGE):
        name = f"gen_{shape.name}"
        if args.only and shape.name not in args.only and name not in args.only:
            continue
        override = sf_e_shares(args.data) if shape.name == "sf_e" else None
        result = generate(shape, args.seed, override)
        directory = write(args.out, name, result)
        counts = [len(c) for c in result["quotas"]]
        manifest.append(
            {
                **{key: val for key, val in asdict(shape).items() if key != "values"},
                "shape": shape.name,
                "name": directory.name,
                "values_per_category": counts,
                "slack": result["slack"],
                "seed": args.seed,
                "k_over_n": shape.k / shape.n,
            }
        )
        print(
            f"{directory.name}: n={shape.n} k={shape.k} categories={shape.categories} values={counts} slack=±{result['slack']}"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
