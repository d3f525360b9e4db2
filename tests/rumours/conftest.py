from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client

from cohesion.core.models import Role, User
from cohesion.rumours import matching
from cohesion.rumours.forms import FORM_TOKEN_SALT
from cohesion.rumours.models import Claim, Rebuttal, Sighting


@pytest.fixture(autouse=True)
def _fresh_index_and_cache() -> Iterator[None]:
    """Each test starts with an empty claim index and no rate-limit counts."""
    matching.index_reset()
    cache.clear()
    yield
    matching.index_reset()
    cache.clear()


@pytest.fixture
def partner_client(make_user: Callable[..., User], strategy_data: dict) -> Client:
    client = Client()
    client.force_login(make_user(Role.PARTNER, organisation=strategy_data["org"]))
    return client


def form_token(age_seconds: int) -> str:
    """The public form's hidden token, as if the page had been shown ``age_seconds`` ago."""
    return signing.TimestampSigner(salt=FORM_TOKEN_SALT).sign(str(int(time.time()) - age_seconds))


@pytest.fixture
def claims(strategy_data: dict) -> dict[str, Any]:
    """Three claims on file, one with a published myth-buster."""
    housing = Claim.objects.create(
        title="Migrants pushed up housing costs",
        text="Migrants and asylum seekers have pushed up rents and house prices in Stoke-on-Trent",
    )
    mosque = Claim.objects.create(
        title="Mosque closing",
        text="The mosque on Hanley high street is being shut down by the council",
    )
    buses = Claim.objects.create(
        title="Buses cancelled",
        text="All buses in the city are cancelled next week because of the strike",
    )
    rebuttal = Rebuttal.objects.create(
        claim=housing,
        slug="migrants-did-not-push-up-rents",
        headline="No, migrants did not push up rents in Stoke",
        what_is_said="Migrants pushed up housing costs in Stoke-on-Trent",
        the_facts="Rents rose across the country because of interest rates and a shortage of homes.",
        published_at=None,
    )
    return {
        "housing": housing,
        "mosque": mosque,
        "buses": buses,
        "rebuttal": rebuttal,
        "wards": strategy_data["wards"],
    }


def sighting(**kwargs: Any) -> Sighting:
    defaults: dict[str, Any] = {
        "text": "A rumour",
        "channel": "whatsapp",
        "seen_on": date.today(),
        "fingerprint": "x",
    }
    defaults.update(kwargs)
    return Sighting.objects.create(**defaults)
