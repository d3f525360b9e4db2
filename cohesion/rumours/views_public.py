"""Public pages: myth-busters (searchable) and the short form residents use to tell us about a
rumour. Nothing here shows personal data or counts by ward."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cohesion.core.audit import client_ip
from cohesion.core.permissions import public

from . import selectors, services
from .forms import PublicReportForm, form_token_age, form_token_make
from .models import Rebuttal

logger = logging.getLogger(__name__)

REPORTS_PER_HOUR = 5  # reports one address may send in an hour
TRIES_PER_HOUR = 30  # posts of the form, mistakes included, one address may make in an hour
MIN_SECONDS = 3  # a person takes longer than this to read and fill in the form
MAX_SECONDS = 24 * 60 * 60
TOO_MANY = "You have sent a lot of reports in the last hour. Thank you. Please wait an hour before you send another"
THANKS_KEY = "rumours-public-thanks"
# The published myth-busters that answer what the resident told us, shown on the thank-you page.
RELATED_KEY = "rumours-public-related"


def _key(request: HttpRequest, kind: str) -> str:
    return f"rumours-public-{kind}:{client_ip(request) or 'unknown'}"


def _bump(request: HttpRequest, kind: str) -> int:
    """Count one more ``kind`` ("sent" or "tries") from this address in the hour; the new count."""
    key = _key(request, kind)
    cache.add(key, 0, 60 * 60)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 60 * 60)
        return 1


def _rate_limited(request: HttpRequest) -> bool:
    """Too many reports from this address in the hour. Reports saved (and bot attempts) count
    against ``REPORTS_PER_HOUR``; a form sent back to fix a mistake does not, so a resident
    correcting an answer is never blocked, but every post counts against ``TRIES_PER_HOUR``."""
    sent = cache.get(_key(request, "sent"), 0)
    return sent >= REPORTS_PER_HOUR or _bump(request, "tries") > TRIES_PER_HOUR


@public
def myth_index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    results = selectors.myth_search(q=q)
    return render(request, "rumours/public/index.html", {"q": q, "results": results})


@public
def myth_detail(request: HttpRequest, slug: str) -> HttpResponse:
    rebuttal = get_object_or_404(Rebuttal.objects.select_related("claim"), slug=slug)
    if not rebuttal.is_published:
        raise Http404("This myth-buster is not published")
    url = request.build_absolute_uri(rebuttal.get_absolute_url())
    return render(
        request,
        "rumours/public/detail.html",
        {
            "rebuttal": rebuttal,
            "claim_review": selectors.claim_review(rebuttal=rebuttal, url=url),
            "sources": rebuttal.source_list(),
        },
    )


@public
def report(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "rumours/public/report.html", {"form": PublicReportForm()})
    form = PublicReportForm(request.POST)
    if _rate_limited(request):
        form.is_valid()
        form.errors.clear()
        form.add_error(None, TOO_MANY)
        return render(request, "rumours/public/report.html", {"form": form}, status=429)
    # A bot fills in the field people never see, or sends the form faster than anyone could read
    # it, or without the token the page gave it: thank it and save nothing.
    age = form_token_age(request.POST.get("started", ""), max_age=10 * 365 * 24 * 3600)
    if request.POST.get("website") or age is None or age < MIN_SECONDS:
        logger.info("Public rumour report refused as automated from %s", client_ip(request))
        return _thanks(request, "sent")
    if age > MAX_SECONDS:
        form.is_valid()
        data = request.POST.copy()
        data["started"] = form_token_make()
        form = PublicReportForm(data)
        form.is_valid()
        form.add_error(
            None, "This page was open for more than a day. Check your report and send it again"
        )
        return render(request, "rumours/public/report.html", {"form": form})
    if form.is_valid():
        try:
            services.sighting_create(
                data=form.sighting_input(), actor=None, via="web", request=request
            )
        except services.DuplicateReport:
            return _thanks(request, "duplicate", text=form.cleaned_data["text"])
        except services.RumourError as exc:
            form.add_error(None, str(exc))
        else:
            return _thanks(request, "sent", text=form.cleaned_data["text"])
    return render(request, "rumours/public/report.html", {"form": form})


def _thanks(request: HttpRequest, outcome: str, *, text: str = "") -> HttpResponse:
    """Count the report against the sender's limit and show the thank-you page, with the
    published myth-busters that answer ``text`` (none for a bot, which is given no text)."""
    _bump(request, "sent")
    request.session[THANKS_KEY] = outcome
    request.session[RELATED_KEY] = selectors.related_myth_busters(text=text) if text else []
    return redirect("rumours_public:report_thanks")


@public
def report_thanks(request: HttpRequest) -> HttpResponse:
    outcome = request.session.pop(THANKS_KEY, None)
    related_ids = request.session.pop(RELATED_KEY, [])
    if outcome is None:
        return redirect("rumours_public:report")
    # Still published now (one could be withdrawn between the report and this page).
    published = {r.pk: r for r in selectors.published_rebuttals().filter(pk__in=related_ids)}
    related = [published[pk] for pk in related_ids if pk in published]
    return render(
        request,
        "rumours/public/thanks.html",
        {"duplicate": outcome == "duplicate", "related": related},
    )
