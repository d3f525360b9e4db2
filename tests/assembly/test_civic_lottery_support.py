"""Helpers the civic lottery tests share (and a test that they build what they say)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.core.cache import cache

from cohesion.assembly import services
from cohesion.assembly.models import Address, Assembly, Invitation, Question, Volunteer
from cohesion.core.models import Ward
from tests.factories import WardFactory

_uprn = itertools.count(100_000_000_001)


def make_wards(n: int = 4, populations: Sequence[int] | None = None) -> list[Ward]:
    populations = populations or [10_000] * n
    return [WardFactory(code=f"E0599{i:04d}", name=f"Test Ward {chr(65 + i)}", population=populations[i]) for i in range(n)]


def make_assembly(*, panel_size: int = 10, slug: str = "test-assembly", **kwargs: Any) -> Assembly:
    assembly = Assembly(name="Test Citizens’ Assembly", slug=slug, summary="To test the lottery.", panel_size=panel_size, **kwargs)
    return services.assembly_create(assembly=assembly, actor=None)


def make_addresses(assembly: Assembly, wards: Sequence[Ward], per_ward: int) -> list[Address]:
    rows = [
        Address(assembly=assembly, uprn=str(next(_uprn)), address=f"{i} Test Street, Stoke-on-Trent", postcode="ST1 1AA", ward=ward)
        for ward in wards
        for i in range(1, per_ward + 1)
    ]
    return Address.objects.bulk_create(rows)


def make_invitations(assembly: Assembly, n: int, seed: int = 7) -> list[Invitation]:
    draw = services.invitations_draw(assembly=assembly, n=n, seed=seed, boost_factor=1.0, boosted_wards=[], actor=None)
    return list(draw.invitations.select_related("address").order_by("code"))


def simple_answers(i: int) -> dict[str, str]:
    """Answers for volunteer number i: two quota questions, gender and age band, well mixed."""
    return {
        "gender": ["Woman", "Man"][i % 2],
        "age_band": services.AGE_BANDS[(i // 2) % 3],
    }


def register_volunteers(invitations: Sequence[Invitation], answers: Callable[[int], dict[str, str]] = simple_answers) -> list[Volunteer]:
    return [
        services.volunteer_register(invitation=inv, full_name=f"Resident {i}", email=f"resident{i}@example.org", phone="", answers=answers(i))
        for i, inv in enumerate(invitations)
    ]


def simple_quotas(assembly: Assembly) -> None:
    """Quotas on gender and the first three age bands (only those answers are used)."""
    k = assembly.panel_size
    Question.objects.filter(assembly=assembly, key="age_band").update(options=services.AGE_BANDS[:3])
    half = k // 2
    third = k // 3
    services.quotas_save(
        assembly=assembly,
        quotas=[
            services.QuotaInput("gender", "Woman", half - 1, half + 1),
            services.QuotaInput("gender", "Man", half - 1, half + 1),
            *[services.QuotaInput("age_band", band, third - 1, third + 2) for band in services.AGE_BANDS[:3]],
        ],
        actor=None,
    )


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def test_the_helpers_build_a_pool(db: None) -> None:
    wards = make_wards(2)
    assembly = make_assembly(panel_size=10)
    make_addresses(assembly, wards, 20)
    invitations = make_invitations(assembly, 30)
    volunteers = register_volunteers(invitations[:24])
    simple_quotas(assembly)
    assert len(volunteers) == 24
    assert assembly.quotas.count() == 5
    assert {v.label for v in volunteers} == {f"V{i:04d}" for i in range(1, 25)}
    assert Invitation.objects.filter(used_at__isnull=False).count() == 24
