"""Loading wards from GeoJSON with their neighbours, and what bad files get."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cohesion.core.models import AuditEvent, Ward
from tests.conftest import square

DEMO = Path(__file__).resolve().parents[2] / "demo" / "stoke_wards_2011_WD13.geojson"


def feature(code: str, name: str, x: int, y: int) -> dict:
    return {"type": "Feature", "properties": {"WD13CD": code, "WD13NM": name}, "geometry": square(x, y)}


def test_wards_and_neighbours_load_from_geojson(db: None, tmp_path: Path) -> None:
    grid = {"type": "FeatureCollection", "features": [feature("E05000001", "North West", 0, 1), feature("E05000002", "North East", 1, 1), feature("E05000003", "South West", 0, 0), feature("E05000004", "South East", 1, 0)]}
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps(grid))
    call_command("load_wards", str(path), vintage="test boundaries")
    nw = Ward.objects.get(code="E05000001")
    assert nw.boundary_vintage == "test boundaries"
    assert {w.name for w in nw.neighbours.all()} == {"North East", "South West"}  # not the corner-only one
    assert AuditEvent.objects.filter(action="import", object_type="core.ward").exists()


def test_the_stoke_wards_load_with_every_ward_joined_up(db: None) -> None:
    call_command("load_wards", str(DEMO), vintage="2011–2023 ward boundaries")
    assert Ward.objects.count() == 37
    assert all(w.neighbours.exists() for w in Ward.objects.all())


def test_a_bad_file_is_refused_and_nothing_changes(db: None, tmp_path: Path) -> None:
    Ward.objects.create(code="E05000001", name="Existing")
    bad = {"type": "FeatureCollection", "features": [feature("E05000001", "Renamed", 0, 0), {"type": "Feature", "properties": {"WD13CD": "E05000002"}, "geometry": square(1, 0)}]}
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(bad))
    with pytest.raises(CommandError, match="feature 2"):
        call_command("load_wards", str(path), vintage="x")
    assert list(Ward.objects.values_list("name", flat=True)) == ["Existing"]
    with pytest.raises(CommandError, match="There is no file"):
        call_command("load_wards", str(tmp_path / "missing.geojson"), vintage="x")
