"""Shared options for the management commands that cron runs."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"“{value}” is not a date: give it as YYYY-MM-DD, for example 2026-11-24"
        ) from exc


def add_today_option(parser: Any) -> None:
    """``--today YYYY-MM-DD``: act as if today were that date (for testing and catching up)."""
    parser.add_argument(
        "--today", type=iso_date, help="Act as if today were this date (YYYY-MM-DD), for testing"
    )
