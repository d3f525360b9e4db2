"""The selection engine: the fairest distribution over quota-satisfying panels.

Pure Python (NumPy, HiGHS through ``highspy``): no Django import.

This implements the column-generation algorithms of Flanigan, Gölz, Gupta, Hennig and Procaccia,
"Fair algorithms for selecting citizens' assemblies", Nature 596 (2021). The code is our own.

How it works
------------
*Reduction.* People kept on the panel (replacements after drop-outs) are taken out of the pool:
they are on every panel, their seats and their quota counts are subtracted, and the other members
of their households get probability 0. Volunteers who have the same value in every quota category
and share no household with another volunteer are interchangeable: the fair distribution is unique
in its selection probabilities (LEXIMIN and NASH optimise a strictly "concave" order over a convex
set), so interchangeable people get the same probability, and the engine works with *types*
(groups of interchangeable people, with their count) instead of people. A panel is then a vector
of counts per type. Members of a household with two or more volunteers each stay a type of their
own, with a household constraint. On the two published instances this turns 200 and 2,000 people
into 3 types. At the end the type-level distribution is turned back into panels of people by
systematic sampling within each type, which gives every member of a type the same probability.

*Panels.* An integer program (HiGHS MIP) finds a panel: counts per type with the right total,
every quota's minimum and maximum, at most one person per household. The same model is kept and
only its objective changes.

*Start.* Panels are generated so that every type that can be on some panel is on one: maximise the
number of not-yet-covered people; when the best panel covers none of them, the rest can be on no
panel and get probability 0 (detected up front). A few multiplicative-weights rounds add variety.

*LEXIMIN* (column generation on the master LP over panels, kept in one HiGHS model that is only
modified between solves): stage by stage, maximise z subject to every not-yet-fixed type having
probability at least z and every fixed type at least its fixed value. The LP's dual values give
weights per type; the pricing problem is the panel MIP with these weights, and a panel whose
weight beats the dual value of "probabilities sum to 1" is added as a column. When none does, the
stage is optimal. Types with a positive dual value are at z in every optimal solution
(complementary slackness) and are fixed. Types that are at z in the current solution but whose dual
value is zero are checked in a batch: a second LP (with column generation) maximises their total
probability while everyone keeps at least z; if none of them can rise above z they are all fixed,
else the ones that rose are dropped and the check is repeated (at most a few times). This fixes
many tied types in one stage, which is where most of the time would otherwise go. Fixed values are
lowered by 2e-9 so numerical noise cannot make a later stage infeasible. When every type is
fixed, a last solve gives the panel probabilities; panels with zero probability are dropped.

*MAXIMIN* is the first LEXIMIN stage.

*NASH* maximises the sum over volunteers of log(probability) (equivalently the product, or the
geometric mean). It uses the same column generation with an outer approximation of the logarithm:
variables s_t with tangent cuts s_t <= log(a) - 1 + p_t / a at points a. Each round adds the
tangent at the current probability for every type whose cut is not yet tight, and panels priced
with the duals of the cuts. It stops when no panel can improve the LP and the LP value exceeds
the true objective by at most 1e-7 per volunteer, so the result is the Nash optimum to that
accuracy. It is correct but slower than LEXIMIN (Kelley's cutting planes need many LP rounds).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import highspy
import numpy as np

from cohesion.assembly.selection.feasibility import (
    check_feasibility,
    highs_model,
    highs_versions,
    new_highs,
)
from cohesion.assembly.selection.model import Distribution, InfeasibleError, Instance

__all__ = ["find_distribution"]

Method = Literal["leximin", "maximin", "nash"]
Progress = Callable[[str, float], None]

INF = highspy.kHighsInf
# Relative tolerance for a priced panel to count as improving.
_PRICE_TOL = 1e-9
# Fixed probabilities are lowered by this much so that later stages stay feasible.
_FIX_DELTA = 2e-9
# A type is a candidate for fixing when its probability is within this of the stage's minimum.
_TIE = 1e-6
# In the batch check a type "rises" when it gets more than this above the minimum.
_RISE = 1e-7
# Dual values above this count as positive (the duals of the free types add up to 1).
_DUAL_POSITIVE = 1e-7
# The batch check runs when at least this many tied types have no positive dual value.
_CHECK_MIN = 2
_USE_FACES = True
_DIVE_STEPS = 25
# Extra panels priced per round with damped duals.
_EXTRA_COLUMNS = 4
_MW_ROUNDS = 300
_NASH_GAP = 1e-7


class _Timeout(Exception):
    pass


@dataclass
class _Clock:
    limit: float | None
    start: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def remaining(self) -> float | None:
        if self.limit is None:
            return None
        return self.limit - self.elapsed()

    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0


# ---------------------------------------------------------------------------------------------
# Reduction to types


@dataclass
class _Types:
    seats: int  # panel places left once the kept people are seated
    members: list[np.ndarray]  # person positions of each type
    size: np.ndarray  # number of people in each type (float)
    quota_types: list[np.ndarray]  # per quota: the types with that value
    lo: np.ndarray  # per quota: minimum left once the kept people are counted
    hi: np.ndarray  # per quota: maximum left
    households: list[np.ndarray]  # per shared household: its types (one person each)
    kept: np.ndarray  # person positions always on the panel

    def subset(self, keep: np.ndarray) -> _Types:
        """The same problem without the types not in ``keep`` (a boolean mask)."""
        new_index = np.full(len(self.size), -1, dtype=np.int64)
        new_index[keep] = np.arange(int(keep.sum()))

        def remap(ts: np.ndarray) -> np.ndarray:
            mapped = new_index[ts]
            return mapped[mapped >= 0]

        households = [remap(h) for h in self.households]
        return _Types(
            seats=self.seats,
            members=[m for m, k in zip(self.members, keep.tolist(), strict=True) if k],
            size=self.size[keep],
            quota_types=[remap(q) for q in self.quota_types],
            lo=self.lo,
            hi=self.hi,
            households=[h for h in households if len(h) > 1],
            kept=self.kept,
        )


def _reduce(instance: Instance) -> _Types:
    people = instance.people
    kept_mask = np.array([p.id in instance.keep for p in people], dtype=bool)
    kept_households = {p.household for p in people if p.id in instance.keep and p.household}
    barred = np.array(
        [(not kept_mask[i]) and p.household in kept_households for i, p in enumerate(people)],
        dtype=bool,
    )
    active = ~kept_mask & ~barred
    household_size: dict[str, int] = defaultdict(int)
    for i, person in enumerate(people):
        if active[i] and person.household is not None:
            household_size[person.household] += 1
    categories = instance.categories
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, person in enumerate(people):
        if not active[i]:
            continue
        features = tuple(person.features[c] for c in categories)
        if person.household is not None and household_size[person.household] > 1:
            key: tuple[object, ...] = ("household", person.household, i)
        else:
            key = ("type", *features)
        groups.setdefault(key, []).append(i)
    members = [np.array(g, dtype=np.int64) for g in groups.values()]
    size = np.array([len(g) for g in members], dtype=np.float64)
    value_of = [
        {c: people[int(g[0])].features[c] for c in categories} for g in members
    ]
    quota_types = [
        np.array(
            [t for t, values in enumerate(value_of) if values[q.category] == q.value],
            dtype=np.int64,
        )
        for q in instance.quotas
    ]
    kept_count = np.array(
        [
            sum(1 for i in np.flatnonzero(kept_mask) if people[i].features[q.category] == q.value)
            for q in instance.quotas
        ],
        dtype=np.float64,
    )
    lo = np.maximum(np.array([q.min for q in instance.quotas], dtype=np.float64) - kept_count, 0)
    hi = np.array([q.max for q in instance.quotas], dtype=np.float64) - kept_count
    by_household: dict[str, list[int]] = defaultdict(list)
    for t, g in enumerate(members):
        person = people[int(g[0])]
        if len(g) == 1 and person.household is not None and household_size[person.household] > 1:
            by_household[person.household].append(t)
    households = [np.array(ts, dtype=np.int64) for ts in by_household.values() if len(ts) > 1]
    return _Types(
        seats=instance.panel_size - int(kept_mask.sum()),
        members=members,
        size=size,
        quota_types=quota_types,
        lo=lo,
        hi=hi,
        households=households,
        kept=np.flatnonzero(kept_mask),
    )


# ---------------------------------------------------------------------------------------------
# The panel integer program (pricing)


class _Oracle:
    """max sum_t w_t x_t over panels: x_t people of type t, quotas, households, size.

    The LP relaxation is tried first (warm-started, about a millisecond): when its optimum is
    integral it is the best panel; when its value does not beat the threshold no panel does.
    Only otherwise is the integer program solved.
    """

    def __init__(self, types: _Types, clock: _Clock) -> None:
        self.types = types
        self.clock = clock
        num = len(types.size)
        self.num = num
        rows: list[list[int]] = [[0] for _ in range(num)]
        num_quotas = len(types.lo)
        for q, ts in enumerate(types.quota_types):
            for t in ts.tolist():
                rows[t].append(1 + q)
        for h, ts in enumerate(types.households):
            for t in ts.tolist():
                rows[t].append(1 + num_quotas + h)
        starts = np.zeros(num + 1, dtype=np.int64)
        starts[1:] = np.cumsum([len(r) for r in rows])
        index = np.array([r for rs in rows for r in rs], dtype=np.int64)
        row_lower = np.concatenate(
            [[types.seats], types.lo, np.zeros(len(types.households))]
        ).astype(np.float64)
        row_upper = np.concatenate(
            [[types.seats], types.hi, np.ones(len(types.households))]
        ).astype(np.float64)
        models = []
        for integer in (True, False):
            lp = highs_model(
                cost=np.zeros(num),
                lower=np.zeros(num),
                upper=types.size.copy(),
                row_lower=row_lower,
                row_upper=row_upper,
                starts=starts,
                index=index,
                values=np.ones(len(index)),
                integer=np.ones(num, dtype=bool) if integer else None,
                maximise=not integer,
            )
            h = new_highs()
            h.passModel(lp)
            models.append(h)
        self.mip, self.lp = models
        self.mip.setOptionValue("mip_rel_gap", 1e-7)
        self.mip.setOptionValue("mip_abs_gap", 1e-9)
        self.lp.setOptionValue("primal_feasibility_tolerance", 1e-9)
        self.lp.setOptionValue("dual_feasibility_tolerance", 1e-9)
        self.all_cols = np.arange(num, dtype=np.int32)
        self.upper = types.size.copy()
        self.faces = 0
        self.calls = 0
        self.rens_calls = 0
        self.mip_calls = 0
        self.seconds = 0.0
        self.mip_seconds = 0.0

    def forbid(self, types: np.ndarray) -> None:
        """Types that can be on no panel: fix their counts to 0."""
        if len(types):
            self.upper[types] = 0.0
            for h in (self.mip, self.lp):
                h.changeColsBounds(
                    len(types),
                    types.astype(np.int32),
                    np.zeros(len(types)),
                    np.zeros(len(types)),
                )

    def add_face(self, weights: np.ndarray, value: float) -> None:
        """Only panels with sum_t weights_t x_t >= value from now on (both models)."""
        nz = np.flatnonzero(weights > 0)
        if not len(nz):
            return
        for h in (self.mip, self.lp):
            h.addRow(value, INF, len(nz), nz.astype(np.int32), weights[nz].astype(np.float64))
        self.faces += 1

    def _time(self, h: Any) -> None:
        left = self.clock.remaining()
        if left is not None:
            if left <= 0:
                raise _Timeout
            h.setOptionValue("time_limit", max(left, 0.01))

    def _rens(self, x: np.ndarray, target: float, scaled: np.ndarray) -> np.ndarray | None:
        """The integer program with every count between the floor and the ceiling of the LP
        solution's value: HiGHS presolves it to a tiny problem. None when it has no solution."""
        self.rens_calls += 1
        self._time(self.mip)
        self.mip.changeColsCost(self.num, self.all_cols, -scaled)
        lower = np.floor(x + 1e-7)
        upper = np.minimum(np.ceil(x - 1e-7), self.upper)
        self.mip.changeColsBounds(self.num, self.all_cols, np.minimum(lower, upper), upper)
        try:
            self.mip.run()
            info = self.mip.getInfo()
            if info.primal_solution_status < 2:
                return None
            return np.rint(np.asarray(self.mip.getSolution().col_value)).astype(np.int64)
        finally:
            self.mip.changeColsBounds(self.num, self.all_cols, np.zeros(self.num), self.upper)

    def _dive(self, x: np.ndarray, target: float, scaled: np.ndarray) -> np.ndarray | None:
        """Round the LP relaxation's solution by diving: fix the fractional counts closest to a
        whole number, re-solve (warm), repeat. Returns integral counts, or None when the dive
        becomes infeasible, takes too many steps, or its value drops to ``target`` or below.
        The bounds are restored afterwards."""
        changed: list[int] = []
        result: np.ndarray | None = None
        try:
            for _ in range(_DIVE_STEPS):
                distance = np.abs(x - np.rint(x))
                fractional = np.flatnonzero(distance > 1e-7)
                if not len(fractional):
                    result = np.rint(x).astype(np.int64)
                    break
                order = fractional[np.argsort(distance[fractional], kind="stable")]
                # The closest one, and with it every other count within 0.1 of a whole number.
                picks = [int(order[0])] + [
                    int(t) for t in order[1:] if distance[t] <= 0.25
                ]
                for t in picks:
                    value = float(np.rint(x[t]))
                    self.lp.changeColBounds(t, value, value)
                changed.extend(picks)
                self.lp.run()
                if self.lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                    if len(picks) > 1:
                        # Too greedy: undo all but the closest one.
                        index = np.array(picks[1:], dtype=np.int32)
                        self.lp.changeColsBounds(
                            len(index), index, np.zeros(len(index)), self.upper[index]
                        )
                        self.lp.run()
                    if self.lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                        break
                if float(self.lp.getInfo().objective_function_value) <= target:
                    break
                x = np.asarray(self.lp.getSolution().col_value)
        finally:
            if changed:
                index = np.array(sorted(set(changed)), dtype=np.int32)
                self.lp.changeColsBounds(
                    len(index), index, np.zeros(len(index)), self.upper[index]
                )
        return result

    def best(
        self, weights: np.ndarray, threshold: float = -INF, *, heuristic: bool = False
    ) -> tuple[float, float, np.ndarray | None]:
        """Look for a panel whose weight is above ``threshold``.

        Returns (its weight, an upper bound on the best weight of any panel, its counts). The
        counts are ``None`` when no panel beats the threshold (then the bound proves it) or, with
        ``heuristic``, when the LP relaxation and diving found none (then the integer program is
        not tried). Without a threshold the best panel found is returned.
        """
        started = time.perf_counter()
        self.calls += 1
        try:
            return self._best(weights, threshold, heuristic)
        finally:
            self.seconds += time.perf_counter() - started

    def _best(
        self, weights: np.ndarray, threshold: float, heuristic: bool
    ) -> tuple[float, float, np.ndarray | None]:
        scale = float(np.abs(weights).max()) if len(weights) else 0.0
        if scale <= 0:
            scale = 1.0
        scaled = weights / scale
        pad = 1e-11 * max(1.0, float(self.types.seats))
        tol = _PRICE_TOL * max(1.0, abs(threshold)) if threshold > -INF else 0.0
        target = (threshold + tol) / scale  # in scaled units
        self._time(self.lp)
        self.lp.changeColsCost(self.num, self.all_cols, scaled)
        self.lp.run()
        lp_bound = INF
        found: np.ndarray | None = None
        found_value = -INF
        if self.lp.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            x = np.asarray(self.lp.getSolution().col_value)
            lp_bound = float(self.lp.getInfo().objective_function_value) + pad
            if lp_bound <= target:
                return -INF, lp_bound * scale, None
            # Heuristics: diving, then RENS (the integer program restricted to rounding the LP
            # solution up or down, which HiGHS presolves to a tiny problem).
            for heuristic_step in (self._dive, self._rens):
                counts = heuristic_step(x, target, scaled)
                if counts is not None:
                    value = float(scaled @ counts)
                    if value > found_value:
                        found, found_value = counts, value
                    if value > target or lp_bound - value <= pad:
                        return value * scale, max(lp_bound, value) * scale, counts
        if heuristic:
            if found is not None and threshold == -INF:
                return found_value * scale, lp_bound * scale, found
            return -INF, lp_bound * scale, None
        # The integer program (a minimisation of minus the weight, so that HiGHS's cutoff and
        # target options read plainly): only panels above the threshold count, and it stops at
        # the first one that gets a third of the way from the threshold to the LP bound.
        self.mip_calls += 1
        self._time(self.mip)
        self.mip.changeColsCost(self.num, self.all_cols, -scaled)
        if threshold > -INF:
            self.mip.setOptionValue("objective_bound", -target)
            if lp_bound < INF:
                self.mip.setOptionValue("objective_target", -(target + (lp_bound - target) / 3))
        started = time.perf_counter()
        self.mip.run()
        self.mip_seconds += time.perf_counter() - started
        self.mip.setOptionValue("objective_bound", INF)
        self.mip.setOptionValue("objective_target", -INF)
        status = self.mip.getModelStatus()
        info = self.mip.getInfo()
        if status == highspy.HighsModelStatus.kTimeLimit and info.primal_solution_status < 2:
            raise _Timeout
        if info.primal_solution_status < 2:
            if threshold > -INF and status in (
                highspy.HighsModelStatus.kInfeasible,
                highspy.HighsModelStatus.kObjectiveBound,
                highspy.HighsModelStatus.kOptimal,
            ):
                # Nothing beats the cutoff: the threshold is an upper bound.
                return -INF, (target + pad) * scale, None
            raise RuntimeError(
                f"The panel integer program failed: {self.mip.modelStatusToString(status)}"
            )
        counts_int = np.rint(np.asarray(self.mip.getSolution().col_value)).astype(np.int64)
        value = float(scaled @ counts_int)
        bound = -float(info.mip_dual_bound) + pad
        if status != highspy.HighsModelStatus.kOptimal:
            bound = lp_bound
        return value * scale, max(bound, value) * scale, counts_int


# ---------------------------------------------------------------------------------------------
# Start: cover every type that can be on a panel


def _initial_panels(
    types: _Types, oracle: _Oracle, rng: np.random.Generator
) -> tuple[list[np.ndarray], np.ndarray]:
    """Panels covering every type that can be on some panel; and the mask of types that cannot."""
    num = len(types.size)
    covered = np.zeros(num, dtype=bool)
    panels: list[np.ndarray] = []
    while not covered.all():
        weights = (~covered).astype(np.float64)
        value, _, counts = oracle.best(weights, 0.5)
        if counts is None or value < 0.5:
            break
        panels.append(counts)
        covered |= counts > 0
    impossible = ~covered
    oracle.forbid(np.flatnonzero(impossible))
    # Multiplicative weights: favour people who have been on few panels so far.
    weights = np.where(impossible, 0.0, 1.0)
    for panel in panels:
        weights *= 0.8 ** (panel / types.size)
    rounds = min(_MW_ROUNDS, 3 * num)
    for _ in range(rounds):
        noisy = weights * rng.uniform(0.9, 1.1, size=num)
        _, _, counts = oracle.best(noisy / noisy.max(), heuristic=True)
        if counts is None:
            continue
        panels.append(counts)
        weights *= 0.8 ** (counts / types.size)
    return panels, impossible


# ---------------------------------------------------------------------------------------------
# The master LP over panels


class _Master:
    """The restricted master LP over the panels found so far, solved in its dual form and kept
    in one HiGHS model (adding a panel adds a row; HiGHS's dual simplex continues from the last
    basis).

    The primal (what we want) for a LEXIMIN stage::

        max  z + sum_t o_t p_t      p_t = sum_P lam_P a_tP  (the probability of type t)
        s.t. sum_P lam_P = 1,  lam >= 0
             p_t - z >= lb_t   for free types (lb_t = 0)
             p_t     >= lb_t   for fixed types (lb_t = the fixed value)

    with a_tP = (people of type t on P) / (people of type t). In a stage o = 0. In the batch
    check z is fixed to v and o_t = 1 for the candidates. The dual, which is what HiGHS holds::

        min  w - sum_t lb'_t y_t          lb'_t = lb_t, or v for free types in the check
        s.t. w - sum_t a_tP y_t >= sum_t o_t a_tP     for each panel P   (row P)
             sum_{t free} y_t = 1                     (row "norm"; dropped in the check)
             y >= 0, w free

    The panel probabilities lam_P are the duals of the panel rows and z is the dual of "norm".
    Pricing looks for a panel with sum_t (o_t + y_t) a_tP > w.
    """

    def __init__(self, size: np.ndarray, clock: _Clock) -> None:
        self.size = size
        self.clock = clock
        num = len(size)
        self.num = num
        self.free = np.ones(num, dtype=bool)
        self.lb = np.zeros(num)
        self.objective = np.zeros(num)
        self.z_cost = 1.0
        self.z_bounds = (0.0, 1.0)
        self.check_value: float | None = None
        # Columns 0..num-1: y_t; column num: w. Row 0: norm.
        lp = highs_model(
            cost=np.concatenate([np.zeros(num), [1.0]]),
            lower=np.concatenate([np.zeros(num), [-INF]]),
            upper=np.full(num + 1, INF),
            row_lower=np.array([1.0]),
            row_upper=np.array([1.0]),
            starts=np.concatenate([np.arange(num + 1), [num]]),
            index=np.zeros(num, dtype=np.int64),
            values=np.ones(num),
        )
        self.h = new_highs()
        self.h.setOptionValue("primal_feasibility_tolerance", 1e-9)
        self.h.setOptionValue("dual_feasibility_tolerance", 1e-9)
        self.h.setOptionValue("simplex_strategy", 1)  # dual simplex: panels arrive as rows
        # No cost perturbation: on these degenerate LPs its clean-up costs more than it saves.
        self.h.setOptionValue("dual_simplex_cost_perturbation_multiplier", 0.0)
        self.h.passModel(lp)
        self.columns: list[tuple[np.ndarray, np.ndarray]] = []  # (types, a_tP)
        self.counts: list[np.ndarray] = []
        self.known: set[bytes] = set()
        self.solves = 0
        self.seconds = 0.0
        self.y = np.zeros(num)
        self.threshold = 0.0
        self.value = 0.0
        self.z = 0.0
        self._lam = np.zeros(0)

    def add(self, counts: np.ndarray) -> bool:
        key = counts.tobytes()
        if key in self.known:
            return False
        self.known.add(key)
        nz = np.flatnonzero(counts)
        a = counts[nz] / self.size[nz]
        self.columns.append((nz, a))
        self.counts.append(counts)
        rhs = float(self.objective[nz] @ a)
        index = np.concatenate([nz, [self.num]]).astype(np.int32)
        values = np.concatenate([-a, [1.0]])
        self.h.addRow(rhs, INF, len(index), index, values)
        return True

    def solve(self) -> None:
        left = self.clock.remaining()
        if left is not None:
            if left <= 0:
                raise _Timeout
            self.h.setOptionValue("time_limit", max(left, 0.01))
        started = time.perf_counter()
        self.h.run()
        self.solves += 1
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            if status == highspy.HighsModelStatus.kTimeLimit:
                raise _Timeout
            # Numerical trouble: start again from scratch once.
            self.h.clearSolver()
            self.h.run()
            status = self.h.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                raise RuntimeError(f"The master LP failed: {self.h.modelStatusToString(status)}")
        self.seconds += time.perf_counter() - started
        solution = self.h.getSolution()
        x = np.asarray(solution.col_value)
        duals = np.asarray(solution.row_dual)
        self.y = np.maximum(x[: self.num], 0.0)
        self.threshold = float(x[self.num])
        self.value = float(self.h.getInfo().objective_function_value)
        self.z = float(duals[0]) if self.check_value is None else self.check_value
        self._lam = np.maximum(duals[1:], 0.0)

    def lam(self) -> np.ndarray:
        return self._lam

    def probabilities(self) -> np.ndarray:
        pi = np.zeros(self.num)
        lam = self._lam
        for j in np.flatnonzero(lam > 0):
            nz, a = self.columns[j]
            pi[nz] += lam[j] * a
        return pi

    def weights(self, y: np.ndarray) -> np.ndarray:
        """Pricing weights per person of each type for type multipliers ``y``."""
        return (self.objective + y) / self.size

    def bound(self, y: np.ndarray, best: float) -> float:
        """Lagrangian upper bound on the primal optimum over *all* panels, for multipliers
        ``y >= 0`` and ``best`` >= the best panel's weight under ``weights(y)``."""
        s = float(y[self.free].sum())
        slope = self.z_cost - s
        z_term = slope * (self.z_bounds[1] if slope > 0 else self.z_bounds[0])
        return best + z_term - float(y @ self.lb)

    def profit(self, counts: np.ndarray) -> float:
        """Reduced profit of a panel under the current duals (> 0: it improves the LP)."""
        return float(self.weights(self.y) @ counts) - self.threshold

    def _set_objective(self) -> None:
        lb = self.lb.copy()
        if self.check_value is not None:
            lb[self.free] = self.check_value
        cost = np.concatenate([-lb, [1.0]])
        self.h.changeColsCost(self.num + 1, np.arange(self.num + 1, dtype=np.int32), cost)

    def _set_rhs(self) -> None:
        if not self.columns:
            return
        rhs = np.array([float(self.objective[nz] @ a) for nz, a in self.columns])
        index = np.arange(1, len(self.columns) + 1, dtype=np.int32)
        self.h.changeRowsBounds(len(rhs), index, rhs, np.full(len(rhs), INF))

    def mode_max_z(self) -> None:
        if self.objective.any():
            self.objective = np.zeros(self.num)
            self._set_rhs()
        self.check_value = None
        self.z_cost, self.z_bounds = 1.0, (0.0, 1.0)
        self.h.changeRowBounds(0, 1.0, 1.0)
        self._set_objective()

    def mode_check(self, candidates: np.ndarray, z: float) -> None:
        self.objective = candidates.astype(np.float64)
        self._set_rhs()
        self.check_value = z
        self.z_cost, self.z_bounds = 0.0, (z, z)
        self.h.changeRowBounds(0, -INF, INF)
        self._set_objective()

    def fix(self, types: np.ndarray, value: float) -> None:
        for t in np.flatnonzero(types).tolist():
            self.h.changeCoeff(0, t, 0.0)
        self.lb[types] = value
        self.free &= ~types
        self._set_objective()


def _final_probabilities(master: _Master, slack: float) -> np.ndarray:
    """With every type fixed: panel probabilities (over all panels found) that give each type at
    least its fixed value plus as much of ``slack`` as possible (the fixed values were lowered by
    ``slack`` for safety). One LP over the panels, solved once."""
    columns = master.columns
    num = master.num
    starts = [0]
    index: list[int] = []
    values: list[float] = []
    for nz, a in columns:
        index.append(0)
        values.append(1.0)
        index.extend((nz + 1).tolist())
        values.extend(a.tolist())
        starts.append(len(index))
    index.extend(range(1, num + 1))
    values.extend([-1.0] * num)
    starts.append(len(index))
    lp = highs_model(
        cost=np.concatenate([np.zeros(len(columns)), [-1.0]]),
        lower=np.zeros(len(columns) + 1),
        upper=np.concatenate([np.full(len(columns), INF), [slack]]),
        row_lower=np.concatenate([[1.0], master.lb]),
        row_upper=np.concatenate([[1.0], np.full(num, INF)]),
        starts=np.array(starts),
        index=np.array(index),
        values=np.array(values),
    )
    h = new_highs()
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("dual_feasibility_tolerance", 1e-9)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return master.lam()
    return np.maximum(np.asarray(h.getSolution().col_value)[: len(columns)], 0.0)


def _column_generation(
    master: _Master, oracle: _Oracle, *, smoothing: float = 0.7
) -> tuple[float, np.ndarray]:
    """Solve the master LP over all panels by column generation. Returns the duality gap left
    (an upper bound on how far the master's value is below the optimum over all panels) and
    the dual values (type multipliers) that prove it.

    Each round prices (1) a mix of the current duals and the duals that gave the best bound so
    far (Wentges smoothing: it damps the oscillation of the duals), with the cheap heuristics
    only; (2) the current duals, with the integer program when the heuristics find nothing, so
    that a round that adds nothing proves the LP optimal; (3) a few variations of the current
    duals in which the types on the panels just found count less, for more panels per LP solve.
    """
    center: np.ndarray | None = None
    best_bound = INF

    def price(y: np.ndarray, threshold: float, heuristic: bool) -> np.ndarray | None:
        nonlocal best_bound, center
        _, bound, counts = oracle.best(master.weights(y), threshold, heuristic=heuristic)
        upper = master.bound(y, bound)
        if upper < best_bound:
            best_bound, center = upper, y
        return counts

    while True:
        master.solve()
        lower = master.value
        y_now = master.y
        tol = _PRICE_TOL * max(1.0, abs(master.threshold))
        gap_tol = _PRICE_TOL * max(1.0, abs(lower))
        found: list[np.ndarray] = []

        def keep(counts: np.ndarray | None, tol: float = tol, found: list[np.ndarray] = found) -> None:
            if counts is not None and master.profit(counts) > tol and master.add(counts):
                found.append(counts)

        if center is not None:
            keep(price(smoothing * center + (1 - smoothing) * y_now, -INF, True))
            if best_bound - lower <= gap_tol and center is not None:
                return max(best_bound - lower, 0.0), center
        keep(price(y_now, master.threshold, bool(found)))
        if center is not None and (best_bound - lower <= gap_tol or not found):
            return max(best_bound - lower, 0.0), center
        if not found:
            return INF, y_now
        damped = y_now.copy()
        for _ in range(_EXTRA_COLUMNS):
            damped[found[-1] > 0] *= 0.5
            before = len(found)
            keep(price(damped, master.threshold, True))
            if len(found) == before:
                break


def _prefilter(master: _Master, candidates: np.ndarray, z: float) -> np.ndarray:
    """Drop candidates that can rise above z with the panels already known (no pricing)."""
    remaining = candidates.copy()
    while remaining.any():
        master.mode_check(remaining, z - _FIX_DELTA)
        master.solve()
        rose = remaining & (master.probabilities() > z + _RISE)
        if not rose.any():
            break
        remaining &= ~rose
    return remaining


def _leximin(
    master: _Master,
    oracle: _Oracle,
    *,
    maximin_only: bool,
    report: Callable[[str, float], None],
    stats: dict[str, Any],
) -> np.ndarray:
    """Fix the types' probabilities stage by stage (see the module docstring). Returns the
    probabilities of the panels in ``master.counts``."""
    num = master.num
    size = master.size
    total = float(size.sum())
    stages = 0
    batch_fixed = 0
    while master.free.any():
        master.mode_max_z()
        gap, duals = _column_generation(master, oracle)
        stages += 1
        z = master.z
        if maximin_only:
            break
        pi = master.probabilities()
        free = master.free
        # Complementary slackness: a free type with a positive dual value is at z in every
        # optimal solution, up to gap / dual (which we require to be below _RISE).
        positive = free & (duals > _DUAL_POSITIVE) & (gap <= _RISE * duals)
        # Every optimal distribution of this stage (and so of every later one) only uses panels
        # that are best for these duals: tell the pricing problem (a valid restriction that
        # makes later stages much quicker).
        face_weights = duals / size
        best_known = max(float(face_weights[nz] @ counts[nz]) for nz, counts in (
            (np.flatnonzero(c), c) for c in master.counts
        ))
        candidates = free & (pi <= z + _TIE) & ~positive
        certified = np.zeros(num, dtype=bool)
        if candidates.sum() >= _CHECK_MIN:
            remaining = _prefilter(master, candidates, z)
            if remaining.sum() >= _CHECK_MIN:
                master.mode_check(remaining, z - _FIX_DELTA)
                check_gap, _ = _column_generation(master, oracle)
                rose = remaining & (master.probabilities() > z + _RISE)
                if not rose.any() and check_gap <= _RISE:
                    certified = remaining
        to_fix = positive | certified
        if not to_fix.any():
            # Cannot happen in exact arithmetic (the free duals add up to 1); be safe.
            to_fix = np.zeros(num, dtype=bool)
            to_fix[int(np.argmax(np.where(free, duals, -np.inf)))] = True
        if _USE_FACES and gap <= _RISE:
            oracle.add_face(face_weights, best_known - 1e-9 - 1e-7 * abs(best_known))
        batch_fixed += int(certified.sum())
        master.fix(to_fix, z - _FIX_DELTA)
        done = float(size[~master.free].sum()) / total
        report(f"Fixed {int((~master.free).sum())} of {num} groups (lowest {z:.4f})", done)
    stats["stages"] = stages
    stats["types_fixed_by_batch_check"] = batch_fixed
    if maximin_only:
        return master.lam()
    # Every type fixed: one more LP gives panel probabilities for the fixed values.
    return _final_probabilities(master, _FIX_DELTA)


# ---------------------------------------------------------------------------------------------
# NASH


class _NashMaster:
    """max sum_t n_t s_t  s.t. sum_P lam_P = 1,  s_t <= log(a) - 1 + p_t / a  for cuts (t, a),
    p_t = sum_P lam_P a_tP,  s_t <= 0."""

    def __init__(self, size: np.ndarray, clock: _Clock) -> None:
        self.size = size
        self.clock = clock
        num = len(size)
        self.num = num
        lp = highs_model(
            cost=-size,
            lower=np.full(num, -60.0),
            upper=np.zeros(num),
            row_lower=np.array([1.0]),
            row_upper=np.array([1.0]),
            starts=np.zeros(num + 1, dtype=np.int64),
            index=np.zeros(0, dtype=np.int64),
            values=np.zeros(0),
        )
        self.h = new_highs()
        self.h.setOptionValue("primal_feasibility_tolerance", 1e-9)
        self.h.setOptionValue("dual_feasibility_tolerance", 1e-9)
        self.h.passModel(lp)
        self.cuts: list[list[tuple[int, float]]] = [[] for _ in range(num)]  # (row, a)
        self.num_rows = 1
        self.columns: list[tuple[np.ndarray, np.ndarray]] = []
        self.counts: list[np.ndarray] = []
        self.known: set[bytes] = set()
        self.x = np.zeros(num)
        self.dual = np.zeros(1)
        self.solves = 0
        self.objective = 0.0

    def add(self, counts: np.ndarray) -> bool:
        key = counts.tobytes()
        if key in self.known:
            return False
        self.known.add(key)
        nz = np.flatnonzero(counts)
        a = counts[nz] / self.size[nz]
        self.columns.append((nz, a))
        self.counts.append(counts)
        index = [0]
        values = [1.0]
        for t, at in zip(nz.tolist(), a.tolist(), strict=True):
            for row, point in self.cuts[t]:
                index.append(row)
                values.append(-at / point)
        self.h.addCol(
            0.0, 0.0, INF, len(index), np.array(index, dtype=np.int32), np.array(values)
        )
        return True

    def add_cut(self, t: int, point: float) -> None:
        index = [t]
        values = [1.0]
        column = self.num
        for nz, a in self.columns:
            hit = np.searchsorted(nz, t)
            if hit < len(nz) and nz[hit] == t:
                index.append(column)
                values.append(-float(a[hit]) / point)
            column += 1
        self.h.addRow(
            -INF,
            math.log(point) - 1.0,
            len(index),
            np.array(index, dtype=np.int32),
            np.array(values),
        )
        self.cuts[t].append((self.num_rows, point))
        self.num_rows += 1

    def solve(self) -> None:
        left = self.clock.remaining()
        if left is not None:
            if left <= 0:
                raise _Timeout
            self.h.setOptionValue("time_limit", max(left, 0.01))
        self.h.run()
        self.solves += 1
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            if status == highspy.HighsModelStatus.kTimeLimit:
                raise _Timeout
            raise RuntimeError(f"The NASH LP failed: {self.h.modelStatusToString(status)}")
        solution = self.h.getSolution()
        self.x = np.asarray(solution.col_value)
        self.dual = np.asarray(solution.row_dual)
        self.objective = -float(self.h.getInfo().objective_function_value)

    def lam(self) -> np.ndarray:
        return self.x[self.num :]

    def probabilities(self) -> np.ndarray:
        pi = np.zeros(self.num)
        lam = self.lam()
        for j in np.flatnonzero(lam > 0):
            nz, a = self.columns[j]
            pi[nz] += lam[j] * a
        return pi

    def probabilities_of_uniform(self) -> np.ndarray:
        """Probabilities when every panel found so far is equally likely."""
        pi = np.zeros(self.num)
        for nz, a in self.columns:
            pi[nz] += a
        return pi / max(len(self.columns), 1)

    def pricing_weights(self) -> tuple[np.ndarray, float]:
        g = np.zeros(self.num)
        for t in range(self.num):
            for row, point in self.cuts[t]:
                g[t] -= self.dual[row] / point
        return g / self.size, -float(self.dual[0])


def _nash(
    master: _NashMaster,
    oracle: _Oracle,
    *,
    report: Callable[[str, float], None],
    stats: dict[str, Any],
) -> None:
    total = float(master.size.sum())
    pi = master.probabilities_of_uniform()
    for t in range(master.num):
        for factor in (0.5, 1.0, 2.0):
            point = min(max(pi[t] * factor, 1e-9), 1.0)
            master.add_cut(t, point)
    rounds = 0
    gap = INF
    while True:
        rounds += 1
        master.solve()
        pi = master.probabilities()
        s = master.x[: master.num]
        safe = np.maximum(pi, 1e-12)
        true_value = float(master.size @ np.log(safe))
        weights, threshold = master.pricing_weights()
        tol = _PRICE_TOL * max(1.0, abs(threshold))
        value, bound, counts = oracle.best(weights, threshold)
        improving = counts is not None and value > threshold + tol and master.add(counts)
        if not improving:
            gap = master.objective - true_value
            if gap <= _NASH_GAP * total:
                break
        violated = np.flatnonzero(s > np.log(safe) + 1e-10)
        for t in violated.tolist():
            master.add_cut(t, float(max(pi[t], 1e-9)))
        if not improving and not len(violated):
            break
        report(f"NASH round {rounds}", min(0.99, rounds / (rounds + 20)))
    stats["rounds"] = rounds
    stats["nash_gap_per_person"] = float(gap / total) if total else 0.0


# ---------------------------------------------------------------------------------------------
# Back from types to people


def _systematic(
    types: _Types, counts: np.ndarray, weight: float, out: dict[tuple[int, ...], float]
) -> None:
    """Split a type-level panel into panels of people: within each type, systematic sampling
    with one shared random start U in [0, 1): member r of a type with n people of whom c are on
    the panel is chosen when floor(U + (r+1)c/n) > floor(U + rc/n). Each member is then chosen
    with probability c/n, and exactly c are chosen for every U. The panels only change where
    some U + rc/n crosses an integer, so [0, 1) splits into finitely many pieces."""
    fractional = [
        t for t in np.flatnonzero(counts).tolist() if 0 < counts[t] < types.size[t]
    ]
    whole = [t for t in np.flatnonzero(counts).tolist() if counts[t] >= types.size[t]]
    base = [types.kept] + [types.members[t] for t in whole]
    points = {0.0, 1.0}
    for t in fractional:
        n = int(types.size[t])
        g = math.gcd(int(counts[t]), n)
        step = g / n
        points.update((np.arange(n // g) * step).tolist())
    cuts = np.unique(np.round(np.array(sorted(points)), 15))
    for left, right in zip(cuts[:-1], cuts[1:], strict=True):
        width = right - left
        if width <= 0:
            continue
        u = 0.5 * (left + right)
        chosen = list(base)
        for t in fractional:
            n = int(types.size[t])
            r = np.arange(n)
            step = counts[t] / n
            pick = np.floor(u + (r + 1) * step) > np.floor(u + r * step)
            chosen.append(types.members[t][pick])
        panel = tuple(sorted(int(i) for i in np.concatenate(chosen)))
        out[panel] = out.get(panel, 0.0) + weight * width


def _gini(values: np.ndarray) -> float:
    if len(values) == 0 or values.sum() <= 0:
        return 0.0
    v = np.sort(values)
    n = len(v)
    index = np.arange(1, n + 1)
    return float((2 * index - n - 1) @ v / (n * v.sum()))


def _summary(marginals: np.ndarray, pool: np.ndarray) -> dict[str, float]:
    values = marginals[pool]
    if len(values) == 0:
        return {"min_probability": 1.0, "geometric_mean": 1.0, "gini": 0.0}
    smallest = float(values.min())
    geo = 0.0 if smallest <= 0 else float(np.exp(np.log(values).mean()))
    return {
        "min_probability": smallest,
        "max_probability": float(values.max()),
        "geometric_mean": geo,
        "gini": _gini(values),
    }


# ---------------------------------------------------------------------------------------------


def find_distribution(
    *,
    instance: Instance,
    method: Method = "leximin",
    progress: Progress | None = None,
    time_limit: float | None = None,
) -> Distribution:
    """The fairest distribution over panels meeting the quotas (see the module docstring).

    ``method`` is ``"leximin"`` (default), ``"maximin"`` or ``"nash"``. ``progress(message,
    fraction)`` is called as the work goes on. With ``time_limit`` (seconds) the engine stops
    refining when time is up and returns the best valid distribution it has, with
    ``stats["complete"]`` false. Raises :class:`InfeasibleError` when no panel meets the quotas.
    """
    if method not in ("leximin", "maximin", "nash"):
        raise ValueError(f"Unknown method {method!r}: use 'leximin', 'maximin' or 'nash'.")
    clock = _Clock(time_limit)

    def report(message: str, fraction: float) -> None:
        if progress is not None:
            progress(message, max(0.0, min(1.0, fraction)))

    report("Checking that the quotas can be met", 0.0)
    feasibility = check_feasibility(instance=instance)
    if not feasibility.feasible:
        raise InfeasibleError(feasibility)
    types = _reduce(instance)
    n = len(instance.people)
    stats: dict[str, Any] = {
        "method": method,
        "solver": {**highs_versions(), "engine": "cohesion column generation 1"},
        "pool": n,
        "panel_size": instance.panel_size,
        "kept": len(types.kept),
        "types": len(types.size),
        "complete": True,
    }
    pool_mask = np.ones(n, dtype=bool)
    pool_mask[types.kept] = False
    out: dict[tuple[int, ...], float] = {}
    if types.seats == 0 or len(types.size) == 0:
        out[tuple(sorted(int(i) for i in types.kept))] = 1.0
        stats["iterations"] = 0
    else:
        oracle = _Oracle(types, clock)
        rng = np.random.default_rng(0)
        report("Finding a first set of panels", 0.02)
        try:
            panels, impossible = _initial_panels(types, oracle, rng)
        except _Timeout:
            panels, impossible = [], np.zeros(len(types.size), dtype=bool)
        if not panels:
            raise RuntimeError("No panel was found within the time limit.")
        stats["people_on_no_panel"] = int(types.size[impossible].sum())
        stats["initial_panels"] = len(panels)
        if impossible.any():
            # Work on the types that can be on a panel only.
            calls = oracle.calls
            types = types.subset(~impossible)
            oracle = _Oracle(types, clock)
            oracle.calls = calls
            panels = [counts[~impossible] for counts in panels]
        type_panels: list[np.ndarray]
        lam: np.ndarray
        if method == "nash":
            nash = _NashMaster(types.size, clock)
            for counts in panels:
                nash.add(counts)
            try:
                _nash(nash, oracle, report=report, stats=stats)
            except _Timeout:
                stats["complete"] = False
                if nash.solves == 0:
                    nash.x = np.concatenate(
                        [np.zeros(nash.num), np.full(len(nash.counts), 1.0 / len(nash.counts))]
                    )
            lam = nash.lam()
            type_panels = nash.counts
            stats["lp_solves"] = nash.solves
        else:
            master = _Master(types.size, clock)
            for counts in panels:
                master.add(counts)
            try:
                lam = _leximin(
                    master, oracle, maximin_only=method == "maximin", report=report, stats=stats
                )
            except _Timeout:
                stats["complete"] = False
                lam = master.lam() if master.solves else np.full(len(master.counts), 1.0)
            type_panels = master.counts
            stats["lp_solves"] = master.solves
            stats["lp_seconds"] = round(master.seconds, 3)
        stats["iterations"] = oracle.calls
        stats["pricing_seconds"] = round(oracle.seconds, 3)
        stats["pricing_mip_calls"] = oracle.mip_calls
        stats["pricing_mip_seconds"] = round(oracle.mip_seconds, 3)
        stats["faces"] = oracle.faces
        stats["type_panels_generated"] = len(type_panels)
        lam = np.maximum(lam, 0.0)
        lam[lam < 1e-12] = 0.0
        lam /= lam.sum()
        for j in np.flatnonzero(lam).tolist():
            _systematic(types, type_panels[j], float(lam[j]), out)
    panels_out = sorted(p for p, w in out.items() if w > 0)
    probs = np.array([out[p] for p in panels_out])
    probs /= probs.sum()
    marginals = np.zeros(n)
    for panel, p in zip(panels_out, probs.tolist(), strict=True):
        marginals[list(panel)] += p
    marginals = np.minimum(marginals, 1.0)
    stats["panels"] = len(panels_out)
    stats.update(_summary(marginals, pool_mask))
    stats["seconds"] = round(clock.elapsed(), 3)
    report("Done", 1.0)
    return Distribution(
        panels=tuple(panels_out),
        probabilities=tuple(float(p) for p in probs),
        marginals=tuple(float(m) for m in marginals),
        method=method,
        stats=stats,
    )
