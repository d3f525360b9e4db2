"""The officer's pages for consultations, under /staff/consultations/."""

from __future__ import annotations

import csv
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohesion.core.audit import audit_record, snapshot
from cohesion.core.forms import whole_number
from cohesion.core.jobs import job_create, job_enqueue
from cohesion.core.models import AuditEvent, Job
from cohesion.core.permissions import REPORT_ROLES, STAFF_ROLES, request_user, role_required
from cohesion.strategy.services import ImportFileError
from cohesion.text.language import guess_language, language_name, looks_english

from . import selectors, services
from .forms import (
    AboutYouForm,
    CensusForm,
    CodeFrameForm,
    ConsultationForm,
    CouncilResponseForm,
    DocumentForm,
    ImportForm,
    MeasureFeedForm,
    PaperResponseForm,
    QuestionForm,
)
from .models import Answer, Consultation, Document, Question, Response, ResponseImport, Theme
from .tasks import code_frame_task, import_responses_task, report_pdf_task, theme_analysis_task

if TYPE_CHECKING:
    from cohesion.text.stance import StanceClassifier


def _consultation(slug: str) -> Consultation:
    return get_object_or_404(Consultation, slug=slug)


def _form_page(
    request: HttpRequest,
    form: Any,
    title: str,
    back: str,
    consultation: Consultation | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "consultations/staff/form_page.html",
        {"form": form, "title": title, "back": back, "consultation": consultation},
        status=status,
    )


def _detail_form_page(
    request: HttpRequest, form: Any, title: str, consultation: Consultation, slug: str
) -> HttpResponse:
    """A form page about one consultation, whose back link is that consultation's page.

    Takes the slug from the URL: a bound form may have changed ``consultation.slug``.
    """
    back = reverse("consultations_staff:detail", kwargs={"slug": slug})
    return _form_page(request, form, title, back, consultation)


@role_required(*STAFF_ROLES)
def consultation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "consultations/staff/list.html", {"consultations": Consultation.objects.all()}
    )


@role_required(*STAFF_ROLES)
def consultation_create(request: HttpRequest) -> HttpResponse:
    form = ConsultationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        consultation = form.save(commit=False)
        consultation.created_by = request_user(request)
        services.record_create(obj=consultation, actor=request_user(request))
        messages.success(request, "The consultation has been created. Now add its questions.")
        return redirect("consultations_staff:detail", slug=consultation.slug)
    return _form_page(request, form, "Create a consultation", reverse("consultations_staff:list"))


@role_required(*STAFF_ROLES)
def consultation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    before = services.consultation_snapshot(consultation)
    form = ConsultationForm(
        request.POST if request.method == "POST" else None, instance=consultation
    )
    if request.method == "POST" and form.is_valid():
        services.record_update(
            obj=form.save(commit=False), before=before, actor=request_user(request)
        )
        messages.success(request, "The consultation has been saved.")
        return redirect("consultations_staff:detail", slug=consultation.slug)
    return _detail_form_page(request, form, "Change the consultation", consultation, slug)


@role_required(*STAFF_ROLES)
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    questions = list(consultation.questions.all())
    return render(
        request,
        "consultations/staff/detail.html",
        {
            "consultation": consultation,
            "job": _job(request),
            "questions": questions,
            "text_questions": [q for q in questions if q.kind == Question.Kind.TEXT],
            "documents": consultation.documents.all(),
            "counts": selectors.consultation_counts(consultation=consultation),
            "problems": services.consultation_problems(consultation=consultation)
            if not consultation.is_published
            else [],
            "imports": consultation.imports.all()[:5],
        },
    )


@role_required(*STAFF_ROLES)
def question_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    consultation = _consultation(slug)
    question = (
        get_object_or_404(consultation.questions, pk=pk)
        if pk
        else Question(consultation=consultation)
    )
    before = snapshot(question) if pk else None
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        instance=question,
        consultation=consultation,
    )
    if request.method == "POST" and form.is_valid():
        question = form.save(commit=False)
        question.options = form.cleaned_data["options"]
        try:
            services.question_save(question=question, actor=request_user(request), before=before)
        except services.ConsultationError as exc:
            form.add_error("options_text", str(exc))
        else:
            messages.success(request, "The question has been saved.")
            return redirect("consultations_staff:detail", slug=slug)
    title = "Change a question" if pk else "Add a question"
    return _detail_form_page(request, form, title, consultation, slug)


@role_required(*STAFF_ROLES)
@require_POST
def question_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(slug)
    question = get_object_or_404(consultation.questions, pk=pk)
    if question.answers.filter(response__submitted_at__isnull=False).exists():
        messages.error(request, "People have answered this question, so it cannot be deleted.")
    else:
        services.record_delete(obj=question, actor=request_user(request))
        messages.success(request, "The question has been deleted.")
    return redirect("consultations_staff:detail", slug=slug)


@role_required(*STAFF_ROLES)
def about_you(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    form = AboutYouForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.about_you_add(
                consultation=consultation,
                keys=form.cleaned_data["keys"],
                actor=request_user(request),
            )
        except services.ConsultationError as exc:
            form.add_error("keys", str(exc))
        else:
            messages.success(request, f"{len(added)} “about you” questions have been added.")
            return redirect("consultations_staff:detail", slug=slug)
    return _detail_form_page(request, form, "Add “about you” questions", consultation, slug)


@role_required(*STAFF_ROLES)
def documents(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    form = DocumentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(
                consultation=consultation,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                actor=request_user(request),
            )
        except services.ConsultationError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, "The document has been uploaded.")
            return redirect("consultations_staff:documents", slug=slug)
    return render(
        request,
        "consultations/staff/documents.html",
        {"consultation": consultation, "form": form, "documents": consultation.documents.all()},
    )


@role_required(*STAFF_ROLES)
@require_POST
def document_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(slug)
    document: Document = get_object_or_404(consultation.documents, pk=pk)
    services.record_delete(obj=document, actor=request_user(request))
    messages.success(request, "The document has been removed.")
    return redirect("consultations_staff:documents", slug=slug)


@role_required(*STAFF_ROLES)
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    from .forms import AnswerForm

    forms_ = [AnswerForm(question=q, prefix=f"q{q.pk}") for q in consultation.questions.all()]
    return render(
        request,
        "consultations/staff/preview.html",
        {"consultation": consultation, "forms": forms_, "documents": consultation.documents.all()},
    )


@role_required(*STAFF_ROLES)
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    try:
        services.consultation_publish(consultation=consultation, actor=request_user(request))
    except services.ConsultationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, "The consultation is published. Residents can answer it from the opening date."
        )
    return redirect("consultations_staff:detail", slug=slug)


# ---------------------------------------------------------------------------------------------
# Responses


@role_required(*STAFF_ROLES)
def response_list(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    page = Paginator(
        Response.objects.filter(consultation=consultation, submitted_at__isnull=False).order_by(
            "-submitted_at", "-pk"
        ),
        50,
    ).get_page(request.GET.get("page"))
    return render(
        request, "consultations/staff/responses.html", {"consultation": consultation, "page": page}
    )


@role_required(*STAFF_ROLES)
def response_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(slug)
    response = get_object_or_404(
        Response.objects.select_related("entered_by", "consultation"),
        consultation=consultation,
        pk=pk,
        submitted_at__isnull=False,
    )
    services.response_view_record(response=response, actor=request_user(request), request=request)
    return render(
        request,
        "consultations/staff/response_detail.html",
        {
            "consultation": consultation,
            "response": response,
            "rows": selectors.response_questions(response=response),
        },
    )


@role_required(*STAFF_ROLES)
def response_paper(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    form = PaperResponseForm(
        request.POST if request.method == "POST" else None, consultation=consultation
    )
    if request.method == "POST" and form.is_valid():
        try:
            response = services.response_enter(
                consultation=consultation,
                answers=form.answers(),
                channel=form.cleaned_data["channel"],
                source_reference=form.cleaned_data["source_reference"],
                actor=request_user(request),
                partial=True,
            )
        except services.AnswerError as exc:
            form.add_error(None, str(exc))
        except services.ConsultationError as exc:
            form.add_error("source_reference", str(exc))
        else:
            messages.success(
                request,
                f"Response {response.source_reference} has been saved. You can enter the next one.",
            )
            return redirect("consultations_staff:response_paper", slug=slug)
    return _detail_form_page(request, form, "Enter a paper or email response", consultation, slug)


@role_required(*STAFF_ROLES)
def import_new(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    limit = settings.COHESION_MAX_UPLOAD_BYTES
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > limit + 65536:
        form = ImportForm(data={})
        form.is_valid()
        form.errors.clear()
        form.add_error(
            "file",
            f"The file must be smaller than {limit / 1_048_576:.0f} MB. Split it into smaller files",
        )
        return render(
            request,
            "consultations/staff/import_new.html",
            {"consultation": consultation, "form": form},
            status=413,
        )
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text, note = services.decode_with_note(raw=upload.read())
            header = text.splitlines()[0] if text.strip() else ""

            services.import_columns(
                consultation=consultation, header=next(csv.reader([header])) if header else []
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        except (StopIteration, csv.Error):
            form.add_error(
                "file", "The file is empty: it needs a header row and at least one row of answers"
            )
        else:
            user = request_user(request)
            with transaction.atomic():
                job = job_create(
                    kind="consultation_import",
                    title=f"Import answers: {upload.name}",
                    started_by=user,
                )
                record = ResponseImport.objects.create(
                    consultation=consultation,
                    uploaded_by=user,
                    filename=(upload.name or "")[:255],
                    content=text,
                    encoding_note=note,
                    job=job,
                )
                audit_record(
                    actor=user,
                    action=AuditEvent.Action.IMPORT,
                    obj=record,
                    changes={"filename": record.filename, "stage": "uploaded"},
                )
                job_enqueue(job=job, task=import_responses_task, import_id=record.pk)
            return redirect("consultations_staff:import_detail", slug=slug, pk=record.pk)
    return render(
        request, "consultations/staff/import_new.html", {"consultation": consultation, "form": form}
    )


@role_required(*STAFF_ROLES)
def import_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(slug)
    record = get_object_or_404(
        ResponseImport.objects.select_related("job"), consultation=consultation, pk=pk
    )
    return render(
        request,
        "consultations/staff/import_detail.html",
        {
            "consultation": consultation,
            "record": record,
            "job": record.job,
            "rejected": record.rejections[:1000],
        },
    )


# ---------------------------------------------------------------------------------------------
# Analysis


@role_required(*STAFF_ROLES)
def census(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    initial = {
        "margins": services.margins_text(margins=consultation.census_margins),
        "weight_by": consultation.weight_by,
    }
    form = CensusForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            margins = services.margins_parse(text=form.cleaned_data["margins"])
            services.consultation_weighting_set(
                consultation=consultation,
                margins=margins,
                weight_by=list(form.cleaned_data["weight_by"]),
                actor=request_user(request),
            )
        except services.ConsultationError as exc:
            form.add_error("margins" if "Line" in str(exc) else "weight_by", str(exc))
        else:
            messages.success(request, "The census figures have been saved.")
            return redirect("consultations_staff:analysis", slug=slug)
    return _form_page(
        request,
        form,
        "Census figures and weighting",
        reverse("consultations_staff:analysis", kwargs={"slug": slug}),
        consultation,
    )


@role_required(*STAFF_ROLES)
def analysis(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    w = selectors.weights(consultation=consultation)
    about = [q for q in consultation.questions.exclude(about="") if q.about != "ward"]
    items = []
    for question in consultation.questions.filter(about="").exclude(kind=Question.Kind.TEXT):
        items.append(
            {
                "results": selectors.question_results(question=question, w=w),
                "ward": selectors.breakdown(question=question, by="ward"),
                "groups": [
                    b
                    for b in (selectors.breakdown(question=question, by=q.about) for q in about)
                    if b
                ],
            }
        )
    return render(
        request,
        "consultations/staff/analysis.html",
        {
            "consultation": consultation,
            "items": items,
            "weights": w,
            "representation": selectors.representation(consultation=consultation, w=w),
            "counts": selectors.consultation_counts(consultation=consultation),
            "text_questions": consultation.questions.filter(kind=Question.Kind.TEXT, about=""),
        },
    )


def _job(request: HttpRequest) -> Job | None:
    """The job named in ?job= if this user started it (shown as a progress bar on the page)."""
    job_id = request.GET.get("job", "")
    try:
        import uuid

        uuid.UUID(job_id)
    except ValueError:
        return None
    return Job.objects.filter(pk=job_id, started_by=request_user(request)).first()


def _start_job(request: HttpRequest, *, kind: str, title: str, task: Any, **kwargs: Any) -> Job:
    user = request_user(request)
    with transaction.atomic():
        job = job_create(kind=kind, title=title, started_by=user, total=100)
        job_enqueue(job=job, task=task, user_id=user.pk, **kwargs)
    return job


def _not_english(answers: list[Any]) -> list[dict[str, str]]:
    """Answers that may not be in English, for the officer to read: the cheap word check first,
    then the language guess (which drops English lists of nouns the word check misreads, and
    names the language so that the page can mark the answer with it)."""
    out = []
    for answer in answers:
        if looks_english(answer.text) is False:
            code = guess_language(answer.text)
            if code != "en":
                out.append({"text": answer.text, "lang": code or "", "name": language_name(code)})
    return out


@role_required(*STAFF_ROLES)
def themes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(slug)
    question = get_object_or_404(consultation.questions, pk=pk, kind=Question.Kind.TEXT)
    user = request_user(request)
    here = reverse("consultations_staff:themes", kwargs={"slug": slug, "pk": pk})
    frame_form = CodeFrameForm(initial={"frame": services.code_frame_text(question)})
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "start":
                job = _start_job(
                    request,
                    kind="consultation_themes",
                    title=f"Themes: {question.text[:150]}",
                    task=theme_analysis_task,
                    question_id=question.pk,
                )
                return redirect(f"{here}?job={job.pk}")
            if action == "frame":
                frame_form = CodeFrameForm(request.POST)
                if frame_form.is_valid():
                    frame = services.code_frame_parse(text=frame_form.cleaned_data["frame"])
                    before = snapshot(question)
                    question.code_frame = [list(f) for f in frame]
                    services.record_update(obj=question, before=before, actor=user)
                    job = _start_job(
                        request,
                        kind="consultation_themes",
                        title=f"Code frame: {question.text[:150]}",
                        task=code_frame_task,
                        question_id=question.pk,
                    )
                    return redirect(f"{here}?job={job.pk}")
            elif action == "rename":
                theme = get_object_or_404(
                    Theme, question=question, pk=whole_number(request.POST.get("theme"))
                )
                services.theme_rename(theme=theme, label=request.POST.get("label", ""), actor=user)
                messages.success(request, f"The theme is now called “{theme.label}”.")
                return redirect(here)
            elif action == "merge":
                ids = [n for n in map(whole_number, request.POST.getlist("merge")) if n is not None]
                chosen = sorted(
                    Theme.objects.filter(question=question, pk__in=ids),
                    key=lambda t: ids.index(t.pk),
                )
                kept = services.theme_merge(themes=chosen, actor=user)
                messages.success(
                    request, f"{len(chosen)} themes have been merged into “{kept.label}”."
                )
                return redirect(here)
            elif action == "split":
                theme = get_object_or_404(
                    Theme, question=question, pk=whole_number(request.POST.get("theme"))
                )
                asked = whole_number(request.POST.get("parts"))
                parts = asked if asked is not None and asked >= 2 else None
                new = services.theme_split(theme=theme, parts=parts, actor=user)
                messages.success(request, f"The theme has been split into {len(new)}.")
                return redirect(here)
            elif action == "move":
                answer = get_object_or_404(
                    Answer, question=question, pk=whole_number(request.POST.get("answer"))
                )
                target = get_object_or_404(
                    Theme, question=question, pk=whole_number(request.POST.get("to"))
                )
                from_pk = whole_number(request.POST.get("from"))
                source = (
                    Theme.objects.filter(question=question, pk=from_pk).first()
                    if from_pk is not None
                    else None
                )
                services.answer_move(answer=answer, from_theme=source, to_theme=target, actor=user)
                messages.success(request, f"The answer has been moved to “{target.label}”.")
                return redirect(here)
            elif action == "stance":
                how = services.stance_update(question=question)
                messages.success(
                    request,
                    {
                        "linked": "Agree and disagree come from the linked question.",
                        "classifier": "Agree and disagree have been worked out from your examples.",
                        "frame": "Agree and disagree have been worked out from the (for) and (against) themes of your code frame. Label some answers to make it better.",
                        "none": "Label at least 3 answers as agreeing and 3 as disagreeing first.",
                    }[how],
                )
                return redirect(here)
        except services.ConsultationError as exc:
            messages.error(request, str(exc))
            return redirect(here)
    shown_job = _job(request)
    rows = selectors.theme_rows(question=question)
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        obj=question,
        changes={"page": "themes"},
        request=request,
    )
    all_themes = [r["theme"] for r in rows]
    answers = services.theme_answers(question=question)
    not_english = _not_english(answers)
    return render(
        request,
        "consultations/staff/themes.html",
        {
            "consultation": consultation,
            "question": question,
            "rows": rows,
            "themes": all_themes,
            "job": shown_job if shown_job and not shown_job.is_finished else None,
            "failed_job": shown_job
            if shown_job and shown_job.status == Job.Status.FAILED
            else None,
            "analysis": getattr(question, "analysis", None),
            "frame_form": frame_form,
            "answered": len(answers),
            "unthemed": selectors.unthemed_answers(question=question),
            "not_english": not_english,
            "frame_sided": services.code_frame_sided(question),
        },
    )


def _stance_check_text(
    question: Question, answers: list[Answer], classifier: StanceClassifier
) -> str:
    """One sentence on how well the classifier does on the officer's own labels ("" if it
    cannot learn yet)."""
    check = services.stance_check(question=question, answers=answers, classifier=classifier)
    if not check or not check[1]:
        return ""
    right, checked = check
    share = round(100 * right / checked)
    text = (
        f"We tested the platform on your own labels, hiding a few at a time so that it had not "
        f"learnt from them: it got {right} of {checked} right ({share}%)."
    )
    if share < 80:
        text += " Label more answers to help it, especially ones it is not sure about."
    return text


@role_required(*STAFF_ROLES)
def stance_examples(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(slug)
    question = get_object_or_404(consultation.questions, pk=pk, kind=Question.Kind.TEXT)
    user = request_user(request)
    answers = services.theme_answers(question=question)
    if request.method == "POST":
        by_pk = {a.pk: a for a in answers}
        changed = 0
        for key, value in request.POST.items():
            number = whole_number(key[7:]) if key.startswith("stance-") else None
            if number is not None and number in by_pk:
                answer = by_pk[number]
                if value != answer.stance_label and value in {"", "agree", "disagree", "unclear"}:
                    services.stance_label_set(answer=answer, label=str(value), actor=user)
                    changed += 1
        how = services.stance_update(question=question, answers=answers)
        messages.success(
            request,
            f"{changed} labels saved. "
            + {
                "classifier": "Agree and disagree have been worked out for every answer.",
                "frame": "Until you have labelled at least 3 answers each way, agree and disagree "
                "come from the (for) and (against) themes of your code frame.",
            }.get(
                how,
                "Label at least 3 answers as agreeing and 3 as disagreeing to work out the rest.",
            ),
        )
        return redirect("consultations_staff:stance", slug=slug, pk=pk)
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        obj=question,
        changes={"page": "stance examples"},
        request=request,
    )
    labelled = [a for a in answers if a.stance_label]
    # One classifier for the suggestions and the cross-check: the answers are read once.
    classifier = services.stance_classifier(question=question, answers=answers)
    return render(
        request,
        "consultations/staff/stance.html",
        {
            "consultation": consultation,
            "question": question,
            "suggested": []
            if question.stance_question_id
            else services.stance_suggestions(
                question=question, answers=answers, classifier=classifier
            ),
            "labelled_answers": labelled,
            "labelled": len(labelled),
            "frame_sided": services.code_frame_sided(question),
            "frame_sides": Counter(side for _n, _d, side in services.code_frame_of(question)),
            "check": _stance_check_text(question, answers, classifier),
            "answered": len(answers),
        },
    )


@role_required(*STAFF_ROLES)
def personal_details(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    user = request_user(request)
    here = reverse("consultations_staff:personal_details", kwargs={"slug": slug})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "screen":
            flagged = services.pii_screen(consultation=consultation, actor=user)
            messages.success(
                request,
                f"{flagged} answers may hold personal details. Check each suggested change, then confirm.",
            )
        elif action == "edit":
            answer = get_object_or_404(
                Answer,
                question__consultation=consultation,
                pk=whole_number(request.POST.get("answer")),
            )
            services.answer_redaction_set(
                answer=answer,
                redacted_text=request.POST.get("redacted_text", ""),
                quotable=request.POST.get("quotable") == "yes",
                actor=user,
            )
            messages.success(request, "The answer’s public wording has been saved.")
        elif action == "confirm":
            services.pii_confirm(consultation=consultation, actor=user)
            messages.success(
                request, "Redactions confirmed. Quotes will use the wording shown here."
            )
        return redirect(here)
    flagged_answers = (
        Answer.objects.filter(
            question__consultation=consultation, response__submitted_at__isnull=False
        )
        .exclude(pii_kinds=[])
        .select_related("question")
        .order_by("pk")
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        obj=consultation,
        changes={"page": "personal details"},
        request=request,
    )
    page = Paginator(flagged_answers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "consultations/staff/personal_details.html",
        {"consultation": consultation, "page": page},
    )


@role_required(*STAFF_ROLES)
def council_response(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    user = request_user(request)
    form = CouncilResponseForm(
        request.POST if request.method == "POST" else None,
        consultation=consultation,
        initial={"you_said": consultation.you_said, "what_changed": consultation.what_changed},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            before = services.consultation_snapshot(consultation)
            consultation.you_said = form.cleaned_data["you_said"].strip()
            consultation.what_changed = form.cleaned_data["what_changed"].strip()
            services.record_update(obj=consultation, before=before, actor=user)
            for question in form.questions:
                q_before = snapshot(question)
                question.council_response = form.cleaned_data[f"r{question.pk}"].strip()
                services.record_update(obj=question, before=q_before, actor=user)
        messages.success(request, "The council’s response has been saved.")
        return redirect("consultations_staff:detail", slug=slug)
    return _detail_form_page(request, form, "We asked, you said, we did", consultation, slug)


@role_required(*STAFF_ROLES)
@require_POST
def results_publish(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    try:
        if request.POST.get("action") == "withdraw":
            services.results_withdraw(consultation=consultation, actor=request_user(request))
            messages.success(request, "The results page has been taken down.")
        else:
            services.results_publish(consultation=consultation, actor=request_user(request))
            messages.success(request, "“We asked, you said, we did” is published.")
    except services.ConsultationError as exc:
        messages.error(request, str(exc))
    return redirect("consultations_staff:detail", slug=slug)


@role_required(*STAFF_ROLES)
def measure_feed(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    form = MeasureFeedForm(
        request.POST if request.method == "POST" else None, consultation=consultation
    )
    if request.method == "POST" and form.is_valid():
        try:
            observation = services.measure_feed(
                consultation=consultation,
                question=form.cleaned_data["question"],
                options=form.option_list(),
                measure=form.cleaned_data["measure"],
                period=form.cleaned_data["period"],
                actor=request_user(request),
            )
        except services.ConsultationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{observation.value:.1f}% has been added to “{observation.measure.title}” for {observation.period_label}.",
            )
            return redirect("consultations_staff:detail", slug=slug)
    return _detail_form_page(
        request, form, "Use a result for a strategy measure", consultation, slug
    )


@role_required(*STAFF_ROLES)
@require_POST
def report_start(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    user = request_user(request)
    with transaction.atomic():
        job = job_create(
            kind="consultation_report",
            title=f"Report: {consultation.title}",
            started_by=user,
            total=3,
        )
        job_enqueue(job=job, task=report_pdf_task, consultation_id=consultation.pk, user_id=user.pk)
    return redirect(reverse("consultations_staff:detail", kwargs={"slug": slug}) + f"?job={job.pk}")


@role_required(*REPORT_ROLES)
def report_download(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    if not consultation.results_pdf:
        return render(
            request,
            "consultations/staff/no_report.html",
            {"consultation": consultation},
            status=404,
        )
    audit_record(
        actor=request_user(request),
        action=AuditEvent.Action.EXPORT,
        obj=consultation,
        changes={"download": "pdf"},
        request=request,
    )
    out = HttpResponse(bytes(consultation.results_pdf), content_type="application/pdf")
    out["Content-Disposition"] = f'attachment; filename="{consultation.slug}-report.pdf"'
    return out
