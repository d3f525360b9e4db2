"""Reading reporting periods such as "2025", "2025-Q2", "2025-06" or "2025-06-30"."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})[- ]?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def month_year(day: date) -> str:
    """"March 2030", the same in every locale (no strftime)."""
    return f"{MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str


class PeriodError(ValueError):
    pass


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> Period:
    """Turn a period written by a person into its first and last day.

    Accepted: a year ("2025"), a quarter ("2025-Q2"), a financial year ("2025/26", April to March),
    a month ("2025-06") or a single day ("2025-06-30").
    """
    raw = (text or "").strip()
    if not raw:
        raise PeriodError("Enter the period, for example 2025, 2025-Q2, 2025/26, 2025-06 or 2025-06-30")
    try:
        if m := _YEAR.match(raw):
            year = int(m[1])
            return Period(date(year, 1, 1), date(year, 12, 31), str(year))
        if m := _QUARTER.match(raw):
            year, quarter = int(m[1]), int(m[2])
            first_month = 3 * (quarter - 1) + 1
            return Period(
                date(year, first_month, 1),
                _month_end(year, first_month + 2),
                f"{year} Q{quarter}",
            )
        if m := _FINANCIAL_YEAR.match(raw):
            year, short_next = int(m[1]), int(m[2])
            if (year + 1) % 100 != short_next:
                raise PeriodError(f"“{raw}” is not a financial year: write it like 2025/26")
            return Period(date(year, 4, 1), date(year + 1, 3, 31), f"{year}/{short_next:02d}")
        if m := _MONTH.match(raw):
            year, month = int(m[1]), int(m[2])
            start = date(year, month, 1)
            return Period(start, _month_end(year, month), start.strftime("%b %Y"))
        if m := _DAY.match(raw):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return Period(day, day, day.strftime("%-d %b %Y"))
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"“{raw}” is not a real date") from exc
    raise PeriodError(
        f"“{raw[:40]}” is not a period we understand: write it like 2025, 2025-Q2, 2025/26, "
        "2025-06 or 2025-06-30"
    )
