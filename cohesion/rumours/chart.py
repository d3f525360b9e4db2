"""Geometry for a small server-rendered SVG bar chart of sightings per week (pure, no Django).

``templates/rumours/includes/bar_chart.html`` only draws what :func:`bar_chart` works out. The
same figures are always given in a table beside the chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    show_label: bool

    @property
    def title(self) -> str:
        return f"{self.label}: {self.value}"

    @property
    def label_x(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class YTick:
    y: float
    label: str

    @property
    def text_y(self) -> float:
        return round(self.y + 5, 1)


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[Bar]
    y_ticks: list[YTick]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def label_y(self) -> float:
        return round(self.bottom + 20, 1)

    @property
    def tick_x(self) -> float:
        return round(self.left - 8, 1)


def _nice_step(value: int, steps: int) -> int:
    """A round step (1, 2 or 5 times a power of 10) so that ``steps`` steps reach ``value``."""
    raw = max(1.0, value / steps)
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def bar_chart(
    *, title: str, bars: Sequence[tuple[str, int]], width: int = 640, height: int = 240
) -> BarChart:
    """Lay out one bar per (label, count). Every fourth label is shown when there are many bars."""
    if width < 200 or height < 120:
        raise ValueError("The chart must be at least 200 wide and 120 high")
    if any(v < 0 for _, v in bars):
        raise ValueError("Counts cannot be negative")
    left, right, top, bottom = 48.0, float(width - 12), 12.0, float(height - 32)
    steps = 4
    step = _nice_step(max((v for _, v in bars), default=0), steps)
    top_value = step * steps
    n = max(1, len(bars))
    slot = (right - left) / n
    bar_w = round(max(2.0, slot * 0.7), 1)
    every = 1 if n <= 8 else math.ceil(n / 8)
    laid = []
    for i, (label, value) in enumerate(bars):
        h = (bottom - top) * value / top_value
        x = left + i * slot + (slot - bar_w) / 2
        laid.append(
            Bar(
                x=round(x, 1),
                y=round(bottom - h, 1),
                width=bar_w,
                height=round(h, 1),
                label=label,
                value=int(value),
                show_label=i % every == 0,
            )
        )
    ticks = [
        YTick(y=round(bottom - (bottom - top) * k / steps, 1), label=f"{step * k:,}")
        for k in range(steps + 1)
    ]
    total = sum(v for _, v in bars)
    peak = max(bars, key=lambda b: b[1]) if bars else None
    if peak and total:
        description = f"{total:,} sightings over {len(bars)} weeks; the most in one week was {peak[1]:,} (week of {peak[0]})."
    else:
        description = "No sightings in these weeks."
    return BarChart(
        title=title,
        description=description,
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        bars=laid,
        y_ticks=ticks,
    )
