"""The cohesion officer's pages: priorities, measures, figures and imports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cohesion.core.audit import snapshot
from cohesion.core.jobs import job_create, job_enqueue
from cohesion.core.models import Job
from cohesion.core.permissions import SIGNED_IN_ROLES, STAFF_ROLES, request_user, role_required

from . import services
from .forms import ImportForm, MeasureForm, ObservationForm, PriorityForm, StrategyForm
from .models import Measure, Observation, ObservationImport, Priority
from .selectors import status_summary, strategy_current
from .tasks import import_observations_task


@role_required(*SIGNED_IN_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request_user(request).has_role(*STAFF_ROLES):
        measures = list(Measure.objects.all())
        context["summary"] = status_summary(measures=measures)
        context["measure_count"] = len(measures)
        context["recent_imports"] = ObservationImport.objects.select_related("uploaded_by")[:5]
    context["jobs"] = Job.objects.filter(started_by=request_user(request))[:5]
    return render(request, "staff/dashboard.html", context)


def _save_model_form(
    request: HttpRequest, *, form: ModelForm, before: dict[str, Any] | None, success: str
) -> Any:
    """Validate and save a model form with an audit record; return the object or None."""
    if not form.is_valid():
        return None
    with transaction.atomic():
        obj = form.save(commit=False)
        if before is None:
            services.record_create(obj=obj, actor=request_user(request))
            form.save_m2m()
        else:
            form.save_m2m()
            services.record_update(obj=obj, before=before, actor=request_user(request))
    messages.success(request, success)
    return obj


@role_required(*STAFF_ROLES)
def strategy_edit(request: HttpRequest) -> HttpResponse:
    strategy = strategy_current()
    before = snapshot(strategy) if strategy else None
    form = StrategyForm(request.POST if request.method == "POST" else None, instance=strategy)
    if request.method == "POST":
        obj = _save_model_form(request, form=form, before=before, success="The strategy has been saved.")
        if obj is not None:
            return redirect("staff:priority_list")
    title = "Change the strategy" if strategy else "Set up the strategy"
    return render(request, "staff/form_page.html", {"form": form, "title": title, "back": "staff:priority_list"})


@role_required(*STAFF_ROLES)
def priority_list(request: HttpRequest) -> HttpResponse:
    priorities = Priority.objects.annotate(measure_count=Count("measures")).order_by("number")
    return render(request, "staff/priority_list.html", {"priorities": priorities, "strategy": strategy_current()})


@role_required(*STAFF_ROLES)
def priority_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    priority = get_object_or_404(Priority, pk=pk) if pk else None
    strategy = priority.strategy if priority else strategy_current()
    if strategy is None:
        messages.error(request, "Set up the strategy first.")
        return redirect("staff:strategy_edit")
    before = snapshot(priority) if priority else None
    instance = priority or Priority(strategy=strategy)
    form = PriorityForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST":
        obj = _save_model_form(request, form=form, before=before, success="The priority has been saved.")
        if obj is not None:
            return redirect("staff:priority_list")
    return render(request, "staff/form_page.html", {"form": form, "title": "Change priority" if priority else "Add a priority", "back": "staff:priority_list"})


@role_required(*STAFF_ROLES)
def measure_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    measures = Measure.objects.annotate(observation_count=Count("observations")).order_by("title")
    if query:
        measures = measures.filter(Q(title__icontains=query) | Q(slug__icontains=query))
    return render(request, "staff/measure_list.html", {"measures": measures[:500], "q": query})


@role_required(*STAFF_ROLES)
def measure_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    measure = get_object_or_404(Measure, pk=pk) if pk else None
    before = snapshot(measure) if measure else None
    form = MeasureForm(request.POST if request.method == "POST" else None, instance=measure)
    if request.method == "POST":
        obj = _save_model_form(request, form=form, before=before, success="The measure has been saved.")
        if obj is not None:
            services.measure_assess(measure=obj)
            return redirect("staff:measure_observations", pk=obj.pk)
    return render(request, "staff/form_page.html", {"form": form, "title": "Change measure" if measure else "Add a measure", "back": "staff:measure_list"})


@role_required(*STAFF_ROLES)
def measure_observations(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(Measure, pk=pk)
    form = ObservationForm(request.POST if request.method == "POST" else None, measure=measure)
    if request.method == "POST" and form.is_valid():
        data = services.ObservationInput(measure=measure, **form.cleaned_data)
        errors = services.observation_validate(data=data)
        if errors:
            for name, message in errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            services.observation_create(data=data, actor=request_user(request))
            messages.success(request, "The figure has been saved.")
            return redirect("staff:measure_observations", pk=measure.pk)
    observations = Observation.objects.filter(measure=measure).select_related("ward").order_by("-period_end", "ward__name")
    return render(request, "staff/measure_observations.html", {"measure": measure, "form": form, "observations": observations[:300], "total": observations.count()})


@role_required(*STAFF_ROLES)
@require_POST
def observation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    observation = get_object_or_404(Observation.objects.select_related("measure"), pk=pk)
    measure_pk = observation.measure_id
    services.observation_delete(observation=observation, actor=request_user(request))
    messages.success(request, "The figure has been deleted.")
    return redirect("staff:measure_observations", pk=measure_pk)


@role_required(*STAFF_ROLES)
def import_new(request: HttpRequest) -> HttpResponse:
    limit = settings.COHESION_MAX_UPLOAD_BYTES
    too_big = int(request.META.get("CONTENT_LENGTH") or 0) > limit + 65536
    if request.method == "POST" and too_big:
        # Refuse before reading the body, so a huge file costs nothing.
        form = ImportForm(data={})
        form.is_valid()
        form.errors.clear()
        form.add_error("file", f"The file must be smaller than {limit / 1_048_576:.0f} MB. Split it into smaller files")
        return render(request, "staff/import_new.html", {"form": form, "columns": services.IMPORT_COLUMNS}, status=413)
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = services.decode_upload(raw=upload.read())
            services.import_text_check(text=text)
        except services.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            with transaction.atomic():
                job = job_create(kind="observation_import", title=f"Import of {upload.name}", started_by=request_user(request))
                record = ObservationImport.objects.create(uploaded_by=request_user(request), filename=upload.name[:255], content=text, job=job)
                job_enqueue(job=job, task=import_observations_task, import_id=record.pk)
            return redirect("core:job_detail", pk=job.pk)
    return render(request, "staff/import_new.html", {"form": form, "columns": services.IMPORT_COLUMNS})


@role_required(*STAFF_ROLES)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ObservationImport.objects.select_related("job", "uploaded_by"), pk=pk)
    return render(request, "staff/import_detail.html", {"record": record})


