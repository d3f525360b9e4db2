"""The JSON API: tokens, roles, reading and writing figures, suppression, OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cohesion.core.models import ApiToken, AuditEvent, Role
from cohesion.core.tokens import api_token_create, api_token_revoke
from cohesion.strategy.models import Observation


@pytest.fixture
def partner(make_user: Any, strategy_data: dict) -> Any:
    return make_user(Role.PARTNER, organisation=strategy_data["org"])


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_partner_system_reads_measures_and_figures_with_a_token(partner: Any, strategy_data: dict) -> None:
    _, raw = api_token_create(user=partner, name="Police feed")
    client = Client()
    measures = client.get("/api/measures", **bearer(raw))
    assert measures.status_code == 200
    slugs = {m["slug"] for m in measures.json()}
    assert slugs == {"feel-they-belong", "grants"}
    figures = client.get("/api/measures/feel-they-belong/observations", **bearer(raw)).json()
    assert [f["value"] for f in figures] == [53.0, 55.0]


def test_the_token_is_stored_only_as_a_hash_and_can_be_revoked(partner: Any, officer: Any) -> None:
    token, raw = api_token_create(user=partner, name="Feed")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.split("_", 2)[2] not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert len(stored.secret_hash) == 64
    client = Client()
    assert client.get("/api/wards", **bearer(raw)).status_code == 200
    api_token_revoke(token=stored, actor=officer)
    assert client.get("/api/wards", **bearer(raw)).status_code == 401
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_REVOKED).exists()


@pytest.mark.parametrize("raw", ["", "nonsense", "coh_deadbeef_wrongsecret", "Basic abc"])
def test_bad_tokens_are_refused(db: None, raw: str) -> None:
    assert Client().get("/api/measures", **bearer(raw)).status_code == 401


def test_a_partner_writes_figures_only_for_measures_their_organisation_owns(partner: Any, strategy_data: dict) -> None:
    _, raw = api_token_create(user=partner, name="Feed")
    client = Client()
    body = json.dumps({"period": "2026-Q2", "value": 6, "ward_code": "E05000001"})
    refused = client.post("/api/measures/grants/observations", body, content_type="application/json", **bearer(raw))
    assert refused.status_code == 403
    grants = strategy_data["grants"]
    grants.data_owner = strategy_data["org"]
    grants.save()
    created = client.post("/api/measures/grants/observations", body, content_type="application/json", **bearer(raw))
    assert created.status_code == 201, created.content
    assert created.json()["ward_code"] == "E05000001"
    obs = Observation.objects.get(pk=created.json()["id"])
    assert obs.created_by == partner
    assert AuditEvent.objects.filter(object_type="strategy.observation", object_id=str(obs.pk), via="api").exists()


def test_bad_figures_get_clear_errors_and_nothing_is_saved(officer: Any, strategy_data: dict) -> None:
    _, raw = api_token_create(user=officer, name="Officer script")
    client = Client()
    before = Observation.objects.count()
    cases = [
        ({"period": "2025/26", "value": 10}, "period", "already a figure"),
        ({"period": "someday", "value": 10}, "period", "not a period"),
        ({"period": "2026-Q2", "value": 140}, "value", "between 0 and 100"),
        ({"period": "2026-Q2", "value": 40, "ward_code": "E05000001"}, "ward", "whole city only"),
        ({"period": "2026-Q2", "value": 40, "ward_code": "X1"}, "ward_code", "no ward"),
    ]
    for payload, field, message in cases:
        response = client.post("/api/measures/feel-they-belong/observations", json.dumps(payload), content_type="application/json", **bearer(raw))
        assert response.status_code == 422, payload
        assert message in response.json()["errors"][field]
    not_a_number = client.post("/api/measures/feel-they-belong/observations", json.dumps({"period": "2026", "value": "lots"}), content_type="application/json", **bearer(raw))
    assert not_a_number.status_code == 422
    assert Observation.objects.count() == before


def test_small_ward_counts_are_hidden_from_partners_but_not_from_officers(partner: Any, officer: Any, strategy_data: dict) -> None:
    _, partner_token = api_token_create(user=partner, name="p")
    _, officer_token = api_token_create(user=officer, name="o")
    client = Client()
    seen = client.get("/api/measures/grants/observations", **bearer(partner_token)).json()
    ward_rows = {row["ward_code"]: row for row in seen if row["ward_code"]}
    assert ward_rows["E05000001"]["suppressed"] is True and ward_rows["E05000001"]["value"] is None  # 3
    # 3 alone could be recovered from the city total, so the next smallest (7) is hidden too.
    assert ward_rows["E05000003"]["suppressed"] is True
    assert ward_rows["E05000000"]["value"] == 12
    full = client.get("/api/measures/grants/observations", **bearer(officer_token)).json()
    assert all(not row["suppressed"] for row in full)


def test_the_browser_session_needs_csrf_for_writes(officer: Any, strategy_data: dict) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.get("/api/measures").status_code == 200
    response = client.post("/api/measures/feel-they-belong/observations", json.dumps({"period": "2026-Q2", "value": 50}), content_type="application/json")
    assert response.status_code in (401, 403)


def test_residents_without_an_account_cannot_use_the_api(db: None) -> None:
    assert Client().get("/api/measures").status_code == 401


def test_openapi_description_is_served(db: None) -> None:
    spec = Client().get("/api/openapi.json").json()
    assert spec["info"]["title"] == "Cohesion API"
    assert "/api/measures/{slug}/observations" in spec["paths"]
    assert "post" in spec["paths"]["/api/measures/{slug}/observations"]
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
