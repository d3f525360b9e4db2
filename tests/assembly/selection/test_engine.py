"""The selection engine (LEXIMIN, MAXIMIN, NASH) and the independent checker.

Plain functions, no database: the selection engine is pure Python. The published instances are
used when ``/work/shared/datasets/sortition`` (or ``$SORTITION_DATA``) is there; the other tests
make their own small instances.
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cohesion.assembly.selection import engine
from cohesion.assembly.selection.check import check_distribution
from cohesion.assembly.selection.engine import find_distribution
from cohesion.assembly.selection.model import (
    Distribution,
    InfeasibleError,
    Instance,
    Person,
    Quota,
)

DATA = Path(os.environ.get("SORTITION_DATA", "/work/shared/datasets/sortition"))


def person(pid: str, household: str | None = None, **features: str) -> Person:
    return Person(id=pid, features=features, household=household)


def marginals_by_id(instance: Instance, distribution: Distribution) -> dict[str, float]:
    return {p.id: m for p, m in zip(instance.people, distribution.marginals, strict=True)}


def random_instance(seed: int, n: int = 60, k: int = 10) -> Instance:
    """A skewed pool with three categories and quotas of share x k +- 1."""
    rng = np.random.default_rng(seed)
    categories = {"age": ["young", "middle", "old"], "sex": ["f", "m"], "area": ["n", "s", "e"]}
    pool_weights = {"age": [0.2, 0.3, 0.5], "sex": [0.6, 0.4], "area": [0.5, 0.3, 0.2]}
    people = tuple(
        person(
            f"p{i}",
            **{c: str(rng.choice(v, p=pool_weights[c])) for c, v in categories.items()},
        )
        for i in range(n)
    )
    quotas = []
    for category, values in categories.items():
        share = k / len(values)
        for value in values:
            quotas.append(
                Quota(category, value, max(0, math.floor(share) - 1), math.ceil(share) + 1)
            )
    return Instance(people=people, quotas=tuple(quotas), panel_size=k)


def load_upstream(directory: Path, panel_size: int) -> Instance:
    with (directory / "categories.csv").open() as handle:
        quotas = tuple(
            Quota(row["category"], row["feature"], int(row["min"]), int(row["max"]))
            for row in csv.DictReader(handle)
        )
    with (directory / "respondents.csv").open() as handle:
        people = tuple(
            Person(id=str(i), features=dict(row)) for i, row in enumerate(csv.DictReader(handle))
        )
    return Instance(people=people, quotas=quotas, panel_size=panel_size)


# --- Small hand-checkable instances -------------------------------------------------------


@pytest.mark.parametrize("method", ["leximin", "maximin", "nash"])
def test_binary_category_gives_everyone_one_half(method: str) -> None:
    people = (person("a", g="x"), person("b", g="x"), person("c", g="y"), person("d", g="y"))
    quotas = (Quota("g", "x", 1, 1), Quota("g", "y", 1, 1))
    instance = Instance(people=people, quotas=quotas, panel_size=2)
    distribution = find_distribution(instance=instance, method=method)
    assert distribution.marginals == pytest.approx([0.5] * 4, abs=1e-7)
    assert distribution.method == method
    assert check_distribution(instance=instance, distribution=distribution) == []
    for panel in distribution.panels:
        assert {instance.people[i].features["g"] for i in panel} == {"x", "y"}


def test_household_rule() -> None:
    # a, b and c share a household: together they have at most probability 1; d and e then get
    # what is left (LEXIMIN: 1/3 each for a, b, c and 1/2 each for d, e).
    people = (
        person("a", household="h"),
        person("b", household="h"),
        person("c", household="h"),
        person("d"),
        person("e"),
    )
    instance = Instance(people=people, quotas=(), panel_size=2)
    distribution = find_distribution(instance=instance)
    got = marginals_by_id(instance, distribution)
    assert [got[x] for x in "abcde"] == pytest.approx([1 / 3] * 3 + [0.5] * 2, abs=1e-7)
    for panel in distribution.panels:
        assert sum(1 for i in panel if people[i].household == "h") <= 1
    assert check_distribution(instance=instance, distribution=distribution) == []


def test_kept_people_are_on_every_panel() -> None:
    people = (
        person("k", household="h1", g="x"),
        person("k2", household="h1", g="y"),  # shares a household with a kept person
        person("a", g="x"),
        person("b", g="x"),
        person("c", g="y"),
        person("d", g="y"),
        person("e", g="y"),
    )
    quotas = (Quota("g", "x", 2, 2), Quota("g", "y", 1, 1))
    instance = Instance(people=people, quotas=quotas, panel_size=3, keep=frozenset({"k"}))
    distribution = find_distribution(instance=instance)
    got = marginals_by_id(instance, distribution)
    assert got["k"] == pytest.approx(1.0)
    assert got["k2"] == pytest.approx(0.0)
    # One more x from a, b; one y from c, d, e.
    assert [got[x] for x in "ab"] == pytest.approx([0.5, 0.5], abs=1e-7)
    assert [got[x] for x in "cde"] == pytest.approx([1 / 3] * 3, abs=1e-7)
    assert distribution.stats["kept"] == 1
    assert check_distribution(instance=instance, distribution=distribution) == []


def test_everyone_kept() -> None:
    people = (person("a", g="x"), person("b", g="y"), person("c", g="y"))
    quotas = (Quota("g", "x", 1, 1), Quota("g", "y", 1, 1))
    instance = Instance(people=people, quotas=quotas, panel_size=2, keep=frozenset({"a", "b"}))
    distribution = find_distribution(instance=instance)
    assert distribution.panels == ((0, 1),)
    assert distribution.marginals == (1.0, 1.0, 0.0)


def test_person_on_no_panel_gets_zero() -> None:
    # z can never be chosen: the quota for value "z" has a maximum of 0.
    people = (person("a", g="x"), person("b", g="x"), person("c", g="y"), person("z", g="z"))
    quotas = (Quota("g", "x", 1, 1), Quota("g", "y", 1, 1), Quota("g", "z", 0, 0))
    instance = Instance(people=people, quotas=quotas, panel_size=2)
    distribution = find_distribution(instance=instance)
    got = marginals_by_id(instance, distribution)
    assert got == pytest.approx({"a": 0.5, "b": 0.5, "c": 1.0, "z": 0.0}, abs=1e-7)


def test_infeasible_quotas_raise_with_the_relaxation() -> None:
    people = tuple(person(f"y{i}", age="16-24") for i in range(4)) + tuple(
        person(f"o{i}", age="65+") for i in range(8)
    )
    quotas = (Quota("age", "16-24", 6, 8), Quota("age", "65+", 2, 8))
    instance = Instance(people=people, quotas=quotas, panel_size=10)
    with pytest.raises(InfeasibleError) as caught:
        find_distribution(instance=instance)
    report = caught.value.report
    assert not report.feasible
    assert "Not enough volunteers with age = 16-24" in str(caught.value)
    assert [(c.new_min, c.new_max) for c in report.relaxation] == [(4, 8)]


def test_unknown_method() -> None:
    instance = Instance(people=(person("a"), person("b")), quotas=(), panel_size=1)
    with pytest.raises(ValueError, match="Unknown method"):
        find_distribution(instance=instance, method="fastest")  # type: ignore[arg-type]


# --- Methods compared -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
def test_maximin_min_equals_leximin_min_and_nash_geometric_mean(seed: int) -> None:
    instance = random_instance(seed)
    leximin = find_distribution(instance=instance, method="leximin")
    maximin = find_distribution(instance=instance, method="maximin")
    nash = find_distribution(instance=instance, method="nash")
    for distribution in (leximin, maximin, nash):
        assert check_distribution(instance=instance, distribution=distribution) == []
    assert min(maximin.marginals) == pytest.approx(min(leximin.marginals), abs=1e-6)
    assert nash.stats["geometric_mean"] >= leximin.stats["geometric_mean"] - 1e-6
    # LEXIMIN's smallest probability is the largest possible, so NASH's is not above it.
    assert min(nash.marginals) <= min(leximin.marginals) + 1e-6


@pytest.mark.parametrize("method", ["leximin", "nash"])
def test_fast_path_agrees_with_column_generation(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The LP relaxation with its decomposition and the column generation over panels are two
    different algorithms; the optimum is unique, so their sorted profiles must agree."""
    instance = random_instance(3, n=50, k=9)
    fast = find_distribution(instance=instance, method=method)
    assert fast.stats["path"] == "relaxation and decomposition"
    monkeypatch.setattr(engine, "_relaxed_leximin", lambda *args, **kwargs: None)
    monkeypatch.setattr(engine, "_relaxed_nash", lambda *args, **kwargs: None)
    slow = find_distribution(instance=instance, method=method)
    assert slow.stats["path"] == "column generation"
    assert check_distribution(instance=instance, distribution=slow) == []
    tolerance = 1e-5 if method == "leximin" else 2e-3  # NASH is flat near its optimum
    assert np.sort(slow.marginals) == pytest.approx(np.sort(fast.marginals), abs=tolerance)
    if method == "nash":
        assert slow.stats["geometric_mean"] == pytest.approx(fast.stats["geometric_mean"], rel=1e-6)


def test_when_the_relaxed_optimum_is_no_mix_of_panels_the_exact_path_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three crossing categories: the LP relaxation's LEXIMIN is fractional in a way no mix of
    panels gives (found by a search over small random pools). The engine must notice and fall
    back to column generation over panels, with the same answer as column generation alone."""
    features = ["aaa", "aaa", "bab", "baa", "abb", "bba", "bab"]
    people = tuple(person(f"p{i}", x=f[0], y=f[1], z=f[2]) for i, f in enumerate(features))
    quotas = (
        Quota("x", "a", 1, 1),
        Quota("x", "b", 1, 1),
        Quota("y", "a", 0, 1),
        Quota("y", "b", 1, 1),
        Quota("z", "a", 1, 1),
        Quota("z", "b", 0, 2),
    )
    instance = Instance(people=people, quotas=quotas, panel_size=2)
    fallback = find_distribution(instance=instance)
    assert fallback.stats["path"] == "column generation"
    assert check_distribution(instance=instance, distribution=fallback) == []
    monkeypatch.setattr(engine, "_relaxed_leximin", lambda *args, **kwargs: None)
    exact = find_distribution(instance=instance)
    assert np.sort(fallback.marginals) == pytest.approx(np.sort(exact.marginals), abs=1e-7)
    assert sum(fallback.marginals) == pytest.approx(2.0)


def test_column_generation_handles_households_and_kept_people(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "_relaxed_leximin", lambda *args, **kwargs: None)
    base = random_instance(4, n=30, k=6)
    people = tuple(
        replace(p, household=f"h{i // 2}" if i < 10 else None) for i, p in enumerate(base.people)
    )
    instance = Instance(
        people=people, quotas=base.quotas, panel_size=6, keep=frozenset({"p0", "p12"})
    )
    distribution = find_distribution(instance=instance)
    assert distribution.stats["path"] == "column generation"
    assert check_distribution(instance=instance, distribution=distribution) == []
    got = marginals_by_id(instance, distribution)
    assert got["p0"] == pytest.approx(1.0) and got["p1"] == pytest.approx(0.0)


def test_stats_progress_and_time_limit() -> None:
    instance = random_instance(5)
    calls: list[tuple[str, float]] = []
    distribution = find_distribution(
        instance=instance, progress=lambda message, fraction: calls.append((message, fraction))
    )
    assert calls[-1] == ("Done", 1.0)
    assert all(0.0 <= fraction <= 1.0 for _, fraction in calls)
    stats = distribution.stats
    for key in ("iterations", "seconds", "solver", "panels", "min_probability", "gini"):
        assert key in stats
    assert stats["panels"] == len(distribution.panels)
    assert stats["min_probability"] == pytest.approx(min(distribution.marginals))
    assert stats["complete"] is True
    assert "highs" in stats["solver"]  # type: ignore[operator]
    # With no time at all the engine still returns a valid (if unfair) distribution.
    rushed = find_distribution(instance=instance, time_limit=0.0)
    assert rushed.stats["complete"] is False
    assert check_distribution(instance=instance, distribution=rushed) == []


def test_no_django_import() -> None:
    code = (
        "import sys\n"
        "import cohesion.assembly.selection.engine, cohesion.assembly.selection.check\n"
        "print('django' in sys.modules)\n"
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "False"


# --- The checker ---------------------------------------------------------------------------


def test_checker_catches_broken_distributions() -> None:
    people = (
        person("a", household="h", g="x"),
        person("b", household="h", g="x"),
        person("c", g="y"),
        person("d", g="y"),
    )
    quotas = (Quota("g", "x", 1, 1), Quota("g", "y", 1, 1))
    instance = Instance(people=people, quotas=quotas, panel_size=2)
    good = find_distribution(instance=instance)
    assert check_distribution(instance=instance, distribution=good) == []

    def problems(**changes: object) -> str:
        broken = replace(good, **changes)  # type: ignore[arg-type]
        found = check_distribution(instance=instance, distribution=broken)
        assert found
        return " ".join(found)

    panels = list(good.panels)
    # Two x people from one household on a panel: breaks the quota for y and the household rule.
    panels[0] = (0, 1)
    message = problems(panels=tuple(panels))
    assert "below the quota's minimum of 1" in message
    assert "household 'h'" in message
    assert "do not match the panels" in message
    panels[0] = (0,)
    assert "has 1 people but the panel size is 2" in problems(panels=tuple(panels))
    panels[0] = (0, 7)
    assert "not in the pool" in problems(panels=tuple(panels))
    probabilities = list(good.probabilities)
    probabilities[0] += 0.1
    assert "add up to" in problems(probabilities=tuple(probabilities))
    probabilities[0] = -0.2
    assert "negative" in problems(probabilities=tuple(probabilities))
    marginals = list(good.marginals)
    marginals[0] += 0.01
    message = problems(marginals=tuple(marginals))
    assert "do not match the panels" in message
    assert "must add up" in message
    assert "one probability per panel" in problems(probabilities=good.probabilities[:-1])
    kept = replace(instance, keep=frozenset({"c"}))
    found = check_distribution(instance=kept, distribution=good)
    assert any("leaves out people who must be kept" in p for p in found)


# --- The published instances ----------------------------------------------------------------


@pytest.mark.skipif(not DATA.exists(), reason="the sortition data set is not on this machine")
def test_example_small_20_matches_the_published_leximin_profile() -> None:
    instance = load_upstream(DATA / "instances" / "example_small_20", 20)
    distribution = find_distribution(instance=instance)
    assert check_distribution(instance=instance, distribution=distribution) == []
    with (DATA / "reference_output" / "example_small_20_prob_allocs_data.csv").open() as handle:
        reference = sorted(
            float(row["selection probability"])
            for row in csv.DictReader(handle)
            if row["algorithm"] == "LexiMin"
        )
    ours = sorted(distribution.marginals)
    assert len(ours) == len(reference)
    assert max(abs(a - b) for a, b in zip(ours, reference, strict=True)) <= 1e-3


@pytest.mark.skipif(not DATA.exists(), reason="the sortition data set is not on this machine")
def test_synth_300_30_reaches_the_anchor_minimum() -> None:
    instance = load_upstream(DATA / "synthetic" / "synth_300_30", 30)
    distribution = find_distribution(instance=instance)
    assert check_distribution(instance=instance, distribution=distribution) == []
    # The anchor's best (MAXIMIN with CBC or HiGHS, and LEXIMIN with Gurobi): 0.05525.
    assert min(distribution.marginals) >= 0.05525 - 5e-4
