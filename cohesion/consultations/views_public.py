"""Residents' pages: read a consultation, answer it one question per page, see what changed."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohesion.core.permissions import public

from . import selectors, services
from .forms import AnswerForm, ResumeForm
from .models import Answer, Consultation, Question, Response

SESSION_KEY = "consultation-response-{pk}"


def _published(slug: str) -> Consultation:
    return get_object_or_404(Consultation, slug=slug, published_at__isnull=False)


def _current(request: HttpRequest, consultation: Consultation) -> Response | None:
    pk = request.session.get(SESSION_KEY.format(pk=consultation.pk))
    if not pk:
        return None
    return Response.objects.filter(pk=pk, consultation=consultation).first()


def _closed(
    request: HttpRequest,
    consultation: Consultation,
    response: Response | None = None,
    typed: str = "",
) -> HttpResponse:
    """The consultation is not taking answers. ``typed``: words the resident had just written,
    shown back so that they can keep a copy (they are not saved)."""
    return render(
        request,
        "consultations/public/closed.html",
        {
            "consultation": consultation,
            "message": services.closed_message(consultation),
            "response": response,
            "typed": typed.strip()[: services.MAX_ANSWER_CHARS],
        },
        status=200,
    )


@public
def consultation_list(request: HttpRequest) -> HttpResponse:
    items = list(selectors.consultations_public())
    return render(
        request,
        "consultations/public/index.html",
        {
            "open": [c for c in items if c.is_open()],
            "results": [c for c in items if c.results_published_at],
        },
    )


@public
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _published(slug)
    response = _current(request, consultation)
    return render(
        request,
        "consultations/public/detail.html",
        {
            "consultation": consultation,
            "documents": consultation.documents.all(),
            "in_progress": response is not None and response.submitted_at is None,
            "is_open": consultation.is_open(),
            "questions": consultation.questions.count(),
        },
    )


@public
def document_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    consultation = _published(slug)
    document = get_object_or_404(consultation.documents, pk=pk)
    return FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=False,
        filename=document.file.name.rsplit("/", 1)[-1],
    )


@public
@require_POST
def answer_start(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _published(slug)
    current = _current(request, consultation)
    if current is not None and current.submitted_at is None and consultation.is_open():
        # Pressing "Start now" again carries on with the same answers rather than starting afresh.
        return redirect("consultations_public:question", slug=slug, number=1)
    try:
        response = services.response_start(consultation=consultation)
    except services.ClosedError:
        return _closed(request, consultation)
    request.session[SESSION_KEY.format(pk=consultation.pk)] = response.pk
    return redirect("consultations_public:question", slug=slug, number=1)


def _questions(consultation: Consultation) -> list[Question]:
    return list(consultation.questions.all())


@public
def answer_question(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    consultation = _published(slug)
    response = _current(request, consultation)
    if response is None:
        messages.info(
            request, "Start the questions here, or use your code if you saved your answers."
        )
        return redirect("consultations_public:detail", slug=slug)
    if response.submitted_at is not None:
        return redirect("consultations_public:sent", slug=slug)
    questions = _questions(consultation)
    if not 1 <= number <= len(questions):
        raise Http404
    question = questions[number - 1]
    changing = request.GET.get("change") == "1"
    existing = Answer.objects.filter(response=response, question=question).first()
    initial: Any = None
    if existing:
        initial = (
            existing.text
            if question.kind == Question.Kind.TEXT
            else (
                existing.choices
                if question.kind == Question.Kind.MULTIPLE
                else (existing.choices or [None])[0]
            )
        )
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        question=question,
        initial={"answer": initial},
    )
    if request.method == "POST":
        if not consultation.is_open():
            typed = request.POST.get("answer", "") if question.kind == Question.Kind.TEXT else ""
            return _closed(request, consultation, response, typed=typed)
        action = request.POST.get("action", "continue")
        if action == "save":
            saved = _save_raw(request, response, question, form)
            if saved:
                code = services.response_save_for_later(response=response)
                request.session[f"consultation-code-{consultation.pk}"] = code
                return redirect("consultations_public:saved", slug=slug)
        elif form.is_valid() and _save_raw(request, response, question, form):
            if changing or number == len(questions):
                return redirect("consultations_public:check", slug=slug)
            return redirect("consultations_public:question", slug=slug, number=number + 1)
    back = (
        reverse("consultations_public:question", kwargs={"slug": slug, "number": number - 1})
        if number > 1
        else reverse("consultations_public:detail", kwargs={"slug": slug})
    )
    return render(
        request,
        "consultations/public/question.html",
        {
            "consultation": consultation,
            "form": form,
            "question": question,
            "number": number,
            "count": len(questions),
            "back": back,
        },
    )


def _save_raw(
    request: HttpRequest, response: Response, question: Question, form: AnswerForm
) -> bool:
    """Save what was typed or chosen (saving for later does not insist on an answer)."""
    choices: list[str] = []
    text = ""
    if question.kind == Question.Kind.TEXT:
        text = request.POST.get("answer", "")
    elif question.kind == Question.Kind.MULTIPLE:
        choices = request.POST.getlist("answer")
    elif request.POST.get("answer"):
        choices = [request.POST["answer"]]
    try:
        services.answer_save(
            response=response,
            question=question,
            choices=choices,
            text=text,
            partial=request.POST.get("action") == "save",
        )
    except services.AnswerError as exc:
        form.errors.pop("answer", None)
        form.add_error("answer", str(exc))
        return False
    return True


@public
def answer_check(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _published(slug)
    response = _current(request, consultation)
    if response is None:
        return redirect("consultations_public:detail", slug=slug)
    error = ""
    if request.method == "POST":
        if response.submitted_at is not None:
            messages.info(
                request,
                "You have already sent your answers. Thank you: we have them and have not counted them twice.",
            )
            return redirect("consultations_public:sent", slug=slug)
        try:
            services.response_submit(response=response)
        except services.ClosedError:
            return _closed(request, consultation, response)
        except services.ConsultationError as exc:
            messages.info(request, str(exc))
            return redirect("consultations_public:sent", slug=slug)
        except services.AnswerError as exc:
            error = str(exc)
        else:
            return redirect("consultations_public:sent", slug=slug)
    elif response.submitted_at is not None:
        return redirect("consultations_public:sent", slug=slug)
    answers = {a.question_id: a for a in response.answers.all()}
    rows = [
        {"number": i, "question": q, "answer": answers.get(q.pk)}
        for i, q in enumerate(_questions(consultation), start=1)
    ]
    return render(
        request,
        "consultations/public/check.html",
        {
            "consultation": consultation,
            "rows": rows,
            "error": error,
            "is_open": consultation.is_open(),
        },
    )


@public
def answer_saved(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _published(slug)
    code = request.session.pop(f"consultation-code-{consultation.pk}", None)
    if not code:
        return redirect("consultations_public:resume", slug=slug)
    return render(
        request, "consultations/public/saved.html", {"consultation": consultation, "code": code}
    )


@public
def answer_resume(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _published(slug)
    form = ResumeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        response = services.response_resume(
            consultation=consultation, code=form.cleaned_data["code"]
        )
        if response is None:
            form.add_error(
                "code",
                "We cannot find answers saved with this code. Check it and try again: codes stop working once the answers are sent",
            )
        elif not consultation.is_open():
            return _closed(request, consultation, response)
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY.format(pk=consultation.pk)] = response.pk
            return redirect("consultations_public:check", slug=slug)
    return render(
        request, "consultations/public/resume.html", {"consultation": consultation, "form": form}
    )


@public
def answer_sent(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _published(slug)
    response = _current(request, consultation)
    if response is None or response.submitted_at is None:
        return redirect("consultations_public:detail", slug=slug)
    return render(
        request,
        "consultations/public/sent.html",
        {"consultation": consultation, "response": response},
    )


def _results_consultation(slug: str) -> Consultation:
    return get_object_or_404(Consultation, slug=slug, results_published_at__isnull=False)


@public
def results(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _results_consultation(slug)
    return render(
        request,
        "consultations/public/results.html",
        selectors.public_results(consultation=consultation),
    )


@public
def results_csv(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _results_consultation(slug)
    out = HttpResponse(content_type="text/csv; charset=utf-8")
    out["Content-Disposition"] = f'attachment; filename="{consultation.slug}-results.csv"'
    writer = csv.writer(out)
    for row in selectors.public_csv_rows(consultation=consultation):
        writer.writerow(row)
    return out


@public
def results_json(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _results_consultation(slug)
    out = HttpResponse(
        json.dumps(selectors.public_json(consultation=consultation), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    out["Content-Disposition"] = f'attachment; filename="{consultation.slug}-results.json"'
    return out
