"""Writes for places: loading wards and their neighbours from a GeoJSON file."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from . import geo
from .audit import audit_record
from .models import AuditEvent, User, Ward


@transaction.atomic
def wards_load(
    *,
    geojson: str | bytes | dict,
    vintage: str,
    code_property: str = "WD13CD",
    name_property: str = "WD13NM",
    populations: Mapping[str, int] | None = None,
    actor: User | None = None,
) -> list[Ward]:
    """Create or update wards from GeoJSON and recompute which wards are neighbours.

    Raises ValueError (from the geo module) naming the feature that is wrong; nothing is saved then.
    """
    shapes = geo.read_wards(geojson=geojson, code_property=code_property, name_property=name_property)
    populations = populations or {}
    wards: dict[str, Ward] = {}
    for shape in shapes:
        ward, created = Ward.objects.update_or_create(
            code=shape.code,
            defaults={
                "name": shape.name,
                "boundary": shape.geometry,
                "boundary_vintage": vintage,
                **({"population": populations[shape.code]} if shape.code in populations else {}),
            },
        )
        wards[shape.code] = ward
    adjacency = geo.compute_adjacency(wards=shapes)
    for code, ward in wards.items():
        ward.neighbours.set([wards[c] for c in adjacency.get(code, set()) if c in wards])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        object_type="core.ward",
        object_repr=f"{len(wards)} wards ({vintage})",
        changes={"codes": sorted(wards)},
        via="command",
    )
    return list(wards.values())
