"""Can any panel meet the quotas? If not, why not, and what is the smallest change that helps?

Pure Python (NumPy and HiGHS through ``highspy``): no Django import.

:func:`check_feasibility` solves one integer program for a panel of the right size that meets
every quota, has at most one person per household and includes everyone to be kept. When there is
none, the report says in plain English which quotas cannot be met, and proposes the smallest
relaxation: a second integer program adds a slack to each quota's minimum (how far it is lowered)
and maximum (how far it is raised) and minimises the sum of the slacks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from cohesion.assembly.selection.model import Instance

__all__ = ["FeasibilityReport", "QuotaChange", "check_feasibility"]

INF = highspy.kHighsInf


@dataclass
class QuotaChange:
    """One quota to change: ``old_min``..``old_max`` becomes ``new_min``..``new_max``."""

    category: str
    value: str
    old_min: int
    old_max: int
    new_min: int
    new_max: int

    def describe(self) -> str:
        parts = []
        if self.new_min != self.old_min:
            parts.append(f"lower the minimum from {self.old_min} to {self.new_min}")
        if self.new_max != self.old_max:
            parts.append(f"raise the maximum from {self.old_max} to {self.new_max}")
        return f"{self.category} = {self.value}: " + " and ".join(parts)


@dataclass
class FeasibilityReport:
    """``feasible``; ``problems`` in plain English; ``relaxation``: the smallest quota changes."""

    feasible: bool
    problems: list[str] = field(default_factory=list)
    relaxation: list[QuotaChange] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# HiGHS helpers (the engine uses them too)


def new_highs(*, time_limit: float | None = None, threads: int = 1) -> Any:
    """A quiet HiGHS instance. One thread: the engine runs many small solves."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", threads)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    return h


def highs_model(
    *,
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    starts: np.ndarray,
    index: np.ndarray,
    values: np.ndarray,
    integer: np.ndarray | None = None,
    maximise: bool = False,
) -> Any:
    """A HighsLp from a column-wise (CSC) matrix."""
    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = len(row_lower)
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(row_upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(values, dtype=np.float64)
    if integer is not None:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
            for flag in integer
        ]
    return lp


def highs_versions() -> dict[str, str]:
    return {
        "highs": f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}."
        f"{highspy.HIGHS_VERSION_PATCH}",
        "numpy": np.__version__,
    }


# ---------------------------------------------------------------------------------------------


@dataclass
class _Pool:
    """The instance as arrays: who is kept, who is barred (shares a household with a kept
    person), which quota rows each person is in."""

    instance: Instance
    kept: np.ndarray  # bool per person
    barred: np.ndarray  # bool per person: in a kept person's household (and not kept)
    quota_members: list[np.ndarray]  # per quota: person positions with that value
    households: list[np.ndarray]  # households with two or more people not barred


def _pool(instance: Instance) -> _Pool:
    people = instance.people
    n = len(people)
    kept = np.array([p.id in instance.keep for p in people], dtype=bool)
    kept_households = {p.household for p in people if p.id in instance.keep and p.household}
    barred = np.array(
        [(not kept[i]) and p.household in kept_households for i, p in enumerate(people)],
        dtype=bool,
    )
    by_value: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, person in enumerate(people):
        for category in instance.categories:
            by_value[(category, person.features[category])].append(i)
    quota_members = [
        np.array(by_value.get((q.category, q.value), []), dtype=np.int64) for q in instance.quotas
    ]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, person in enumerate(people):
        if person.household is not None and not barred[i]:
            groups[person.household].append(i)
    households = [np.array(g, dtype=np.int64) for g in groups.values() if len(g) > 1]
    del n
    return _Pool(instance, kept, barred, quota_members, households)


def _solve_panel_ilp(pool: _Pool, *, relax: bool) -> tuple[bool, np.ndarray | None, Any]:
    """Person-level ILP. With ``relax`` each quota gets slacks (lower min, raise max) whose sum
    is minimised. Returns (found, column values, highs)."""
    instance = pool.instance
    n = len(instance.people)
    quotas = instance.quotas
    m = len(quotas)
    rows_per_person: list[list[int]] = [[0] for _ in range(n)]
    for r, members in enumerate(pool.quota_members):
        for i in members.tolist():
            rows_per_person[i].append(1 + r)
    for h_index, members in enumerate(pool.households):
        for i in members.tolist():
            rows_per_person[i].append(1 + m + h_index)
    num_rows = 1 + m + len(pool.households)
    starts = [0]
    index: list[int] = []
    values: list[float] = []
    for i in range(n):
        index.extend(rows_per_person[i])
        values.extend([1.0] * len(rows_per_person[i]))
        starts.append(len(index))
    cost = [0.0] * n
    lower = [1.0 if pool.kept[i] else 0.0 for i in range(n)]
    upper = [0.0 if pool.barred[i] else 1.0 for i in range(n)]
    integer = [True] * n
    if relax:
        # For quota r: row r reads min - lo <= sum x <= max + hi, i.e. sum x + lo - hi in [min, max].
        for r, q in enumerate(quotas):
            for sign, bound in ((1.0, float(q.min)), (-1.0, INF)):
                index.append(1 + r)
                values.append(sign)
                starts.append(len(index))
                cost.append(1.0)
                lower.append(0.0)
                upper.append(bound)
                integer.append(True)
    row_lower = [float(instance.panel_size)] + [float(q.min) for q in quotas]
    row_upper = [float(instance.panel_size)] + [float(q.max) for q in quotas]
    row_lower += [0.0] * len(pool.households)
    row_upper += [1.0] * len(pool.households)
    assert len(row_lower) == num_rows  # noqa: S101 - internal consistency
    lp = highs_model(
        cost=np.array(cost),
        lower=np.array(lower),
        upper=np.array(upper),
        row_lower=np.array(row_lower),
        row_upper=np.array(row_upper),
        starts=np.array(starts),
        index=np.array(index),
        values=np.array(values),
        integer=np.array(integer),
    )
    h = new_highs()
    h.setOptionValue("mip_rel_gap", 0.0)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return False, None, h
    return True, np.array(h.getSolution().col_value), h


def _describe(category: str, value: str) -> str:
    return f"{category} = {value}"


def _counting_problems(pool: _Pool) -> list[str]:
    """Quotas that fail on their own: too few volunteers, too many kept people."""
    instance = pool.instance
    people = instance.people
    problems: list[str] = []
    k = instance.panel_size
    available = ~pool.barred
    households_available = {
        (p.household if p.household is not None else f"\0{i}")
        for i, p in enumerate(people)
        if available[i]
    }
    if len(households_available) < k:
        problems.append(
            f"The panel needs {k} people but the pool has only {len(households_available)} "
            "separate households, and at most one person per household can be on the panel."
        )
    for q, members in zip(instance.quotas, pool.quota_members, strict=True):
        who = _describe(q.category, q.value)
        in_pool = [i for i in members.tolist() if available[i]]
        kept = int(pool.kept[members].sum()) if len(members) else 0
        households = {
            (people[i].household if people[i].household is not None else f"\0{i}") for i in in_pool
        }
        if len(in_pool) < q.min:
            problems.append(
                f"Not enough volunteers with {who}: the quota asks for at least {q.min}, there "
                f"{'is' if len(in_pool) == 1 else 'are'} {len(in_pool)} in the pool."
            )
        elif len(households) < q.min:
            problems.append(
                f"Not enough volunteers with {who} from separate households: the quota asks "
                f"for at least {q.min}, and the {len(in_pool)} in the pool live in "
                f"{len(households)} households (at most one person per household can be chosen)."
            )
        if kept > q.max:
            problems.append(
                f"Too many of the people kept on the panel have {who}: {kept} are kept, but the "
                f"quota allows at most {q.max}."
            )
    return problems


def check_feasibility(*, instance: Instance) -> FeasibilityReport:
    """One integer program for a panel meeting every quota with at most one person per household
    and all kept people; when there is none, the problems and the smallest relaxation."""
    pool = _pool(instance)
    found, _, _ = _solve_panel_ilp(pool, relax=False)
    if found:
        return FeasibilityReport(feasible=True)
    problems = _counting_problems(pool)
    relaxation: list[QuotaChange] = []
    ok, values, _ = _solve_panel_ilp(pool, relax=True)
    if ok and values is not None:
        n = len(instance.people)
        slacks = np.rint(values[n:]).astype(int)
        for r, q in enumerate(instance.quotas):
            lo, hi = int(slacks[2 * r]), int(slacks[2 * r + 1])
            if lo or hi:
                relaxation.append(
                    QuotaChange(
                        category=q.category,
                        value=q.value,
                        old_min=q.min,
                        old_max=q.max,
                        new_min=q.min - lo,
                        new_max=q.max + hi,
                    )
                )
    if not problems:
        problems.append(
            "The quotas cannot all be met at the same time, although each can be met on its own."
        )
    if relaxation:
        problems.append(
            "The smallest change to the quotas that makes a panel possible: "
            + "; ".join(change.describe() for change in relaxation)
            + "."
        )
    elif not ok:
        problems.append(
            "No change to the quotas alone can make a panel possible: the pool is too small for "
            "the panel once the household rule and the kept people are taken into account."
        )
    return FeasibilityReport(feasible=False, problems=problems, relaxation=relaxation)
