from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from cohesion.tensions.charts import band_chart


def test_band_chart_draws_bars_lines_and_alarm_marks() -> None:
    weeks = [date(2026, 1, 5) + timedelta(weeks=i) for i in range(20)]
    counts = [1.0] * 19 + [7.0]
    expected = [math.nan] + [1.0] * 19
    threshold = [math.nan] + [3.0] * 19
    alarm = [False] * 19 + [True]
    chart = band_chart(
        title="Online tension",
        weeks=weeks,
        counts=counts,
        expected=expected,
        threshold=threshold,
        alarm=alarm,
    )
    assert len(chart.bars) == 20
    assert chart.expected_path.startswith("M") and chart.expected_path.count("L") == 18
    assert len(chart.alarms) == 1 and "threshold 3.0" in chart.alarms[0].title
    assert all(chart.plot.top <= bar[1] <= chart.plot.bottom for bar in chart.bars)
    assert "1 week went over the alert threshold" in chart.description
    assert chart.y_ticks[-1].label == "8"


def test_band_chart_refuses_mismatched_series() -> None:
    with pytest.raises(ValueError, match="same non-zero length"):
        band_chart(
            title="x",
            weeks=[date(2026, 1, 5)],
            counts=[1, 2],
            expected=[1],
            threshold=[1],
            alarm=[False],
        )
