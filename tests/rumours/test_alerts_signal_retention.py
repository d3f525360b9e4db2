"""Alerts on a sudden rise, the weekly signal for the tension picture, and retention."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cohesion.core.models import AuditEvent, Role
from cohesion.rumours import services
from cohesion.rumours.models import Alert, Sighting
from cohesion.rumours.selectors import rumour_weekly_counts
from tests.rumours.conftest import sighting

pytestmark = pytest.mark.django_db


def test_a_sudden_rise_in_a_claim_raises_one_alert_and_emails_officers(
    officer_client, claims, make_user, django_capture_on_commit_callbacks
):
    make_user(Role.OFFICER, email="duty@example.org")
    claim = claims["mosque"]
    today = timezone.localdate()
    sighting(
        claim=claim, state="matched", seen_on=today - timedelta(days=20)
    )  # the weeks before: quiet
    for i in range(5):
        sighting(
            claim=claim, state="matched", seen_on=today - timedelta(days=i % 3), fingerprint=f"f{i}"
        )
    # The officer confirms one more report as the same claim: the check runs on commit.
    report = sighting(text="mosque closing", seen_on=today, fingerprint="new")
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            reverse("rumours_staff:report", kwargs={"pk": report.pk}), {"choice": str(claim.pk)}
        )
    assert response.status_code == 302
    alert = Alert.objects.get(kind="claim", claim=claim)
    assert alert.observed == 6 and "Sudden rise" in alert.message
    assert any("duty@example.org" in m.to for m in mail.outbox)
    assert alert.message in officer_client.get(reverse("rumours_staff:desk")).content.decode()
    # The same rise does not raise a second alert the same week.
    assert services.alerts_check(claim=claim) == []
    officer_client.post(reverse("rumours_staff:alert_acknowledge", kwargs={"pk": alert.pk}))
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None


def test_a_rise_in_a_ward_alerts_but_steady_chatter_does_not(strategy_data):
    busy, steady = strategy_data["wards"][:2]
    today = timezone.localdate()
    for week in range(1, 5):
        for i in range(3):
            sighting(
                ward=steady, seen_on=today - timedelta(days=7 * week + i), fingerprint=f"s{week}{i}"
            )
    for i in range(3):
        sighting(ward=steady, seen_on=today - timedelta(days=i), fingerprint=f"s0{i}")
    for i in range(4):
        sighting(ward=busy, seen_on=today - timedelta(days=i), fingerprint=f"b{i}")
    raised = services.alerts_sweep(today=today)
    assert [(a.kind, a.ward) for a in raised] == [("ward", busy)]


def test_dismissed_reports_do_not_count(strategy_data):
    ward = strategy_data["wards"][0]
    today = timezone.localdate()
    for i in range(6):
        sighting(ward=ward, seen_on=today, fingerprint=f"d{i}", state="dismissed")
    assert services.alerts_check(ward=ward, today=today) == []


def test_weekly_counts_for_the_tension_picture(strategy_data):
    a, b = strategy_data["wards"][:2]
    monday = date(2026, 3, 2)
    sighting(ward=a, seen_on=monday)
    sighting(ward=a, seen_on=monday + timedelta(days=6))
    sighting(ward=a, seen_on=monday + timedelta(days=7))
    sighting(ward=b, seen_on=monday + timedelta(days=2))
    sighting(ward=None, seen_on=monday)  # no ward: not counted
    sighting(ward=b, seen_on=monday, state="dismissed")  # not a rumour: not counted
    sighting(ward=b, seen_on=monday - timedelta(days=1))  # before the start
    counts = rumour_weekly_counts(start=monday, end=monday + timedelta(days=13))
    assert counts == {
        (a.code, monday): 2,
        (a.code, monday + timedelta(days=7)): 1,
        (b.code, monday): 1,
    }


def test_retention_removes_personal_data_and_keeps_the_rumour(officer, claims):
    old = sighting(
        text="Old rumour",
        people_named="Mr Named",
        reporter_name="Ann",
        reporter_contact="ann@example.org",
        claim=claims["mosque"],
        state="matched",
    )
    old.screenshot.save("old.png", ContentFile(b"\x89PNG\r\n\x1a\nold"), save=True)
    storage, name = old.screenshot.storage, old.screenshot.name
    Sighting.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    recent = sighting(text="New rumour", people_named="Ms Recent", fingerprint="r")
    call_command("rumours_retention")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.people_named, old.reporter_name, old.reporter_contact, old.screenshot.name) == (
        "",
        "",
        "",
        "",
    )
    assert (
        old.redacted_at is not None and old.text == "Old rumour" and old.claim == claims["mosque"]
    )
    assert not storage.exists(name)
    assert recent.people_named == "Ms Recent" and recent.redacted_at is None
    assert AuditEvent.objects.filter(object_type="rumours.sighting", changes__redacted=1).exists()
    call_command("rumours_retention")  # running again changes nothing
    assert (
        AuditEvent.objects.filter(
            object_type="rumours.sighting", changes__redacted__isnull=False
        ).count()
        == 1
    )


def test_measures_and_alerts_commands_run(claims):
    call_command("rumours_measures_update")
    call_command("rumours_alerts", "--today", timezone.localdate().isoformat())


def test_rumour_sightings_reach_the_tension_early_warning(strategy_data):
    from cohesion.tensions.services import _SIGNAL_PROVIDERS

    ward = strategy_data["wards"][0]
    monday = date(2026, 3, 2)
    sighting(ward=ward, seen_on=monday + timedelta(days=1))
    provider = _SIGNAL_PROVIDERS["rumours"]
    assert list(provider(monday, monday + timedelta(days=6))) == [(ward.code, monday, "rumour", 1)]
