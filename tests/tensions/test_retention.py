"""Reports past the retention period lose their personal details; the counts stay the same."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.core.management import call_command

from cohesion.core.models import AuditEvent
from cohesion.tensions.models import TensionReport
from cohesion.tensions.services import weekly_counts
from tests.tensions.conftest import TODAY, report_kwargs

pytestmark = pytest.mark.django_db


def test_retention_redacts_personal_details_and_keeps_counts(tension_data: dict) -> None:
    a, b = tension_data["wards"][:2]
    old = TensionReport.objects.create(
        ward=a,
        occurred_on=TODAY - timedelta(days=400),
        postcode="ST1 1AA",
        latitude=53.0,
        longitude=-2.2,
        has_personal_details=True,
        personal_details="Jo Bloggs, 1 High Street",
        **report_kwargs(summary="Jo Bloggs was shouted at"),
    )
    old_plain = TensionReport.objects.create(
        ward=b,
        occurred_on=TODAY - timedelta(days=380),
        **report_kwargs(summary="Graffiti on a wall"),
    )
    recent = TensionReport.objects.create(
        ward=a,
        occurred_on=TODAY - timedelta(days=20),
        has_personal_details=True,
        personal_details="Sam Smith",
        **report_kwargs(),
    )
    before = weekly_counts(current_week=TODAY, wards=tension_data["wards"])
    call_command("tensions_retention", "--today", TODAY.isoformat())
    old.refresh_from_db()
    old_plain.refresh_from_db()
    recent.refresh_from_db()
    assert old.personal_details == "" and old.postcode == "" and old.latitude is None
    assert "Jo Bloggs" not in old.summary and old.redacted_at is not None
    assert old.ward == a and old.category == "online" and old.impact == 2
    assert old_plain.summary == "Graffiti on a wall" and old_plain.redacted_at is not None
    assert recent.personal_details == "Sam Smith" and recent.redacted_at is None
    after = weekly_counts(current_week=TODAY, wards=tension_data["wards"])
    assert np.array_equal(before.counts, after.counts)
    event = AuditEvent.objects.get(object_type="tensions.tensionreport", action="update")
    assert event.changes["redacted"] == 2
    # Running again changes nothing.
    call_command("tensions_retention", "--today", TODAY.isoformat())
    assert (
        AuditEvent.objects.filter(object_type="tensions.tensionreport", action="update").count()
        == 1
    )
