"""Load made-up tension reports, ward levels and alerts for the demo (after ``load_demo``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohesion.tensions.demo import demo_tensions_load
from cohesion.tensions.models import TensionReport


class Command(BaseCommand):
    help = "Load demo tension reports (a year and a half, with a planted rise), levels and alerts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if reports exist")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, if_empty: bool, seed: int, **options: Any) -> None:
        if TensionReport.objects.exists():
            if if_empty:
                self.stdout.write("The tension demo is already loaded.")
                return
            raise CommandError(
                "Tension reports are already loaded. Use a fresh database to reload the demo."
            )
        try:
            counts = demo_tensions_load(seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {counts['reports']:,} tension reports and {counts['levels']:,} ward levels; "
                f"{counts['alerts']} alerts raised."
            )
        )
