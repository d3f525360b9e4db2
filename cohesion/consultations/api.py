"""Published consultation results for partner systems (the same suppressed figures as the page).

Added to the project's API with ``api.add_router("/consultations", router)``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from . import selectors
from .models import Consultation

router = Router(tags=["consultations"])


class ConsultationOut(Schema):
    slug: str
    title: str
    opens_on: str
    closes_on: str
    results_published: bool


@router.get("/", response=list[ConsultationOut], url_name="list_consultations")
def list_consultations(request: HttpRequest) -> Any:
    """Published consultations."""
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


@router.get("/{slug}/results", url_name="consultation_results")
def consultation_results(request: HttpRequest, slug: str) -> Any:
    """ "We asked, you said, we did": results with counts under 5 hidden (null), themes and quotes."""
    consultation = get_object_or_404(Consultation, slug=slug, results_published_at__isnull=False)
    return selectors.public_json(consultation=consultation)
