"""Delete volunteers' contact details once an assembly's retention period is over.

Run it once a day, either from cron (``manage.py assembly_retention``, which does the work at
once) or, where a task worker runs (``manage.py db_worker``), with ``--enqueue`` to queue the
same work as the task ``cohesion.assembly.tasks.assembly_retention_task``. The anonymous labels,
answers and selection records are kept.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohesion.assembly.services import contact_details_delete
from cohesion.core.commands import add_today_option


class Command(BaseCommand):
    help = "Delete volunteers' contact details for assemblies past their deletion date."

    def add_arguments(self, parser: Any) -> None:
        add_today_option(parser)
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the work for the task worker instead of doing it now",
        )

    def handle(
        self, *args: Any, today: date | None = None, enqueue: bool = False, **options: Any
    ) -> None:
        if enqueue:
            if today:
                raise CommandError(
                    "--today cannot be used with --enqueue: the task uses today's date"
                )
            from cohesion.assembly.tasks import assembly_retention_task

            result = assembly_retention_task.enqueue()
            self.stdout.write(
                self.style.SUCCESS(f"Queued the contact-details deletion (task {result.id}).")
            )
            return
        count = contact_details_delete(today=today, via="command")
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted the contact details of {count} volunteer{'s' if count != 1 else ''}."
            )
        )
