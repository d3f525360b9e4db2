"""Partner systems post and read tension reports (token or signed-in session).

Added to the project's API with ``api.add_router("/tensions", router)``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from cohesion.api.common import DuplicateOut, ErrorOut, api_user
from cohesion.core.models import Role, User
from cohesion.core.services import ward_for_new_record

from . import selectors, services
from .models import Category, Community, ReporterConfidence, SourceReliability, TensionReport

router = Router(tags=["tensions"])


def _reporter(request: HttpRequest) -> User:
    return api_user(request, Role.PARTNER, Role.OFFICER)


class TensionReportIn(Schema):
    summary: str = Field(
        description="What happened, without names",
        max_length=4000,
        examples=["Leaflets against the new mosque put through doors on two streets"],
    )
    occurred_on: date = Field(description="When it happened (not in the future)")
    ward_code: str = Field(
        description="The ward's ONS code, for example E05008714",
        max_length=20,
        examples=["E05008714"],
    )
    category: str = Field(
        description="One of: " + ", ".join(Category.values), examples=[Category.values[0]]
    )
    community: str = Field(
        description="One of: " + ", ".join(Community.values), examples=[Community.values[0]]
    )
    impact: int = Field(description="1 (very low) to 5 (very high)", examples=[2])
    source_reliability: str = Field(
        description="1 (reliable) to 5 (cannot say): "
        + "; ".join(f"{v} = {label}" for v, label in SourceReliability.choices),
        examples=["2"],
    )
    reporter_confidence: str = Field(
        description="1 (certain) to 5 (doubtful): "
        + "; ".join(f"{v} = {label}" for v, label in ReporterConfidence.choices),
        examples=["2"],
    )
    postcode: str = Field(
        default="",
        max_length=10,
        description="Where it happened, if known; deleted at the end of the retention period",
    )
    latitude: float | None = Field(default=None, description="Where it happened, if known")
    longitude: float | None = Field(default=None, description="Where it happened, if known")
    has_personal_details: bool = Field(
        default=False, description="True if personal_details names or describes people"
    )
    personal_details: str = Field(
        default="",
        max_length=4000,
        description="Names or details of people, kept apart and seen only by those who need them",
    )
    reference: str = Field(default="", max_length=60, description="Your system's own reference")


class TensionReportOut(Schema):
    id: int = Field(description="The report's number")
    occurred_on: date = Field(description="When it happened")
    ward_code: str = Field(description="The ward's ONS code")
    category: str = Field(description="What kind of tension, as sent")
    community: str = Field(description="Which community it affects, as sent")
    impact: int = Field(description="1 (very low) to 5 (very high)")
    summary: str = Field(description="What happened")
    organisation: str | None = Field(description="The organisation that sent it")
    has_personal_details: bool = Field(description="True if it holds personal details")
    personal_details: str | None = Field(description="Only for your own organisation's reports")
    redacted: bool = Field(description="True once its personal details have been deleted")


def _out(report: TensionReport, *, user: User) -> dict[str, Any]:
    personal = selectors.may_see_personal_details(user=user, report=report)
    return {
        "id": report.pk,
        "occurred_on": report.occurred_on,
        "ward_code": report.ward.code,
        "category": report.category,
        "community": report.community,
        "impact": report.impact,
        "summary": report.summary,
        "organisation": report.organisation.name if report.organisation else None,
        "has_personal_details": report.has_personal_details,
        "personal_details": report.personal_details if personal else None,
        "redacted": report.redacted_at is not None,
    }


@router.get("/reports", response=list[TensionReportOut], summary="List tension reports")
def list_tension_reports(
    request: HttpRequest,
    since: Annotated[
        date | None, Query(description="Only things that happened on or after this day")
    ] = None,
    ward_code: Annotated[
        str | None, Query(description="Only this ward's reports (its ONS code)")
    ] = None,
) -> Any:
    """Your organisation's reports (all of them if you are an officer), newest first, at most
    500. ``since`` keeps those that happened on or after that date; ``ward_code`` one ward's.
    For partners and officers."""
    user = _reporter(request)
    reports = selectors.reports_for(user=user)
    if not selectors.is_staff(user):
        reports = (
            reports.filter(organisation_id=user.organisation_id)
            if user.organisation_id
            else reports.filter(reported_by=user)
        )
    if since:
        reports = reports.filter(occurred_on__gte=since)
    if ward_code:
        reports = reports.filter(ward__code=ward_code.strip().upper())
    return [_out(r, user=user) for r in reports[:500]]


@router.post(
    "/reports",
    response={201: TensionReportOut, 403: ErrorOut, 409: DuplicateOut, 422: ErrorOut},
    summary="Send a tension report",
)
def create_tension_report(request: HttpRequest, payload: TensionReportIn) -> Any:
    """Log a tension report from a partner system (partners and officers). A report whose
    ``reference`` your organisation has already posted is refused with 409 and the first
    report's id, so that a retry does not count twice in the early warning."""
    user = _reporter(request)
    ward, problem = ward_for_new_record(payload.ward_code)
    if ward is None:
        return Status(422, {"detail": "Check the report.", "errors": {"ward_code": problem}})
    data = services.ReportInput(
        summary=payload.summary,
        occurred_on=payload.occurred_on,
        ward=ward,
        category=payload.category,
        community=payload.community,
        impact=payload.impact,
        source_reliability=payload.source_reliability,
        reporter_confidence=payload.reporter_confidence,
        has_personal_details=payload.has_personal_details,
        personal_details=payload.personal_details,
        postcode=payload.postcode,
        latitude=payload.latitude,
        longitude=payload.longitude,
        external_ref=payload.reference,
    )
    errors = services.report_validate(data=data)
    if errors:
        return Status(422, {"detail": "Check the report.", "errors": errors})
    with transaction.atomic():
        existing = services.report_posted_before(reference=payload.reference, user=user)
        if existing is not None:
            return Status(
                409,
                {
                    "detail": (
                        f"Your organisation already sent the report “{payload.reference.strip()}”"
                        f" (report {existing.pk}). Nothing new was saved."
                    ),
                    "existing_id": existing.pk,
                },
            )
        report = services.report_create(
            data=data, actor=user, source=TensionReport.Source.API, via="api"
        )
    return Status(201, _out(report, user=user))
