"""The weekly tension briefing as PDF, made from the same HTML with WeasyPrint."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from cohesion.strategy.reports import _static_fetcher


def briefing_pdf_bytes(*, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # slow to import: only when a PDF is asked for

    html = render_to_string("tensions/briefing.html", {**context, "for_pdf": True})
    return HTML(
        string=html, base_url="http://localhost/", url_fetcher=_static_fetcher()
    ).write_pdf()
