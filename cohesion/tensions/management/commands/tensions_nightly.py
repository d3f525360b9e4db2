"""Run the early warning over all tension reports. Run it every night from cron:
``manage.py tensions_nightly`` (or queue it as a task with ``--queue``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from cohesion.core.commands import add_today_option
from cohesion.tensions.services import earlywarning_run


class Command(BaseCommand):
    help = "Look for unusual rises in tension reports this week and raise alerts (run nightly)."

    def add_arguments(self, parser: Any) -> None:
        add_today_option(parser)
        parser.add_argument(
            "--queue", action="store_true", help="Queue the run for the background worker instead"
        )

    def handle(
        self, *args: Any, today: date | None = None, queue: bool = False, **options: Any
    ) -> None:
        if queue:
            from cohesion.tensions.tasks import earlywarning_task

            earlywarning_task.enqueue()
            self.stdout.write("The early-warning run is queued.")
            return
        alerts = earlywarning_run(today=today, via="command")
        self.stdout.write(
            self.style.SUCCESS(f"{len(alerts)} new alert{'s' if len(alerts) != 1 else ''}.")
        )
        for alert in alerts:
            self.stdout.write(f"- {alert.sentence}")
