"""The uniform lottery, the published file and the verifiable draw (no database)."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cohesion.assembly.selection import lottery as lottery_module
from cohesion.assembly.selection.lottery import (
    Lottery,
    anonymised_lottery_file,
    draw_index,
    fingerprint,
    normalise_public_random,
    pool_labels,
    round_to_lottery,
)
from cohesion.assembly.selection.model import Instance, Person, Quota

VERIFY = Path(lottery_module.__file__).with_name("verify.py")


@dataclass(frozen=True)
class HandMadeDistribution:
    """Has the fields of ``model.Distribution`` that the rounding reads."""

    panels: tuple[tuple[int, ...], ...]
    probabilities: tuple[float, ...]
    marginals: tuple[float, ...]
    method: str = "hand-made"
    stats: dict[str, object] = field(default_factory=dict)


def random_distribution(
    seed: int, n: int = 30, k: int = 5, panels: int = 40
) -> HandMadeDistribution:
    rng = random.Random(seed)
    chosen: set[tuple[int, ...]] = set()
    while len(chosen) < panels:
        chosen.add(tuple(sorted(rng.sample(range(n), k))))
    ordered = sorted(chosen)
    rng.shuffle(ordered)
    weights = [rng.random() ** 3 + 1e-3 for _ in ordered]
    total = sum(weights)
    probabilities = tuple(w / total for w in weights)
    marginals = [0.0] * n
    for panel, p in zip(ordered, probabilities, strict=True):
        for i in panel:
            marginals[i] += p
    return HandMadeDistribution(tuple(ordered), probabilities, tuple(marginals))


def distribution_of(
    panels: list[tuple[int, ...]], probabilities: list[float], n: int
) -> HandMadeDistribution:
    marginals = [0.0] * n
    for panel, p in zip(panels, probabilities, strict=True):
        for i in panel:
            marginals[i] += p
    return HandMadeDistribution(tuple(panels), tuple(probabilities), tuple(marginals))


def lottery_marginals(lottery: Lottery, n: int) -> list[float]:
    counts = [0] * n
    for panel in lottery.panels:
        for i in panel:
            counts[i] += 1
    return [c / len(lottery.panels) for c in counts]


@pytest.fixture(scope="module")
def rounded() -> list[tuple[HandMadeDistribution, Lottery]]:
    results = []
    for seed in range(4):
        distribution = random_distribution(seed)
        results.append(
            (distribution, round_to_lottery(distribution=distribution, m=1000, time_limit=10))
        )
    return results


def test_rounding_gives_exactly_m_panels_from_the_distribution(
    rounded: list[tuple[HandMadeDistribution, Lottery]],
) -> None:
    for distribution, lottery in rounded:
        assert len(lottery.panels) == 1000
        assert lottery.m == 1000
        assert sum(lottery.counts) == 1000
        assert set(lottery.panels) <= {tuple(sorted(p)) for p in distribution.panels}
        assert all(len(panel) == 5 for panel in lottery.panels)


def test_rounding_loses_less_than_one_mth_of_the_smallest_probability(
    rounded: list[tuple[HandMadeDistribution, Lottery]],
) -> None:
    for distribution, lottery in rounded:
        assert lottery.min_loss < 1 / 1000
        assert lottery.min_loss == pytest.approx(
            min(distribution.marginals) - min(lottery.marginals)
        )


def test_reported_marginals_and_bound_are_true(
    rounded: list[tuple[HandMadeDistribution, Lottery]],
) -> None:
    for distribution, lottery in rounded:
        actual = lottery_marginals(lottery, 30)
        assert list(lottery.marginals) == pytest.approx(actual, abs=1e-12)
        assert abs(sum(actual) - 5) < 1e-9  # marginals add up to the panel size
        worst = max(abs(a - b) for a, b in zip(actual, distribution.marginals, strict=True))
        assert worst == pytest.approx(lottery.max_deviation, abs=1e-12)


def test_rounding_is_never_worse_than_the_heuristic(
    rounded: list[tuple[HandMadeDistribution, Lottery]],
) -> None:
    for _, lottery in rounded:
        assert lottery.stats["min_count"] >= lottery.stats["heuristic_min_count"]  # type: ignore[operator]
        assert (
            lottery.stats["total_deviation"] <= lottery.stats["heuristic_total_deviation"] + 1e-12
        )  # type: ignore[operator]


def test_heuristic_alone_keeps_the_sum_and_the_bound() -> None:
    for seed in range(10, 16):
        distribution = random_distribution(seed, n=40, k=6, panels=60)
        lottery = round_to_lottery(distribution=distribution, m=500, use_mip=False)
        assert len(lottery.panels) == 500
        assert lottery.stats["rounding"] == "heuristic"
        assert lottery.min_loss < 1 / 500


def test_rounding_is_deterministic_and_ignores_panel_order() -> None:
    distribution = random_distribution(3)
    first = round_to_lottery(distribution=distribution, m=1000, time_limit=120)
    again = round_to_lottery(distribution=distribution, m=1000, time_limit=120)
    order = list(range(len(distribution.panels)))
    random.Random(9).shuffle(order)
    shuffled = HandMadeDistribution(
        tuple(distribution.panels[j] for j in order),
        tuple(distribution.probabilities[j] for j in order),
        distribution.marginals,
    )
    third = round_to_lottery(distribution=shuffled, m=1000, time_limit=120)
    assert first.panels == again.panels == third.panels


def test_exact_multiples_are_kept_exactly() -> None:
    distribution = distribution_of([(0, 1), (2, 3), (0, 2)], [0.25, 0.5, 0.25], n=4)
    lottery = round_to_lottery(distribution=distribution, m=100)
    assert lottery.counts == (25, 25, 50)  # panels are in sorted order: (0, 1), (0, 2), (2, 3)
    assert lottery.min_loss == pytest.approx(0.0)
    assert lottery.max_deviation == pytest.approx(0.0)


def test_a_single_panel_fills_the_lottery() -> None:
    lottery = round_to_lottery(distribution=distribution_of([(0, 2)], [1.0], n=3), m=7)
    assert lottery.panels == ((0, 2),) * 7
    assert lottery.marginals == (1.0, 0.0, 1.0)


@pytest.mark.parametrize(
    ("panels", "probabilities", "m", "message"),
    [
        ([(0, 1)], [0.5], 10, "add up to"),
        ([(0, 1), (1, 2)], [0.5], 10, "probabilities"),
        ([(0, 5)], [1.0], 10, "outside the pool"),
        ([(0, 1)], [1.0], 0, "positive whole number"),
        ([(0, 1), (1, 2)], [1.5, -0.5], 10, "0 or more"),
    ],
)
def test_bad_distributions_are_refused(
    panels: list[tuple[int, ...]], probabilities: list[float], m: int, message: str
) -> None:
    distribution = HandMadeDistribution(tuple(panels), tuple(probabilities), (0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match=message):
        round_to_lottery(distribution=distribution, m=m)


# ---------------------------------------------------------------------------------------------
# The published file and the draw


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, Lottery]:
    distribution = random_distribution(1)
    lottery = round_to_lottery(distribution=distribution, m=1000, time_limit=10)
    meta = {
        "assembly": "Stoke-on-Trent Citizens' Assembly 2026",
        "date": "2026-11-24",
        "method": "leximin",
    }
    data = anonymised_lottery_file(lottery=lottery, person_labels=pool_labels(30), meta=meta)
    path = tmp_path_factory.mktemp("lottery") / "lottery.json"
    path.write_bytes(data)
    return path, data, lottery


def run_verify(*args: str) -> subprocess.CompletedProcess[str]:
    # Runs our own script with the test's own interpreter and fixed arguments; no shell.
    return subprocess.run(  # noqa: S603 - fixed command: this interpreter and our verify.py
        [sys.executable, str(VERIFY), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_file_is_canonical_anonymous_json(published: tuple[Path, bytes, Lottery]) -> None:
    _, data, lottery = published
    document = json.loads(data)
    assert (
        data
        == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    assert document["format_version"] == 1
    assert document["m"] == 1000 and document["panel_size"] == 5
    assert document["pool"][:2] == ["V0001", "V0002"]
    assert [panel["number"] for panel in document["panels"]] == list(range(1000))
    assert document["panels"][0]["members"] == [f"V{i + 1:04d}" for i in lottery.panels[0]]
    assert fingerprint(data) == hashlib.sha256(data).hexdigest()
    # the same inputs give the same bytes
    again = anonymised_lottery_file(
        lottery=lottery, person_labels=pool_labels(30), meta=document["meta"]
    )
    assert again == data


def test_file_refuses_wrong_labels_and_meta(published: tuple[Path, bytes, Lottery]) -> None:
    _, _, lottery = published
    with pytest.raises(ValueError, match="29 labels for a pool of 30"):
        anonymised_lottery_file(lottery=lottery, person_labels=pool_labels(29), meta={})
    with pytest.raises(ValueError, match="same label"):
        anonymised_lottery_file(lottery=lottery, person_labels=["V1"] * 30, meta={})
    with pytest.raises(ValueError, match="m = 999"):
        anonymised_lottery_file(lottery=lottery, person_labels=pool_labels(30), meta={"m": 999})


def test_draw_is_reproducible_and_follows_the_rule() -> None:
    digest = fingerprint(b"example")
    index = draw_index(fingerprint=digest, public_random="12 24 31 38 45 49", m=1000)
    expected = int(hashlib.sha256(f"{digest}:122431384549".encode()).hexdigest(), 16) % 1000
    assert index == expected
    assert (
        draw_index(fingerprint=digest.upper(), public_random="12-24-31-38-45-49", m=1000) == index
    )
    # different numbers spread over the panels
    spread = {draw_index(fingerprint=digest, public_random=str(x), m=10) for x in range(200)}
    assert spread == set(range(10))


def test_public_number_is_normalised() -> None:
    assert normalise_public_random(" 12, 24; 31 ") == "122431"
    assert normalise_public_random("AB-12") == "ab12"


@pytest.mark.parametrize("bad", ["", "   ", " - , "])
def test_empty_public_number_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="public random number is empty"):
        draw_index(fingerprint=fingerprint(b"x"), public_random=bad, m=10)


def test_public_number_in_another_script_is_refused() -> None:
    with pytest.raises(ValueError, match="digits 0-9"):
        normalise_public_random("١٢ 24")


def test_bad_fingerprint_is_refused() -> None:
    with pytest.raises(ValueError, match="64 hexadecimal digits"):
        draw_index(fingerprint="abc", public_random="1", m=10)


def test_verify_script_agrees_with_draw_index(published: tuple[Path, bytes, Lottery]) -> None:
    path, data, lottery = published
    digest = fingerprint(data)
    for number in ("12 24 31 38 45 49", "7", "ab cd 01"):
        index = draw_index(fingerprint=digest, public_random=number, m=1000)
        result = run_verify(
            str(path), number, "--expect-fingerprint", digest, "--expect-panel", str(index)
        )
        assert result.returncode == 0, result.stderr
        assert f"Fingerprint SHA-256: {digest}" in result.stdout
        assert f"Chosen panel:        {index}\n" in result.stdout
        members = " ".join(f"V{i + 1:04d}" for i in lottery.panels[index])
        assert f"Members:             {members}\n" in result.stdout


def test_verify_script_flags_a_wrong_panel(published: tuple[Path, bytes, Lottery]) -> None:
    path, data, _ = published
    index = draw_index(fingerprint=fingerprint(data), public_random="5", m=1000)
    result = run_verify(str(path), "5", "--expect-panel", str((index + 1) % 1000))
    assert result.returncode == 3
    assert "PANEL MISMATCH" in result.stderr


def test_tampered_file_has_another_fingerprint(
    published: tuple[Path, bytes, Lottery], tmp_path: Path
) -> None:
    path, data, _ = published
    document = json.loads(data)
    members = document["panels"][0]["members"]
    outsider = next(label for label in document["pool"] if label not in members)
    members[0] = outsider  # one person swapped in one panel
    tampered = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    assert fingerprint(tampered) != fingerprint(data)
    fake = tmp_path / "lottery.json"
    fake.write_bytes(tampered)
    result = run_verify(str(fake), "12 24 31 38 45 49", "--expect-fingerprint", fingerprint(data))
    assert result.returncode == 2
    assert "FINGERPRINT MISMATCH" in result.stderr
    assert "not the published lottery file" in result.stderr


def test_verify_script_checks_panel_size_and_m(
    published: tuple[Path, bytes, Lottery], tmp_path: Path
) -> None:
    _, data, _ = published
    document = json.loads(data)
    document["panels"][7]["members"] = document["panels"][7]["members"][:4]
    short = tmp_path / "short.json"
    short.write_text(json.dumps(document))
    result = run_verify(str(short), "1")
    assert result.returncode == 1
    assert "Panel 7 has 4 members but the file states panel_size = 5" in result.stderr

    document = json.loads(data)
    document["m"] = 999
    wrong_m = tmp_path / "wrong_m.json"
    wrong_m.write_text(json.dumps(document))
    result = run_verify(str(wrong_m), "1")
    assert result.returncode == 1
    assert "states m = 999 but holds 1000 panels" in result.stderr


def test_verify_script_explains_a_bad_public_number(published: tuple[Path, bytes, Lottery]) -> None:
    path, _, _ = published
    result = run_verify(str(path), " , ")
    assert result.returncode == 1
    assert "public random number is empty" in result.stderr


def test_verify_script_explains_an_unreadable_file(tmp_path: Path) -> None:
    missing = run_verify(str(tmp_path / "nope.json"), "1")
    assert missing.returncode == 1 and "Cannot read" in missing.stderr
    junk = tmp_path / "junk.json"
    junk.write_bytes(b"\xff\xfe not json")
    result = run_verify(str(junk), "1")
    assert result.returncode == 1 and "not valid UTF-8 JSON" in result.stderr


def test_verify_script_uses_only_the_standard_library() -> None:
    source = VERIFY.read_text()
    imports = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from ")) and not line.startswith("from __future__")
    }
    assert imports <= set(sys.stdlib_module_names)


# ---------------------------------------------------------------------------------------------
# Rounding with the instance: groups of interchangeable volunteers


def small_instance(seed: int) -> tuple[Instance, HandMadeDistribution]:
    """30 volunteers, 3 categories, panel of 6; a household of two and one kept person."""
    rng = random.Random(seed)
    people = []
    for i in range(30):
        features = {
            "gender": rng.choice(["f", "m"]),
            "age": rng.choice(["young", "middle", "old"]),
            "area": rng.choice(["north", "south"]),
        }
        household = "h1" if i in (3, 4) else None
        people.append(Person(id=f"p{i}", features=features, household=household))
    quotas = (
        Quota("gender", "f", 2, 4),
        Quota("gender", "m", 2, 4),
        Quota("age", "young", 1, 3),
        Quota("age", "middle", 1, 3),
        Quota("age", "old", 1, 3),
        Quota("area", "north", 2, 4),
        Quota("area", "south", 2, 4),
    )
    instance = Instance(people=tuple(people), quotas=quotas, panel_size=6, keep=frozenset({"p0"}))
    panels: set[tuple[int, ...]] = set()
    while len(panels) < 60:
        panel = tuple(sorted([0, *rng.sample(range(1, 30), 5)]))
        if check_panel(instance, panel) is None:
            panels.add(panel)
    ordered = sorted(panels)
    weights = [rng.random() ** 2 + 0.01 for _ in ordered]
    total = sum(weights)
    return instance, distribution_of(ordered, [w / total for w in weights], n=30)


def check_panel(instance: Instance, panel: tuple[int, ...]) -> str | None:
    chosen = [instance.people[i] for i in panel]
    for quota in instance.quotas:
        count = sum(1 for p in chosen if p.features[quota.category] == quota.value)
        if not quota.min <= count <= quota.max:
            return f"{quota.category}={quota.value}: {count}"
    households = [p.household for p in chosen if p.household]
    if len(households) != len(set(households)):
        return "household"
    if "p0" not in {p.id for p in chosen}:
        return "kept person missing"
    return None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rounding_by_groups_keeps_every_rule(seed: int) -> None:
    instance, distribution = small_instance(seed)
    lottery = round_to_lottery(distribution=distribution, m=1000, time_limit=10, instance=instance)
    assert lottery.stats["by_groups"] is True
    assert len(lottery.panels) == 1000
    for panel in set(lottery.panels):
        assert check_panel(instance, panel) is None, panel
    assert lottery.min_loss < 1 / 1000
    assert list(lottery.marginals) == pytest.approx(lottery_marginals(lottery, 30), abs=1e-12)
    assert lottery.marginals[0] == 1.0  # the kept person is on every panel


def test_people_in_one_group_get_counts_within_one() -> None:
    instance, distribution = small_instance(5)
    lottery = round_to_lottery(distribution=distribution, m=1000, time_limit=10, instance=instance)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, person in enumerate(instance.people):
        if person.household is None and person.id not in instance.keep:
            groups.setdefault(tuple(sorted(person.features.values())), []).append(i)
    for members in groups.values():
        counts = [round(lottery.marginals[i] * 1000) for i in members]
        assert max(counts) - min(counts) <= 1


def test_instance_must_match_the_distribution() -> None:
    instance, _ = small_instance(0)
    with pytest.raises(ValueError, match="30 people but the distribution 4"):
        round_to_lottery(
            distribution=distribution_of([(0, 1)], [1.0], n=4), m=10, instance=instance
        )
