"""The API's reference page for partners' developers (the OpenAPI description, as a web page)."""

from __future__ import annotations

from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cohesion.core.permissions import public

from .reference import Reference, describe


@lru_cache(maxsize=8)  # one per address the site is reached at (ALLOWED_HOSTS)
def _reference(base_url: str) -> Reference:
    from .api import api

    return describe(api.get_openapi_schema(), base_url=base_url)


@public
def docs(request: HttpRequest) -> HttpResponse:
    """Every endpoint, what to send and what comes back, in the GOV.UK style; the same
    description as ``/api/openapi.json``, which tools read."""
    base_url = request.build_absolute_uri("/").rstrip("/")
    return render(request, "api/docs.html", {"reference": _reference(base_url)})
