"""Partner systems post tension reports with a token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cohesion.core.tokens import api_token_create
from cohesion.tensions.models import TensionReport

pytestmark = pytest.mark.django_db


def payload(code: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "summary": "Posts calling for a gathering outside a hotel",
        "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "ward_code": code,
        "category": "protest",
        "community": "race",
        "impact": 4,
        "source_reliability": "2",
        "reporter_confidence": "3",
        "has_personal_details": True,
        "personal_details": "Organiser's name",
        "reference": "SYS-1",
    }
    data.update(overrides)
    return data


def post(token: str, data: dict) -> Any:
    return Client().post(
        "/api/tensions/reports",
        data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_partner_system_posts_a_report(tension_data: dict) -> None:
    _, token = api_token_create(user=tension_data["partner"], name="Police feed")
    ward = tension_data["wards"][2]
    response = post(token, payload(ward.code.lower()))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ward_code"] == ward.code and body["personal_details"] == "Organiser's name"
    report = TensionReport.objects.get()
    assert report.source == "api" and report.organisation == tension_data["police"]
    assert report.external_ref == "SYS-1"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ward_code": "E0NOWARD"}, "ward_code"),
        ({"impact": 9}, "impact"),
        ({"category": "fight"}, "category"),
        ({"occurred_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "occurred_on"),
        ({"postcode": "XYZ"}, "postcode"),
    ],
)
def test_bad_reports_are_refused_with_a_reason(
    tension_data: dict, overrides: dict, field: str
) -> None:
    _, token = api_token_create(user=tension_data["partner"], name="Feed")
    response = post(token, payload(tension_data["wards"][0].code, **overrides))
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not TensionReport.objects.exists()


def test_the_same_reference_posted_twice_is_a_409_and_counts_once(tension_data: dict) -> None:
    """A partner system that retries must not make one incident count twice in the early
    warning; another organisation may use the same reference for its own report."""
    _, token = api_token_create(user=tension_data["partner"], name="Police feed")
    _, school_token = api_token_create(user=tension_data["other_partner"], name="School feed")
    ward = tension_data["wards"][0].code
    first = post(token, payload(ward))
    assert first.status_code == 201
    again = post(token, payload(ward, reference=" SYS-1 ", summary="Same incident, sent again"))
    assert again.status_code == 409
    body = again.json()
    assert body["existing_id"] == first.json()["id"]
    assert "already sent the report “SYS-1”" in body["detail"] and "Nothing new" in body["detail"]
    assert TensionReport.objects.count() == 1
    assert post(school_token, payload(ward)).status_code == 201
    assert post(token, payload(ward, reference="")).status_code == 201
    assert post(token, payload(ward, reference="")).status_code == 201  # no reference: no check
    assert TensionReport.objects.count() == 4


def test_missing_or_wrongly_typed_fields_get_the_same_error_shape(tension_data: dict) -> None:
    _, token = api_token_create(user=tension_data["partner"], name="Feed")
    data = payload(tension_data["wards"][0].code, impact="high")
    del data["ward_code"]
    response = post(token, data)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"]["ward_code"] == "This is required"
    assert "impact" in body["errors"] and body["detail"].startswith("Check the request:")
    broken = Client().post(
        "/api/tensions/reports",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert broken.status_code == 400  # a body that is not JSON at all is refused before the schema
    assert not TensionReport.objects.exists()


def test_partners_read_only_their_organisations_reports(tension_data: dict) -> None:
    _, police_token = api_token_create(user=tension_data["partner"], name="Feed")
    _, school_token = api_token_create(user=tension_data["other_partner"], name="Feed")
    post(police_token, payload(tension_data["wards"][0].code))
    mine = Client().get("/api/tensions/reports", HTTP_AUTHORIZATION=f"Bearer {police_token}").json()
    assert len(mine) == 1 and mine[0]["personal_details"] == "Organiser's name"
    theirs = (
        Client().get("/api/tensions/reports", HTTP_AUTHORIZATION=f"Bearer {school_token}").json()
    )
    assert theirs == []


def test_councillors_cannot_post(tension_data: dict) -> None:
    _, token = api_token_create(user=tension_data["councillor"], name="Feed")
    assert post(token, payload(tension_data["wards"][0].code)).status_code == 403
