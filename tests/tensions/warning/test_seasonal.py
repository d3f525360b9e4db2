"""The seasonal regression's tests, given the expected counts (``seasonal.judge``): what decides
an alarm once the baseline is known."""

from __future__ import annotations

import numpy as np
from scipy import stats

from cohesion.tensions.warning.seasonal import ONE_WEEK_SHARE, TWO_WEEK_SHARE, judge


def _judge(recent: list[list[float]], mu: list[tuple[float, float]], phi: float = 2.0, **kw):
    """recent: each row is the last 5 weeks, oldest first; the judged week is the last."""
    series = np.array(recent, dtype=float)
    weeks = np.full(len(series), series.shape[1] - 1)
    return judge(series, weeks, np.array(mu), np.full(len(series), phi), **kw)


def test_one_week_alarm_is_the_negative_binomial_tail_below_its_share_of_alpha() -> None:
    mu, phi = 4.0, 2.0
    size, p = mu / (phi - 1.0), 1.0 / phi
    # The smallest count whose tail P(Y >= y) is below the one-week test's share of alpha.
    first = next(y for y in range(60) if stats.nbinom.sf(y - 1, size, p) < ONE_WEEK_SHARE * 0.01)
    rows = [[4, 4, 4, 4, y] for y in (first - 1, first)]
    result = _judge(rows, [(mu, mu)] * 2, phi)
    assert result.alarm.tolist() == [False, True]
    assert result.window_weeks[1] == 1
    assert result.observed[1] == first
    assert result.expected[1] == mu
    assert result.p_value[1] < ONE_WEEK_SHARE * 0.01 <= result.p_value[0]


def test_a_rise_over_two_weeks_alarms_on_the_two_week_test_when_neither_week_does() -> None:
    mu, phi = 4.0, 2.0
    size, p = mu / (phi - 1.0), 1.0 / phi
    one_week = ONE_WEEK_SHARE * 0.01
    # Each week below the one-week threshold, their sum beyond the two-week one.
    y = max(v for v in range(60) if stats.nbinom.sf(v - 1, size, p) >= one_week)
    assert stats.nbinom.sf(2 * y - 1, 2 * size, p) < TWO_WEEK_SHARE * 0.01
    result = _judge([[4, 4, 4, y, y]], [(mu, mu)], phi)
    assert result.alarm.tolist() == [True]
    assert result.window_weeks[0] == 2
    assert result.observed[0] == 2 * y
    assert result.expected_window[0] == 2 * mu
    # Without the two-week test's share of alpha, the same weeks give no alarm.
    assert not _judge([[4, 4, 4, y, y]], [(mu, mu)], phi, shares=(ONE_WEEK_SHARE, 0.0)).alarm[0]


def test_last_week_alarming_on_its_own_is_not_reported_again_as_a_two_week_rise() -> None:
    mu = 4.0
    result = _judge([[4, 4, 4, 40, 8]], [(mu, mu)])
    assert not result.alarm[0]


def test_no_alarm_with_fewer_than_5_reports_in_the_last_4_weeks() -> None:
    # 2 reports where about 0.1 are expected is very unusual, but too few to act on.
    low = _judge([[0, 0, 0, 0, 2], [0, 1, 1, 1, 2]], [(0.1, 0.1)] * 2, phi=1.0)
    assert low.p_value[0] < 0.01
    assert low.alarm.tolist() == [False, True]


def test_no_alarm_where_there_is_no_expected_count() -> None:
    result = _judge([[9, 9, 9, 9, 90]], [(np.nan, np.nan)])
    assert not result.alarm[0]
