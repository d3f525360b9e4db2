"""Remove personal details from tension reports older than the retention period.

Run it once a day from cron: ``manage.py tensions_retention``. Counts are kept, so the statistics
and the alerts do not change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohesion.core.commands import add_today_option
from cohesion.tensions.services import reports_redact


class Command(BaseCommand):
    help = "Remove personal details from tension reports older than the retention period."

    def add_arguments(self, parser: Any) -> None:
        add_today_option(parser)
        parser.add_argument(
            "--days", type=int, help="Retention period in days (default: the tension settings)"
        )

    def handle(
        self, *args: Any, today: date | None = None, days: int | None = None, **options: Any
    ) -> None:
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more")
        count = reports_redact(today=today, days=days, via="command")
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed personal details from {count} report{'s' if count != 1 else ''}."
            )
        )
