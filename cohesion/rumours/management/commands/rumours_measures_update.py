"""Write this quarter's figures for the rumour measures (claims rebutted; days to rebuttal)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohesion.core.commands import add_today_option
from cohesion.rumours.services import rumours_measures_update
from cohesion.strategy.services import ObservationError


class Command(BaseCommand):
    help = "Update the strategy measures fed by the rumour desk (run daily, or after publishing)."

    def add_arguments(self, parser: Any) -> None:
        add_today_option(parser)

    def handle(self, *args: Any, today: date | None = None, **options: Any) -> None:
        try:
            outcome = rumours_measures_update(today=today, via="command")
        except ObservationError as exc:
            raise CommandError(str(exc)) from exc
        for name, obs in (
            ("Claims rebutted", outcome.rebutted),
            ("Days to rebuttal", outcome.days),
        ):
            self.stdout.write(
                f"{name}: {obs.value:g} ({obs.period_label})"
                if obs
                else f"{name}: no figure written"
            )
