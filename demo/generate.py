"""Make the demo's ward populations and 2024-2026 figures from a seed (same seed, same data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from . import stoke

DEFAULT_SEED = 2026
AS_OF = date(2026, 9, 30)  # the last quarter with figures, fixed so a seed always gives the same data
CITY_POPULATION = 258_400  # Census 2021, rounded
# Wards where demo hate-crime rates run higher (city centre and busy areas).
BUSY_WARDS = {"Hanley Park and Shelton", "Joiner's Square", "Etruria and Hanley", "Burslem Central", "Fenton West and Mount Pleasant", "Stoke and Trent Vale"}


@dataclass(frozen=True)
class DemoFigure:
    measure: str
    period: str
    value: float
    ward_code: str | None = None
    numerator: float | None = None
    denominator: float | None = None
    sample_size: int | None = None


def _quarters(start: date, end: date) -> list[tuple[str, date]]:
    """Quarter labels like 2024-Q2 whose end lies after start and on or before end."""
    out = []
    for year in range(start.year, end.year + 1):
        for q, (m, d) in enumerate([(3, 31), (6, 30), (9, 30), (12, 31)], start=1):
            q_end = date(year, m, d)
            if start < q_end <= end:
                out.append((f"{year}-Q{q}", q_end))
    return out


def _years_between(a: date, b: date) -> float:
    return (b - a).days / 365.25


def ward_populations(*, codes_names: list[tuple[str, str]], seed: int = DEFAULT_SEED) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.75, 1.3, size=len(codes_names))
    raw = weights / weights.sum() * CITY_POPULATION
    return {code: int(round(p, -1)) for (code, _), p in zip(codes_names, raw, strict=True)}


def figures(*, wards: list[tuple[str, str, int]], seed: int = DEFAULT_SEED, as_of: date = AS_OF) -> list[DemoFigure]:
    """Every demo figure. `wards` is (code, name, population)."""
    rng = np.random.default_rng(seed + 1)
    out: list[DemoFigure] = []
    for spec in stoke.MEASURES:
        gen = spec["gen"]
        base_value, base_date_text, _ = spec["baseline"]
        base_date = date.fromisoformat(base_date_text)
        slug = spec["slug"]
        if gen.get("none"):
            continue  # no figures yet: the site shows "Not enough data"
        if spec["kind"] == "percentage":
            if spec["frequency"] == "annual":
                periods = []
                year = base_date.year + 1
                while True:
                    end = date(year, base_date.month, base_date.day if base_date.month != 2 else 28)
                    if end > as_of:
                        break
                    label = f"{year - 1}/{year % 100:02d}" if base_date.month == 3 else f"{year}-{base_date.month:02d}"
                    periods.append((label, end))
                    year += 1
            else:
                periods = _quarters(base_date, as_of)
            for label, end in periods:
                expected = base_value + gen["trend"] * _years_between(base_date, end)
                p = float(np.clip(expected / 100 + rng.normal(0, 0.008), 0.01, 0.99))
                n = int(gen["sample"])
                yes = int(rng.binomial(n, p))
                out.append(DemoFigure(slug, label, round(100 * yes / n, 1), numerator=yes, denominator=n, sample_size=n))
        elif spec["kind"] == "rate":
            weights = {code: (2.4 if name in BUSY_WARDS else 1.0) * rng.uniform(0.6, 1.3) for code, name, _ in wards}
            total_pop = sum(pop for _, _, pop in wards)
            mean_w = sum(weights[c] * pop for c, _, pop in wards) / total_pop
            for label, end in _quarters(base_date, as_of):
                rate = gen["rate"] + gen["trend"] * _years_between(base_date, end)
                total = 0
                for code, _, pop in wards:
                    count = int(rng.poisson(rate * pop / 1000 * weights[code] / mean_w))
                    total += count
                    out.append(DemoFigure(slug, label, round(count / pop * 1000, 3), ward_code=code, numerator=count, denominator=pop))
                out.append(DemoFigure(slug, label, round(total / total_pop * 1000, 3), numerator=total, denominator=total_pop))
        elif gen.get("grants"):
            for label, _ in _quarters(base_date, as_of):
                total = 0
                for code, name, _ in wards:
                    count = int(rng.poisson(0.45 * (1.8 if name in BUSY_WARDS else 1.0)))
                    total += count
                    out.append(DemoFigure(slug, label, count, ward_code=code))
                out.append(DemoFigure(slug, label, total))
        elif "cumulative" in gen:
            running = base_value
            for label, _ in _quarters(base_date, as_of):
                running += int(rng.poisson(gen["cumulative"]))
                out.append(DemoFigure(slug, label, running))
        elif spec["kind"] == "count":
            for label, end in _quarters(base_date, as_of):
                expected = base_value + gen["trend"] * _years_between(base_date, end)
                out.append(DemoFigure(slug, label, int(rng.poisson(expected))))
        else:
            for label, end in _quarters(base_date, as_of):
                expected = base_value + gen["trend"] * _years_between(base_date, end)
                out.append(DemoFigure(slug, label, round(max(0.5, expected + rng.normal(0, gen["value_noise"])), 1)))
    return out
