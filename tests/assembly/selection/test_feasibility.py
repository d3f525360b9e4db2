"""Instance checks (every InstanceError message) and the feasibility report with its relaxation.

Plain functions, no database: the selection engine is pure Python.
"""

from __future__ import annotations

import pytest

from cohesion.assembly.selection.feasibility import QuotaChange, check_feasibility
from cohesion.assembly.selection.model import Instance, InstanceError, Person, Quota


def person(pid: str, household: str | None = None, **features: str) -> Person:
    return Person(id=pid, features=features, household=household)


def binary_pool(n: int = 4) -> tuple[Person, ...]:
    return tuple(person(f"p{i}", gender="f" if i % 2 == 0 else "m") for i in range(n))


GENDER = (Quota("gender", "f", 1, 1), Quota("gender", "m", 1, 1))


def instance_error(**kwargs: object) -> str:
    with pytest.raises(InstanceError) as caught:
        Instance(**kwargs)  # type: ignore[arg-type]
    return str(caught.value)


# --- InstanceError: each message says what to fix ---------------------------------------------


def test_valid_instance_builds() -> None:
    instance = Instance(people=binary_pool(), quotas=GENDER, panel_size=2)
    assert instance.categories == ("gender",)
    assert instance.values("gender") == ("f", "m")


def test_panel_larger_than_pool() -> None:
    message = instance_error(people=binary_pool(2), quotas=(), panel_size=3)
    assert "panel size (3) is larger than the pool (2 people)" in message


def test_duplicate_ids() -> None:
    people = (person("a", gender="f"), person("b", gender="m"), person("a", gender="m"))
    message = instance_error(people=people, quotas=GENDER, panel_size=2)
    assert "'a' appears 2 times (rows 1, 3)" in message
    assert "remove the duplicates" in message


def test_missing_category() -> None:
    people = (*binary_pool(3), person("x"))
    message = instance_error(people=people, quotas=GENDER, panel_size=2)
    assert "1 person has no value for the category 'gender' ('x')" in message


def test_unknown_category_value() -> None:
    people = (*binary_pool(3), person("x", gender="other"))
    message = instance_error(people=people, quotas=GENDER, panel_size=2)
    assert "Unknown category value 'other' for gender" in message
    assert "only know 'f', 'm'" in message


def test_min_above_max() -> None:
    quotas = (Quota("gender", "f", 2, 1), Quota("gender", "m", 0, 2))
    message = instance_error(people=binary_pool(), quotas=quotas, panel_size=2)
    assert "gender = f has a minimum (2) larger than its maximum (1)" in message


def test_negative_quota() -> None:
    quotas = (Quota("gender", "f", -1, 1), Quota("gender", "m", 0, 2))
    message = instance_error(people=binary_pool(), quotas=quotas, panel_size=2)
    assert "negative number" in message


def test_minimums_add_up_to_more_than_panel() -> None:
    quotas = (Quota("gender", "f", 2, 2), Quota("gender", "m", 1, 2))
    message = instance_error(people=binary_pool(), quotas=quotas, panel_size=2)
    assert "quotas for gender add up to more than the panel size" in message
    assert "minimums add up to 3" in message


def test_maximums_add_up_to_less_than_panel() -> None:
    quotas = (Quota("gender", "f", 0, 1), Quota("gender", "m", 0, 0))
    message = instance_error(people=binary_pool(), quotas=quotas, panel_size=2)
    assert "quotas for gender add up to less than the panel size" in message
    assert "maximums add up to 1" in message


def test_duplicate_quota() -> None:
    quotas = (*GENDER, Quota("gender", "f", 0, 2))
    message = instance_error(people=binary_pool(), quotas=quotas, panel_size=2)
    assert "2 quotas for gender = f" in message


def test_unknown_kept_person() -> None:
    message = instance_error(
        people=binary_pool(), quotas=GENDER, panel_size=2, keep=frozenset({"nobody"})
    )
    assert "not in the pool ('nobody')" in message


def test_two_kept_people_in_one_household() -> None:
    people = (
        person("a", household="h1", gender="f"),
        person("b", household="h1", gender="m"),
        person("c", gender="f"),
        person("d", gender="m"),
    )
    message = instance_error(people=people, quotas=GENDER, panel_size=2, keep=frozenset("ab"))
    assert "live in the same household ('h1')" in message
    assert "Keep only one of them" in message


def test_more_kept_than_places() -> None:
    message = instance_error(
        people=binary_pool(), quotas=(), panel_size=1, keep=frozenset({"p0", "p1"})
    )
    assert "2 people are to be kept on the panel but it only has 1 place." in message


def test_every_problem_is_listed() -> None:
    people = (person("a", gender="f"), person("a", gender="x"))
    with pytest.raises(InstanceError) as caught:
        Instance(people=people, quotas=GENDER, panel_size=3)
    assert len(caught.value.problems) >= 3


# --- Feasibility --------------------------------------------------------------------------


def test_feasible_report() -> None:
    report = check_feasibility(instance=Instance(people=binary_pool(), quotas=GENDER, panel_size=2))
    assert report.feasible
    assert report.problems == []
    assert report.relaxation == []


def test_not_enough_volunteers_with_relaxation() -> None:
    people = tuple(person(f"y{i}", age="16-24") for i in range(4)) + tuple(
        person(f"o{i}", age="65+") for i in range(8)
    )
    quotas = (Quota("age", "16-24", 6, 8), Quota("age", "65+", 2, 8))
    report = check_feasibility(instance=Instance(people=people, quotas=quotas, panel_size=10))
    assert not report.feasible
    assert (
        "Not enough volunteers with age = 16-24: the quota asks for at least 6, there are 4 in "
        "the pool." in report.problems
    )
    assert report.relaxation == [QuotaChange("age", "16-24", 6, 8, 4, 8)]
    assert any("lower the minimum from 6 to 4" in p for p in report.problems)


def test_quotas_that_only_fail_together() -> None:
    # Women are all young and men all old: one of each and two young cannot both hold.
    people = (
        person("a", gender="f", age="young"),
        person("b", gender="f", age="young"),
        person("c", gender="m", age="old"),
        person("d", gender="m", age="old"),
    )
    quotas = (*GENDER, Quota("age", "young", 2, 2), Quota("age", "old", 0, 2))
    report = check_feasibility(instance=Instance(people=people, quotas=quotas, panel_size=2))
    assert not report.feasible
    assert report.problems[0].startswith("The quotas cannot all be met at the same time")
    # The smallest change: one fewer young person (a total change of 1).
    assert report.relaxation == [QuotaChange("age", "young", 2, 2, 1, 2)]


def test_households_limit_a_quota() -> None:
    people = (
        person("a", household="h", gender="f"),
        person("b", household="h", gender="f"),
        person("c", gender="m"),
        person("d", gender="m"),
    )
    quotas = (Quota("gender", "f", 2, 2), Quota("gender", "m", 0, 2))
    report = check_feasibility(instance=Instance(people=people, quotas=quotas, panel_size=2))
    assert not report.feasible
    assert any("from separate households" in p for p in report.problems)
    assert report.relaxation == [QuotaChange("gender", "f", 2, 2, 1, 2)]


def test_kept_people_over_a_maximum() -> None:
    people = binary_pool(6)
    quotas = (Quota("gender", "f", 1, 1), Quota("gender", "m", 1, 2))
    instance = Instance(people=people, quotas=quotas, panel_size=3, keep=frozenset({"p0", "p2"}))
    report = check_feasibility(instance=instance)
    assert not report.feasible
    assert any(
        "Too many of the people kept on the panel have gender = f" in p for p in report.problems
    )
    assert report.relaxation == [QuotaChange("gender", "f", 1, 1, 1, 2)]


def test_too_few_households() -> None:
    people = tuple(person(f"p{i}", household="same") for i in range(3))
    report = check_feasibility(instance=Instance(people=people, quotas=(), panel_size=2))
    assert not report.feasible
    assert any("only 1 separate households" in p for p in report.problems)
    assert report.relaxation == []
