from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohesion.core.services import wards_load


class Command(BaseCommand):
    help = "Load ward boundaries from a GeoJSON FeatureCollection and work out which wards touch."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--vintage", required=True, help='For example "2011–2023 ward boundaries"')
        parser.add_argument("--code-property", default="WD13CD")
        parser.add_argument("--name-property", default="WD13NM")

    def handle(self, *args: Any, path: Path, vintage: str, code_property: str, name_property: str, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"There is no file at {path}")
        try:
            wards = wards_load(geojson=path.read_bytes(), vintage=vintage, code_property=code_property, name_property=name_property)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(wards)} wards"))
