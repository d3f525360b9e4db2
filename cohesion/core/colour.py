"""Colour scales for ward choropleth maps. Pure Python, no Django.

The palette is the dark half of *viridis*: purple, through blue, to teal. Viridis is
perceptually uniform, and people with the common forms of colour blindness can still
read it. We use only the half where every colour has at least 3:1 contrast against
white (WCAG 2.2 non-text contrast), so white ward boundaries, and white text, show
up on every fill. Colour is never the only cue: the legend and each ward's tooltip
carry the value as text.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from typing import Literal

__all__ = [
    "NO_DATA_FILL",
    "NO_DATA_LABEL",
    "PALETTE_ANCHORS",
    "STROKE_COLOUR",
    "contrast_ratio",
    "palette",
    "sequential_scale",
]

#: Viridis from 0.0 to 0.5, darkest first. Each has >= 3:1 contrast with white.
PALETTE_ANCHORS: tuple[str, ...] = (
    "#440154",
    "#482878",
    "#3e4a89",
    "#31688e",
    "#26828e",
    "#1f9e89",
)
#: Fill for wards with no data: a plain light grey, with no hatching.
NO_DATA_FILL = "#e8e8e8"
NO_DATA_LABEL = "No data"
#: Boundary colour between wards that have data.
STROKE_COLOUR = "#ffffff"
MAX_BINS = 7


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"expected a #rrggbb colour, got {colour!r}")
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))


def _hex(rgb: Sequence[float]) -> str:
    return "#" + "".join(f"{round(min(255.0, max(0.0, c))):02x}" for c in rgb)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio between two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def palette(count: int) -> list[str]:
    """``count`` colours from light to dark, spread evenly along the anchors."""
    if not 1 <= count <= MAX_BINS:
        raise ValueError(f"palette size must be between 1 and {MAX_BINS}, got {count}")
    anchors = [_rgb(c) for c in reversed(PALETTE_ANCHORS)]  # light to dark
    if count == 1:
        return [_hex(anchors[len(anchors) // 2])]
    colours = []
    for k in range(count):
        position = k * (len(anchors) - 1) / (count - 1)
        low = min(int(position), len(anchors) - 2)
        frac = position - low
        mixed = [a + (b - a) * frac for a, b in zip(anchors[low], anchors[low + 1], strict=True)]
        colours.append(_hex(mixed))
    return colours


def _quantile(ordered: Sequence[float], q: float) -> float:
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _labels(edges: Sequence[float], decimals: int | None) -> list[str]:
    def fmt(value: float, places: int) -> str:
        text = f"{value:,.{places}f}"
        return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text

    if len(edges) == 1:
        return [fmt(edges[0], 1 if decimals is None else decimals)]
    places = 1 if decimals is None else decimals
    while True:
        texts = [fmt(edge, places) for edge in edges]
        if decimals is not None or len(set(texts)) == len(texts) or places >= 6:
            break
        places += 1
    return [f"{texts[i]} to {texts[i + 1]}" for i in range(len(edges) - 1)]


def sequential_scale(
    *,
    values: Mapping[str, float | None],
    bins: int = 5,
    higher_is_better: bool = True,
    method: Literal["quantile", "equal"] = "quantile",
    decimals: int | None = None,
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Give each ward code a fill colour, and build the legend.

    Returns ``(fills, legend)``. ``fills`` maps each code with a value to a ``#rrggbb``
    colour. Codes whose value is ``None`` are left out, and the template shows them
    as "No data". ``legend`` is a list of ``(colour, label)`` pairs, lowest values
    first, with labels like ``"2.0 to 3.5"``.

    ``method="quantile"`` puts about the same number of wards in each bin. Use
    ``"equal"`` for bins of equal width. Bins that would be identical are merged, so
    there can be fewer than ``bins``. Each bin includes its lower edge, and the last
    bin also includes the maximum. Labels have 1 decimal place, or more if needed to
    tell the edges apart. Set ``decimals`` to fix the number.

    The darkest colour marks the favourable end: the highest values when
    ``higher_is_better``, otherwise the lowest. So "darker is better" holds on every
    map.
    """
    if not 1 <= bins <= MAX_BINS:
        raise ValueError(f"bins must be between 1 and {MAX_BINS}, got {bins}")
    if method not in ("quantile", "equal"):
        raise ValueError(f"method must be 'quantile' or 'equal', got {method!r}")
    present: dict[str, float] = {}
    for code, value in values.items():
        if value is None:
            continue
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"value for {code!r} is {value!r}; use None for missing data")
        present[code] = number
    if not present:
        return {}, []

    ordered = sorted(present.values())
    low, high = ordered[0], ordered[-1]
    if method == "quantile":
        raw_edges = [_quantile(ordered, k / bins) for k in range(bins + 1)]
    else:
        raw_edges = [low + (high - low) * k / bins for k in range(bins + 1)]
    raw_edges[0], raw_edges[-1] = low, high
    edges: list[float] = []
    for edge in raw_edges:
        if not edges or edge > edges[-1]:
            edges.append(edge)

    bin_count = max(1, len(edges) - 1)
    colours = palette(bin_count)  # light to dark
    if not higher_is_better:
        colours.reverse()
    inner_edges = edges[1:-1]
    fills = {
        code: colours[min(bisect.bisect_right(inner_edges, value), bin_count - 1)]
        for code, value in present.items()
    }
    legend = list(zip(colours, _labels(edges, decimals), strict=True))
    return fills, legend
