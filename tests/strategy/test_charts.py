"""Tests of the line chart geometry (pure Python: run with ``-p no:django``)."""

from __future__ import annotations

import ast
import math
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohesion.strategy import charts
from cohesion.strategy.charts import ChartPoint, LineChart, line_chart, nice_step


def pct(value: float) -> str:
    return f"{value:g}%"


def number(value: float) -> str:
    return f"{value:g}"


BASELINE = ChartPoint(date(2024, 3, 31), 62.0)
TARGET = ChartPoint(date(2030, 3, 31), 70.0)
QUARTERLY = [
    ChartPoint(date(2024, 6, 30), 63.0, 60.0, 66.0, "2024 Q2"),
    ChartPoint(date(2024, 12, 31), 61.0, 58.0, 64.0, "2024 Q4"),
    ChartPoint(date(2025, 6, 30), 64.0, 61.0, 67.0, "2025 Q2"),
    ChartPoint(date(2026, 6, 30), 66.0, 63.0, 69.0, "2026 Q2"),
]


def belonging(**kwargs: object) -> LineChart:
    options: dict = {
        "title": "% of residents who feel they belong",
        "points": QUARTERLY,
        "baseline": BASELINE,
        "target": TARGET,
        "format_value": pct,
        "y_min": 0,
        "y_max": 100,
    }
    options.update(kwargs)
    return line_chart(**options)


def tick_values(chart: LineChart) -> list[float]:
    return [float(tick.label.rstrip("%")) for tick in chart.y_ticks]


def value_at(chart: LineChart, y: float) -> float:
    """Read a value back off the chart from its y coordinate, using the ticks as the scale."""
    (y0, v0), (y1, v1) = [(t.at, float(t.label.rstrip("%"))) for t in chart.y_ticks[:2]]
    return v0 + (y - y0) * (v1 - v0) / (y1 - y0)


def inside(chart: LineChart, x: float, y: float) -> bool:
    plot = chart.plot
    return plot.left <= x <= plot.right and plot.top <= y <= plot.bottom


def all_coordinates(chart: LineChart) -> list[float]:
    numbers: list[float] = [*chart.plot, *chart.planned_path]
    numbers += [tick.at for tick in chart.x_ticks + chart.y_ticks]
    for point in chart.points:
        numbers += [point.x, point.y]
        numbers += [v for v in (point.low_y, point.high_y) if v is not None]
    for marker in (chart.baseline_marker, chart.target_marker):
        numbers += [marker.x, marker.y, marker.label_x, marker.label_y]
    return numbers


# ---------------------------------------------------------------------------------------------
# Value axis


def test_value_ticks_cover_every_value_interval_baseline_and_target() -> None:
    chart = belonging()
    values = tick_values(chart)
    assert min(values) <= 58.0  # lowest interval end
    assert max(values) >= 70.0  # target
    assert len(values) >= 3
    assert values == sorted(values)
    steps = {round(b - a, 9) for a, b in zip(values, values[1:], strict=False)}
    assert len(steps) == 1  # evenly spaced


def test_value_ticks_are_nice_numbers() -> None:
    step = tick_values(belonging())[1] - tick_values(belonging())[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 9) in {1.0, 2.0, 2.5, 5.0}


@pytest.mark.parametrize(
    ("rough", "expected"),
    [
        (0.7, 1.0),
        (1.0, 1.0),
        (1.2, 2.0),
        (2.2, 2.5),
        (3.0, 5.0),
        (6.0, 10.0),
        (23.0, 25.0),
        (0.013, 0.02),
        (0, 1.0),
        (math.inf, 1.0),
    ],
)
def test_nice_step(rough: float, expected: float) -> None:
    assert nice_step(rough) == pytest.approx(expected)


def test_value_ticks_leave_some_headroom() -> None:
    chart = belonging()
    target_y = chart.target_marker.y
    assert target_y > chart.plot.top  # the target is not on the top edge
    low_bar = max(point.low_y for point in chart.points if point.low_y is not None)
    assert low_bar < chart.plot.bottom


def test_percentage_axis_is_clamped_to_0_and_100() -> None:
    chart = line_chart(
        title="% satisfied",
        points=[ChartPoint(date(2025, 3, 31), 98.0, 95.0, 100.0)],
        baseline=ChartPoint(date(2024, 3, 31), 96.0),
        target=ChartPoint(date(2027, 3, 31), 100.0),
        format_value=pct,
        y_min=0,
        y_max=100,
    )
    values = tick_values(chart)
    assert max(values) == 100.0
    assert chart.target_marker.y == chart.plot.top
    assert all(0 <= value <= 100 for value in values)

    low = line_chart(
        title="% worried",
        points=[ChartPoint(date(2025, 3, 31), 1.0, 0.0, 3.0)],
        baseline=ChartPoint(date(2024, 3, 31), 2.0),
        target=ChartPoint(date(2027, 3, 31), 0.5),
        format_value=pct,
        y_min=0,
        y_max=100,
    )
    assert min(tick_values(low)) == 0.0
    assert low.points[0].low_y == low.plot.bottom


def test_bounds_never_hide_a_figure_beyond_them() -> None:
    chart = belonging(points=[ChartPoint(date(2025, 3, 31), 64.0, 58.0, 104.0)])
    assert max(tick_values(chart)) >= 104.0
    assert inside(chart, chart.points[0].x, chart.points[0].high_y)


# ---------------------------------------------------------------------------------------------
# Points


def test_points_map_inside_the_plot_area() -> None:
    chart = belonging()
    assert len(chart.points) == len(QUARTERLY)
    for point in chart.points:
        assert inside(chart, point.x, point.y)
        assert inside(chart, point.x, point.low_y)
        assert inside(chart, point.x, point.high_y)
    path = chart.planned_path
    assert inside(chart, path.x1, path.y1)
    assert inside(chart, path.x2, path.y2)


def test_higher_values_are_higher_up_the_page() -> None:
    chart = belonging()
    by_value = sorted(zip(QUARTERLY, chart.points, strict=True), key=lambda pair: pair[0].value)
    ys = [plotted.y for _, plotted in by_value]
    assert ys == sorted(ys, reverse=True)
    assert ys[0] > ys[-1]
    # and the ticks agree: larger values, smaller y
    assert [t.at for t in chart.y_ticks] == sorted((t.at for t in chart.y_ticks), reverse=True)


def test_points_are_placed_to_scale() -> None:
    chart = belonging()
    for source, plotted in zip(QUARTERLY, chart.points, strict=True):
        assert value_at(chart, plotted.y) == pytest.approx(source.value, abs=0.05)
    # later dates further right, evenly by day
    xs = [point.x for point in chart.points]
    assert xs == sorted(xs)
    assert chart.planned_path.x1 == chart.plot.left
    assert chart.planned_path.x2 == chart.plot.right


def test_points_are_drawn_in_date_order_whatever_order_they_come_in() -> None:
    chart = belonging(points=list(reversed(QUARTERLY)))
    assert [point.label for point in chart.points] == [p.label for p in QUARTERLY]
    assert chart.observed_path.startswith(f"M{chart.points[0].x:g} ")


def test_observed_path_goes_through_every_point() -> None:
    chart = belonging()
    commands = chart.observed_path.split(" L")
    assert len(commands) == len(chart.points)
    assert commands[0].startswith("M")
    for command, point in zip(commands, chart.points, strict=True):
        x, y = command.lstrip("M").split(" ")
        assert (float(x), float(y)) == (point.x, point.y)


def test_interval_bars_bracket_the_point() -> None:
    chart = belonging()
    assert chart.has_intervals
    for source, point in zip(QUARTERLY, chart.points, strict=True):
        assert point.has_interval
        assert point.high_y < point.y < point.low_y
        assert value_at(chart, point.low_y) == pytest.approx(source.low, abs=0.05)
        assert value_at(chart, point.high_y) == pytest.approx(source.high, abs=0.05)
        assert point.cap_left < point.x < point.cap_right


def test_points_without_intervals_have_no_bars() -> None:
    chart = belonging(points=[ChartPoint(date(2025, 3, 31), 64.0)])
    point = chart.points[0]
    assert not chart.has_intervals
    assert (point.low_y, point.high_y) == (None, None)
    assert point.title == "March 2025: 64%"


def test_interval_given_back_to_front_or_half_open_still_brackets() -> None:
    chart = belonging(
        points=[
            ChartPoint(date(2025, 3, 31), 64.0, 67.0, 61.0, "swapped"),
            ChartPoint(date(2025, 6, 30), 64.0, None, 67.0, "high only"),
        ]
    )
    swapped, high_only = chart.points
    assert swapped.high_y < swapped.y < swapped.low_y
    assert swapped.title == "swapped: 64% (between 61% and 67%)"
    assert high_only.high_y < high_only.y == high_only.low_y


def test_point_titles_give_label_value_and_interval() -> None:
    chart = belonging()
    assert chart.points[0].title == "2024 Q2: 63% (between 60% and 66%)"
    assert chart.points[0].label == "2024 Q2"
    assert chart.points[0].value_label == "63%"


def test_figures_that_are_not_numbers_are_left_out() -> None:
    chart = belonging(
        points=[
            *QUARTERLY,
            ChartPoint(date(2026, 9, 30), math.nan),
            ChartPoint(date(2026, 12, 31), 65.0, math.inf, 70.0),
        ]
    )
    assert len(chart.points) == len(QUARTERLY) + 1
    assert all(math.isfinite(value) for value in all_coordinates(chart))


def test_coordinates_are_rounded_to_one_decimal_place() -> None:
    chart = belonging()
    for value in all_coordinates(chart):
        assert value == round(value, 1)
    for number_text in chart.observed_path.replace("M", " ").replace("L", " ").split():
        assert len(number_text.partition(".")[2]) <= 1


# ---------------------------------------------------------------------------------------------
# Time axis


def test_time_ticks_are_year_starts_labelled_with_the_year() -> None:
    chart = belonging()
    assert [tick.label for tick in chart.x_ticks] == [
        "2025",
        "2026",
        "2027",
        "2028",
        "2029",
        "2030",
    ]
    xs = [tick.at for tick in chart.x_ticks]
    assert xs == sorted(xs)
    assert all(chart.plot.left <= x <= chart.plot.right for x in xs)
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert max(gaps) - min(gaps) < 1.0  # a leap year is a day longer


def test_long_spans_label_every_second_year() -> None:
    chart = belonging(baseline=ChartPoint(date(2018, 3, 31), 60.0), target=TARGET)
    labels = [tick.label for tick in chart.x_ticks]
    assert len(labels) == 12  # a tick for every year start, 2019 to 2030
    assert [label for label in labels if label] == ["2020", "2022", "2024", "2026", "2028", "2030"]


def test_short_spans_get_quarter_ticks() -> None:
    chart = line_chart(
        title="Grants awarded",
        points=[],
        baseline=ChartPoint(date(2025, 4, 1), 1200.0),
        target=ChartPoint(date(2026, 3, 31), 2500.0),
        format_value=number,
    )
    assert [tick.label for tick in chart.x_ticks if tick.label][:2] == ["Apr 2025", "Jul 2025"]
    assert len(chart.x_ticks) >= 2


def test_dates_outside_the_plan_extend_the_time_axis() -> None:
    early = ChartPoint(date(2023, 3, 31), 60.0, label="early")
    late = ChartPoint(date(2031, 3, 31), 71.0, label="late")
    chart = belonging(points=[early, *QUARTERLY, late])
    first, *_, last = chart.points
    assert (first.label, first.x) == ("early", chart.plot.left)
    assert (last.label, last.x) == ("late", chart.plot.right)
    assert chart.plot.left < chart.planned_path.x1 < chart.planned_path.x2 < chart.plot.right
    labels = [tick.label for tick in chart.x_ticks]
    assert labels[0] == "2024"  # the first year start after 31 March 2023
    assert labels[-1] == "2031"
    assert chart.description.startswith(
        "Chart of % of residents who feel they belong, from 2023 to 2031."
    )


# ---------------------------------------------------------------------------------------------
# Awkward cases


def test_decrease_measure() -> None:
    chart = line_chart(
        title="Hate crimes reported per 10,000 residents",
        points=[ChartPoint(date(2025, 3, 31), 13.0), ChartPoint(date(2026, 3, 31), 11.5)],
        baseline=ChartPoint(date(2024, 3, 31), 14.0),
        target=ChartPoint(date(2030, 3, 31), 6.0),
        format_value=number,
        y_min=0,
    )
    path = chart.planned_path
    assert path.x1 < path.x2
    assert path.y1 < path.y2  # the planned path goes down the chart
    assert inside(chart, path.x2, path.y2)
    values = tick_values(chart)
    assert min(values) <= 6.0 and max(values) >= 14.0
    assert chart.points[0].y < chart.points[1].y
    assert chart.description.endswith("The plan is to reach 6 by March 2030.")


def test_no_points() -> None:
    chart = belonging(points=[])
    assert chart.points == []
    assert chart.observed_path == ""
    assert not chart.has_points and not chart.has_intervals
    assert inside(chart, chart.planned_path.x1, chart.planned_path.y1)
    assert inside(chart, chart.planned_path.x2, chart.planned_path.y2)
    assert "There are no figures yet." in chart.description
    assert "It started at 62% in March 2024." in chart.description
    assert chart.description.endswith("The plan is to reach 70% by March 2030.")
    assert "latest" not in chart.description


def test_one_point() -> None:
    chart = belonging(points=[ChartPoint(date(2025, 6, 30), 64.0, label="2025 Q2")])
    (point,) = chart.points
    assert inside(chart, point.x, point.y)
    assert chart.observed_path == f"M{point.x:g} {point.y:g}"
    assert "The latest figure is 64% in June 2025." in chart.description


def test_all_values_equal() -> None:
    same = ChartPoint(date(2025, 6, 30), 50.0)
    chart = line_chart(
        title="Flat",
        points=[same, ChartPoint(date(2026, 6, 30), 50.0)],
        baseline=ChartPoint(date(2024, 6, 30), 50.0),
        target=ChartPoint(date(2027, 6, 30), 50.0),
        format_value=number,
    )
    values = tick_values(chart)
    assert len(values) >= 2 and len(set(values)) == len(values)
    assert min(values) < 50.0 < max(values)
    assert chart.points[0].y == chart.points[1].y == chart.planned_path.y1 == chart.planned_path.y2
    assert chart.plot.top < chart.points[0].y < chart.plot.bottom


def test_all_zero_with_floor_and_ceiling() -> None:
    chart = line_chart(
        title="Nothing yet",
        points=[ChartPoint(date(2025, 6, 30), 0.0)],
        baseline=ChartPoint(date(2024, 6, 30), 0.0),
        target=ChartPoint(date(2027, 6, 30), 0.0),
        format_value=pct,
        y_min=0,
        y_max=100,
    )
    assert min(tick_values(chart)) == 0.0
    assert chart.points[0].y == chart.plot.bottom
    assert all(math.isfinite(value) for value in all_coordinates(chart))


def test_baseline_and_target_on_the_same_day() -> None:
    same_day = date(2025, 1, 1)
    chart = line_chart(
        title="Odd",
        points=[],
        baseline=ChartPoint(same_day, 10.0),
        target=ChartPoint(same_day, 20.0),
        format_value=number,
    )
    assert chart.plot.left < chart.planned_path.x1 == chart.planned_path.x2 < chart.plot.right
    assert all(math.isfinite(value) for value in all_coordinates(chart))


def test_bad_baseline_is_refused() -> None:
    with pytest.raises(ValueError, match="baseline"):
        belonging(baseline=ChartPoint(date(2024, 3, 31), math.nan))


def test_too_small_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        belonging(width=100)


# ---------------------------------------------------------------------------------------------
# Markers, size and words


def test_markers_sit_on_the_ends_of_the_planned_path_with_labels_inside_the_chart() -> None:
    for chart in (
        belonging(),
        belonging(points=[]),
        belonging(target=ChartPoint(date(2030, 3, 31), 50.0)),
    ):
        path = chart.planned_path
        assert (chart.baseline_marker.x, chart.baseline_marker.y) == (path.x1, path.y1)
        assert (chart.target_marker.x, chart.target_marker.y) == (path.x2, path.y2)
        assert chart.baseline_marker.label == "Baseline"
        assert chart.target_marker.label == "Target"
        assert chart.baseline_marker.title == "Baseline: 62% in March 2024"
        for marker in (chart.baseline_marker, chart.target_marker):
            assert marker.label_anchor in {"start", "middle", "end"}
            assert 0 < marker.label_x < chart.width
            assert 0 < marker.label_y <= chart.plot.bottom
            assert abs(marker.label_y - marker.y) <= 60


def test_size_and_view_box() -> None:
    chart = belonging(width=800, height=400)
    assert (chart.width, chart.height, chart.view_box) == (800, 400, "0 0 800 400")
    assert 0 < chart.plot.left < chart.plot.right < 800
    assert 0 < chart.plot.top < chart.plot.bottom < 400
    assert chart.plot.y_label_x < chart.plot.left < chart.plot.x_label_y


def test_wide_value_labels_get_a_wider_left_margin() -> None:
    narrow = belonging()
    wide = line_chart(
        title="Visits",
        points=[ChartPoint(date(2025, 6, 30), 1_250_000.0)],
        baseline=ChartPoint(date(2024, 3, 31), 1_000_000.0),
        target=ChartPoint(date(2030, 3, 31), 2_000_000.0),
        format_value=lambda value: f"{value:,.0f}",
    )
    assert wide.plot.left > narrow.plot.left


def test_description_mentions_start_latest_and_target() -> None:
    chart = line_chart(
        title="% of residents who feel they belong",
        points=[ChartPoint(date(2025, 6, 30), 64.0), ChartPoint(date(2026, 6, 30), 66.0)],
        baseline=BASELINE,
        target=TARGET,
        format_value=pct,
    )
    assert chart.title == "% of residents who feel they belong"
    assert chart.description.startswith(
        "Chart of % of residents who feel they belong, from 2024 to 2026. "
        "It started at 62% in March 2024. "
        "The latest figure is 66% in June 2026. "
    )
    assert "The planned path was at " in chart.description
    assert chart.description.endswith("The plan is to reach 70% by March 2030.")


def test_description_gives_the_latest_interval() -> None:
    assert "The latest figure is 66% in June 2026 (between 63% and 69%)." in belonging().description


def test_description_within_a_single_year() -> None:
    chart = line_chart(
        title="Grants awarded",
        points=[ChartPoint(date(2025, 9, 30), 1800.0)],
        baseline=ChartPoint(date(2025, 4, 1), 1200.0),
        target=ChartPoint(date(2026, 3, 31), 2500.0),
        format_value=number,
    )
    assert chart.description.startswith("Chart of Grants awarded, in 2025.")


def test_module_does_not_import_django() -> None:
    tree = ast.parse(Path(charts.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not any(name.split(".")[0] == "django" for name in imported)


# ---------------------------------------------------------------------------------------------
# Any figures at all


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    points=st.lists(st.builds(ChartPoint, when=days, value=finite), max_size=12),
    baseline=st.builds(ChartPoint, when=days, value=finite),
    target=st.builds(ChartPoint, when=days, value=finite),
)
def test_any_figures_fit_inside_the_plot(
    points: list[ChartPoint], baseline: ChartPoint, target: ChartPoint
) -> None:
    chart = line_chart(
        title="Anything",
        points=points,
        baseline=baseline,
        target=target,
        format_value=lambda value: f"{value:.6g}",
    )
    assert all(math.isfinite(value) for value in all_coordinates(chart))
    for point in chart.points:
        assert inside(chart, point.x, point.y)
    assert inside(chart, chart.planned_path.x1, chart.planned_path.y1)
    assert inside(chart, chart.planned_path.x2, chart.planned_path.y2)
    assert len(chart.y_ticks) >= 2
    assert all(chart.plot.top <= tick.at <= chart.plot.bottom for tick in chart.y_ticks)
    assert all(chart.plot.left <= tick.at <= chart.plot.right for tick in chart.x_ticks)
    assert chart.description
