"""The assembly workspace: members, sessions, evidence, recommendations, votes, the council's response.

Members and facilitators see only assemblies they belong to (others get "page not found");
officers see and run all of them. Every write goes through an audited service in workspace.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohesion.core.audit import audit_record, snapshot
from cohesion.core.models import AuditEvent, Role, User
from cohesion.core.permissions import STAFF_ROLES, public, request_user, role_required

from . import workspace
from .forms_workspace import (
    CouncilResponseForm,
    FacilitatorAddForm,
    MemberAddForm,
    PaperEditForm,
    PaperForm,
    RecommendationForm,
    SessionForm,
    VoteForm,
    WelcomePasswordForm,
)
from .models import Assembly, CouncilResponse, EvidencePaper, Member, Recommendation, Session, Vote
from .workspace import WorkspaceAccess, WorkspaceError

WORKSPACE_ROLES = (Role.ASSEMBLY_MEMBER, Role.FACILITATOR, *STAFF_ROLES)
RUNNER_ROLES = (Role.FACILITATOR, *STAFF_ROLES)


def _access(request: HttpRequest, slug: str, *, run: bool = False, officer: bool = False) -> WorkspaceAccess:
    assembly = get_object_or_404(Assembly.objects.select_related("response_measure"), slug=slug)
    access = workspace.workspace_access(user=request_user(request), assembly=assembly)
    if access is None:
        raise Http404("You are not in this assembly")
    if officer and not access.is_officer:
        raise PermissionDenied("Only officers can do this.")
    if run and not access.can_run:
        raise PermissionDenied("Only facilitators and officers can do this.")
    return access


def _session(access: WorkspaceAccess, pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("assembly"), pk=pk, assembly=access.assembly)


def _recommendation(access: WorkspaceAccess, pk: int) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.select_related("assembly", "session"), pk=pk, assembly=access.assembly
    )


def _form_page(
    request: HttpRequest, *, form: BaseForm, title: str, back_url: str, access: WorkspaceAccess,
    intro: str = "", status: int = 200,
) -> HttpResponse:
    context = {"form": form, "title": title, "back_url": back_url, "assembly": access.assembly, "intro": intro}
    return render(request, "assembly/workspace/form_page.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# Assemblies


@role_required(*WORKSPACE_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    assemblies = workspace.assemblies_for(user=request_user(request))
    return render(request, "assembly/workspace/index.html", {"assemblies": assemblies})


@role_required(*WORKSPACE_ROLES)
def assembly_home(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    upcoming, past = workspace.sessions_split(assembly=access.assembly)
    recommendations = list(
        Recommendation.objects.filter(assembly=access.assembly).select_related("response").order_by("number")
    )
    levels = workspace.support_levels(assembly=access.assembly, recommendations=recommendations)
    rows = [(rec, levels[rec.pk], getattr(rec, "response", None)) for rec in recommendations]
    return render(
        request,
        "assembly/workspace/assembly.html",
        {"access": access, "assembly": access.assembly, "upcoming": upcoming, "past": past, "rows": rows},
    )


# ---------------------------------------------------------------------------------------------
# Members and facilitators (officers)


@role_required(*STAFF_ROLES)
def members(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug, officer=True)
    return render(
        request,
        "assembly/workspace/members.html",
        {"access": access, "assembly": access.assembly, "members": workspace.members_of(assembly=access.assembly)},
    )


def _link_page(request: HttpRequest, access: WorkspaceAccess, member: Member, link: workspace.WelcomeLink) -> HttpResponse:
    return render(
        request,
        "assembly/workspace/member_link.html",
        {
            "assembly": access.assembly,
            "member": member,
            "link": request.build_absolute_uri(link.path),
            "days": link.expires_in_days,
        },
    )


@role_required(*STAFF_ROLES)
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug, officer=True)
    form = MemberAddForm(request.POST if request.method == "POST" else None, assembly=access.assembly)
    if request.method == "POST" and form.is_valid():
        try:
            member, link = workspace.member_add_volunteer(
                assembly=access.assembly,
                volunteer=form.cleaned_data["volunteer"],
                display_name=form.cleaned_data["display_name"],
                actor=request_user(request),
            )
        except WorkspaceError as exc:
            form.add_error("volunteer", str(exc))
        else:
            return _link_page(request, access, member, link)
    back = reverse("assembly_workspace:members", kwargs={"slug": slug})
    intro = (
        "We make an account for the volunteer, with no password, and a one-time link for them to "
        "choose one. You send them the link."
    )
    return _form_page(request, form=form, title="Add a member", back_url=back, access=access, intro=intro)


@role_required(*STAFF_ROLES)
def facilitator_add(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug, officer=True)
    form = FacilitatorAddForm(request.POST if request.method == "POST" else None, assembly=access.assembly)
    back = reverse("assembly_workspace:members", kwargs={"slug": slug})
    if request.method == "POST" and form.is_valid():
        try:
            member = workspace.member_add_facilitator(
                assembly=access.assembly, user=form.cleaned_data["user"], actor=request_user(request)
            )
        except WorkspaceError as exc:
            form.add_error("user", str(exc))
        else:
            messages.success(request, f"{workspace.member_name(member)} is now a facilitator of this assembly.")
            return redirect(back)
    return _form_page(request, form=form, title="Add a facilitator", back_url=back, access=access)


@role_required(*STAFF_ROLES)
@require_POST
def member_deactivate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug, officer=True)
    member = get_object_or_404(Member.objects.select_related("user"), pk=pk, assembly=access.assembly)
    workspace.member_deactivate(member=member, actor=request_user(request))
    messages.success(request, f"{workspace.member_name(member)} can no longer use this assembly’s workspace.")
    return redirect("assembly_workspace:members", slug=slug)


@role_required(*STAFF_ROLES)
@require_POST
def member_link(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug, officer=True)
    member = get_object_or_404(
        Member.objects.select_related("user"),
        pk=pk, assembly=access.assembly, active=True, role=Member.Role.MEMBER, user__role=Role.ASSEMBLY_MEMBER,
    )
    link = workspace.welcome_link(user=member.user, actor=request_user(request))
    return _link_page(request, access, member, link)


# ---------------------------------------------------------------------------------------------
# Sessions and evidence papers


@role_required(*RUNNER_ROLES)
def session_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    access = _access(request, slug, run=True)
    session = _session(access, pk) if pk else None
    before = snapshot(session) if session else None
    instance = session or Session(assembly=access.assembly)
    form = SessionForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        obj = workspace.session_save(session=form.save(commit=False), before=before, actor=request_user(request))
        messages.success(request, "The session has been saved.")
        return redirect("assembly_workspace:session", slug=slug, pk=obj.pk)
    back = (
        reverse("assembly_workspace:session", kwargs={"slug": slug, "pk": session.pk})
        if session
        else reverse("assembly_workspace:assembly", kwargs={"slug": slug})
    )
    title = "Change the session" if session else "Add a session"
    return _form_page(request, form=form, title=title, back_url=back, access=access)


@role_required(*RUNNER_ROLES)
@require_POST
def session_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug, run=True)
    session = _session(access, pk)
    try:
        workspace.session_delete(session=session, actor=request_user(request))
    except WorkspaceError as exc:
        messages.error(request, str(exc))
        return redirect("assembly_workspace:session", slug=slug, pk=pk)
    messages.success(request, f"The session “{session.title}” and its evidence papers have been deleted.")
    return redirect("assembly_workspace:assembly", slug=slug)


@role_required(*WORKSPACE_ROLES)
def session_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug)
    session = _session(access, pk)
    papers = list(session.papers.order_by("pk"))
    recommendations = list(session.recommendations.order_by("number"))
    levels = workspace.support_levels(assembly=access.assembly, recommendations=recommendations)
    return render(
        request,
        "assembly/workspace/session.html",
        {
            "access": access,
            "assembly": access.assembly,
            "session": session,
            "papers": papers,
            "rows": [(rec, levels[rec.pk]) for rec in recommendations],
        },
    )


@role_required(*WORKSPACE_ROLES)
def session_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug)
    session = _session(access, pk)
    page_url = request.build_absolute_uri(reverse("assembly_workspace:session", kwargs={"slug": slug, "pk": pk}))
    text = workspace.session_ics(session=session, host=request.get_host(), page_url=page_url)
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{access.assembly.slug}-session-{session.pk}.ics"'
    return response


@role_required(*RUNNER_ROLES)
def paper_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug, run=True)
    session = _session(access, pk)
    back = reverse("assembly_workspace:session", kwargs={"slug": slug, "pk": pk})
    title = f"Add an evidence paper to “{session.title}”"
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > workspace.PAPER_MAX_BYTES + 65536:
        # Refuse before reading the body, so a huge file costs nothing.
        form = PaperForm(data={})
        form.is_valid()
        form.errors.clear()
        form.add_error("file", "The file must be 10 MB or smaller. Make it smaller or link to it instead")
        return _form_page(request, form=form, title=title, back_url=back, access=access, status=413)
    form = PaperForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            workspace.paper_add(
                session=session,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                link=form.cleaned_data["link"],
                upload=form.cleaned_data["file"] or None,
                actor=request_user(request),
            )
        except WorkspaceError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, "The evidence paper has been added.")
            return redirect(back)
    return _form_page(request, form=form, title=title, back_url=back, access=access)


def _paper(access: WorkspaceAccess, pk: int) -> EvidencePaper:
    return get_object_or_404(EvidencePaper.objects.select_related("session"), pk=pk, session__assembly=access.assembly)


@role_required(*RUNNER_ROLES)
def paper_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug, run=True)
    paper = _paper(access, pk)
    back = reverse("assembly_workspace:session", kwargs={"slug": slug, "pk": paper.session_id})
    before = snapshot(paper)
    form = PaperEditForm(request.POST if request.method == "POST" else None, instance=paper)
    if request.method == "POST" and form.is_valid():
        try:
            workspace.paper_update(paper=form.save(commit=False), before=before, actor=request_user(request))
        except WorkspaceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The evidence paper has been saved.")
            return redirect(back)
    intro = "To replace the PDF, delete this paper and add it again." if paper.file else ""
    return _form_page(request, form=form, title="Change the evidence paper", back_url=back, access=access, intro=intro)


@role_required(*RUNNER_ROLES)
@require_POST
def paper_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug, run=True)
    paper = _paper(access, pk)
    workspace.paper_delete(paper=paper, actor=request_user(request))
    messages.success(request, f"The evidence paper “{paper.title}” has been deleted.")
    return redirect("assembly_workspace:session", slug=slug, pk=paper.session_id)


@role_required(*WORKSPACE_ROLES)
def paper_file(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """Evidence files are never on a public address: only this view, for this assembly, serves them."""
    access = _access(request, slug)
    paper = get_object_or_404(EvidencePaper, pk=pk, session__assembly=access.assembly)
    if not paper.file:
        raise Http404("This paper has no file")
    response = FileResponse(
        paper.file.open("rb"),
        as_attachment=True,
        filename=workspace.paper_filename(paper),
        content_type="application/pdf",
    )
    return response


# ---------------------------------------------------------------------------------------------
# Recommendations and votes


@role_required(*RUNNER_ROLES)
def recommendation_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug, run=True)
    session = _session(access, pk)
    instance = Recommendation(assembly=access.assembly, session=session)
    initial = {"number": workspace.recommendation_next_number(assembly=access.assembly)}
    form = RecommendationForm(request.POST if request.method == "POST" else None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        rec = workspace.recommendation_save(recommendation=form.save(commit=False), before=None, actor=request_user(request))
        messages.success(request, "The draft recommendation has been saved. Open it for voting when the assembly is ready.")
        return redirect("assembly_workspace:recommendation", slug=slug, pk=rec.pk)
    back = reverse("assembly_workspace:session", kwargs={"slug": slug, "pk": pk})
    return _form_page(request, form=form, title="Draft a recommendation", back_url=back, access=access)


@role_required(*RUNNER_ROLES)
def recommendation_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug, run=True)
    rec = _recommendation(access, pk)
    back = reverse("assembly_workspace:recommendation", kwargs={"slug": slug, "pk": pk})
    if rec.status != Recommendation.Status.DRAFT:
        messages.error(request, "Only a draft can be changed: voting on this recommendation has started.")
        return redirect(back)
    before = snapshot(rec)
    form = RecommendationForm(request.POST if request.method == "POST" else None, instance=rec)
    if request.method == "POST" and form.is_valid():
        workspace.recommendation_save(recommendation=form.save(commit=False), before=before, actor=request_user(request))
        messages.success(request, "The draft recommendation has been saved.")
        return redirect(back)
    return _form_page(request, form=form, title="Change the draft recommendation", back_url=back, access=access)


def _recommendation_page(
    request: HttpRequest, access: WorkspaceAccess, rec: Recommendation, *, vote_form: VoteForm | None = None
) -> HttpResponse:
    level = workspace.support_level(recommendation=rec)
    my_vote: Vote | None = None
    if access.can_vote and access.membership is not None:
        my_vote = Vote.objects.filter(recommendation=rec, member=access.membership).first()
        if vote_form is None and rec.status == Recommendation.Status.VOTING:
            action = reverse("assembly_workspace:vote", kwargs={"slug": access.assembly.slug, "pk": rec.pk})
            vote_form = VoteForm(initial={"choice": my_vote.choice if my_vote else None}, action=action)
    response = CouncilResponse.objects.filter(recommendation=rec).first()
    if response is not None and response.published_at is None and not access.is_officer:
        response = None
    context: dict[str, Any] = {
        "access": access,
        "assembly": access.assembly,
        "rec": rec,
        "level": level,
        "my_vote": my_vote,
        "form": vote_form,
        "response": response,
        # Individual votes are for facilitators and officers only; members see the totals.
        "votes": list(workspace.votes_of(recommendation=rec)) if access.sees_individual_votes else None,
    }
    return render(request, "assembly/workspace/recommendation.html", context)


@role_required(*WORKSPACE_ROLES)
def recommendation_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug)
    return _recommendation_page(request, access, _recommendation(access, pk))


@role_required(Role.ASSEMBLY_MEMBER)
@require_POST
def vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug)
    rec = _recommendation(access, pk)
    if not access.can_vote or access.membership is None:
        raise PermissionDenied("Only members of this assembly can vote.")
    form = VoteForm(request.POST, action=reverse("assembly_workspace:vote", kwargs={"slug": slug, "pk": pk}))
    if form.is_valid():
        try:
            workspace.vote_cast(
                recommendation=rec, member=access.membership, choice=form.cleaned_data["choice"], actor=request_user(request)
            )
        except WorkspaceError as exc:
            # Voting closed (or never opened): there is no form to correct, so say it at the top.
            messages.error(request, str(exc))
            return redirect("assembly_workspace:recommendation", slug=slug, pk=pk)
        else:
            label = Vote.Choice(form.cleaned_data["choice"]).label.lower()
            messages.success(request, f"Your vote has been counted: you {label}. You can change it until voting closes.")
            return redirect("assembly_workspace:recommendation", slug=slug, pk=pk)
    return _recommendation_page(request, access, rec, vote_form=form)


def _vote_step(
    request: HttpRequest,
    slug: str,
    pk: int,
    step: Callable[..., Any],
    success: Callable[[Any], str],
) -> HttpResponse:
    """Open, close or reopen voting (facilitators and officers): the service says no with a
    reason, or the page says what happened (and whether the measure could not be updated)."""
    access = _access(request, slug, run=True)
    rec = _recommendation(access, pk)
    try:
        outcome = step(recommendation=rec, actor=request_user(request))
    except WorkspaceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success(outcome))
        if getattr(outcome, "measure_problem", ""):
            messages.warning(request, outcome.measure_problem)
    return redirect("assembly_workspace:recommendation", slug=slug, pk=pk)


@role_required(*RUNNER_ROLES)
@require_POST
def recommendation_open(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _vote_step(
        request, slug, pk, workspace.recommendation_open,
        lambda _: "Voting is open. Members can now vote on this recommendation.",
    )


@role_required(*RUNNER_ROLES)
@require_POST
def recommendation_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _vote_step(
        request, slug, pk, workspace.recommendation_close,
        lambda outcome: f"Voting has closed. Result: {outcome.recommendation.get_status_display()}.",
    )


@role_required(*RUNNER_ROLES)
@require_POST
def recommendation_reopen(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _vote_step(
        request, slug, pk, workspace.recommendation_reopen,
        lambda _: "Voting is open again. Votes already cast still count, and members can change them.",
    )


# ---------------------------------------------------------------------------------------------
# The council's response (officers) and "you said, we did" (everyone)


def _agreed(request: HttpRequest, access: WorkspaceAccess, pk: int) -> Recommendation | None:
    rec = _recommendation(access, pk)
    if rec.status != Recommendation.Status.AGREED:
        messages.error(request, "The council responds only to recommendations the assembly agreed.")
        return None
    return rec


@role_required(*STAFF_ROLES)
def response_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug, officer=True)
    back = reverse("assembly_workspace:recommendation", kwargs={"slug": slug, "pk": pk})
    rec = _agreed(request, access, pk)
    if rec is None:
        return redirect(back)
    existing = CouncilResponse.objects.filter(recommendation=rec).first()
    before = snapshot(existing) if existing else None
    instance = existing or CouncilResponse(recommendation=rec)
    form = CouncilResponseForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        outcome = workspace.council_response_save(response=form.save(commit=False), before=before, actor=request_user(request))
        if outcome.response.published_at:
            messages.success(request, "The response has been saved. The public page shows the change now.")
        else:
            messages.success(request, "The response has been saved. The public cannot see it until you publish it.")
        if outcome.measure_problem:
            messages.warning(request, outcome.measure_problem)
        return redirect(back)
    title = f"The council’s response to recommendation {rec.number}"
    intro = f"“{rec.title}”. Residents read this on the “You said, we did” page once it is published."
    return _form_page(request, form=form, title=title, back_url=back, access=access, intro=intro)


@role_required(*STAFF_ROLES)
@require_POST
def response_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug, officer=True)
    back = reverse("assembly_workspace:recommendation", kwargs={"slug": slug, "pk": pk})
    rec = _agreed(request, access, pk)
    if rec is None:
        return redirect(back)
    response = CouncilResponse.objects.filter(recommendation=rec).first()
    if response is None:
        messages.error(request, "Write the response before you publish it.")
        return redirect(back)
    outcome = workspace.council_response_publish(response=response, actor=request_user(request))
    messages.success(request, "The response is published on the “You said, we did” page.")
    if outcome.measure_problem:
        messages.warning(request, outcome.measure_problem)
    return redirect(back)


@role_required(*STAFF_ROLES)
@require_POST
def response_unpublish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _access(request, slug, officer=True)
    rec = _recommendation(access, pk)
    response = CouncilResponse.objects.filter(recommendation=rec).select_related("recommendation__assembly").first()
    if response is None or response.published_at is None:
        messages.error(request, "The response is not published.")
    else:
        outcome = workspace.council_response_unpublish(response=response, actor=request_user(request))
        messages.success(request, "The response has been taken off the “You said, we did” page. You can change it and publish it again.")
        if outcome.measure_problem:
            messages.warning(request, outcome.measure_problem)
    return redirect("assembly_workspace:recommendation", slug=slug, pk=pk)


@public
def you_said_we_did(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = get_object_or_404(Assembly, slug=slug)
    rows = workspace.you_said_we_did(assembly=assembly)
    done = sum(1 for row in rows if row.response and row.response.progress == CouncilResponse.Progress.DONE)
    published = sum(1 for row in rows if row.response)
    return render(
        request,
        "assembly/workspace/you_said_we_did.html",
        {"assembly": assembly, "rows": rows, "done": done, "published": published, "threshold": workspace.SupportLevel()},
    )


# ---------------------------------------------------------------------------------------------
# A new member chooses their password


class WelcomeView(PasswordResetConfirmView):
    """Like Django's password reset confirmation, for assembly members' first password."""

    form_class = WelcomePasswordForm
    template_name = "assembly/workspace/welcome.html"
    title = "Choose your password"

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        if user is None or not user.is_active or user.role != Role.ASSEMBLY_MEMBER:
            return None
        return user

    def get_success_url(self) -> str:
        return reverse("login") + "?next=" + reverse("assembly_workspace:index")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["account"] = self.user if self.validlink else None
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user: User = form.user
        audit_record(
            actor=user,
            action=AuditEvent.Action.UPDATE,
            obj=user,
            changes={"password": "set with the one-time link"},
            request=self.request,
        )
        messages.success(self.request, f"Your password is set. Sign in with the username {user.username}.")
        return response


welcome = public(WelcomeView.as_view())

