"""Partner systems post rumour reports and read published myth-busters (token or session).

Added to the project's API with ``api.add_router("/rumours", router)``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from cohesion.api.common import DuplicateOut, ErrorOut, api_user
from cohesion.core.models import Role
from cohesion.core.services import ward_for_new_record

from . import matching, selectors, services
from .models import Channel, Sighting

router = Router(tags=["rumours"])


class RumourReportIn(Schema):
    text: str = Field(
        description="What is being said (up to 5,000 characters). Do not put names here",
        examples=["People are saying the new houses in Hanley are only for refugees"],
    )
    channel: str = Field(
        description="One of: " + ", ".join(Channel.values), examples=[Channel.values[1]]
    )
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
    kind: str = Field(description="rebuttal (a published myth-buster) or claim (officers only)")
    id: int = Field(description="The myth-buster's or the claim's number")
    claim_id: int = Field(description="The claim it belongs to")
    title: str = Field(description="The myth-buster's headline or the claim's title")
    score: float = Field(description="How close it is to the report, from 0 to 1")
    band: str = Field(
        description="strong (0.6 or more), possible (0.45 or more) or weak: a hint, never a merge"
    )
    url: str = Field(description="Its page: public for a myth-buster, for officers for a claim")


class RumourReportOut(Schema):
    id: int = Field(description="The report's number on the rumour desk")
    state: str = Field(description="waiting: an officer has yet to look at it")
    language: str | None = Field(
        description="The language the report is written in (ISO 639-1, such as en or pl), as the computer guessed it; null when it is not sure"
    )
    suggestions: list[SuggestionOut] = Field(
        description="Myth-busters (and, for officers, claims) that may say the same; nothing is joined until an officer confirms"
    )


class MythBusterOut(Schema):
    id: int = Field(description="The myth-buster's number")
    slug: str = Field(description="The last part of its web address")
    headline: str = Field(description="Its title, which says the facts in a few words")
    what_is_said: str = Field(description="The rumour, as people tell it")
    verdict: str = Field(description="false, misleading, missing_context or true")
    the_facts: str = Field(description="What is really the case, in plain English")
    url: str = Field(description="Its public page")
    published_at: datetime = Field(description="When it was published")


@router.post(
    "/reports",
    response={201: RumourReportOut, 403: ErrorOut, 409: DuplicateOut, 422: ErrorOut},
    url_name="rumour_report_create",
    summary="Send a rumour report",
)
def report_create(request: HttpRequest, payload: RumourReportIn) -> Any:
    """Tell the rumour desk what is being said, where and on which channel. For partners and
    officers.

    The answer lists the published myth-busters (and, for officers, the claims on file) that
    may say the same, best first, each with its score. Nothing is joined to a claim until an
    officer confirms it. The same report (words, ward and channel) sent again within 30 days is
    refused with 409."""
    user = api_user(request, Role.PARTNER, Role.OFFICER)
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


@router.get(
    "/myth-busters",
    response=list[MythBusterOut],
    url_name="rumour_mythbusters",
    summary="Search the published myth-busters",
)
def mythbusters(
    request: HttpRequest,
    q: Annotated[
        str, Query(description="What you have heard, in any words; leave out for all")
    ] = "",
) -> Any:
    """Published myth-busters, newest first, at most 100. ``q`` searches them: by their words,
    then by meaning, so other words for the same rumour find it too. For partners, councillors
    and officers."""
    api_user(request, Role.PARTNER, Role.COUNCILLOR, Role.OFFICER)
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
