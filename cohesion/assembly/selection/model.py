"""The data the selection engine works on: volunteers, quotas, an instance and a distribution.

Pure Python: no Django import. An :class:`Instance` checks itself when it is made and raises
:class:`InstanceError` with every problem it finds, each in plain English saying what to fix, so
that a form or an import can show them to the officer as they are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - only for the type checker
    from cohesion.assembly.selection.feasibility import FeasibilityReport

__all__ = [
    "Distribution",
    "InfeasibleError",
    "Instance",
    "InstanceError",
    "Person",
    "Quota",
]


class InstanceError(ValueError):
    """The instance cannot be used as it is. ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


class InfeasibleError(ValueError):
    """No panel meets every quota (and the household rule, and keeps the kept people).

    ``report`` is the feasibility report: the problems in plain English and the smallest change
    to the quotas that would make a panel possible.
    """

    def __init__(self, report: FeasibilityReport) -> None:
        self.report = report
        message = " ".join(report.problems) or "No panel can meet all the quotas."
        super().__init__(message)


@dataclass(frozen=True)
class Person:
    """One volunteer. ``features`` maps a category (``"age"``) to this person's value (``"16-24"``).

    ``household`` groups people who live at one address: at most one of them can be on a panel.
    ``None`` means the person is their own household.
    """

    id: str
    features: Mapping[str, str]
    household: str | None = None


@dataclass(frozen=True)
class Quota:
    """At least ``min`` and at most ``max`` panel members with ``category`` equal to ``value``."""

    category: str
    value: str
    min: int
    max: int


def _people_list(ids: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(i) for i in ids[:limit])
    if len(ids) > limit:
        shown += f" and {len(ids) - limit} more"
    return shown


@dataclass(frozen=True)
class Instance:
    """A selection problem: the pool, the quotas, the panel size and who must stay on the panel.

    ``keep`` holds the ids of people already selected who must be on every panel (for example
    when replacing members who dropped out). Construction checks everything and raises
    :class:`InstanceError` listing each problem.
    """

    people: tuple[Person, ...]
    quotas: tuple[Quota, ...]
    panel_size: int
    keep: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "people", tuple(self.people))
        object.__setattr__(self, "quotas", tuple(self.quotas))
        object.__setattr__(self, "keep", frozenset(self.keep))
        problems = self._problems()
        if problems:
            raise InstanceError(problems)

    # ---------------------------------------------------------------------------------------
    # Helpers the engine, the feasibility check and the checker use

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories that have quotas, in the order they first appear."""
        return tuple(dict.fromkeys(q.category for q in self.quotas))

    def values(self, category: str) -> tuple[str, ...]:
        """The values of ``category`` that have quotas, in the order of the quotas."""
        return tuple(q.value for q in self.quotas if q.category == category)

    def index_of(self) -> dict[str, int]:
        """Person id to position in ``people``."""
        return {person.id: i for i, person in enumerate(self.people)}

    # ---------------------------------------------------------------------------------------

    def _problems(self) -> list[str]:
        problems: list[str] = []
        n = len(self.people)
        k = self.panel_size
        if isinstance(k, bool) or not isinstance(k, int):
            return [f"The panel size must be a whole number, not {k!r}."]
        if k < 1:
            problems.append(f"The panel size must be at least 1 (it is {k}).")
        if k > n:
            problems.append(
                f"The panel size ({k}) is larger than the pool ({n} "
                f"{'person' if n == 1 else 'people'}). Make the panel smaller or invite more "
                "volunteers."
            )

        # People: ids unique and present.
        positions: dict[str, list[int]] = defaultdict(list)
        for row, person in enumerate(self.people, start=1):
            positions[person.id].append(row)
        for pid, rows in positions.items():
            if pid is None or str(pid).strip() == "":
                problems.append(
                    f"Some volunteers have no id (rows {', '.join(map(str, rows))}). Give every "
                    "volunteer an id."
                )
            elif len(rows) > 1:
                problems.append(
                    f"The person id {pid!r} appears {len(rows)} times (rows "
                    f"{', '.join(map(str, rows))}). Each volunteer must have their own id: remove "
                    "the duplicates."
                )

        # Quotas: each one sensible, no repeats.
        seen: Counter[tuple[str, str]] = Counter((q.category, q.value) for q in self.quotas)
        for (category, value), count in seen.items():
            if count > 1:
                problems.append(
                    f"There are {count} quotas for {category} = {value}. Give each category value "
                    "one quota."
                )
        for q in self.quotas:
            if q.min < 0 or q.max < 0:
                problems.append(
                    f"The quota for {q.category} = {q.value} has a negative number (min {q.min}, "
                    f"max {q.max}). Use 0 or more."
                )
            if q.min > q.max:
                problems.append(
                    f"The quota for {q.category} = {q.value} has a minimum ({q.min}) larger than "
                    f"its maximum ({q.max}). Make the minimum at most the maximum."
                )
        for category in self.categories:
            quotas = [q for q in self.quotas if q.category == category]
            total_min = sum(q.min for q in quotas)
            total_max = sum(q.max for q in quotas)
            if total_min > k:
                problems.append(
                    f"The quotas for {category} add up to more than the panel size: the "
                    f"minimums add up to {total_min} but the panel has {k} places. Lower some "
                    f"minimums for {category}."
                )
            if total_max < k:
                problems.append(
                    f"The quotas for {category} add up to less than the panel size: the "
                    f"maximums add up to {total_max} but the panel has {k} places. Raise some "
                    f"maximums for {category}."
                )

        # Every person has a known value for every category with quotas.
        for category in self.categories:
            known = set(self.values(category))
            missing: list[str] = []
            unknown: dict[str, list[str]] = defaultdict(list)
            for person in self.people:
                raw = person.features.get(category)
                if raw is None or str(raw).strip() == "":
                    missing.append(person.id)
                elif raw not in known:
                    unknown[raw].append(person.id)
            if missing:
                problems.append(
                    f"{len(missing)} {'person has' if len(missing) == 1 else 'people have'} no "
                    f"value for the category {category!r} ({_people_list(missing)}). Every "
                    "volunteer needs a value for each category that has quotas."
                )
            for value, ids in unknown.items():
                problems.append(
                    f"Unknown category value {value!r} for {category} "
                    f"({len(ids)} {'person' if len(ids) == 1 else 'people'}: "
                    f"{_people_list(ids)}). The quotas for {category} only know "
                    f"{', '.join(repr(v) for v in self.values(category))}: correct the value or "
                    "add a quota for it."
                )

        # Kept people exist, fit on the panel and do not share a household.
        known_ids = set(positions)
        unknown_keep = sorted(i for i in self.keep if i not in known_ids)
        if unknown_keep:
            problems.append(
                f"The people to keep on the panel include {len(unknown_keep)} who "
                f"{'is' if len(unknown_keep) == 1 else 'are'} not in the pool "
                f"({_people_list(unknown_keep)}). Keep only people from the pool."
            )
        if len(self.keep) > k >= 1:
            problems.append(
                f"{len(self.keep)} people are to be kept on the panel but it only has {k} "
                f"place{'' if k == 1 else 's'}. Keep fewer people or make the panel bigger."
            )
        kept_households: dict[str, list[str]] = defaultdict(list)
        for person in self.people:
            if person.id in self.keep and person.household is not None:
                kept_households[person.household].append(person.id)
        for household, ids in kept_households.items():
            if len(ids) > 1:
                problems.append(
                    f"The people to keep {_people_list(sorted(ids))} live in the same household "
                    f"({household!r}), and at most one person per household can be on the "
                    "panel. Keep only one of them."
                )
        return problems


@dataclass(frozen=True)
class Distribution:
    """A probability distribution over panels.

    ``panels[j]`` is a sorted tuple of positions in ``instance.people`` and is chosen with
    probability ``probabilities[j]``; ``marginals[i]`` is person ``i``'s selection probability.
    ``stats`` records how it was found (method, iterations, seconds, solver versions, number of
    panels, and the smallest, geometric mean and Gini coefficient of the probabilities).
    """

    panels: tuple[tuple[int, ...], ...]
    probabilities: tuple[float, ...]
    marginals: tuple[float, ...]
    method: str
    stats: Mapping[str, object] = field(default_factory=dict)
