"""The officer's pages for the Citizens' Assembly's civic lottery, under /staff/assemblies/."""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohesion.core.audit import audit_record, snapshot
from cohesion.core.jobs import job_create, job_enqueue
from cohesion.core.models import AuditEvent
from cohesion.core.permissions import STAFF_ROLES, request_user, role_required
from cohesion.strategy.services import ImportFileError, decode_upload

from . import selectors, services
from .forms import (
    AddressImportForm,
    AssemblyForm,
    DrawForm,
    PaperForm,
    PublicRandomForm,
    QuestionForm,
    QuotaForm,
    RunForm,
)
from .models import Assembly, InvitationDraw, Question, SelectionRun, Volunteer
from .tasks import letters_pdf_task


def _assembly(slug: str) -> Assembly:
    return get_object_or_404(Assembly, slug=slug)


@role_required(*STAFF_ROLES)
def assembly_list(request: HttpRequest) -> HttpResponse:
    assemblies = Assembly.objects.all()
    return render(request, "assembly/staff/assembly_list.html", {"assemblies": assemblies})


@role_required(*STAFF_ROLES)
def assembly_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Set up a new assembly (no slug) or change one."""
    assembly = _assembly(slug) if slug else None
    before = snapshot(assembly) if assembly else None
    form = AssemblyForm(request.POST if request.method == "POST" else None, instance=assembly)
    if request.method == "POST" and form.is_valid():
        if assembly is None:
            saved = services.assembly_create(assembly=form.save(commit=False), actor=request_user(request))
            messages.success(request, f"{saved.name} has been set up, with the usual questions for volunteers.")
        else:
            saved = form.save(commit=False)
            services.record_update(obj=saved, before=before or {}, actor=request_user(request))
            messages.success(request, "The assembly has been saved.")
        return redirect("assembly_staff:detail", slug=saved.slug)
    if assembly is None:
        title, back = "Set up a Citizens’ Assembly", reverse("assembly_staff:list")
    else:
        title, back = f"Change {assembly.name}", reverse("assembly_staff:detail", kwargs={"slug": slug})
    return render(request, "assembly/staff/form_page.html", {"form": form, "title": title, "back": back})


@role_required(*STAFF_ROLES)
def assembly_detail(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(slug)
    return render(
        request,
        "assembly/staff/assembly_detail.html",
        {
            "assembly": assembly,
            "overview": selectors.assembly_overview(assembly=assembly),
            "registration_open": services.registration_open(assembly=assembly),
            "deletion_date": services.contact_deletion_date(assembly=assembly),
        },
    )


# ---------------------------------------------------------------------------------------------
# Addresses


@role_required(*STAFF_ROLES)
def address_import(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(slug)
    context: dict[str, Any] = {"assembly": assembly, "columns": services.ADDRESS_COLUMNS}
    limit = settings.COHESION_MAX_UPLOAD_BYTES
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > limit + 65536:
        # Refuse before reading the body, so a huge file costs nothing.
        form = AddressImportForm(data={})
        form.is_valid()
        form.errors.clear()
        form.add_error("file", f"The file must be smaller than {limit / 1_048_576:.0f} MB. Split it into smaller files")
        return render(request, "assembly/staff/address_import.html", {**context, "form": form, "count": assembly.addresses.count()}, status=413)
    form = AddressImportForm(request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = decode_upload(raw=upload.read())
            outcome = services.addresses_import(assembly=assembly, text=text, actor=request_user(request), filename=upload.name or "")
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            context["outcome"] = outcome
            context["rejected_shown"] = outcome.rejected[:1000]
            form = AddressImportForm()
    context.update({"form": form, "count": assembly.addresses.count()})
    return render(request, "assembly/staff/address_import.html", context)


# ---------------------------------------------------------------------------------------------
# The invitation draw and the letters


@role_required(*STAFF_ROLES)
def draw_new(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(slug)
    form = DrawForm(request.POST if request.method == "POST" else None, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        try:
            draw = services.invitations_draw(
                assembly=assembly,
                n=form.cleaned_data["invitations"],
                seed=form.cleaned_data["seed"],
                boost_factor=form.cleaned_data["deprivation_boost"],
                boosted_wards=list(form.cleaned_data["boosted_wards"]),
                actor=request_user(request),
            )
        except services.AssemblyError as exc:
            form.add_error("invitations", str(exc))
        else:
            messages.success(request, f"{draw.invitations.count():,} addresses have been drawn, each with its own code.")
            return redirect("assembly_staff:draw_detail", slug=slug, pk=draw.pk)
    available = assembly.addresses.filter(invitations__isnull=True).count()
    return render(request, "assembly/staff/draw_new.html", {"assembly": assembly, "form": form, "available": available})


def _draw(slug: str, pk: int) -> InvitationDraw:
    return get_object_or_404(InvitationDraw.objects.select_related("assembly", "letters_job", "drawn_by").defer("letters_pdf"), assembly__slug=slug, pk=pk)


@role_required(*STAFF_ROLES)
def draw_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    draw = _draw(slug, pk)
    has_letters = InvitationDraw.objects.filter(pk=draw.pk, letters_pdf__isnull=False).exists()
    return render(
        request,
        "assembly/staff/draw_detail.html",
        {"assembly": draw.assembly, "draw": draw, "has_letters": has_letters, "job": draw.letters_job, "wards": draw.record.get("inputs", {}).get("wards", []),
         "boosted": list(draw.boosted_wards.order_by("name"))},
    )


@role_required(*STAFF_ROLES)
@require_POST
def letters_start(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    draw = _draw(slug, pk)
    if draw.letters_job and not draw.letters_job.is_finished:
        messages.error(request, "The letters are already being made.")
        return redirect("assembly_staff:draw_detail", slug=slug, pk=pk)
    register_url = request.build_absolute_uri(reverse("assembly_public:register", kwargs={"slug": slug}))
    with transaction.atomic():
        job = job_create(kind="assembly_letters", title=f"Letters for {draw}", started_by=request_user(request), total=1)
        InvitationDraw.objects.filter(pk=draw.pk).update(letters_job=job)
        job_enqueue(job=job, task=letters_pdf_task, draw_id=draw.pk, register_url=register_url)
    return redirect("assembly_staff:draw_detail", slug=slug, pk=pk)


@role_required(*STAFF_ROLES)
def letters_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    draw = get_object_or_404(InvitationDraw, assembly__slug=slug, pk=pk)
    if draw.letters_pdf is None:
        raise Http404("The letters have not been made yet")
    audit_record(actor=request_user(request), action=AuditEvent.Action.EXPORT, obj=draw, changes={"file": "letters.pdf"}, request=request)
    response = HttpResponse(bytes(draw.letters_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slug}-letters-{draw.pk}.pdf"'
    return response


@role_required(*STAFF_ROLES)
def codes_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    draw = get_object_or_404(InvitationDraw.objects.defer("letters_pdf"), assembly__slug=slug, pk=pk)
    audit_record(actor=request_user(request), action=AuditEvent.Action.EXPORT, obj=draw, changes={"file": "addresses-and-codes.csv"}, request=request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-addresses-and-codes-{draw.pk}.csv"'
    writer = csv.writer(response)
    for row in services.draw_codes_rows(draw=draw):
        writer.writerow([services.csv_safe(cell) for cell in row])
    return response


# ---------------------------------------------------------------------------------------------
# Questions


@role_required(*STAFF_ROLES)
def question_list(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(slug)
    return render(request, "assembly/staff/question_list.html", {"assembly": assembly, "questions": assembly.questions.order_by("order", "key"), "volunteers": assembly.volunteers.exists()})


@role_required(*STAFF_ROLES)
def question_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    assembly = _assembly(slug)
    question = get_object_or_404(Question, assembly=assembly, pk=pk) if pk else Question(assembly=assembly, order=assembly.questions.count() + 1)
    before = snapshot(question) if pk else None
    form = QuestionForm(request.POST if request.method == "POST" else None, instance=question)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        with transaction.atomic():
            if before is None:
                services.record_create(obj=obj, actor=request_user(request))
            else:
                services.record_update(obj=obj, before=before, actor=request_user(request))
        messages.success(request, "The question has been saved.")
        return redirect("assembly_staff:questions", slug=slug)
    title = "Change a question" if pk else "Add a question"
    return render(request, "assembly/staff/form_page.html", {"form": form, "title": title, "back": reverse("assembly_staff:questions", kwargs={"slug": slug}), "assembly": assembly})


@role_required(*STAFF_ROLES)
@require_POST
def question_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    question = get_object_or_404(Question, assembly__slug=slug, pk=pk)
    services.question_delete(question=question, actor=request_user(request))
    messages.success(request, f"The question “{question.label}” and its quotas have been deleted.")
    return redirect("assembly_staff:questions", slug=slug)


# ---------------------------------------------------------------------------------------------
# Volunteers: personal data, for officers only; every look is audited


@role_required(*STAFF_ROLES)
def volunteer_list(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(slug)
    volunteers = Volunteer.objects.filter(assembly=assembly).select_related("invitation__address__ward", "entered_by").order_by("label")
    status = request.GET.get("status", "")
    if status in Volunteer.Status.values:
        volunteers = volunteers.filter(status=status)
    page = Paginator(volunteers, 100).get_page(request.GET.get("page"))
    services.contact_details_view(assembly=assembly, actor=request_user(request), count=len(page.object_list), request=request)
    return render(
        request,
        "assembly/staff/volunteer_list.html",
        {"assembly": assembly, "page": page, "status": status, "statuses": Volunteer.Status.choices, "deletion_date": services.contact_deletion_date(assembly=assembly)},
    )


@role_required(*STAFF_ROLES)
def volunteer_paper(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(slug)
    questions = list(assembly.questions.order_by("order", "key"))
    form = PaperForm(request.POST if request.method == "POST" else None, questions=questions, consent_help=services.consent_text(assembly=assembly))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_find(assembly=assembly, text=form.cleaned_data["code"])
            volunteer = services.volunteer_register(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                answers=form.answers(),
                entered_by=request_user(request),
                request=request,
            )
        except services.AssemblyError as exc:
            form.add_error("code", str(exc))
        else:
            messages.success(request, f"The paper form has been saved. The volunteer’s anonymous label is {volunteer.label}.")
            return redirect("assembly_staff:volunteer_paper", slug=slug)
    return render(request, "assembly/staff/form_page.html", {"form": form, "title": "Enter a paper form", "back": reverse("assembly_staff:detail", kwargs={"slug": slug}), "assembly": assembly})


@role_required(*STAFF_ROLES)
@require_POST
def volunteer_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    volunteer = get_object_or_404(Volunteer, assembly__slug=slug, pk=pk)
    services.volunteer_withdraw(volunteer=volunteer, actor=request_user(request))
    messages.success(request, f"{volunteer.label} has been withdrawn. They will not be chosen.")
    return redirect("assembly_staff:volunteers", slug=slug)


# ---------------------------------------------------------------------------------------------
# Quotas


@role_required(*STAFF_ROLES)
def quotas(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(slug)
    if request.method == "POST":
        form = QuotaForm(request.POST, assembly=assembly)
        if request.POST.get("action") == "calculate":
            initial = form.calculate()
            if initial is not None:
                messages.success(request, "We worked out the quotas from the shares. Check them, change them if you need to, then save them.")
                form = QuotaForm(assembly=assembly, initial=initial)
        else:
            rows = form.quotas()
            if rows is not None:
                services.quotas_save(assembly=assembly, quotas=rows, actor=request_user(request))
                messages.success(request, "The quotas have been saved.")
                return redirect("assembly_staff:quotas", slug=slug)
        feasibility = None
    else:
        form = QuotaForm(assembly=assembly, initial=QuotaForm.initial_from_saved(assembly))
        feasibility = services.feasibility_check(assembly=assembly) if assembly.quotas.exists() else None
    counts = services.answers_count(assembly=assembly)
    return render(
        request,
        "assembly/staff/quotas.html",
        {
            "assembly": assembly,
            "form": form,
            "rows": form.rows(),
            "summary": form.summary() if form.is_bound else [],
            "feasibility": feasibility,
            "counts": {key: dict(value) for key, value in counts.items()},
            "labels": {q.key: q.label for q in form.questions},
            "pool": services.pool_volunteers(assembly=assembly).count(),
        },
    )


@role_required(*STAFF_ROLES)
@require_POST
def quotas_relax(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(slug)
    changed = services.quotas_relax(assembly=assembly, actor=request_user(request))
    if changed:
        messages.success(request, f"{changed} quota{'s have' if changed != 1 else ' has'} been changed to the suggestion.")
    else:
        messages.error(request, "There was nothing to change: the quotas can already be met, or no change to them alone can help.")
    return redirect("assembly_staff:quotas", slug=slug)


# ---------------------------------------------------------------------------------------------
# Selection runs, the fingerprint and the draw


@role_required(*STAFF_ROLES)
def run_new(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(slug)
    form = RunForm(request.POST if request.method == "POST" else None, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.selection_start(
                assembly=assembly,
                method=form.cleaned_data["method"],
                lottery_size=form.cleaned_data["lottery_size"],
                keep=form.cleaned_data.get("keep") or [],
                actor=request_user(request),
            )
        except services.AssemblyError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("assembly_staff:run_detail", slug=slug, pk=run.pk)
    return render(request, "assembly/staff/run_new.html", {"assembly": assembly, "form": form, "pool": services.pool_volunteers(assembly=assembly).count()})


def _run(slug: str, pk: int) -> SelectionRun:
    return get_object_or_404(SelectionRun.objects.select_related("assembly", "job", "started_by").defer("lottery_file"), assembly__slug=slug, pk=pk)


def _run_page(request: HttpRequest, run: SelectionRun, form: PublicRandomForm | None = None) -> HttpResponse:
    panel = selectors.drawn_labels(run=run)
    stats = run.record.get("stats", {})
    return render(
        request,
        "assembly/staff/run_detail.html",
        {
            "assembly": run.assembly,
            "run": run,
            "job": run.job,
            "form": form or PublicRandomForm(),
            "panel": panel,
            "quota_rows": selectors.quota_rows(run=run, panel=panel) if run.fingerprint else [],
            "summary": selectors.probability_summary((run.marginals or {}).values()) if run.marginals else None,
            "kept": list(run.kept.values_list("label", flat=True)),
            "stats": stats,
            "versions": run.record.get("versions", {}),
            "check_problems": run.record.get("check_problems", []),
        },
    )


@role_required(*STAFF_ROLES)
def run_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _run_page(request, _run(slug, pk))


@role_required(*STAFF_ROLES)
@require_POST
def run_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    run = _run(slug, pk)
    try:
        services.fingerprint_publish(run=run, actor=request_user(request))
    except services.AssemblyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The fingerprint is published on the assembly’s selection page. Wait for the public random number, then enter it here.")
    return redirect("assembly_staff:run_detail", slug=slug, pk=pk)


@role_required(*STAFF_ROLES)
@require_POST
def run_draw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    run = _run(slug, pk)
    form = PublicRandomForm(request.POST)
    if form.is_valid():
        try:
            labels = services.panel_draw(run=run, public_random=form.cleaned_data["public_random"], actor=request_user(request))
        except services.AssemblyError as exc:
            form.add_error("public_random", str(exc))
        else:
            messages.success(request, f"Panel number {run.drawn_panel} was drawn: {len(labels)} volunteers are now selected.")
            return redirect("assembly_staff:run_detail", slug=slug, pk=pk)
    return _run_page(request, run, form=form)
