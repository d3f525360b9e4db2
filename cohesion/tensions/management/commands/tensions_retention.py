"""Remove personal details from tension reports older than the retention period.

Run it once a day from cron: ``manage.py tensions_retention``. Counts are kept, so the statistics
and the alerts do not change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohesion.tensions.services import reports_redact


class Command(BaseCommand):
    help = "Remove personal details from tension reports older than the retention period."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--today", help="Act as if today were this date (YYYY-MM-DD), for testing"
        )
        parser.add_argument(
            "--days", type=int, help="Retention period in days (default: the tension settings)"
        )

    def handle(
        self, *args: Any, today: str | None = None, days: int | None = None, **options: Any
    ) -> None:
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError("Give --today as YYYY-MM-DD") from exc
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more")
        count = reports_redact(today=day, days=days, via="command")
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed personal details from {count} report{'s' if count != 1 else ''}."
            )
        )
