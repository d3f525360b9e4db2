"""Partner systems post rumour reports and read published myth-busters (token or session).

Added to the project's API with ``api.add_router("/rumours", router)``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from cohesion.core.models import Role, User
from cohesion.core.services import ward_for_new_record

from . import matching, selectors, services
from .models import Channel, Sighting

router = Router(tags=["rumours"])


def _user(request: HttpRequest, *roles: str) -> User:
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        user = request.user
    if not isinstance(user, User) or not user.has_role(*roles):
        raise HttpError(403, "Your role does not allow this.")
    return user


class RumourReportIn(Schema):
    text: str = Field(
        description="What is being said (up to 5,000 characters). Do not put names here"
    )
    channel: str = Field(description="One of: " + ", ".join(Channel.values))
    ward_code: str | None = Field(
        default=None, description="The ward's ONS code; leave out if not known"
    )
    seen_on: date | None = Field(
        default=None, description="When it was seen (not in the future); today if left out"
    )
    reach: int = Field(
        default=1, description="How widely: 1 a few people, 2 a group, 3 many, 4 everywhere"
    )
    link: str = Field(
        default="", description="The post's web address (checked for form only, never opened)"
    )
    people_named: str = Field(
        default="",
        description="Names of people the rumour is about (officers only; deleted after the retention period)",
    )


class SuggestionOut(Schema):
    kind: str
    id: int
    claim_id: int
    title: str
    score: float
    band: str
    url: str


class RumourReportOut(Schema):
    id: int
    state: str
    language: str | None = Field(
        description="The language the report is written in (ISO 639-1, such as en or pl), as the computer guessed it; null when it is not sure"
    )
    suggestions: list[SuggestionOut] = Field(
        description="Myth-busters (and, for officers, claims) that may say the same; nothing is joined until an officer confirms"
    )


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}
    existing_id: int | None = None


class MythBusterOut(Schema):
    id: int
    slug: str
    headline: str
    what_is_said: str
    verdict: str
    the_facts: str
    url: str
    published_at: datetime


@router.post(
    "/reports",
    response={201: RumourReportOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="rumour_report_create",
)
def report_create(request: HttpRequest, payload: RumourReportIn) -> Any:
    """Send a rumour report. The same report (words, ward and channel) sent again within 30 days
    is recognised and refused with 409."""
    user = _user(request, Role.PARTNER, Role.OFFICER)
    ward = None
    if payload.ward_code:
        ward, problem = ward_for_new_record(payload.ward_code)
        if ward is None:
            return Status(422, {"detail": "Check the report.", "errors": {"ward_code": problem}})
    data = services.SightingInput(
        text=payload.text,
        channel=payload.channel,
        ward=ward,
        seen_on=payload.seen_on,
        reach=payload.reach,
        link=payload.link,
        people_named=payload.people_named,
        source=Sighting.Source.API,
    )
    errors = services.sighting_validate(data=data)
    if errors:
        return Status(422, {"detail": "Check the report.", "errors": errors})
    try:
        sighting = services.sighting_create(data=data, actor=user, via="api", request=request)
    except services.DuplicateReport as exc:
        return Status(409, {"detail": str(exc), "existing_id": exc.existing.pk})
    except services.RumourError as exc:
        return Status(422, {"detail": str(exc)})
    found = matching.suggestions(text=sighting.text, include_claims=user.has_role(Role.OFFICER))
    return Status(
        201,
        {
            "id": sighting.pk,
            "state": sighting.state,
            "language": sighting.language or None,
            "suggestions": [
                {**s.as_json(), "url": request.build_absolute_uri(s.url)} for s in found
            ],
        },
    )


@router.get("/myth-busters", response=list[MythBusterOut], url_name="rumour_mythbusters")
def mythbusters(request: HttpRequest, q: str = "") -> Any:
    """Published myth-busters, newest first; ``q`` searches them (words, or the same meaning)."""
    _user(request, Role.PARTNER, Role.COUNCILLOR, Role.OFFICER)
    return [
        {
            "id": r.pk,
            "slug": r.slug,
            "headline": r.headline,
            "what_is_said": r.what_is_said,
            "verdict": r.verdict,
            "the_facts": r.the_facts,
            "url": request.build_absolute_uri(r.get_absolute_url()),
            "published_at": r.published_at,
        }
        for r in selectors.myth_search(q=q[:200], limit=100)
    ]
