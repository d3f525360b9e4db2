"""Remove personal data from rumour reports older than the retention period.

Run it once a day (for example from cron: ``manage.py rumours_retention``). The period is
``COHESION_RUMOURS_RETENTION_DAYS`` (default 365). The words of the rumour, its ward, channel and
date are kept; names, reporters' contact details and screenshots are deleted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from cohesion.core.commands import add_today_option
from cohesion.rumours.services import retention_days, sightings_redact


class Command(BaseCommand):
    help = "Remove names, contact details and screenshots from rumour reports past the retention period."

    def add_arguments(self, parser: Any) -> None:
        add_today_option(parser)

    def handle(self, *args: Any, today: date | None = None, **options: Any) -> None:
        count = sightings_redact(today=today, via="command")
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed personal data from {count} report{'s' if count != 1 else ''} older than {retention_days()} days."
            )
        )
