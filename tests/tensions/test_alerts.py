"""A planted rise raises an alert with a plain sentence; officers are emailed, acknowledge it,
record the action and close it; every step is in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from cohesion.core.models import AuditEvent
from cohesion.tensions.models import Alert, TensionReport, week_start
from cohesion.tensions.services import (
    alert_sentence,
    earlywarning_run,
    signal_provider_register,
    signal_provider_unregister,
)
from tests.tensions.conftest import TODAY, client_for, plant_history

pytestmark = pytest.mark.django_db


def test_the_sentence_says_what_is_unusual_and_why() -> None:
    assert (
        alert_sentence(
            ward_names=["Bentilee and Ubberley"],
            category="online",
            observed=7,
            expected=1.8,
            threshold=4.9,
        )
        == "Bentilee and Ubberley: 7 reports of online tension this week; about 1.8 expected; alert threshold 4.9"
    )
    assert alert_sentence(
        ward_names=["A", "B", "C"],
        category="hate_incident",
        observed=1,
        expected=0.01,
        threshold=0.9,
    ) == (
        "A, B and C: 1 report of hate incidents this week; almost none expected; alert threshold 0.9"
    )
    assert alert_sentence(
        ward_names=[], category=None, observed=40, expected=20.25, threshold=31
    ).startswith("Across the city: 40 reports of any kind")
    # A cluster found over several weeks says so, rather than "this week".
    assert (
        alert_sentence(
            ward_names=["A", "B"],
            category="online",
            observed=12,
            expected=3.4,
            threshold=9,
            weeks=3,
        )
        == "A and B: 12 reports of online tension in the last 3 weeks; about 3.4 expected; alert threshold 9.0"
    )


def test_quiet_weeks_raise_no_alert(tension_data: dict) -> None:
    plant_history(wards=tension_data["wards"])
    assert earlywarning_run(today=TODAY, scan_replicates=199) == []
    assert not mail.outbox


def test_a_planted_rise_raises_an_alert_once_and_officers_are_emailed(tension_data: dict) -> None:
    a, b = tension_data["wards"][:2]
    plant_history(wards=tension_data["wards"], rise={a: 6, b: 6})
    alerts = earlywarning_run(today=TODAY, scan_replicates=199)
    assert alerts, "the planted rise should raise an alert"
    about_a = [x for x in alerts if a.code in x.ward_codes]
    assert about_a
    alert = about_a[0]
    assert alert.week_start == week_start(TODAY)
    assert alert.category == "online"
    assert alert.observed > alert.threshold >= alert.expected
    # The record of the data behind the alert: every report counted (with a thousands comma).
    assert alert.method and alert.data_version.startswith(
        f"{TensionReport.objects.count():,} reports, weeks "
    )
    assert a.name in alert.sentence and "reports of online tension this week" in alert.sentence
    assert set(alert.wards.values_list("code", flat=True)) == set(alert.ward_codes)
    assert AuditEvent.objects.filter(object_type="tensions.alert", action="create").count() == len(
        alerts
    )
    # Officers with an email address hear about it; partners do not.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["olu@council.example"]
    assert alert.sentence in mail.outbox[0].body
    # The nightly run the same week does not raise the same alert again.
    assert earlywarning_run(today=TODAY, scan_replicates=199) == []
    assert len(mail.outbox) == 1


def test_officer_acknowledges_records_action_and_closes(tension_data: dict) -> None:
    a, b = tension_data["wards"][:2]
    plant_history(wards=tension_data["wards"], rise={a: 6, b: 6})
    alert = earlywarning_run(today=TODAY, scan_replicates=199)[0]
    officer = tension_data["officer"]
    client = client_for(officer)
    listing = client.get(reverse("tensions:alert_list")).content.decode()
    assert alert.sentence in listing
    detail_url = reverse("tensions:alert_detail", kwargs={"pk": alert.pk})
    detail = client.get(detail_url).content.decode()
    assert alert.sentence in detail
    assert "The reports behind the alert" in detail
    assert alert.method_label in detail and alert.method_label != alert.method

    # Closing without an action is refused with a reason.
    refused = client.post(reverse("tensions:alert_close", kwargs={"pk": alert.pk}))
    assert refused.url == detail_url
    assert [str(m) for m in get_messages(refused.wsgi_request)] == [
        "Record the action taken before you close the alert"
    ]
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN

    client.post(reverse("tensions:alert_acknowledge", kwargs={"pk": alert.pk}))
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED and alert.acknowledged_by == officer

    empty = client.post(
        reverse("tensions:alert_action", kwargs={"pk": alert.pk}), {"action_taken": ""}
    )
    assert "Say what action was taken" in empty.content.decode()
    client.post(
        reverse("tensions:alert_action", kwargs={"pk": alert.pk}),
        {"action_taken": "Asked the neighbourhood team to visit; posted a factual reply online."},
    )
    client.post(reverse("tensions:alert_close", kwargs={"pk": alert.pk}))
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CLOSED and alert.closed_by == officer
    assert "neighbourhood team" in alert.action_taken

    changes = list(
        AuditEvent.objects.filter(
            object_type="tensions.alert", object_id=str(alert.pk), action="update"
        )
        .order_by("at", "id")
        .values_list("changes", flat=True)
    )
    assert [sorted(c) for c in changes] == [
        ["acknowledged_at", "acknowledged_by", "status"],
        ["action_taken"],
        ["closed_at", "closed_by", "status"],
    ]
    assert "Closed" in client.get(detail_url).content.decode()
    assert alert.sentence not in client.get(reverse("tensions:alert_list")).content.decode()


def test_run_now_button_queues_the_early_warning(
    tension_data: dict, django_capture_on_commit_callbacks
) -> None:
    client = client_for(tension_data["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tensions:alert_run"))
    assert response.status_code == 302
    from cohesion.core.models import Job

    assert Job.objects.get(kind="tension_earlywarning").status == Job.Status.DONE


def test_other_signals_can_add_weekly_counts(tension_data: dict) -> None:
    """The hook for rumours (and other apps): extra weekly counts by ward are read as signals."""
    a = tension_data["wards"][0]
    plant_history(wards=tension_data["wards"])

    def sightings(first, last):  # type: ignore[no-untyped-def]
        weeks = [(a.code, TODAY - timedelta(weeks=t), "rumour", t % 2) for t in range(1, 40)]
        return [*weeks, (a.code, TODAY, "rumour", 9)]

    signal_provider_register(name="test-rumours", provider=sightings)
    try:
        alerts = earlywarning_run(today=TODAY, scan_replicates=199)
    finally:
        signal_provider_unregister(name="test-rumours")
    assert any(x.category == "rumour" and a.code in x.ward_codes for x in alerts)


def test_partners_and_councillors_do_not_see_alerts(tension_data: dict) -> None:
    for user in (tension_data["partner"], tension_data["councillor"]):
        assert client_for(user).get(reverse("tensions:alert_list")).status_code == 403
