"""Writes for the Citizens' Assembly's civic lottery: the officer's side and residents' registration.

Every write goes through a function here and is audited with ``audit_record``. The selection
engine (``cohesion.assembly.selection``) is pure Python; it is imported inside the functions that
use it, because it is slow to import and only the selection task and the quotas page need it.
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import logging
import math
import platform
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, cast

import numpy as np
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from cohesion.core.audit import audit_record, diff, snapshot
from cohesion.core.jobs import job_fail, job_fails_with, job_finish, job_progress
from cohesion.core.models import AuditEvent, Job, User, Ward
from cohesion.core.services import record_create as record_create
from cohesion.core.services import record_delete as record_delete
from cohesion.core.services import record_update as record_update
from cohesion.strategy.services import ImportFileError

from . import draw as address_draw
from .models import (
    Address,
    Assembly,
    Invitation,
    InvitationDraw,
    Question,
    Quota,
    SelectionRun,
    Volunteer,
)

logger = logging.getLogger(__name__)


class AssemblyError(ValueError):
    """Something the officer or resident asked for cannot be done; the message says what to fix."""


# ---------------------------------------------------------------------------------------------
# Versions, for the records that let a later audit repeat a draw or a selection


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    return {
        "cohesion": _version("cohesion"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "highspy": _version("highspy"),
    }


# ---------------------------------------------------------------------------------------------
# Assemblies and their questions

AGE_BANDS = ["16 to 24", "25 to 34", "35 to 44", "45 to 54", "55 to 64", "65 to 74", "75 or over"]
GENDERS = ["Woman", "Man", "In another way"]
ETHNIC_GROUPS = [  # the ONS 5 high-level groups (Census 2021)
    "Asian, Asian British or Asian Welsh",
    "Black, Black British, Black Welsh, Caribbean or African",
    "Mixed or Multiple ethnic groups",
    "White",
    "Other ethnic group",
]
DISABILITY = ["Yes, a lot", "Yes, a little", "No"]
TENURE = [
    "I own my home (outright or with a mortgage)",
    "I rent from the council or a housing association",
    "I rent from a private landlord",
    "I live rent-free or something else",
]
QUALIFICATIONS = [
    "No qualifications",
    "GCSEs or similar (level 1 or 2)",
    "Apprenticeship",
    "A levels or similar (level 3)",
    "Degree or higher (level 4 or above)",
    "Other qualifications",
]
TRUST = ["A lot", "A little", "Not very much", "Not at all"]


def default_questions(*, wards: Sequence[str]) -> list[tuple[str, str, list[str]]]:
    """The questions a new assembly starts with: (key, label, options)."""
    return [
        ("age_band", "How old are you?", AGE_BANDS),
        ("gender", "What is your gender?", GENDERS),
        ("ethnicity", "What is your ethnic group?", ETHNIC_GROUPS),
        (
            "disability",
            "Does a health problem or disability that has lasted, or will last, 12 months or more stop you doing day-to-day things?",
            DISABILITY,
        ),
        ("ward", "Which ward do you live in?", list(wards)),
        ("housing_tenure", "Do you own or rent your home?", TENURE),
        ("qualification", "What is your highest qualification?", QUALIFICATIONS),
        ("trust", "How much do you trust the council to listen?", TRUST),
    ]


def assembly_create(*, assembly: Assembly, actor: User | None, via: str = "web") -> Assembly:
    """Save a new assembly with the default questions, all audited."""
    with transaction.atomic():
        record_create(obj=assembly, actor=actor, via=via)
        wards = [w.name for w in Ward.objects.order_by("name")]
        for order, (key, label, options) in enumerate(default_questions(wards=wards), start=1):
            if not options:
                continue  # no wards loaded yet: the officer can add the ward question later
            record_create(obj=Question(assembly=assembly, key=key, label=label, options=options, order=order), actor=actor, via=via)
    return assembly


def question_delete(*, question: Question, actor: User | None) -> None:
    """Delete a question and its quotas (the quotas only make sense with the question)."""
    with transaction.atomic():
        for quota in Quota.objects.filter(assembly=question.assembly, category=question.key):
            record_delete(obj=quota, actor=actor)
        record_delete(obj=question, actor=actor)


def stage_set(*, assembly: Assembly, stage: str, actor: User | None, via: str = "web") -> None:
    """Move the assembly on to the next stage, audited."""
    before = assembly.stage
    if before == stage:
        return
    assembly.stage = stage
    assembly.save(update_fields=["stage"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=assembly, changes={"stage": [before, stage]}, via=via)


def registration_open(*, assembly: Assembly, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    if assembly.stage not in (Assembly.Stage.INVITING, Assembly.Stage.REGISTERING):
        return False
    return assembly.registration_closes_on is None or today <= assembly.registration_closes_on


def contact_deletion_date(*, assembly: Assembly) -> date | None:
    if assembly.ends_on is None:
        return None
    return assembly.ends_on + timedelta(days=assembly.contact_retention_days)


def consent_text(*, assembly: Assembly) -> str:
    """What the resident agrees to: what is kept, who sees it, and when it is deleted."""
    deletion = contact_deletion_date(assembly=assembly)
    when = f"on {deletion.day} {deletion:%B %Y}" if deletion else f"{assembly.contact_retention_days} days after the assembly ends"
    return (
        "We keep your name, email and phone number only to contact you about the assembly. Only the council "
        f"officers running the assembly can see them. We delete them {when}. Your answers about you are kept "
        "without your name, so anyone can check that the members were chosen fairly."
    )


# ---------------------------------------------------------------------------------------------
# The address list (CSV import)

ADDRESS_COLUMNS = ["uprn", "address", "postcode", "ward"]
UPRN_RE = re.compile(r"^[0-9]{1,12}$")
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


class RowError(ValueError):
    """One row of a file cannot be saved; the message says why."""


@dataclass
class AddressImportOutcome:
    saved: int = 0
    total: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def _header(text: str) -> list[str]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ImportFileError("The file is empty: it needs a first row with the column names and then one row for each address") from exc
    except csv.Error as exc:
        raise ImportFileError(f"The file could not be read as CSV: {exc}") from exc
    return [h.strip().lower().lstrip("\ufeff") for h in header]


def address_text_check(*, text: str) -> tuple[list[str], list[str]]:
    """Check the file as a whole. Returns the header and the columns we will ignore."""
    if "\x00" in text[:4096]:
        raise ImportFileError("The file is not a CSV file: save it from your spreadsheet as “CSV UTF-8” and try again")
    header = _header(text)
    missing = [c for c in ADDRESS_COLUMNS if c not in header]
    if missing:
        raise ImportFileError(
            "The first row of the file is wrong: it has no column called "
            + ", ".join(f"“{c}”" for c in missing)
            + ". The first row must name the columns uprn, address, postcode and ward"
        )
    if len(header) != len(set(header)):
        raise ImportFileError("The first row names the same column twice")
    ignored = [h[:40] for h in header if h and h not in ADDRESS_COLUMNS]
    return header, ignored


def postcode_normalise(text: str) -> str:
    compact = re.sub(r"\s+", "", text).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def addresses_import(*, assembly: Assembly, text: str, actor: User | None, filename: str = "") -> AddressImportOutcome:
    """Save every good address; report every bad row with its line number and the reason.

    Rows are all checked first (one query for the addresses already saved), then the good ones
    are saved together. Addresses already saved are never changed.
    """
    _, ignored = address_text_check(text=text)
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [h.strip().lower().lstrip("\ufeff") for h in (reader.fieldnames or [])]
    wards_by_code = {w.code.upper(): w for w in Ward.objects.all()}
    wards_by_name = {w.name.strip().lower(): w for w in wards_by_code.values()}
    saved_uprns = set(Address.objects.filter(assembly=assembly).values_list("uprn", flat=True))
    outcome = AddressImportOutcome(ignored_columns=ignored)
    seen: dict[str, int] = {}
    good: list[tuple[int, Address]] = []
    for index, row in enumerate(reader):
        line = index + 2  # the first row holds the column names
        if None in row:
            outcome.total += 1
            outcome.rejected.append({"line": line, "reason": "This row has more cells than the first row has columns"})
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        outcome.total += 1
        try:
            uprn = (row.get("uprn") or "").strip()
            address = " ".join((row.get("address") or "").split())
            postcode_text = (row.get("postcode") or "").strip()
            ward_text = (row.get("ward") or "").strip()
            empty = [name for name, value in (("uprn", uprn), ("address", address), ("postcode", postcode_text), ("ward", ward_text)) if not value]
            if empty:
                raise RowError("The " + " and ".join(empty) + (" are" if len(empty) > 1 else " is") + " empty")
            if not UPRN_RE.fullmatch(uprn):
                raise RowError(f"The uprn “{uprn[:30]}” must be a number of up to 12 digits")
            if len(address) > 300:
                raise RowError("The address is longer than 300 characters")
            postcode = postcode_normalise(postcode_text)
            if not POSTCODE_RE.fullmatch(postcode):
                raise RowError(f"“{postcode_text[:20]}” is not a UK postcode")
            ward = wards_by_code.get(ward_text.upper()) or wards_by_name.get(ward_text.lower())
            if ward is None:
                raise RowError(f"There is no ward called “{ward_text[:60]}”: use the ward’s ONS code (like E05008714) or its exact name")
            if uprn in seen:
                raise RowError(f"This row repeats the uprn {uprn} from line {seen[uprn]}")
            if uprn in saved_uprns:
                raise RowError(f"The address with uprn {uprn} is already saved")
            seen[uprn] = line
            good.append((line, Address(assembly=assembly, uprn=uprn, address=address, postcode=postcode, ward=ward)))
        except RowError as exc:
            outcome.rejected.append({"line": line, "reason": str(exc)})
    try:
        with transaction.atomic():
            Address.objects.bulk_create([a for _, a in good], batch_size=2000)
        outcome.saved = len(good)
    except IntegrityError:
        # Someone saved some of the same addresses at the same moment: save row by row instead.
        for line, address_obj in good:
            address_obj.pk = None
            try:
                with transaction.atomic():
                    address_obj.save()
                outcome.saved += 1
            except IntegrityError:
                outcome.rejected.append({"line": line, "reason": f"The address with uprn {address_obj.uprn} is already saved"})
    outcome.rejected.sort(key=lambda item: item["line"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        obj=assembly,
        changes={"addresses_saved": outcome.saved, "rows_rejected": len(outcome.rejected), "file": filename[:200]},
    )
    return outcome


# ---------------------------------------------------------------------------------------------
# Invitation codes

# Crockford's base 32: digits and capital letters without I, L, O and U. When a resident types a
# code we read O as 0 and I or L as 1, so the letters people confuse most cannot make a code fail.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
CODE_UNKNOWN = "We cannot find that code. Check the letter and type it again"
CODE_USED = "This code has already been used. Each letter can be used once."


def code_new() -> str:
    """A new random code, like 7K3Q-M9TX (8 characters, 40 random bits, from ``secrets``)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def code_normalise(text: str) -> str:
    """The code as it is stored: capitals, no spaces, O read as 0 and I/L as 1, XXXX-XXXX."""
    compact = re.sub(r"[\s\-‐‑‒–—_.]", "", text or "").upper().translate(_CONFUSABLE)
    if len(compact) == CODE_LENGTH:
        return f"{compact[:4]}-{compact[4:]}"
    return compact


def codes_new(count: int) -> list[str]:
    """``count`` codes no invitation has yet (collisions are checked against the database)."""
    made: set[str] = set()
    while len(made) < count:
        batch = {code_new() for _ in range(count - len(made))} - made
        taken = set(Invitation.objects.filter(code__in=batch).values_list("code", flat=True))
        made |= batch - taken
    return sorted(made, key=lambda _: secrets.randbits(32))


def invitation_find(*, assembly: Assembly, text: str) -> Invitation:
    """The unused invitation with this code, or AssemblyError with the message to show."""
    code = code_normalise(text)
    if not code:
        raise AssemblyError("Enter the code from your letter")
    invitation = Invitation.objects.filter(assembly=assembly, code=code).select_related("address").first()
    if invitation is None:
        raise AssemblyError(CODE_UNKNOWN)
    if invitation.used_at is not None:
        raise AssemblyError(CODE_USED)
    return invitation


# ---------------------------------------------------------------------------------------------
# The invitation draw


def invitations_draw(
    *,
    assembly: Assembly,
    n: int,
    seed: int,
    boost_factor: float,
    boosted_wards: Sequence[Ward],
    actor: User | None,
) -> InvitationDraw:
    """Draw ``n`` addresses not invited before, in proportion to ward population, and give each a code."""
    rows = list(
        Address.objects.filter(assembly=assembly, invitations__isnull=True)
        .values_list("pk", "uprn", "ward__code")
        .order_by()
    )
    by_ward: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for pk, uprn, code in rows:
        by_ward[code].append((uprn, pk))
    if not rows:
        raise AssemblyError("There are no addresses left to invite: import the address list first")
    wards = {w.code: w for w in Ward.objects.filter(code__in=by_ward)}
    no_population = sorted(w.name for w in wards.values() if w.population is None)
    if no_population:
        raise AssemblyError(
            "We do not know how many people live in " + ", ".join(no_population)
            + ". Add the wards’ populations in the admin pages, then draw again"
        )
    if n > len(rows):
        raise AssemblyError(f"There are only {len(rows):,} addresses that have not had a letter: ask for {len(rows):,} letters or fewer")
    boost = {w.code: float(boost_factor) for w in boosted_wards if boost_factor != 1.0}
    populations = {code: int(w.population or 0) for code, w in wards.items()}
    try:
        counts = address_draw.allocate(available={c: len(v) for c, v in by_ward.items()}, populations=populations, n=n, boost=boost)
        drawn_ids = address_draw.draw_addresses(addresses_by_ward=by_ward, populations=populations, n=n, seed=seed, boost=boost)
    except address_draw.DrawError as exc:
        raise AssemblyError(str(exc)) from exc
    uprn_of = {pk: uprn for pk, uprn, _ in rows}
    record = {
        "inputs": {
            "letters": n,
            "seed": seed,
            "boost": boost,
            "wards": [
                {
                    "code": code,
                    "name": wards[code].name,
                    "population": populations[code],
                    "addresses_available": len(by_ward[code]),
                    "boost": boost.get(code, 1.0),
                    "letters": counts[code],
                }
                for code in sorted(by_ward)
            ],
            "addresses_already_invited": Address.objects.filter(assembly=assembly, invitations__isnull=False).count(),
        },
        "algorithm": address_draw.ALGORITHM,
        "versions": versions(),
        "result": {"uprns": [uprn_of[pk] for pk in drawn_ids]},
    }
    try:
        with transaction.atomic():
            draw = InvitationDraw.objects.create(
                assembly=assembly,
                seed=seed,
                invitations_requested=n,
                deprivation_boost=boost_factor,
                record=record,
                drawn_by=actor if actor and actor.is_authenticated else None,
            )
            draw.boosted_wards.set(boosted_wards)
            codes = codes_new(len(drawn_ids))
            Invitation.objects.bulk_create(
                [Invitation(assembly=assembly, draw=draw, address_id=pk, code=code) for pk, code in zip(drawn_ids, codes, strict=True)],
                batch_size=2000,
            )
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=draw,
                changes={"letters": n, "seed": seed, "boost": boost, "letters_per_ward": {c: k for c, k in counts.items() if k}},
            )
            if assembly.stage == Assembly.Stage.PLANNING:
                stage_set(assembly=assembly, stage=Assembly.Stage.INVITING, actor=actor)
    except IntegrityError as exc:
        raise AssemblyError("Another draw was being made at the same moment. Look at the draws, then try again") from exc
    return draw


def draw_codes_rows(*, draw: InvitationDraw) -> Iterable[list[str]]:
    """Rows of the CSV for the print house: one per letter."""
    yield ["code", "uprn", "address", "postcode", "ward"]
    for inv in draw.invitations.select_related("address__ward").order_by("address__ward__name", "address__uprn"):
        yield [inv.code, inv.address.uprn, inv.address.address, inv.address.postcode, inv.address.ward.name]


# ---------------------------------------------------------------------------------------------
# The letters (PDF mail merge, made by a background task)

LETTERS_PER_CHUNK = 50


def letters_pdf_bytes(*, draw: InvitationDraw, register_url: str, on_progress: Callable[[int, int], None] | None = None) -> bytes:
    from django.template.loader import render_to_string
    from weasyprint import HTML  # imported here: it is slow to import and only the task needs it

    from cohesion.strategy.reports import _static_fetcher

    assembly = draw.assembly
    invitations = list(draw.invitations.select_related("address").order_by("address__postcode", "address__uprn"))
    chunks = [invitations[i : i + LETTERS_PER_CHUNK] for i in range(0, len(invitations), LETTERS_PER_CHUNK)] or [[]]
    documents = []
    for number, chunk in enumerate(chunks):
        if on_progress:
            on_progress(number, len(chunks))
        letters = [{"code": inv.code, "lines": [part.strip() for part in inv.address.address.split(",") if part.strip()] + [inv.address.postcode]} for inv in chunk]
        html = render_to_string(
            "assembly/letters_pdf.html",
            {"assembly": assembly, "letters": letters, "register_url": register_url, "today": timezone.localdate()},
        )
        documents.append(HTML(string=html, base_url="http://localhost/", url_fetcher=_static_fetcher()).render())
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def letters_pdf_run(*, job_id: str, draw_id: int, register_url: str) -> None:
    draw = InvitationDraw.objects.select_related("assembly").get(pk=draw_id)
    job = Job.objects.get(pk=job_id)

    def on_progress(done: int, total: int) -> None:
        job_progress(job_id=job_id, done=done, total=total + 1, message=f"Made {done * LETTERS_PER_CHUNK:,} of {draw.invitations.count():,} letters")

    with job_fails_with(job_id=job_id, message="The letters could not be made. Try again; if it fails again, tell the platform admin."):
        pdf = letters_pdf_bytes(draw=draw, register_url=register_url, on_progress=on_progress)
        draw.letters_pdf = pdf
        draw.letters_made_at = timezone.now()
        draw.save(update_fields=["letters_pdf", "letters_made_at"])
        audit_record(actor=job.started_by, action=AuditEvent.Action.UPDATE, obj=draw, changes={"letters_pdf": "made"}, via="task")
    job_finish(job_id=job_id, result={"draw_id": draw.pk}, message="The letters are ready")


# ---------------------------------------------------------------------------------------------
# Registration


def _next_label(assembly: Assembly) -> str:
    numbers = [int(label[1:]) for label in Volunteer.objects.filter(assembly=assembly).values_list("label", flat=True) if label[1:].isdigit()]
    return f"V{max(numbers, default=0) + 1:04d}"


def volunteer_register(
    *,
    invitation: Invitation,
    full_name: str,
    email: str,
    phone: str,
    answers: Mapping[str, str],
    entered_by: User | None = None,
    request: HttpRequest | None = None,
) -> Volunteer:
    """Register the resident who has this invitation. One registration per code."""
    now = timezone.now()
    if not (email.strip() or phone.strip()):
        raise AssemblyError("Enter an email address or a phone number, so we can contact you")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                if not Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now):
                    raise AssemblyError(CODE_USED)
                volunteer = Volunteer.objects.create(
                    assembly_id=invitation.assembly_id,
                    invitation=invitation,
                    label=_next_label(invitation.assembly),
                    full_name=full_name.strip(),
                    email=email.strip(),
                    phone=phone.strip(),
                    answers=dict(answers),
                    consent_at=now,
                    entered_by=entered_by,
                )
                audit_record(
                    actor=entered_by,
                    action=AuditEvent.Action.CREATE,
                    obj=volunteer,
                    # Never the contact details: the audit log is kept longer than they are.
                    changes={"label": volunteer.label, "invitation": invitation.code, "paper_form": entered_by is not None},
                    via="web",
                    request=request,
                )
        except IntegrityError:
            continue  # two registrations took the same label at once: take the next one
        invitation.used_at = now
        return volunteer
    raise AssemblyError("We could not save your details. Please try again")


def volunteer_withdraw(*, volunteer: Volunteer, actor: User | None) -> None:
    before = snapshot(volunteer, exclude=["full_name", "email", "phone", "answers"])
    volunteer.status = Volunteer.Status.WITHDRAWN
    volunteer.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=volunteer, changes=diff(before, snapshot(volunteer, exclude=["full_name", "email", "phone", "answers"])))


def contact_details_view(*, assembly: Assembly, actor: User, count: int, request: HttpRequest | None = None) -> None:
    """Record that an officer looked at volunteers' contact details."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        obj=assembly,
        object_repr=f"Volunteers’ contact details: {assembly.name}",
        changes={"volunteers_shown": count},
        request=request,
    )


def contact_details_delete(*, today: date | None = None, actor: User | None = None, via: str = "task") -> int:
    """Blank the contact details of volunteers of every assembly past its deletion date.

    Keeps the anonymous label, the answers and the selection records. Returns how many volunteers
    had their details deleted.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    total = 0
    for assembly in Assembly.objects.filter(ends_on__isnull=False):
        deletion = contact_deletion_date(assembly=assembly)
        if deletion is None or today < deletion:
            continue
        with transaction.atomic():
            count = Volunteer.objects.filter(assembly=assembly, contact_deleted_at__isnull=True).update(
                full_name="", email="", phone="", contact_deleted_at=now
            )
            letters = InvitationDraw.objects.filter(assembly=assembly, letters_pdf__isnull=False).update(letters_pdf=None)
            if count or letters:
                audit_record(
                    actor=actor,
                    action=AuditEvent.Action.UPDATE,
                    obj=assembly,
                    changes={"contact_details_deleted": count, "letter_files_deleted": letters, "deletion_date": deletion.isoformat()},
                    via=via,
                )
        total += count
    return total


# ---------------------------------------------------------------------------------------------
# Quotas


def quota_suggest(*, share: float, panel_size: int, slack: int = 1) -> tuple[int, int]:
    """min = floor(share x k) - slack (at least 0), max = ceil(share x k) + slack (at most k)."""
    expected = share * panel_size
    low = math.floor(expected + 1e-9)
    high = math.ceil(expected - 1e-9)
    return max(0, low - slack), min(panel_size, high + slack)


@dataclass(frozen=True)
class QuotaInput:
    category: str
    value: str
    min: int
    max: int
    population_share: float | None = None


def quotas_save(*, assembly: Assembly, quotas: Sequence[QuotaInput], actor: User | None) -> None:
    """Make the assembly's quotas exactly these (checked by the form first), audited one by one."""
    wanted = {(q.category, q.value): q for q in quotas}
    with transaction.atomic():
        existing = {(q.category, q.value): q for q in Quota.objects.filter(assembly=assembly)}
        for key, old in existing.items():
            if key not in wanted:
                record_delete(obj=old, actor=actor)
        for key, item in wanted.items():
            quota = existing.get(key)
            if quota is None:
                record_create(
                    obj=Quota(assembly=assembly, category=item.category, value=item.value, min=item.min, max=item.max, population_share=item.population_share),
                    actor=actor,
                )
                continue
            before = snapshot(quota)
            quota.min, quota.max, quota.population_share = item.min, item.max, item.population_share
            record_update(obj=quota, before=before, actor=actor)


# ---------------------------------------------------------------------------------------------
# The selection instance: who is in the pool, with which answers


@dataclass
class Pool:
    """The instance for the engine and what the record needs to repeat it (no personal data)."""

    instance: Any
    labels: list[str]
    volunteers: list[dict[str, Any]]  # label, anonymous household, features
    quotas: list[dict[str, Any]]


def pool_volunteers(*, assembly: Assembly) -> models.QuerySet[Volunteer]:
    return (
        Volunteer.objects.filter(assembly=assembly, status__in=[Volunteer.Status.REGISTERED, Volunteer.Status.SELECTED])
        .select_related("invitation__address")
        .order_by("label")
    )


def pool_build(*, assembly: Assembly, keep: Iterable[str] = ()) -> Pool:
    """The selection instance from the volunteers and the quotas, or AssemblyError saying what to fix."""
    from cohesion.assembly.selection.model import Instance, InstanceError, Person
    from cohesion.assembly.selection.model import Quota as EngineQuota

    quotas = list(Quota.objects.filter(assembly=assembly).order_by("category", "value"))
    if not quotas:
        raise AssemblyError("Set the quotas first")
    questions = {q.key: q.label for q in Question.objects.filter(assembly=assembly)}
    categories = list(dict.fromkeys(q.category for q in quotas))
    values = {c: {q.value for q in quotas if q.category == c} for c in categories}
    volunteers = list(pool_volunteers(assembly=assembly))
    k = assembly.panel_size
    if len(volunteers) < k:
        raise AssemblyError(
            f"The panel needs {k} people but only {len(volunteers)} volunteer{'s are' if len(volunteers) != 1 else ' is'} "
            "in the pool. Wait for more registrations, send more letters, or make the panel smaller"
        )
    problems: list[str] = []
    for category in categories:
        label = questions.get(category, category)
        missing = [v.label for v in volunteers if not v.answers.get(category)]
        unknown: dict[str, list[str]] = defaultdict(list)
        for v in volunteers:
            answer = v.answers.get(category)
            if answer and answer not in values[category]:
                unknown[answer].append(v.label)
        if missing:
            problems.append(f"{len(missing)} volunteer{'s have' if len(missing) != 1 else ' has'} not answered “{label}” ({_labels(missing)}): enter their answers, or take the quotas for this question away")
        for answer, labels in sorted(unknown.items()):
            problems.append(f"{len(labels)} volunteer{'s' if len(labels) != 1 else ''} answered “{answer}” to “{label}” ({_labels(labels)}), but there is no quota for that answer: add one")
    if problems:
        raise AssemblyError(". ".join(problems))
    households: dict[str, str] = {}
    people = []
    records = []
    for v in volunteers:
        uprn = v.invitation.address.uprn
        households.setdefault(uprn, f"H{len(households) + 1:04d}")
        features = {c: v.answers[c] for c in categories}
        people.append(Person(id=v.label, features=features, household=uprn))
        records.append({"label": v.label, "household": households[uprn], "features": features})
    engine_quotas = [EngineQuota(category=q.category, value=q.value, min=q.min, max=q.max) for q in quotas]
    try:
        instance = Instance(people=tuple(people), quotas=tuple(engine_quotas), panel_size=k, keep=frozenset(keep))
    except InstanceError as exc:
        raise AssemblyError(" ".join(exc.problems)) from exc
    return Pool(
        instance=instance,
        labels=[v.label for v in volunteers],
        volunteers=records,
        quotas=[{"category": q.category, "value": q.value, "min": q.min, "max": q.max} for q in quotas],
    )


def _labels(labels: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


@dataclass
class Feasibility:
    feasible: bool
    problems: list[str] = field(default_factory=list)
    relaxation: list[Any] = field(default_factory=list)  # QuotaChange from the engine


def feasibility_check(*, assembly: Assembly) -> Feasibility:
    """Can the saved quotas be met by the volunteers we have now?"""
    try:
        pool = pool_build(assembly=assembly)
    except AssemblyError as exc:
        return Feasibility(feasible=False, problems=[str(exc)])
    from cohesion.assembly.selection.feasibility import check_feasibility

    report = check_feasibility(instance=pool.instance)
    return Feasibility(feasible=report.feasible, problems=list(report.problems), relaxation=list(report.relaxation))


def quotas_relax(*, assembly: Assembly, actor: User | None) -> int:
    """Apply the smallest relaxation the feasibility check proposes (worked out again, now)."""
    result = feasibility_check(assembly=assembly)
    if result.feasible or not result.relaxation:
        return 0
    with transaction.atomic():
        for change in result.relaxation:
            quota = Quota.objects.get(assembly=assembly, category=change.category, value=change.value)
            before = snapshot(quota)
            quota.min, quota.max = max(0, change.new_min), change.new_max
            record_update(obj=quota, before=before, actor=actor)
    return len(result.relaxation)


# ---------------------------------------------------------------------------------------------
# The selection run, the published fingerprint and the draw

METHODS = ("leximin", "maximin", "nash")


def selection_start(*, assembly: Assembly, method: str, lottery_size: int, keep: Sequence[str], actor: User) -> SelectionRun:
    """Check that a selection can run, then save the run and queue its task after the commit."""
    from cohesion.core.jobs import job_create, job_enqueue

    from .tasks import selection_run_task

    if method not in METHODS:
        raise AssemblyError("Choose how to share out the chances")
    running = SelectionRun.objects.filter(assembly=assembly, job__status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    if running.exists():
        raise AssemblyError("A selection is already running for this assembly: wait for it to finish")
    kept = list(Volunteer.objects.filter(assembly=assembly, label__in=keep))
    if len(kept) != len(set(keep)):
        raise AssemblyError("Some of the volunteers to keep are not in this assembly")
    pool_build(assembly=assembly, keep=[v.label for v in kept])  # refuse at once if the pool cannot be used
    with transaction.atomic():
        job = job_create(kind="assembly_selection", title=f"Choosing the members of {assembly.name}", started_by=actor, total=100)
        run = SelectionRun.objects.create(assembly=assembly, method=method, lottery_size=lottery_size, job=job, started_by=actor)
        run.kept.set(kept)
        audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=run, changes={"method": method, "lottery_size": lottery_size, "kept": sorted(keep)})
        if assembly.stage in (Assembly.Stage.PLANNING, Assembly.Stage.INVITING, Assembly.Stage.REGISTERING):
            stage_set(assembly=assembly, stage=Assembly.Stage.SELECTING, actor=actor)
        job_enqueue(job=job, task=selection_run_task, run_id=run.pk)
    return run


def selection_run_now(*, assembly: Assembly, method: str, lottery_size: int, keep: Sequence[str], actor: User | None) -> SelectionRun:
    """Run a selection at once, without the task queue (for the demo and commands)."""
    from cohesion.core.jobs import job_create

    pool_build(assembly=assembly, keep=keep)
    job = job_create(kind="assembly_selection", title=f"Choosing the members of {assembly.name}", started_by=actor, total=100)
    run = SelectionRun.objects.create(assembly=assembly, method=method, lottery_size=lottery_size, job=job, started_by=actor)
    run.kept.set(Volunteer.objects.filter(assembly=assembly, label__in=keep))
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=run, changes={"method": method, "lottery_size": lottery_size, "kept": sorted(keep)}, via="command")
    selection_run_execute(job_id=str(job.pk), run_id=run.pk)
    run.refresh_from_db()
    return run


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v)))


class SelectionCheckError(RuntimeError):
    """The independent checker found a problem with the distribution: nothing is published."""


def selection_run_execute(*, job_id: str, run_id: int) -> None:
    """The body of the selection task: pool, distribution, check, lottery, file and fingerprint."""
    run = SelectionRun.objects.select_related("assembly").get(pk=run_id)
    try:
        _selection_run(job_id=job_id, run=run)
    except AssemblyError as exc:
        job_fail(job_id=job_id, message=str(exc))
    except SelectionCheckError as exc:
        job_fail(job_id=job_id, message=str(exc))
        logger.error("Selection run %s failed its independent check: %s", run.pk, exc)
        raise
    except Exception as exc:
        from cohesion.assembly.selection.model import InfeasibleError

        if isinstance(exc, InfeasibleError):
            job_fail(job_id=job_id, message="The quotas cannot be met: " + str(exc)[:250])
            return
        job_fail(job_id=job_id, message="The selection stopped because of an error. Nothing was published; the platform admin has been told.")
        raise


def _selection_run(*, job_id: str, run: SelectionRun) -> None:
    from cohesion.assembly.selection.check import check_distribution
    from cohesion.assembly.selection.engine import find_distribution
    from cohesion.assembly.selection.lottery import (
        anonymised_lottery_file,
        fingerprint,
        round_to_lottery,
    )

    assembly = run.assembly
    started = timezone.now()
    job_progress(job_id=job_id, done=1, total=100, message="Reading the volunteers and the quotas")
    kept = sorted(run.kept.values_list("label", flat=True))
    pool = pool_build(assembly=assembly, keep=kept)
    last = {"done": -1, "message": ""}

    def progress(message: str, fraction: float) -> None:
        done = 5 + int(80 * min(max(float(fraction), 0.0), 1.0))
        if done != last["done"] or message != last["message"]:
            last["done"], last["message"] = done, message
            job_progress(job_id=job_id, done=done, total=100, message=message)

    method = cast(Literal["leximin", "maximin", "nash"], run.method)
    distribution = find_distribution(instance=pool.instance, method=method, progress=progress)
    job_progress(job_id=job_id, done=86, total=100, message="Checking every panel against every quota")
    problems = check_distribution(instance=pool.instance, distribution=distribution)
    if problems:
        run.record = {"check_problems": problems[:50]}
        run.save(update_fields=["record"])
        raise SelectionCheckError("The independent check found a problem, so nothing was published: " + problems[0])
    job_progress(job_id=job_id, done=90, total=100, message=f"Making a lottery of {run.lottery_size:,} panels")
    # With the instance the rounding works on groups of interchangeable volunteers and may swap
    # members inside a panel (each checked against every quota): that is what keeps the smallest
    # probability's loss under 1/m on tight LEXIMIN distributions.
    lottery = round_to_lottery(distribution=distribution, m=run.lottery_size, instance=pool.instance)
    meta = {
        "assembly": assembly.name,
        "run": run.pk,
        "method": run.method,
        "made_at": timezone.now().isoformat(timespec="seconds"),
        "panel_size": assembly.panel_size,
        "m": run.lottery_size,
        "versions": versions(),
    }
    data = anonymised_lottery_file(lottery=lottery, person_labels=pool.labels, meta=meta)
    index_of = {label: i for i, label in enumerate(pool.labels)}
    run.record = _json_safe({
        "inputs": {
            "volunteers": pool.volunteers,
            "quotas": pool.quotas,
            "panel_size": assembly.panel_size,
            "kept": kept,
            "method": run.method,
            "lottery_size": run.lottery_size,
        },
        "versions": versions(),
        "stats": {
            "distribution": dict(distribution.stats),
            "lottery": dict(lottery.stats),
            "lottery_min_loss": lottery.min_loss,
            "seconds": (timezone.now() - started).total_seconds(),
        },
        "distribution_marginals": {label: distribution.marginals[index_of[label]] for label in pool.labels},
        "people_order": pool.labels,
        "lottery_panels": [list(panel) for panel in lottery.panels],
    })
    run.marginals = {label: float(lottery.marginals[index_of[label]]) for label in pool.labels}
    run.lottery_file = data
    run.fingerprint = fingerprint(data)
    run.save(update_fields=["record", "marginals", "lottery_file", "fingerprint"])
    audit_record(actor=run.started_by, action=AuditEvent.Action.UPDATE, obj=run, changes={"fingerprint": run.fingerprint}, via="task")
    job_finish(job_id=job_id, result={"run_id": run.pk}, message="The lottery is ready: publish its fingerprint")


def fingerprint_publish(*, run: SelectionRun, actor: User | None) -> None:
    if not run.fingerprint or run.lottery_file is None:
        raise AssemblyError("This selection has not finished, so there is nothing to publish yet")
    now = timezone.now()
    if not SelectionRun.objects.filter(pk=run.pk, fingerprint_published_at__isnull=True).update(fingerprint_published_at=now):
        raise AssemblyError("The fingerprint of this lottery is already published")
    run.fingerprint_published_at = now
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=run, changes={"fingerprint_published_at": now.isoformat(), "fingerprint": run.fingerprint})


def panel_labels(*, run: SelectionRun, index: int) -> list[str]:
    order = run.record.get("people_order") or []
    panels = run.record.get("lottery_panels") or []
    return [order[i] for i in panels[index]]


def panel_draw(*, run: SelectionRun, public_random: str, actor: User | None) -> list[str]:
    """Pick the panel with the public random number, after the fingerprint was published. Once."""
    from cohesion.assembly.selection.lottery import draw_index, normalise_public_random

    if run.fingerprint_published_at is None:
        raise AssemblyError("Publish the fingerprint first: the random number must be announced after it")
    if run.drawn_panel is not None:
        raise AssemblyError("This lottery has already been drawn: a lottery can be drawn only once")
    try:
        normalise_public_random(public_random)
    except ValueError as exc:
        raise AssemblyError(str(exc)) from exc
    index = draw_index(fingerprint=run.fingerprint, public_random=public_random, m=len(run.record["lottery_panels"]))
    labels = panel_labels(run=run, index=index)
    now = timezone.now()
    with transaction.atomic():
        done = SelectionRun.objects.filter(pk=run.pk, drawn_panel__isnull=True, fingerprint_published_at__isnull=False).update(
            public_random=public_random.strip()[:200], drawn_panel=index, drawn_at=now
        )
        if not done:
            raise AssemblyError("This lottery has already been drawn: a lottery can be drawn only once")
        Volunteer.objects.filter(assembly=run.assembly, label__in=labels).exclude(status=Volunteer.Status.WITHDRAWN).update(status=Volunteer.Status.SELECTED)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=run,
            changes={"public_random": public_random.strip()[:200], "drawn_panel": index, "panel": labels},
        )
    run.public_random, run.drawn_panel, run.drawn_at = public_random.strip()[:200], index, now
    return labels


# ---------------------------------------------------------------------------------------------
# Small helpers the views use


def csv_safe(cell: Any) -> str:
    """Stop spreadsheet programs from running a cell as a formula."""
    text = "" if cell is None else str(cell)
    if text and text[0] in "=+-@\t\r":
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def answers_count(*, assembly: Assembly) -> dict[str, Counter[str]]:
    """How many volunteers in the pool gave each answer to each question."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for answers in pool_volunteers(assembly=assembly).values_list("answers", flat=True):
        for key, value in (answers or {}).items():
            counts[key][value] += 1
    return counts

