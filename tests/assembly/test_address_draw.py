"""The invitation draw (pure): proportional, capped, boosted, reproducible from its seed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cohesion.assembly import draw
from cohesion.assembly.draw import DrawError, allocate, draw_addresses


def _addresses(counts: dict[str, int]) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    next_id = 1
    for code, count in counts.items():
        out[code] = []
        for i in range(count):
            out[code].append((str(10_000 + next_id * 7 % 9973 + i), next_id))
            next_id += 1
    return out


def test_draw_imports_no_django() -> None:
    tree = ast.parse(Path(draw.__file__).read_text())
    modules = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert not any(m.startswith("django") or m.startswith("cohesion") for m in modules)


def test_same_inputs_and_seed_give_the_same_addresses() -> None:
    addresses = _addresses({"E1": 300, "E2": 200, "E3": 500})
    pops = {"E1": 3000, "E2": 2000, "E3": 5000}
    first = draw_addresses(addresses_by_ward=addresses, populations=pops, n=100, seed=2026)
    again = draw_addresses(addresses_by_ward=addresses, populations=pops, n=100, seed=2026)
    assert first == again
    assert len(first) == len(set(first)) == 100


def test_the_order_addresses_are_given_in_does_not_matter() -> None:
    addresses = _addresses({"E1": 300, "E2": 200})
    shuffled = {code: list(reversed(items)) for code, items in reversed(list(addresses.items()))}
    pops = {"E1": 1, "E2": 1}
    assert draw_addresses(addresses_by_ward=addresses, populations=pops, n=50, seed=5) == draw_addresses(
        addresses_by_ward=shuffled, populations=pops, n=50, seed=5
    )


def test_a_different_seed_gives_different_addresses() -> None:
    addresses = _addresses({"E1": 300, "E2": 200, "E3": 500})
    pops = {"E1": 3000, "E2": 2000, "E3": 5000}
    a = draw_addresses(addresses_by_ward=addresses, populations=pops, n=100, seed=1)
    b = draw_addresses(addresses_by_ward=addresses, populations=pops, n=100, seed=2)
    assert set(a) != set(b)


def test_letters_are_shared_in_proportion_to_population_not_addresses() -> None:
    counts = allocate(available={"E1": 1000, "E2": 1000, "E3": 1000}, populations={"E1": 5000, "E2": 3000, "E3": 2000}, n=100)
    assert counts == {"E1": 50, "E2": 30, "E3": 20}


def test_largest_remainder_rounding_with_ties_to_the_smaller_code() -> None:
    # Exact shares 33.33 each: one letter left over goes to the ward with the smallest code.
    counts = allocate(available={"E3": 100, "E1": 100, "E2": 100}, populations={"E1": 1, "E2": 1, "E3": 1}, n=100)
    assert counts == {"E1": 34, "E2": 33, "E3": 33}
    # Shares 1.6, 2.4 and 6.0 for 10: floors 1, 2, 6; the one left goes to the largest fraction.
    counts = allocate(available={"A": 50, "B": 50, "C": 50}, populations={"A": 16, "B": 24, "C": 60}, n=10)
    assert counts == {"A": 2, "B": 2, "C": 6}


def test_a_ward_with_too_few_addresses_gives_all_it_has_and_the_rest_is_shared_again() -> None:
    counts = allocate(available={"E1": 5, "E2": 1000, "E3": 1000}, populations={"E1": 5000, "E2": 2500, "E3": 2500}, n=100)
    assert counts["E1"] == 5
    assert counts["E2"] + counts["E3"] == 95
    assert abs(counts["E2"] - counts["E3"]) <= 1


def test_a_boost_gives_the_boosted_ward_more_letters() -> None:
    plain = allocate(available={"E1": 500, "E2": 500}, populations={"E1": 1000, "E2": 1000}, n=100)
    boosted = allocate(available={"E1": 500, "E2": 500}, populations={"E1": 1000, "E2": 1000}, n=100, boost={"E2": 1.5})
    assert plain == {"E1": 50, "E2": 50}
    assert boosted == {"E1": 40, "E2": 60}


def test_addresses_within_a_ward_are_drawn_from_the_ward() -> None:
    addresses = _addresses({"E1": 100, "E2": 100})
    ids_e1 = {i for _, i in addresses["E1"]}
    drawn = draw_addresses(addresses_by_ward=addresses, populations={"E1": 3, "E2": 1}, n=40, seed=9)
    assert sum(1 for i in drawn if i in ids_e1) == 30


def test_each_address_in_a_ward_has_the_same_chance() -> None:
    addresses = _addresses({"E1": 10})
    hits = dict.fromkeys((i for _, i in addresses["E1"]), 0)
    for seed in range(2000):
        for i in draw_addresses(addresses_by_ward=addresses, populations={"E1": 1}, n=3, seed=seed):
            hits[i] += 1
    # Each address is expected 600 times; 5 standard deviations is about 100.
    assert all(480 < count < 720 for count in hits.values())


def test_uprns_sort_as_numbers() -> None:
    assert sorted(["100", "99", "1000"], key=draw.uprn_sort_key) == ["99", "100", "1000"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 11}, "only 10 addresses"),
        ({"n": -1}, "0 or more"),
        ({"seed": -5}, "seed must be"),
        ({"boost": {"E1": 0.0}}, "more than 0"),
    ],
)
def test_bad_inputs_are_refused_with_a_message(kwargs: dict, message: str) -> None:
    args = {"addresses_by_ward": _addresses({"E1": 5, "E2": 5}), "populations": {"E1": 1, "E2": 1}, "n": 3, "seed": 1, **kwargs}
    with pytest.raises(DrawError, match=message):
        draw_addresses(**args)


def test_wards_with_nobody_living_there_get_no_letters() -> None:
    counts = allocate(available={"E1": 10, "E2": 10}, populations={"E1": 0, "E2": 100}, n=5)
    assert counts == {"E1": 0, "E2": 5}
    with pytest.raises(DrawError, match="only 10 addresses"):
        allocate(available={"E1": 10, "E2": 10}, populations={"E1": 0, "E2": 100}, n=15)
