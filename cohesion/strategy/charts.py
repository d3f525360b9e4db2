"""Geometry for the server-rendered SVG line chart of a measure against its planned path.

Pure Python with no Django import, so that it can be tested on its own and reused by the PDF
report. :func:`line_chart` works out every coordinate and label; the template
``strategy/includes/line_chart.html`` only draws them.

The chart shows time across (from the baseline, or the earliest figure if earlier, to the target,
or the latest figure if later) and the value up the page. Higher values have smaller ``y`` because
SVG's origin is the top left corner. All coordinates are rounded to one decimal place.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from .periods import MONTHS
from .periods import month_year as _month_year

#: Rough width of one character of 16px Arial (the stylesheet's size), used to leave room for the
#: y axis labels. Generous on purpose: too much margin is better than clipped labels.
_CHAR_WIDTH = 9.0
#: Least horizontal room, in SVG units, between two labelled ticks on the time axis.
_MIN_LABEL_GAP = 56.0
#: Aim for a gridline about every this many SVG units up the value axis.
_Y_TICK_SPACING = 64.0


@dataclass(frozen=True)
class ChartPoint:
    """One figure: its date, value and optional interval (for example a 95% confidence interval)."""

    when: date
    value: float
    low: float | None = None
    high: float | None = None
    label: str = ""  # for example "2025 Q2"; the month and year when empty


class Tick(NamedTuple):
    """A tick on an axis: ``at`` is the x (time axis) or y (value axis) coordinate.

    ``label`` is empty for minor ticks that are drawn without a label.
    """

    at: float
    label: str

    @property
    def text_y(self) -> float:
        """Baseline for a value axis label, so that it sits centred on its gridline."""
        return _r(self.at + 5)


class Plot(NamedTuple):
    """The plotting area inside the axes, in SVG units."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return round(self.right - self.left, 1)

    @property
    def height(self) -> float:
        return round(self.bottom - self.top, 1)

    # Positions of tick marks and tick labels, so that the template needs no arithmetic.
    @property
    def x_tick_end(self) -> float:
        return _r(self.bottom + 6)

    @property
    def x_minor_tick_end(self) -> float:
        return _r(self.bottom + 3)

    @property
    def x_label_y(self) -> float:
        return _r(self.bottom + 24)

    @property
    def y_tick_start(self) -> float:
        return _r(self.left - 5)

    @property
    def y_label_x(self) -> float:
        return _r(self.left - 9)


class PlannedPath(NamedTuple):
    """The straight (dashed) line from the baseline to the target."""

    x1: float
    y1: float
    x2: float
    y2: float


class Marker(NamedTuple):
    """The baseline or the target: a symbol at (x, y) and a short text label beside it."""

    x: float
    y: float
    label: str  # "Baseline" or "Target"
    title: str  # for the tooltip, for example "Target: 70% by March 2030"
    label_x: float
    label_y: float
    label_anchor: str  # SVG text-anchor: "start", "middle" or "end"

    @property
    def square_x(self) -> float:
        """Top left corner of a 10 by 10 square centred on the marker."""
        return _r(self.x - 5)

    @property
    def square_y(self) -> float:
        return _r(self.y - 5)


@dataclass(frozen=True)
class PlottedPoint:
    x: float
    y: float
    low_y: float | None  # bottom of the interval bar (larger y), None without an interval
    high_y: float | None  # top of the interval bar (smaller y)
    label: str
    value_label: str
    title: str  # "2025 Q2: 64% (between 61% and 67%)"

    @property
    def has_interval(self) -> bool:
        return self.low_y is not None and self.high_y is not None

    @property
    def cap_left(self) -> float:
        """Left end of the short caps across the ends of the interval bar."""
        return _r(self.x - 4)

    @property
    def cap_right(self) -> float:
        return _r(self.x + 4)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    view_box: str
    plot: Plot
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    observed_path: str  # SVG path data through the points in date order, "" without points
    points: list[PlottedPoint]
    planned_path: PlannedPath
    target_marker: Marker
    baseline_marker: Marker
    title: str
    description: str

    @property
    def has_points(self) -> bool:
        return bool(self.points)

    @property
    def has_intervals(self) -> bool:
        return any(point.has_interval for point in self.points)


def line_chart(
    *,
    title: str,
    points: Sequence[ChartPoint],
    baseline: ChartPoint,
    target: ChartPoint,
    format_value: Callable[[float], str],
    width: int = 640,
    height: int = 320,
    y_min: float | None = None,
    y_max: float | None = None,
) -> LineChart:
    """Lay out a line chart of ``points`` against the planned path from ``baseline`` to ``target``.

    ``format_value`` turns a number into text such as "62%" and is used for the tick labels, the
    tooltips and the description. ``y_min`` and ``y_max`` are the least and greatest values the
    measure can take (0 and 100 for a percentage): the value axis does not go beyond them, unless
    a figure does, when that bound is ignored. Points whose value is not a finite number are left
    out; a baseline or target that is not a finite number, or figures too large to draw, raise
    ValueError.
    """
    if width < 200 or height < 120:
        raise ValueError("The chart must be at least 200 wide and 120 high")
    for name, anchor in (("baseline", baseline), ("target", target)):
        if not math.isfinite(anchor.value):
            raise ValueError(f"The {name} value must be a finite number")

    shown = sorted(
        (_clean(point) for point in points if math.isfinite(point.value)), key=lambda p: p.when
    )

    # Value axis. Worked out first because the width of its labels sets the left margin.
    values = [baseline.value, target.value]
    for point in shown:
        values.append(point.value)
        values.extend(v for v in (point.low, point.high) if v is not None)
    if not all(
        math.isfinite(v * 10) for v in (min(values), max(values), max(values) - min(values))
    ):
        raise ValueError("The figures are too large to draw on a chart")
    y_lo, y_hi, y_values = _value_axis(
        min(values), max(values), y_min, y_max, max(2, round((height - 60) / _Y_TICK_SPACING))
    )
    y_labels = [format_value(v) for v in y_values]
    longest = max((len(label) for label in y_labels), default=1)
    plot = Plot(
        left=float(min(max(48, round(longest * _CHAR_WIDTH) + 18), width // 3)),
        top=24.0,
        right=float(width - 32),
        bottom=float(height - 40),
    )

    # Time axis, as day numbers.
    # (Normally the baseline comes first and the target last; a target dated before its baseline
    # is still drawn rather than refused.)
    all_days = [baseline.when, target.when, *(p.when for p in shown)]
    start, end = min(all_days).toordinal(), max(all_days).toordinal()
    if end == start:
        start, end = start - 183, end + 183

    def x_of(day: date) -> float:
        return _r(plot.left + (day.toordinal() - start) / (end - start) * (plot.right - plot.left))

    def y_of(value: float) -> float:
        return _r(plot.bottom - (value - y_lo) / (y_hi - y_lo) * (plot.bottom - plot.top))

    x_ticks = [
        Tick(x_of(day), label)
        for day, label in _time_ticks(date.fromordinal(start), date.fromordinal(end), plot)
    ]
    y_ticks = [Tick(y_of(v), label) for v, label in zip(y_values, y_labels, strict=True)]

    plotted = [_plot_point(point, x_of, y_of, format_value) for point in shown]
    observed_path = " ".join(
        f"{'M' if i == 0 else 'L'}{_n(p.x)} {_n(p.y)}" for i, p in enumerate(plotted)
    )

    planned = PlannedPath(
        x_of(baseline.when), y_of(baseline.value), x_of(target.when), y_of(target.value)
    )
    rising = target.value >= baseline.value
    obstacles = _obstacles(plotted, planned)
    # The planned path leaves the baseline upwards when rising, so its label goes below first;
    # it arrives at the target from below, so that label goes above first.
    baseline_marker = _marker(
        "Baseline",
        f"Baseline: {format_value(baseline.value)} in {_month_year(baseline.when)}",
        planned.x1,
        planned.y1,
        width=width,
        plot=plot,
        below_first=rising,
        obstacles=obstacles,
    )
    target_marker = _marker(
        "Target",
        f"Target: {format_value(target.value)} by {_month_year(target.when)}",
        planned.x2,
        planned.y2,
        width=width,
        plot=plot,
        below_first=not rising,
        obstacles=[*obstacles, _label_box(baseline_marker)],
    )

    return LineChart(
        width=width,
        height=height,
        view_box=f"0 0 {width} {height}",
        plot=plot,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        observed_path=observed_path,
        points=plotted,
        planned_path=planned,
        target_marker=target_marker,
        baseline_marker=baseline_marker,
        title=title,
        description=_describe(title, shown, baseline, target, format_value),
    )


# ---------------------------------------------------------------------------------------------
# Axes


def nice_step(rough: float) -> float:
    """The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least ``rough``."""
    if not math.isfinite(rough) or rough <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(rough))
    for multiple in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = multiple * power
        if step >= rough * (1 - 1e-9):
            return step
    return 10.0 * power  # pragma: no cover - the loop always returns


def _value_axis(
    lo: float, hi: float, floor: float | None, ceiling: float | None, intervals: int
) -> tuple[float, float, list[float]]:
    """The ends of the value axis and the values of its ticks.

    The axis covers ``lo`` to ``hi`` with a little headroom, rounded out to whole steps, but is
    kept within ``floor`` and ``ceiling`` where the data allow.
    """
    # Bounds only apply when every figure is within them: a figure is never drawn off the chart.
    floor = floor if floor is not None and floor <= lo else None
    ceiling = ceiling if ceiling is not None and ceiling >= hi else None
    span = hi - lo
    flat = span <= 1e-9 * max(1.0, abs(lo), abs(hi))
    # All (nearly) the same value: show a band around it.
    pad = max(abs(hi) * 0.1, 1.0) if flat else span * 0.1
    lo_padded, hi_padded = lo - pad, hi + pad
    if floor is not None:
        lo_padded = max(lo_padded, floor)
    if ceiling is not None:
        hi_padded = min(hi_padded, ceiling)
    if hi_padded <= lo_padded:  # only when floor == ceiling == every value
        lo_padded, hi_padded = lo_padded - 1.0, hi_padded + 1.0

    step = nice_step((hi_padded - lo_padded) / intervals)
    axis_lo = math.floor(lo_padded / step + 1e-9) * step
    axis_hi = math.ceil(hi_padded / step - 1e-9) * step
    # Rounding out to whole steps must not cross the bounds either (e.g. 0% and 100%).
    if floor is not None:
        axis_lo = max(axis_lo, floor)
    if ceiling is not None:
        axis_hi = min(axis_hi, ceiling)
    if axis_hi <= axis_lo:  # pragma: no cover - defensive, for extreme floating point values
        axis_hi = axis_lo + step

    first = math.ceil(axis_lo / step - 1e-9)
    last = math.floor(axis_hi / step + 1e-9)
    ticks = [_clean_float(k * step) for k in range(first, last + 1)]
    return axis_lo, axis_hi, ticks


def _time_ticks(start: date, end: date, plot: Plot) -> list[tuple[date, str]]:
    """Ticks at the start of each year, labelled "2025"; quarters or months for short spans.

    Over 8 years only every 2nd year is labelled (more widely spaced if the chart is narrow);
    the other years keep an unlabelled tick.
    """
    days = end.toordinal() - start.toordinal()
    px_per_day = (plot.right - plot.left) / days

    years = [date(y, 1, 1) for y in range(start.year, end.year + 1)]
    years = [d for d in years if start <= d <= end]
    if len(years) >= 2:
        span_years = days / 365.25
        every = 2 if span_years > 8 else 1
        for candidate in (1, 2, 5, 10, 20, 50, 100):
            if candidate >= every and candidate * 365.25 * px_per_day >= _MIN_LABEL_GAP:
                every = candidate
                break
        else:
            every = 100
        return [(d, str(d.year) if d.year % every == 0 else "") for d in years]

    for months_apart in (3, 1):
        firsts = [
            date(y, m, 1)
            for y in range(start.year, end.year + 1)
            for m in range(1, 13, months_apart)
        ]
        firsts = [d for d in firsts if start <= d <= end]
        if len(firsts) >= 2 or months_apart == 1:
            gap = months_apart * 30.4 * px_per_day
            every = max(1, math.ceil(_MIN_LABEL_GAP * 1.5 / gap))  # "Apr 2025" is wide
            return [
                (d, f"{MONTHS[d.month - 1][:3]} {d.year}" if i % every == 0 else "")
                for i, d in enumerate(firsts)
            ]
    return []  # pragma: no cover - the month loop always returns


# ---------------------------------------------------------------------------------------------
# Points, markers and words


def _plot_point(
    point: ChartPoint,
    x_of: Callable[[date], float],
    y_of: Callable[[float], float],
    format_value: Callable[[float], str],
) -> PlottedPoint:
    label = point.label or _month_year(point.when)
    value_label = format_value(point.value)
    low_y = high_y = None
    interval = _interval(point)
    if interval is not None:
        low_y, high_y = y_of(interval[0]), y_of(interval[1])
    return PlottedPoint(
        x=x_of(point.when),
        y=y_of(point.value),
        low_y=low_y,
        high_y=high_y,
        label=label,
        value_label=value_label,
        title=f"{label}: {_value_with_interval(point, format_value)}",
    )


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _marker(
    label: str,
    title: str,
    x: float,
    y: float,
    *,
    width: int,
    plot: Plot,
    below_first: bool,
    obstacles: Sequence[Box],
) -> Marker:
    """Place the marker's label where it overlaps the fewest lines, points and labels."""
    above = [(10, -12, "start"), (-10, -12, "end"), (0, -14, "middle")]
    below = [(10, 24, "start"), (-10, 24, "end"), (0, 26, "middle")]
    aside = [
        (12, 5, "start"),
        (-12, 5, "end"),
        (10, -30, "start"),
        (-10, -30, "end"),
        (10, 42, "start"),
        (-10, 42, "end"),
        (10, -38, "start"),
        (-10, -38, "end"),
        (10, 50, "start"),
        (-10, 50, "end"),
    ]
    candidates = [*(below + above if below_first else above + below), *aside]
    best: Marker | None = None
    best_score = math.inf
    for order, (dx, dy, anchor) in enumerate(candidates):
        marker = Marker(x, y, label, title, _r(x + dx), _r(y + dy), anchor)
        left, top, right, bottom = _label_box(marker)
        # Keep clear of the value axis labels on the left and the time axis labels below.
        if left < plot.left + 2 or right > width - 2 or top < 2 or bottom > plot.bottom - 2:
            continue
        # How much of the label is covered; earlier (closer) candidates win ties.
        score = sum(_overlap((left, top, right, bottom), box) for box in obstacles)
        score += order / 100
        if score < best_score:
            best, best_score = marker, score
    if best is None:  # a tiny chart: no candidate fits inside it
        dx, dy, anchor = candidates[0]
        best = Marker(x, y, label, title, _r(x + dx), _r(y + dy), anchor)
    return best


def _label_box(marker: Marker) -> Box:
    text_width = len(marker.label) * _CHAR_WIDTH
    if marker.label_anchor == "start":
        left = marker.label_x
    elif marker.label_anchor == "end":
        left = marker.label_x - text_width
    else:
        left = marker.label_x - text_width / 2
    return (left - 3, marker.label_y - 14, left + text_width + 3, marker.label_y + 5)


def _obstacles(points: Sequence[PlottedPoint], planned: PlannedPath) -> list[Box]:
    """Boxes around what a marker label should not cover."""
    boxes: list[Box] = []
    for point in points:
        boxes.append((point.x - 6, point.y - 6, point.x + 6, point.y + 6))
        if point.low_y is not None and point.high_y is not None:
            boxes.append((point.x - 5, point.high_y - 1, point.x + 5, point.low_y + 1))
    lines = [(planned.x1, planned.y1, planned.x2, planned.y2)]
    lines += [(a.x, a.y, b.x, b.y) for a, b in zip(points, points[1:], strict=False)]
    for x1, y1, x2, y2 in lines:
        steps = max(1, math.ceil(math.hypot(x2 - x1, y2 - y1) / 6))
        for i in range(steps + 1):
            x, y = x1 + (x2 - x1) * i / steps, y1 + (y2 - y1) * i / steps
            boxes.append((x - 2, y - 2, x + 2, y + 2))
    # The markers themselves
    boxes.append((planned.x1 - 7, planned.y1 - 7, planned.x1 + 7, planned.y1 + 7))
    boxes.append((planned.x2 - 8, planned.y2 - 8, planned.x2 + 8, planned.y2 + 8))
    return boxes


def _overlap(a: Box, b: Box) -> float:
    """The area two boxes share."""
    across = min(a[2], b[2]) - max(a[0], b[0])
    down = min(a[3], b[3]) - max(a[1], b[1])
    return across * down if across > 0 and down > 0 else 0.0


def _describe(
    title: str,
    shown: Sequence[ChartPoint],
    baseline: ChartPoint,
    target: ChartPoint,
    format_value: Callable[[float], str],
) -> str:
    plan = f"The plan is to reach {format_value(target.value)} by {_month_year(target.when)}."
    started = f"It started at {_figure(baseline, format_value)}."
    if not shown:
        first_year, last_year = baseline.when.year, target.when.year
        return " ".join(
            [_chart_of(title, first_year, last_year), started, "There are no figures yet.", plan]
        )

    latest = shown[-1]
    first_year = min(baseline.when, shown[0].when).year
    last_year = max(baseline.when, latest.when).year
    sentences = [
        _chart_of(title, first_year, last_year),
        started,
        f"The latest figure is {_figure(latest, format_value)}.",
    ]
    baseline_day, target_day = baseline.when.toordinal(), target.when.toordinal()
    if baseline_day < target_day and baseline_day < latest.when.toordinal() <= target_day:
        share = (latest.when.toordinal() - baseline_day) / (target_day - baseline_day)
        planned = baseline.value + share * (target.value - baseline.value)
        sentences.append(f"The planned path was at {format_value(planned)} by then.")
    sentences.append(plan)
    return " ".join(sentences)


def _chart_of(title: str, first_year: int, last_year: int) -> str:
    years = f"in {first_year}" if first_year == last_year else f"from {first_year} to {last_year}"
    return f"Chart of {title.strip()}, {years}."


def _figure(point: ChartPoint, format_value: Callable[[float], str]) -> str:
    """ "66% in June 2026 (between 63% and 69%)"."""
    text = f"{format_value(point.value)} in {_month_year(point.when)}"
    return text + _between(point, format_value)


def _value_with_interval(point: ChartPoint, format_value: Callable[[float], str]) -> str:
    """ "66% (between 63% and 69%)"."""
    return format_value(point.value) + _between(point, format_value)


def _between(point: ChartPoint, format_value: Callable[[float], str]) -> str:
    interval = _interval(point)
    if interval is None:
        return ""
    return f" (between {format_value(interval[0])} and {format_value(interval[1])})"


def _interval(point: ChartPoint) -> tuple[float, float] | None:
    """(low, high) in order, or None. A missing end is taken to be the value itself."""
    if point.low is None and point.high is None:
        return None
    low = point.value if point.low is None else point.low
    high = point.value if point.high is None else point.high
    return (min(low, high), max(low, high))


def _clean(point: ChartPoint) -> ChartPoint:
    """Drop interval ends that are not finite numbers."""
    low = point.low if point.low is not None and math.isfinite(point.low) else None
    high = point.high if point.high is not None and math.isfinite(point.high) else None
    if low is point.low and high is point.high:
        return point
    return ChartPoint(point.when, point.value, low, high, point.label)




def _r(value: float) -> float:
    """Round a coordinate to one decimal place (and never give -0.0)."""
    return round(value, 1) + 0.0


def _n(value: float) -> str:
    """A coordinate for SVG path data: "12" rather than "12.0"."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _clean_float(value: float) -> float:
    """Tidy floating point noise from multiplying steps (0.30000000000000004 -> 0.3)."""
    return float(f"{value:.12g}") + 0.0
