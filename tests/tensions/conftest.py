from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from django.test import Client

from cohesion.core.models import Organisation, Role, User
from cohesion.tensions.models import TensionReport, week_start

TODAY = date(2026, 6, 17)  # a Wednesday


def report_kwargs(**overrides: Any) -> dict[str, Any]:
    base = {
        "summary": "Posts online blaming one community for a burglary",
        "category": "online",
        "community": "race",
        "impact": 2,
        "source_reliability": "2",
        "reporter_confidence": "3",
    }
    base.update(overrides)
    return base


@pytest.fixture
def tension_data(strategy_data: dict, make_user: Callable[..., User]) -> dict[str, Any]:
    wards = strategy_data["wards"]
    # The four test wards are a 2x2 grid: A-B, A-C, B-D, C-D touch.
    a, b, c, d = wards
    a.neighbours.add(b, c)
    d.neighbours.add(b, c)
    police = strategy_data["org"]
    school = Organisation.objects.create(name="A school", slug="a-school", type="school")
    partner = make_user(Role.PARTNER, organisation=police, email="pat@police.example")
    other_partner = make_user(Role.PARTNER, organisation=school)
    officer = make_user(Role.OFFICER, email="olu@council.example")
    councillor = make_user(Role.COUNCILLOR)
    return {
        "wards": wards,
        "police": police,
        "school": school,
        "partner": partner,
        "other_partner": other_partner,
        "officer": officer,
        "councillor": councillor,
    }


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plant_history(
    *,
    wards: list,
    today: date = TODAY,
    weeks: int = 60,
    rate: float = 0.3,
    seed: int = 1,
    rise: dict | None = None,
) -> int:
    """Quiet weekly online-tension reports in every ward for ``weeks`` weeks before this week, and
    ``rise`` = {ward: n} extra reports this week. Returns how many reports were made."""
    rng = np.random.default_rng(seed)
    current = week_start(today)
    rows = []
    for t in range(weeks, 0, -1):
        monday = current - timedelta(weeks=t)
        for ward in wards:
            for _ in range(int(rng.poisson(rate))):
                rows.append(
                    TensionReport(
                        ward=ward, occurred_on=monday + timedelta(days=2), **report_kwargs()
                    )
                )
    for ward in wards:
        for _ in range(int(rng.poisson(rate))):
            rows.append(TensionReport(ward=ward, occurred_on=current, **report_kwargs()))
    for ward, n in (rise or {}).items():
        for _ in range(n):
            rows.append(
                TensionReport(ward=ward, occurred_on=current + timedelta(days=1), **report_kwargs())
            )
    TensionReport.objects.bulk_create(rows)
    return len(rows)
