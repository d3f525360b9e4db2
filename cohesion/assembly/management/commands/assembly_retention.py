"""Delete volunteers' contact details once an assembly's retention period is over.

Run it once a day (for example from cron: ``manage.py assembly_retention``). The anonymous labels,
answers and selection records are kept.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohesion.assembly.services import contact_details_delete


class Command(BaseCommand):
    help = "Delete volunteers' contact details for assemblies past their deletion date."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD), for testing")

    def handle(self, *args: Any, today: str | None = None, **options: Any) -> None:
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError("Give --today as YYYY-MM-DD") from exc
        count = contact_details_delete(today=day, via="command")
        self.stdout.write(self.style.SUCCESS(f"Deleted the contact details of {count} volunteer{'s' if count != 1 else ''}."))
