from datetime import date

import pytest

from cohesion.strategy.periods import PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("2025-Q2", date(2025, 4, 1), date(2025, 6, 30), "2025 Q2"),
        ("2025q4", date(2025, 10, 1), date(2025, 12, 31), "2025 Q4"),
        ("2025/26", date(2025, 4, 1), date(2026, 3, 31), "2025/26"),
        ("1999/00", date(1999, 4, 1), date(2000, 3, 31), "1999/00"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "Feb 2024"),
        ("2025-06-30", date(2025, 6, 30), date(2025, 6, 30), "30 Jun 2025"),
    ],
)
def test_periods_people_write_are_understood(text: str, start: date, end: date, label: str) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize(("text", "message"), [("", "Enter the period"), ("2025-13", "not a real date"), ("2025/27", "financial year"), ("soon", "not a period we understand"), ("2025-02-30", "not a real date")])
def test_bad_periods_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        parse_period(text)
