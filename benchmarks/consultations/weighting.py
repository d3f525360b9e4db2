"""Speed and behaviour of the raking engine (cohesion.consultations.weighting) on simulated samples.

Respondents are drawn skewed against Stoke-like census margins (age band, gender, ethnic group,
as in the demo), a few per cent leave a question blank, and the sample is raked back with the
default trimming (0.2 to 5 times the mean weight). Prints one JSON line per sample size.

    .venv/bin/python benchmarks/consultations/weighting.py --sizes 1000 10000 100000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cohesion.consultations import demo  # noqa: E402  (pure data module: no Django import)
from cohesion.consultations.weighting import rake  # noqa: E402

MARGINS = {
    "age_band": demo.CENSUS_AGE,
    "gender": demo.CENSUS_GENDER,
    "ethnicity": demo.CENSUS_ETHNICITY,
}
SAMPLE = {
    "age_band": demo.SAMPLE_AGE,
    "gender": demo.SAMPLE_GENDER,
    "ethnicity": demo.SAMPLE_ETHNICITY,
}


def sample(n: int, seed: int) -> dict[str, list[str | None]]:
    rng = np.random.default_rng(seed)
    out: dict[str, list[str | None]] = {}
    for key, shares in SAMPLE.items():
        names = list(shares)
        p = np.array(list(shares.values()))
        picks = rng.choice(len(names), size=n, p=p / p.sum())
        blank = rng.random(n) < 0.04
        out[key] = [None if b else names[i] for i, b in zip(picks, blank, strict=True)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for n in args.sizes:
        categories = sample(n, seed=n)
        times = []
        result = None
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = rake(categories=categories, margins=MARGINS)
            times.append(time.perf_counter() - start)
        assert result is not None
        print(
            json.dumps(
                {
                    "respondents": n,
                    "median_seconds": round(statistics.median(times), 4),
                    "iterations": result.iterations,
                    "design_effect": round(result.design_effect, 3),
                    "effective_n": round(result.effective_n, 1),
                    "trimmed": result.trimmed,
                    "max_margin_error": float(f"{result.max_margin_error:.2g}"),
                    "weight_range": [
                        round(float(result.weights.min()), 3),
                        round(float(result.weights.max()), 3),
                    ],
                }
            )
        )


if __name__ == "__main__":
    main()
