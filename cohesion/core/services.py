"""Writes shared by every app: audited create / update / delete of any record; and places: loading
wards and their neighbours from a GeoJSON file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models, transaction

from . import geo
from .audit import audit_record, diff, snapshot
from .models import AuditEvent, User, Ward

# ---------------------------------------------------------------------------------------------
# Generic audited create / update / delete (the strategy and assembly pages use these)


def record_create(
    *, obj: models.Model, actor: User | None, via: str = "web", exclude: Iterable[str] = ()
) -> models.Model:
    """Validate and save a new record, and audit it with its fields (less ``exclude``)."""
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=obj,
        changes=snapshot(obj, exclude=exclude),
        via=via,
    )
    return obj


def record_update(
    *, obj: models.Model, before: Mapping[str, Any], actor: User | None, via: str = "web"
) -> models.Model:
    """Validate and save a changed record; audit the fields that changed since ``before``."""
    obj.full_clean()
    obj.save()
    changes = diff(before, snapshot(obj))
    if changes:
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=obj, changes=changes, via=via
        )
    return obj


def record_fields_update(
    *,
    obj: models.Model,
    fields: Mapping[str, Any],
    actor: User | None,
    via: str = "web",
    snapshot_of: Callable[[Any], dict[str, Any]] = snapshot,
) -> models.Model:
    """Set ``fields`` on a record, save only those, and audit what changed. ``snapshot_of``
    gives the record as the audit log sees it (a model may keep personal data out of it)."""
    before = snapshot_of(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(fields))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=obj,
        changes=diff(before, snapshot_of(obj)),
        via=via,
    )
    return obj


def record_delete(*, obj: models.Model, actor: User | None, via: str = "web") -> None:
    """Audit a record with its fields as they were, then delete it."""
    before = snapshot(obj)
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=obj, changes=before, via=via)
    obj.delete()


# ---------------------------------------------------------------------------------------------
# Places


@transaction.atomic
def wards_load(
    *,
    geojson: str | bytes | dict,
    vintage: str,
    code_property: str = "WD13CD",
    name_property: str = "WD13NM",
    populations: Mapping[str, int] | None = None,
    actor: User | None = None,
    replace: bool = False,
) -> list[Ward]:
    """Create or update wards from GeoJSON and recompute which wards are neighbours.

    ``replace``: the file holds every ward of new boundaries, so wards not in it are marked no
    longer in use (``in_use``). They are never deleted: their reports, figures and levels stay,
    and the statistics keep counting them; new records can only use the wards in use.

    Raises ValueError (from the geo module) naming the feature that is wrong; nothing is saved then.
    """
    shapes = geo.read_wards(
        geojson=geojson, code_property=code_property, name_property=name_property
    )
    populations = populations or {}
    wards: dict[str, Ward] = {}
    for shape in shapes:
        ward, created = Ward.objects.update_or_create(
            code=shape.code,
            defaults={
                "name": shape.name,
                "boundary": shape.geometry,
                "boundary_vintage": vintage,
                "in_use": True,
                **({"population": populations[shape.code]} if shape.code in populations else {}),
            },
        )
        wards[shape.code] = ward
    adjacency = geo.compute_adjacency(wards=shapes)
    for code, ward in wards.items():
        ward.neighbours.set([wards[c] for c in adjacency.get(code, set()) if c in wards])
    retired: list[str] = []
    if replace:
        gone = Ward.objects.filter(in_use=True).exclude(code__in=list(wards))
        retired = sorted(gone.values_list("code", flat=True))
        gone.update(in_use=False)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        object_type="core.ward",
        object_repr=f"{len(wards)} wards ({vintage})",
        changes={"codes": sorted(wards), "no_longer_in_use": retired},
        via="command",
    )
    return list(wards.values())


def ward_replaced_message(ward: Ward) -> str:
    """What to fix when a new record names a ward that new boundaries replaced."""
    return (
        f"{ward.name} is no longer a ward since the ward boundaries changed: "
        "choose the ward the place is in now"
    )


def ward_for_new_record(code: str) -> tuple[Ward | None, str]:
    """The ward with this ONS code for a new report (API), or None and what to fix: the code is
    unknown, or the ward was replaced by new boundaries."""
    code = code.strip().upper()[:20]
    ward = Ward.objects.filter(code=code).first()
    if ward is None:
        return None, f"There is no ward with the code {code}"
    if not ward.in_use:
        return None, ward_replaced_message(ward)
    return ward, ""
