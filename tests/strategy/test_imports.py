"""CSV imports: good rows saved, every bad row reported with its line and reason, nothing lost."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cohesion.core.models import AuditEvent, Job
from cohesion.strategy.models import Observation, ObservationImport

HEADER = "measure,ward_code,period,value,numerator,denominator,sample_size,note\n"


@pytest.fixture
def upload(django_capture_on_commit_callbacks: Any) -> Any:
    """Post a file as the officer would, let the queued task run, then follow to the result."""

    def post(client: Client, content: bytes | str, name: str = "figures.csv") -> Any:
        data = content.encode() if isinstance(content, str) else content
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("staff:import_new"), {"file": SimpleUploadedFile(name, data, content_type="text/csv")})
        if response.status_code == 302:
            return client.get(response["Location"], follow=True)
        return response

    return post


def test_good_rows_are_saved_and_every_bad_row_is_reported(officer_client: Client, strategy_data: dict, upload: Any) -> None:
    before = Observation.objects.count()
    csv_text = HEADER + "\n".join(
        [
            "feel-they-belong,,2026/27,57,570,1000,1000,good city row",  # line 2: good
            "grants,E05000000,2026-Q2,4,,,,",  # line 3: good ward row
            "grants,E09999999,2026-Q2,4,,,,",  # line 4: unknown ward
            "feel-they-belong,,2024/25,abc,,,,",  # line 5: not a number
            "feel-they-belong,,2025/26,50,,,,",  # line 6: period already saved
            "grants,E05000001,2026-Q2,2,,,,",  # line 7: good
            "grants,E05000001,2026-Q2,3,,,,",  # line 8: repeats line 7
            "feel-they-belong,,1899,50,,,,",  # line 9: out of range
            "feel-they-belong,,2031,50,,,,",  # line 10: in the future
            "nothing-here,,2025,1,,,,",  # line 11: unknown measure
            "feel-they-belong,,2026-Q9,50,,,,",  # line 12: not a period
            "feel-they-belong,,2026-Q1,150,,,,",  # line 13: % over 100
            "feel-they-belong,E05000000,2026-Q1,50,,,,",  # line 14: city-only measure given a ward
        ]
    )
    response = upload(officer_client, csv_text)
    assert response.status_code == 200
    record = ObservationImport.objects.get()
    assert record.rows_saved == 3
    assert Observation.objects.count() == before + 3
    lines = {item["line"]: item["reason"] for item in record.rejections}
    assert sorted(lines) == [4, 5, 6, 8, 9, 10, 11, 12, 13, 14]
    assert "E09999999" in lines[4]
    assert "not a number" in lines[5]
    assert "already a figure" in lines[6]
    assert "repeats line 7" in lines[8]
    assert "before 2000" in lines[9]
    assert "not started yet" in lines[10]
    assert "no measure called" in lines[11]
    assert "not a period we understand" in lines[12]
    assert "between 0 and 100" in lines[13]
    assert "whole city only" in lines[14]
    # The officer sees the result page with every rejected row.
    content = response.content.decode()
    assert "3 rows saved" in content
    assert "Line" in content and "repeats line 7" in content
    # The saved figure did not change.
    assert Observation.objects.get(measure__slug="feel-they-belong", period_label="2025/26").value == 55.0
    assert Job.objects.get().status == Job.Status.DONE
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="strategy.observation").count() == 3


def test_the_status_is_recomputed_after_an_import(officer_client: Client, strategy_data: dict, upload: Any) -> None:
    measure = strategy_data["belong"]
    upload(officer_client, HEADER + "feel-they-belong,,2026/27,20,200,1000,1000,\n")
    measure.refresh_from_db()
    assert measure.latest_value == 20.0
    assert measure.status == "off_track"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("period,value\n2025,1\n", "f.csv", "no column called “measure”"),
        ("measure,period,value,colour\nx,2025,1,red\n", "f.csv", "we do not know the column “colour”"),
        ("", "f.csv", "The file is empty"),
        (b"PK\x03\x04binaryzipdata", "f.csv", "looks like an Excel file"),
        (b"\x00\x01\x02\xff\xfe\x00", "f.csv", "not a CSV"),
        ("measure,period,value\n", "figures.pdf", "must be a CSV file"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_message(
    officer_client: Client, strategy_data: dict, content: Any, name: str, message: str, upload: Any
) -> None:
    before = list(Observation.objects.values_list("pk", "value"))
    response = upload(officer_client, content, name)
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert list(Observation.objects.values_list("pk", "value")) == before
    assert not ObservationImport.objects.exists()


def test_a_huge_file_is_refused_before_it_is_read(officer_client: Client, strategy_data: dict, settings: Any, upload: Any) -> None:
    settings.COHESION_MAX_UPLOAD_BYTES = 10_000
    big = HEADER + "feel-they-belong,,2025,1,,,,\n" * 5000
    response = upload(officer_client, big)
    assert response.status_code == 413
    assert "must be smaller than" in response.content.decode()
    assert not ObservationImport.objects.exists()


def test_import_accepts_a_spreadsheet_with_a_byte_order_mark_and_windows_encoding(officer_client: Client, strategy_data: dict, upload: Any) -> None:
    text = "\ufeff" + HEADER + "feel-they-belong,,2026/27,57.5,,,,café figures\n"
    upload(officer_client, text.encode("utf-8"))
    assert Observation.objects.filter(note="café figures").exists()
    upload(officer_client, (HEADER + "grants,E05000002,2026-Q2,1,,,,naïve\n").encode("cp1252"))
    assert Observation.objects.filter(note="naïve").exists()


def test_a_file_over_the_limit_is_refused_by_the_form_too(officer_client: Client, strategy_data: dict, settings: Any, upload: Any) -> None:
    settings.COHESION_MAX_UPLOAD_BYTES = 1_000
    response = upload(officer_client, HEADER + "feel-they-belong,,2025,1,,,,\n" * 100)
    assert "must be smaller than" in response.content.decode()
    assert not ObservationImport.objects.exists()
