"""The progress report for cabinet: HTML and PDF, one page per priority, charts included."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from cohesion.core.models import AuditEvent, Job, Role
from cohesion.strategy.models import ProgressReport


def test_the_html_report_has_a_section_and_chart_per_priority(make_user: Any, strategy_data: dict) -> None:
    client = Client()
    client.force_login(make_user(Role.COUNCILLOR))
    page = client.get(reverse("reports:progress_html")).content.decode()
    assert page.count('class="report-priority"') == 2
    assert page.count("app-chart__svg") == 2
    assert "Priority 1: Taking part" in page


def test_a_councillor_makes_and_downloads_the_pdf(make_user: Any, strategy_data: dict, django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    client.force_login(make_user(Role.COUNCILLOR))
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("reports:progress_pdf"))
    assert started.status_code == 302
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and job.percent == 100
    download = client.get(started["Location"], follow=True)
    assert download["Content-Type"] == "application/pdf"
    pdf = download.content
    assert pdf.startswith(b"%PDF")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert "Progress report" in pages[0]
    # Each priority starts on a new page, with its measures and their charts after it.
    assert "Priority 1: Taking part" in pages[1] and "People who feel they belong" in pages[1]
    assert "Baseline" in pages[1] and "Target" in pages[1]  # the chart's labels
    second = next(i for i, text in enumerate(pages) if "Priority 2: Spotting tensions early" in text)
    assert second > 1 and pages[second].lstrip().startswith("Priority 2")
    assert ProgressReport.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="strategy.progressreport").exists()


def test_a_job_page_shows_progress_while_it_runs(make_user: Any, db: None) -> None:
    user = make_user(Role.OFFICER)
    job = Job.objects.create(kind="progress_report", title="Progress report (PDF)", started_by=user, done=1, total=4, status=Job.Status.RUNNING, message="Drawing the pages")
    client = Client()
    client.force_login(user)
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert 'value="25"' in page and "Drawing the pages" in page
    assert "Check progress" in page  # works without JavaScript
    status = client.get(reverse("core:job_status", args=[job.pk])).json()
    assert status == {"status": "running", "status_label": "Running", "percent": 25, "message": "Drawing the pages", "finished": False, "next_url": None}
