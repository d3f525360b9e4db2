"""Published consultation results for partner systems (the same suppressed figures as the page).

Added to the project's API with ``api.add_router("/consultations", router)``.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema

from . import selectors
from .models import Consultation

router = Router(tags=["consultations"])


class ConsultationOut(Schema):
    slug: str = Field(description="The consultation's name in web addresses")
    title: str = Field(description="Its title")
    opens_on: str = Field(description="The day it opens (YYYY-MM-DD)")
    closes_on: str = Field(description="The day it closes (YYYY-MM-DD)")
    results_published: bool = Field(description="True once its results can be read")


@router.get(
    "/",
    response=list[ConsultationOut],
    url_name="list_consultations",
    summary="List the published consultations",
)
def list_consultations(request: HttpRequest) -> Any:
    """The published consultations, open and closed, with their dates and whether their
    results can be read yet. For any token or signed-in user."""
    return [
        {
            "slug": c.slug,
            "title": c.title,
            "opens_on": c.opens_on.isoformat(),
            "closes_on": c.closes_on.isoformat(),
            "results_published": c.results_published_at is not None,
        }
        for c in selectors.consultations_public()
    ]


@router.get(
    "/{slug}/results",
    url_name="consultation_results",
    summary="Get a consultation's results",
)
def consultation_results(
    request: HttpRequest,
    slug: Annotated[
        str, Path(description="The consultation's slug, from the list of consultations")
    ],
) -> Any:
    """ "We asked, you said, we did": results with counts under 5 hidden (null), themes and quotes."""
    consultation = get_object_or_404(Consultation, slug=slug, results_published_at__isnull=False)
    return selectors.public_json(consultation=consultation)
