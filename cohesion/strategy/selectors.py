"""Reads for the strategy pages. Each function does a bounded number of queries."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Prefetch, QuerySet
from django.urls import reverse

from cohesion.core import colour, disclosure, geo
from cohesion.core.models import Ward

from . import charts, progress
from .models import Measure, Observation, Priority, Strategy

SECONDARY_LABEL = "hidden to protect a small number"
STATUS_ORDER = ["off_track", "at_risk", "on_track", "not_enough_data"]


def strategy_current() -> Strategy | None:
    return Strategy.objects.filter(is_current=True).first()


def priorities_with_measures(*, strategy: Strategy) -> QuerySet[Priority]:
    return strategy.priorities.prefetch_related(
        Prefetch("measures", queryset=Measure.objects.published().order_by("title"))
    )


@dataclass
class OverviewRow:
    measure: Measure
    url: str
    priority_numbers: str


def measures_overview() -> list[OverviewRow]:
    """Every published measure with its link and priority numbers, in two queries.

    Built by hand rather than with prefetch_related because the page lists up to thousands of
    measures and per-row objects, reverse() calls and managers dominate its time.
    """
    measures = list(
        Measure.objects.published()
        .only("id", "title", "slug", "unit", "status", "status_reason", "latest_value")
        .order_by("title")
    )
    numbers: dict[int, list[str]] = {}
    links = Measure.priorities.through.objects.filter(measure__is_published=True).order_by(
        "priority__number", "priority_id"
    )
    for measure_id, number in links.values_list("measure_id", "priority__number"):
        numbers.setdefault(measure_id, []).append(str(number))
    placeholder = "measure-slug"
    pattern = reverse("public:measure", kwargs={"slug": placeholder})
    return [
        OverviewRow(m, pattern.replace(placeholder, m.slug), ", ".join(numbers.get(m.pk, [])))
        for m in measures
    ]


def status_summary(*, measures: list[Measure]) -> list[dict[str, Any]]:
    counts = Counter(m.status for m in measures)
    labels = dict(Measure._meta.get_field("status").choices or [])
    return [{"status": s, "label": labels[s], "count": counts.get(s, 0)} for s in STATUS_ORDER]


def measure_chart(*, measure: Measure, observations: list[Observation]) -> charts.LineChart:
    spec = measure.spec
    points = []
    for obs in observations:
        interval = progress.point_interval(spec=spec, point=obs.point)
        points.append(
            charts.ChartPoint(
                when=obs.period_end,
                value=obs.value,
                low=interval.low if interval else None,
                high=interval.high if interval else None,
                label=obs.period_label,
            )
        )
    y_min: float | None = None
    y_max: float | None = None
    if measure.kind == "percentage":
        y_min, y_max = 0.0, 100.0
    elif measure.kind in ("count", "rate"):
        y_min = 0.0
    def axis_format(value: float) -> str:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return f"{text}%" if measure.unit == "%" else text

    title = measure.title if measure.unit in ("", "%") else f"{measure.title} ({measure.unit})"
    return charts.line_chart(
        title=title,
        points=points,
        baseline=charts.ChartPoint(when=measure.baseline_date, value=measure.baseline_value, label="Baseline"),
        target=charts.ChartPoint(when=measure.target_date, value=measure.target_value, label="Target"),
        format_value=axis_format,
        y_min=y_min,
        y_max=y_max,
    )


_map_cache: dict[str, geo.SvgMap] = {}
_map_lock = threading.Lock()


def ward_svg_map(*, wards: list[Ward]) -> geo.SvgMap | None:
    """Project ward boundaries to SVG once per set of wards (boundaries rarely change)."""
    with_shapes = [w for w in wards if w.boundary]
    if not with_shapes:
        return None
    key = "|".join(f"{w.code}:{w.pk}" for w in with_shapes)
    with _map_lock:
        cached = _map_cache.get(key)
    if cached is None:
        shapes = [geo.WardShape(code=w.code, name=w.name, geometry=w.boundary or {}) for w in with_shapes]
        cached = geo.svg_paths(wards=shapes)
        with _map_lock:
            _map_cache.clear()
            _map_cache[key] = cached
    return cached


@dataclass
class WardRow:
    ward: Ward
    observation: Observation | None
    display: str
    suppressed: bool


def suppressed_label(measure: Measure, *, primary: bool) -> str:
    """What a hidden ward figure says instead of its value."""
    if not primary:
        return SECONDARY_LABEL
    if measure.kind == "rate":
        return "not shown: " + disclosure.SUPPRESSED_LABEL + " counted"
    return disclosure.SUPPRESSED_LABEL


def disclosure_counts(measure: Measure, latest: list[Observation]) -> dict[Hashable, int] | None:
    """The counts behind ward figures, where small numbers could identify people."""
    if measure.kind == "count":
        return {o.ward.code: int(round(o.value)) for o in latest if o.ward}
    if measure.kind == "rate" and all(o.numerator is not None for o in latest):
        return {o.ward.code: int(round(o.numerator or 0)) for o in latest if o.ward}
    return None


def measure_ward_view(*, measure: Measure) -> dict[str, Any] | None:
    """The latest ward figures with small counts suppressed, as a table and a map."""
    if measure.level != Measure.Level.WARD:
        return None
    latest_end = Observation.objects.wards().filter(measure=measure).aggregate(m=Max("period_end"))["m"]
    if latest_end is None:
        return None
    latest = list(
        Observation.objects.wards()
        .filter(measure=measure, period_end=latest_end)
        .select_related("ward")
        .defer("ward__boundary")
    )
    wards = list(Ward.objects.all())
    by_code = {o.ward.code: o for o in latest if o.ward}
    counts = disclosure_counts(measure, latest)
    suppressed: dict[str, str | None] = {}
    if counts is not None:
        table = disclosure.suppress_series(counts=counts)
        suppressed = {str(c.key): c.reason for c in table.cells if c.suppressed}
    rows = []
    values: dict[str, float | None] = {}
    for ward in wards:
        obs = by_code.get(ward.code)
        if obs is None:
            rows.append(WardRow(ward, None, "No data", False))
            values[ward.code] = None
        elif ward.code in suppressed:
            label = suppressed_label(measure, primary=suppressed[ward.code] == "primary")
            rows.append(WardRow(ward, obs, label, True))
            values[ward.code] = None
        else:
            rows.append(WardRow(ward, obs, measure.format_short(obs.value), False))
            values[ward.code] = obs.value
    svg = ward_svg_map(wards=wards)
    ward_map = None
    if svg is not None:
        # Darker always means a higher figure, whichever direction is better.
        fills, legend = colour.sequential_scale(values=values, higher_is_better=True)
        ward_map = {
            "id": f"map-{measure.pk}",
            "svg": svg,
            "title": f"Map of {measure.title} by ward, {latest[0].period_label}",
            "description": (
                "Darker wards have higher figures. The same figures are in the table below the map."
            ),
            "fills": fills,
            "values": {row.ward.code: row.display for row in rows},
            "legend": legend,
        }
    return {
        "period_label": latest[0].period_label,
        "rows": rows,
        "map": ward_map,
        "any_suppressed": bool(suppressed),
    }


def measure_page(*, measure: Measure) -> dict[str, Any]:
    observations = list(Observation.objects.city().filter(measure=measure).order_by("period_end"))
    assessment = progress.assess_progress(spec=measure.spec, points=[o.point for o in observations])
    rows = []
    for obs in observations:
        interval = progress.point_interval(spec=measure.spec, point=obs.point)
        rows.append({
            "observation": obs,
            "value": measure.format_short(obs.value),
            "range": f"{measure.format_short(interval.low)} to {measure.format_short(interval.high)}" if interval else "",
            "expected": measure.format_short(progress.trajectory_value(spec=measure.spec, on=obs.period_end)),
        })
    return {
        "measure": measure,
        "priorities": list(measure.priorities.order_by("number")),
        "observations": rows,
        "assessment": assessment,
        "chart": measure_chart(measure=measure, observations=observations),
        "wards": measure_ward_view(measure=measure),
    }


def measure_csv_rows(*, measure: Measure) -> list[list[str]]:
    """Every published figure for a measure, ward figures with small counts suppressed."""
    header = ["measure", "area_code", "area_name", "period", "period_start", "period_end", "value", "unit", "lower_95", "upper_95", "note"]
    rows = [header]
    spec = measure.spec
    city = list(Observation.objects.city().filter(measure=measure).order_by("period_end"))
    for obs in city:
        interval = progress.point_interval(spec=spec, point=obs.point)
        rows.append([
            measure.slug, "", "Whole city", obs.period_label, obs.period_start.isoformat(), obs.period_end.isoformat(),
            _num(obs.value), measure.unit, _num(interval.low if interval else None), _num(interval.high if interval else None), obs.note,
        ])
    ward_obs = list(
        Observation.objects.wards()
        .filter(measure=measure)
        .select_related("ward")
        .defer("ward__boundary")
        .order_by("period_end", "ward__name")
    )
    by_period: dict[Any, list[Observation]] = {}
    for obs in ward_obs:
        by_period.setdefault(obs.period_end, []).append(obs)
    for _, group in sorted(by_period.items()):
        counts = disclosure_counts(measure, group)
        hidden: dict[str, str | None] = {}
        if counts is not None:
            hidden = {str(c.key): c.reason for c in disclosure.suppress_series(counts=counts).cells if c.suppressed}
        for obs in group:
            if obs.ward is None:
                continue
            reason = hidden.get(obs.ward.code)
            shown = _num(obs.value)
            if obs.ward.code in hidden:
                shown = suppressed_label(measure, primary=reason == "primary")
            rows.append([
                measure.slug, obs.ward.code, obs.ward.name, obs.period_label, obs.period_start.isoformat(), obs.period_end.isoformat(),
                shown, measure.unit, "", "", "" if obs.ward.code in hidden else obs.note,
            ])
    return rows


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.6g}"
