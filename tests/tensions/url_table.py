"""Community tensions in the permission table (see tests/url_roles.py). Nothing here is public."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from cohesion.core.jobs import job_create
from cohesion.core.models import Role
from tests.url_roles import REPORTS, SIGNED_IN, STAFF, STAFF_POST_ONLY

#: Partners and officers log and read reports; councillors see only the aggregated picture.
REPORTERS = {**SIGNED_IN, Role.COUNCILLOR: 403}

EXPECTED: dict[str, dict[str, int]] = {
    "tensions:index": SIGNED_IN,
    "tensions:report_list": REPORTERS,
    "tensions:report_new": REPORTERS,
    "tensions:report_detail": REPORTERS,
    "tensions:import_new": STAFF,
    "tensions:import_detail": STAFF,
    "tensions:alert_list": STAFF,
    "tensions:alert_run": STAFF_POST_ONLY,
    "tensions:alert_detail": STAFF,
    "tensions:alert_acknowledge": STAFF_POST_ONLY,
    "tensions:alert_action": STAFF,
    "tensions:alert_close": STAFF_POST_ONLY,
    "tensions:level_matrix": SIGNED_IN,
    "tensions:level_set": STAFF,
    "tensions:level_week": STAFF,
    "tensions:ward_map": SIGNED_IN,
    "tensions:ward_detail": SIGNED_IN,
    "tensions:briefing": REPORTS,
    "tensions:briefing_pdf": REPORTS,
    "api:list_tension_reports": {
        "anonymous": 401,
        Role.PARTNER: 200,
        Role.COUNCILLOR: 403,
        Role.OFFICER: 200,
        Role.ADMIN: 200,
    },
    # GET of the same URL lists; POST is tested in tests/tensions/test_api.py.
    "api:create_tension_report": {
        "anonymous": 401,
        Role.PARTNER: 200,
        Role.COUNCILLOR: 403,
        Role.OFFICER: 200,
        Role.ADMIN: 200,
    },
}


def world_kwargs(
    strategy_data: dict[str, Any], users: dict[str, Any], make_user: Any
) -> dict[str, Any]:
    from cohesion.tensions.models import Alert, ReportImport, TensionReport, week_start

    ward = strategy_data["wards"][0]
    officer = users[Role.OFFICER]
    today = timezone.localdate()
    report = TensionReport.objects.create(
        summary="Graffiti on a bus shelter",
        occurred_on=today - timedelta(days=2),
        ward=ward,
        category="hate_incident",
        community="race",
        impact=3,
        source_reliability="2",
        reporter_confidence="1",
        has_personal_details=True,
        personal_details="Name of the person affected",
        organisation=strategy_data["org"],
    )
    job = job_create(kind="tension_import", title="Import", started_by=officer)
    record = ReportImport.objects.create(uploaded_by=officer, filename="x.csv", content="", job=job)
    alert = Alert.objects.create(
        kind="ward",
        ward_codes=[ward.code],
        key=f"ward|{ward.code}|online",
        category="online",
        week_start=week_start(today),
        observed=7,
        expected=1.8,
        threshold=4.9,
        method="ears_c2",
        data_version="test",
        sentence=f"{ward.name}: 7 reports of online tension this week; about 1.8 expected; alert threshold 4.9",
    )
    alert.wards.set([ward])
    on_alert = {"pk": alert.pk}
    return {
        "tensions:report_detail": {"pk": report.pk},
        "tensions:import_detail": {"pk": record.pk},
        "tensions:alert_detail": on_alert,
        "tensions:alert_acknowledge": on_alert,
        "tensions:alert_action": on_alert,
        "tensions:alert_close": on_alert,
        "tensions:ward_detail": {"code": ward.code},
    }
