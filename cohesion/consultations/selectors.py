"""Reads for consultations: results with intervals, weighting, breakdowns, themes, public data.

Public outputs (the results page, CSV, JSON, PDF) go through :func:`public_results`, which hides
every count under 5 (with secondary suppression) and never includes anyone's personal details.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet

from cohesion.core.disclosure import (
    DEFAULT_THRESHOLD,
    suppress_series,
    suppress_table,
    suppressed_label,
)
from cohesion.strategy.progress import wilson_interval

from .models import PREFER_NOT_TO_SAY, Answer, Consultation, Question, Response, Theme
from .weighting import WeightingError, kish_design_effect, rake

LABEL = suppressed_label(DEFAULT_THRESHOLD)


def consultations_open() -> QuerySet[Consultation]:
    from django.utils import timezone

    today = timezone.localdate()
    return Consultation.objects.filter(
        published_at__isnull=False, opens_on__lte=today, closes_on__gte=today
    )


def consultations_public() -> QuerySet[Consultation]:
    return Consultation.objects.filter(published_at__isnull=False)


def submitted(consultation: Consultation) -> QuerySet[Response]:
    return Response.objects.filter(consultation=consultation, submitted_at__isnull=False)


def consultation_counts(*, consultation: Consultation) -> dict[str, int]:
    data = Response.objects.filter(consultation=consultation).aggregate(
        sent=Count("pk", filter=Q(submitted_at__isnull=False)),
        drafts=Count("pk", filter=Q(submitted_at__isnull=True)),
        online=Count("pk", filter=Q(submitted_at__isnull=False, channel="online")),
        paper=Count("pk", filter=Q(submitted_at__isnull=False, channel__in=["paper", "email"])),
        imported=Count("pk", filter=Q(submitted_at__isnull=False, channel="import")),
    )
    return {k: int(v or 0) for k, v in data.items()}


def response_questions(*, response: Response) -> list[dict[str, Any]]:
    answers = {a.question_id: a for a in response.answers.all()}
    return [
        {"question": q, "answer": answers.get(q.pk)} for q in response.consultation.questions.all()
    ]


# ---------------------------------------------------------------------------------------------
# Who answered, and weights


def profile(*, consultation: Consultation) -> dict[str, dict[int, str]]:
    """About-you key -> {response id: category} for sent responses ("Prefer not to say" left out)."""
    out: dict[str, dict[int, str]] = defaultdict(dict)
    rows = (
        Answer.objects.filter(
            question__consultation=consultation, response__submitted_at__isnull=False
        )
        .exclude(question__about="")
        .values_list("question__about", "response_id", "choices")
    )
    for about, response_id, choices in rows:
        if choices and choices[0] != PREFER_NOT_TO_SAY:
            out[about][response_id] = choices[0]
    return out


@dataclass
class Weights:
    by_response: dict[int, float]
    ok: bool
    error: str = ""
    design_effect: float = 1.0
    effective_n: float = 0.0
    trimmed: int = 0
    margins: tuple[str, ...] = ()


def weights(*, consultation: Consultation) -> Weights:
    """Raking weights to the census margins the officer chose (empty when weighting is off)."""
    keys = [k for k in consultation.weight_by if k in consultation.census_margins]
    ids = list(submitted(consultation).order_by("pk").values_list("pk", flat=True))
    if not keys or not ids:
        return Weights(by_response={}, ok=False, error="" if not ids else "Weighting is not set up")
    prof = profile(consultation=consultation)
    categories = {k: [prof.get(k, {}).get(pk) for pk in ids] for k in keys}
    margins = {k: consultation.census_margins[k] for k in keys}
    try:
        result = rake(categories=categories, margins=margins)
    except WeightingError as exc:
        return Weights(by_response={}, ok=False, error=str(exc), margins=tuple(keys))
    return Weights(
        by_response=dict(zip(ids, (float(w) for w in result.weights), strict=True)),
        ok=True,
        design_effect=result.design_effect,
        effective_n=result.effective_n,
        trimmed=result.trimmed,
        margins=tuple(keys),
    )


def representation(*, consultation: Consultation, w: Weights | None = None) -> list[dict[str, Any]]:
    """For each about-you question with census figures: who answered against the census."""
    prof = profile(consultation=consultation)
    w = w if w is not None else weights(consultation=consultation)
    out = []
    for key, margin in consultation.census_margins.items():
        total_pop = sum(margin.values()) or 1
        answered = prof.get(key, {})
        counts = Counter(answered.values())
        n = sum(counts[c] for c in margin)
        weighted_total = (
            sum(w.by_response.get(r, 0.0) for r, c in answered.items() if c in margin)
            if w.ok
            else 0.0
        )
        rows = []
        for category, population in margin.items():
            share = counts[category] / n if n else 0.0
            census = population / total_pop
            wsum = (
                sum(w.by_response.get(r, 0.0) for r, c in answered.items() if c == category)
                if w.ok
                else 0.0
            )
            rows.append(
                {
                    "category": category,
                    "count": counts[category],
                    "share": 100 * share,
                    "census": 100 * census,
                    "gap": 100 * (share - census),
                    "weighted": 100 * wsum / weighted_total if weighted_total else None,
                }
            )
        out.append({"key": key, "label": key.replace("_", " ").capitalize(), "n": n, "rows": rows})
    return out


# ---------------------------------------------------------------------------------------------
# Closed questions


def _choices_by_response(question: Question) -> dict[int, list[str]]:
    return dict(
        Answer.objects.filter(question=question, response__submitted_at__isnull=False).values_list(
            "response_id", "choices"
        )
    )


def question_results(*, question: Question, w: Weights | None = None) -> dict[str, Any]:
    """Counts, % with 95% CIs, and weighted % (with the design effect) for a closed question."""
    answers = {r: c for r, c in _choices_by_response(question).items() if c}
    n = len(answers)
    counts = Counter(choice for choices in answers.values() for choice in choices)
    w = w if w is not None else weights(consultation=question.consultation)
    weighting_ok = w.ok and n > 0
    if weighting_ok:
        ws = np.array([w.by_response.get(r, 0.0) for r in answers])
        total_w = float(ws.sum())
        weighting_ok = total_w > 0
    deff = kish_design_effect(ws) if weighting_ok else 1.0
    n_eff = n / deff if weighting_ok else float(n)
    rows = []
    for option in question.options:
        count = counts[option]
        row: dict[str, Any] = {"option": option, "count": count}
        if n:
            low, high = wilson_interval(successes=count, n=n)
            row.update({"pct": 100 * count / n, "low": 100 * low, "high": 100 * high})
        if weighting_ok:
            share = (
                sum(w.by_response.get(r, 0.0) for r, c in answers.items() if option in c) / total_w
            )
            wlow, whigh = wilson_interval(successes=share * n_eff, n=n_eff)
            row.update({"wpct": 100 * share, "wlow": 100 * wlow, "whigh": 100 * whigh})
        rows.append(row)
    return {
        "question": question,
        "answered": n,
        "rows": rows,
        "weighting_ok": weighting_ok,
        "weighting_error": w.error,
        "design_effect": deff,
        "effective_n": n_eff,
        "multiple": question.kind == Question.Kind.MULTIPLE,
    }


def weighted_share(*, question: Question, options: list[str], w: Weights) -> float | None:
    answers = {r: c for r, c in _choices_by_response(question).items() if c}
    total = sum(w.by_response.get(r, 0.0) for r in answers)
    if not w.ok or total <= 0:
        return None
    return (
        sum(w.by_response.get(r, 0.0) for r, c in answers.items() if set(c) & set(options)) / total
    )


def _table(
    rows: list[Hashable], columns: list[str], counts: dict[tuple[Hashable, Hashable], int]
) -> dict[str, Any]:
    table = suppress_table(counts=counts, rows=rows, columns=columns)
    return {
        "columns": columns,
        "rows": [
            {
                "label": str(r),
                "cells": [table.cell(r, c).display for c in columns],
                "total": table.row_totals[r].display,
            }
            for r in rows
        ],
        "totals": [table.column_totals[c].display for c in columns],
        "grand": table.grand_total.display if table.grand_total else "",
    }


def breakdown(*, question: Question, by: str) -> dict[str, Any] | None:
    """Counts by ward (``by="ward"``) or by an about-you group, small counts suppressed."""
    answers = {r: c for r, c in _choices_by_response(question).items() if c}
    if by == "ward":
        groups = dict(
            Response.objects.filter(pk__in=answers, ward__isnull=False).values_list(
                "pk", "ward__name"
            )
        )
        about_q = question.consultation.questions.filter(about="ward").first()
        order = [
            o
            for o in (about_q.options if about_q else sorted(set(groups.values())))
            if o != PREFER_NOT_TO_SAY
        ]
    else:
        groups = profile(consultation=question.consultation).get(by, {})
        about_q = question.consultation.questions.filter(about=by).first()
        if about_q is None:
            return None
        order = [o for o in about_q.options if o != PREFER_NOT_TO_SAY]
    if question.kind == Question.Kind.MULTIPLE:
        return None  # one person can be in several columns: a table of people would not add up
    counts: dict[tuple[Hashable, Hashable], int] = Counter()
    for response_id, choices in answers.items():
        group = groups.get(response_id)
        if group in order:
            counts[(group, choices[0])] += 1
    present = [g for g in order if any(counts.get((g, o), 0) for o in question.options)]
    # Answers nobody chose are left out: a column of zeros tells nothing and only forces more hiding.
    columns = [o for o in question.options if any(counts.get((g, o), 0) for g in present)]
    if not present:
        return None
    return {"by": by, "label": by.replace("_", " "), **_table(present, columns, dict(counts))}


# ---------------------------------------------------------------------------------------------
# Themes


def _safe_quote(answer: Answer) -> str:
    """The officer's confirmed wording; failing that, the text with personal details taken out."""
    if answer.redacted_text:
        return answer.redacted_text
    from cohesion.text.pii import find_personal_details, redact

    spans = find_personal_details(answer.text)
    return redact(answer.text, spans) if spans else answer.text


def theme_rows(
    *, question: Question, public: bool = False, quotes: int = 3
) -> list[dict[str, Any]]:
    themes = list(
        Theme.objects.filter(question=question)
        .annotate(
            n=Count("answers", distinct=True),
            agree=Count("answers", filter=Q(answers__stance="agree"), distinct=True),
            disagree=Count("answers", filter=Q(answers__stance="disagree"), distinct=True),
        )
        .order_by("-n", "order", "pk")
    )
    reps = {
        a.pk: a
        for a in Answer.objects.filter(pk__in={pk for t in themes for pk in t.representatives})
    }
    rows = []
    for theme in themes:
        chosen = [reps[pk] for pk in theme.representatives if pk in reps]
        if public:
            chosen = [a for a in chosen if a.quotable]
        rows.append(
            {
                "theme": theme,
                "label": theme.label,
                "keywords": theme.keywords,
                "count": theme.n,  # type: ignore[attr-defined]
                "agree": theme.agree,  # type: ignore[attr-defined]
                "disagree": theme.disagree,  # type: ignore[attr-defined]
                "quotes": [(_safe_quote(a) if public else a.text)[:600] for a in chosen[:quotes]],
                "quote_answers": chosen[:quotes],
            }
        )
    if public:
        rows = [r for r in rows if r["count"] > 0]
        for row in rows:
            # Each theme is a line: agreed + disagreed + unclear = people. Unclear is not shown,
            # but suppressing the three together stops a small count being worked out.
            unclear = row["count"] - row["agree"] - row["disagree"]
            series = suppress_series(
                counts={
                    "agree": row["agree"],
                    "disagree": row["disagree"],
                    "unclear": max(unclear, 0),
                },
                publish_total=True,
            )
            total = series.total if series.total is not None else series["agree"]  # always set
            for key, cell in (
                ("agree", series["agree"]),
                ("disagree", series["disagree"]),
                ("count", total),
            ):
                row[f"{key}_display"] = cell.display
                if cell.suppressed:
                    row[key] = None
    return rows


def unthemed_answers(*, question: Question, limit: int = 50) -> list[Answer]:
    return list(
        Answer.objects.filter(
            question=question, response__submitted_at__isnull=False, themes__isnull=True
        )
        .exclude(text="")
        .order_by("pk")[:limit]
    )


# ---------------------------------------------------------------------------------------------
# Public results: one structure behind the page, the CSV, the JSON and the PDF


def public_results(*, consultation: Consultation) -> dict[str, Any]:
    w = weights(consultation=consultation)
    questions = []
    for question in consultation.questions.filter(about=""):
        item: dict[str, Any] = {
            "question": question,
            "text": question.text,
            "kind": question.kind,
            "council_response": question.council_response,
        }
        if question.is_closed:
            res = question_results(question=question, w=w)
            series = suppress_series(
                counts={r["option"]: r["count"] for r in res["rows"]},
                publish_total=not res["multiple"],
            )
            rows = []
            for row in res["rows"]:
                cell = series[row["option"]]
                public_row: dict[str, Any] = {
                    "option": row["option"],
                    "count": cell.display,
                    "count_value": cell.value,
                }
                if not cell.suppressed and res["answered"]:
                    public_row.update({"pct": row["pct"], "low": row["low"], "high": row["high"]})
                    if res["weighting_ok"]:
                        public_row.update(
                            {"wpct": row["wpct"], "wlow": row["wlow"], "whigh": row["whigh"]}
                        )
                rows.append(public_row)
            answered = res["answered"]
            item.update(
                {
                    "answered": f"{answered:,}" if answered >= DEFAULT_THRESHOLD else LABEL,
                    "rows": rows,
                    "weighted": res["weighting_ok"],
                    "design_effect": res["design_effect"] if res["weighting_ok"] else None,
                }
            )
        else:
            item["themes"] = theme_rows(question=question, public=True)
        questions.append(item)
    total = submitted(consultation).count()
    return {
        "consultation": consultation,
        "responses": f"{total:,}" if total >= DEFAULT_THRESHOLD else LABEL,
        "questions": questions,
        "weighted_by": [k.replace("_", " ") for k in w.margins] if w.ok else [],
        "design_effect": w.design_effect if w.ok else None,
    }


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def public_csv_rows(*, consultation: Consultation) -> list[list[str]]:
    data = public_results(consultation=consultation)
    rows = [
        [
            "question",
            "answer",
            "count",
            "percent",
            "ci_low",
            "ci_high",
            "weighted_percent",
            "weighted_ci_low",
            "weighted_ci_high",
            "agreed",
            "disagreed",
        ]
    ]
    for item in data["questions"]:
        if "rows" in item:
            for row in item["rows"]:
                rows.append(
                    [
                        item["text"],
                        row["option"],
                        row["count"],
                        _fmt(row.get("pct")),
                        _fmt(row.get("low")),
                        _fmt(row.get("high")),
                        _fmt(row.get("wpct")),
                        _fmt(row.get("wlow")),
                        _fmt(row.get("whigh")),
                        "",
                        "",
                    ]
                )
        else:
            for theme in item["themes"]:
                rows.append(
                    [
                        item["text"],
                        f"Theme: {theme['label']}",
                        theme["count_display"],
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        theme["agree_display"],
                        theme["disagree_display"],
                    ]
                )
    return rows


def public_json(*, consultation: Consultation) -> dict[str, Any]:
    data = public_results(consultation=consultation)
    out_questions = []
    for item in data["questions"]:
        q: dict[str, Any] = {
            "question": item["text"],
            "kind": item["kind"],
            "council_response": item["council_response"],
        }
        if "rows" in item:
            q["answered"] = item["answered"]
            q["design_effect"] = item["design_effect"]
            q["answers"] = [
                {
                    "answer": r["option"],
                    "count": r["count_value"],
                    "suppressed": r["count_value"] is None,
                    "percent": r.get("pct"),
                    "ci_95": [r["low"], r["high"]] if "low" in r else None,
                    "weighted_percent": r.get("wpct"),
                    "weighted_ci_95": [r["wlow"], r["whigh"]] if "wlow" in r else None,
                }
                for r in item["rows"]
            ]
        else:
            q["themes"] = [
                {
                    "theme": t["label"],
                    "count": t["count"],
                    "agreed": t["agree"],
                    "disagreed": t["disagree"],
                    "quotes": t["quotes"],
                }
                for t in item["themes"]
            ]
        out_questions.append(q)
    consultation = data["consultation"]
    return {
        "consultation": consultation.title,
        "summary": consultation.summary,
        "opened": consultation.opens_on.isoformat(),
        "closed": consultation.closes_on.isoformat(),
        "responses": data["responses"],
        "you_said": consultation.you_said,
        "we_did": consultation.what_changed,
        "weighted_to_census_by": data["weighted_by"],
        "small_counts": f"Counts under {DEFAULT_THRESHOLD} are hidden (null) and shown as “{LABEL}”",
        "questions": out_questions,
    }
