"""Writes for the strategy: priorities, measures, observations, imports and assessments."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cohesion.core.audit import audit_record, snapshot
from cohesion.core.jobs import job_fail, job_finish, job_progress
from cohesion.core.models import AuditEvent, User, Ward

# The audited create / update / delete live in core; kept importable from here (re-exported).
from cohesion.core.services import record_create as record_create
from cohesion.core.services import record_delete as record_delete
from cohesion.core.services import record_update as record_update

from . import progress
from .models import Measure, Observation, ObservationImport
from .periods import PeriodError, parse_period

EARLIEST_PERIOD = date(2000, 1, 1)


# ---------------------------------------------------------------------------------------------
# Assessment


def measure_assess(*, measure: Measure, today: date | None = None) -> progress.Assessment:
    """Recompute a measure's status from its city-wide observations and store it on the measure."""
    points = [
        o.point
        for o in Observation.objects.city().filter(measure=measure).order_by("period_end").only(
            "period_end", "value", "numerator", "denominator", "sample_size"
        )
    ]
    assessment = progress.assess_progress(spec=measure.spec, points=points, today=today)
    measure.status = assessment.status.value
    measure.status_reason = assessment.reason
    if assessment.latest_value is not None:
        measure.latest_value = assessment.latest_value
    else:
        measure.latest_value = assessment.latest.value if assessment.latest else None
    measure.latest_period_end = assessment.latest.period_end if assessment.latest else None
    measure.latest_low = assessment.interval.low if assessment.interval else None
    measure.latest_high = assessment.interval.high if assessment.interval else None
    measure.assessed_at = timezone.now()
    measure.save(
        update_fields=[
            "status",
            "status_reason",
            "latest_value",
            "latest_period_end",
            "latest_low",
            "latest_high",
            "assessed_at",
        ]
    )
    return assessment


def measures_assess(*, measures: Iterable[Measure], today: date | None = None) -> None:
    for measure in measures:
        measure_assess(measure=measure, today=today)


# ---------------------------------------------------------------------------------------------
# Observations


class ObservationError(ValueError):
    """A figure that cannot be saved; the message says what to fix."""


@dataclass
class ObservationInput:
    measure: Measure
    period: str
    value: float
    ward: Ward | None = None
    numerator: float | None = None
    denominator: float | None = None
    sample_size: int | None = None
    note: str = ""


def observation_validate(*, data: ObservationInput, today: date | None = None) -> dict[str, str]:
    """Check one figure. Returns {field: message}; empty when the figure can be saved."""
    errors: dict[str, str] = {}
    today = today or timezone.localdate()
    measure = data.measure
    try:
        period = parse_period(data.period)
    except PeriodError as exc:
        errors["period"] = str(exc)
        period = None
    if period is not None:
        if period.end < EARLIEST_PERIOD:
            errors["period"] = "The period is before 2000: check the year"
        elif period.start > today:
            errors["period"] = "The period has not started yet: figures can only be entered for the past"
    if data.value is None or not math.isfinite(data.value):
        errors["value"] = "Enter the value as a number, for example 42 or 3.5"
    elif measure.kind == "percentage" and not 0 <= data.value <= 100:
        errors["value"] = "A percentage must be between 0 and 100"
    elif measure.kind in ("count", "rate") and data.value < 0:
        errors["value"] = "A count or rate cannot be less than 0"
    for name in ("numerator", "denominator"):
        number = getattr(data, name)
        if number is not None and (not math.isfinite(number) or number < 0):
            errors[name] = f"The {name} must be 0 or more"
    if data.denominator is not None and data.denominator == 0:
        errors["denominator"] = "The denominator cannot be 0"
    if (
        "numerator" not in errors
        and "denominator" not in errors
        and data.numerator is not None
        and data.denominator is not None
        and data.numerator > data.denominator
        and measure.kind == "percentage"
    ):
        errors["numerator"] = "The numerator cannot be bigger than the denominator"
    if data.sample_size is not None and data.sample_size <= 0:
        errors["sample_size"] = "The sample size must be 1 or more"
    if data.ward is not None and measure.level == Measure.Level.CITY:
        errors["ward"] = "This measure is for the whole city only: leave the ward empty"
    if period is not None and "period" not in errors:
        clash = Observation.objects.filter(
            measure=measure, ward=data.ward, period_end=period.end
        ).exists()
        if clash:
            where = data.ward.name if data.ward else "the whole city"
            errors["period"] = (
                f"There is already a figure for {where} for {period.label}: "
                "change that figure instead of adding another"
            )
    return errors


def observation_create(
    *, data: ObservationInput, actor: User | None, via: str = "web", assess: bool = True
) -> Observation:
    errors = observation_validate(data=data)
    if errors:
        raise ObservationError("; ".join(errors.values()))
    period = parse_period(data.period)
    with transaction.atomic():
        try:
            observation = Observation.objects.create(
                measure=data.measure,
                ward=data.ward,
                period_start=period.start,
                period_end=period.end,
                period_label=period.label,
                value=data.value,
                numerator=data.numerator,
                denominator=data.denominator,
                sample_size=data.sample_size,
                note=data.note[:300],
                created_by=actor if actor and actor.is_authenticated else None,
            )
        except IntegrityError as exc:  # a concurrent write of the same period
            raise ObservationError("There is already a figure for this place and period") from exc
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=observation,
            changes=snapshot(observation),
            via=via,
        )
    if assess and data.ward is None:
        measure_assess(measure=data.measure)
    return observation


def observation_delete(*, observation: Observation, actor: User, via: str = "web") -> None:
    measure = observation.measure
    record_delete(obj=observation, actor=actor, via=via)
    measure_assess(measure=measure)


# ---------------------------------------------------------------------------------------------
# CSV import

IMPORT_COLUMNS = ["measure", "ward_code", "period", "value", "numerator", "denominator", "sample_size", "note"]
REQUIRED_COLUMNS = ["measure", "period", "value"]


class ImportFileError(ValueError):
    """The whole file cannot be read; the message says what to fix."""


def _read_csv_header(text: str) -> list[str]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ImportFileError("The file is empty: it needs a header row and at least one row of figures") from exc
    except csv.Error as exc:
        raise ImportFileError(f"The file could not be read as CSV: {exc}") from exc
    return [h.strip().lower().lstrip("\ufeff") for h in header]


def import_text_check(*, text: str) -> list[str]:
    """Check the file as a whole before any row is read. Returns the header."""
    if "\x00" in text[:4096]:
        raise ImportFileError("The file is not a CSV file: save it from your spreadsheet as “CSV UTF-8” and try again")
    header = _read_csv_header(text)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in IMPORT_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("it has no column called " + ", ".join(f"“{c}”" for c in missing))
        if unknown:
            parts.append("we do not know the column " + ", ".join(f"“{c[:40]}”" for c in unknown))
        raise ImportFileError(
            "The first row of the file is wrong: "
            + " and ".join(parts)
            + ". The first row must be: "
            + ",".join(IMPORT_COLUMNS)
            + " (only measure, period and value are needed)"
        )
    if len(header) != len(set(header)):
        raise ImportFileError("The first row names the same column twice")
    return header


def decode_upload(*, raw: bytes) -> str:
    if raw[:4] in (b"PK\x03\x04",) or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            "This looks like an Excel file, not a CSV file: in Excel choose File, Save As, “CSV UTF-8”"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportFileError("The file is not a CSV text file: save it as “CSV UTF-8” and try again") from exc
        if "\x00" in text:
            raise ImportFileError("The file is not a CSV file: save it as “CSV UTF-8” and try again") from None
        return text


@dataclass
class ImportOutcome:
    saved: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0


def _number(text: str, *, name: str) -> float | None:
    text = (text or "").strip().replace(",", "")
    if text == "":
        return None
    if text.endswith("%"):
        text = text[:-1]
    try:
        value = float(text)
    except ValueError:
        raise ObservationError(f"the {name} “{text[:30]}” is not a number") from None
    if not math.isfinite(value):
        raise ObservationError(f"the {name} “{text[:30]}” is not a number")
    return value


def observations_import_rows(
    *, text: str, actor: User | None, on_progress: Any = None, today: date | None = None
) -> ImportOutcome:
    """Save every good row, each on its own; report every bad row with its line number."""
    import_text_check(text=text)
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [h.strip().lower().lstrip("\ufeff") for h in (reader.fieldnames or [])]
    measures = {m.slug: m for m in Measure.objects.all()}
    wards = {w.code.upper(): w for w in Ward.objects.all()}
    outcome = ImportOutcome()
    seen: dict[tuple[int, str | None, date | None], int] = {}
    touched: set[int] = set()
    rows = list(reader)
    outcome.total = len(rows)
    for index, row in enumerate(rows):
        line = index + 2  # the header is line 1
        if on_progress and index % 200 == 0:
            on_progress(index, len(rows))
        if None in row:  # more cells than headers
            outcome.rejected.append({"line": line, "reason": "This row has more cells than the first row has columns"})
            continue
        if not any((v or "").strip() for v in row.values()):
            outcome.total -= 1
            continue
        try:
            slug = (row.get("measure") or "").strip()
            measure = measures.get(slug)
            if measure is None:
                raise ObservationError(f"there is no measure called “{slug[:60]}”" if slug else "the measure is empty")
            ward_code = (row.get("ward_code") or "").strip().upper()
            ward = None
            if ward_code:
                ward = wards.get(ward_code)
                if ward is None:
                    raise ObservationError(f"there is no ward with the code “{ward_code[:20]}”")
            value = _number(row.get("value") or "", name="value")
            if value is None:
                raise ObservationError("the value is empty")
            sample = _number(row.get("sample_size") or "", name="sample size")
            if sample is not None and not float(sample).is_integer():
                raise ObservationError("the sample size must be a whole number")
            data = ObservationInput(
                measure=measure,
                period=row.get("period") or "",
                value=value,
                ward=ward,
                numerator=_number(row.get("numerator") or "", name="numerator"),
                denominator=_number(row.get("denominator") or "", name="denominator"),
                sample_size=int(sample) if sample is not None else None,
                note=(row.get("note") or "").strip(),
            )
            try:
                period_end = parse_period(data.period).end
            except PeriodError:
                period_end = None
            key = (measure.pk, ward.code if ward else None, period_end)
            if period_end is not None and key in seen:
                raise ObservationError(f"this row repeats line {seen[key]} (same measure, place and period)")
            errors = observation_validate(data=data, today=today)
            if errors:
                raise ObservationError("; ".join(errors.values()))
            seen[key] = line
            observation_create(data=data, actor=actor, via="import", assess=False)
            touched.add(measure.pk)
            outcome.saved += 1
        except ObservationError as exc:
            reason = str(exc)
            outcome.rejected.append({"line": line, "reason": reason[0].upper() + reason[1:]})
    measures_assess(measures=Measure.objects.filter(pk__in=touched))
    return outcome


def import_rows_run(*, job_id: str, record: Any, read_rows: Callable[[Callable[[int, int], None]], Any]) -> Any:
    """The shared body of a CSV import task (measures, tension reports, consultation answers).

    ``read_rows(on_progress)`` saves the rows it can and returns an outcome with ``total``,
    ``saved`` and ``rejected`` (the row-by-row report). The report goes on the import ``record``,
    the uploaded text is dropped (the rows are saved; no second copy is kept) and the import is
    audited. When the whole file is refused the job fails with the message that says what to fix
    and None is returned; rows saved before an unexpected error are kept.
    """

    def on_progress(done: int, total: int) -> None:
        job_progress(job_id=job_id, done=done, total=total, message=f"Checked {done:,} of {total:,} rows")

    try:
        outcome = read_rows(on_progress)
    except ImportFileError as exc:
        record.rejections = [{"line": 1, "reason": str(exc)}]
        record.content = ""
        record.save(update_fields=["rejections", "content"])
        job_fail(job_id=job_id, message=str(exc))
        return None
    except Exception:
        job_fail(job_id=job_id, message="The import stopped because of an error. Rows saved before it stopped are kept; the platform admin has been told.")
        raise
    record.rows_total = outcome.total
    record.rows_saved = outcome.saved
    record.rows_rejected = len(outcome.rejected)
    record.rejections = outcome.rejected
    record.content = ""
    record.save(update_fields=["rows_total", "rows_saved", "rows_rejected", "rejections", "content"])
    audit_record(
        actor=record.uploaded_by,
        action=AuditEvent.Action.IMPORT,
        obj=record,
        changes={"saved": outcome.saved, "rejected": len(outcome.rejected)},
        via="task",
    )
    return outcome


def observation_import_run(*, job_id: str, import_id: int) -> None:
    """The body of the import task: runs in the worker, reports progress on the job."""
    record = ObservationImport.objects.select_related("uploaded_by").get(pk=import_id)
    outcome = import_rows_run(
        job_id=job_id,
        record=record,
        read_rows=lambda on_progress: observations_import_rows(
            text=record.content, actor=record.uploaded_by, on_progress=on_progress
        ),
    )
    if outcome is None:
        return
    job_finish(
        job_id=job_id,
        result={"import_id": record.pk, "saved": outcome.saved, "rejected": len(outcome.rejected)},
        message=f"Saved {outcome.saved:,} rows; {len(outcome.rejected):,} rows need fixing",
    )
