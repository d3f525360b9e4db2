"""The progress report for cabinet: HTML, and PDF made from the same HTML with WeasyPrint."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from cohesion.core.audit import audit_record
from cohesion.core.jobs import job_fail, job_finish, job_progress
from cohesion.core.models import AuditEvent, User

from . import selectors
from .models import Measure, Observation, ProgressReport


def report_context() -> dict[str, Any]:
    strategy = selectors.strategy_current()
    priorities = list(selectors.priorities_with_measures(strategy=strategy)) if strategy else []
    measure_ids = {m.pk for p in priorities for m in p.measures.all()}
    observations: dict[int, list[Observation]] = {pk: [] for pk in measure_ids}
    for obs in Observation.objects.city().filter(measure_id__in=measure_ids).order_by("period_end"):
        observations[obs.measure_id].append(obs)
    sections = []
    for priority in priorities:
        items = []
        for measure in priority.measures.all():
            items.append({
                "measure": measure,
                "chart": selectors.measure_chart(measure=measure, observations=observations[measure.pk]),
                "chart_id": f"p{priority.number}-{measure.slug}",
            })
        sections.append({"priority": priority, "measures": items})
    all_measures = list(Measure.objects.published())
    return {
        "strategy": strategy,
        "sections": sections,
        "summary": selectors.status_summary(measures=all_measures),
        "made_at": timezone.now(),
    }


def _static_fetcher() -> Any:
    """A WeasyPrint fetcher that reads our own static files and nothing else (no network)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = urlparse(url).path
            if path.startswith("/static/"):
                found = finders.find(path.removeprefix("/static/"))
                if isinstance(found, str):
                    with open(found, "rb") as handle:  # noqa: PTH123
                        data = handle.read()
                    content_type = "text/css" if path.endswith(".css") else "application/octet-stream"
                    return URLFetcherResponse(url, data, {"Content-Type": content_type})
            raise ValueError(f"Not fetching {url}: reports use only the platform's own files")

    return StaticOnlyFetcher()


def report_pdf_bytes(*, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: it is slow to import and only tasks need it

    html = render_to_string("reports/progress_report.html", {**context, "for_pdf": True})
    return HTML(string=html, base_url="http://localhost/", url_fetcher=_static_fetcher()).write_pdf()


def report_pdf_run(*, job_id: str, user_id: int | None) -> None:
    try:
        _report_pdf_run(job_id=job_id, user_id=user_id)
    except Exception:
        job_fail(job_id=job_id, message="The PDF could not be made. Try again; if it fails again, tell the platform admin.")
        raise


def _report_pdf_run(*, job_id: str, user_id: int | None) -> None:
    job_progress(job_id=job_id, done=0, total=3, message="Collecting the figures")
    context = report_context()
    job_progress(job_id=job_id, done=1, total=3, message="Drawing the pages")
    pdf = report_pdf_bytes(context=context)
    job_progress(job_id=job_id, done=2, total=3, message="Saving the PDF")
    user = User.objects.filter(pk=user_id).first() if user_id else None
    strategy = context["strategy"]
    title = f"Progress report: {strategy.title if strategy else 'strategy'} ({timezone.localdate():%d %B %Y})"
    report = ProgressReport.objects.create(created_by=user, title=title, pdf=pdf)
    audit_record(actor=user, action=AuditEvent.Action.CREATE, obj=report, via="task")
    job_finish(job_id=job_id, result={"report_id": report.pk}, message="The PDF is ready")
