from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .audit import audit_record
from .forms import ApiTokenForm, SignInForm
from .jobs import job_result_url
from .models import ApiToken, AuditEvent, Job, Role, User
from .permissions import SIGNED_IN_ROLES, public, request_user, role_required
from .tokens import api_token_create, api_token_revoke


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=form.get_user(), action=AuditEvent.Action.SIGN_IN, request=self.request)
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        audit_record(
            actor=None,
            action=AuditEvent.Action.SIGN_IN_FAILED,
            object_type="core.user",
            object_repr=(self.request.POST.get("username") or "")[:150],
            request=self.request,
        )
        return super().form_invalid(form)


sign_in = public(SignInView.as_view())


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, User):
        audit_record(actor=request.user, action=AuditEvent.Action.SIGN_OUT, request=request)
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("public:home")


@public
def after_sign_in(request: HttpRequest) -> HttpResponse:
    """Send each person to the place their role works in."""
    user = request.user
    if not isinstance(user, User):
        return redirect("login")
    if user.has_role(*SIGNED_IN_ROLES):
        return redirect("staff:dashboard")
    if user.role in (Role.ASSEMBLY_MEMBER, Role.FACILITATOR):
        return redirect("assembly_workspace:index")
    return redirect("public:home")


@role_required(Role.ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.select_related("actor").all()
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    object_type = request.GET.get("type", "").strip()
    if object_type:
        events = events.filter(object_type=object_type)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "actions": AuditEvent.Action.choices,
            "action": action,
            "object_type": object_type,
        },
    )


@role_required(*SIGNED_IN_ROLES)
def api_tokens(request: HttpRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            _, new_token = api_token_create(
                user=request_user(request), name=form.cleaned_data["name"]
            )
            form = ApiTokenForm()
    else:
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request_user(request))
    return render(
        request, "core/api_tokens.html", {"form": form, "tokens": tokens, "new_token": new_token}
    )


@role_required(*SIGNED_IN_ROLES)
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    tokens = (
        ApiToken.objects.all() if user.has_role(Role.ADMIN) else ApiToken.objects.filter(user=user)
    )  # type: ignore[union-attr]
    token = get_object_or_404(tokens, pk=pk)
    api_token_revoke(token=token, actor=user)  # type: ignore[arg-type]
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("core:api_tokens")


def _visible_job(request: HttpRequest, pk: str) -> Job:
    user = request_user(request)
    jobs = Job.objects.all() if user.has_role(Role.ADMIN) else Job.objects.filter(started_by=user)
    return get_object_or_404(jobs, pk=pk)


@role_required(*SIGNED_IN_ROLES)
def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = _visible_job(request, pk)
    next_url = job_result_url(job) if job.is_finished else None
    if next_url:
        return redirect(next_url)
    return render(request, "core/job_detail.html", {"job": job})


@role_required(*SIGNED_IN_ROLES)
def job_status(request: HttpRequest, pk: str) -> JsonResponse:
    """The job's progress as JSON, for the job page's script."""
    job = _visible_job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "percent": job.percent,
            "message": job.message,
            "finished": job.is_finished,
            "next_url": job_result_url(job) if job.is_finished else None,
        }
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponseBase:
    """A request Django could not read (for example a paste over the upload limit): a page in
    plain English instead of the bare "Bad Request (400)"."""
    return render(request, "400.html", status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponseBase:
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponseBase:
    return render(request, "404.html", status=404)
