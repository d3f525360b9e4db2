"""The selection engine: fair to every volunteer, within the quotas and the household rule."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from cohesion.assembly.selection.check import check_distribution
from cohesion.assembly.selection.engine import find_distribution
from cohesion.assembly.selection.feasibility import check_feasibility
from cohesion.assembly.selection.model import Distribution, Instance, InstanceError, Person, Quota

DATA = Path("/work/shared/datasets/sortition")
if not DATA.exists():
    DATA = Path(__file__).resolve().parents[4] / "shared" / "datasets" / "sortition"


def people(specs: list[tuple[str, str, str | None]]) -> tuple[Person, ...]:
    return tuple(Person(id=pid, features={"group": group}, household=home) for pid, group, home in specs)


def two_groups(panel: int = 2) -> tuple[Quota, ...]:
    return (Quota("group", "a", 1, 1), Quota("group", "b", panel - 1, panel - 1))


def test_a_symmetric_pool_gives_everyone_the_same_chance() -> None:
    instance = Instance(people=people([("p1", "a", None), ("p2", "a", None), ("p3", "b", None), ("p4", "b", None)]), quotas=two_groups(), panel_size=2)
    dist = find_distribution(instance=instance, method="leximin")
    assert check_distribution(instance=instance, distribution=dist) == []
    assert dist.marginals == pytest.approx([0.5, 0.5, 0.5, 0.5], abs=1e-6)
    assert sum(dist.probabilities) == pytest.approx(1.0)


def test_one_person_per_household() -> None:
    # p1 and p3 share a home: they are never on a panel together.
    instance = Instance(people=people([("p1", "a", "h1"), ("p2", "a", None), ("p3", "b", "h1"), ("p4", "b", None)]), quotas=two_groups(), panel_size=2)
    dist = find_distribution(instance=instance)
    assert check_distribution(instance=instance, distribution=dist) == []
    for panel, p in zip(dist.panels, dist.probabilities, strict=True):
        if p > 1e-9:
            assert not {0, 2} <= set(panel)
    # Panels {p1,p4} and {p2,p3} half the time each: still an even 1 in 2 for everyone.
    assert dist.marginals == pytest.approx([0.5, 0.5, 0.5, 0.5], abs=1e-6)


def test_people_already_selected_are_kept() -> None:
    instance = Instance(people=people([("p1", "a", None), ("p2", "a", None), ("p3", "b", None), ("p4", "b", None)]), quotas=two_groups(), panel_size=2, keep=frozenset({"p1"}))
    dist = find_distribution(instance=instance)
    assert dist.marginals[0] == pytest.approx(1.0)
    assert dist.marginals[1] == pytest.approx(0.0, abs=1e-9)
    assert check_distribution(instance=instance, distribution=dist) == []


def test_maximin_and_leximin_agree_on_the_smallest_chance_and_nash_is_fair_overall() -> None:
    pool = people([(f"p{i}", "a" if i < 3 else "b", None) for i in range(10)])
    instance = Instance(people=pool, quotas=(Quota("group", "a", 1, 2), Quota("group", "b", 2, 3)), panel_size=4)
    lex = find_distribution(instance=instance, method="leximin")
    mx = find_distribution(instance=instance, method="maximin")
    nash = find_distribution(instance=instance, method="nash")
    for dist in (lex, mx, nash):
        assert check_distribution(instance=instance, distribution=dist) == []
    assert min(mx.marginals) == pytest.approx(min(lex.marginals), abs=1e-6)

    def geo(d: Distribution) -> float:
        return math.exp(sum(math.log(max(m, 1e-12)) for m in d.marginals) / len(d.marginals))

    assert geo(nash) >= geo(lex) - 1e-4


def test_the_checker_catches_a_panel_that_breaks_a_quota() -> None:
    instance = Instance(people=people([("p1", "a", None), ("p2", "a", None), ("p3", "b", None), ("p4", "b", None)]), quotas=two_groups(), panel_size=2)
    dist = find_distribution(instance=instance)
    broken = Distribution(
        panels=((0, 1), *dist.panels[1:]),
        probabilities=dist.probabilities,
        marginals=dist.marginals,
        method=dist.method,
        stats=dist.stats,
    )
    problems = check_distribution(instance=instance, distribution=broken)
    assert problems, "a panel of two group-a people must be reported"


def test_quotas_that_cannot_be_met_get_the_smallest_relaxation() -> None:
    pool = people([("p1", "a", None), ("p2", "b", None), ("p3", "b", None), ("p4", "b", None)])
    instance = Instance(people=pool, quotas=(Quota("group", "a", 2, 2), Quota("group", "b", 1, 2)), panel_size=3)
    report = check_feasibility(instance=instance)
    assert not report.feasible
    assert any("a" in problem for problem in report.problems)
    assert len(report.relaxation) == 1
    change = report.relaxation[0]
    assert (change.category, change.value, change.new_min) == ("group", "a", 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"panel_size": 9}, "larger than"),
        ({"quotas": (Quota("group", "a", 1, 1), Quota("group", "b", 0, 0))}, "less than the panel size"),
        ({"quotas": (Quota("group", "a", 2, 1), Quota("group", "b", 1, 1))}, "min"),
    ],
)
def test_bad_instances_say_what_to_fix(kwargs: dict, message: str) -> None:
    base = {"people": people([("p1", "a", None), ("p2", "a", None), ("p3", "b", None), ("p4", "b", None)]), "quotas": two_groups(), "panel_size": 2}
    with pytest.raises(InstanceError, match=message):
        Instance(**{**base, **kwargs})


def test_duplicate_people_and_unknown_values_are_refused() -> None:
    with pytest.raises(InstanceError, match="(?i)duplicate|twice|more than once"):
        Instance(people=people([("p1", "a", None), ("p1", "b", None), ("p3", "b", None)]), quotas=two_groups(), panel_size=2)
    with pytest.raises(InstanceError, match="c"):
        Instance(people=people([("p1", "a", None), ("p2", "c", None), ("p3", "b", None)]), quotas=two_groups(), panel_size=2)


def _load(folder: Path, k: int) -> Instance:
    with (folder / "categories.csv").open() as handle:
        quotas = tuple(Quota(r["category"], r["feature"], int(r["min"]), int(r["max"])) for r in csv.DictReader(handle))
    with (folder / "respondents.csv").open() as handle:
        pool = tuple(Person(id=str(i), features=dict(row)) for i, row in enumerate(csv.DictReader(handle)))
    return Instance(people=pool, quotas=quotas, panel_size=k)


@pytest.mark.skipif(not DATA.exists(), reason="the shared sortition data set is not on this machine")
def test_leximin_matches_the_papers_profile_on_the_published_instance() -> None:
    instance = _load(DATA / "instances" / "example_small_20", 20)
    dist = find_distribution(instance=instance, method="leximin")
    assert check_distribution(instance=instance, distribution=dist) == []
    with (DATA / "reference_output" / "example_small_20_prob_allocs_data.csv").open() as handle:
        reference = sorted(float(r["selection probability"]) for r in csv.DictReader(handle) if r["algorithm"] == "LexiMin")
    ours = sorted(dist.marginals)
    assert len(ours) == len(reference)
    assert max(abs(a - b) for a, b in zip(ours, reference, strict=True)) <= 1e-3
