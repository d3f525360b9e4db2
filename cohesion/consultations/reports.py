"""The consultation report for cabinet: the public results as a PDF (WeasyPrint, no network)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from cohesion.strategy.reports import _static_fetcher

from . import selectors
from .models import Consultation


def report_pdf_bytes(*, consultation: Consultation) -> bytes:
    from weasyprint import HTML

    context = {
        **selectors.public_results(consultation=consultation),
        "representation": selectors.representation(consultation=consultation),
        "made_at": timezone.now(),
        "for_pdf": True,
    }
    html = render_to_string("consultations/report_pdf.html", context)
    return bytes(
        HTML(string=html, base_url="http://localhost/", url_fetcher=_static_fetcher()).write_pdf()
    )
