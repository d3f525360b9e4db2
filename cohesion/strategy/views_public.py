"""Pages everyone can read: the strategy, its priorities and how each measure is doing."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cohesion.core.permissions import public

from . import selectors
from .models import Measure, Priority


def _strategy_or_404():  # type: ignore[no-untyped-def]
    strategy = selectors.strategy_current()
    if strategy is None:
        raise Http404("No strategy has been published yet")
    return strategy


@public
def home(request: HttpRequest) -> HttpResponse:
    strategy = selectors.strategy_current()
    priorities = list(selectors.priorities_with_measures(strategy=strategy)) if strategy else []
    return render(request, "strategy/home.html", {"strategy": strategy, "priorities": priorities})


@public
def priority_detail(request: HttpRequest, slug: str) -> HttpResponse:
    priority = get_object_or_404(Priority.objects.select_related("strategy"), slug=slug)
    measures = list(priority.measures.published().order_by("title"))
    return render(request, "strategy/priority.html", {"priority": priority, "measures": measures})


@public
def progress_overview(request: HttpRequest) -> HttpResponse:
    strategy = _strategy_or_404()
    rows = selectors.measures_overview()
    measures = [row.measure for row in rows]
    status = request.GET.get("status", "")
    shown = [r for r in rows if r.measure.status == status] if status in selectors.STATUS_ORDER else rows
    return render(
        request,
        "strategy/progress.html",
        {
            "strategy": strategy,
            "rows": shown,
            "summary": selectors.status_summary(measures=measures),
            "status": status,
            "total": len(measures),
        },
    )


@public
def measure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    measure = get_object_or_404(Measure.objects.published(), slug=slug)
    return render(request, "strategy/measure.html", selectors.measure_page(measure=measure))


@public
def measure_csv(request: HttpRequest, slug: str) -> HttpResponse:
    measure = get_object_or_404(Measure.objects.published(), slug=slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{measure.slug}.csv"'
    writer = csv.writer(response)
    for row in selectors.measure_csv_rows(measure=measure):
        writer.writerow([_csv_safe(cell) for cell in row])
    return response


def _csv_safe(cell: str) -> str:
    """Stop spreadsheet programs from running a cell as a formula."""
    if cell and cell[0] in "=+-@\t\r" and not _is_number(cell):
        return "'" + cell
    return cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
