"""Check every claim and ward seen in the last 7 days for a sudden rise (run daily)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from cohesion.core.commands import add_today_option
from cohesion.rumours.services import alerts_sweep


class Command(BaseCommand):
    help = "Raise alerts (and email officers) for sudden rises in rumour sightings."

    def add_arguments(self, parser: Any) -> None:
        add_today_option(parser)

    def handle(self, *args: Any, today: date | None = None, **options: Any) -> None:
        alerts = alerts_sweep(today=today)
        for alert in alerts:
            self.stdout.write(alert.message)
        self.stdout.write(
            self.style.SUCCESS(f"{len(alerts)} new alert{'s' if len(alerts) != 1 else ''}.")
        )
