from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohesion.core.models import Ward
from cohesion.core.services import wards_load


class Command(BaseCommand):
    help = "Load ward boundaries from a GeoJSON FeatureCollection and work out which wards touch."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--vintage", required=True, help='For example "2011–2023 ward boundaries"'
        )
        parser.add_argument("--code-property", default="WD13CD")
        parser.add_argument("--name-property", default="WD13NM")
        parser.add_argument(
            "--replace",
            action="store_true",
            help=(
                "The file holds every ward of new boundaries: wards not in it are marked no longer "
                "in use (their reports and figures are kept; new records use the new wards)"
            ),
        )

    def handle(
        self,
        *args: Any,
        path: Path,
        vintage: str,
        code_property: str,
        name_property: str,
        replace: bool,
        **options: Any,
    ) -> None:
        if not path.exists():
            raise CommandError(f"There is no file at {path}")
        in_use = dict(Ward.objects.filter(in_use=True).values_list("code", "name"))
        try:
            wards = wards_load(
                geojson=path.read_bytes(),
                vintage=vintage,
                code_property=code_property,
                name_property=name_property,
                replace=replace,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(wards)} wards"))
        loaded = {w.code for w in wards}
        missing = sorted(name for code, name in in_use.items() if code not in loaded)
        if not missing:
            return
        names = ", ".join(missing)
        one = len(missing) == 1
        if replace:
            self.stdout.write(
                f"{len(missing)} {'ward is' if one else 'wards are'} no longer in use: {names}. "
                "Their reports, figures and levels are kept; new records use the new wards."
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(missing)} {'ward' if one else 'wards'} in use {'is' if one else 'are'} "
                    f"not in this file: {names}. If the file holds new boundaries for the whole "
                    "area, load it again with --replace."
                )
            )
