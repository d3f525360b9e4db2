"""The officer's pages: priorities, measures and figures through the real forms, all audited."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from cohesion.core.models import AuditEvent
from cohesion.strategy.models import Measure, Observation, Priority


def test_an_officer_adds_and_changes_a_priority(officer_client: Client, strategy_data: dict) -> None:
    url = reverse("staff:priority_add")
    empty = officer_client.post(url, {})
    page = empty.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_title"' in page and "Enter a title" in page
    assert page.count("<title>Error: ") == 1
    response = officer_client.post(url, {"number": 3, "title": "City pride", "slug": "city-pride", "summary": "Proud of where we live."})
    assert response.status_code == 302
    priority = Priority.objects.get(slug="city-pride")
    assert AuditEvent.objects.filter(action="create", object_type="strategy.priority", object_id=str(priority.pk)).exists()
    officer_client.post(reverse("staff:priority_edit", args=[priority.pk]), {"number": 3, "title": "City pride and the centenary", "slug": "city-pride", "summary": "Proud."})
    change = AuditEvent.objects.get(action="update", object_type="strategy.priority")
    assert change.changes["title"] == ["City pride", "City pride and the centenary"]


def test_a_measure_needs_a_target_after_its_baseline(officer_client: Client, strategy_data: dict) -> None:
    data = {
        "title": "Trust in the council", "slug": "trust", "definition": "Share who trust the council.", "kind": "percentage",
        "unit": "%", "rate_per": 1000, "source": "Survey", "frequency": "annual", "direction": "increase", "level": "city",
        "baseline_value": 40, "baseline_date": "2025-03-31", "target_value": 50, "target_date": "2024-03-31",
        "priorities": [strategy_data["priorities"][0].pk], "is_published": "on",
    }
    page = officer_client.post(reverse("staff:measure_add"), data).content.decode()
    assert "Enter a target date after the baseline date" in page
    assert not Measure.objects.filter(slug="trust").exists()
    data["target_date"] = "2030-03-31"
    response = officer_client.post(reverse("staff:measure_add"), data)
    assert response.status_code == 302
    measure = Measure.objects.get(slug="trust")
    assert measure.status == "not_enough_data"
    assert list(measure.priorities.all()) == [strategy_data["priorities"][0]]


def test_an_officer_adds_a_figure_and_the_status_follows(officer_client: Client, strategy_data: dict) -> None:
    measure = strategy_data["belong"]
    url = reverse("staff:measure_observations", args=[measure.pk])
    bad = officer_client.post(url, {"period": "2026/27", "value": "lots"}).content.decode()
    assert "There is a problem" in bad and "Enter the value as a number" in bad
    duplicate = officer_client.post(url, {"period": "2025/26", "value": "60"}).content.decode()
    assert "There is already a figure for the whole city for 2025/26" in duplicate
    response = officer_client.post(url, {"period": "2026/27", "value": "30", "numerator": "300", "denominator": "1000"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.latest_value == 30 and measure.status == "off_track"
    public = Client().get(reverse("public:measure", args=[measure.slug])).content.decode()
    assert "Off track" in public


def test_deleting_a_figure_is_audited_and_reassesses(officer_client: Client, strategy_data: dict) -> None:
    measure = strategy_data["belong"]
    latest = Observation.objects.filter(measure=measure).order_by("-period_end").first()
    assert latest is not None
    officer_client.post(reverse("staff:observation_delete", args=[latest.pk]))
    assert not Observation.objects.filter(pk=latest.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_type="strategy.observation")
    assert event.changes["value"] == latest.value
    measure.refresh_from_db()
    assert measure.latest_value == 53.0


def test_the_audit_log_lists_changes_for_admins(make_user: Any, officer_client: Client, strategy_data: dict) -> None:
    officer_client.post(reverse("staff:priority_add"), {"number": 9, "title": "Welcoming", "slug": "welcoming", "summary": "Hello."})
    admin = Client()
    admin.force_login(make_user("admin"))
    page = admin.get(reverse("core:audit_log") + "?action=create").content.decode()
    assert "Welcoming" in page and "Created" in page


def test_an_officer_changes_the_vision_and_residents_see_it(officer_client: Client, strategy_data: dict) -> None:
    url = reverse("staff:strategy_edit")
    data = {"title": "Cohesion Strategy", "council_name": "Test City Council", "vision": "Everyone belongs here.", "starts_on": "2026-01-01", "ends_on": "2025-01-01"}
    page = officer_client.post(url, data).content.decode()
    assert "The end date must be after the start date" in page
    data["ends_on"] = "2030-03-31"
    assert officer_client.post(url, data).status_code == 302
    assert "Everyone belongs here." in Client().get("/").content.decode()
    assert AuditEvent.objects.get(action="update", object_type="strategy.strategy").changes["vision"][1] == "Everyone belongs here."
