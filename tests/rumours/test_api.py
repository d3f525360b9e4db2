"""Partner systems post rumour reports and read myth-busters through the API with a token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cohesion.core.models import AuditEvent, Role
from cohesion.core.tokens import api_token_create
from cohesion.rumours.models import Sighting

pytestmark = pytest.mark.django_db
URL = "/api/rumours/reports"


def post(raw: str, body: dict[str, Any]) -> Any:
    return Client().post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


@pytest.fixture
def token(make_user: Any, strategy_data: dict) -> str:
    _, raw = api_token_create(
        user=make_user(Role.PARTNER, organisation=strategy_data["org"]), name="Police feed"
    )
    return raw


def test_a_partner_system_posts_a_report(token, claims, strategy_data):
    claims["rebuttal"].published_at = timezone.now()
    claims["rebuttal"].save()
    ward = strategy_data["wards"][1]
    response = post(
        token,
        {
            "text": "Immigrants pushed up the rents in Stoke",
            "channel": "x",
            "ward_code": ward.code.lower(),
            "reach": 3,
            "link": "https://x.com/someone/status/1",
            "people_named": "Mr Example",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    s = Sighting.objects.get(pk=body["id"])
    assert (
        s.source == "api"
        and s.ward == ward
        and s.state == "waiting"
        and s.organisation == strategy_data["org"]
    )
    assert (
        body["suggestions"][0]["kind"] == "rebuttal"
    )  # partners see myth-busters, not the desk's claims
    assert body["suggestions"][0]["url"].startswith("http")
    assert body["language"] == "en"
    event = AuditEvent.objects.get(object_type="rumours.sighting", action="create")
    assert event.via == "api" and "Mr Example" not in str(event.changes)


def test_a_report_in_polish_is_named_as_polish_and_finds_the_english_myth_buster(
    token, claims, strategy_data
):
    claims["rebuttal"].published_at = timezone.now()
    claims["rebuttal"].save()
    body = post(token, {"text": "Imigranci podnieśli ceny mieszkań", "channel": "whatsapp"}).json()
    assert body["language"] == "pl"
    assert [s["id"] for s in body["suggestions"]] == [claims["rebuttal"].pk]


def test_the_same_report_twice_is_a_409_with_the_first_id(token, strategy_data):
    first = post(
        token, {"text": "The bins will not be collected for a month", "channel": "facebook"}
    )
    again = post(
        token, {"text": "the bins will NOT be collected for a month.", "channel": "facebook"}
    )
    assert again.status_code == 409 and again.json()["existing_id"] == first.json()["id"]
    assert Sighting.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "", "channel": "x"}, "text"),
        ({"text": "z" * 100_000, "channel": "x"}, "text"),
        ({"text": "ok", "channel": "pigeon"}, "channel"),
        ({"text": "ok", "channel": "x", "link": "nowhere"}, "link"),
        ({"text": "ok", "channel": "x", "seen_on": "2999-01-01"}, "seen_on"),
        ({"text": "ok", "channel": "x", "ward_code": "E99999999"}, "ward_code"),
    ],
)
def test_bad_reports_are_422_with_the_field_to_fix(token, strategy_data, body, field):
    response = post(token, body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Sighting.objects.count() == 0


def test_roles_and_tokens(make_user, strategy_data):
    _, councillor = api_token_create(user=make_user(Role.COUNCILLOR), name="Reading")
    assert post(councillor, {"text": "x", "channel": "x"}).status_code == 403
    assert post("coh_nope_nope", {"text": "x", "channel": "x"}).status_code == 401
    assert Sighting.objects.count() == 0


def test_myth_busters_list(token, claims):
    client = Client()
    assert (
        client.get("/api/rumours/myth-busters", HTTP_AUTHORIZATION=f"Bearer {token}").json() == []
    )
    claims["rebuttal"].published_at = timezone.now()
    claims["rebuttal"].save()
    rows = client.get(
        "/api/rumours/myth-busters", {"q": "rents"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert [r["slug"] for r in rows] == [claims["rebuttal"].slug]


def test_a_ward_replaced_by_new_boundaries_is_refused_with_a_reason(token, strategy_data):
    old = strategy_data["wards"][0]
    old.in_use = False
    old.save(update_fields=["in_use"])
    response = post(
        token, {"text": "The bins will not be collected", "channel": "x", "ward_code": old.code}
    )
    assert response.status_code == 422
    assert (
        "no longer a ward since the ward boundaries changed"
        in response.json()["errors"]["ward_code"]
    )
    assert not Sighting.objects.exists()
