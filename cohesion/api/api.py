"""The JSON API for partner systems (token) and the browser (session with CSRF)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from cohesion.core import disclosure
from cohesion.core.models import Role, User, Ward
from cohesion.core.permissions import STAFF_ROLES
from cohesion.core.tokens import api_token_authenticate
from cohesion.strategy import services
from cohesion.strategy.models import Measure, Observation
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
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        user = request.user
    if not isinstance(user, User) or not user.has_role(Role.PARTNER, Role.COUNCILLOR, Role.OFFICER):
        raise HttpError(403, "Your role does not allow this.")
    return user


api = NinjaAPI(
    title="Cohesion API",
    version="1.0",
    description=(
        "Read and write the strategy's measures and their figures. Partner systems authenticate "
        "with a bearer token; the browser uses its signed-in session (with the CSRF token)."
    ),
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
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
    code: str = Field(description="ONS GSS code")
    name: str
    population: int | None


class MeasureOut(Schema):
    slug: str
    title: str
    definition: str
    kind: str
    unit: str
    direction: str
    level: str
    frequency: str
    source: str
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    status: str
    status_reason: str
    latest_value: float | None
    latest_period_end: date | None
    priorities: list[int]

    @staticmethod
    def resolve_priorities(obj: Measure) -> list[int]:
        return [p.number for p in obj.priorities.all()]


class ObservationOut(Schema):
    id: int
    ward_code: str | None
    period: str
    period_start: date
    period_end: date
    value: float | None = Field(
        description="Empty when suppressed because fewer than 5 people are counted"
    )
    suppressed: bool = False
    numerator: float | None
    denominator: float | None
    sample_size: int | None
    note: str


class ObservationIn(Schema):
    period: str = Field(
        description="2025, 2025-Q2, 2025/26, 2025-06 or 2025-06-30", examples=["2025-Q2"]
    )
    value: float
    ward_code: str | None = Field(default=None, description="Leave out for the whole city")
    numerator: float | None = None
    denominator: float | None = None
    sample_size: int | None = None
    note: str = Field(default="", max_length=300)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


@api.get("/wards", response=list[WardOut], tags=["places"])
def list_wards(request: HttpRequest) -> Any:
    _signed_in_partner_or_staff(request)
    return Ward.objects.order_by("name")


@api.get("/measures", response=list[MeasureOut], tags=["measures"])
def list_measures(request: HttpRequest) -> Any:
    _signed_in_partner_or_staff(request)
    return Measure.objects.published().prefetch_related("priorities").order_by("title")


@api.get("/measures/{slug}", response=MeasureOut, tags=["measures"])
def get_measure(request: HttpRequest, slug: str) -> Any:
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


@api.get("/measures/{slug}/observations", response=list[ObservationOut], tags=["measures"])
def list_observations(
    request: HttpRequest, slug: str, ward_code: str | None = None, since: date | None = None
) -> Any:
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
)
def create_observation(request: HttpRequest, slug: str, payload: ObservationIn) -> Any:
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
