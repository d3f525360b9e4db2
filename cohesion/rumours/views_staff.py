"""The rumour desk for officers (and the page partners log rumours on), under /staff/rumours/."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cohesion.core.audit import snapshot
from cohesion.core.forms import whole_number
from cohesion.core.models import Role
from cohesion.core.permissions import STAFF_ROLES, request_user, role_required, user_has_role

from . import matching, selectors, services
from .forms import (
    ClaimForm,
    LanguageForm,
    MergeClaimForm,
    NewClaimForm,
    RebuttalForm,
    RumourLogForm,
)
from .models import Alert, Channel, Claim, Rebuttal, Sighting

T = TypeVar("T")
LOG_ROLES = (Role.PARTNER, Role.OFFICER)
# The largest request the log form accepts: the screenshot limit and room for the other fields.
MAX_REQUEST_BYTES = services.SCREENSHOT_MAX_BYTES + 256 * 1024
TOO_BIG = (
    f"The screenshot must be smaller than {services.SCREENSHOT_MAX_BYTES // 1_048_576} MB. Your report was not sent: "
    "choose a smaller picture (or none) and send it again"
)


def _is_officer(request: HttpRequest) -> bool:
    return user_has_role(request.user, STAFF_ROLES)


def _refused_on_form(form: forms.BaseForm, action: Callable[[], T]) -> T | None:
    """Run a service call; if it refuses, its message goes on the form (nothing was saved)."""
    try:
        return action()
    except services.RumourError as exc:
        form.add_error(None, str(exc))
        return None


def _form_page(
    request: HttpRequest, form: forms.BaseForm, *, title: str, back: str, **extra: Any
) -> HttpResponse:
    """One form on a page of its own, with a back link (and, in ``extra``, a quote or a note)."""
    return render(
        request,
        "rumours/staff/form_page.html",
        {"form": form, "title": title, "back": back, **extra},
    )


def _desk_page(
    request: HttpRequest,
    *,
    page: str | None,
    filters: selectors.DeskFilters,
    error: str = "",
    error_on_reports: bool = False,
    chosen: Any = (),
    claim: str = "",
) -> HttpResponse:
    overview = selectors.desk_overview(page=page, filters=filters)
    # The best matches just worked out for this page are kept, so that the groups below and
    # the filter by best match agree with what the officer sees (one UPDATE, if any changed).
    services.sightings_suggestions_store(overview.rows)
    groups = selectors.match_groups()
    best_title = groups.title_of(filters.best_claim_pk)
    # The claim filtered to may have no waiting reports left (an officer has just decided
    # them): it stays named and chosen, so that the filter shown is the filter applied.
    best_emptied = False
    if filters.best_claim_pk is not None and not best_title:
        best_title = selectors.claim_title(filters.best_claim_pk)
        best_emptied = bool(best_title)
    context = {
        "overview": overview,
        "groups": groups,
        "groups_shown": groups.groups[: selectors.GROUPS_SHOWN],
        "groups_more": max(0, len(groups.groups) - selectors.GROUPS_SHOWN),
        "best_title": best_title,
        "best_emptied": best_emptied,
        "filter_query": filters.as_query(),
        "channels": Channel.choices,
        "claim_choices": selectors.open_claims(),
        "error": error,
        "chosen": {str(pk) for pk in chosen},
        # Filtered to the reports that match one claim: that claim is the likely choice.
        "chosen_claim": claim or str(filters.best_claim_pk or ""),
        # The error summary links to the part to fix: the first report's box, or the claim.
        "error_on_reports": error_on_reports,
    }
    return render(request, "rumours/staff/desk.html", context, status=400 if error else 200)


@role_required(*STAFF_ROLES)
def desk(request: HttpRequest) -> HttpResponse:
    return _desk_page(
        request,
        page=request.GET.get("page"),
        filters=selectors.DeskFilters.from_query(request.GET),
    )


@role_required(*STAFF_ROLES)
@require_POST
def reports_decide(request: HttpRequest) -> HttpResponse:
    """One decision for the reports an officer ticked on the desk: all are sightings of one
    claim, or all are set aside. Each is still decided by a person, never by a score."""
    sent_page = request.POST.get("page", "")
    page = sent_page if whole_number(sent_page) is not None else None
    filters = selectors.DeskFilters.from_query(request.POST)
    raw = request.POST.getlist("reports")
    pks = [n for n in map(whole_number, raw) if n is not None]
    action = request.POST.get("action", "")
    claim_value = request.POST.get("claim", "")
    claim = None
    error = ""
    # With no report chosen, that is the error to show (the service says so, below).
    if pks and action == "match":
        number = whole_number(claim_value)
        claim = Claim.objects.filter(pk=number).first() if number is not None else None
        if not claim_value:
            error = "Choose the claim these reports repeat"
        elif claim is None:
            error = "That claim is no longer on file: choose another"
    elif pks and action != "dismiss":
        error = "Choose whether to add the reports to a claim or set them aside"
    # The service refuses the choice of reports itself (none, or too many): those errors point
    # at the reports, the others at the claim.
    error_on_reports = False
    if not error:
        try:
            outcome = services.sightings_decide(pks=pks, claim=claim, actor=request_user(request))
        except services.RumourError as exc:
            error, error_on_reports = str(exc), True
    if error:
        return _desk_page(
            request,
            page=page,
            filters=filters,
            error=error,
            error_on_reports=error_on_reports,
            chosen=pks,
            claim=claim_value,
        )
    n = len(outcome.done)
    reports = "1 report" if n == 1 else f"{n} reports"
    undo = " To undo one, open it and put it back with the waiting reports."
    if n and claim is not None:
        claim_now = outcome.done[0].claim or claim
        what = "is now a sighting" if n == 1 else "are now sightings"
        messages.success(request, f"{reports} {what} of “{claim_now.title}”.{undo}")
    elif n:
        were = "was" if n == 1 else "were"
        messages.success(request, f"{reports} {were} set aside as not rumours.{undo}")
    if outcome.refused:
        left = "; ".join(f"report {pk}, because {why}" for pk, why in outcome.refused)
        messages.warning(request, f"Left as they were: {left}.")
    # Back to the same list; the reports just decided have left it, so the page may be fewer.
    query = "&".join(q for q in (filters.as_query(), f"page={page}" if page else "") if q)
    return redirect(reverse("rumours_staff:desk") + (f"?{query}" if query else ""))


@role_required(*LOG_ROLES)
def log(request: HttpRequest) -> HttpResponse:
    officer = _is_officer(request)
    context: dict[str, Any] = {"officer": officer}
    if (
        request.method == "POST"
        and int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES
    ):
        # Refuse before the body is read, so a huge file costs nothing.
        form = RumourLogForm(data={})
        form.is_valid()
        form.errors.clear()
        form.add_error("screenshot", TOO_BIG)
        return render(request, "rumours/staff/log.html", {**context, "form": form}, status=413)
    if request.method != "POST":
        return render(request, "rumours/staff/log.html", {**context, "form": RumourLogForm()})
    form = RumourLogForm(request.POST, request.FILES)
    if "check" in request.POST:
        # Without JavaScript: show what is on file that says the same, save nothing.
        text = request.POST.get("text", "")
        form.is_valid()
        context["suggestions"] = matching.suggestions(text=text, include_claims=officer)
        context["checked"] = True
        form.errors.clear()
        if not text.strip():
            form.add_error("text", "Enter what is being said")
        return render(request, "rumours/staff/log.html", {**context, "form": form})
    if form.is_valid():
        try:
            sighting = services.sighting_create(
                data=form.sighting_input(), actor=request_user(request), request=request
            )
        except services.DuplicateReport as exc:
            context["duplicate"] = exc.existing
            form.add_error(None, str(exc))
        except services.RumourError as exc:
            form.add_error(None, str(exc))
        else:
            if officer:
                messages.success(
                    request, "The report has been saved. Now say if it is a claim we already have."
                )
                return redirect("rumours_staff:report", pk=sighting.pk)
            messages.success(request, "Thank you: the report has been sent to the cohesion team.")
            return redirect("rumours_staff:log")
    if form.data.get("text"):
        context["suggestions"] = matching.suggestions(
            text=form.data.get("text", ""), include_claims=officer
        )
    return render(request, "rumours/staff/log.html", {**context, "form": form})


@role_required(*LOG_ROLES)
@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """Claims and published myth-busters that say the same as ?text=, best first (JSON)."""
    text = request.GET.get("text", "")[: matching.MAX_QUERY_CHARS]
    found = matching.suggestions(text=text, include_claims=_is_officer(request))
    return JsonResponse({"results": [s.as_json() for s in found]})


class TriageForm(forms.Form):
    choice = forms.CharField(
        error_messages={"required": "Choose a claim, or file the report as a new claim"}
    )


def _sighting(pk: int) -> Sighting:
    return get_object_or_404(
        Sighting.objects.select_related("ward", "claim", "reported_by", "organisation"), pk=pk
    )


@role_required(*STAFF_ROLES)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """One report: its details (personal data; the look is audited) and the officer's decision."""
    sighting = _sighting(pk)
    actor = request_user(request)
    found = (
        matching.suggestions(text=sighting.text, k=5)
        if sighting.state == Sighting.State.WAITING
        else []
    )
    claim_options = [s for s in found if s.kind == "claim"]
    # A published myth-buster points to its claim: offer that claim too.
    for s in found:
        if s.kind == "rebuttal" and all(o.claim_pk != s.claim_pk for o in claim_options):
            claim_options.append(s)
    same = selectors.same_picture(sighting=sighting)
    if sighting.state == Sighting.State.WAITING:
        claim_options = _with_picture_claims(claim_options, same)
    error = ""
    if request.method == "POST":
        form = TriageForm(request.POST)
        if sighting.state != Sighting.State.WAITING:
            error = "An officer has already dealt with this report"
        elif not form.is_valid():
            error = "Choose a claim, or file the report as a new claim"
        elif form.cleaned_data["choice"] == "new":
            return redirect("rumours_staff:report_new_claim", pk=sighting.pk)
        else:
            choice = form.cleaned_data["choice"]
            number = whole_number(choice)
            claim = Claim.objects.filter(pk=number).first() if number is not None else None
            if claim is None:
                error = "That claim is no longer on file: choose another, or file the report as a new claim"
            else:
                # A claim offered only for its picture has no score of its own.
                score = next(
                    (s.score for s in claim_options if s.claim_pk == claim.pk and s.band), None
                )
                try:
                    services.sighting_match(
                        sighting=sighting, claim=claim, actor=actor, score=score
                    )
                except services.RumourError as exc:
                    error = str(exc)
                else:
                    messages.success(request, f"The report is now a sighting of “{claim.title}”.")
                    return redirect("rumours_staff:claim", pk=claim.pk)
    if sighting.has_personal_data:
        services.sighting_view_record(sighting=sighting, actor=actor, request=request)
    return render(
        request,
        "rumours/staff/report.html",
        {"sighting": sighting, "options": claim_options, "same_picture": same, "error": error},
        status=400 if error else 200,
    )


def _with_picture_claims(
    options: list[matching.Suggestion], same: list[selectors.SamePicture]
) -> list[matching.Suggestion]:
    """The claims whose sightings came with the same picture as this report, marked with that
    sighting's number: first those the words did not find, then the words' suggestions."""
    by_claim: dict[int, int] = {}
    for row in same:
        if row.sighting.claim_id is not None:
            by_claim.setdefault(row.sighting.claim_id, row.sighting.pk)
    marked = [
        dataclasses.replace(o, picture_of=by_claim[o.claim_pk]) if o.claim_pk in by_claim else o
        for o in options
    ]
    offered = {o.claim_pk for o in options}
    extra = []
    for row in same:
        claim = row.sighting.claim
        if claim is not None and claim.pk not in offered:
            offered.add(claim.pk)
            extra.append(
                matching.Suggestion(
                    kind="claim",
                    pk=claim.pk,
                    claim_pk=claim.pk,
                    title=claim.title,
                    text=claim.text,
                    score=0.0,
                    band="",
                    status=claim.get_status_display(),
                    url=claim.get_absolute_url(),
                    picture_of=row.sighting.pk,
                )
            )
    return extra + marked


@role_required(*STAFF_ROLES)
def report_new_claim(request: HttpRequest, pk: int) -> HttpResponse:
    sighting = _sighting(pk)
    if sighting.state != Sighting.State.WAITING:
        messages.error(request, "An officer has already dealt with this report.")
        return redirect("rumours_staff:report", pk=pk)
    initial = {"title": sighting.text[:80], "text": sighting.text[:2000]}
    form = NewClaimForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        claim = _refused_on_form(
            form,
            lambda: services.claim_create(
                claim=form.save(commit=False), actor=request_user(request), sighting=sighting
            ),
        )
        if claim is not None:
            messages.success(
                request, f"“{claim.title}” is a new claim, with this report as its first sighting."
            )
            return redirect("rumours_staff:claim", pk=claim.pk)
    return _form_page(
        request,
        form,
        title="File as a new claim",
        back=reverse("rumours_staff:report", kwargs={"pk": pk}),
        quote=sighting.text,
        quote_lang=sighting.other_language,
    )


@role_required(*STAFF_ROLES)
def report_language(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer corrects the computer's guess of the language a report is written in."""
    sighting = _sighting(pk)
    back = reverse("rumours_staff:report", kwargs={"pk": pk})
    form = LanguageForm(
        request.POST if request.method == "POST" else None,
        initial={"language": sighting.language},
    )
    if request.method == "POST" and form.is_valid():
        done = _refused_on_form(
            form,
            lambda: services.sighting_language_set(
                sighting=sighting,
                language=form.cleaned_data["language"],
                actor=request_user(request),
            ),
        )
        if done is not None:
            messages.success(request, f"The report is marked as written in {done.language_name}.")
            return redirect(back)
    return _form_page(
        request,
        form,
        title="Which language is this report in?",
        back=back,
        quote=sighting.text,
        quote_lang=sighting.other_language,
    )


@role_required(*STAFF_ROLES)
@require_POST
def report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a decision (a mistake, perhaps in a decision for many reports): the report waits
    for an officer again."""
    sighting = _sighting(pk)
    try:
        services.sighting_reopen(
            sighting=sighting, actor=request_user(request), shown=request.POST.get("shown", "")
        )
    except services.RumourError as exc:
        messages.error(request, f"{exc}. Nothing was changed.")
    else:
        messages.success(
            request, "The report is back with the waiting reports. Decide again below."
        )
    return redirect("rumours_staff:report", pk=pk)


@role_required(*STAFF_ROLES)
@require_POST
def report_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    sighting = _sighting(pk)
    try:
        services.sighting_dismiss(sighting=sighting, actor=request_user(request))
    except services.RumourError as exc:
        messages.error(request, f"{exc}: it was not set aside.")
        return redirect("rumours_staff:report", pk=pk)
    messages.success(request, "The report has been set aside as not a rumour.")
    return redirect("rumours_staff:desk")


@role_required(*STAFF_ROLES)
def report_screenshot(request: HttpRequest, pk: int) -> FileResponse:
    """Screenshots are never on a public address: only this view serves them, and each look is audited."""
    sighting = _sighting(pk)
    if not sighting.screenshot:
        raise Http404("This report has no screenshot")
    services.sighting_view_record(
        sighting=sighting, actor=request_user(request), request=request, what="screenshot"
    )
    response = FileResponse(
        sighting.screenshot.open("rb"),
        content_type=sighting.screenshot_type or "application/octet-stream",
    )
    response["Content-Disposition"] = f'inline; filename="report-{sighting.pk}-screenshot"'
    return response


@role_required(*STAFF_ROLES)
def claim_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    return render(
        request,
        "rumours/staff/claim_list.html",
        {
            "claims": selectors.claim_list(status=status)[:500],
            "status": status,
            "statuses": Claim.Status.choices,
        },
    )


@role_required(*STAFF_ROLES)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.select_related("owner"), pk=pk)
    rebuttal = Rebuttal.objects.filter(claim=claim).first()
    return render(
        request,
        "rumours/staff/claim.html",
        {
            "claim": claim,
            "picture": selectors.claim_picture(claim=claim),
            "rebuttal": rebuttal,
            "alerts": claim.alerts.filter(acknowledged_at__isnull=True),
            "waiting_like": selectors.waiting_like(claim=claim),
        },
    )


@role_required(*STAFF_ROLES)
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    before = snapshot(claim)
    form = ClaimForm(request.POST if request.method == "POST" else None, instance=claim)
    if request.method == "POST" and form.is_valid():
        services.claim_update(
            claim=form.save(commit=False), before=before, actor=request_user(request)
        )
        messages.success(request, "The claim has been saved.")
        return redirect("rumours_staff:claim", pk=pk)
    return _form_page(
        request,
        form,
        title=f"Change “{claim.title}”",
        back=reverse("rumours_staff:claim", kwargs={"pk": pk}),
    )


@role_required(*STAFF_ROLES)
def claim_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge a claim into another that says the same (an officer chooses; never automatic)."""
    claim = get_object_or_404(Claim, pk=pk)
    back = reverse("rumours_staff:claim", kwargs={"pk": pk})
    if claim.merged_into_id is not None:
        messages.info(request, f"This claim was already merged into claim {claim.merged_into_id}.")
        return redirect(back)
    choices = [
        (s.claim_pk, f"Claim {s.claim_pk}: {s.title} ({s.percent}% alike, {s.status.lower()})")
        for s in matching.suggestions(text=claim.index_text, k=6)
        if s.kind == "claim" and s.claim_pk != claim.pk
    ][:5]
    form = MergeClaimForm(
        request.POST if request.method == "POST" else None, claim=claim, choices=choices
    )
    if request.method == "POST" and form.is_valid():
        into = form.cleaned_data["into"]
        merged = _refused_on_form(
            form, lambda: services.claim_merge(claim=claim, into=into, actor=request_user(request))
        )
        if merged is not None:
            messages.success(
                request, f"Claim {claim.pk} was merged into this claim, with its sightings."
            )
            return redirect("rumours_staff:claim", pk=into.pk)
    return _form_page(
        request,
        form,
        title=f"Merge “{claim.title}” into another claim",
        back=back,
        quote=claim.text,
        quote_label="The claim says:",
        merge_note=True,
    )


@role_required(*STAFF_ROLES)
def rebuttal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    rebuttal = Rebuttal.objects.filter(claim=claim).first() or Rebuttal(
        claim=claim, what_is_said=claim.text
    )
    form = RebuttalForm(request.POST if request.method == "POST" else None, instance=rebuttal)
    if request.method == "POST" and form.is_valid():
        services.rebuttal_save(rebuttal=form.save(commit=False), actor=request_user(request))
        messages.success(
            request,
            "The myth-buster has been saved."
            + ("" if rebuttal.is_published else " It is not public until you publish it."),
        )
        return redirect("rumours_staff:claim", pk=pk)
    return _form_page(
        request,
        form,
        title="Write the myth-buster",
        back=reverse("rumours_staff:claim", kwargs={"pk": pk}),
        public_note=True,
    )


@role_required(*STAFF_ROLES)
@require_POST
def rebuttal_publish(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    rebuttal = get_object_or_404(Rebuttal, claim=claim)
    try:
        outcome = services.rebuttal_publish(rebuttal=rebuttal, actor=request_user(request))
    except services.RumourError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The myth-buster is published.")
        if outcome.measure_problem:
            messages.warning(request, outcome.measure_problem)
    return redirect("rumours_staff:claim", pk=pk)


@role_required(*STAFF_ROLES)
@require_POST
def rebuttal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a published myth-buster off the public site (it can be published again)."""
    rebuttal = get_object_or_404(Rebuttal, claim_id=pk)
    services.rebuttal_unpublish(rebuttal=rebuttal, actor=request_user(request))
    messages.success(request, "The myth-buster is no longer public.")
    return redirect("rumours_staff:claim", pk=pk)


@role_required(*STAFF_ROLES)
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    services.alert_acknowledge(alert=alert, actor=request_user(request))
    messages.success(request, "The alert has been marked as seen.")
    return redirect("rumours_staff:desk")
