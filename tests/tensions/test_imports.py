"""The officer imports the police weekly extract: good rows saved, bad rows listed with reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cohesion.core.models import AuditEvent, Job
from cohesion.tensions.models import ReportImport, TensionReport
from cohesion.tensions.services import IMPORT_COLUMNS
from tests.tensions.conftest import client_for

pytestmark = pytest.mark.django_db

HEADER = ",".join(IMPORT_COLUMNS)


def upload(client, text: str, name: str = "extract.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("tensions:import_new"),
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
    )


def test_import_saves_good_rows_and_lists_every_bad_row(
    tension_data: dict, django_capture_on_commit_callbacks
) -> None:
    a, b = tension_data["wards"][:2]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    future = (timezone.localdate() + timedelta(days=10)).isoformat()
    lines = [
        HEADER,
        f"P1,{yesterday},{a.code},hate_incident,race,3,B,2,Verbal abuse at a bus stop",  # 2 good
        f"P2,{yesterday},{b.code},Online tension,religion,2,1,3,Posts about a mosque",  # 3 good (label)
        f"P2,{yesterday},{b.code},Online tension,religion,2,1,3,Posts about a mosque",  # 4 repeats 3
        f"P3,{yesterday},E09999999,concern,none,2,1,3,Unknown ward",  # 5
        f"P4,{future},{a.code},concern,none,2,1,3,Future date",  # 6
        f"P5,{yesterday},{a.code},concern,none,9,1,3,Impact nine",  # 7
        f"P1,{yesterday},{b.code},concern,none,2,1,3,Same reference as line 2",  # 8
        f"P6,31/02/2026,{a.code},concern,none,2,1,3,Bad date",  # 9
        f"P7,{yesterday},{a.code},fight,none,2,1,3,Unknown category",  # 10
    ]
    client = client_for(tension_data["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "\n".join(lines) + "\n")
    record = ReportImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("tensions:import_detail", kwargs={"pk": record.pk})
    assert record.job.status == Job.Status.DONE
    assert record.rows_saved == 2
    reasons = {item["line"]: item["reason"] for item in record.rejections}
    assert reasons[4] == "This row repeats line 3"
    assert "no ward with the code “E09999999”" in reasons[5]
    assert "must be today or in the past" in reasons[6]
    assert "from 1 (very low) to 5 (very high)" in reasons[7]
    assert "already on line 2" in reasons[8]
    assert "not a date" in reasons[9]
    assert "We do not know the category “fight”" in reasons[10]
    assert set(reasons) == {4, 5, 6, 7, 8, 9, 10}
    assert TensionReport.objects.filter(source="import").count() == 2
    assert TensionReport.objects.get(external_ref="P1").organisation == tension_data["police"]
    assert TensionReport.objects.get(external_ref="P1").source_reliability == "2"  # B -> 2
    assert record.content == ""
    assert AuditEvent.objects.filter(action="import", object_type="tensions.reportimport").exists()

    page = client.get(reverse("tensions:import_detail", kwargs={"pk": record.pk})).content.decode()
    assert "2 rows saved" in page
    assert "7 rows to fix" in page
    assert "This row repeats line 3" in page

    # Sending the same file again saves nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "\n".join(lines[:3]) + "\n")
    again = ReportImport.objects.order_by("-pk").first()
    assert again is not None and again.rows_saved == 0
    assert all("imported before" in r["reason"] for r in again.rejections)
    assert TensionReport.objects.count() == 2


def test_overlapping_extracts_without_references_save_each_report_once(
    tension_data: dict, django_capture_on_commit_callbacks
) -> None:
    a = tension_data["wards"][0]
    client = client_for(tension_data["officer"])
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    later = (timezone.localdate() - timedelta(days=1)).isoformat()
    week_one = [f",{day},{a.code},hate_incident,race,3,B,2,Verbal abuse at a bus stop"]
    week_two = week_one + [f",{later},{a.code},hate_incident,race,3,B,2,Verbal abuse at a bus stop"]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "\n".join([HEADER, *week_one]) + "\n")
        upload(client, "\n".join([HEADER, *week_two]) + "\n")
    second = ReportImport.objects.order_by("-pk").first()
    assert second is not None and second.rows_saved == 1  # the new day's report
    [rejected] = second.rejections
    first_report = TensionReport.objects.order_by("pk").first()
    assert first_report is not None
    assert rejected["line"] == 2
    assert rejected["reason"].startswith(f"This row is the same as report {first_report.pk}")
    assert TensionReport.objects.count() == 2


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "reference,date,ward,category,community,impact,source_reliability,reporter_confidence,summary",
            "has changed",
        ),
        (
            "date,reference,ward_code,category,community,impact,source_reliability,reporter_confidence,summary",
            "different order",
        ),
    ],
)
def test_a_changed_header_refuses_the_whole_file(
    tension_data: dict, header: str, message: str
) -> None:
    a = tension_data["wards"][0]
    text = f"{header}\nP1,2026-01-05,{a.code},concern,none,2,1,3,x\n"
    response = upload(client_for(tension_data["officer"]), text)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and "govuk-error-summary" in body
    assert not ReportImport.objects.exists()
    assert not TensionReport.objects.exists()


def test_not_a_csv_file_is_refused(tension_data: dict) -> None:
    client = client_for(tension_data["officer"])
    response = client.post(
        reverse("tensions:import_new"),
        {
            "file": SimpleUploadedFile(
                "extract.xlsx", b"PK\x03\x04rest", content_type="application/octet-stream"
            )
        },
    )
    assert "must be a CSV file" in response.content.decode()
    assert not ReportImport.objects.exists()


def test_partners_cannot_import(tension_data: dict) -> None:
    assert (
        client_for(tension_data["partner"]).get(reverse("tensions:import_new")).status_code == 403
    )


def test_an_import_with_a_rise_raises_an_alert_and_emails_officers(
    tension_data: dict, django_capture_on_commit_callbacks
) -> None:
    from django.core import mail

    from cohesion.tensions.models import Alert
    from tests.tensions.conftest import plant_history

    a, b = tension_data["wards"][:2]
    today = timezone.localdate()
    plant_history(wards=tension_data["wards"], today=today)
    rows = [HEADER] + [
        f"R{i},{today.isoformat()},{ward.code},online,race,2,2,2,Posts about a hotel"
        for i, ward in enumerate([a, b] * 6)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(tension_data["officer"]), "\n".join(rows) + "\n")
    record = ReportImport.objects.get()
    assert record.rows_saved == 12
    assert record.alerts_raised >= 1
    assert Alert.objects.filter(wards=a, category="online").exists()
    assert len(mail.outbox) == 1
    page = client_for(tension_data["officer"]).get(
        reverse("tensions:import_detail", kwargs={"pk": record.pk})
    )
    assert "new alert" in page.content.decode()
