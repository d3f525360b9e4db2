"""The nightly early warning and the demo loader, as cron and scripts/demo run them."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from cohesion.core.services import wards_load
from cohesion.tensions.models import Alert, TensionReport, WardTensionLevel
from tests.tensions.conftest import TODAY, plant_history

pytestmark = pytest.mark.django_db


def test_nightly_command_raises_alerts_once(tension_data: dict) -> None:
    a, b = tension_data["wards"][:2]
    plant_history(wards=tension_data["wards"], rise={a: 6, b: 6})
    out = StringIO()
    call_command("tensions_nightly", "--today", TODAY.isoformat(), stdout=out)
    assert "new alert" in out.getvalue()
    made = Alert.objects.count()
    assert made >= 1
    assert a.name in out.getvalue()
    call_command("tensions_nightly", "--today", TODAY.isoformat(), stdout=StringIO())
    assert Alert.objects.count() == made


def test_nightly_with_no_reports_does_nothing(tension_data: dict) -> None:
    out = StringIO()
    call_command("tensions_nightly", stdout=out)
    assert "0 new alerts" in out.getvalue()


def test_demo_loader_shows_a_planted_cluster_alert(db: None) -> None:
    geojson = Path(settings.BASE_DIR) / "demo" / "stoke_wards_2011_WD13.geojson"
    wards_load(geojson=geojson.read_bytes(), vintage="test")
    out = StringIO()
    call_command("load_demo_tensions", stdout=out)
    assert TensionReport.objects.count() > 1000
    assert WardTensionLevel.objects.count() == 37 * 6
    names = [
        set(a.wards.values_list("name", flat=True)) for a in Alert.objects.filter(category="online")
    ]
    assert any("Bentilee and Ubberley" in n and len(n) >= 2 for n in names), names
    call_command("load_demo_tensions", "--if-empty", stdout=out)
    assert "already loaded" in out.getvalue()


def test_a_gap_of_months_or_only_zeros_is_handled(
    tension_data: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reports a year ago, then nothing for months, then one this week: no error, and the run
    says what it found."""
    from datetime import timedelta

    from tests.tensions.conftest import report_kwargs

    a = tension_data["wards"][0]
    for weeks_ago in range(60, 40, -1):
        TensionReport.objects.create(
            ward=a, occurred_on=TODAY - timedelta(weeks=weeks_ago), **report_kwargs()
        )
    TensionReport.objects.create(ward=a, occurred_on=TODAY, **report_kwargs())
    out = StringIO()
    call_command("tensions_nightly", "--today", TODAY.isoformat(), stdout=out)
    # one report after months of silence is not compared with the reports before the gap
    assert "0 new alerts." in out.getvalue()
    # the ward page (seen in the same week) says why there is no expected level
    from django.urls import reverse

    from cohesion.tensions import selectors
    from tests.tensions.conftest import client_for

    monkeypatch.setattr(selectors, "current_week", lambda: selectors.week_start(TODAY))
    page = client_for(tension_data["officer"]).get(
        reverse("tensions:ward_detail", kwargs={"code": a.code})
    )
    assert page.status_code == 200
    assert "weeks with no reports, so only the weeks after it are used; " in page.content.decode()


def test_wards_with_reports_cannot_be_deleted(tension_data: dict) -> None:
    """A ward boundary change must not lose reports: a ward that has reports is kept."""
    from django.db.models import ProtectedError

    from tests.tensions.conftest import report_kwargs

    a = tension_data["wards"][0]
    TensionReport.objects.create(ward=a, occurred_on=TODAY, **report_kwargs())
    with pytest.raises(ProtectedError):
        a.delete()
    assert TensionReport.objects.count() == 1


def test_a_mistyped_today_says_how_to_write_the_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="“24/11/2026” is not a date: give it as YYYY-MM-DD"):
        call_command("tensions_nightly", "--today", "24/11/2026", stdout=StringIO())
