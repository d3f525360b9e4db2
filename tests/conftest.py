from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from cohesion.core.models import Role, User
from tests.factories import (
    MeasureFactory,
    ObservationFactory,
    OrganisationFactory,
    PriorityFactory,
    StrategyFactory,
    UserFactory,
    WardFactory,
)

SQUARE = 0.01


def square(x: int, y: int) -> dict:
    x0, y0 = -2.2 + x * SQUARE, 53.0 + y * SQUARE
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x0 + SQUARE, y0], [x0 + SQUARE, y0 + SQUARE], [x0, y0 + SQUARE], [x0, y0]]],
    }


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(role: str = Role.OFFICER, **kwargs: object) -> User:
        extra = {"is_staff": True, "is_superuser": True} if role == Role.ADMIN else {}
        return UserFactory(role=role, **extra, **kwargs)

    return make


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.OFFICER)


@pytest.fixture
def officer_client(officer: User) -> Client:
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def strategy_data(db: None) -> dict:
    """A small strategy: 2 priorities, a city measure with figures and a ward count measure."""
    strategy = StrategyFactory()
    p1 = PriorityFactory(strategy=strategy, number=1, slug="taking-part", title="Taking part")
    p2 = PriorityFactory(strategy=strategy, number=2, slug="tensions", title="Spotting tensions early")
    wards = [WardFactory(code=f"E0500000{i}", name=f"Ward {chr(65 + i)}", boundary=square(i % 2, i // 2)) for i in range(4)]
    belong = MeasureFactory(slug="feel-they-belong", title="People who feel they belong")
    belong.priorities.set([p1])
    for year, value in [(2025, 53.0), (2026, 55.0)]:
        ObservationFactory(
            measure=belong, period_start=date(year - 1, 4, 1), period_end=date(year, 3, 31),
            period_label=f"{year - 1}/{year % 100}", value=value, numerator=value * 10, denominator=1000, sample_size=1000,
        )
    grants = MeasureFactory(
        slug="grants", title="Grants awarded", kind="count", unit="grants", level="ward",
        baseline_value=0, baseline_date=date(2025, 12, 31), target_value=40, target_date=date(2027, 3, 31),
        frequency="quarterly",
    )
    grants.priorities.set([p2])
    for ward, count in zip(wards, [12, 3, 9, 7], strict=True):
        ObservationFactory(measure=grants, ward=ward, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), period_label="2026 Q1", value=count)
    ObservationFactory(measure=grants, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), period_label="2026 Q1", value=31)
    from cohesion.strategy.services import measures_assess

    measures_assess(measures=[belong, grants])
    org = OrganisationFactory(name="Police", slug="police", type="police")
    return {"strategy": strategy, "priorities": [p1, p2], "wards": wards, "belong": belong, "grants": grants, "org": org}
