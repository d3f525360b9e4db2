"""Community tension pages. Nothing here is public: every view names the roles it allows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cohesion.core.jobs import job_create, job_enqueue
from cohesion.core.models import Role, Ward
from cohesion.core.permissions import (
    REPORT_ROLES,
    SIGNED_IN_ROLES,
    STAFF_ROLES,
    request_user,
    role_required,
)

from . import selectors, services
from .forms import ActionForm, ImportForm, LevelForm, ReportForm, WeekForm, WeekLevelRowForm
from .models import Alert, Category, ReportImport, WardTensionLevel, week_start
from .tasks import earlywarning_task, import_reports_task

REPORTER_ROLES = (Role.PARTNER, Role.OFFICER)


def _week_from(request: HttpRequest) -> date:
    form = WeekForm(request.GET)
    if form.is_valid() and form.cleaned_data.get("week"):
        chosen: date = form.cleaned_data["week"]
        return week_start(min(chosen, timezone.localdate()))
    return selectors.current_week()


@role_required(*SIGNED_IN_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    context = {
        "is_staff_user": selectors.is_staff(user),
        "may_log": selectors.may_log_reports(user),
        "may_brief": user.has_role(*REPORT_ROLES),
        "alerts": list(selectors.open_alerts()[:20]) if selectors.is_staff(user) else [],
        "week": selectors.current_week(),
    }
    if selectors.may_log_reports(user):
        context["recent"] = list(selectors.reports_for(user=user)[:5])
    return render(request, "tensions/index.html", context)


# --- reports ----------------------------------------------------------------------------------


@role_required(*REPORTER_ROLES)
def report_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        data = services.ReportInput(
            summary=cd["summary"],
            occurred_on=cd["occurred_on"],
            ward=cd["ward"],
            postcode=cd.get("postcode") or "",
            latitude=cd.get("latitude"),
            longitude=cd.get("longitude"),
            category=cd["category"],
            community=cd["community"],
            impact=cd["impact"],
            source_reliability=cd["source_reliability"],
            reporter_confidence=cd["reporter_confidence"],
            has_personal_details=cd["has_personal_details"],
            personal_details=cd.get("personal_details") or "",
        )
        errors = services.report_validate(data=data)
        for name, message in errors.items():
            form.add_error(name if name in form.fields else None, message)
        if not errors:
            with transaction.atomic():
                report = services.report_create(data=data, actor=user, via="web")
            messages.success(request, "Your report has been sent. Thank you.")
            return redirect("tensions:report_detail", pk=report.pk)
    return render(request, "tensions/report_new.html", {"form": form})


@role_required(*REPORTER_ROLES)
def report_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    reports = selectors.reports_for(user=user)
    ward_code = (request.GET.get("ward") or "").strip()
    category = (request.GET.get("category") or "").strip()
    if ward_code:
        reports = reports.filter(ward__code=ward_code)
    if category in Category.values:
        reports = reports.filter(category=category)
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tensions/report_list.html",
        {
            "page": page,
            "wards": Ward.objects.order_by("name"),
            "categories": Category.choices,
            "ward_code": ward_code,
            "category": category,
        },
    )


@role_required(*REPORTER_ROLES)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    report = get_object_or_404(selectors.reports_for(user=user), pk=pk)
    show_personal = selectors.may_see_personal_details(user=user, report=report)
    if show_personal and report.has_personal_details and report.personal_details:
        services.report_personal_details_viewed(report=report, actor=user, request=request)
    return render(
        request,
        "tensions/report_detail.html",
        {"report": report, "show_personal": show_personal},
    )


# --- police import --------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def import_new(request: HttpRequest) -> HttpResponse:
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = services.decode_upload(raw=upload.read())
            services.import_text_check(text=text)
        except services.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            user = request_user(request)
            with transaction.atomic():
                job = job_create(
                    kind="tension_import", title=f"Import of {upload.name}", started_by=user
                )
                record = ReportImport.objects.create(
                    uploaded_by=user, filename=upload.name[:255], content=text, job=job
                )
                job_enqueue(job=job, task=import_reports_task, import_id=record.pk)
            return redirect("tensions:import_detail", pk=record.pk)
    return render(
        request, "tensions/import_new.html", {"form": form, "columns": services.IMPORT_COLUMNS}
    )


@role_required(*STAFF_ROLES)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ReportImport.objects.select_related("job", "uploaded_by"), pk=pk)
    return render(request, "tensions/import_detail.html", {"record": record})


# --- alerts ---------------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def alert_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or "open"
    alerts = Alert.objects.prefetch_related("wards")
    if status == "open":
        alerts = alerts.exclude(status=Alert.Status.CLOSED)
    elif status == "closed":
        alerts = alerts.filter(status=Alert.Status.CLOSED)
    page = Paginator(alerts, 50).get_page(request.GET.get("page"))
    return render(request, "tensions/alert_list.html", {"page": page, "status": status})


@role_required(*STAFF_ROLES)
@require_POST
def alert_run(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    with transaction.atomic():
        job = job_create(kind="tension_earlywarning", title="Early-warning run", started_by=user)
        job_enqueue(job=job, task=earlywarning_task)
    messages.success(
        request,
        "The early warning is running. New alerts appear on this page when it finishes; "
        "refresh the page in a minute.",
    )
    return redirect("tensions:alert_list")


@role_required(*STAFF_ROLES)
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert.objects.select_related("acknowledged_by", "closed_by"), pk=pk)
    wards = list(alert.wards.order_by("name"))
    return render(
        request,
        "tensions/alert_detail.html",
        {
            "alert": alert,
            "wards": wards,
            "reports": list(selectors.alert_reports(alert=alert, wards=wards)[:100]),
        },
    )


@role_required(*STAFF_ROLES)
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_step(request, pk, services.alert_acknowledge, "You have acknowledged the alert.")


@role_required(*STAFF_ROLES)
def alert_action(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    form = ActionForm(request.POST or None, initial={"action_taken": alert.action_taken})
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_record_action(
                alert=alert,
                actor=request_user(request),
                action_taken=form.cleaned_data["action_taken"],
            )
        except services.AlertError as exc:
            form.add_error("action_taken", str(exc))
        else:
            messages.success(request, "The action has been recorded.")
            return redirect("tensions:alert_detail", pk=pk)
    return render(
        request,
        "tensions/form_page.html",
        {
            "form": form,
            "title": "Record the action taken",
            "lead": alert.sentence,
            "back": "tensions:alert_list",
        },
    )


@role_required(*STAFF_ROLES)
@require_POST
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_step(request, pk, services.alert_close, "The alert is closed.")


def _alert_step(
    request: HttpRequest, pk: int, step: Callable[..., Alert], done: str
) -> HttpResponse:
    """Run one alert service step (acknowledge, close) and go back to the alert page."""
    alert = get_object_or_404(Alert, pk=pk)
    try:
        step(alert=alert, actor=request_user(request))
        messages.success(request, done)
    except services.AlertError as exc:
        messages.error(request, str(exc))
    return redirect("tensions:alert_detail", pk=pk)


# --- weekly levels, map, ward pages, briefing --------------------------------------------------


@role_required(*SIGNED_IN_ROLES)
def level_matrix(request: HttpRequest) -> HttpResponse:
    week = _week_from(request)
    context = selectors.level_matrix(end=week, count=12)
    context.update({"week": week, "is_staff_user": selectors.is_staff(request_user(request))})
    return render(request, "tensions/level_matrix.html", context)


@role_required(*STAFF_ROLES)
def level_set(request: HttpRequest) -> HttpResponse:
    this_week = selectors.current_week()
    initial: dict[str, object] = {"week": this_week}
    ward_code = request.GET.get("ward")
    if ward_code:
        ward = Ward.objects.filter(code=ward_code).first()
        if ward is not None:
            initial["ward"] = ward
            existing = WardTensionLevel.objects.filter(ward=ward, week_start=this_week).first()
            if existing:
                initial.update(level=existing.level, reason=existing.reason)
    form = LevelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        record = services.ward_level_set(
            ward=cd["ward"],
            week=cd["week"],
            level=cd["level"],
            reason=cd["reason"],
            actor=request_user(request),
        )
        messages.success(
            request,
            f"{record.ward.name} is at level {record.level} for the week of {record.week_start:%d %B %Y}.",
        )
        return redirect("tensions:level_matrix")
    return render(
        request,
        "tensions/form_page.html",
        {"form": form, "title": "Set a ward’s tension level", "back": "tensions:level_matrix"},
    )


@role_required(*STAFF_ROLES)
def level_week(request: HttpRequest) -> HttpResponse:
    """Set every ward's level for one week on one page (empty rows are left as they are)."""
    week = _week_from(request)
    wards = list(Ward.objects.filter(in_use=True).order_by("name"))
    current = {lv.ward_id: lv for lv in WardTensionLevel.objects.filter(week_start=week)}
    previous = {
        lv.ward_id: lv
        for lv in WardTensionLevel.objects.filter(week_start=week - timedelta(weeks=1))
    }
    rows: list[dict[str, Any]] = []
    for ward in wards:
        now = current.get(ward.pk)
        initial = {"level": now.level, "reason": now.reason} if now else {}
        form = WeekLevelRowForm(
            request.POST if request.method == "POST" else None,
            prefix=f"w{ward.pk}",
            initial=initial,
        )
        rows.append({"ward": ward, "form": form, "previous": previous.get(ward.pk), "current": now})
    if request.method == "POST" and all([row["form"].is_valid() for row in rows]):  # noqa: C419
        changed = 0
        user = request_user(request)
        with transaction.atomic():
            for row in rows:
                level = row["form"].cleaned_data.get("level")
                reason = (row["form"].cleaned_data.get("reason") or "").strip()
                saved = row["current"]
                if level and (saved is None or saved.level != level or saved.reason != reason):
                    services.ward_level_set(
                        ward=row["ward"], week=week, level=level, reason=reason, actor=user
                    )
                    changed += 1
        messages.success(
            request,
            f"Saved {changed} ward level{'s' if changed != 1 else ''} for the week of "
            f"{week:%d %B %Y}.",
        )
        return redirect("tensions:level_matrix")
    errors = [
        {
            "ward": row["ward"],
            "field": name,
            "message": message,
            "id": f"id_w{row['ward'].pk}-{name}",
        }
        for row in rows
        for name, messages_list in (row["form"].errors.items() if request.method == "POST" else [])
        for message in messages_list
    ]
    return render(
        request, "tensions/level_week.html", {"week": week, "rows": rows, "errors": errors}
    )


@role_required(*SIGNED_IN_ROLES)
def ward_map(request: HttpRequest) -> HttpResponse:
    week = _week_from(request)
    staff = selectors.is_staff(request_user(request))
    context = selectors.ward_map(week=week, show_alerts=staff)
    context.update({"week": week, "is_staff_user": staff})
    return render(request, "tensions/ward_map.html", context)


@role_required(*SIGNED_IN_ROLES)
def ward_detail(request: HttpRequest, code: str) -> HttpResponse:
    ward = get_object_or_404(Ward, code=code)
    week = selectors.current_week()
    user = request_user(request)
    context = {
        "ward": ward,
        "week": week,
        "series": selectors.ward_series(ward=ward, end=week),
        "is_staff_user": selectors.is_staff(user),
        **selectors.ward_summary(ward=ward, end=week),
    }
    if not selectors.is_staff(user):
        context["alerts"] = []
    return render(request, "tensions/ward_detail.html", context)


@role_required(*REPORT_ROLES)
def briefing(request: HttpRequest) -> HttpResponse:
    week = _week_from(request)
    return render(request, "tensions/briefing.html", selectors.briefing_context(week=week))


@role_required(*REPORT_ROLES)
def briefing_pdf(request: HttpRequest) -> HttpResponse:
    from .reports import briefing_pdf_bytes

    week = _week_from(request)
    pdf = briefing_pdf_bytes(context=selectors.briefing_context(week=week))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tension-briefing-{week:%Y-%m-%d}.pdf"'
    return response
