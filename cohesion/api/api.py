"""The JSON API for partner systems (token) and the browser (session with CSRF)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import ValidationError
from ninja.security import HttpBearer, django_auth

from cohesion.api.common import ErrorOut, api_user
from cohesion.core import disclosure
from cohesion.core.models import Role, User, Ward
from cohesion.core.permissions import STAFF_ROLES
from cohesion.core.tokens import api_token_authenticate
from cohesion.strategy import services
from cohesion.strategy.models import (
    DIRECTION_CHOICES,
    KIND_CHOICES,
    STATUS_CHOICES,
    Measure,
    Observation,
)
from cohesion.strategy.selectors import disclosure_counts


class TokenAuth(HttpBearer):
    """`Authorization: Bearer coh_…` with a token made on the API tokens page."""

    openapi_description = (
        "A token made on the “API tokens” page, sent as `Authorization: Bearer <token>`."
    )

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


def _signed_in_partner_or_staff(request: HttpRequest) -> User:
    return api_user(request, Role.PARTNER, Role.COUNCILLOR, Role.OFFICER)


api = NinjaAPI(
    title="Cohesion API",
    version="1.0",
    description=(
        "Your organisation's own systems can send us rumour reports, tension reports and figures "
        "for the strategy's measures, and read wards, measures, myth-busters and consultation "
        "results. Systems send a token; a signed-in browser uses its session and CSRF token."
    ),
    auth=[TokenAuth(), django_auth],
    docs_url=None,  # the reference page is our own: cohesion.api.views.docs
    urls_namespace="api",
)


def _field_message(error: dict[str, Any]) -> tuple[str, str]:
    """(field, what to fix) from one of pydantic's errors, in the API's own words."""
    names = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query")]
    field = ".".join(names) or "request"
    if error.get("type") == "missing":
        return field, "This is required"
    return field, str(error.get("msg", "This value is not valid")).rstrip(".")


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> Any:
    """A request the schema refuses gets the same shape as every other refusal:
    ``{"detail": ..., "errors": {field: what to fix}}`` (the first message for each field)."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        field, message = _field_message(error)
        errors.setdefault(field, message)
    fields = ", ".join(errors)
    return api.create_response(
        request, {"detail": f"Check the request: {fields}.", "errors": errors}, status=422
    )


class WardOut(Schema):
    code: str = Field(description="The ward's ONS code (GSS), such as E05008315")
    name: str = Field(description="The ward's name")
    population: int | None = Field(description="How many people live there, when known")


MeasureSlug = Annotated[str, Path(description="The measure's slug, from the list of measures")]


def _one_of(choices: Any) -> str:
    return "One of: " + "; ".join(f"{value} ({label.lower()})" for value, label in choices)


class MeasureOut(Schema):
    slug: str = Field(description="The measure's name in web addresses")
    title: str = Field(description="What it measures, in a few words")
    definition: str = Field(description="Exactly what is counted")
    kind: str = Field(description=_one_of(KIND_CHOICES))
    unit: str = Field(description='Such as "%" or "per 1,000 residents"')
    direction: str = Field(description=_one_of(DIRECTION_CHOICES))
    level: str = Field(description=_one_of(Measure.Level.choices))
    frequency: str = Field(description=_one_of(Measure.Frequency.choices))
    source: str = Field(description="Where the figures come from")
    baseline_value: float = Field(description="The figure at the start")
    baseline_date: date = Field(description="When the baseline was measured")
    target_value: float = Field(description="The figure the strategy aims for")
    target_date: date = Field(description="When it aims to get there")
    status: str = Field(description=_one_of(STATUS_CHOICES))
    status_reason: str = Field(description="Why it has that status, in plain English")
    latest_value: float | None = Field(
        description="The newest figure, which the status is based on"
    )
    latest_period_end: date | None = Field(description="The last day of that figure's period")
    priorities: list[int] = Field(description="The numbers of the priorities it belongs to")

    @staticmethod
    def resolve_priorities(obj: Measure) -> list[int]:
        return [p.number for p in obj.priorities.all()]


class ObservationOut(Schema):
    id: int = Field(description="The figure's number")
    ward_code: str | None = Field(description="Its ward, or null for the whole city")
    period: str = Field(description="The period as written when it was sent, such as 2025-Q2")
    period_start: date = Field(description="The period's first day")
    period_end: date = Field(description="The period's last day")
    value: float | None = Field(
        description="Empty when suppressed because fewer than 5 people are counted"
    )
    suppressed: bool = Field(default=False, description="True when the figure is hidden")
    numerator: float | None = Field(description="How many were counted (hidden when suppressed)")
    denominator: float | None = Field(description="Out of how many")
    sample_size: int | None = Field(description="How many people answered a survey")
    note: str = Field(description="Anything a reader should know")


class ObservationIn(Schema):
    period: str = Field(
        description="2025, 2025-Q2, 2025/26, 2025-06 or 2025-06-30", examples=["2025-Q2"]
    )
    value: float = Field(description="The figure, in the measure's unit", examples=[42.5])
    ward_code: str | None = Field(default=None, description="Leave out for the whole city")
    numerator: float | None = Field(
        default=None,
        description="For a rate or share: how many were counted (not more than the denominator)",
    )
    denominator: float | None = Field(
        default=None, description="For a rate or share: out of how many"
    )
    sample_size: int | None = Field(
        default=None, description="For a survey: how many people answered (1 or more)"
    )
    note: str = Field(default="", max_length=300, description="Anything a reader should know")


@api.get("/wards", response=list[WardOut], tags=["places"], summary="List the wards")
def list_wards(request: HttpRequest) -> Any:
    """The city's wards and their ONS codes, by name. For partners, councillors and officers."""
    _signed_in_partner_or_staff(request)
    return Ward.objects.order_by("name")


@api.get("/measures", response=list[MeasureOut], tags=["measures"], summary="List the measures")
def list_measures(request: HttpRequest) -> Any:
    """The published measures of progress, by title, each with the priorities it belongs to.
    For partners, councillors and officers."""
    _signed_in_partner_or_staff(request)
    return Measure.objects.published().prefetch_related("priorities").order_by("title")


@api.get("/measures/{slug}", response=MeasureOut, tags=["measures"], summary="Get one measure")
def get_measure(request: HttpRequest, slug: MeasureSlug) -> Any:
    """One published measure, named by its ``slug`` (as in the list of measures)."""
    _signed_in_partner_or_staff(request)
    return get_object_or_404(Measure.objects.published().prefetch_related("priorities"), slug=slug)


def _observation_out(obs: Observation, *, suppressed: bool) -> dict[str, Any]:
    return {
        "id": obs.pk,
        "ward_code": obs.ward.code if obs.ward else None,
        "period": obs.period_label,
        "period_start": obs.period_start,
        "period_end": obs.period_end,
        "value": None if suppressed else obs.value,
        "suppressed": suppressed,
        "numerator": None if suppressed else obs.numerator,
        "denominator": obs.denominator,
        "sample_size": obs.sample_size,
        "note": "" if suppressed else obs.note,
    }


@api.get(
    "/measures/{slug}/observations",
    response=list[ObservationOut],
    tags=["measures"],
    summary="List a measure's figures",
)
def list_observations(
    request: HttpRequest,
    slug: MeasureSlug,
    ward_code: Annotated[
        str | None, Query(description="Only this ward's figures (its ONS code)")
    ] = None,
    since: Annotated[
        date | None, Query(description="Only figures for periods that end on or after this day")
    ] = None,
) -> Any:
    """A measure's figures, oldest first. ``ward_code`` keeps one ward's; ``since`` keeps those
    for periods that end on or after that date.

    For partners and councillors, a ward's figure that could point to a few people is hidden:
    ``value`` is null and ``suppressed`` is true. Officers see every figure."""
    user = _signed_in_partner_or_staff(request)
    measure = get_object_or_404(Measure.objects.published(), slug=slug)
    rows = (
        Observation.objects.filter(measure=measure)
        .select_related("ward")
        .order_by("period_end", "ward__code")
    )
    if ward_code:
        rows = rows.filter(ward__code=ward_code.upper())
    if since:
        rows = rows.filter(period_end__gte=since)
    items = list(rows)
    hidden: set[int] = set()
    if not user.has_role(*STAFF_ROLES):
        by_period: dict[date, list[Observation]] = {}
        for obs in items:
            if obs.ward_id:
                by_period.setdefault(obs.period_end, []).append(obs)
        for group in by_period.values():
            counts = disclosure_counts(measure, group)
            if counts is None:
                continue
            table = disclosure.suppress_series(counts=counts)
            codes = {str(c.key) for c in table.cells if c.suppressed}
            hidden.update(o.pk for o in group if o.ward and o.ward.code in codes)
    return [_observation_out(o, suppressed=o.pk in hidden) for o in items]


@api.post(
    "/measures/{slug}/observations",
    response={201: ObservationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    tags=["measures"],
    summary="Send a figure for a measure",
)
def create_observation(request: HttpRequest, slug: MeasureSlug, payload: ObservationIn) -> Any:
    """Add one figure: for the whole city, or for one ward with ``ward_code``. Officers may
    send figures for any measure; a partner only for the measures whose data its organisation
    owns."""
    user = _signed_in_partner_or_staff(request)
    measure = get_object_or_404(Measure, slug=slug)
    may_send = user.has_role(*STAFF_ROLES) or (
        user.role == Role.PARTNER
        and measure.data_owner_id is not None
        and measure.data_owner_id == user.organisation_id
    )
    if not may_send:
        return Status(403, {"detail": "Your organisation does not send figures for this measure."})
    ward = None
    if payload.ward_code:
        ward = Ward.objects.filter(code=payload.ward_code.strip().upper()).first()
        if ward is None:
            return Status(
                422,
                {
                    "detail": "Check the figure.",
                    "errors": {
                        "ward_code": f"There is no ward with the code {payload.ward_code[:20]}"
                    },
                },
            )
    data = services.ObservationInput(
        measure=measure,
        period=payload.period,
        value=payload.value,
        ward=ward,
        numerator=payload.numerator,
        denominator=payload.denominator,
        sample_size=payload.sample_size,
        note=payload.note,
    )
    errors = services.observation_validate(data=data)
    if errors:
        return Status(422, {"detail": "Check the figure.", "errors": errors})
    try:
        obs = services.observation_create(data=data, actor=user, via="api")
    except services.ObservationError as exc:
        return Status(422, {"detail": str(exc), "errors": {}})
    return Status(201, _observation_out(obs, suppressed=False))


from cohesion.tensions.api import router as tensions_router  # noqa: E402

api.add_router("/tensions", tensions_router)

from cohesion.rumours.api import router as rumours_router  # noqa: E402

api.add_router("/rumours", rumours_router)

from cohesion.consultations.api import router as consultations_router  # noqa: E402

api.add_router("/consultations", consultations_router)
