"""Check every claim and ward seen in the last 7 days for a sudden rise (run daily)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohesion.rumours.services import alerts_sweep


class Command(BaseCommand):
    help = "Raise alerts (and email officers) for sudden rises in rumour sightings."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD)")

    def handle(self, *args: Any, today: str | None = None, **options: Any) -> None:
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError("Give --today as YYYY-MM-DD") from exc
        alerts = alerts_sweep(today=day)
        for alert in alerts:
            self.stdout.write(alert.message)
        self.stdout.write(
            self.style.SUCCESS(f"{len(alerts)} new alert{'s' if len(alerts) != 1 else ''}.")
        )
