"""Pages for residents: the assembly, registering with the code from a letter, and how the members
were chosen (with the files anyone can use to check the draw)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cohesion.core.audit import client_ip
from cohesion.core.permissions import public

from . import selectors, services
from .forms import CodeForm, RegistrationForm
from .models import Assembly, Invitation

VERIFY_SCRIPT = Path(__file__).resolve().parent / "selection" / "verify.py"
CODE_ATTEMPTS = 20  # codes one computer may try ...
CODE_WINDOW = 10 * 60  # ... in this many seconds
TOO_MANY = "You have typed too many codes. Wait 10 minutes, then try again. If you still cannot sign up, contact the council"


def _session_key(assembly: Assembly) -> str:
    return f"assembly-{assembly.pk}-invitation"


def _label_key(assembly: Assembly) -> str:
    return f"assembly-{assembly.pk}-label"


def _too_many_attempts(request: HttpRequest) -> bool:
    """Count this code attempt for the address it comes from; True once it is over the limit."""
    key = f"assembly-code-attempts:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, CODE_WINDOW)
    try:
        attempts = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, CODE_WINDOW)
        attempts = 1
    return attempts > CODE_ATTEMPTS


@public
def assembly_index(request: HttpRequest) -> HttpResponse:
    announced = Assembly.objects.exclude(stage=Assembly.Stage.PLANNING)  # not announced until the letters go
    return render(request, "assembly/public/index.html", {"assemblies": announced})


@public
def assembly_detail(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = get_object_or_404(Assembly, slug=slug)
    return render(
        request,
        "assembly/public/detail.html",
        {"assembly": assembly, "registration_open": services.registration_open(assembly=assembly), "run": selectors.published_run(assembly=assembly)},
    )


@public
def register(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 1: the code from the letter."""
    assembly = get_object_or_404(Assembly, slug=slug)
    if not services.registration_open(assembly=assembly):
        return render(request, "assembly/public/register_closed.html", {"assembly": assembly})
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if _too_many_attempts(request):
            form.is_valid()
            form.errors.clear()
            form.add_error("code", TOO_MANY)
            status = 429
        elif form.is_valid():
            try:
                invitation = services.invitation_find(assembly=assembly, text=form.cleaned_data["code"])
            except services.AssemblyError as exc:
                form.add_error("code", str(exc))
            else:
                request.session[_session_key(assembly)] = invitation.pk
                return redirect("assembly_public:register_details", slug=slug)
    return render(request, "assembly/public/register_code.html", {"assembly": assembly, "form": form}, status=status)


@public
def register_details(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 2: contact details, the questions and consent."""
    assembly = get_object_or_404(Assembly, slug=slug)
    invitation_pk = request.session.get(_session_key(assembly))
    invitation = Invitation.objects.filter(assembly=assembly, pk=invitation_pk).first() if invitation_pk else None
    if invitation is not None and invitation.used_at is not None:
        request.session.pop(_session_key(assembly), None)
        messages.error(request, services.CODE_USED)
        invitation = None
    if invitation is None or not services.registration_open(assembly=assembly):
        return redirect("assembly_public:register", slug=slug)
    questions = list(assembly.questions.order_by("order", "key"))
    form = RegistrationForm(request.POST if request.method == "POST" else None, questions=questions, consent_help=services.consent_text(assembly=assembly))
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_register(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                answers=form.answers(),
                request=request,
            )
        except services.AssemblyError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.pop(_session_key(assembly), None)
            request.session[_label_key(assembly)] = volunteer.label
            return redirect("assembly_public:register_done", slug=slug)
    return render(request, "assembly/public/register_details.html", {"assembly": assembly, "form": form})


@public
def register_done(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = get_object_or_404(Assembly, slug=slug)
    label = request.session.get(_label_key(assembly))
    if not label:
        return redirect("assembly_public:register", slug=slug)
    return render(request, "assembly/public/register_done.html", {"assembly": assembly, "label": label, "deletion_date": services.contact_deletion_date(assembly=assembly)})


@public
def selection(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = get_object_or_404(Assembly, slug=slug)
    return render(request, "assembly/public/selection.html", {"assembly": assembly, **selectors.transparency(assembly=assembly)})


@public
def lottery_file(request: HttpRequest, slug: str) -> HttpResponse:
    """The anonymised lottery: exactly the bytes whose fingerprint was published."""
    assembly = get_object_or_404(Assembly, slug=slug)
    run = selectors.published_run(assembly=assembly)
    if run is None or run.lottery_file is None:
        raise Http404("Nothing has been published yet")
    response = HttpResponse(bytes(run.lottery_file), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="lottery.json"'
    return response


@public
def probabilities_csv(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = get_object_or_404(Assembly, slug=slug)
    run = selectors.published_run(assembly=assembly)
    if run is None:
        raise Http404("Nothing has been published yet")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-selection-probabilities.csv"'
    writer = csv.writer(response)
    for row in selectors.probabilities_csv_rows(run=run):
        writer.writerow([services.csv_safe(cell) for cell in row])
    return response


@public
def verify_script(request: HttpRequest) -> HttpResponse:
    """The check anyone can run without the platform (Python standard library only)."""
    try:
        data = VERIFY_SCRIPT.read_bytes()
    except FileNotFoundError as exc:
        raise Http404("The check is not available") from exc
    response = HttpResponse(data, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verify.py"'
    return response
