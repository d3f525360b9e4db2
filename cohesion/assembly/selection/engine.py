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

*The fast path (tried first, for every method).* The LEXIMIN (or NASH) optimum is first found
over the LP relaxation of the set of panels: probabilities p_t per type with 0 <= p_t <= 1, the
expected panel size, every quota in expectation and at most one person per household in
expectation (:class:`_Relaxation`; one small LP per stage, no panels). Every distribution over
panels gives such a p, so this optimum is at least as good as the true one, and when it can be
written as a distribution over panels it *is* the true one. The stage duals say which panels such
a distribution may use (a panel must maximise each stage's Lagrangian, see
:func:`_relaxed_faces`), which cuts the pricing problem down. The decomposition first walks down
faces (Carathéodory, :func:`_decompose`: a panel on the face by the LP-based heuristics, else by a
node-limited integer program, so the result does not depend on the load) and, when that gets
stuck, finishes by column generation restricted to those faces (:func:`_decompose_by_columns`):
max z with every type at least its relaxed value minus z. A type may end up to 1e-7 below the
relaxed optimum (numerical noise). If the relaxed optimum is not a mix of panels (the LP shows
that), the engine falls back to the exact column generation below with a fresh oracle, so the
result is the true LEXIMIN either way. On the published instances and all the paper-shaped pools
in ``benchmarks/sortition`` (up to 2,300 types) the fast path succeeds; see docs/benchmarks.md.

*MAXIMIN* is the first LEXIMIN stage (the fast path returns the LEXIMIN, which is also a MAXIMIN
optimum).

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
from fractions import Fraction
from typing import Any, Literal

import highspy
import numpy as np
from scipy import sparse

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
# Branch-and-bound nodes for the integer program to find a panel on a face in the decomposition
# walk, when the LP-based heuristics find none (a node limit, not a time limit, so that the result
# does not depend on the machine's load), and a time cap in case the nodes are very slow.
_WALK_MIP_NODES = 500
_WALK_MIP_SECONDS = 5.0
# A decomposition may give a type this much less than the relaxed LEXIMIN (numerical noise; the
# exact path's tolerance on a stage's gap is the same).
_DECOMPOSE_TOL = 1e-7
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


def _limit_time(h: Any, clock: _Clock) -> None:
    """Give a HiGHS instance the time left on the clock (raise _Timeout when none is left)."""
    left = clock.remaining()
    if left is not None:
        if left <= 0:
            raise _Timeout
        h.setOptionValue("time_limit", max(left, 0.01))


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
    value_of = [{c: people[int(g[0])].features[c] for c in categories} for g in members]
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
        self.row_lower = row_lower
        self.row_upper = row_upper
        # The same rows as a sparse matrix (rows x types), for ratio tests.
        self.rows_matrix = sparse.csc_matrix(
            (np.ones(len(index)), index, starts), shape=(len(row_lower), num)
        ).tocsr()
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
        self.lower = np.zeros(num)
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

    def set_bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        """Bounds on the counts of each type (both models)."""
        self.lower = lower.astype(np.float64).copy()
        self.upper = upper.astype(np.float64).copy()
        for h in (self.mip, self.lp):
            h.changeColsBounds(self.num, self.all_cols, self.lower, self.upper)

    def set_row_bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        """Bounds of the rows: total, then the quotas, then the households (both models)."""
        index = np.arange(len(lower), dtype=np.int32)
        for h in (self.mip, self.lp):
            h.changeRowsBounds(
                len(index), index, lower.astype(np.float64), upper.astype(np.float64)
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
        _limit_time(h, self.clock)

    def _rens(self, x: np.ndarray, target: float, scaled: np.ndarray) -> np.ndarray | None:
        """The integer program with every count between the floor and the ceiling of the LP
        solution's value: HiGHS presolves it to a tiny problem. None when it has no solution."""
        self.rens_calls += 1
        self._time(self.mip)
        self.mip.changeColsCost(self.num, self.all_cols, -scaled)
        lower = np.maximum(np.floor(x + 1e-7), self.lower)
        upper = np.minimum(np.ceil(x - 1e-7), self.upper)
        self.mip.changeColsBounds(self.num, self.all_cols, np.minimum(lower, upper), upper)
        try:
            self.mip.run()
            info = self.mip.getInfo()
            if info.primal_solution_status < 2:
                return None
            return np.rint(np.asarray(self.mip.getSolution().col_value)).astype(np.int64)
        finally:
            self.mip.changeColsBounds(self.num, self.all_cols, self.lower, self.upper)

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
                picks = [int(order[0])] + [int(t) for t in order[1:] if distance[t] <= 0.25]
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
                            len(index), index, self.lower[index], self.upper[index]
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
                self.lp.changeColsBounds(len(index), index, self.lower[index], self.upper[index])
        return result

    def any_panel(
        self,
        weights: np.ndarray,
        *,
        search_seconds: float | None = None,
        search_nodes: int | None = None,
    ) -> np.ndarray | None:
        """A panel within the current bounds, good for ``weights``: the heuristics first, then
        the integer program stopped at its first solution (given at most ``search_nodes``
        branch-and-bound nodes and ``search_seconds``). None when there is no panel, or none
        was found within those limits."""
        _, _, counts = self.best(weights, heuristic=True)
        if counts is not None or search_nodes == 0:
            return counts
        self.mip_calls += 1
        self._time(self.mip)
        if search_seconds is not None:
            left = self.clock.remaining()
            cap = search_seconds if left is None else min(search_seconds, max(left, 0.01))
            self.mip.setOptionValue("time_limit", cap)
        self.mip.changeColsCost(
            self.num, self.all_cols, -weights / max(float(weights.max()), 1e-300)
        )
        self.mip.setOptionValue("mip_rel_gap", 1e9)
        if search_nodes is not None:
            self.mip.setOptionValue("mip_max_nodes", int(search_nodes))
        started = time.perf_counter()
        try:
            self.mip.run()
        finally:
            self.mip_seconds += time.perf_counter() - started
            self.mip.setOptionValue("mip_rel_gap", 1e-7)
            if search_nodes is not None:
                self.mip.setOptionValue("mip_max_nodes", 2**31 - 1)  # HiGHS's default
            if search_seconds is not None:
                self.mip.setOptionValue("time_limit", INF)
        info = self.mip.getInfo()
        if info.primal_solution_status < 2:
            timed_out = self.mip.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
            if timed_out and (search_seconds is None or self.clock.expired()):
                raise _Timeout
            return None
        return np.rint(np.asarray(self.mip.getSolution().col_value)).astype(np.int64)

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
# The fast path: LEXIMIN over the LP relaxation, then an exact decomposition into panels


class _Relaxation:
    """The LP relaxation of the set of panels, in probabilities p_t of each type: p_t in [0, 1],
    sum_t n_t p_t = seats, each quota between its minimum and maximum in expectation, and at
    most 1 in expectation per household. Every distribution over panels gives such a p, so the
    LEXIMIN over this polytope is at least as good (in the LEXIMIN order) as the true one. When
    it can be written as a distribution over panels (see :func:`_decompose`), it *is* the true
    LEXIMIN. The stage LPs here are small (one variable per type, no panels), so solving them
    exactly, with every tie checked, is quick.

    Columns: p_0 .. p_{T-1}, z, u_0 .. u_{T-1}. Rows: the panel rows of the oracle (total,
    quotas, households), then one row per type, p_t - [t free] z - u_t >= lb_t. The u_t are 0
    except in the tie check, where u_t in [0, eps] for the candidates and the LP maximises
    their sum: a candidate with u_t > 0 can rise above the stage's minimum.
    """

    def __init__(self, types: _Types, oracle: _Oracle, clock: _Clock) -> None:
        self.clock = clock
        num = len(types.size)
        self.num = num
        base = oracle.rows_matrix.shape[0]
        self.base = base
        scaled = sparse.csc_matrix(oracle.rows_matrix.multiply(types.size[None, :]))
        identity = sparse.identity(num, format="csc")
        top = sparse.hstack([scaled, sparse.csc_matrix((base, 1 + num))])
        bottom = sparse.hstack([identity, sparse.csc_matrix(-np.ones((num, 1))), -identity])
        matrix = sparse.vstack([top, bottom]).tocsc()
        lp = highs_model(
            cost=np.concatenate([np.zeros(num), [-1.0], np.zeros(num)]),
            lower=np.zeros(2 * num + 1),
            upper=np.concatenate([np.ones(num + 1), np.zeros(num)]),
            row_lower=np.concatenate([oracle.row_lower, np.zeros(num)]),
            row_upper=np.concatenate([oracle.row_upper, np.full(num, INF)]),
            starts=matrix.indptr,
            index=matrix.indices,
            values=matrix.data,
        )
        self.h = new_highs()
        self.h.setOptionValue("primal_feasibility_tolerance", 1e-10)
        self.h.setOptionValue("dual_feasibility_tolerance", 1e-10)
        self.h.passModel(lp)
        self.all_cols = np.arange(2 * num + 1, dtype=np.int32)
        self.free = np.ones(num, dtype=bool)
        self.lb = np.zeros(num)
        self.p = np.zeros(num)
        self.u = np.zeros(num)
        self.y = np.zeros(num)
        self.z = 0.0
        self.solves = 0

    def solve(self) -> bool:
        _limit_time(self.h, self.clock)
        self.h.run()
        self.solves += 1
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise _Timeout
        if status != highspy.HighsModelStatus.kOptimal:
            return False
        solution = self.h.getSolution()
        x = np.asarray(solution.col_value)
        num = self.num
        self.p = x[:num]
        self.z = float(x[num])
        self.u = x[num + 1 :]
        self.y = np.maximum(np.asarray(solution.row_dual)[self.base :], 0.0)
        return True

    def mode_max_z(self) -> None:
        num = self.num
        cost = np.zeros(2 * num + 1)
        cost[num] = -1.0
        upper = np.concatenate([np.ones(num + 1), np.zeros(num)])
        lower = np.zeros(2 * num + 1)
        self.h.changeColsCost(len(cost), self.all_cols, cost)
        self.h.changeColsBounds(len(cost), self.all_cols, lower, upper)

    def mode_check(self, candidates: np.ndarray, z: float, eps: float) -> None:
        num = self.num
        cost = np.concatenate([np.zeros(num + 1), -candidates.astype(np.float64)])
        lower = np.concatenate([np.zeros(num), [z], np.zeros(num)])
        upper = np.concatenate([np.ones(num), [z], np.where(candidates, eps, 0.0)])
        self.h.changeColsCost(len(cost), self.all_cols, cost)
        self.h.changeColsBounds(len(cost), self.all_cols, lower, upper)

    def fix(self, types: np.ndarray, value: float) -> None:
        for t in np.flatnonzero(types).tolist():
            self.h.changeCoeff(self.base + t, self.num, 0.0)
            self.h.changeRowBounds(self.base + t, value, INF)
        self.lb[types] = value
        self.free &= ~types

    def loosen(self, amount: float) -> None:
        """Lower every fixed value by ``amount``."""
        fixed = np.flatnonzero(~self.free)
        self.lb[fixed] -= amount
        index = (self.base + fixed).astype(np.int32)
        self.h.changeRowsBounds(len(index), index, self.lb[fixed], np.full(len(index), INF))


def _relaxed_leximin(
    types: _Types,
    oracle: _Oracle,
    clock: _Clock,
    report: Callable[[str, float], None],
    stage_duals: list[np.ndarray] | None = None,
) -> np.ndarray | None:
    """LEXIMIN probabilities per type over the LP relaxation (None if an LP fails). The dual
    values of the type rows at each stage are appended to ``stage_duals`` (see
    :func:`_relaxed_faces`).

    Stage by stage: maximise the smallest probability z of the free types; fix the types with a
    positive dual value (complementary slackness: they are at z in every optimum); then check
    the other types at z: one LP gives each candidate up to 1e-7 of room above z and maximises
    the total room; candidates that get some can rise and are dropped, and the check is repeated
    until none rises: the rest are at z in every optimum and are fixed too."""
    relaxation = _Relaxation(types, oracle, clock)
    num = len(types.size)
    size = types.size
    total = float(size.sum())
    delta = 1e-9
    while relaxation.free.any():
        relaxation.mode_max_z()
        for _ in range(3):
            if relaxation.solve():
                break
            # Numerical trouble: the fixed values were a hair too high. Lower them a little.
            relaxation.loosen(1e-8)
        else:
            return None
        if stage_duals is not None:
            stage_duals.append(relaxation.y.copy())
        z = relaxation.z
        free = relaxation.free
        positive = free & (relaxation.y > 1e-9)
        candidates = free & (relaxation.p <= z + 1e-9) & ~positive
        certified = np.zeros(num, dtype=bool)
        remaining = candidates.copy()
        while remaining.any():
            relaxation.mode_check(remaining, z - delta, 1e-7)
            if not relaxation.solve():
                break
            rose = remaining & (relaxation.u > 1e-10)
            if not rose.any():
                certified = remaining
                break
            remaining &= ~rose
        to_fix = positive | certified
        if not to_fix.any():
            to_fix = np.zeros(num, dtype=bool)
            to_fix[int(np.argmax(np.where(free, relaxation.y, -np.inf)))] = True
        relaxation.fix(to_fix, z - delta)
        report(
            f"Fixed {int((~relaxation.free).sum())} of {num} groups (lowest {z:.4f})",
            0.05 + 0.25 * float(size[~relaxation.free].sum()) / total,
        )
    # Probabilities for the fixed values: every type at least its value, as much slack as the
    # LP allows up to delta (the values were lowered by delta).
    for t in range(num):
        relaxation.h.changeCoeff(relaxation.base + t, num, -1.0)
    relaxation.mode_max_z()
    relaxation.h.changeColBounds(num, 0.0, delta)
    if not relaxation.solve():
        return None
    return np.clip(relaxation.p, 0.0, 1.0)


def _relaxed_faces(
    types: _Types, oracle: _Oracle, target: np.ndarray, stage_duals: list[np.ndarray]
) -> None:
    """Restrict ``oracle`` to the panels that can be in a distribution with probabilities
    ``target`` (the relaxed LEXIMIN).

    At each stage the optimum maximises sum_t y_t p_t over the relaxation, for the stage's dual
    values y (the Lagrangian of the rows p_t - z >= lb_t; a saddle point). ``target`` is optimal
    at every stage, so it maximises each of these; if ``target`` is a mix of panels, every panel
    in the mix maximises them too (a linear function's maximum over a polytope is reached by a
    mix only when it is reached by every part). So only panels with
    sum_t (y_t / n_t) counts_t >= sum_t y_t target_t are needed. If ``target`` is not a mix of
    panels, nothing is lost: the decomposition then fails and the engine falls back to exact
    column generation with a fresh oracle."""
    for y in stage_duals:
        weights = y / types.size
        value = float(y @ target)
        oracle.add_face(weights, value - 1e-8 - 1e-6 * abs(value))


def _relaxed_nash(types: _Types, oracle: _Oracle, clock: _Clock) -> np.ndarray | None:
    """NASH probabilities per type over the LP relaxation: maximise sum_t n_t log p_t by
    Kelley's cutting planes on the small LP (variables p_t and s_t <= log p_t, the latter kept
    by tangent cuts s_t <= log a - 1 + p_t / a), adding the tangent at the current p_t for every
    type whose cut is not tight, until the LP value exceeds the true objective by at most
    1e-9 per volunteer."""
    num = len(types.size)
    size = types.size
    base = oracle.rows_matrix.shape[0]
    scaled = sparse.csc_matrix(oracle.rows_matrix.multiply(size[None, :]))
    matrix = sparse.hstack([scaled, sparse.csc_matrix((base, num))]).tocsc()
    lp = highs_model(
        cost=np.concatenate([np.zeros(num), -size]),
        lower=np.concatenate([np.zeros(num), np.full(num, -60.0)]),
        upper=np.concatenate([np.ones(num), np.zeros(num)]),
        row_lower=oracle.row_lower,
        row_upper=oracle.row_upper,
        starts=matrix.indptr,
        index=matrix.indices,
        values=matrix.data,
    )
    h = new_highs()
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.passModel(lp)
    total = float(size.sum())
    mean = types.seats / total

    def add_cuts(ts: np.ndarray, points: np.ndarray) -> None:
        count = len(ts)
        starts = np.arange(0, 2 * count + 1, 2, dtype=np.int32)
        index = np.empty(2 * count, dtype=np.int32)
        values = np.empty(2 * count)
        index[0::2] = ts
        index[1::2] = num + ts
        values[0::2] = -1.0 / points
        values[1::2] = 1.0
        h.addRows(
            count, np.full(count, -INF), np.log(points) - 1.0, len(index), starts, index, values
        )

    everyone = np.arange(num, dtype=np.int32)
    for factor in (0.125, 0.5, 1.0, 2.0, 8.0):
        add_cuts(everyone, np.full(num, min(1.0, mean * factor)))
    for _ in range(500):
        _limit_time(h, clock)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = np.asarray(h.getSolution().col_value)
        p = np.clip(x[:num], 0.0, 1.0)
        s = x[num:]
        safe = np.maximum(p, 1e-12)
        excess = s - np.log(safe)
        if float(size @ np.maximum(excess, 0.0)) <= 1e-9 * total:
            return p
        violated = np.flatnonzero(excess > 1e-12)
        add_cuts(violated.astype(np.int32), np.maximum(p[violated], 1e-9))
    return None


def _decompose(
    types: _Types,
    oracle: _Oracle,
    target: np.ndarray,
    clock: _Clock,
    stats: dict[str, Any],
    found: list[np.ndarray],
) -> tuple[list[np.ndarray], np.ndarray] | None:
    """Write the expected counts ``x = n * target`` as a distribution over panels, or None.

    Carathéodory by walking down faces: find a panel v on the smallest face of the relaxation
    that contains x (every constraint tight at x is tight at v: the counts of types at 0 or at
    their size, the quotas at their minimum or maximum); then x = theta v + (1 - theta) x' with
    x' = x + mu (x - v), mu as large as the relaxation allows, so x' lies on a smaller face.
    Repeat with x' until x' is itself a panel. At most (number of types + rows) steps, each an LP
    (and, rarely, a small integer program) on the face. It fails when some face has no panel:
    then x is not a mix of panels.
    """
    size = types.size
    x = np.clip(target, 0.0, 1.0) * size
    x *= types.seats / x.sum()
    rows = oracle.rows_matrix
    row_lower, row_upper = oracle.row_lower, oracle.row_upper
    tol = 1e-8
    rng = np.random.default_rng(1)
    panels: list[np.ndarray] = []
    weights: list[float] = []
    remaining = 1.0
    steps = 0
    try:
        for _ in range(len(size) + len(row_lower) + 9):
            steps += 1
            if clock.expired():
                raise _Timeout
            x = np.clip(x, 0.0, size)
            rounded = np.rint(x)
            r = rows @ x
            if np.abs(x - rounded).max() <= 1e-7:
                r_round = rows @ rounded
                if (r_round < row_lower - 1e-9).any() or (r_round > row_upper + 1e-9).any():
                    return None
                panels.append(rounded.astype(np.int64))
                weights.append(remaining)
                break
            lower = np.where(x >= size - tol, size, 0.0)
            upper = np.where(x <= tol, 0.0, size)
            face_lower = np.where(r >= row_upper - tol, row_upper, row_lower)
            face_upper = np.where(r <= row_lower + tol, row_lower, row_upper)
            oracle.set_bounds(lower, upper)
            oracle.set_row_bounds(face_lower, face_upper)
            preference = x / size + 1e-6 * rng.random(len(size))
            v = oracle.any_panel(
                preference, search_seconds=_WALK_MIP_SECONDS, search_nodes=_WALK_MIP_NODES
            )
            if v is None:
                return None
            found.append(v)
            d = x - v
            if np.abs(d).max() <= 1e-9:
                panels.append(v)
                weights.append(remaining)
                break
            e = rows @ d
            # Ratio test over the constraints not tight at x (the tight ones hold at v too, so
            # they do not move).
            limits = [INF]
            loose_col = (x > tol) & (x < size - tol)
            neg, pos = loose_col & (d < -1e-12), loose_col & (d > 1e-12)
            if neg.any():
                limits.append(float((x[neg] / -d[neg]).min()))
            if pos.any():
                limits.append(float(((size - x)[pos] / d[pos]).min()))
            up = (r < row_upper - tol) & (e > 1e-12)
            down = (r > row_lower + tol) & (e < -1e-12)
            if up.any():
                limits.append(float(((row_upper - r)[up] / e[up]).min()))
            if down.any():
                limits.append(float(((r - row_lower)[down] / -e[down]).min()))
            mu = max(min(limits), 0.0)
            if not math.isfinite(mu) or remaining / (1.0 + mu) < 1e-13:
                # x is (all but) the panel v itself.
                panels.append(v)
                weights.append(remaining)
                break
            theta = mu / (1.0 + mu)
            panels.append(v)
            weights.append(remaining * theta)
            remaining *= 1.0 - theta
            x = x + mu * d
            # Snap the counts that reached a bound.
            x[np.abs(x) <= tol] = 0.0
            at_size = np.abs(x - size) <= tol
            x[at_size] = size[at_size]
        else:
            return None
    finally:
        oracle.set_bounds(np.zeros(len(size)), size)
        oracle.set_row_bounds(row_lower, row_upper)
        stats["decomposition_steps"] = steps
    probabilities = np.array(weights)
    probabilities /= probabilities.sum()
    marginals = np.zeros(len(size))
    for v, w in zip(panels, probabilities.tolist(), strict=True):
        marginals += w * v / size
    error = float(np.abs(marginals - target).max())
    stats["decomposition_error"] = error
    if error > 1e-7:
        return None
    return panels, probabilities


def _decompose_by_columns(
    types: _Types,
    oracle: _Oracle,
    target: np.ndarray,
    clock: _Clock,
    stats: dict[str, Any],
    seeds: list[np.ndarray],
    report: Callable[[str, float], None],
) -> tuple[list[np.ndarray], np.ndarray] | None:
    """Write ``target`` as a distribution over panels by column generation, or None when it is
    not a mix of panels. The master LP is a LEXIMIN stage with every type free and lower bound
    target - delta: max z with every p_t - z >= target_t - delta. z >= 0 means done; a proof
    that the best z is below 0 means the target is not a mix of panels."""
    delta = 1e-9
    master = _Master(types.size, clock)
    for counts in seeds:
        master.add(counts)
    # A few panels that cover every type, so that the first LP is not degenerate.
    covered = np.zeros(len(types.size), dtype=bool)
    for counts in seeds:
        covered |= counts > 0
    while not covered.all():
        cover = oracle.any_panel((~covered).astype(np.float64) + 1e-9)
        if cover is None or not (cover[~covered] > 0).any():
            return None
        master.add(cover)
        covered |= cover > 0
    master.lb = np.clip(target, 0.0, 1.0) - delta
    master.mode_max_z()
    report("Writing the probabilities as a lottery over panels (column generation)", 0.4)
    try:
        _column_generation(master, oracle, stop_at=0.0)
    except _Timeout:
        if master.solves:
            lam = master.lam()
            keep = np.flatnonzero(lam > 1e-13)
            stats["_partial"] = ([master.counts[j] for j in keep.tolist()], lam[keep])
        raise
    stats["decomposition_lp_solves"] = master.solves
    stats["decomposition_lp_seconds"] = round(master.seconds, 3)
    stats["decomposition_shortfall"] = max(-master.value, 0.0)
    if master.value < -_DECOMPOSE_TOL:
        return None
    lam = master.lam()
    keep = np.flatnonzero(lam > 1e-13)
    probabilities = lam[keep] / lam[keep].sum()
    return [master.counts[j] for j in keep.tolist()], probabilities


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
        _limit_time(self.h, self.clock)
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
    master: _Master, oracle: _Oracle, *, smoothing: float = 0.7, stop_at: float = INF
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
        if lower >= stop_at:
            return INF, master.y
        y_now = master.y
        tol = _PRICE_TOL * max(1.0, abs(master.threshold))
        gap_tol = _PRICE_TOL * max(1.0, abs(lower))
        found: list[np.ndarray] = []

        def keep(
            counts: np.ndarray | None, tol: float = tol, found: list[np.ndarray] = found
        ) -> None:
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
        best_known = max(
            float(face_weights[nz] @ counts[nz])
            for nz, counts in ((np.flatnonzero(c), c) for c in master.counts)
        )
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
        self.h.addCol(0.0, 0.0, INF, len(index), np.array(index, dtype=np.int32), np.array(values))
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
        _limit_time(self.h, self.clock)
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


_GRID = 1 << 40  # panel probabilities are handled as exact multiples of 2**-40 here


def _integer_weights(lam: np.ndarray) -> list[int]:
    """Probabilities as whole numbers of 2**-40 that add up to exactly 2**40."""
    raw = lam / lam.sum() * _GRID
    base = np.floor(raw).astype(np.int64)
    short = _GRID - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:short]] += 1
    return [int(b) for b in base]


def _tape_order(entries: list[tuple[int, int]], lengths: list[int], share: int) -> list[int] | None:
    """Order the lanes of a type's segments on its tape (entry i has entries[i][1] lanes of
    length lengths[i]) so that two lanes of one segment start at least ``share`` apart: then no
    member, whose stretch of tape is ``share`` long, is in two lanes of a segment at once.
    Greedy, as for tasks with a cool-down: at each point take the segment with the most lanes
    left among those whose last lane started at least ``share`` ago. None if it gets stuck."""
    left = [c for _, c in entries]
    last = [-share] * len(entries)
    order: list[int] = []
    position = 0
    for _ in range(sum(left)):
        best = -1
        for i, remaining in enumerate(left):
            if remaining and position - last[i] >= share and (best < 0 or remaining > left[best]):
                best = i
        if best < 0:
            return None
        order.append(best)
        left[best] -= 1
        last[best] = position
        position += lengths[best]
    return order


def _deaggregate(
    types: _Types, type_panels: list[np.ndarray], lam: np.ndarray
) -> dict[tuple[int, ...], float]:
    """Turn a distribution over type-level panels (counts per type) into one over panels of
    people in which the members of a type all get the same probability.

    Exact arithmetic: each type-level panel j is a segment of length w_j (a whole number of
    2**-40). For a type with n members, the segments where c_j of them (0 < c_j < n) are on the
    panel are laid out as a tape: lane 1 of every segment, then lane 2 of the segments with
    c_j >= 2, and so on, segments in decreasing order of c_j; member r takes the stretch
    [r S / n, (r + 1) S / n) of the tape (S its length), as in McNaughton's wrap-around rule.
    Each member then gets the same share, each segment has exactly c_j members of the type at
    every moment, and a member is never in two lanes of a segment at once as long as every lane
    but the last is at least S / n long; when that fails the type falls back to systematic
    sampling within each segment (member r is on for offsets u with
    floor(u + (r + 1) c / n) > floor(u + r c / n)). The people panels are what is on in each
    piece of each segment between consecutive switching points. The tape switches about once
    per member, so the number of panels is about the number of type-level panels plus the
    number of people in types of two or more.
    """
    segments = [j for j in range(len(type_panels)) if lam[j] > 0]
    weights = _integer_weights(lam[segments])
    used = [(j, w) for j, w in zip(segments, weights, strict=True) if w > 0]
    kept = [int(i) for i in types.kept]
    whole: list[list[int]] = [list(kept) for _ in used]
    fractional: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for si, (j, _) in enumerate(used):
        counts = type_panels[j]
        for t in np.flatnonzero(counts).tolist():
            c, n = int(counts[t]), int(types.size[t])
            if c >= n:
                whole[si].extend(int(i) for i in types.members[t])
            else:
                fractional[t].append((si, c))
    # Per segment: switching points, tape events, and the systematic types.
    cuts: list[set[Fraction]] = [{Fraction(0), Fraction(w)} for _, w in used]
    events: list[list[tuple[Fraction, int, int]]] = [[] for _ in used]
    systematic: list[list[tuple[int, int]]] = [[] for _ in used]
    for t, entries in fractional.items():
        n = int(types.size[t])
        members = [int(i) for i in types.members[t]]
        total = sum(used[si][1] * c for si, c in entries)  # S, in grid units
        order = _tape_order(entries, [used[si][1] * n for si, _ in entries], total)
        if order is None:
            for si, c in entries:
                systematic[si].append((t, c))
                g = math.gcd(c, n)
                w = used[si][1]
                cuts[si].update(Fraction(w * m * g, n) for m in range(n // g))
            continue
        # Positions in units of 1/n of the grid: a piece of length w is n*w long, a member's
        # share is S long.
        position = 0
        for index in order:
            si = entries[index][0]
            length = n * used[si][1]
            first = position // total
            last = min(n - 1, (position + length - 1) // total)
            for r in range(first, last + 1):
                a = max(r * total, position) - position
                b = min((r + 1) * total, position + length) - position
                if b > a:
                    start, stop = Fraction(a, n), Fraction(b, n)
                    events[si].append((start, 1, members[r]))
                    events[si].append((stop, 0, members[r]))
                    cuts[si].update((start, stop))
            position += length
    out: dict[tuple[int, ...], float] = {}
    for si, (_, w) in enumerate(used):
        points = sorted(cuts[si])
        queue = sorted(events[si])  # at equal positions, endings (0) before starts (1)
        active: dict[int, int] = {}
        k = 0
        for left, right in zip(points[:-1], points[1:], strict=True):
            while k < len(queue) and queue[k][0] <= left:
                _, kind, member = queue[k]
                if kind:
                    active[member] = active.get(member, 0) + 1
                else:
                    active[member] -= 1
                    if not active[member]:
                        del active[member]
                k += 1
            chosen = list(whole[si]) + list(active)
            if systematic[si]:
                u = (left + right) / 2 / w
                for t, c in systematic[si]:
                    n = int(types.size[t])
                    pool = types.members[t]
                    chosen.extend(int(pool[math.floor((u + m) * n / c)]) for m in range(c))
            panel = tuple(sorted(chosen))
            out[panel] = out.get(panel, 0.0) + float(right - left) / _GRID
    return out


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


def _emergency_panel(types: _Types) -> np.ndarray:
    """One panel, found without a time limit (the feasibility check has shown there is one)."""
    oracle = _Oracle(types, _Clock(None))
    counts = oracle.any_panel(np.ones(len(types.size)))
    if counts is None:  # pragma: no cover - the feasibility check found a panel
        raise RuntimeError("No panel meets the quotas.")
    return counts


def _solve(
    types: _Types,
    method: Method,
    clock: _Clock,
    report: Callable[[str, float], None],
    stats: dict[str, Any],
) -> tuple[_Types, list[np.ndarray], np.ndarray]:
    """Type-level panels and their probabilities (and the types they refer to)."""
    oracle = _Oracle(types, clock)
    if method in ("leximin", "maximin", "nash"):
        # The fast path: the optimum over the LP relaxation, then write it as a mix of panels.
        report("Computing the fairest probabilities", 0.05)
        started = time.perf_counter()
        seeds: list[np.ndarray] = []
        decomposition: tuple[list[np.ndarray], np.ndarray] | None = None
        try:
            stage_duals: list[np.ndarray] = []
            if method == "nash":
                target = _relaxed_nash(types, oracle, clock)
            else:
                target = _relaxed_leximin(types, oracle, clock, report, stage_duals)
            if target is not None:
                report("Writing the probabilities as a lottery over panels", 0.3)
                _relaxed_faces(types, oracle, target, stage_duals)
                stats["faces"] = oracle.faces
                decomposition = _decompose(types, oracle, target, clock, stats, seeds)
                if decomposition is None:
                    decomposition = _decompose_by_columns(
                        types, oracle, target, clock, stats, seeds, report
                    )
        except _Timeout:
            # Out of time: the best valid distribution we have.
            stats["complete"] = False
            stats["path"] = "relaxation (stopped by the time limit)"
            partial = stats.pop("_partial", None)
            if partial is not None:
                return types, partial[0], partial[1]
            if not seeds:
                seeds = [_emergency_panel(types)]
            return types, seeds, np.full(len(seeds), 1.0 / len(seeds))
        finally:
            stats["relaxation_seconds"] = round(time.perf_counter() - started, 3)
        if decomposition is not None:
            stats["path"] = "relaxation and decomposition"
            stats["iterations"] = oracle.calls
            return types, decomposition[0], decomposition[1]
    stats["path"] = "column generation"
    # A fresh oracle: the one above may carry the faces of the relaxation.
    oracle = _Oracle(types, clock)
    rng = np.random.default_rng(0)
    report("Finding a first set of panels", 0.3)
    try:
        panels, impossible = _initial_panels(types, oracle, rng)
    except _Timeout:
        stats["complete"] = False
        return types, [_emergency_panel(types)], np.ones(1)
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
    if len(lam) < len(type_panels):
        # Stopped by the time limit after panels were added but before the LP was solved again:
        # those panels get probability 0.
        lam = np.concatenate([lam, np.zeros(len(type_panels) - len(lam))])
    stats["iterations"] = oracle.calls
    stats["pricing_seconds"] = round(oracle.seconds, 3)
    stats["pricing_mip_calls"] = oracle.mip_calls
    stats["pricing_mip_seconds"] = round(oracle.mip_seconds, 3)
    stats["faces"] = oracle.faces
    stats["type_panels_generated"] = len(type_panels)
    return types, type_panels, lam


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
        types, type_panels, lam = _solve(types, method, clock, report, stats)
        lam = np.maximum(lam, 0.0)
        lam[lam < 1e-12] = 0.0
        lam /= lam.sum()
        out = _deaggregate(types, type_panels, lam)
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
