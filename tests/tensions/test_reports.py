"""A partner logs a tension report through the form; bad answers are explained; who sees what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cohesion.core.models import AuditEvent
from cohesion.tensions.models import TensionReport, week_start
from tests.tensions.conftest import client_for

pytestmark = pytest.mark.django_db


def form_data(the_ward: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "summary": "Leaflets blaming a mosque for parking problems were put through doors",
        "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "ward": str(the_ward.pk),
        "postcode": "",
        "latitude": "",
        "longitude": "",
        "category": "concern",
        "community": "religion",
        "impact": "3",
        "source_reliability": "2",
        "reporter_confidence": "1",
        "has_personal_details": "no",
        "personal_details": "",
    }
    data.update(overrides)
    return data


def test_partner_logs_a_report_and_sees_it(tension_data: dict) -> None:
    ward = tension_data["wards"][1]
    client = client_for(tension_data["partner"])
    page = client.get(reverse("tensions:report_new"))
    assert page.status_code == 200
    assert "Log a tension report" in page.content.decode()
    response = client.post(reverse("tensions:report_new"), form_data(ward), follow=True)
    assert response.status_code == 200
    report = TensionReport.objects.get()
    assert report.ward == ward
    assert report.organisation == tension_data["police"]
    assert report.reported_by == tension_data["partner"]
    assert report.category == "concern" and report.impact == 3
    body = response.content.decode()
    assert "Your report has been sent" in body
    assert "Leaflets blaming a mosque" in body
    event = AuditEvent.objects.get(object_type="tensions.tensionreport", action="create")
    assert event.actor == tension_data["partner"]
    assert "personal_details" not in event.changes


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ward": ""}, "Choose the ward where it happened"),
        (
            {"occurred_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
            "must be today or in the past",
        ),
        ({"impact": "9"}, "The impact must be a whole number from 1 (very low) to 5 (very high)"),
        ({"postcode": "NOT A CODE"}, "Enter a real postcode"),
        ({"summary": ""}, "Say what happened"),
        ({"has_personal_details": "yes"}, "Enter the personal details"),
        ({"latitude": "53.0"}, "Give both the latitude and the longitude"),
        ({"latitude": "51.5", "longitude": "-0.12"}, "outside the council"),
    ],
)
def test_bad_answers_are_explained_and_nothing_is_saved(
    tension_data: dict, overrides: dict, message: str
) -> None:
    client = client_for(tension_data["partner"])
    response = client.post(
        reverse("tensions:report_new"), form_data(tension_data["wards"][0], **overrides)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    assert TensionReport.objects.count() == 0


def test_a_point_in_another_ward_is_refused(tension_data: dict) -> None:
    a, b = tension_data["wards"][:2]
    # Ward B is the square one step east of ward A (see tests/conftest.py square()).
    inside_b = {"latitude": "53.005", "longitude": "-2.185"}
    response = client_for(tension_data["partner"]).post(
        reverse("tensions:report_new"), form_data(a, **inside_b)
    )
    assert f"is in {b.name}, not {a.name}" in response.content.decode()
    assert not TensionReport.objects.exists()
    ok = client_for(tension_data["partner"]).post(
        reverse("tensions:report_new"), form_data(b, **inside_b)
    )
    assert ok.status_code == 302
    assert TensionReport.objects.get().latitude == pytest.approx(53.005)


def test_a_known_postcode_in_another_ward_is_refused(tension_data: dict) -> None:
    from cohesion.assembly.models import Address, Assembly

    a, b = tension_data["wards"][:2]
    assembly = Assembly.objects.create(name="A", slug="a", summary="s")
    Address.objects.create(
        assembly=assembly, uprn="1", address="1 Road", postcode="ST1 1AA", ward=b
    )
    client = client_for(tension_data["partner"])
    response = client.post(reverse("tensions:report_new"), form_data(a, postcode="st11aa"))
    assert f"The postcode ST1 1AA is in {b.name}, not {a.name}" in response.content.decode()
    assert not TensionReport.objects.exists()
    client.post(reverse("tensions:report_new"), form_data(b, postcode="st11aa"))
    assert TensionReport.objects.get().postcode == "ST1 1AA"
    # a postcode from a district with none of the council's addresses is not one of our wards
    outside = client.post(reverse("tensions:report_new"), form_data(b, postcode="SW1A 1AA"))
    assert "The postcode SW1A 1AA is not in any ward we cover" in outside.content.decode()
    # one we cannot place exactly, in a district we cover, is kept as typed
    client.post(reverse("tensions:report_new"), form_data(b, postcode="ST1 9ZZ"))
    assert TensionReport.objects.filter(postcode="ST1 9ZZ").count() == 1
    assert TensionReport.objects.count() == 2


def test_personal_details_only_for_officers_and_the_same_organisation(tension_data: dict) -> None:
    ward = tension_data["wards"][0]
    client_for(tension_data["partner"]).post(
        reverse("tensions:report_new"),
        form_data(ward, has_personal_details="yes", personal_details="Jo Bloggs, 1 High Street"),
    )
    report = TensionReport.objects.get()
    url = reverse("tensions:report_detail", kwargs={"pk": report.pk})

    other = client_for(tension_data["other_partner"]).get(url).content.decode()
    assert "Jo Bloggs" not in other
    assert "Only officers and the reporting organisation can see them" in other
    assert not AuditEvent.objects.filter(action="view").exists()

    same_org = client_for(tension_data["partner"]).get(url).content.decode()
    assert "Jo Bloggs" in same_org
    officer = client_for(tension_data["officer"]).get(url).content.decode()
    assert "Jo Bloggs" in officer
    views = AuditEvent.objects.filter(
        action="view", object_type="tensions.tensionreport", object_id=str(report.pk)
    )
    assert {e.actor for e in views} == {tension_data["partner"], tension_data["officer"]}

    assert client_for(tension_data["councillor"]).get(url).status_code == 403


def test_partners_list_reports_and_filter_them(tension_data: dict) -> None:
    a, b = tension_data["wards"][:2]
    client = client_for(tension_data["partner"])
    client.post(reverse("tensions:report_new"), form_data(a))
    client.post(reverse("tensions:report_new"), form_data(b, category="rumour"))
    page = client.get(reverse("tensions:report_list")).content.decode()
    assert "2 reports" in page
    filtered = client.get(reverse("tensions:report_list"), {"category": "rumour"}).content.decode()
    assert "1 report" in filtered and "Rumour" in filtered


def test_a_ward_boundary_change_keeps_old_reports_and_sends_new_ones_to_the_new_wards(
    tension_data: dict, tmp_path: Any
) -> None:
    """New boundaries replace Ward A with Ward E: A's reports stay (and still count), A is no
    longer offered, and a report for A is refused with a reason."""
    import json
    from io import StringIO

    from django.core.management import call_command

    from cohesion.core.models import Ward
    from cohesion.tensions.services import earlywarning_run, weekly_counts
    from tests.conftest import square

    a, b, c, d = tension_data["wards"]
    client = client_for(tension_data["officer"])
    client.post(reverse("tensions:report_new"), form_data(a))
    assert TensionReport.objects.filter(ward=a).count() == 1

    features = [
        {
            "type": "Feature",
            "properties": {"WD13CD": w.code, "WD13NM": w.name},
            "geometry": square(i % 2, i // 2),
        }
        for i, w in enumerate([b, c, d], start=1)
    ]
    features.append(
        {
            "type": "Feature",
            "properties": {"WD13CD": "E05999999", "WD13NM": "Ward E"},
            "geometry": square(0, 0),
        }
    )
    path = tmp_path / "new.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))

    # Without --replace nothing is retired, but the officer is told what is missing.
    out = StringIO()
    call_command("load_wards", str(path), vintage="2023 boundaries", stdout=out)
    assert "1 ward in use is not in this file: Ward A" in out.getvalue()
    assert "--replace" in out.getvalue()
    a.refresh_from_db()
    assert a.in_use

    out = StringIO()
    call_command("load_wards", str(path), vintage="2023 boundaries", replace=True, stdout=out)
    assert "1 ward is no longer in use: Ward A" in out.getvalue()
    a.refresh_from_db()
    assert not a.in_use and Ward.objects.get(code="E05999999").in_use
    assert TensionReport.objects.filter(ward=a).count() == 1  # nothing lost

    form = client.get(reverse("tensions:report_new")).content.decode()
    assert "Ward E" in form and ">Ward A<" not in form
    refused = client.post(reverse("tensions:report_new"), form_data(a)).content.decode()
    assert "Choose a ward from the list" in refused
    assert TensionReport.objects.count() == 1

    from cohesion.tensions.services import ReportInput, report_validate

    errors = report_validate(
        data=ReportInput(
            summary="x",
            occurred_on=timezone.localdate(),
            ward=a,
            category="online",
            community="race",
            impact=2,
            source_reliability="2",
            reporter_confidence="2",
        )
    )
    assert "Ward A is no longer a ward since the ward boundaries changed" in errors["ward"]
    from django.test import Client

    from cohesion.core.tokens import api_token_create

    _, token = api_token_create(user=tension_data["partner"], name="Feed")
    posted = Client().post(
        "/api/tensions/reports",
        {
            "summary": "Posts calling for a gathering",
            "occurred_on": timezone.localdate().isoformat(),
            "ward_code": a.code,
            "category": "protest",
            "community": "race",
            "impact": 3,
            "source_reliability": "2",
            "reporter_confidence": "3",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert posted.status_code == 422
    assert "no longer a ward since the ward boundaries" in posted.json()["errors"]["ward_code"]
    assert TensionReport.objects.count() == 1

    page = client.get(reverse("tensions:ward_detail", kwargs={"code": a.code})).content.decode()
    assert "no longer a ward since the ward boundaries changed" in page
    assert "Ward A" not in client.get(reverse("tensions:level_matrix")).content.decode()
    # the early warning still counts the old ward's report, so the city's history is kept
    counts = weekly_counts(current_week=week_start(timezone.localdate()))
    assert a.code in counts.ward_codes and counts.counts.sum() == 1
    earlywarning_run(today=timezone.localdate(), scan_replicates=0)
