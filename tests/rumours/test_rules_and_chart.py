"""The pure rules: risk rating, surge check, weeks, fingerprints and the bar chart."""

from __future__ import annotations

from datetime import date

import pytest

from cohesion.rumours import chart, rules


def test_risk_is_harm_times_spread_in_plain_words():
    assert rules.risk_rating(harm=1, spread=1).words == "Low risk: low harm, seen by a few"
    assert rules.risk_rating(harm=2, spread=2).level == "Medium"
    assert rules.risk_rating(harm=3, spread=2).words == "High risk: high harm, spreading"
    assert rules.risk_rating(harm=3, spread=3).level == "Very high"
    assert rules.risk_rating(harm=3, spread=3).detail == "high harm, widely spread"
    assert rules.risk_rating(harm=9, spread=0).score == 3  # clipped to 1-3


def test_spread_level():
    assert rules.spread_level(sightings=1, wards=1, max_reach=1) == 1
    assert rules.spread_level(sightings=3, wards=1, max_reach=1) == 2
    assert rules.spread_level(sightings=2, wards=4, max_reach=1) == 3
    assert rules.spread_level(sightings=1, wards=1, max_reach=4) == 3


def test_surge_check():
    assert rules.surge_check(current=4, baseline=[0, 0, 1, 0]).raised
    assert not rules.surge_check(current=2, baseline=[0, 0, 0, 0]).raised  # too few to say
    assert not rules.surge_check(current=5, baseline=[4, 6, 5, 5]).raised  # usual level
    assert rules.surge_check(current=15, baseline=[4, 6, 5, 5]).raised
    assert rules.surge_check(current=0, baseline=[]).p_value == 1.0
    with pytest.raises(ValueError):
        rules.surge_check(current=-1, baseline=[0])


def test_week_start_and_fingerprint():
    assert rules.week_start(date(2026, 3, 8)) == date(2026, 3, 2)
    a = rules.report_fingerprint(text="The Mosque is CLOSING!!", ward_code="e05000001", channel="x")
    b = rules.report_fingerprint(
        text="  the mosque is closing ", ward_code="E05000001", channel="x"
    )
    c = rules.report_fingerprint(
        text="the mosque is closing", ward_code="E05000001", channel="facebook"
    )
    assert a == b != c


def test_bar_chart_geometry():
    c = chart.bar_chart(title="t", bars=[("a", 0), ("b", 3), ("c", 6)])
    assert [b.value for b in c.bars] == [0, 3, 6]
    assert c.bars[0].height == 0 and c.bars[2].height > c.bars[1].height
    assert [t.label for t in c.y_ticks] == ["0", "2", "4", "6", "8"]
    assert c.bars[2].y == c.y_ticks[3].y  # 6 is level with its gridline
    assert [t.label for t in chart.bar_chart(title="t", bars=[("a", 1)]).y_ticks] == [
        "0",
        "1",
        "2",
        "3",
        "4",
    ]
    assert chart.bar_chart(title="t", bars=[("a", 130)]).y_ticks[-1].label == "200"
    assert "9 sightings over 3 weeks" in c.description
    assert chart.bar_chart(title="t", bars=[]).description == "No sightings in these weeks."
    with pytest.raises(ValueError):
        chart.bar_chart(title="t", bars=[("a", -1)])
