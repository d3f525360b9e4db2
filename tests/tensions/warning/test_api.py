"""The contract the tensions app relies on: city_alarms and series_band."""

from __future__ import annotations

import numpy as np
import pytest

from cohesion.tensions.warning import Alarm, Band, choose_method, city_alarms, series_band

N = 4
WARDS = [f"W{i}" for i in range(N * N)]
# a 4 x 4 grid of wards: W0 W1 W2 W3 / W4 W5 W6 W7 / ...
ADJ = {
    f"W{r * N + c}": [
        f"W{rr * N + cc}"
        for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
        if 0 <= rr < N and 0 <= cc < N
    ]
    for r in range(N)
    for c in range(N)
}
CATS = ["online", "protest"]


def _city(rng: np.random.Generator, weeks: int = 160, mean: float = 2.0) -> np.ndarray:
    return rng.poisson(mean, size=(weeks, len(WARDS), len(CATS)))


def test_single_ward_spike_gives_a_ward_alarm_with_a_reproducible_record():
    rng = np.random.default_rng(1)
    X = _city(rng)
    X[-1, 4, 0] += 14
    alarms = city_alarms(X, wards=WARDS, categories=CATS, adjacency=ADJ, scan_replicates=199)
    ward = [a for a in alarms if a.kind == "ward" and a.wards == ("W4",) and a.category == "online"]
    assert len(ward) == 1
    a = ward[0]
    assert isinstance(a, Alarm)
    assert a.observed == X[-1, 4, 0]
    assert a.expected < a.threshold < a.observed
    assert a.method == "seasonal_regression"
    assert a.parameters["settings"]["harmonics"] == 2
    assert a.parameters["years_back"] == 3  # 160 weeks: as many whole years as there are
    assert a.parameters["window_weeks"] == 1
    assert a.parameters["series_weeks"] == 160
    assert a.p_value is not None and a.p_value < 0.01


def test_rise_spread_over_neighbours_is_found_by_the_scan_when_no_ward_alarms():
    rng = np.random.default_rng(3)
    X = _city(rng, mean=3.0)
    # +4 in each of W5, W6, W9 (neighbours) in each of the last three weeks
    planted = {"W5", "W6", "W9"}
    for w in planted:
        X[-3:, int(w[1:]), 1] += 4
    alarms = city_alarms(X, wards=WARDS, categories=CATS, adjacency=ADJ, scan_replicates=999)
    clusters = [a for a in alarms if a.kind == "cluster" and a.category == "protest"]
    assert clusters, alarms
    found = set(clusters[0].wards)
    assert len(found & planted) >= 2 and len(found - planted) <= 1
    assert clusters[0].method == "space_time_scan"
    assert clusters[0].parameters["replicates"] == 999
    assert clusters[0].observed > clusters[0].threshold > clusters[0].expected


def test_calm_city_gives_few_alarms():
    rng = np.random.default_rng(3)
    X = _city(rng)
    alarms = city_alarms(X, wards=WARDS, categories=CATS, adjacency=ADJ, scan_replicates=199)
    # 32 ward series + 2 citywide + 2 scans at alpha 0.01: expect well under 2
    assert len(alarms) <= 2


def test_citywide_rise_gives_a_city_alarm():
    rng = np.random.default_rng(4)
    X = _city(rng)
    X[-1, :, 0] += 2  # every ward a little up
    alarms = city_alarms(X, wards=WARDS, categories=CATS, adjacency=ADJ, scan_replicates=0)
    city = [a for a in alarms if a.kind == "city"]
    assert [a.category for a in city] == ["online"]
    assert city[0].wards == ()
    assert city[0].observed == X[-1, :, 0].sum()


def test_scan_is_reproducible_with_the_seed():
    rng = np.random.default_rng(2)
    X = _city(rng, mean=3.0)
    X[-1, 0, 0] += 9
    a = city_alarms(X, wards=WARDS, categories=CATS, adjacency=ADJ, seed=7, scan_replicates=99)
    b = city_alarms(X, wards=WARDS, categories=CATS, adjacency=ADJ, seed=7, scan_replicates=99)
    assert a == b or all(x.p_value == y.p_value for x, y in zip(a, b, strict=True))


def test_all_zero_and_short_series_do_not_crash_and_say_why():
    X = np.zeros((120, len(WARDS), len(CATS)), dtype=int)
    assert city_alarms(X, wards=WARDS, categories=CATS, adjacency=ADJ) == []
    band = series_band(np.zeros(120))
    assert band.method == "none"
    assert "no reports" in band.parameters["reason"]
    assert not band.alarm.any()
    short = series_band(np.array([1, 0, 2]))
    assert short.method == "none" and "too short" in short.parameters["reason"]


def test_gap_of_months_is_skipped_not_mistaken_for_calm():
    rng = np.random.default_rng(6)
    y = rng.poisson(6.0, size=200).astype(float)
    y[150:180] = 0  # a missing import: 30 weeks without reports
    choice = choose_method(y[:-1])
    assert choice.start == 180
    assert "gap of 30 weeks" in choice.reason
    band = series_band(y, last=10)
    assert band.method == "ears_c2"
    assert band.parameters["first_week_used"] == 180
    # the expected level comes from the weeks after the gap, not dragged down by its zeros
    assert np.all(band.expected > 3.5)


def test_series_band_draws_expected_and_threshold_for_each_week():
    rng = np.random.default_rng(8)
    y = rng.poisson(4.0, size=300).astype(float)
    y[-3] += 20
    band = series_band(y, last=52)
    assert isinstance(band, Band)
    assert band.expected.shape == band.threshold.shape == band.alarm.shape == (52,)
    assert band.method == "seasonal_regression"
    assert np.all(np.isfinite(band.threshold))  # each week uses as many years as it has
    assert band.alarm[-3]
    assert np.all(band.threshold >= band.expected)
    assert band.alarm.sum() <= 3


@pytest.mark.parametrize(
    "method",
    ["farrington_noufaily", "farrington_1996", "ears_c1", "ears_c2", "ears_c3", "nb_cusum"],
)
def test_series_band_with_each_method_flags_a_spike(method):
    rng = np.random.default_rng(9)
    y = rng.poisson(5.0, size=300).astype(float)
    y[-1] += 25
    band = series_band(y, last=5, method=method)
    assert band.method == method
    assert band.alarm[-1]


def test_bad_input_is_refused_with_a_clear_message():
    X = np.ones((60, len(WARDS), len(CATS)), dtype=int)
    kw = {"wards": WARDS, "categories": CATS, "adjacency": ADJ}
    bad = X.astype(float)
    bad[3, 1, 1] = -1
    with pytest.raises(ValueError, match="negative"):
        city_alarms(bad, **kw)
    bad[3, 1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        city_alarms(bad, **kw)
    with pytest.raises(ValueError, match="3 dimension"):
        city_alarms(X[:, :, 0], **kw)
    with pytest.raises(ValueError, match="wards"):
        city_alarms(X, wards=WARDS[:-1], categories=CATS, adjacency=ADJ)
    with pytest.raises(ValueError, match="'W99'"):
        city_alarms(X, wards=WARDS, categories=CATS, adjacency={"W0": ["W99"]})
    with pytest.raises(ValueError, match="whole numbers"):
        series_band(np.array([1.5] * 20))
    with pytest.raises(ValueError, match="unknown method"):
        series_band(np.ones(20), method="magic")
    with pytest.raises(ValueError, match="alpha"):
        series_band(np.ones(20), alpha=2)


def test_a_rise_over_two_weeks_is_caught_when_neither_week_alone_is_unusual():
    weeks = 600
    calm = np.full((weeks, 1, 1), 10)  # 10 reports every week: the expected count is 10

    def alarms(last_two: tuple[int, int]) -> list[Alarm]:
        X = calm.copy()
        X[-2:, 0, 0] = last_two
        return [
            a
            for a in city_alarms(
                X, wards=["W0"], categories=["online"], adjacency={}, scan_replicates=0
            )
            if a.kind == "ward"
        ]

    # 17 when 10 are expected: P(Y >= 17) ~ 0.027, not unusual for one week ...
    assert alarms((10, 17)) == []
    # ... but 34 in two weeks when 20 are expected is (P ~ 0.002)
    (two,) = alarms((17, 17))
    assert two.method == "seasonal_regression"
    assert two.parameters["window_weeks"] == 2
    assert two.observed == 34 and abs(two.expected - 20) < 0.5
    assert two.expected < two.threshold < two.observed
    # a sharp rise in one week alarms on that week alone
    (one,) = alarms((10, 25))
    assert one.parameters["window_weeks"] == 1 and one.observed == 25
    # last week's alarm is not reported again through the two-week sum
    assert alarms((25, 10)) == []
