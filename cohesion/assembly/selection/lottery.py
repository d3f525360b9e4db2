"""Rounding a panel distribution to a uniform lottery, and the verifiable draw.

Pure Python (NumPy, and HiGHS through ``highspy`` when it is installed): no Django import.

1. :func:`round_to_lottery` turns a probability distribution over panels (the selection engine's
   LEXIMIN, MAXIMIN or NASH result) into a *uniform lottery*: a list of exactly ``m`` panels (a
   panel may appear several times) from which one is drawn, each with probability ``1/m``. It
   looks for integer counts ``c_P >= 0`` with ``sum(c_P) = m`` that keep every volunteer's
   selection probability ``(sum of c_P over the panels P that hold them) / m`` as close to the
   distribution's as possible, first of all the smallest one. Pass the ``instance`` too: the
   rounding then works on groups of interchangeable volunteers and may swap members inside a
   panel (checking every quota), which is what gets the loss under ``1/m`` on tight LEXIMIN
   distributions. See ``docs/methods.md``, "Citizens' Assembly: the uniform lottery and the
   verifiable draw".
2. :func:`anonymised_lottery_file` writes the lottery as canonical JSON with anonymous pool labels
   (no names), and :func:`fingerprint` is the SHA-256 of those bytes, published before the draw.
3. :func:`draw_index` picks the panel from the published fingerprint and a public random number
   announced after it (for example a national lottery draw). ``verify.py`` in this folder does the
   same with the Python standard library only, so anyone can check a draw without the platform.

The idea of rounding to a uniform lottery is from Flanigan, Gölz, Gupta, Hennig and Procaccia,
"Fair Sortition Made Transparent" (NeurIPS 2021); this code is our own.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "DistributionLike",
    "Lottery",
    "anonymised_lottery_file",
    "draw_index",
    "fingerprint",
    "normalise_public_random",
    "pool_labels",
    "round_to_lottery",
]

FORMAT = "cohesion-assembly-lottery"
FORMAT_VERSION = 1
DRAW_RULE = (
    "normalised = the public random number with everything except ASCII letters and digits "
    "removed, letters in lower case; index = int(SHA-256(fingerprint + ':' + normalised) as "
    "hexadecimal, 16) mod m; the chosen panel is the one with that number"
)

# Probabilities this close to an integer multiple of 1/m count as that multiple (floating point
# noise from the LP solver must not move a count by one).
_EPS = 1e-9
# How far (in panels) a count may move from m * p_P in the integer program.
_SLACK = 1
_ALLOWED_PUBLIC = re.compile(r"[0-9a-z]")
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


class DistributionLike(Protocol):
    """The parts of ``model.Distribution`` that the rounding reads."""

    @property
    def panels(self) -> tuple[tuple[int, ...], ...]: ...

    @property
    def probabilities(self) -> tuple[float, ...]: ...

    @property
    def marginals(self) -> tuple[float, ...]: ...


@dataclass(frozen=True)
class Lottery:
    """A uniform lottery: ``panels`` has exactly ``m`` entries, each drawn with probability 1/m.

    ``marginals[i]`` is person ``i``'s selection probability under the lottery (a multiple of
    1/m). ``min_loss`` is the distribution's smallest marginal minus the lottery's smallest
    marginal (negative when rounding happened to raise the minimum). ``max_deviation`` is the
    largest change of any one person's probability, ``max |lottery_i - distribution_i|``.
    ``counts`` gives, for each distinct panel in ``distinct_panels``, how many of the ``m`` entries
    it fills.
    """

    panels: tuple[tuple[int, ...], ...]
    marginals: tuple[float, ...]
    min_loss: float
    m: int = 0
    max_deviation: float = 0.0
    distinct_panels: tuple[tuple[int, ...], ...] = ()
    counts: tuple[int, ...] = ()
    stats: Mapping[str, object] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Rounding
#
# The rounding works on *groups* of interchangeable volunteers. Without an instance every person
# is a group of one, and a lottery panel is always one of the distribution's panels. With the
# instance, volunteers who have the same value in every quota category, live in a household of
# their own and are not kept on every panel form one group: swapping one for another in a panel
# keeps every quota and the household rule, so the rounding only has to get each group's *total*
# number of seats right, and the seats are then handed round the group's members in turn. This
# has far more room than rounding person by person (the engine spreads each panel over the
# members of a group in many copies, so a LEXIMIN distribution can hold thousands of panels with
# tiny probabilities), and every member still ends within one panel of the others in the group.


@dataclass
class _Problem:
    panels: list[tuple[tuple[int, int], ...]]  # distinct group panels: sorted (group, seats) pairs
    prob: np.ndarray  # their probabilities (normalised to sum 1)
    m: int
    group_of: np.ndarray  # person -> group
    group_members: list[np.ndarray]  # group -> its people, in order
    size: np.ndarray  # group -> number of people
    pi: np.ndarray  # person -> the distribution's probability
    target: np.ndarray  # group -> m * (sum of its members' probabilities): seats it should get
    members: np.ndarray  # flat group indices of all panels, panel after panel
    seats: np.ndarray  # flat seats of those groups
    starts: np.ndarray  # offset of each panel in ``members``
    lengths: np.ndarray  # number of groups in each panel

    @property
    def groups(self) -> int:
        return len(self.size)

    def totals(self, counts: np.ndarray) -> np.ndarray:
        """Seats each group gets in the lottery, for panel counts ``counts``."""
        per_entry = np.repeat(counts, self.lengths) * self.seats
        return np.bincount(self.members, weights=per_entry, minlength=self.groups)

    def entries(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        block = slice(int(self.starts[j]), int(self.starts[j] + self.lengths[j]))
        return self.members[block], self.seats[block]


class _InstanceLike(Protocol):
    """The parts of ``model.Instance`` the rounding reads (to find interchangeable people)."""

    @property
    def people(self) -> Sequence[Any]: ...

    @property
    def quotas(self) -> Sequence[Any]: ...

    @property
    def panel_size(self) -> int: ...

    @property
    def keep(self) -> frozenset[str]: ...


def _group_of(n: int, instance: _InstanceLike | None) -> np.ndarray:
    if instance is None:
        return np.arange(n, dtype=np.int64)
    if len(instance.people) != n:
        raise ValueError(
            f"The instance has {len(instance.people)} people but the distribution {n}."
        )
    categories = list(dict.fromkeys(q.category for q in instance.quotas))
    households: dict[str, int] = {}
    for person in instance.people:
        if person.household is not None:
            households[person.household] = households.get(person.household, 0) + 1
    keys: dict[object, int] = {}
    group = np.empty(n, dtype=np.int64)
    for i, person in enumerate(instance.people):
        alone = person.household is None or households[person.household] == 1
        key: object
        if person.id in instance.keep or not alone:
            key = ("person", i)
        else:
            key = ("values", tuple(str(person.features.get(c)) for c in categories))
        group[i] = keys.setdefault(key, len(keys))
    return group


def _prepare(distribution: DistributionLike, m: int, instance: _InstanceLike | None) -> _Problem:
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise ValueError(f"m must be a positive whole number of panels, not {m!r}.")
    n = len(distribution.marginals)
    if len(distribution.panels) != len(distribution.probabilities):
        raise ValueError(
            f"The distribution has {len(distribution.panels)} panels but "
            f"{len(distribution.probabilities)} probabilities."
        )
    group_of = _group_of(n, instance)
    pi = np.zeros(n)
    merged: dict[tuple[tuple[int, int], ...], float] = {}
    for panel, p in zip(distribution.panels, distribution.probabilities, strict=True):
        if not math.isfinite(p) or p < -1e-6:
            raise ValueError(f"A panel has the probability {p!r}; probabilities must be 0 or more.")
        key = tuple(sorted(panel))
        if len(set(key)) != len(key):
            raise ValueError(f"The panel {key} lists a person twice.")
        if key and (key[0] < 0 or key[-1] >= n):
            raise ValueError(f"The panel {key} names a person outside the pool of {n}.")
        if p > 0:
            seats: dict[int, int] = {}
            for i in key:
                g = int(group_of[i])
                seats[g] = seats.get(g, 0) + 1
            group_panel = tuple(sorted(seats.items()))
            merged[group_panel] = merged.get(group_panel, 0.0) + float(p)
            pi[list(key)] += p
    total = sum(merged.values())
    if not merged or abs(total - 1.0) > 1e-6:
        raise ValueError(f"The panel probabilities add up to {total:.9f}, not 1.")
    panels = sorted(merged)
    prob = np.array([merged[key] for key in panels], dtype=float) / total
    pi /= total
    size = np.bincount(group_of, minlength=int(group_of.max()) + 1 if n else 0)
    order = np.argsort(group_of, kind="stable")
    group_members = np.split(order, np.cumsum(size)[:-1]) if n else []
    lengths = np.array([len(key) for key in panels], dtype=np.int64)
    members = np.array([g for key in panels for g, _ in key], dtype=np.int64)
    seats_flat = np.array([a for key in panels for _, a in key], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    target = np.bincount(group_of, weights=m * pi, minlength=len(size))
    return _Problem(
        panels,
        prob,
        m,
        group_of,
        group_members,
        size,
        pi,
        target,
        members,
        seats_flat,
        starts,
        lengths,
    )


@dataclass
class _Facts:
    """What the repair needs to know about each group, from the instance."""

    categories: list[str]
    values: list[tuple[str, ...]]  # group -> its value in each category
    free: np.ndarray  # group of interchangeable volunteers (own household, not kept)
    kept: np.ndarray
    bounds: dict[tuple[str, str], tuple[int, int]]


def _facts(problem: _Problem, instance: _InstanceLike) -> _Facts:
    categories = list(dict.fromkeys(q.category for q in instance.quotas))
    households: dict[str, int] = {}
    for person in instance.people:
        if person.household is not None:
            households[person.household] = households.get(person.household, 0) + 1
    values: list[tuple[str, ...]] = []
    free = np.zeros(problem.groups, dtype=bool)
    kept = np.zeros(problem.groups, dtype=bool)
    for g, members in enumerate(problem.group_members):
        person = instance.people[int(members[0])]
        values.append(tuple(str(person.features.get(c)) for c in categories))
        kept[g] = person.id in instance.keep
        alone = person.household is None or households[person.household] == 1
        free[g] = alone and not kept[g] and len(members) >= 1
    bounds = {(q.category, q.value): (q.min, q.max) for q in instance.quotas}
    return _Facts(categories, values, free, kept, bounds)


def _repair(
    problem: _Problem,
    counts: np.ndarray,
    instance: _InstanceLike,
    scope: np.ndarray,
    cap: int,
    seconds: float,
    stats: dict[str, object],
    depth: int = 4,
) -> tuple[_Problem, np.ndarray]:
    """Lift the people still below the cap by moving seats between groups within lottery panels.

    Whole panels move many people at once, so the distribution's own panels may leave no way to
    give everyone ``cap`` panels. A *swap* takes one copy of a panel P in the lottery and
    replaces it by P with one seat moved from a group ``g`` to a group ``x``, when that keeps
    every quota (only the categories where ``g`` and ``x`` differ change, by one each) and ``x``
    is a group of interchangeable volunteers (own household, not kept: the household rule and the
    kept people cannot break). When quotas are full in every panel (a rare value that LEXIMIN
    always gives its maximum) no single swap may reach a short group, so the repair looks for a
    *chain* of up to ``depth`` swaps, breadth first: the short group gets a seat from ``g1``,
    ``g1`` gets one from ``g2``..., and the last group is one with a seat to spare (it stays at or
    above the cap). Every group in between keeps its number of seats. Among the chains of the
    shortest length it takes the one whose giver is furthest above its target, so the change
    also moves the lottery towards the distribution. New panels get probability 0 in the
    distribution; every lottery panel is checked against the instance at the end all the same.
    Deterministic (up to the time limit).
    """
    deadline = time.monotonic() + seconds
    facts = _facts(problem, instance)
    category_index = {c: i for i, c in enumerate(facts.categories)}
    panels = [dict(key) for key in problem.panels]
    index = {key: j for j, key in enumerate(problem.panels)}
    work = [int(c) for c in counts.tolist()]
    totals = problem.totals(counts)
    need = np.where(scope, cap * problem.size, 0)
    headroom: dict[int, tuple[set[tuple[int, str]], set[tuple[int, str]]]] = {}

    def room(j: int) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
        """(values that may lose a seat, values that may gain one) in panel j."""
        if j not in headroom:
            count: dict[tuple[str, str], int] = {}
            for g, a in panels[j].items():
                for c, v in zip(facts.categories, facts.values[g], strict=True):
                    count[(c, v)] = count.get((c, v), 0) + a
            down = {
                (category_index[c], v)
                for (c, v), k in count.items()
                if k - 1 >= facts.bounds[(c, v)][0]
            }
            up = {
                (category_index[c], v)
                for (c, v), (_, high) in facts.bounds.items()
                if count.get((c, v), 0) + 1 <= high
            }
            headroom[j] = (down, up)
        return headroom[j]

    def edges_into(x: int) -> list[tuple[int, int]]:
        """(panel j, group g): panel j is in the lottery and may move a seat from g to x."""
        found: list[tuple[int, int]] = []
        vx = facts.values[x]
        for j, copies in enumerate(work):
            if copies == 0 or panels[j].get(x, 0) >= problem.size[x]:
                continue
            down, up = room(j)
            for g in panels[j]:
                if g == x or facts.kept[g]:
                    continue
                if all(
                    vg == vh or ((i, vg) in down and (i, vh) in up)
                    for i, (vg, vh) in enumerate(zip(facts.values[g], vx, strict=True))
                ):
                    found.append((j, g))
        return found

    def chain(h: int) -> list[tuple[int, int, int]] | None:
        """Swaps (panel, from, to), giver first, that bring one seat to h; None if none found."""
        parent: dict[int, tuple[int, int]] = {}  # g -> (panel, the group g gives to)
        frontier = [h]
        seen = {h}
        for _ in range(depth):
            givers: list[tuple[float, int]] = []
            following: list[int] = []
            for x in frontier:
                if x != h and not facts.free[x]:
                    continue
                for j, g in edges_into(x):
                    if g in seen:
                        continue
                    seen.add(g)
                    parent[g] = (j, x)
                    if totals[g] - 1 >= need[g]:
                        givers.append(
                            (-float((totals[g] - problem.target[g]) / problem.size[g]), g)
                        )
                    else:
                        following.append(g)
                if time.monotonic() > deadline:
                    return None
            if givers:
                g = min(givers)[1]
                swaps: list[tuple[int, int, int]] = []
                while g != h:
                    j, x = parent[g]
                    swaps.append((j, g, x))
                    g = x
                return swaps
            frontier = following
            if not frontier:
                return None
        return None

    by_values: dict[tuple[str, ...], int] = {}
    for g in np.flatnonzero(facts.free).tolist():
        by_values.setdefault(facts.values[g], g)

    def double(h: int) -> tuple[int, tuple[int, int], tuple[int, int]] | None:
        """One panel, two seats out (g1, g2, both with a seat to spare), h and a partner y in.

        For when quotas that are full in every panel tie h's values together: the partner ``y``
        takes the values that h does not, so every count stays as it was (or moves where the
        quotas leave room). Returns (panel, (g1, g2), (h, y)).
        """
        best: tuple[float, int, tuple[int, int], tuple[int, int]] | None = None
        vh = facts.values[h]
        for j, copies in enumerate(work):
            if copies == 0 or panels[j].get(h, 0) >= problem.size[h]:
                continue
            down, up = room(j)
            groups = [g for g in panels[j] if not facts.kept[g]]
            for a, g1 in enumerate(groups):
                for g2 in groups[a:]:
                    spare = 2 if g1 == g2 else 1
                    if g1 == g2 and panels[j][g1] < 2:
                        continue
                    if totals[g1] - spare < need[g1] or totals[g2] - spare < need[g2]:
                        continue
                    values: list[str] = []
                    for i, (v1, v2, v) in enumerate(
                        zip(facts.values[g1], facts.values[g2], vh, strict=True)
                    ):
                        if v == v1:
                            values.append(v2)
                        elif v == v2 or ((i, v) in up and (i, v2) in down):
                            values.append(v1)
                        else:
                            break
                    else:
                        y = by_values.get(tuple(values))
                        if y is None or y in (g1, g2):
                            continue
                        seats_y = panels[j].get(y, 0) + (1 if y == h else 0)
                        if seats_y >= problem.size[y] or panels[j].get(h, 0) >= problem.size[h]:
                            continue
                        score = float(
                            (totals[g1] - problem.target[g1]) / problem.size[g1]
                            + (totals[g2] - problem.target[g2]) / problem.size[g2]
                            - (totals[y] - problem.target[y]) / problem.size[y]
                        )
                        if best is None or score > best[0]:
                            best = (score, j, (g1, g2), (h, y))
            if time.monotonic() > deadline:
                break
        return None if best is None else best[1:]

    def replace(j: int, out: tuple[int, ...], into: tuple[int, ...]) -> None:
        swapped = dict(panels[j])
        for g in out:
            swapped[g] -= 1
            if swapped[g] == 0:
                del swapped[g]
        for x in into:
            swapped[x] = swapped.get(x, 0) + 1
        key = tuple(sorted(swapped.items()))
        if key not in index:
            index[key] = len(panels)
            panels.append(swapped)
            work.append(0)
        work[j] -= 1
        work[index[key]] += 1
        for g in out:
            totals[g] -= 1
        for x in into:
            totals[x] += 1

    stuck: set[int] = set()
    moved = 0
    chains = 0
    doubles = 0
    while time.monotonic() < deadline:
        short = [
            h
            for h in np.flatnonzero(scope & facts.free & (totals < need)).tolist()
            if h not in stuck
        ]
        if not short:
            break
        h = max(short, key=lambda g: ((need[g] - totals[g]) / problem.size[g], -g))
        swaps = chain(h)
        if swaps is None or any(work[j] == 0 for j, _, _ in swaps):
            pair = double(h)
            if pair is None:
                stuck.add(h)
                continue
            replace(pair[0], pair[1], pair[2])
            doubles += 1
            continue
        for j, g, x in swaps:
            if work[j] == 0:  # pragma: no cover - the same panel twice in one chain
                break
            replace(j, (g,), (x,))
            moved += 1
        chains += 1
    stats["repair_chains"] = chains
    stats["repair_double_swaps"] = doubles
    stats["repair_swaps"] = moved
    stats["repair_new_panels"] = len(panels) - len(problem.panels)
    stats["repair_unfixable_groups"] = len(stuck)
    if len(panels) == len(problem.panels):
        return problem, np.array(work, dtype=np.int64)
    keys = [tuple(sorted(p.items())) for p in panels]
    prob = np.concatenate((problem.prob, np.zeros(len(panels) - len(problem.panels))))
    lengths = np.array([len(key) for key in keys], dtype=np.int64)
    bigger = _Problem(
        keys,
        prob,
        problem.m,
        problem.group_of,
        problem.group_members,
        problem.size,
        problem.pi,
        problem.target,
        np.array([g for key in keys for g, _ in key], dtype=np.int64),
        np.array([a for key in keys for _, a in key], dtype=np.int64),
        np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64),
        lengths,
    )
    return bigger, np.array(work, dtype=np.int64)


def _greedy_rounding(problem: _Problem) -> np.ndarray:
    """Deterministic dependent rounding: floors first, then hand out the remaining units.

    Every panel starts at ``floor(m * p_P)``; the ``R = m - sum(floors)`` units left go one at a
    time to panels that were rounded down, each time to the panel whose members are furthest
    behind their target (a soft maximum, ``sum exp(3 * deficit)`` over the members, deficits in
    panels per person, so that the person furthest behind counts most). Each panel gets at most
    one extra unit, so ``|c_P - m p_P| < 1`` for every panel.
    """
    scaled = problem.m * problem.prob
    counts = np.floor(scaled + _EPS)
    residual = scaled - counts
    remaining = problem.m - int(counts.sum())
    candidate = residual > _EPS
    if remaining > int(candidate.sum()):  # only floating point noise can get here
        candidate = np.ones_like(candidate)
    totals = problem.totals(counts)
    share = problem.seats / problem.size[problem.members]
    for _ in range(remaining):
        deficit = (problem.target - totals) / problem.size
        weight = np.exp(np.minimum(3.0 * (deficit - deficit.max()), 0.0))
        score = np.add.reduceat(weight[problem.members] * share, problem.starts)
        score = np.where(candidate, score + 1e-9 * residual, -np.inf)
        best = int(np.argmax(score))
        counts[best] += 1
        candidate[best] = False
        groups, seats = problem.entries(best)
        totals[groups] += seats
    return counts.astype(np.int64)


def _bounds(problem: _Problem, start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each count stays within ``_SLACK`` panels of ``floor``/``ceil`` of ``m * p_P``.

    With ``start``, the bounds are widened to hold it (the repair may have gone past them).
    """
    scaled = problem.m * problem.prob
    lower = np.maximum(np.floor(scaled + _EPS) - _SLACK, 0.0)
    upper = np.ceil(scaled - _EPS) + _SLACK
    if start is not None:
        lower = np.minimum(lower, start)
        upper = np.maximum(upper, start)
    return lower, upper


def _min_count(problem: _Problem, totals: np.ndarray, scope: np.ndarray) -> int:
    """The smallest number of panels any person in ``scope`` is on, once seats are handed round."""
    if not scope.any():
        return 0
    return int(np.floor(totals[scope] / problem.size[scope] + 1e-9).min())


def _total_deviation(problem: _Problem, counts: np.ndarray) -> float:
    return float(np.abs(problem.totals(counts) - problem.target).sum())


def _local_search(
    problem: _Problem,
    counts: np.ndarray,
    scope: np.ndarray,
    max_moves: int,
    seconds: float,
    stats: dict[str, object],
    width: int = 6,
) -> np.ndarray:
    """Move single panels from one count to another while the total deviation falls.

    A move takes one unit from panel A and gives it to panel B (both staying within
    :func:`_bounds`); it is made only when it lowers ``sum_g |seats_g - target_g|`` and keeps the
    smallest count over ``scope`` where it was. The ``width`` best removals and additions (judged
    one at a time) are tried in pairs and the best pair is taken; the search stops when no pair
    helps, after ``max_moves`` moves, or after ``seconds``. NumPy only.
    """
    deadline = time.monotonic() + seconds
    lower, upper = _bounds(problem, counts)
    counts = counts.astype(np.int64).copy()
    totals = problem.totals(counts)
    floor_count = _min_count(problem, totals, scope)
    entry_scope = scope[problem.members]
    entry_floor = floor_count * problem.size[problem.members]
    moves = 0
    stats["local_search_stopped"] = "no better move"
    for moves in range(max_moves + 1):
        if moves == max_moves:
            stats["local_search_stopped"] = "move limit"
            break
        if time.monotonic() > deadline:
            stats["local_search_stopped"] = "time limit"
            break
        dev = totals - problem.target  # positive: above target
        entry_dev = dev[problem.members]
        up = np.abs(entry_dev + problem.seats) - np.abs(entry_dev)
        down = np.abs(entry_dev - problem.seats) - np.abs(entry_dev)
        gain_add = np.add.reduceat(up, problem.starts)
        gain_remove = np.add.reduceat(down, problem.starts)
        # removing from A must not push anyone in scope below the smallest count
        short = entry_scope & (totals[problem.members] - problem.seats < entry_floor)
        blocked = np.add.reduceat(short.astype(np.int64), problem.starts) > 0
        gain_add = np.where(counts < upper, gain_add, np.inf)
        gain_remove = np.where((counts > lower) & ~blocked, gain_remove, np.inf)
        adds = np.argsort(gain_add, kind="stable")[:width]
        removes = np.argsort(gain_remove, kind="stable")[:width]
        best: tuple[float, int, int] | None = None
        for a in removes.tolist():
            if not np.isfinite(gain_remove[a]):
                break
            for b in adds.tolist():
                if a == b or not np.isfinite(gain_add[b]):
                    continue
                change: dict[int, int] = {}
                for sign, j in ((-1, a), (1, b)):
                    groups, seats = problem.entries(j)
                    for g, s in zip(groups.tolist(), seats.tolist(), strict=True):
                        change[g] = change.get(g, 0) + sign * s
                touched = np.array([g for g, s in change.items() if s], dtype=np.int64)
                if len(touched) == 0:
                    continue
                new = totals[touched] + np.array([change[g] for g in touched.tolist()])
                delta = float((np.abs(new - problem.target[touched]) - np.abs(dev[touched])).sum())
                low = scope[touched] & (new < floor_count * problem.size[touched])
                if low.any():
                    continue
                if delta < -1e-9 and (best is None or delta < best[0]):
                    best = (delta, a, b)
        if best is None:
            break
        _, a, b = best
        counts[a] -= 1
        counts[b] += 1
        for sign, j in ((-1, a), (1, b)):
            groups, seats = problem.entries(j)
            totals[groups] += sign * seats
    stats["local_search_moves"] = moves
    return counts


def _valid(problem: _Problem, counts: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> bool:
    return bool(
        int(counts.sum()) == problem.m
        and (counts >= 0).all()
        and (counts >= lower).all()
        and (counts <= upper).all()
    )


def _solve_mip(
    problem: _Problem,
    start: np.ndarray,
    scope: np.ndarray,
    cap: int,
    time_limit: float,
    stats: dict[str, object],
) -> np.ndarray | None:
    """Two integer programs with HiGHS; ``None`` when HiGHS is missing.

    Stage 1 maximises ``z``, the smallest count per person, over the groups in ``scope`` (those
    the distribution gives a positive probability): ``seats_g >= z * size_g``, up to ``cap``; it
    is skipped when the heuristic already reaches ``cap``. Stage 2 keeps ``seats_g >= z* size_g``
    and minimises the total deviation ``sum_g |seats_g - target_g|``. Both start from the
    heuristic (or stage 1's answer), and an answer is only taken when it is at least as good.
    """
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy is installed with the selection engine
        stats["mip"] = "highspy is not installed: kept the rounding heuristic"
        return None

    deadline = time.monotonic() + max(time_limit, 0.0)
    num_panels = len(problem.panels)
    lower, upper = _bounds(problem, start)
    scoped = np.flatnonzero(scope)
    row_of = np.full(problem.groups, -1, dtype=np.int64)
    row_of[scoped] = np.arange(len(scoped))
    covered = np.flatnonzero(problem.totals(np.ones(num_panels)) > 0)
    dev_row_of = np.full(problem.groups, -1, dtype=np.int64)
    dev_row_of[covered] = np.arange(len(covered))

    def new_highs(seconds: float) -> Any:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("threads", 1)
        h.setOptionValue("time_limit", max(seconds, 0.5))
        return h

    def panel_columns(
        extra_rows: list[tuple[int, np.ndarray]],
    ) -> tuple[list[int], list[int], list[float]]:
        """Column starts, row indices and values of the panel columns (row 0: sum c_P = m)."""
        starts: list[int] = []
        index: list[int] = []
        values: list[float] = []
        for j in range(num_panels):
            starts.append(len(index))
            groups, seats = problem.entries(j)
            index.append(0)
            values.append(1.0)
            for offset, rows in extra_rows:
                picked = rows[groups]
                keep = picked >= 0
                index.extend((offset + picked[keep]).tolist())
                values.extend(seats[keep].astype(float).tolist())
        return starts, index, values

    def run(h: Any, lp: Any, warm: np.ndarray) -> tuple[np.ndarray | None, str, float]:
        h.passModel(lp)
        solution = highspy.HighsSolution()
        solution.col_value = [float(v) for v in warm]
        solution.value_valid = True
        h.setSolution(solution)
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        info = h.getInfo()
        if info.primal_solution_status < 2:  # no feasible solution
            return None, status, float("inf")
        values = np.array(h.getSolution().col_value[:num_panels])
        return np.rint(values).astype(np.int64), status, float(info.mip_gap)

    # Stage 1: maximise z, up to the cap floor(m * min pi): no one's probability is pushed above
    # what the distribution gives the worst-off, so the lottery stays faithful to the method.
    start_min = _min_count(problem, problem.totals(start), scope)
    best = start
    if start_min < cap:
        lp = highspy.HighsLp()
        lp.num_col_ = num_panels + 1
        lp.num_row_ = 1 + len(scoped)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.col_cost_ = [0.0] * num_panels + [1.0]
        lp.col_lower_ = [*lower.tolist(), 0.0]
        lp.col_upper_ = [*upper.tolist(), float(cap)]
        lp.row_lower_ = [float(problem.m)] + [0.0] * len(scoped)
        lp.row_upper_ = [float(problem.m)] + [highspy.kHighsInf] * len(scoped)
        col_starts, index, values = panel_columns([(1, row_of)])
        col_starts.append(len(index))
        index.extend(range(1, 1 + len(scoped)))
        values.extend((-problem.size[scoped].astype(float)).tolist())
        col_starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = col_starts
        lp.a_matrix_.index_ = index
        lp.a_matrix_.value_ = values
        lp.integrality_ = [highspy.HighsVarType.kInteger] * (num_panels + 1)
        h = new_highs(0.6 * (deadline - time.monotonic()))
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.999)
        stage1, status1, gap1 = run(h, lp, np.append(start, start_min))
        stats["stage1_status"] = status1
        stats["stage1_gap"] = gap1
        if (
            stage1 is not None
            and _valid(problem, stage1, lower, upper)
            and _min_count(problem, problem.totals(stage1), scope) >= start_min
        ):
            best = stage1
    else:
        stats["stage1_status"] = "skipped: the heuristic reached floor(m * min pi)"
    z_star = _min_count(problem, problem.totals(best), scope)

    # Stage 2: keep the smallest count at z*, minimise the total deviation.
    rows_dev = len(covered)
    lp = highspy.HighsLp()
    lp.num_col_ = num_panels + 2 * rows_dev
    lp.num_row_ = 1 + len(scoped) + rows_dev
    lp.sense_ = highspy.ObjSense.kMinimize
    lp.col_cost_ = [0.0] * num_panels + [1.0] * (2 * rows_dev)
    lp.col_lower_ = [*lower.tolist()] + [0.0] * (2 * rows_dev)
    lp.col_upper_ = [*upper.tolist()] + [highspy.kHighsInf] * (2 * rows_dev)
    targets = problem.target[covered].tolist()
    floors = (float(z_star) * problem.size[scoped]).tolist()
    lp.row_lower_ = [float(problem.m), *floors, *targets]
    lp.row_upper_ = [float(problem.m)] + [highspy.kHighsInf] * len(scoped) + targets
    col_starts, index, values = panel_columns([(1, row_of), (1 + len(scoped), dev_row_of)])
    for sign in (-1.0, 1.0):  # s_plus then s_minus: seats_g - s+ + s- = target_g
        for r in range(rows_dev):
            col_starts.append(len(index))
            index.append(1 + len(scoped) + r)
            values.append(sign)
    col_starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = col_starts
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = values
    lp.integrality_ = [highspy.HighsVarType.kInteger] * num_panels + [
        highspy.HighsVarType.kContinuous
    ] * (2 * rows_dev)
    diff = problem.totals(best)[covered] - problem.target[covered]
    warm = np.concatenate((best, np.maximum(diff, 0.0), np.maximum(-diff, 0.0)))
    h = new_highs(deadline - time.monotonic())
    h.setOptionValue("mip_rel_gap", 1e-3)
    stage2, status2, gap2 = run(h, lp, warm)
    stats["stage2_status"] = status2
    stats["stage2_gap"] = gap2
    if (
        stage2 is not None
        and _valid(problem, stage2, lower, upper)
        and _min_count(problem, problem.totals(stage2), scope) >= z_star
        and _total_deviation(problem, stage2) <= _total_deviation(problem, best)
    ):
        best = stage2
    return best


def _expand(problem: _Problem, counts: np.ndarray) -> list[tuple[int, ...]]:
    """The ``m`` panels of people: each group's seats handed round its members in turn."""
    pointer = np.zeros(problem.groups, dtype=np.int64)
    out: list[tuple[int, ...]] = []
    for j, copies in enumerate(counts.tolist()):
        groups, seats = problem.entries(j)
        for _ in range(int(copies)):
            people: list[int] = []
            for g, a in zip(groups.tolist(), seats.tolist(), strict=True):
                members = problem.group_members[g]
                start = int(pointer[g])
                people.extend(int(members[(start + t) % len(members)]) for t in range(a))
                pointer[g] = (start + a) % len(members)
            out.append(tuple(sorted(people)))
    return sorted(out)


def _check_panel(instance: _InstanceLike, panel: tuple[int, ...]) -> str | None:
    """A reason the panel breaks a quota, the household rule or the kept people, or ``None``."""
    people = [instance.people[i] for i in panel]
    if len(panel) != instance.panel_size or len(set(panel)) != len(panel):
        return f"has {len(set(panel))} different people, not {instance.panel_size}"
    for quota in instance.quotas:
        count = sum(1 for p in people if p.features.get(quota.category) == quota.value)
        if not quota.min <= count <= quota.max:
            return f"has {count} with {quota.category} = {quota.value}"
    households = [p.household for p in people if p.household is not None]
    if len(set(households)) != len(households):
        return "has two people from one household"
    if not set(instance.keep) <= {p.id for p in people}:
        return "leaves out someone who must be kept"
    return None


def round_to_lottery(
    *,
    distribution: DistributionLike,
    m: int = 1000,
    time_limit: float = 30.0,
    use_mip: bool = True,
    instance: _InstanceLike | None = None,
) -> Lottery:
    """Round ``distribution`` to a uniform lottery of exactly ``m`` panels.

    Goal, in order: (1) the smallest selection probability of anyone the distribution can select
    is as large as possible, up to ``floor(m * smallest probability) / m``; (2) with that kept,
    the total change ``sum |lottery - distribution|`` is as small as possible. It starts from a
    deterministic dependent rounding (:func:`_greedy_rounding`), improves it by local search
    (:func:`_local_search`) and then by two HiGHS integer programs (each panel count may move at
    most one past ``floor``/``ceil`` of ``m * p_P``), within ``time_limit`` seconds in all. The
    result is never worse than the heuristic. Reaching the cap means the smallest probability
    loses less than ``1/m``.

    Pass the ``instance`` the distribution was made for to round by groups of interchangeable
    volunteers (see the comment above ``_Problem``); every panel of the lottery is then checked
    against the quotas, the household rule and the kept people. Without it, the lottery only
    uses the distribution's own panels.

    The output depends only on the inputs (HiGHS runs on one thread with a fixed seed), unless a
    time limit cut a stage short; ``stats`` says whether that happened.
    """
    began = time.monotonic()
    problem = _prepare(distribution, m, instance)
    n = len(problem.pi)
    stats: dict[str, object] = {
        "m": m,
        "panels_in_distribution": len(distribution.panels),
        "groups": problem.groups,
        "group_panels": len(problem.panels),
        "by_groups": instance is not None,
    }
    scope = problem.target > _EPS * m
    # The best smallest count: floor(m * smallest pi). Reaching it means a loss under 1/m; going
    # past it would move the lottery away from the distribution the officer chose.
    level = problem.target / np.maximum(problem.size, 1)
    cap = int(math.floor(float(level[scope].min()) + 1e-7)) if scope.any() else 0
    stats["min_count_bound"] = cap
    heuristic = _greedy_rounding(problem)
    stats["greedy_total_deviation"] = _total_deviation(problem, heuristic) / m
    heuristic = _local_search(
        problem, heuristic, scope, max_moves=4 * m, seconds=time_limit / 3, stats=stats
    )
    heuristic_min = _min_count(problem, problem.totals(heuristic), scope)
    stats["heuristic_min_count"] = heuristic_min
    if instance is not None and heuristic_min < cap:
        problem, heuristic = _repair(
            problem, heuristic, instance, scope, cap, time_limit / 3, stats
        )
        heuristic = _local_search(
            problem, heuristic, scope, max_moves=4 * m, seconds=time_limit / 6, stats=stats
        )
        stats["repaired_min_count"] = _min_count(problem, problem.totals(heuristic), scope)
    stats["heuristic_total_deviation"] = _total_deviation(problem, heuristic) / m
    counts = heuristic
    stats["rounding"] = "heuristic"
    if use_mip and len(problem.panels) > 1:
        left = time_limit - (time.monotonic() - began)
        improved = _solve_mip(problem, heuristic, scope, cap, left, stats)
        if improved is not None:
            counts = improved
            stats["rounding"] = "mip"
    if int(counts.sum()) != m or (counts < 0).any():  # pragma: no cover - a bug, not bad input
        raise RuntimeError("The rounding did not give m panels; please report this.")

    panels = _expand(problem, counts)
    # The self-check: m panels, each of the right size; with the instance, each meets every rule;
    # the reported marginals are counted from the panels themselves.
    if len(panels) != m:  # pragma: no cover
        raise RuntimeError("The lottery does not hold m panels; please report this.")
    distinct: dict[tuple[int, ...], int] = {}
    for panel in panels:
        distinct[panel] = distinct.get(panel, 0) + 1
    if instance is not None:
        for panel in distinct:
            reason = _check_panel(instance, panel)
            if reason is not None:  # pragma: no cover - a bug, not bad input
                raise RuntimeError(f"A lottery panel {reason}; please report this.")
    per_person = np.zeros(n)
    for panel, copies in distinct.items():
        per_person[list(panel)] += copies
    lottery_marginals = per_person / m
    smallest = min(distribution.marginals) if distribution.marginals else 0.0
    min_loss = float(smallest - lottery_marginals.min()) if n else 0.0
    max_deviation = float(np.abs(lottery_marginals - problem.pi).max()) if n else 0.0
    person_scope = problem.pi > _EPS
    stats.update(
        {
            "min_count": int(per_person[person_scope].min()) if person_scope.any() else 0,
            "total_deviation": float(np.abs(lottery_marginals - problem.pi).sum()),
            "panels_used": len(distinct),
            "seconds": round(time.monotonic() - began, 3),
        }
    )
    return Lottery(
        panels=tuple(panels),
        marginals=tuple(float(x) for x in lottery_marginals),
        min_loss=min_loss,
        m=m,
        max_deviation=max_deviation,
        distinct_panels=tuple(distinct),
        counts=tuple(distinct.values()),
        stats=stats,
    )


# --------------------------------------------------------------------------------------------
# The published file and the draw


def pool_labels(n: int, prefix: str = "V") -> tuple[str, ...]:
    """Anonymous labels for a pool of ``n``: ``V0001`` .. ``Vnnnn`` (at least four digits)."""
    width = max(4, len(str(n)))
    return tuple(f"{prefix}{i:0{width}d}" for i in range(1, n + 1))


def canonical_json(value: object) -> bytes:
    """UTF-8 JSON with sorted keys and no spaces: the same data always gives the same bytes."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def anonymised_lottery_file(
    *, lottery: Lottery, person_labels: Sequence[str], meta: Mapping[str, object]
) -> bytes:
    """The lottery as canonical JSON, ready to publish and fingerprint.

    Holds the format and its version, ``meta`` (assembly name, date, method, engine versions and
    so on, as the caller gives them), the panel size, ``m``, the anonymous pool labels, the rule
    that turns the public random number into a panel number, and the ``m`` panels, numbered
    ``0 .. m-1``, each a list of labels. No names or other personal data: the labels must not be
    derived from them (use :func:`pool_labels`).
    """
    labels = list(person_labels)
    n = len(lottery.marginals)
    if len(labels) != n:
        raise ValueError(f"There are {len(labels)} labels for a pool of {n} people.")
    if len(set(labels)) != len(labels):
        raise ValueError("Two people have the same label; every label must be different.")
    if any(not isinstance(label, str) or not label.strip() for label in labels):
        raise ValueError("Every label must be a non-empty string.")
    if not lottery.panels:
        raise ValueError("The lottery has no panels.")
    sizes = {len(panel) for panel in lottery.panels}
    if len(sizes) != 1:
        raise ValueError(f"The panels do not all have the same size: {sorted(sizes)}.")
    panel_size = sizes.pop()
    m = len(lottery.panels)
    for key, value in (("panel_size", panel_size), ("m", m)):
        if key in meta and meta[key] != value:
            raise ValueError(f"meta says {key} = {meta[key]!r} but the lottery has {value}.")
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "meta": dict(meta),
        "panel_size": panel_size,
        "m": m,
        "pool": labels,
        "draw_rule": DRAW_RULE,
        "panels": [
            {"number": number, "members": [labels[i] for i in panel]}
            for number, panel in enumerate(lottery.panels)
        ],
    }
    return canonical_json(document)


def fingerprint(data: bytes) -> str:
    """SHA-256 of the published bytes, as 64 lower-case hexadecimal digits."""
    return hashlib.sha256(data).hexdigest()


def normalise_public_random(public_random: str) -> str:
    """Keep the ASCII letters and digits of the public random number, letters in lower case.

    Spaces, commas, dashes and other separators are dropped, so "12 24 31 38 45 49",
    "12-24-31-38-45-49" and "122431384549" are the same number. A character that is a letter or a
    digit in another script is refused rather than dropped, so that nothing that looks like part
    of the number is silently ignored.
    """
    kept: list[str] = []
    for char in public_random.lower():
        if _ALLOWED_PUBLIC.fullmatch(char):
            kept.append(char)
        elif char.isalnum():
            raise ValueError(
                f"The public random number contains {char!r}; use the digits 0-9 and the "
                "letters a-z only."
            )
    if not kept:
        raise ValueError(
            "The public random number is empty: type the digits (or letters and digits) that "
            "were announced, for example '12 24 31 38 45 49'."
        )
    return "".join(kept)


def draw_index(*, fingerprint: str, public_random: str, m: int) -> int:
    """The number (``0 .. m-1``) of the panel chosen by the public random number.

    ``index = int(SHA-256(f"{fingerprint}:{normalised}"), 16) mod m``. The hash is a 256-bit
    number, so the remainder favours the smallest ``2**256 mod m`` indices by at most
    ``m / 2**256`` in probability: under 1e-73 for m = 1,000, nothing at all in practice.
    The fingerprint is published before the random number is known, so no one can pick a
    lottery to suit the number; and the number is announced by someone else afterwards, so no
    one can pick a number to suit the lottery.
    """
    digest = fingerprint.strip().lower()
    if not _FINGERPRINT.fullmatch(digest):
        raise ValueError("The fingerprint must be 64 hexadecimal digits (a SHA-256).")
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise ValueError(f"m must be a positive whole number of panels, not {m!r}.")
    normalised = normalise_public_random(public_random)
    value = hashlib.sha256(f"{digest}:{normalised}".encode()).hexdigest()
    return int(value, 16) % m
