"""Pure rules of the rumour desk (no Django): risk rating, surge check, weeks and fingerprints.

Surge check (documented in docs/methods.md)
-------------------------------------------
For a claim, or for all rumours in a ward, count the sightings in the last 7 days (the *current
week*) and in each of the 4 weeks before it (the *baseline*). The expected count is the baseline
mean, at least ``floor`` (0.5) so that a quiet subject does not alert on its first sighting. An
alert is raised when the current count is at least ``min_count`` (3) and the chance of seeing at
least that many under a Poisson distribution with the expected mean is below ``alpha`` (0.01).
This is the idea of the CDC's EARS C-methods (a recent window against the weeks before it) with
a Poisson tail in place of the normal approximation, which suits the small counts of a rumour desk.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from scipy.stats import poisson

__all__ = [
    "RiskRating",
    "Surge",
    "report_fingerprint",
    "risk_rating",
    "spread_level",
    "surge_check",
    "week_start",
]

HARM_WORDS = {1: "low harm", 2: "medium harm", 3: "high harm"}
SPREAD_WORDS = {1: "seen by a few", 2: "spreading", 3: "widely spread"}


@dataclass(frozen=True)
class RiskRating:
    harm: int
    spread: int
    score: int  # harm x spread, 1 to 9
    level: str  # "Low", "Medium", "High" or "Very high"
    words: str  # for example "High risk: high harm, widely spread"

    @property
    def detail(self) -> str:
        """The two parts in words, for example "high harm, widely spread"."""
        return f"{HARM_WORDS[self.harm]}, {SPREAD_WORDS[self.spread]}"

    @property
    def css(self) -> str:
        return {"Low": "grey", "Medium": "yellow", "High": "orange", "Very high": "red"}[self.level]


def spread_level(*, sightings: int, wards: int, max_reach: int) -> int:
    """1 (a few), 2 (spreading) or 3 (widely spread), from the last 4 weeks' sightings."""
    if sightings >= 10 or wards >= 4 or max_reach >= 4:
        return 3
    if sightings >= 3 or wards >= 2 or max_reach >= 3:
        return 2
    return 1


def risk_rating(*, harm: int, spread: int) -> RiskRating:
    """Risk = how harmful x how far spread, each 1 to 3, said in plain words."""
    harm = min(3, max(1, int(harm)))
    spread = min(3, max(1, int(spread)))
    score = harm * spread
    level = (
        "Low" if score <= 2 else "Medium" if score <= 4 else "High" if score <= 6 else "Very high"
    )
    return RiskRating(
        harm=harm,
        spread=spread,
        score=score,
        level=level,
        words=f"{level} risk: {HARM_WORDS[harm]}, {SPREAD_WORDS[spread]}",
    )


@dataclass(frozen=True)
class Surge:
    raised: bool
    observed: int
    expected: float
    p_value: float
    reason: str


def surge_check(
    *,
    current: int,
    baseline: Sequence[int],
    min_count: int = 3,
    alpha: float = 0.01,
    floor: float = 0.5,
) -> Surge:
    """Is ``current`` (this week's count) a sudden rise over ``baseline`` (earlier weekly counts)?"""
    if current < 0 or any(b < 0 for b in baseline):
        raise ValueError("Counts cannot be negative")
    expected = max(floor, sum(baseline) / len(baseline)) if baseline else floor
    p_value = float(poisson.sf(current - 1, expected)) if current > 0 else 1.0
    raised = current >= min_count and p_value < alpha
    if raised:
        reason = (
            f"{current} sightings in the last 7 days, against about {expected:.1f} a week before"
        )
    elif current < min_count:
        reason = f"Fewer than {min_count} sightings in the last 7 days"
    else:
        reason = f"{current} sightings in the last 7 days is within the usual range (about {expected:.1f} a week)"
    return Surge(
        raised=raised, observed=current, expected=round(expected, 3), p_value=p_value, reason=reason
    )


def week_start(day: date) -> date:
    """The Monday of the week ``day`` is in."""
    return day - timedelta(days=day.weekday())


_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]")


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: for spotting repeats."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SPACE.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


def report_fingerprint(*, text: str, ward_code: str | None, channel: str, sender: str = "") -> str:
    """The same words, place and channel from the same sender give the same fingerprint (the date
    is left out, so a report sent again the next day is still recognised). ``sender`` (an opaque
    key: who sent it) keeps two people reporting the same words apart: that is the rumour
    spreading, not a report sent twice."""
    parts = [normalise(text), (ward_code or "").upper(), channel]
    if sender:
        parts.append(sender)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
