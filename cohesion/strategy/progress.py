"""Progress engine: is a strategy measure on track?

This module is pure Python (NumPy/SciPy only, no Django), so the same rules can
run in views, tasks, exports and tests. The method is described for the public
in ``docs/methods.md`` ("Progress: is a measure on track?"). In short:

1. Only figures dated after the baseline date count as progress.
2. The latest figure gets a confidence interval in the measure's own units:
   Wilson for survey percentages, exact (Garwood) Poisson for counts and rates,
   none for other values (unless a published range is supplied with the point).
3. The interval is compared with the value on the straight-line path from
   baseline to target at the latest figure's date (or with the target itself
   once the target date has passed), respecting the measure's direction.
4. With at least three points (the baseline counts as one) a Theil-Sen trend
   is fitted over time in years and projected to the target date.
5. Status rules (``assess_progress``):

   ============  ======================================  =======================================
   Status        Latest interval vs. the path            Trend (if there are >= 3 points)
   ============  ======================================  =======================================
   On track      reaches the path value or better        none yet, or heading for the target
   Off track     wholly worse than the path value        none yet, or not heading for the target
   At risk       anything else (the two signs disagree)
   ============  ======================================  =======================================

   "Heading for the target" means the projection at the target date is at the
   target, better, or short of it by no more than the latest interval's
   half-width, and (when the target needs improvement on the baseline) the
   trend is not going the wrong way. After the target date only the target
   matters: On track if the interval reaches it, Off track if not.

6. Anything that cannot be judged is "Not enough data", with the reason said.
   A bad latest figure is never replaced by an older one.
"""

from __future__ import annotations

import enum
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from scipy.stats import gamma, norm, theilslopes

from .periods import month_year as _month_year

__all__ = [
    "Assessment",
    "Direction",
    "Interval",
    "Kind",
    "MeasureSpec",
    "Point",
    "Status",
    "assess_progress",
    "format_value",
    "point_interval",
    "poisson_interval",
    "trajectory_value",
    "wilson_interval",
]

METHOD_WILSON = "Wilson"
METHOD_GARWOOD = "exact Poisson (Garwood)"
METHOD_SUPPLIED = "supplied"
METHOD_NONE = "none"

DAYS_PER_YEAR = 365.25
#: A figure older than this (relative to ``today``) is compared with where we
#: planned to be "by then" rather than "by now".
_STALE_AFTER_DAYS = 366



class Status(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_ENOUGH_DATA = "not_enough_data"

    @property
    def label(self) -> str:
        """The words shown to the public."""
        return _STATUS_LABELS[self]


_STATUS_LABELS: dict[Status, str] = {
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.OFF_TRACK: "Off track",
    Status.NOT_ENOUGH_DATA: "Not enough data",
}


class Kind(enum.StrEnum):
    #: Survey percentage 0..100; uncertainty from ``sample_size`` or numerator/denominator.
    PERCENTAGE = "percentage"
    #: numerator / denominator * ``rate_per``; Poisson uncertainty on the numerator.
    RATE = "rate"
    #: A count of events or people; Poisson uncertainty on the value.
    COUNT = "count"
    #: Any other number; no uncertainty unless ``lower``/``upper`` are supplied.
    VALUE = "value"


class Direction(enum.StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


@dataclass(frozen=True)
class MeasureSpec:
    kind: Kind
    direction: Direction
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    rate_per: float = 1000.0
    #: Used to format numbers in reasons, e.g. "%" or "per 1,000 residents".
    unit: str = ""


@dataclass(frozen=True)
class Point:
    period_end: date
    value: float
    numerator: float | None = None
    denominator: float | None = None
    sample_size: int | None = None
    #: Optional published interval (e.g. a survey's design-adjusted 95% range).
    #: When both are given they are used instead of the computed interval.
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    #: "Wilson", "exact Poisson (Garwood)" or "supplied".
    method: str

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class Assessment:
    status: Status
    #: One plain-English sentence explaining the status.
    reason: str
    #: The latest point dated after the baseline (even if it could not be used).
    latest: Point | None
    #: Interval around the latest figure, in the measure's units.
    interval: Interval | None
    #: The value the latest figure was judged against: the straight-line path
    #: value at the latest point's date, or the target once the target date
    #: has passed.
    expected: float | None
    #: Theil-Sen slope in measure units per year (None with fewer than 3 points).
    trend_per_year: float | None
    #: Trend line's value at the target date.
    projected_at_target: float | None
    #: Usable figures dated after the baseline (the baseline itself not counted).
    points_used: int
    #: The latest figure as the engine read it (from numerator and denominator when both are
    #: given, so it can differ slightly from a rounded ``latest.value``); None when unusable.
    latest_value: float | None = None


# --------------------------------------------------------------------------- #
# Intervals
# --------------------------------------------------------------------------- #


def _check_confidence(confidence: float) -> None:
    if not (isinstance(confidence, int | float) and 0 < confidence < 1):
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")


def wilson_interval(*, successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (0..1).

    Works for non-integer ``successes`` (e.g. a rounded percentage times a
    sample size). Unlike the simple "p +/- 1.96 SE" interval it stays inside
    0..1 and behaves well near 0% and 100% and for small samples.
    """
    _check_confidence(confidence)
    if not (math.isfinite(n) and n > 0):
        raise ValueError(f"n must be a positive number, got {n!r}")
    if not (math.isfinite(successes) and 0 <= successes <= n):
        raise ValueError(f"successes must be between 0 and n, got {successes!r}")
    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    z2 = z * z
    # The usual formula multiplied through by n, so that tiny n cannot overflow:
    # centre = (s + z^2/2) / (n + z^2), half = z * sqrt(s(1 - p) + z^2/4) / (n + z^2).
    centre = (successes + z2 / 2) / (n + z2)
    half = z * math.sqrt(successes * (1 - p) + z2 / 4) / (n + z2)
    low = 0.0 if successes == 0 else max(0.0, min(p, centre - half))
    high = 1.0 if successes == n else min(1.0, max(p, centre + half))
    return low, high


def poisson_interval(*, count: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson mean, given an observed count.

    low = Gamma(alpha/2; k) quantile (0 when k = 0), high = Gamma(1 - alpha/2; k + 1)
    quantile, equivalent to chi2(alpha/2, 2k)/2 and chi2(1 - alpha/2, 2k + 2)/2.
    Non-integer counts are allowed (the gamma form is continuous in k).
    """
    _check_confidence(confidence)
    if not (math.isfinite(count) and count >= 0):
        raise ValueError(f"count must be a non-negative number, got {count!r}")
    alpha = 1 - confidence
    low = 0.0 if count == 0 else float(gamma.ppf(alpha / 2, count))
    if not math.isfinite(low):  # vanishingly small counts underflow: the limit is 0
        low = 0.0
    high = float(gamma.ppf(1 - alpha / 2, count + 1))
    if not math.isfinite(high):
        raise ValueError(f"cannot work out a Poisson interval for count {count!r}")
    return min(low, count), max(high, count)


@dataclass(frozen=True)
class _Reading:
    """What we could make of one point."""

    point: Point
    value: float | None  # None when unusable
    interval: Interval | None
    problem: str | None  # plain-English clause, e.g. "the number is missing"


def _num(x: object) -> float | None:
    """A finite float, or None for missing/NaN/infinite/non-numeric input."""
    if x is None or isinstance(x, bool):
        return None
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError, ArithmeticError):
        return None
    return f if math.isfinite(f) else None


def _below_zero_or_zero(what: str, x: float) -> str:
    return f"{what} is 0" if x == 0 else f"{what} is less than 0"


def _bad(point: Point, problem: str) -> _Reading:
    return _Reading(point=point, value=None, interval=None, problem=problem)


def _read(spec: MeasureSpec, point: Point, confidence: float) -> _Reading:
    """Check a point and work out its value and interval in the measure's units.

    Never raises for bad data: a point that cannot be used comes back with
    ``value=None`` and a plain-English ``problem``.
    """
    try:
        reading = _read_unchecked(spec, point, confidence)
    except (ArithmeticError, ValueError):
        return _bad(point, "a number in it could not be worked out")
    numbers = [reading.value]
    if reading.interval:
        numbers += [reading.interval.low, reading.interval.high]
    if reading.value is not None and not all(_num(x) is not None for x in numbers):
        return _bad(point, "a number in it is too big or too small to use")
    return reading


def _read_unchecked(spec: MeasureSpec, point: Point, confidence: float) -> _Reading:
    kind = spec.kind
    has_ratio = (
        kind in (Kind.PERCENTAGE, Kind.RATE)
        and point.numerator is not None
        and point.denominator is not None
    )
    numerator = _num(point.numerator)
    denominator = _num(point.denominator)
    ratio: tuple[float, float] | None = None  # (numerator, denominator) when usable
    if has_ratio:
        # The raw counts are the exact figure; ``value`` may be a rounding of it.
        if numerator is None or denominator is None:
            return _bad(point, "a number is missing")
        if denominator <= 0:
            return _bad(point, _below_zero_or_zero("the total it is out of", denominator))
        if numerator < 0:
            return _bad(point, "the count is less than 0")
        if kind is Kind.PERCENTAGE and numerator > denominator:
            return _bad(point, "the part is bigger than the total")
        ratio = (numerator, denominator)
        if kind is Kind.PERCENTAGE:
            value = 100 * numerator / denominator
        else:
            value = numerator * spec.rate_per / denominator
    else:
        given = _num(point.value)
        if given is None:
            return _bad(point, "the number is missing")
        value = given

    interval: Interval | None = None
    if kind is Kind.PERCENTAGE:
        if not 0 <= value <= 100:
            return _bad(point, "a percentage must be between 0 and 100")
        if ratio is not None:
            low, high = wilson_interval(successes=ratio[0], n=ratio[1], confidence=confidence)
            interval = Interval(100 * low, 100 * high, METHOD_WILSON)
        elif point.sample_size is not None:
            n = _num(point.sample_size)
            if n is None:
                return _bad(point, "the number of people asked is missing")
            if n <= 0:
                return _bad(point, _below_zero_or_zero("the number of people asked", n))
            low, high = wilson_interval(successes=value / 100 * n, n=n, confidence=confidence)
            interval = Interval(100 * low, 100 * high, METHOD_WILSON)
    elif kind is Kind.RATE:
        if value < 0:
            return _bad(point, "the number is less than 0")
        if ratio is not None:
            low, high = poisson_interval(count=ratio[0], confidence=confidence)
            scale = spec.rate_per / ratio[1]
            interval = Interval(low * scale, high * scale, METHOD_GARWOOD)
    elif kind is Kind.COUNT:
        if value < 0:
            return _bad(point, "the number is less than 0")
        low, high = poisson_interval(count=value, confidence=confidence)
        interval = Interval(low, high, METHOD_GARWOOD)

    if point.lower is not None or point.upper is not None:
        lower, upper = _num(point.lower), _num(point.upper)
        if lower is None or upper is None or not lower <= value <= upper:
            return _bad(point, "the range given with it does not make sense")
        interval = Interval(lower, upper, METHOD_SUPPLIED)

    return _Reading(point=point, value=value, interval=interval, problem=None)


def point_interval(*, spec: MeasureSpec, point: Point, confidence: float = 0.95) -> Interval | None:
    """Confidence interval for one point, in the measure's own units.

    * PERCENTAGE (0..100): Wilson, from numerator/denominator if both given,
      else from ``value`` and ``sample_size``; None if neither is known.
    * RATE: exact Poisson on the numerator, scaled by ``rate_per / denominator``;
      None without numerator and denominator.
    * COUNT: exact Poisson on the value.
    * VALUE: None.

    A point with both ``lower`` and ``upper`` uses them (method "supplied").
    Returns None for an unusable point (missing/NaN value, zero sample size or
    denominator, negative counts, ...); it never raises for bad data.
    """
    _check_confidence(confidence)
    return _read(spec, point, confidence).interval


# --------------------------------------------------------------------------- #
# Path and trend
# --------------------------------------------------------------------------- #


def _day(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


def _years_between(start: date, end: date) -> float:
    return (_day(end) - _day(start)).days / DAYS_PER_YEAR


def trajectory_value(*, spec: MeasureSpec, on: date) -> float:
    """Value on the straight line from baseline to target on a given date.

    Before (and on) the baseline date it is the baseline; on and after the
    target date it is the target.
    """
    on, start, end = _day(on), _day(spec.baseline_date), _day(spec.target_date)
    if on >= end:
        return float(spec.target_value)
    if on <= start:
        return float(spec.baseline_value)
    fraction = (on - start).days / (end - start).days
    return float(spec.baseline_value + fraction * (spec.target_value - spec.baseline_value))


@dataclass(frozen=True)
class _Trend:
    slope: float  # units per year
    projected: float  # at the target date


def _theil_sen(spec: MeasureSpec, usable: Sequence[_Reading]) -> _Trend | None:
    """Theil-Sen line through the baseline and the usable figures (>= 3 points)."""
    if len(usable) < 2:
        return None
    xs = [0.0] + [_years_between(spec.baseline_date, r.point.period_end) for r in usable]
    ys = [float(spec.baseline_value)] + [r.value for r in usable if r.value is not None]
    # "joint" intercept = median(y - slope * x): robust to a single odd figure.
    # Only the slope and intercept are used; SciPy's slope confidence interval
    # can warn (e.g. sqrt of a negative variance with few, tied points).
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        result = theilslopes(ys, xs, method="joint")
    slope, intercept = float(result.slope), float(result.intercept)
    if not (math.isfinite(slope) and math.isfinite(intercept)):
        return None
    projected = intercept + slope * _years_between(spec.baseline_date, spec.target_date)
    return _Trend(slope=slope, projected=projected)


# --------------------------------------------------------------------------- #
# Formatting
# --------------------------------------------------------------------------- #

_PREFIX_UNITS = frozenset({"£", "$", "€"})


def _default_decimals(x: float) -> int:
    a = abs(x)
    if a == 0 or (a >= 1 and a == round(a)) or a >= 10:
        return 0
    if a >= 1:
        return 0 if round(a, 1) >= 10 else 1
    # Two significant figures for small numbers: 0.43, 0.071.
    return min(6, 1 - math.floor(math.log10(a)))


def format_value(*, value: float, unit: str, decimals: int | None = None) -> str:
    """Format a number for people: "36%", "2.4 per 1,000 residents", "1,250".

    Rounding by size: whole numbers and anything of 10 or more to 0 decimal
    places, 1 to 10 to one decimal place, smaller numbers to two significant
    figures. Thousands get commas. ``decimals`` forces a number of decimal places.
    """
    x = _num(value)
    if x is None:
        return "not known"
    places = _default_decimals(x) if decimals is None else max(0, decimals)
    text = f"{x:,.{places}f}"
    if text.startswith("-") and text.strip("-0.,") == "":
        text = text[1:]  # no "-0"
    unit = unit.strip()
    if not unit:
        return text
    if unit == "%":
        return f"{text}%"
    if unit in _PREFIX_UNITS:
        return f"-{unit}{text[1:]}" if text.startswith("-") else f"{unit}{text}"
    return f"{text} {unit}"




def _render(
    values: dict[str, float],
    unit: str,
    must_differ: Sequence[tuple[str, str]] = (),
    bare: Sequence[str] = (),
) -> dict[str, str]:
    """Format the numbers of one sentence.

    Decimal places are added (up to three more) only when two numbers that the
    sentence says are different would otherwise look the same. Keys in ``bare``
    get the unit only when it is short ("%", "£"), so an interval reads
    "(between 1.5 and 1.8)" rather than repeating "per 1,000 residents".
    """
    short_unit = unit.strip() == "%" or unit.strip() in _PREFIX_UNITS
    numbers: dict[str, str] = {}
    places: dict[str, int] = {}
    for extra in (0, 1, 2, 3):
        places = {k: _default_decimals(x) + extra for k, x in values.items()}
        numbers = {k: format_value(value=x, unit="", decimals=places[k]) for k, x in values.items()}
        if all(
            numbers[a] != numbers[b] or values[a] == values[b]
            for a, b in must_differ
            if a in values and b in values
        ):
            break
    return {
        k: numbers[k]
        if k in bare and not short_unit
        else format_value(value=x, unit=unit, decimals=places[k])
        for k, x in values.items()
    }


# --------------------------------------------------------------------------- #
# Assessment
# --------------------------------------------------------------------------- #


def _spec_problem(spec: MeasureSpec) -> bool:
    numbers = [spec.baseline_value, spec.target_value]
    if spec.kind is Kind.RATE:
        numbers.append(spec.rate_per)
    if any(_num(x) is None for x in numbers):
        return True
    return spec.kind is Kind.RATE and spec.rate_per <= 0


def assess_progress(
    *,
    spec: MeasureSpec,
    points: Sequence[Point],
    today: date | None = None,
    confidence: float = 0.95,
) -> Assessment:
    """Judge whether a measure is on track. See the module docstring for the rules."""
    _check_confidence(confidence)
    today = _day(today) if today is not None else date.today()
    baseline_date, target_date = _day(spec.baseline_date), _day(spec.target_date)

    if _spec_problem(spec):
        return _not_enough("We cannot judge this yet because the plan for it is missing a number.")

    # Stable sort: for two figures with the same date, the later one given wins.
    observations = sorted(
        (p for p in points if _day(p.period_end) > baseline_date),
        key=lambda p: _day(p.period_end),
    )
    if not observations:
        return _not_enough(
            f"We have no new figures since the baseline in {_month_year(baseline_date)}."
        )

    readings = [_read(spec, p, confidence) for p in observations]
    usable = [r for r in readings if r.value is not None]
    latest = readings[-1]
    latest_date = _day(latest.point.period_end)
    trend = _theil_sen(spec, usable)

    def result(status: Status, reason: str, expected: float) -> Assessment:
        return Assessment(
            status=status,
            reason=reason,
            latest=latest.point,
            interval=latest.interval,
            expected=expected,
            trend_per_year=trend.slope if trend else None,
            projected_at_target=trend.projected if trend else None,
            points_used=len(usable),
            latest_value=latest.value,
        )

    if latest.value is None:
        # Never fall back to an older figure: say plainly why this one is no good.
        problem = latest.problem or "the number is missing"
        return result(
            Status.NOT_ENOUGH_DATA,
            f"The latest figure, for {_month_year(latest_date)}, cannot be used because "
            f"{problem}, so we cannot tell yet.",
            trajectory_value(spec=spec, on=latest_date),
        )

    value = latest.value
    interval = latest.interval
    low, high = (interval.low, interval.high) if interval else (value, value)
    # Work in "better is bigger" terms: multiply by sign before comparing.
    sign = 1.0 if spec.direction is Direction.INCREASE else -1.0
    best, worst = (high, low) if sign > 0 else (low, high)

    target = float(spec.target_value)
    baseline = float(spec.baseline_value)
    target_passed = today >= target_date or latest_date >= target_date
    expected = target if target_passed else trajectory_value(spec=spec, on=latest_date)
    eps = 1e-9 * max(1.0, abs(expected))
    reaches = sign * best >= sign * expected - eps
    wholly_better = sign * worst > sign * expected + eps
    at_or_better = sign * value >= sign * expected - eps
    needs_improvement = sign * target > sign * baseline

    trend_ok: bool | None = None  # None: no trend yet (or it no longer matters)
    wrong_way = False
    if target_passed:
        status = Status.ON_TRACK if reaches else Status.OFF_TRACK
    else:
        if trend is not None:
            half_width = interval.half_width if interval else 0.0
            wrong_way = needs_improvement and sign * trend.slope < 0
            close_enough = sign * trend.projected >= sign * target - half_width - eps
            trend_ok = close_enough and not wrong_way
        if reaches and trend_ok is not False:
            status = Status.ON_TRACK
        elif not reaches and trend_ok is not True:
            status = Status.OFF_TRACK
        else:
            status = Status.AT_RISK

    # ----- the sentence ---------------------------------------------------- #
    numbers = {"value": value, "expected": expected, "target": target}
    if interval:
        numbers |= {"low": interval.low, "high": interval.high}
    best_key, worst_key = ("high", "low") if sign > 0 else ("low", "high")
    if not interval:
        best_key = worst_key = "value"
    # Only a claim that two numbers differ needs them to look different.
    must_differ = [(best_key, "expected")] if not reaches else []
    text = _render(numbers, spec.unit, must_differ, bare=("low", "high"))
    # A "better" that the reader cannot see is said as "close to" / "where".
    wholly_better = wholly_better and text[worst_key] != text["expected"]
    at_or_better = at_or_better or text["value"] == text["expected"]

    figure = f"The latest figure, {text['value']}"
    if interval and text["low"] != text["high"]:
        figure += f" (between {text['low']} and {text['high']})"
    worse_word = "lower" if sign > 0 else "higher"
    the_target = f"the target of {text['target']}"

    if target_passed:
        set_for = f"{the_target} we set for {_month_year(target_date)}"
        if not reaches:
            where = f"is {worse_word} than {set_for}"
        elif wholly_better:
            where = f"is better than {set_for}"
        elif at_or_better:
            where = f"meets {set_for}"
        else:
            where = f"is close to {set_for}"
        return result(status, f"{figure}, {where}.", expected)

    when = "by then" if (today - latest_date).days > _STALE_AFTER_DAYS else "by now"
    planned = f"where we planned to be {when} ({text['expected']})"
    if not reaches:
        where = f"is {worse_word} than planned ({text['expected']})"
    elif wholly_better:
        where = f"is better than {planned}"
    elif interval is None:
        where = f"is {planned}"
    else:
        where = f"is close to {planned}"

    tail = ""
    if trend is not None and status is not Status.ON_TRACK:
        joiner = "but" if reaches else "and"
        by_target = f"{the_target} by {_month_year(target_date)}"
        if trend_ok:
            tail = f", but at this speed it could still reach {by_target}"
        elif wrong_way:
            going = "going down" if sign > 0 else "going up"
            tail = f", {joiner} it has been {going}, away from {the_target}"
        else:
            tail = f", {joiner} at this speed it will not reach {by_target}"

    return result(status, f"{figure}, {where}{tail}.", expected)


def _not_enough(reason: str) -> Assessment:
    return Assessment(
        status=Status.NOT_ENOUGH_DATA,
        reason=reason,
        latest=None,
        interval=None,
        expected=None,
        trend_per_year=None,
        projected_at_target=None,
        points_used=0,
    )
