"""Writes for consultations. Every write is audited; views of individual responses are too."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohesion.core.audit import audit_record, diff, snapshot
from cohesion.core.jobs import job_fails_with, job_finish, job_progress
from cohesion.core.models import AuditEvent, User, Ward
from cohesion.strategy.services import ImportFileError, import_rows_run

from .models import (
    ABOUT_YOU,
    PREFER_NOT_TO_SAY,
    SCALE_OPTIONS,
    Answer,
    Consultation,
    Document,
    Question,
    Response,
    ResponseImport,
    Theme,
    ThemeAnalysis,
)

if TYPE_CHECKING:
    from cohesion.text.stance import StanceClassifier

# Free-text answers longer than this are refused with a message (the text is kept on the page).
MAX_ANSWER_CHARS = 10_000
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I


class ConsultationError(ValueError):
    """Something the officer or resident asked for cannot be done; the message says why."""


class AnswerError(ValueError):
    """An answer that cannot be saved; the message says what to change."""


class ClosedError(ConsultationError):
    """The consultation is not taking answers."""


# ---------------------------------------------------------------------------------------------
# Audited helpers


def _actor(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def record_create(*, obj: Any, actor: User | None, via: str = "web") -> Any:
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=obj,
        changes=snapshot(obj, exclude=["results_pdf"])
        if isinstance(obj, Consultation)
        else snapshot(obj),
        via=via,
    )
    return obj


def record_update(
    *, obj: Any, before: Mapping[str, Any], actor: User | None, via: str = "web"
) -> Any:
    obj.full_clean()
    obj.save()
    exclude = ["results_pdf"] if isinstance(obj, Consultation) else []
    changes = diff(before, snapshot(obj, exclude=exclude))
    if changes:
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=obj, changes=changes, via=via
        )
    return obj


def record_delete(*, obj: Any, actor: User | None, via: str = "web") -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=obj,
        changes={"repr": str(obj)[:200]},
        via=via,
    )
    obj.delete()


def consultation_snapshot(consultation: Consultation) -> dict[str, Any]:
    return snapshot(consultation, exclude=["results_pdf"])


# ---------------------------------------------------------------------------------------------
# Building a consultation


def question_next_order(*, consultation: Consultation) -> int:
    last = consultation.questions.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def question_save(
    *, question: Question, actor: User | None, before: Mapping[str, Any] | None = None
) -> Question:
    if question.kind == Question.Kind.SCALE and not question.options:
        question.options = list(SCALE_OPTIONS)
    if question.kind == Question.Kind.TEXT:
        question.options = []
    elif len(question.options) < 2:
        raise ConsultationError("Give at least 2 answers to choose from, one on each line")
    if question.stance_question_id and question.kind != Question.Kind.TEXT:
        question.stance_question = None
    if question.pk is None:
        if not question.order:
            question.order = question_next_order(consultation=question.consultation)
        return record_create(obj=question, actor=actor)  # type: ignore[no-any-return]
    return record_update(obj=question, before=before or {}, actor=actor)  # type: ignore[no-any-return]


def about_you_add(
    *, consultation: Consultation, keys: Sequence[str], actor: User | None
) -> list[Question]:
    """Add the standard "about you" questions (ward options are the council's wards)."""
    added = []
    existing = set(consultation.questions.exclude(about="").values_list("about", flat=True))
    for key in keys:
        if key not in ABOUT_YOU or key in existing:
            continue
        text, options = ABOUT_YOU[key]
        if key == "ward":
            options = list(Ward.objects.order_by("name").values_list("name", flat=True))
            if len(options) < 2:
                raise ConsultationError(
                    "Load the council's wards before asking which ward people live in"
                )
        question = Question(
            consultation=consultation,
            kind=Question.Kind.SINGLE,
            about=key,
            text=text,
            hint="You do not have to answer. We use this to check we heard from everyone.",
            options=[*options, PREFER_NOT_TO_SAY],
        )
        added.append(question_save(question=question, actor=actor))
    return added


def document_add(
    *, consultation: Consultation, title: str, upload: UploadedFile, actor: User | None
) -> Document:
    name = upload.name or "document"
    suffix = Path(name).suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        raise ConsultationError(
            "The document must be a PDF, Word (.docx), OpenDocument (.odt), PNG or JPEG file"
        )
    size = upload.size or 0
    if size == 0:
        raise ConsultationError("The file is empty")
    if size > MAX_DOCUMENT_BYTES:
        raise ConsultationError(
            f"The document must be smaller than {MAX_DOCUMENT_BYTES // 1_048_576} MB"
        )
    content_type, magic = DOCUMENT_TYPES[suffix]
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(magic):
        raise ConsultationError(
            f"The file is called “{name[:60]}” but it is not really a {suffix[1:].upper()} file"
        )
    document = Document(
        consultation=consultation, title=title, content_type=content_type, size=size
    )
    document.file.save(f"{consultation.slug}-{secrets.token_hex(4)}{suffix}", upload, save=False)
    return record_create(obj=document, actor=actor)  # type: ignore[no-any-return]


def consultation_problems(*, consultation: Consultation) -> list[str]:
    """What stops the consultation being published (empty when it can be)."""
    problems = []
    if not consultation.questions.filter(about="").exists():
        problems.append("Add at least one question about the proposals")
    if consultation.closes_on < consultation.opens_on:
        problems.append("The closing date is before the opening date")
    if consultation.closes_on < timezone.localdate():
        problems.append("The closing date has passed: change it before publishing")
    return problems


def consultation_publish(*, consultation: Consultation, actor: User | None) -> None:
    problems = consultation_problems(consultation=consultation)
    if problems:
        raise ConsultationError(problems[0])
    before = consultation_snapshot(consultation)
    consultation.published_at = timezone.now()
    record_update(obj=consultation, before=before, actor=actor)


# ---------------------------------------------------------------------------------------------
# Answers


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    return _CONTROL.sub("", text).strip()


def answer_clean(
    *, question: Question, choices: Sequence[str] = (), text: str = "", partial: bool = False
) -> tuple[list[str], str]:
    """Check one answer. Returns (choices, text); raises AnswerError with a message to show."""
    if question.kind == Question.Kind.TEXT:
        cleaned = clean_text(text)
        if len(cleaned) > MAX_ANSWER_CHARS:
            raise AnswerError(
                f"Your answer is too long: it must be {MAX_ANSWER_CHARS:,} characters or fewer "
                f"(it has {len(cleaned):,}). Shorten it to the points that matter most to you"
            )
        if question.required and not cleaned and not partial:
            raise AnswerError("Write your answer")
        return [], cleaned
    options = {o.casefold(): o for o in question.options}
    picked: list[str] = []
    for choice in choices:
        key = (choice or "").strip().casefold()
        if not key:
            continue
        if key not in options:
            raise AnswerError(f"“{str(choice)[:40]}” is not one of the answers")
        if options[key] not in picked:
            picked.append(options[key])
    if question.kind != Question.Kind.MULTIPLE and len(picked) > 1:
        raise AnswerError("Choose only one answer")
    if question.required and not picked and not partial:
        raise AnswerError(
            "Choose an answer"
            if question.kind != Question.Kind.MULTIPLE
            else "Choose at least one answer"
        )
    return picked, ""


def _ward_for(question: Question, choices: list[str]) -> Ward | None:
    if question.about != "ward" or not choices:
        return None
    return Ward.objects.filter(name=choices[0]).first()


def answer_save(
    *,
    response: Response,
    question: Question,
    choices: Sequence[str] = (),
    text: str = "",
    partial: bool = False,
) -> Answer | None:
    """Save (or clear) one answer of a response that has not been sent yet."""
    if response.submitted_at is not None:
        raise AnswerError("These answers have already been sent, so they cannot be changed")
    picked, cleaned = answer_clean(question=question, choices=choices, text=text, partial=partial)
    with transaction.atomic():
        if not picked and not cleaned:
            Answer.objects.filter(response=response, question=question).delete()
            answer = None
        else:
            answer, _ = Answer.objects.update_or_create(
                response=response,
                question=question,
                defaults={"choices": picked, "text": cleaned, "redacted_text": ""},
            )
        if question.about == "ward":
            response.ward = _ward_for(question, picked)
        response.updated_at = timezone.now()
        response.save(update_fields=["ward", "updated_at"])
    return answer


def new_reference() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def response_start(*, consultation: Consultation) -> Response:
    if not consultation.is_open():
        raise ClosedError(closed_message(consultation))
    for _ in range(5):
        try:
            with transaction.atomic():
                return Response.objects.create(consultation=consultation, reference=new_reference())
        except IntegrityError:  # pragma: no cover - a clash of 8 random characters
            continue
    raise ConsultationError("Please try again")  # pragma: no cover


def closed_message(consultation: Consultation) -> str:
    if not consultation.is_published or timezone.localdate() < consultation.opens_on:
        return "This consultation is not open yet."
    return (
        f"This consultation closed on {consultation.closes_on:%-d %B %Y}, so we cannot take "
        "new answers. Answers that were not sent before it closed are not counted."
    )


def _code_hash(code: str) -> str:
    normalised = re.sub(r"[^A-Z0-9]", "", code.upper())
    return hashlib.sha256(normalised.encode()).hexdigest()


def response_save_for_later(*, response: Response) -> str:
    """A new code the resident can use to come back; only its hash is stored."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
    response.resume_code_hash = _code_hash(code)
    response.updated_at = timezone.now()
    response.save(update_fields=["resume_code_hash", "updated_at"])
    return code


def response_resume(*, consultation: Consultation, code: str) -> Response | None:
    if not code.strip():
        return None
    return Response.objects.filter(
        consultation=consultation, resume_code_hash=_code_hash(code), submitted_at__isnull=True
    ).first()


def missing_required(*, response: Response) -> list[Question]:
    answered = set(response.answers.values_list("question_id", flat=True))
    return [
        q for q in response.consultation.questions.filter(required=True) if q.pk not in answered
    ]


def response_submit(*, response: Response, actor: User | None = None, via: str = "web") -> Response:
    """Send the answers. Refuses a second send, a closed consultation and missing answers."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.submitted_at is not None:
            raise ConsultationError("These answers have already been sent. Thank you: we have them")
        if locked.channel == Response.Channel.ONLINE and not locked.consultation.is_open():
            raise ClosedError(closed_message(locked.consultation))
        missing = missing_required(response=locked)
        if missing:
            raise AnswerError(f"Answer the question “{missing[0].text}”")
        if not locked.answers.exists():
            raise AnswerError("You have not answered any questions yet")
        locked.submitted_at = timezone.now()
        locked.resume_code_hash = ""
        locked.save(update_fields=["submitted_at", "resume_code_hash"])
        audit_record(
            actor=_actor(actor),
            action=AuditEvent.Action.CREATE,
            obj=locked,
            changes={"channel": locked.channel, "answers": locked.answers.count()},
            via=via,
        )
    response.submitted_at = locked.submitted_at
    return locked


def response_enter(
    *,
    consultation: Consultation,
    answers: Mapping[int, tuple[Sequence[str], str]],
    channel: str,
    source_reference: str,
    actor: User | None,
    via: str = "web",
    submitted_at: Any = None,
    partial: bool = False,
) -> Response:
    """An officer enters a paper or email response (or an imported row): all or nothing.

    ``partial``: questions people must answer online may be left empty (paper forms often are).
    """
    source_reference = source_reference.strip()[:100]
    questions = {q.pk: q for q in consultation.questions.all()}
    cleaned: dict[int, tuple[list[str], str]] = {}
    for question_id, (choices, text) in answers.items():
        question = questions[question_id]
        try:
            cleaned[question_id] = answer_clean(
                question=question, choices=choices, text=text, partial=partial
            )
        except AnswerError as exc:
            raise AnswerError(f"{question.text}: {exc}") from exc
    if not any(c or t for c, t in cleaned.values()):
        raise AnswerError("There are no answers to save")
    if (
        source_reference
        and Response.objects.filter(
            consultation=consultation, channel=channel, source_reference=source_reference
        ).exists()
    ):
        raise ConsultationError(f"Response “{source_reference}” has already been entered")
    with transaction.atomic():
        try:
            response = Response.objects.create(
                consultation=consultation,
                reference=new_reference(),
                channel=channel,
                source_reference=source_reference,
                entered_by=_actor(actor),
                submitted_at=submitted_at or timezone.now(),
            )
        except IntegrityError as exc:
            raise ConsultationError(
                f"Response “{source_reference}” has already been entered"
            ) from exc
        for question_id, (choices, text) in cleaned.items():
            if choices or text:
                Answer.objects.create(
                    response=response, question=questions[question_id], choices=choices, text=text
                )
                if questions[question_id].about == "ward":
                    response.ward = _ward_for(questions[question_id], choices)
        if response.ward_id:
            response.save(update_fields=["ward"])
        audit_record(
            actor=_actor(actor),
            action=AuditEvent.Action.CREATE,
            obj=response,
            changes={"channel": channel, "source_reference": source_reference},
            via=via,
        )
    return response


def response_view_record(*, response: Response, actor: User, request: Any = None) -> None:
    """Looking at one person's answers is recorded (they can hold personal details)."""
    audit_record(actor=actor, action=AuditEvent.Action.VIEW, obj=response, request=request)


def response_delete(*, response: Response, actor: User) -> None:
    record_delete(obj=response, actor=actor)


# ---------------------------------------------------------------------------------------------
# CSV import from another survey tool

ID_COLUMNS = {"response_id", "response id", "respondent id", "respondent_id", "id"}
DATE_COLUMNS = {"submitted_at", "submitted", "date", "completed", "end date"}


@dataclass
class ImportOutcome:
    saved: int = 0
    total: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


def decode_with_note(*, raw: bytes) -> tuple[str, str]:
    """The file's text, and a note when it was not UTF-8."""
    if raw[:4] == b"PK\x03\x04" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            "This looks like an Excel file, not a CSV file: in Excel choose File, Save As, “CSV UTF-8”"
        )
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16"), "The file was saved as UTF-16; it was read as such."
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                "The file could not be read: save it as “CSV UTF-8” and try again"
            ) from exc
    try:
        text = raw.decode("utf-8-sig")
        note = ""
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                "The file is not a CSV text file: save it as “CSV UTF-8” and try again"
            ) from exc
        note = (
            "The file was not saved as UTF-8, so it was read as Windows Western European (cp1252). "
            "Check that accented letters and symbols look right; if not, save it as “CSV UTF-8” and import again."
        )
    if "\x00" in text[:4096]:
        raise ImportFileError(
            "The file is not a CSV file: save it from your spreadsheet as “CSV UTF-8” and try again"
        )
    return text, note


def _norm_header(text: str) -> str:
    return " ".join((text or "").replace("\ufeff", "").strip().casefold().split())


def import_columns(
    *, consultation: Consultation, header: Sequence[str]
) -> tuple[dict[int, Question], int | None, int | None]:
    """Which column holds which question (by question text or q1, q2 ...), and the id and date columns."""
    questions = list(consultation.questions.all())
    by_text = {_norm_header(q.text): q for q in questions}
    by_number = {f"q{i}": q for i, q in enumerate(questions, start=1)}
    by_about = {q.about: q for q in questions if q.about}
    mapping: dict[int, Question] = {}
    id_col = date_col = None
    unknown = []
    for index, raw in enumerate(header):
        name = _norm_header(raw)
        if not name:
            continue
        if name in ID_COLUMNS and id_col is None:
            id_col = index
        elif name in DATE_COLUMNS and date_col is None:
            date_col = index
        elif name in by_text or name in by_number or name in by_about:
            question = by_text.get(name) or by_number.get(name) or by_about[name]
            if question in mapping.values():
                raise ImportFileError(
                    f"Two columns are for the same question: “{question.text[:60]}”"
                )
            mapping[index] = question
        else:
            unknown.append(raw.strip()[:40])
    if not mapping:
        raise ImportFileError(
            "None of the columns matches a question. Name each column with the question's words "
            "exactly, or q1, q2 … in the order of the questions"
        )
    if unknown:
        raise ImportFileError(
            "We do not know the column "
            + ", ".join(f"“{u}”" for u in unknown[:5])
            + ": rename or remove it"
        )
    return mapping, id_col, date_col


def _split_choices(question: Question, cell: str) -> list[str]:
    if question.kind == Question.Kind.MULTIPLE:
        parts = re.split(r"[;|\n]", cell)
        return [p.strip() for p in parts if p.strip()]
    return [cell.strip()] if cell.strip() else []


def responses_import_rows(
    *,
    consultation: Consultation,
    text: str,
    actor: User | None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Save each good row as a response on its own; list every bad row with its line and reason."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportFileError(f"The file could not be read as CSV: {exc}") from exc
    if not rows:
        raise ImportFileError(
            "The file is empty: it needs a header row and at least one row of answers"
        )
    header, body = rows[0], rows[1:]
    mapping, id_col, date_col = import_columns(consultation=consultation, header=header)
    outcome = ImportOutcome()
    seen: dict[str, int] = {}
    seen_rows: dict[tuple[str, ...], int] = {}
    for offset, row in enumerate(body):
        line = offset + 2
        if on_progress and offset % 100 == 0:
            on_progress(offset, len(body))
        if not any(cell.strip() for cell in row):
            continue
        outcome.total += 1
        if len(row) > len(header):
            outcome.rejected.append(
                {"line": line, "reason": "This row has more cells than the first row has columns"}
            )
            continue
        row = row + [""] * (len(header) - len(row))
        source = row[id_col].strip() if id_col is not None else ""
        if source and source in seen:
            outcome.rejected.append(
                {
                    "line": line,
                    "reason": f"This row repeats response “{source[:40]}” from line {seen[source]}",
                }
            )
            continue
        if not source:
            # With no response id, the same words twice are almost always the same response sent
            # twice; answers with no free text can be the same for two people, so they are kept.
            same = tuple(cell.strip().casefold() for cell in row)
            has_text = any(not q.is_closed and row[i].strip() for i, q in mapping.items())
            if has_text and same in seen_rows:
                outcome.rejected.append(
                    {
                        "line": line,
                        "reason": (
                            f"This row repeats line {seen_rows[same]} word for word. If it is a "
                            "different person’s response, give each row its own response id"
                        ),
                    }
                )
                continue
            seen_rows.setdefault(same, line)
        submitted_at = None
        if date_col is not None and row[date_col].strip():
            submitted_at = _parse_when(row[date_col])
            if submitted_at is None:
                outcome.rejected.append(
                    {
                        "line": line,
                        "reason": f"The date “{row[date_col][:30]}” is not a date like 2026-03-31",
                    }
                )
                continue
        answers = {
            q.pk: (
                (_split_choices(q, row[i]) if q.is_closed else []),
                (row[i] if not q.is_closed else ""),
            )
            for i, q in mapping.items()
        }
        try:
            response_enter(
                consultation=consultation,
                answers=answers,
                channel=Response.Channel.IMPORT,
                source_reference=source,
                actor=actor,
                via="import",
                submitted_at=submitted_at,
            )
        except (AnswerError, ConsultationError) as exc:
            outcome.rejected.append({"line": line, "reason": str(exc)})
            continue
        if source:
            seen[source] = line
        outcome.saved += 1
    return outcome


def _parse_when(text: str) -> Any:
    from datetime import datetime

    text = text.strip()
    for fmt in (
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y",
    ):
        try:
            value = datetime.strptime(text[:19], fmt)  # noqa: DTZ007 - made aware below
        except ValueError:
            continue
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    return None


def response_import_run(*, job_id: str, import_id: int) -> None:
    record = ResponseImport.objects.select_related("uploaded_by", "consultation").get(pk=import_id)
    outcome = import_rows_run(
        job_id=job_id,
        record=record,
        read_rows=lambda on_progress: responses_import_rows(
            consultation=record.consultation,
            text=record.content,
            actor=record.uploaded_by,
            on_progress=on_progress,
        ),
    )
    if outcome is None:
        return
    job_finish(
        job_id=job_id,
        result={"import_id": record.pk, "saved": outcome.saved, "rejected": len(outcome.rejected)},
        message=f"Saved {outcome.saved:,} responses; {len(outcome.rejected):,} rows need fixing",
    )


# ---------------------------------------------------------------------------------------------
# Census margins and weighting settings


def margins_parse(*, text: str) -> dict[str, dict[str, float]]:
    """Lines of "about-you key, category, population" -> margins. Raises ConsultationError."""
    margins: dict[str, dict[str, float]] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not any(c.strip() for c in row) or row[0].strip().startswith("#"):
            continue
        if len(row) != 3:
            raise ConsultationError(
                f"Line {number}: write the about-you question, the category and the number, with commas between"
            )
        key, category, value = (c.strip() for c in row)
        key = key.lower().replace(" ", "_")
        if key not in ABOUT_YOU:
            raise ConsultationError(
                f"Line {number}: “{key[:30]}” is not an about-you question (use {', '.join(ABOUT_YOU)})"
            )
        try:
            number_value = float(value.replace(",", ""))
        except ValueError:
            raise ConsultationError(f"Line {number}: “{value[:20]}” is not a number") from None
        if number_value < 0 or number_value != number_value:
            raise ConsultationError(f"Line {number}: the number must be 0 or more")
        margins.setdefault(key, {})[category] = number_value
    return margins


def margins_text(*, margins: Mapping[str, Mapping[str, float]]) -> str:
    lines = []
    for key, categories in margins.items():
        for category, value in categories.items():
            lines.append(f"{key},{category},{value:g}")
    return "\n".join(lines)


def consultation_weighting_set(
    *,
    consultation: Consultation,
    margins: dict[str, dict[str, float]],
    weight_by: list[str],
    actor: User | None,
) -> None:
    unknown = [k for k in weight_by if k not in margins]
    if unknown:
        raise ConsultationError(
            f"There are no census figures for “{unknown[0]}”: add them or do not weight by it"
        )
    before = consultation_snapshot(consultation)
    consultation.census_margins = margins
    consultation.weight_by = weight_by
    record_update(obj=consultation, before=before, actor=actor)


# ---------------------------------------------------------------------------------------------
# Themes


def embedding_cache_dir() -> Path:
    return Path(settings.COHESION_EMBEDDINGS_DIR)


_embedder: Any = None


def embedder() -> Any:
    global _embedder
    from cohesion.text.embeddings import Embedder

    cache = embedding_cache_dir()
    if _embedder is None or _embedder.cache_dir != cache:
        _embedder = Embedder(cache)
    return _embedder


def theme_answers(*, question: Question) -> list[Answer]:
    """The sent answers to a free-text question that have any text, in a fixed order."""
    return list(
        Answer.objects.filter(question=question, response__submitted_at__isnull=False)
        .exclude(text="")
        .select_related("response")
        .order_by("pk")
    )


def stance_classifier(*, question: Question, answers: list[Answer]) -> StanceClassifier:
    """An untrained stance classifier for the question's answers (``theme_answers``). The
    stance page gives the same one to ``stance_suggestions`` and ``stance_check``, so the
    answers are read once."""
    from cohesion.text.stance import StanceClassifier

    return StanceClassifier(
        embedder=embedder(), frame=code_frame_of(question), answers=[a.text for a in answers]
    )


def _stance_ready(labelled: list[Answer]) -> bool:
    """Enough labels to learn from: at least 3 answers each way."""
    kinds = Counter(a.stance_label for a in labelled)
    return kinds["agree"] >= 3 and kinds["disagree"] >= 3


def stance_check(
    *, question: Question, answers: list[Answer], classifier: StanceClassifier | None = None
) -> tuple[int, int] | None:
    """How many of the officer's labels the classifier gets right when it has not learnt from
    them (10-fold cross-check), or None until there are enough labels to learn from.
    ``answers``: the question's answers (``theme_answers``); ``classifier``: from
    ``stance_classifier`` for those answers (a new one if not given)."""
    labelled = [a for a in answers if a.stance_label]
    if question.stance_question_id or not _stance_ready(labelled):
        return None
    classifier = classifier or stance_classifier(question=question, answers=answers)
    return classifier.cross_check([a.text for a in labelled], [a.stance_label for a in labelled])


def stance_update(*, question: Question, answers: list[Answer] | None = None) -> str:
    """Set each answer's stance: from the linked closed question, else the officer's classifier.

    With too few labels, a code frame that marks themes "(for)" and "(against)" gives the stance
    on its own (the officer's labels still win). Returns how it was done ("linked",
    "classifier", "frame" or "none").
    """
    answers = answers if answers is not None else theme_answers(question=question)
    if question.stance_question_id:
        linked = dict(
            Answer.objects.filter(
                question_id=question.stance_question_id,
                response_id__in=[a.response_id for a in answers],
            ).values_list("response_id", "choices")
        )
        from cohesion.text.stance import stance_from_choice

        for answer in answers:
            choices = linked.get(answer.response_id) or []
            answer.stance = stance_from_choice(choices[0] if choices else None)
        Answer.objects.bulk_update(answers, ["stance"])
        return "linked"
    labelled = [a for a in answers if a.stance_label]
    if _stance_ready(labelled):
        classifier = stance_classifier(question=question, answers=answers)
        classifier.fit([a.text for a in labelled], [a.stance_label for a in labelled])
        predicted = classifier.predict([a.text for a in answers])
        for answer, stance in zip(answers, predicted, strict=True):
            answer.stance = answer.stance_label or str(stance)
        Answer.objects.bulk_update(answers, ["stance"])
        return "classifier"
    if answers and code_frame_sided(question):
        from cohesion.text.stance import stance_from_frame

        texts = [a.text for a in answers]
        from_frame = stance_from_frame(
            texts, code_frame_of(question), embedder=embedder(), answers=texts
        )
        for answer, stance in zip(answers, from_frame, strict=True):
            answer.stance = answer.stance_label or stance
        Answer.objects.bulk_update(answers, ["stance"])
        return "frame"
    for answer in answers:
        answer.stance = answer.stance_label
    Answer.objects.bulk_update(answers, ["stance"])
    return "none"


def _save_themes(
    *,
    question: Question,
    answers: list[Answer],
    themes: Sequence[Any],
    keep_labels: Mapping[int, str] | None = None,
) -> list[Theme]:
    Theme.objects.filter(question=question).delete()
    saved = []
    for order, found in enumerate(themes):
        if not found.members:
            continue
        label = (keep_labels or {}).get(order) or found.label or f"Theme {order + 1}"
        theme = Theme.objects.create(
            question=question,
            label=label[:120],
            keywords=list(found.keywords)[:10],
            representatives=[answers[i].pk for i in found.representatives],
            order=order,
        )
        theme.answers.set([answers[i].pk for i in found.members])
        saved.append(theme)
    return saved


def theme_analysis_run(*, job_id: str, question_id: int, user_id: int | None) -> None:
    """The theme task: find themes in a free-text question's answers and work out stance."""
    with job_fails_with(
        job_id=job_id,
        message="The theme analysis stopped because of an error. The themes you had before are kept.",
    ):
        _theme_analysis_run(job_id=job_id, question_id=question_id, user_id=user_id)


def _theme_analysis_run(*, job_id: str, question_id: int, user_id: int | None) -> None:
    from cohesion.text.themes import find_themes

    question = Question.objects.select_related("consultation").get(pk=question_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    job_progress(job_id=job_id, done=0, total=100, message="Reading the answers")
    answers = theme_answers(question=question)
    texts = [a.text for a in answers]

    stages = {
        "embedding": "Reading the meaning of each answer",
        "clustering": "Grouping similar answers",
        "labelling": "Naming the themes",
        "done": "Saving",
    }

    def progress(stage: str, fraction: float) -> None:
        job_progress(
            job_id=job_id, done=int(5 + 85 * fraction), total=100, message=stages.get(stage, stage)
        )

    result = find_themes(texts, embedder=embedder(), seed=0, progress=progress)
    with transaction.atomic():
        saved = _save_themes(question=question, answers=answers, themes=result.themes)
        analysis, _ = ThemeAnalysis.objects.get_or_create(question=question)
        analysis.job_id = job_id
        analysis.mode = "auto"
        analysis.parameters = {
            k: v
            for k, v in result.parameters.items()
            if isinstance(v, str | int | float | bool | dict | list)
        }
        analysis.ran_at = timezone.now()
        analysis.save()
        how = stance_update(question=question, answers=answers)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            obj=analysis,
            changes={"themes": len(saved), "answers": len(answers), "stance": how},
            via="task",
        )
    job_finish(
        job_id=job_id,
        result={"question_id": question.pk, "themes": len(saved)},
        message=f"Found {len(saved)} themes in {len(answers):,} answers",
    )


_SIDE_MARKS = {"(for)": "for", "(against)": "against"}


def code_frame_parse(*, text: str) -> list[tuple[str, str, str]]:
    """Lines of "Name: what it covers" -> (name, description, side).

    A name may end with "(for)" or "(against)" to say the theme is an argument for or against
    the proposal; the stance classifier then uses which side an answer's themes are on.
    """
    frame = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, description = line.partition(":")
        name, side = name.strip(), ""
        for mark, value in _SIDE_MARKS.items():
            if name.casefold().endswith(mark):
                name, side = name[: -len(mark)].strip(), value
        name = name[:120]
        if not name:
            raise ConsultationError("Each line needs a theme name before the colon")
        frame.append((name, description.strip() or name, side))
    if len(frame) < 2:
        raise ConsultationError("Give at least 2 themes, one on each line")
    if len({n.casefold() for n, _d, _s in frame}) != len(frame):
        raise ConsultationError("Two themes have the same name")
    return frame


def code_frame_of(question: Question) -> list[tuple[str, str, str]]:
    """The question's code frame as (name, description, side); frames saved before sides were
    recorded have no side."""
    return [
        (str(item[0]), str(item[1]), str(item[2]) if len(item) > 2 else "")
        for item in question.code_frame
    ]


def code_frame_sided(question: Question) -> bool:
    """Whether the question's code frame marks at least one theme (for) and one (against)."""
    from cohesion.text.stance import sided_frame

    return sided_frame(code_frame_of(question)) is not None


def code_frame_text(question: Question) -> str:
    """The code frame as the officer typed it (the form's starting text)."""
    lines = []
    for name, description, side in code_frame_of(question):
        mark = f" ({side})" if side else ""
        lines.append(f"{name}{mark}: {description}")
    return "\n".join(lines)


def code_frame_run(*, job_id: str, question_id: int, user_id: int | None) -> None:
    with job_fails_with(
        job_id=job_id,
        message="Mapping to the code frame stopped because of an error. The themes you had before are kept.",
    ):
        _code_frame_run(job_id=job_id, question_id=question_id, user_id=user_id)


def _code_frame_run(*, job_id: str, question_id: int, user_id: int | None) -> None:
    import numpy as np

    from cohesion.text.codeframe import frame_labels, score_matrix

    question = Question.objects.get(pk=question_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    frame = [(name, description) for name, description, _side in code_frame_of(question)]
    job_progress(job_id=job_id, done=5, total=100, message="Reading the answers")
    answers = theme_answers(question=question)
    scores, usable = score_matrix([a.text for a in answers], frame, embedder=embedder())
    mapped = frame_labels(scores, usable)
    job_progress(job_id=job_id, done=90, total=100, message="Saving")
    with transaction.atomic():
        Theme.objects.filter(question=question).delete()
        themes = [
            Theme.objects.create(question=question, label=name[:120], keywords=[], order=i)
            for i, (name, _d) in enumerate(frame)
        ]
        members: dict[int, list[int]] = {i: [] for i in range(len(frame))}
        for row, labels in enumerate(mapped):
            for label in labels:
                members[int(label)].append(row)
        for i, theme in enumerate(themes):
            theme.answers.set([answers[row].pk for row in members[i]])
            # The quotes: the answers that fit this theme best.
            fit = scores[members[i], i] if members[i] else np.zeros(0)
            best = [members[i][j] for j in np.argsort(-fit, kind="stable")[:5]]
            theme.representatives = [answers[row].pk for row in best]
            theme.save(update_fields=["representatives"])
        analysis, _ = ThemeAnalysis.objects.get_or_create(question=question)
        analysis.job_id = job_id
        analysis.mode = "frame"
        analysis.parameters = {"frame": [list(f) for f in frame]}
        analysis.ran_at = timezone.now()
        analysis.save()
        how = stance_update(question=question, answers=answers)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            obj=analysis,
            changes={"mode": "frame", "themes": len(frame), "stance": how},
            via="task",
        )
    job_finish(
        job_id=job_id,
        result={"question_id": question.pk, "themes": len(frame)},
        message=f"Mapped {len(answers):,} answers to {len(frame)} themes",
    )


def _refresh_descriptions(*, question: Question) -> None:
    """After an edit: new keywords and representative quotes for each theme (labels kept)."""
    themes = list(Theme.objects.filter(question=question).prefetch_related("answers"))
    answers = theme_answers(question=question)
    position = {a.pk: i for i, a in enumerate(answers)}
    import numpy as np

    assignments = np.full(len(answers), -1, dtype=int)
    for index, theme in enumerate(themes):
        for answer in theme.answers.all():
            if answer.pk in position:
                assignments[position[answer.pk]] = index
    if not themes or not (assignments >= 0).any():
        return
    from cohesion.text.themes import describe_themes

    described = describe_themes([a.text for a in answers], assignments, embedder=embedder())
    for index, theme in enumerate(themes):
        if index < len(described) and described[index].members:
            theme.keywords = list(described[index].keywords)[:10]
            theme.representatives = [answers[i].pk for i in described[index].representatives]
            theme.save(update_fields=["keywords", "representatives"])


def theme_rename(*, theme: Theme, label: str, actor: User | None) -> Theme:
    label = label.strip()
    if not label:
        raise ConsultationError("Enter a name for the theme")
    before = snapshot(theme)
    theme.label = label[:120]
    return record_update(obj=theme, before=before, actor=actor)  # type: ignore[no-any-return]


def theme_merge(*, themes: Sequence[Theme], actor: User | None, refresh: bool = True) -> Theme:
    if len(themes) < 2:
        raise ConsultationError("Choose at least 2 themes to merge")
    keep, others = themes[0], list(themes[1:])
    with transaction.atomic():
        for other in others:
            keep.answers.add(*other.answers.all())
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=keep,
            changes={"merged": [t.label for t in others]},
        )
        for other in others:
            other.delete()
    if refresh:
        _refresh_descriptions(question=keep.question)
    return keep


def theme_split(*, theme: Theme, parts: int | None, actor: User | None) -> list[Theme]:
    from cohesion.text.themes import split_theme

    answers = list(theme.answers.order_by("pk"))
    if len(answers) < 4:
        raise ConsultationError("A theme needs at least 4 answers to be split")
    groups = split_theme(
        [a.text for a in answers], list(range(len(answers))), parts=parts, embedder=embedder()
    )
    if len(groups) < 2:
        raise ConsultationError("The answers in this theme are too alike to split")
    with transaction.atomic():
        theme.answers.set([answers[i].pk for i in groups[0]])
        new = [theme]
        last = (
            Theme.objects.filter(question=theme.question)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
            or 0
        )
        for offset, group in enumerate(groups[1:], start=1):
            part = Theme.objects.create(
                question=theme.question,
                label=f"{theme.label} ({offset + 1})"[:120],
                order=last + offset,
            )
            part.answers.set([answers[i].pk for i in group])
            new.append(part)
        theme.label = f"{theme.label} (1)"[:120] if not theme.label.endswith("(1)") else theme.label
        theme.save(update_fields=["label"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=theme,
            changes={"split_into": [len(g) for g in groups]},
        )
    _refresh_descriptions(question=theme.question)
    # Labels of the new parts from their own keywords.
    for part in new:
        part.refresh_from_db()
        if part.keywords:
            part.label = ", ".join(part.keywords[:3]).capitalize()[:120]
            part.save(update_fields=["label"])
    return new


def answer_move(
    *, answer: Answer, from_theme: Theme | None, to_theme: Theme, actor: User | None
) -> None:
    if to_theme.question_id != answer.question_id or (
        from_theme and from_theme.question_id != answer.question_id
    ):
        raise ConsultationError("That theme is for another question")
    with transaction.atomic():
        if from_theme is not None:
            from_theme.answers.remove(answer)
        to_theme.answers.add(answer)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=answer,
            changes={"theme": [from_theme.label if from_theme else None, to_theme.label]},
        )
    _refresh_descriptions(question=to_theme.question)


def stance_suggestions(
    *, question: Question, answers: list[Answer], classifier: StanceClassifier | None = None
) -> list[Answer]:
    """The answers the officer should label next (see ``cohesion.text.stance.suggest_examples``).

    Suggestions need every answer's embedding; the theme analysis has stored them, so until it
    has run the page simply offers the first answers not yet labelled. ``classifier`` as for
    ``stance_check``.
    """
    from cohesion.text.stance import NEXT_BATCH, suggest_examples

    if not ThemeAnalysis.objects.filter(question=question).exists():
        return [a for a in answers if not a.stance_label][:NEXT_BATCH]
    labels = {i: a.stance_label for i, a in enumerate(answers) if a.stance_label}
    picks = suggest_examples(
        [a.text for a in answers],
        labels,
        embedder=embedder(),
        frame=code_frame_of(question),
        model=classifier,
    )
    return [answers[i] for i in picks]


def stance_label_set(*, answer: Answer, label: str, actor: User | None) -> None:
    if label not in {"", *Answer.Stance.values}:
        raise ConsultationError("Choose agree, disagree or unclear")
    before = snapshot(answer)
    answer.stance_label = label
    answer.save(update_fields=["stance_label"])
    changes = diff(before, snapshot(answer))
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=answer, changes=changes)


# ---------------------------------------------------------------------------------------------
# Personal details, the council's response, publishing results, feeding a measure


def pii_screen(*, consultation: Consultation, actor: User | None) -> int:
    """Find names, phone numbers, emails and addresses in free text; propose redactions."""
    from cohesion.text.pii import find_personal_details, redact

    answers = list(
        Answer.objects.filter(
            question__consultation=consultation,
            question__kind=Question.Kind.TEXT,
            response__submitted_at__isnull=False,
        ).exclude(text="")
    )
    flagged = 0
    for answer in answers:
        spans = find_personal_details(answer.text)
        answer.pii_kinds = sorted({str(s.kind) for s in spans})
        answer.redacted_text = redact(answer.text, spans) if spans else ""
        flagged += bool(spans)
    Answer.objects.bulk_update(answers, ["pii_kinds", "redacted_text"])
    before = consultation_snapshot(consultation)
    consultation.pii_confirmed_at = None
    record_update(obj=consultation, before=before, actor=actor)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=consultation,
        changes={"pii_screened": len(answers), "flagged": flagged},
    )
    return flagged


def answer_redaction_set(
    *, answer: Answer, redacted_text: str, quotable: bool, actor: User | None
) -> None:
    before = snapshot(answer)
    answer.redacted_text = clean_text(redacted_text)[:MAX_ANSWER_CHARS]
    answer.quotable = quotable
    answer.save(update_fields=["redacted_text", "quotable"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=answer,
        changes=diff(before, snapshot(answer)),
    )


def pii_confirm(*, consultation: Consultation, actor: User | None) -> None:
    before = consultation_snapshot(consultation)
    consultation.pii_confirmed_at = timezone.now()
    record_update(obj=consultation, before=before, actor=actor)


def results_publish(*, consultation: Consultation, actor: User | None) -> None:
    if consultation.pii_confirmed_at is None:
        raise ConsultationError(
            "Check the free-text answers for personal details and confirm the redactions before publishing"
        )
    latest = (
        Response.objects.filter(consultation=consultation, submitted_at__isnull=False)
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    if latest and latest > consultation.pii_confirmed_at:
        raise ConsultationError(
            "New answers have come in since the redactions were confirmed: check for personal details again"
        )
    if not consultation.what_changed.strip():
        raise ConsultationError("Write what the council did (“We did”) before publishing")
    before = consultation_snapshot(consultation)
    consultation.results_published_at = timezone.now()
    record_update(obj=consultation, before=before, actor=actor)


def results_withdraw(*, consultation: Consultation, actor: User | None) -> None:
    before = consultation_snapshot(consultation)
    consultation.results_published_at = None
    record_update(obj=consultation, before=before, actor=actor)


def measure_feed(
    *,
    consultation: Consultation,
    question: Question,
    options: Sequence[str],
    measure: Any,
    period: str,
    actor: User | None,
) -> Any:
    """Add the share of respondents choosing ``options`` as a figure for a strategy measure."""
    from cohesion.strategy.services import ObservationError, ObservationInput, observation_create

    from .selectors import question_results, weighted_share, weights

    bad = [o for o in options if o not in question.options]
    if not question.is_closed or not options or bad:
        raise ConsultationError("Choose which answers count towards the measure")
    if measure.kind != "percentage":
        raise ConsultationError(
            "Consultation results can only feed a measure that is a survey percentage"
        )
    w = weights(consultation=consultation)
    results = question_results(question=question, w=w)
    n = results["answered"]
    if not n:
        raise ConsultationError("Nobody has answered this question yet")
    chosen = set(options)
    numerator = sum(1 for c in _answers_choices(question) if set(c) & chosen)
    value = 100.0 * numerator / n
    note = f"From the consultation “{consultation.title}”: {', '.join(options)}"
    share = weighted_share(question=question, options=list(options), w=w)
    if share is not None:
        value = 100.0 * share
        note += f" (weighted to the census; design effect {results['design_effect']:.2f})"
    before = snapshot(question)
    question.measure_options = list(options)
    question.save(update_fields=["measure_options"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=question,
        changes=diff(before, snapshot(question)),
    )
    try:
        return observation_create(
            data=ObservationInput(
                measure=measure,
                period=period,
                value=round(value, 1),
                numerator=numerator,
                denominator=n,
                sample_size=n,
                note=note[:300],
            ),
            actor=actor,
        )
    except ObservationError as exc:
        raise ConsultationError(str(exc)) from exc


def _answers_choices(question: Question) -> list[list[str]]:
    rows = Answer.objects.filter(
        question=question, response__submitted_at__isnull=False
    ).values_list("choices", flat=True)
    return [list(c) for c in rows if c]


def report_pdf_run(*, job_id: str, consultation_id: int, user_id: int | None) -> None:
    from .reports import report_pdf_bytes

    with job_fails_with(
        job_id=job_id,
        message="The PDF could not be made. Try again; if it fails again, tell the platform admin.",
    ):
        job_progress(job_id=job_id, done=1, total=3, message="Collecting the results")
        consultation = Consultation.objects.get(pk=consultation_id)
        pdf = report_pdf_bytes(consultation=consultation)
        job_progress(job_id=job_id, done=2, total=3, message="Saving the PDF")
        Consultation.objects.filter(pk=consultation_id).update(
            results_pdf=pdf, results_pdf_made_at=timezone.now()
        )
        user = User.objects.filter(pk=user_id).first() if user_id else None
        audit_record(
            actor=user,
            action=AuditEvent.Action.EXPORT,
            obj=consultation,
            changes={"pdf_bytes": len(pdf)},
            via="task",
        )
    job_finish(
        job_id=job_id, result={"consultation_id": consultation_id}, message="The PDF is ready"
    )


def today() -> date:
    return timezone.localdate()


DRAFT_RETENTION_DAYS = 30


def drafts_delete(*, days: int = DRAFT_RETENTION_DAYS) -> int:
    """Delete unsent responses of consultations that closed more than ``days`` days ago."""
    from datetime import timedelta

    cutoff = timezone.localdate() - timedelta(days=days)
    drafts = Response.objects.filter(submitted_at__isnull=True, consultation__closes_on__lt=cutoff)
    count = drafts.count()
    if count:
        audit_record(
            actor=None,
            action=AuditEvent.Action.DELETE,
            object_type="consultations.response",
            object_repr=f"{count} unsent responses",
            changes={"unsent_responses": count, "closed_before": cutoff.isoformat()},
            via="command",
        )
        drafts.delete()
    return count
