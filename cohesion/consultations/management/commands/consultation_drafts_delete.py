"""Delete answers that were saved but never sent, 30 days after their consultation closed.

They were never counted and can hold personal details. Run it daily from cron.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cohesion.consultations import services


class Command(BaseCommand):
    help = "Delete saved-but-never-sent answers some days after each consultation closed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=services.DRAFT_RETENTION_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = services.drafts_delete(days=options["days"])
        self.stdout.write(f"Deleted {deleted} unsent responses.")
