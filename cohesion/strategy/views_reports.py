"""Progress reports for councillors and cabinet."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cohesion.core.audit import audit_record
from cohesion.core.jobs import job_create, job_enqueue
from cohesion.core.models import AuditEvent
from cohesion.core.permissions import REPORT_ROLES, request_user, role_required

from .models import ProgressReport
from .reports import report_context
from .tasks import progress_report_pdf_task


@role_required(*REPORT_ROLES)
def report_index(request: HttpRequest) -> HttpResponse:
    reports = ProgressReport.objects.defer("pdf").select_related("created_by")[:20]
    return render(request, "reports/index.html", {"reports": reports})


@role_required(*REPORT_ROLES)
def report_html(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/progress_report.html", report_context())


@role_required(*REPORT_ROLES)
@require_POST
def report_pdf_start(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        job = job_create(kind="progress_report", title="Progress report (PDF)", started_by=request_user(request), total=3)
        job_enqueue(job=job, task=progress_report_pdf_task, user_id=request_user(request).pk)
    return redirect("core:job_detail", pk=job.pk)


@role_required(*REPORT_ROLES)
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ProgressReport, pk=pk)
    audit_record(actor=request_user(request), action=AuditEvent.Action.EXPORT, obj=report, request=request)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="progress-report-{report.created_at:%Y-%m-%d}-{report.pk}.pdf"'
    return response
