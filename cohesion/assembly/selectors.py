"""Reads for the civic lottery's pages: counts for the officer, and the public transparency page."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from .models import Address, Assembly, Invitation, InvitationDraw, Question, SelectionRun, Volunteer


@dataclass(frozen=True)
class ProbabilitySummary:
    count: int
    smallest: float
    largest: float
    geometric_mean: float
    gini: float


def probability_summary(values: Iterable[float]) -> ProbabilitySummary:
    """The smallest, geometric mean and Gini coefficient of selection probabilities.

    The geometric mean is 0 when anyone's probability is 0. The Gini coefficient is 0 when every
    probability is the same and near 1 when one person has all of the chance.
    """
    xs = sorted(float(v) for v in values)
    n = len(xs)
    if n == 0:
        return ProbabilitySummary(0, 0.0, 0.0, 0.0, 0.0)
    geometric = 0.0 if xs[0] <= 0 else math.exp(sum(math.log(x) for x in xs) / n)
    total = sum(xs)
    gini = 0.0 if total <= 0 else (2 * sum(i * x for i, x in enumerate(xs, start=1)) / (n * total)) - (n + 1) / n
    return ProbabilitySummary(n, xs[0], xs[-1], geometric, max(0.0, gini))


def assembly_overview(*, assembly: Assembly) -> dict[str, Any]:
    volunteers = Volunteer.objects.filter(assembly=assembly).aggregate(
        total=Count("pk"),
        registered=Count("pk", filter=Q(status=Volunteer.Status.REGISTERED)),
        selected=Count("pk", filter=Q(status=Volunteer.Status.SELECTED)),
        withdrawn=Count("pk", filter=Q(status=Volunteer.Status.WITHDRAWN)),
        paper=Count("pk", filter=Q(entered_by__isnull=False)),
    )
    invitations = Invitation.objects.filter(assembly=assembly).aggregate(total=Count("pk"), used=Count("pk", filter=Q(used_at__isnull=False)))
    return {
        "addresses": Address.objects.filter(assembly=assembly).count(),
        "address_wards": Address.objects.filter(assembly=assembly).values("ward").distinct().count(),
        "invitations": invitations,
        "volunteers": volunteers,
        "draws": list(InvitationDraw.objects.filter(assembly=assembly).defer("letters_pdf", "record").select_related("drawn_by").annotate(letters=Count("invitations"))),
        "questions": Question.objects.filter(assembly=assembly).count(),
        "quotas": assembly.quotas.count(),
        "runs": list(SelectionRun.objects.filter(assembly=assembly).defer("lottery_file", "record", "marginals").select_related("job", "started_by")),
    }


def published_run(*, assembly: Assembly) -> SelectionRun | None:
    """The run whose fingerprint was published last: the one the transparency page shows."""
    return (
        SelectionRun.objects.filter(assembly=assembly, fingerprint_published_at__isnull=False)
        .order_by("-fingerprint_published_at", "-pk")
        .first()
    )


def drawn_labels(*, run: SelectionRun) -> list[str]:
    if run.drawn_panel is None:
        return []
    order: Sequence[str] = run.record.get("people_order") or []
    panels = run.record.get("lottery_panels") or []
    if run.drawn_panel >= len(panels):
        return []
    return [order[i] for i in panels[run.drawn_panel]]


def quota_rows(*, run: SelectionRun, panel: Sequence[str]) -> list[dict[str, Any]]:
    """Each quota with how many of the chosen panel have that answer (from the run's own record)."""
    inputs = run.record.get("inputs") or {}
    features = {v["label"]: v.get("features", {}) for v in inputs.get("volunteers", [])}
    on_panel: Counter[tuple[str, str]] = Counter()
    for label in panel:
        for category, value in features.get(label, {}).items():
            on_panel[(category, value)] += 1
    found = list(Question.objects.filter(assembly_id=run.assembly_id).order_by("order", "key"))
    questions = {q.key: q.label for q in found}
    place = {(q.key, option): (n, i) for n, q in enumerate(found) for i, option in enumerate(q.options)}
    pool: Counter[tuple[str, str]] = Counter((c, v) for f in features.values() for c, v in f.items())
    quotas = sorted(inputs.get("quotas", []), key=lambda q: (*place.get((q["category"], q["value"]), (len(found), 0)), q["category"], q["value"]))
    return [
        {
            "category": questions.get(q["category"], q["category"]),
            "key": q["category"],
            "value": q["value"],
            "min": q["min"],
            "max": q["max"],
            "in_pool": pool[(q["category"], q["value"])],
            "on_panel": on_panel[(q["category"], q["value"])] if panel else None,
        }
        for q in quotas
    ]


def transparency(*, assembly: Assembly) -> dict[str, Any]:
    run = published_run(assembly=assembly)
    if run is None:
        return {"run": None}
    panel = drawn_labels(run=run)
    chosen = set(panel)
    marginals: dict[str, float] = run.marginals or {}
    m = run.lottery_size or 1
    probabilities = [
        {"label": label, "probability": p, "percent": 100 * p, "panels": round(p * m), "chosen": label in chosen}
        for label, p in sorted(marginals.items())
    ]
    return {
        "run": run,
        "panel": panel,
        "quotas": quota_rows(run=run, panel=panel),
        "probabilities": probabilities,
        "summary": probability_summary(marginals.values()),
        "m": m,
    }


def probabilities_csv_rows(*, run: SelectionRun) -> Iterable[list[str]]:
    chosen = set(drawn_labels(run=run))
    drawn = run.drawn_panel is not None
    yield ["label", "probability", "panels_of_lottery", "on_chosen_panel"]
    m = run.lottery_size or 1
    for label, p in sorted((run.marginals or {}).items()):
        yield [label, f"{p:.6f}", str(round(p * m)), ("yes" if label in chosen else "no") if drawn else ""]
