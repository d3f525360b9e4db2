"""Writes for community tensions: reports, imports, early-warning alerts, ward levels, retention.

Every write is audited with ``audit_record``. The early-warning statistics live in the pure
package ``cohesion.tensions.warning``; this module only turns reports into weekly counts, calls
it, and stores what it finds as :class:`Alert` rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from cohesion.core.audit import audit_record, snapshot
from cohesion.core.jobs import job_finish, job_progress
from cohesion.core.models import AuditEvent, Organisation, Role, User, Ward
from cohesion.core.services import record_fields_update, ward_replaced_message
from cohesion.strategy.services import ImportFileError, decode_upload, import_rows_run

from .models import (
    Alert,
    Category,
    Community,
    ReporterConfidence,
    ReportImport,
    SourceReliability,
    TensionReport,
    TensionSettings,
    WardTensionLevel,
    week_start,
)

__all__ = [
    "IMPORT_COLUMNS",
    "ImportFileError",
    "ReportError",
    "ReportInput",
    "alert_acknowledge",
    "alert_close",
    "alert_record_action",
    "alert_sentence",
    "decode_upload",
    "earlywarning_run",
    "import_text_check",
    "report_create",
    "report_validate",
    "reports_import_rows",
    "reports_redact",
    "signal_provider_register",
    "ward_level_set",
    "weekly_counts",
]

#: The longest history the early-warning run reads: five years of weeks.
MAX_HISTORY_WEEKS = 261
#: Categories in the order of the count array's last axis.
CATEGORIES: list[str] = [c.value for c in Category]

POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


class ReportError(ValueError):
    """A report cannot be saved; the message says what to fix."""


def postcode_normalise(text: str) -> str | None:
    """'st11aa' -> 'ST1 1AA'; None if it is not shaped like a UK postcode."""
    cleaned = re.sub(r"\s+", "", (text or "").upper())
    match = POSTCODE_RE.match(cleaned)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def postcode_ward(*, postcode: str) -> Ward | None:
    """The ward a postcode is in, when the platform knows it (from the council's address list)."""
    from cohesion.assembly.models import Address  # the only postcode-to-ward table we hold

    compact = postcode.replace(" ", "")
    for candidate in (postcode, compact):
        found = Address.objects.filter(postcode__iexact=candidate).select_related("ward").first()
        if found is not None:
            return found.ward
    return None


def postcode_district_covered(*, postcode: str) -> bool | None:
    """Whether the council's address list holds any address in the postcode's district (the part
    before the space, "ST1"); None when there is no address list to check against."""
    from cohesion.assembly.models import Address

    if not Address.objects.exists():
        return None
    district = postcode.split(" ")[0]
    return Address.objects.filter(postcode__istartswith=f"{district} ").exists()


def point_ward(*, latitude: float, longitude: float, wards: Iterable[Ward]) -> Ward | None:
    """The ward whose boundary holds a point, if any."""
    from shapely.geometry import Point, shape

    point = Point(longitude, latitude)
    for ward in wards:
        if ward.boundary:
            try:
                if shape(ward.boundary).covers(point):
                    return ward
            except (ValueError, TypeError, AttributeError):
                continue
    return None


@dataclass
class ReportInput:
    summary: str
    occurred_on: date | None
    ward: Ward | None
    category: str
    community: str
    impact: int | None
    source_reliability: str
    reporter_confidence: str
    has_personal_details: bool = False
    personal_details: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    external_ref: str = ""


def report_validate(*, data: ReportInput, today: date | None = None) -> dict[str, str]:
    """Every problem with a report, by field, in plain words. Empty when it can be saved.

    Normalises the postcode in place.
    """
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not (data.summary or "").strip():
        errors["summary"] = "Say what happened"
    elif len(data.summary) > 4000:
        errors["summary"] = "What happened must be 4,000 characters or fewer"
    if data.occurred_on is None:
        errors["occurred_on"] = "Enter the date it happened"
    elif data.occurred_on > today:
        errors["occurred_on"] = "The date it happened must be today or in the past"
    elif data.occurred_on < today - timedelta(days=5 * 366):
        errors["occurred_on"] = "The date it happened must be in the last 5 years"
    if data.ward is None:
        errors["ward"] = "Choose the ward where it happened"
    elif not data.ward.in_use:
        errors["ward"] = ward_replaced_message(data.ward)
    if data.category not in CATEGORIES:
        errors["category"] = "Choose what kind of tension it is"
    if data.community not in Community.values:
        errors["community"] = "Choose the community affected, or “Not known”"
    if data.impact is None or not 1 <= data.impact <= 5:
        errors["impact"] = "The impact must be a whole number from 1 (very low) to 5 (very high)"
    if data.source_reliability not in SourceReliability.values:
        errors["source_reliability"] = "Choose how reliable the source is"
    if data.reporter_confidence not in ReporterConfidence.values:
        errors["reporter_confidence"] = "Choose how sure you are"
    if data.has_personal_details and not data.personal_details.strip():
        errors["personal_details"] = "Enter the personal details, or say the report holds none"
    if not data.has_personal_details and data.personal_details.strip():
        errors["has_personal_details"] = "You gave personal details: say the report holds them"
    if data.postcode.strip():
        normal = postcode_normalise(data.postcode)
        if normal is None:
            errors["postcode"] = "Enter a real postcode, like ST1 1AA, or leave it empty"
        else:
            data.postcode = normal
            if data.ward is not None:
                known = postcode_ward(postcode=normal)
                if known is not None and known.pk != data.ward.pk:
                    errors["postcode"] = (
                        f"The postcode {normal} is in {known.name}, not {data.ward.name}: "
                        "check the ward or the postcode"
                    )
                if known is None and postcode_district_covered(postcode=normal) is False:
                    errors["postcode"] = (
                        f"The postcode {normal} is not in any ward we cover: check it, "
                        "or leave it empty"
                    )
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude"] = "Give both the latitude and the longitude of the place, or neither"
    elif data.latitude is not None and data.longitude is not None:
        if not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180):
            errors["latitude"] = (
                "The latitude must be between -90 and 90, the longitude between -180 and 180"
            )
        elif data.ward is not None and data.ward.boundary:
            inside = point_ward(
                latitude=data.latitude,
                longitude=data.longitude,
                wards=Ward.objects.filter(in_use=True),
            )
            if inside is None:
                errors["latitude"] = "The point on the map is outside the council’s wards"
            elif inside.pk != data.ward.pk:
                errors["latitude"] = (
                    f"The point on the map is in {inside.name}, not {data.ward.name}: "
                    "check the ward or the point"
                )
    return errors


def report_posted_before(*, reference: str, user: User) -> TensionReport | None:
    """The report a partner system already posted with this reference (references are the
    partner's own, so they are matched within the poster's organisation, or the poster's own
    reports if they have none)."""
    ref = reference.strip()[:60]
    if not ref:
        return None
    mine = TensionReport.objects.filter(source=TensionReport.Source.API, external_ref=ref)
    if user.organisation_id:
        mine = mine.filter(organisation_id=user.organisation_id)
    else:
        mine = mine.filter(reported_by=user)
    return mine.order_by("pk").first()


def report_create(
    *,
    data: ReportInput,
    actor: User | None,
    organisation: Organisation | None = None,
    source: str = TensionReport.Source.FORM,
    via: str = "web",
    today: date | None = None,
) -> TensionReport:
    errors = report_validate(data=data, today=today)
    if errors:
        raise ReportError("; ".join(errors.values()))
    assert data.ward is not None and data.occurred_on is not None and data.impact is not None  # noqa: S101
    report = TensionReport.objects.create(
        summary=data.summary.strip(),
        occurred_on=data.occurred_on,
        ward=data.ward,
        postcode=data.postcode,
        latitude=data.latitude,
        longitude=data.longitude,
        category=data.category,
        community=data.community,
        impact=data.impact,
        source_reliability=data.source_reliability,
        reporter_confidence=data.reporter_confidence,
        has_personal_details=data.has_personal_details,
        personal_details=data.personal_details.strip() if data.has_personal_details else "",
        organisation=organisation
        if organisation is not None
        else getattr(actor, "organisation", None),
        reported_by=actor,
        source=source,
        external_ref=data.external_ref.strip()[:60],
    )
    # The audit log never holds the personal details themselves.
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=report,
        changes=snapshot(report, exclude=["personal_details", "summary"]),
        via=via,
    )
    return report


def report_personal_details_viewed(
    *, report: TensionReport, actor: User, request: Any = None
) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        obj=report,
        changes={"personal_details": "shown"},
        via="web",
        request=request,
    )


# ---------------------------------------------------------------------------------------------
# Police weekly CSV extract

IMPORT_COLUMNS = [
    "reference",
    "date",
    "ward_code",
    "category",
    "community",
    "impact",
    "source_reliability",
    "reporter_confidence",
    "summary",
]
_SOURCE_LETTERS = {"A": "1", "B": "2", "C": "3", "D": "4", "E": "5", "X": "5"}


def _read_header(text: str) -> list[str]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ImportFileError(
            "The file is empty: it needs a header row and at least one row"
        ) from exc
    except csv.Error as exc:
        raise ImportFileError(f"The file could not be read as CSV: {exc}") from exc
    return [h.strip().lower().lstrip("\ufeff") for h in header]


def import_text_check(*, text: str) -> list[str]:
    """Refuse the whole file if its first row is not exactly the agreed extract's header."""
    if "\x00" in text[:4096]:
        raise ImportFileError("The file is not a CSV file: save it as “CSV UTF-8” and try again")
    header = _read_header(text)
    if header != IMPORT_COLUMNS:
        missing = [c for c in IMPORT_COLUMNS if c not in header]
        unknown = [h for h in header if h not in IMPORT_COLUMNS]
        parts = []
        if missing:
            parts.append("it has no column called " + ", ".join(f"“{c}”" for c in missing))
        if unknown:
            parts.append("we do not know the column " + ", ".join(f"“{c[:40]}”" for c in unknown))
        if not parts:
            parts.append("the columns are in a different order")
        raise ImportFileError(
            "The first row of the file has changed: "
            + " and ".join(parts)
            + ". Nothing was saved. The first row must be: "
            + ",".join(IMPORT_COLUMNS)
        )
    return header


def _choice(text: str, choices: Any, *, name: str) -> str:
    value = (text or "").strip()
    if not value:
        raise ReportError(f"the {name} is empty")
    for code, label in choices.choices:
        if value.lower() in (str(code).lower(), str(label).lower()):
            return str(code)
    raise ReportError(f"we do not know the {name} “{value[:40]}”")


@dataclass
class ImportOutcome:
    saved: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0


def reports_import_rows(
    *,
    text: str,
    actor: User | None,
    organisation: Organisation | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> ImportOutcome:
    """Save every good row on its own; report every bad row with its line number and reason."""
    import_text_check(text=text)
    today = today or timezone.localdate()
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [h.strip().lower().lstrip("\ufeff") for h in (reader.fieldnames or [])]
    wards = {w.code.upper(): w for w in Ward.objects.all()}
    known_refs = set(
        TensionReport.objects.filter(source=TensionReport.Source.IMPORT)
        .exclude(external_ref="")
        .values_list("external_ref", flat=True)
    )
    rows = list(reader)
    outcome = ImportOutcome(total=len(rows))
    seen_refs: dict[str, int] = {}
    seen_rows: dict[tuple[str, ...], int] = {}
    for index, row in enumerate(rows):
        line = index + 2
        if on_progress and index % 200 == 0:
            on_progress(index, len(rows))
        if None in row:
            outcome.rejected.append(
                {"line": line, "reason": "This row has more cells than the first row has columns"}
            )
            continue
        if not any((v or "").strip() for v in row.values()):
            outcome.total -= 1
            continue
        try:
            content = tuple((row.get(c) or "").strip() for c in IMPORT_COLUMNS)
            if content in seen_rows:
                raise ReportError(f"this row repeats line {seen_rows[content]}")
            seen_rows[content] = line
            ref = (row.get("reference") or "").strip()
            if ref:
                if ref in seen_refs:
                    raise ReportError(
                        f"the reference “{ref[:40]}” is already on line {seen_refs[ref]}"
                    )
                if ref in known_refs:
                    raise ReportError(f"the report “{ref[:40]}” was imported before")
                seen_refs[ref] = line
            ward_code = (row.get("ward_code") or "").strip().upper()
            if not ward_code:
                raise ReportError("the ward code is empty")
            ward = wards.get(ward_code)
            if ward is None:
                raise ReportError(f"there is no ward with the code “{ward_code[:20]}”")
            raw_date = (row.get("date") or "").strip()
            try:
                occurred = date.fromisoformat(raw_date)
            except ValueError:
                raise ReportError(
                    f"the date “{raw_date[:20]}” is not a date like 2026-03-31"
                ) from None
            raw_impact = (row.get("impact") or "").strip()
            try:
                impact = int(raw_impact)
            except ValueError:
                raise ReportError(
                    f"the impact “{raw_impact[:10]}” is not a whole number from 1 to 5"
                ) from None
            reliability = (row.get("source_reliability") or "").strip().upper()
            reliability = _SOURCE_LETTERS.get(reliability, reliability)
            data = ReportInput(
                summary=(row.get("summary") or "").strip()
                or "Reported in the police weekly extract",
                occurred_on=occurred,
                ward=ward,
                category=_choice(row.get("category") or "", Category, name="category"),
                community=_choice(row.get("community") or "", Community, name="community"),
                impact=impact,
                source_reliability=reliability,
                reporter_confidence=(row.get("reporter_confidence") or "").strip(),
                external_ref=ref,
            )
            errors = report_validate(data=data, today=today)
            if errors:
                raise ReportError("; ".join(errors.values()))
            if not ref:
                # Weekly extracts can overlap: with no reference to go by, a row that says the
                # same as an imported report (date, ward, kind, words) is that report again.
                same = (
                    TensionReport.objects.filter(
                        source=TensionReport.Source.IMPORT,
                        occurred_on=occurred,
                        ward=ward,
                        category=data.category,
                        summary=data.summary.strip(),
                    )
                    .order_by("pk")
                    .first()
                )
                if same is not None:
                    raise ReportError(
                        f"this row is the same as report {same.pk}, imported before "
                        "(same date, ward, kind and words)"
                    )
            with transaction.atomic():
                report_create(
                    data=data,
                    actor=actor,
                    organisation=organisation,
                    source=TensionReport.Source.IMPORT,
                    via="import",
                    today=today,
                )
            outcome.saved += 1
        except ReportError as exc:
            reason = str(exc)
            outcome.rejected.append({"line": line, "reason": reason[0].upper() + reason[1:]})
    return outcome


def _police_organisation() -> Organisation | None:
    return Organisation.objects.filter(type=Organisation.Type.POLICE).order_by("pk").first()


def report_import_run(*, job_id: str, import_id: int, today: date | None = None) -> None:
    """The body of the import task: saves rows, then runs the early warning."""
    record = ReportImport.objects.select_related("uploaded_by").get(pk=import_id)
    outcome = import_rows_run(
        job_id=job_id,
        record=record,
        read_rows=lambda on_progress: reports_import_rows(
            text=record.content,
            actor=record.uploaded_by,
            organisation=_police_organisation(),
            on_progress=on_progress,
            today=today,
        ),
    )
    if outcome is None:
        return
    job_progress(
        job_id=job_id, done=outcome.total, total=outcome.total, message="Looking for unusual rises"
    )
    alerts = earlywarning_run(today=today, via="task") if outcome.saved else []
    record.alerts_raised = len(alerts)
    record.save(update_fields=["alerts_raised"])
    job_finish(
        job_id=job_id,
        result={
            "tension_import_id": record.pk,
            "saved": outcome.saved,
            "rejected": len(outcome.rejected),
            "alerts": len(alerts),
        },
        message=f"Saved {outcome.saved:,} rows; {len(outcome.rejected):,} rows need fixing; {len(alerts)} new alert{'s' if len(alerts) != 1 else ''}",
    )


# ---------------------------------------------------------------------------------------------
# Weekly counts and the early warning

#: Further weekly signals (for example sightings of rumours). Each provider is called with the
#: first Monday and the last Sunday of the period and yields (ward code, week start, category,
#: count); the counts are added to the reports' counts in that ward, week and category.
SignalProvider = Callable[[date, date], Iterable[tuple[str, date, str, int]]]
_SIGNAL_PROVIDERS: dict[str, SignalProvider] = {}


def signal_provider_register(*, name: str, provider: SignalProvider) -> None:
    """Let another app (rumours, strategy measures) add weekly counts to the early warning."""
    _SIGNAL_PROVIDERS[name] = provider


def signal_provider_unregister(*, name: str) -> None:
    _SIGNAL_PROVIDERS.pop(name, None)


@dataclass
class WeeklyCounts:
    counts: np.ndarray  # (weeks, wards, categories), int64
    weeks: list[date]  # Mondays, oldest first; the last is the current week
    wards: list[Ward]  # ordered by code
    categories: list[str]
    reports: int

    @property
    def ward_codes(self) -> list[str]:
        return [w.code for w in self.wards]

    def data_version(self) -> str:
        digest = hashlib.sha256(self.counts.astype(np.int64).tobytes()).hexdigest()[:16]
        first = self.weeks[0] if self.weeks else None
        return f"{self.reports:,} reports, weeks {first} to {self.weeks[-1] if self.weeks else None}, sha256 {digest}"


def weekly_counts(
    *,
    current_week: date,
    weeks: int | None = None,
    wards: list[Ward] | None = None,
    extra: Mapping[tuple[str, date, str], int] | None = None,
) -> WeeklyCounts:
    """Reports counted by week, ward and category, ending with ``current_week``.

    Without ``weeks`` the history starts at the week of the oldest report (at most five years).
    Redacted reports still count. ``extra`` adds counts keyed by (ward code, week, category).
    """
    current_week = week_start(current_week)
    wards = wards if wards is not None else list(Ward.objects.order_by("code"))
    if weeks is None:
        oldest = TensionReport.objects.aggregate(first=Min("occurred_on"))["first"]
        weeks = 1 if oldest is None else (current_week - week_start(oldest)).days // 7 + 1
    weeks = max(1, min(weeks, MAX_HISTORY_WEEKS))
    first = current_week - timedelta(weeks=weeks - 1)
    ward_index = {w.pk: i for i, w in enumerate(wards)}
    code_index = {w.code: i for i, w in enumerate(wards)}
    cat_index = {c: i for i, c in enumerate(CATEGORIES)}
    counts = np.zeros((weeks, len(wards), len(CATEGORIES)), dtype=np.int64)
    rows = (
        TensionReport.objects.filter(
            occurred_on__gte=first, occurred_on__lt=current_week + timedelta(days=7)
        )
        .values("occurred_on", "ward_id", "category")
        .annotate(n=Count("id"))
    )
    total = 0
    for row in rows:
        w = ward_index.get(row["ward_id"])
        c = cat_index.get(row["category"])
        if w is None or c is None:
            continue
        t = (row["occurred_on"] - first).days // 7
        counts[t, w, c] += row["n"]
        total += row["n"]
    for (code, week, category), n in (extra or {}).items():
        t = (week_start(week) - first).days // 7
        if 0 <= t < weeks and code in code_index and category in cat_index:
            counts[t, code_index[code], cat_index[category]] += int(n)
    return WeeklyCounts(
        counts=counts,
        weeks=[first + timedelta(weeks=i) for i in range(weeks)],
        wards=wards,
        categories=list(CATEGORIES),
        reports=total,
    )


def _extra_signals(first: date, last_day: date) -> dict[tuple[str, date, str], int]:
    extra: dict[tuple[str, date, str], int] = {}
    for provider in list(_SIGNAL_PROVIDERS.values()):
        for code, week, category, n in provider(first, last_day):
            key = (code, week_start(week), category)
            extra[key] = extra.get(key, 0) + int(n)
    return extra


def adjacency_of(wards: list[Ward]) -> dict[str, list[str]]:
    by_pk = {w.pk: w.code for w in wards}
    adjacency: dict[str, list[str]] = {w.code: [] for w in wards}
    for a, b in Ward.neighbours.through.objects.values_list("from_ward_id", "to_ward_id"):
        if a in by_pk and b in by_pk and by_pk[b] not in adjacency[by_pk[a]]:
            adjacency[by_pk[a]].append(by_pk[b])
    return adjacency


CATEGORY_PHRASES = {
    Category.HATE_INCIDENT: "hate incidents",
    Category.PROTEST: "planned protests or gatherings",
    Category.ONLINE: "online tension",
    Category.CONCERN: "community concern",
    Category.DAMAGE: "damage to community or faith buildings",
    Category.RUMOUR: "rumours",
    Category.OTHER: "other tension",
}


def _names(names: list[str]) -> str:
    if len(names) > 5:
        names = [*names[:4], f"{len(names) - 4} neighbouring wards"]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def alert_sentence(
    *,
    ward_names: list[str],
    category: str | None,
    observed: float,
    expected: float,
    threshold: float,
    weeks: int = 1,
) -> str:
    """'Bentilee and Ubberley: 7 reports of online tension this week; about 1.8 expected;
    alert threshold 4.9'. A cluster found by the scan may cover the last few weeks (``weeks``)."""
    place = _names(ward_names) if ward_names else "Across the city"
    what = CATEGORY_PHRASES.get(category, "any kind") if category else "any kind"  # type: ignore[call-overload]
    report_word = "report" if observed == 1 else "reports"
    usual = "almost none expected" if expected < 0.05 else f"about {expected:,.1f} expected"
    return (
        f"{place}: {_number(observed)} {report_word} of {what} "
        f"{'this week' if weeks <= 1 else f'in the last {weeks} weeks'}; "
        f"{usual}; alert threshold {threshold:,.1f}"
    )


def _alert_key(kind: str, codes: Iterable[str], category: str | None) -> str:
    return f"{kind}|{','.join(sorted(codes))}|{category or ''}"[:400]


def _clean_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def earlywarning_run(
    *,
    today: date | None = None,
    actor: User | None = None,
    via: str = "task",
    scan_replicates: int = 999,
) -> list[Alert]:
    """Count reports by week, ward and category, look for unusual rises, store new alerts.

    The current week is the week holding ``today``. An alert already stored for the same wards,
    category and week (whatever its status) is not raised again. Officers are emailed about new
    alerts.
    """
    from cohesion.tensions.warning import city_alarms

    today = today or timezone.localdate()
    current = week_start(today)
    wards = list(Ward.objects.order_by("code"))
    if not wards:
        return []
    probe = weekly_counts(current_week=current, wards=wards)
    extra = _extra_signals(probe.weeks[0], current + timedelta(days=6)) if _SIGNAL_PROVIDERS else {}
    data = (
        probe
        if not extra
        else weekly_counts(current_week=current, weeks=len(probe.weeks), wards=wards, extra=extra)
    )
    if not data.counts.any():
        return []
    tension_settings = TensionSettings.current()
    alarms = city_alarms(
        data.counts,
        wards=data.ward_codes,
        categories=data.categories,
        adjacency=adjacency_of(wards),
        alpha=tension_settings.alert_alpha,
        seed=current.toordinal(),
        scan_replicates=scan_replicates,
    )
    version = data.data_version()
    by_code = {w.code: w for w in wards}
    # A "cluster" of one ward that also alarms on its own says the same thing twice: keep one.
    single = {(a.wards, a.category) for a in alarms if a.kind == "ward"}
    alarms = [
        a
        for a in alarms
        if not (a.kind == "cluster" and len(a.wards) == 1 and (a.wards, a.category) in single)
    ]
    created: list[Alert] = []
    for alarm in alarms:
        codes = [c for c in alarm.wards if c in by_code]
        key = _alert_key(alarm.kind, codes, alarm.category)
        if Alert.objects.filter(key=key, week_start=current).exists():
            continue
        names = [by_code[c].name for c in codes]
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=alarm.kind,
                ward_codes=codes,
                key=key,
                category=alarm.category or "",
                week_start=current,
                observed=float(alarm.observed),
                expected=float(alarm.expected),
                threshold=float(alarm.threshold),
                p_value=None if alarm.p_value is None else float(alarm.p_value),
                method=alarm.method[:60],
                parameters=_clean_json(dict(alarm.parameters)),
                data_version=version[:120],
                sentence=alert_sentence(
                    ward_names=names,
                    category=alarm.category,
                    observed=float(alarm.observed),
                    expected=float(alarm.expected),
                    threshold=float(alarm.threshold),
                    weeks=int(alarm.parameters.get("window_weeks", 1) or 1),
                )[:400],
            )
            alert.wards.set([by_code[c] for c in codes])
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=alert,
                changes={
                    "sentence": alert.sentence,
                    "method": alert.method,
                    "data_version": version,
                },
                via=via,
            )
        created.append(alert)
    if created and tension_settings.email_officers:
        alerts_email(alerts=created)
    return created


def alerts_email(*, alerts: list[Alert]) -> int:
    """Email every active officer with an address about new alerts. Returns how many were sent."""
    recipients = sorted(
        set(
            User.objects.filter(is_active=True, role__in=[Role.OFFICER])
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not recipients:
        return 0
    site = getattr(settings, "COHESION_SITE_URL", "")
    lines = [f"- {a.sentence}" for a in alerts]
    body = (
        f"The early warning found {len(alerts)} new unusual rise{'s' if len(alerts) != 1 else ''} "
        "in tension reports:\n\n" + "\n".join(lines) + "\n\nSee the alerts and record what you do: "
        f"{site}{reverse('tensions:alert_list')}\n"
    )
    subject = (
        f"Tension alert: {alerts[0].sentence}"[:150]
        if len(alerts) == 1
        else f"{len(alerts)} new tension alerts"
    )
    return send_mail(subject, body, None, recipients)


def _alert_update(*, alert: Alert, actor: User, fields: dict[str, Any], via: str) -> Alert:
    record_fields_update(obj=alert, fields=fields, actor=actor, via=via)
    return alert


class AlertError(ValueError):
    pass


def alert_acknowledge(*, alert: Alert, actor: User, via: str = "web") -> Alert:
    if alert.status != Alert.Status.OPEN:
        raise AlertError("This alert has already been acknowledged")
    return _alert_update(
        alert=alert,
        actor=actor,
        fields={
            "status": Alert.Status.ACKNOWLEDGED,
            "acknowledged_by": actor,
            "acknowledged_at": timezone.now(),
        },
        via=via,
    )


def alert_record_action(*, alert: Alert, actor: User, action_taken: str, via: str = "web") -> Alert:
    text = (action_taken or "").strip()
    if not text:
        raise AlertError("Say what action was taken")
    if alert.status == Alert.Status.CLOSED:
        raise AlertError("This alert is closed")
    fields: dict[str, Any] = {"action_taken": text}
    if alert.status == Alert.Status.OPEN:
        fields.update(
            status=Alert.Status.ACKNOWLEDGED, acknowledged_by=actor, acknowledged_at=timezone.now()
        )
    return _alert_update(alert=alert, actor=actor, fields=fields, via=via)


def alert_close(*, alert: Alert, actor: User, via: str = "web") -> Alert:
    if alert.status == Alert.Status.CLOSED:
        raise AlertError("This alert is already closed")
    if not alert.action_taken.strip():
        raise AlertError("Record the action taken before you close the alert")
    fields: dict[str, Any] = {
        "status": Alert.Status.CLOSED,
        "closed_by": actor,
        "closed_at": timezone.now(),
    }
    if alert.acknowledged_at is None:
        fields.update(acknowledged_by=actor, acknowledged_at=timezone.now())
    return _alert_update(alert=alert, actor=actor, fields=fields, via=via)


# ---------------------------------------------------------------------------------------------
# Weekly ward levels


def ward_level_set(
    *, ward: Ward, week: date, level: int, reason: str, actor: User, via: str = "web"
) -> WardTensionLevel:
    """Set (or change) a ward's tension level for the week holding ``week``."""
    if level not in WardTensionLevel.Level.values:
        raise ValueError("The level must be from 1 (normal) to 5 (critical)")
    if not reason.strip():
        raise ValueError("Give the reason for the level")
    monday = week_start(week)
    with transaction.atomic():
        existing = (
            WardTensionLevel.objects.select_for_update()
            .filter(ward=ward, week_start=monday)
            .first()
        )
        if existing is None:
            record = WardTensionLevel.objects.create(
                ward=ward, week_start=monday, level=level, reason=reason.strip(), set_by=actor
            )
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=record,
                changes=snapshot(record),
                via=via,
            )
            return record
        record_fields_update(
            obj=existing,
            fields={
                "level": level,
                "reason": reason.strip(),
                "set_by": actor,
                "set_at": timezone.now(),
            },
            actor=actor,
            via=via,
        )
        return existing


# ---------------------------------------------------------------------------------------------
# Retention

REDACTED_TEXT = "Removed at the end of the retention period"


def reports_redact(
    *, today: date | None = None, days: int | None = None, via: str = "command"
) -> int:
    """Remove personal details (and the place) from reports older than the retention period.

    The report itself stays, with its ward, week, category and impact, so every count and every
    alert's statistics are unchanged. Reports flagged as holding personal details also lose the
    free-text description. Returns how many reports were redacted.
    """
    today = today or timezone.localdate()
    days = days if days is not None else TensionSettings.current().retention_days
    cutoff = today - timedelta(days=days)
    old = TensionReport.objects.filter(redacted_at__isnull=True, occurred_on__lt=cutoff)
    ids = list(old.values_list("pk", flat=True))
    if not ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        TensionReport.objects.filter(pk__in=ids, has_personal_details=True).update(
            summary=REDACTED_TEXT
        )
        TensionReport.objects.filter(pk__in=ids).update(
            personal_details="", postcode="", latitude=None, longitude=None, redacted_at=now
        )
        audit_record(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            object_type="tensions.tensionreport",
            object_repr=f"Personal details removed from {len(ids)} tension reports older than {cutoff}",
            changes={"redacted": len(ids), "older_than": cutoff.isoformat(), "ids": ids[:1000]},
            via=via,
        )
    return len(ids)
