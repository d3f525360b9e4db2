"""An independent check of a distribution over panels.

Pure Python: no Django import, and nothing shared with ``engine.py`` (not even helpers), so a
mistake there cannot hide itself here. Everything is recomputed from the instance and the
distribution with plain Python arithmetic.
"""

from __future__ import annotations

import math
from collections import Counter

from cohesion.assembly.selection.model import Distribution, Instance

__all__ = ["check_distribution"]

# At most this many problems of one kind are listed; the rest are counted.
_LIST_LIMIT = 10


def _panel_problems(instance: Instance, number: int, panel: tuple[int, ...]) -> list[str]:
    """Everything wrong with one panel (``number`` counts from 1, for the messages)."""
    people = instance.people
    n = len(people)
    name = f"Panel {number}"
    problems: list[str] = []
    members = list(panel)
    bad = [i for i in members if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < n]
    if bad:
        problems.append(
            f"{name} refers to people who are not in the pool (positions {bad[:5]}); the pool "
            f"has {n} people."
        )
        return problems
    repeated = sorted(i for i, c in Counter(members).items() if c > 1)
    if repeated:
        ids = ", ".join(repr(people[i].id) for i in repeated[:5])
        problems.append(f"{name} lists the same person more than once ({ids}).")
    chosen = set(members)
    if len(chosen) != instance.panel_size:
        problems.append(
            f"{name} has {len(chosen)} people but the panel size is {instance.panel_size}."
        )
    for quota in instance.quotas:
        count = sum(1 for i in chosen if people[i].features.get(quota.category) == quota.value)
        if count < quota.min:
            problems.append(
                f"{name} has {count} with {quota.category} = {quota.value}, below the quota's "
                f"minimum of {quota.min}."
            )
        elif count > quota.max:
            problems.append(
                f"{name} has {count} with {quota.category} = {quota.value}, above the quota's "
                f"maximum of {quota.max}."
            )
    households = Counter(
        people[i].household for i in chosen if people[i].household is not None
    )
    for household, count in sorted(households.items()):
        if count > 1:
            problems.append(
                f"{name} has {count} people from the household {household!r}; at most one "
                "person per household may be on a panel."
            )
    chosen_ids = {people[i].id for i in chosen}
    missing = sorted(instance.keep - chosen_ids)
    if missing:
        shown = ", ".join(repr(i) for i in missing[:5])
        problems.append(f"{name} leaves out people who must be kept on the panel ({shown}).")
    return problems


def check_distribution(
    *, instance: Instance, distribution: Distribution, tolerance: float = 1e-6
) -> list[str]:
    """Problems with ``distribution`` for ``instance`` in plain English; ``[]`` when it is fine.

    Checks that every panel with positive probability has the panel size, meets every quota,
    has at most one person per household and includes everyone to be kept; that probabilities
    are not negative and add up to 1; that each person's marginal is the sum of the
    probabilities of the panels that include them; and that the marginals add up to the panel
    size.
    """
    problems: list[str] = []
    panels = list(distribution.panels)
    probabilities = [float(p) for p in distribution.probabilities]
    marginals = [float(m) for m in distribution.marginals]
    n = len(instance.people)

    if len(panels) != len(probabilities):
        problems.append(
            f"The distribution has {len(panels)} panels but {len(probabilities)} probabilities; "
            "there must be one probability per panel."
        )
    if not panels:
        problems.append("The distribution has no panels.")
    if any(not math.isfinite(p) for p in probabilities):
        problems.append("Some panel probabilities are not numbers.")
        return problems

    negative = [j + 1 for j, p in enumerate(probabilities) if p < -tolerance]
    if negative:
        problems.append(
            f"{len(negative)} panel probabilities are negative (panels "
            f"{', '.join(map(str, negative[:_LIST_LIMIT]))})."
        )
    total = math.fsum(probabilities)
    if abs(total - 1.0) > tolerance:
        problems.append(f"The panel probabilities add up to {total:.9f}, not 1.")

    panel_problems: list[str] = []
    for number, (panel, p) in enumerate(zip(panels, probabilities, strict=False), start=1):
        if p > 0:
            panel_problems.extend(_panel_problems(instance, number, tuple(panel)))
    if len(panel_problems) > _LIST_LIMIT:
        extra = len(panel_problems) - _LIST_LIMIT
        panel_problems = panel_problems[:_LIST_LIMIT] + [f"... and {extra} more panel problems."]
    problems.extend(panel_problems)

    if len(marginals) != n:
        problems.append(
            f"The distribution gives {len(marginals)} selection probabilities but the pool has "
            f"{n} people."
        )
        return problems
    recomputed = [0.0] * n
    for panel, p in zip(panels, probabilities, strict=False):
        for i in set(panel):
            if isinstance(i, int) and 0 <= i < n:
                recomputed[i] += p
    wrong = [i for i in range(n) if abs(recomputed[i] - marginals[i]) > tolerance]
    if wrong:
        shown = "; ".join(
            f"{instance.people[i].id!r}: stated {marginals[i]:.6f}, panels give "
            f"{recomputed[i]:.6f}"
            for i in wrong[:5]
        )
        problems.append(
            f"{len(wrong)} people's selection probabilities do not match the panels ({shown})."
        )
    out_of_range = [i for i in range(n) if not -tolerance <= marginals[i] <= 1 + tolerance]
    if out_of_range:
        problems.append(
            f"{len(out_of_range)} people have a selection probability below 0 or above 1."
        )
    marginal_total = math.fsum(marginals)
    if abs(marginal_total - instance.panel_size) > tolerance * max(1, instance.panel_size):
        problems.append(
            f"The selection probabilities add up to {marginal_total:.6f}, but they must add up "
            f"to the panel size ({instance.panel_size})."
        )
    return problems
