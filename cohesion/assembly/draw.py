"""The invitation draw: which addresses get a letter. Pure Python and NumPy: no Django import.

The algorithm, step by step (the same inputs and seed always give the same addresses, with the
same NumPy version; the draw record keeps the NumPy version for that reason):

1. **Weights.** Every ward with at least one address gets the weight ``population x boost``
   (``boost`` is 1 for wards that are not boosted). Wards are handled in order of their code.
   The arithmetic is done with exact fractions, so no rounding error can change the result.
2. **How many letters per ward** (largest remainder, capped by the addresses available). Share
   the ``n`` letters out in proportion to the weights: each ward gets the whole part of its
   exact share, and the letters left over go one each to the wards with the largest fractions
   (equal fractions: the ward with the smaller code first). If a ward is given more letters than
   it has addresses, it gets all its addresses; it is then taken out and the letters still to
   give are shared out again, the same way, among the other wards. This repeats until no ward
   is given more than it has.
3. **Which addresses.** One random generator, ``numpy.random.Generator(PCG64(seed))``, is made
   for the whole draw. For each ward in order of its code (skipping wards given no letters), the
   ward's addresses are sorted by their unique property reference (UPRN; numbers are compared as
   numbers by padding them with zeros on the left to 20 characters), and
   ``generator.choice(count, size=letters, replace=False)`` picks positions in that list. The
   addresses are returned ward by ward, in the order they were picked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

__all__ = ["ALGORITHM", "DrawError", "allocate", "draw_addresses", "uprn_sort_key"]

ALGORITHM = (
    "Weights: population x boost per ward (exact fractions). Allocation: largest remainder "
    "(ties to the smaller ward code), a ward given more than its addresses gets them all and the "
    "rest is shared again among the others. Sampling: numpy.random.Generator(PCG64(seed)); for "
    "each ward in code order, addresses sorted by UPRN (zero-padded to 20 characters), "
    "generator.choice(count, size=letters, replace=False)."
)


class DrawError(ValueError):
    """The draw cannot be made with these inputs; the message says what to change."""


@dataclass(frozen=True)
class _Ward:
    code: str
    weight: Fraction
    available: int


def uprn_sort_key(uprn: str) -> str:
    """Sort UPRNs as numbers when they are numbers: pad them with zeros to 20 characters."""
    return uprn.strip().rjust(20, "0")


def _largest_remainder(n: int, wards: Sequence[_Ward]) -> dict[str, int]:
    total = sum((w.weight for w in wards), Fraction(0))
    exact = {w.code: n * w.weight / total for w in wards}
    whole = {code: int(share) for code, share in exact.items()}  # int() of a positive Fraction floors
    left = n - sum(whole.values())
    by_fraction = sorted(wards, key=lambda w: (-(exact[w.code] - whole[w.code]), w.code))
    for ward in by_fraction[:left]:
        whole[ward.code] += 1
    return whole


def allocate(*, available: Mapping[str, int], populations: Mapping[str, int], n: int, boost: Mapping[str, float] | None = None) -> dict[str, int]:
    """How many letters each ward gets (step 2 above). Every ward in ``available`` is in the result."""
    boost = boost or {}
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise DrawError("The number of letters must be a whole number, 0 or more")
    for code, factor in boost.items():
        if not factor > 0:
            raise DrawError(f"The boost for ward {code} must be more than 0")
    result = dict.fromkeys(available, 0)
    active = []
    for code in sorted(available):
        population = populations.get(code)
        if population is None or population < 0:
            raise DrawError(f"Ward {code} has no population figure")
        weight = Fraction(population) * Fraction(boost.get(code, 1.0))
        if available[code] > 0 and weight > 0:
            active.append(_Ward(code=code, weight=weight, available=available[code]))
    if n > sum(w.available for w in active):
        raise DrawError(
            f"There are only {sum(w.available for w in active):,} addresses that can be drawn "
            f"(in wards with people living in them), fewer than the {n:,} letters asked for"
        )
    remaining = n
    while remaining > 0:
        shares = _largest_remainder(remaining, active)
        full = [w for w in active if shares[w.code] >= w.available]
        if not full:
            for ward in active:
                result[ward.code] += shares[ward.code]
            break
        for ward in full:
            result[ward.code] += ward.available
            remaining -= ward.available
        active = [w for w in active if w not in full]
    return result


def draw_addresses(
    *,
    addresses_by_ward: Mapping[str, Sequence[tuple[str, int]]],
    populations: Mapping[str, int],
    n: int,
    seed: int,
    boost: Mapping[str, float] | None = None,
) -> list[int]:
    """Draw ``n`` address ids, in proportion to ward population times boost (see the module text).

    ``addresses_by_ward`` maps a ward code to its addresses as ``(uprn, address id)`` pairs;
    ``populations`` maps a ward code to its population; ``boost`` maps a ward code to a factor
    (1.5 gives the ward half as many letters again as its population alone would).
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DrawError("The seed must be a whole number, 0 or more")
    available = {code: len(items) for code, items in addresses_by_ward.items()}
    counts = allocate(available=available, populations=populations, n=n, boost=boost)
    generator = np.random.Generator(np.random.PCG64(seed))
    drawn: list[int] = []
    for code in sorted(addresses_by_ward):
        k = counts[code]
        if k == 0:
            continue
        items = sorted(addresses_by_ward[code], key=lambda item: (uprn_sort_key(item[0]), item[1]))
        positions = generator.choice(len(items), size=k, replace=False)
        drawn.extend(items[int(i)][1] for i in positions)
    return drawn
