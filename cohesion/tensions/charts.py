"""Pure: SVG geometry for a ward's weekly counts with the expected level and alert threshold.

No Django. The axis helpers come from the strategy's chart module.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cohesion.strategy.charts import Plot, Tick, nice_step

__all__ = ["BandChart", "band_chart"]


@dataclass(frozen=True)
class AlarmMark:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class BandChart:
    width: int
    height: int
    view_box: str
    plot: Plot
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    bars: list[tuple[float, float, float, float, str]]  # x, y, width, height, title
    expected_path: str
    threshold_path: str
    alarms: list[AlarmMark]
    title: str
    description: str


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{_n(x)} {_n(y)}" for i, (x, y) in enumerate(points))


def band_chart(
    *,
    title: str,
    weeks: Sequence[date],
    counts: Sequence[float],
    expected: Sequence[float],
    threshold: Sequence[float],
    alarm: Sequence[bool],
    width: int = 640,
    height: int = 260,
) -> BandChart:
    """Bars for each week's count, a line for the expected count and a dashed alert threshold.

    Weeks that raised an alarm get a marker above their bar. Values that are not finite (a week
    the method could not judge) are left out of the lines.
    """
    n = len(weeks)
    if not (n == len(counts) == len(expected) == len(threshold) == len(alarm)) or n == 0:
        raise ValueError(
            "weeks, counts, expected, threshold and alarm must be the same non-zero length"
        )
    finite = [v for v in (*counts, *expected, *threshold) if math.isfinite(v)]
    top_value = max([1.0, *finite])
    step = max(1.0, nice_step(top_value / 4))
    y_max = step * math.ceil(top_value / step)
    plot = Plot(left=48.0, top=20.0, right=float(width - 16), bottom=float(height - 36))
    slot = (plot.right - plot.left) / n

    def x_mid(i: int) -> float:
        return plot.left + slot * (i + 0.5)

    def y_of(value: float) -> float:
        return round(plot.bottom - value / y_max * (plot.bottom - plot.top), 1)

    y_ticks = []
    v = 0.0
    while v <= y_max + 1e-9:
        y_ticks.append(Tick(y_of(v), _n(v)))
        v += step
    x_ticks = []
    for i, week in enumerate(weeks):
        first_monday_of_month = week.day <= 7
        if first_monday_of_month and (i == 0 or week.month in (1, 4, 7, 10)):
            x_ticks.append(Tick(round(x_mid(i), 1), week.strftime("%b %Y")))
    bars = []
    bar_width = max(1.0, round(slot * 0.7, 1))
    for i, (week, count) in enumerate(zip(weeks, counts, strict=True)):
        if count > 0 and math.isfinite(count):
            y = y_of(count)
            bars.append(
                (
                    round(x_mid(i) - bar_width / 2, 1),
                    y,
                    bar_width,
                    round(plot.bottom - y, 1),
                    f"Week of {week:%d %b %Y}: {_n(count)} report{'s' if count != 1 else ''}",
                )
            )
    expected_path = _path([(x_mid(i), y_of(e)) for i, e in enumerate(expected) if math.isfinite(e)])
    threshold_path = _path(
        [(x_mid(i), y_of(t)) for i, t in enumerate(threshold) if math.isfinite(t)]
    )
    alarms = [
        AlarmMark(
            round(x_mid(i), 1),
            round(max(plot.top + 6, y_of(counts[i]) - 8), 1),
            f"Alert in the week of {weeks[i]:%d %b %Y}: {_n(counts[i])} reports, threshold {threshold[i]:.1f}",
        )
        for i in range(n)
        if alarm[i]
    ]
    total = sum(c for c in counts if math.isfinite(c))
    description = (
        f"{_n(total)} report{'s' if total != 1 else ''} in the {n} weeks from "
        f"{weeks[0].day} {weeks[0]:%B %Y}. "
        f"{len(alarms)} week{'s' if len(alarms) != 1 else ''} went over the alert threshold."
    )
    return BandChart(
        width=width,
        height=height,
        view_box=f"0 0 {width} {height}",
        plot=plot,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        bars=bars,
        expected_path=expected_path,
        threshold_path=threshold_path,
        alarms=alarms,
        title=title,
        description=description,
    )
