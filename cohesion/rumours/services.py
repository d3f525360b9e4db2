"""Writes of the rumour desk. Every write is audited; personal data is kept out of the audit log."""

from __future__ import annotations

import logging
import statistics
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify

from cohesion.core.audit import audit_record, client_ip, diff, snapshot
from cohesion.core.models import AuditEvent, Role, User, Ward
from cohesion.core.services import record_fields_update, record_update
from cohesion.strategy.models import Measure, Observation
from cohesion.strategy.periods import parse_period
from cohesion.strategy.services import (
    ObservationError,
    ObservationInput,
    measure_assess,
    observation_create,
)
from cohesion.text.language import LANGUAGE_NAMES

from . import matching, pictures, rules
from .models import Alert, Channel, Claim, Rebuttal, Sighting

logger = logging.getLogger(__name__)

TEXT_MAX = 5000
SCREENSHOT_MAX_BYTES = 5 * 1024 * 1024
DUPLICATE_DAYS = 30
PERSONAL_FIELDS = [
    "people_named",
    "reporter_name",
    "reporter_contact",
    "screenshot",
    "screenshot_type",
    "picture_hash",
]
# Magic bytes of the picture formats a phone saves a screenshot in.
IMAGE_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
PILLOW_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}


class RumourError(ValueError):
    """Something the person can fix; the message says what."""


class DuplicateReport(RumourError):
    def __init__(self, existing: Sighting) -> None:
        self.existing = existing
        super().__init__(
            f"This report has already been sent (report {existing.pk}, on {existing.created_at:%d %B %Y}). "
            "It has not been saved a second time"
        )


def retention_days() -> int:
    return int(getattr(settings, "COHESION_RUMOURS_RETENTION_DAYS", 365))


def _audit_snapshot(obj: Sighting) -> dict[str, Any]:
    # The language fields are kept out of forms (editable=False), so out of snapshot() too.
    return {
        **snapshot(obj, exclude=PERSONAL_FIELDS),
        "language": obj.language,
        "language_checked": obj.language_checked,
    }


def _sighting_update(
    *,
    sighting: Sighting,
    actor: User,
    via: str,
    refuse: Callable[[Sighting], str] | None = None,
    **fields: Any,
) -> Sighting:
    """Lock the report; refuse if ``refuse`` gives a reason (another officer has dealt with it
    since the page was shown); then set ``fields``, save them and audit the change."""
    with transaction.atomic():
        locked = Sighting.objects.select_for_update().get(pk=sighting.pk)
        reason = refuse(locked) if refuse is not None else ""
        if reason:
            raise RumourError(reason)
        record_fields_update(
            obj=locked, fields=fields, actor=actor, via=via, snapshot_of=_audit_snapshot
        )
    return locked


# ---------------------------------------------------------------------------------------------
# Checking what comes in


def text_check(text: str) -> str:
    """The rumour's words, trimmed; a clear message when empty or too long."""
    text = (text or "").strip()
    if not text:
        raise RumourError("Enter what is being said")
    if len(text) > TEXT_MAX:
        raise RumourError(
            f"What is being said must be {TEXT_MAX:,} characters or fewer (it has {len(text):,}). "
            "Copy only the part that is the rumour"
        )
    return text


def link_check(link: str) -> str:
    """Checks the web address's form only. The platform never opens it."""
    link = (link or "").strip()
    if not link:
        return ""
    if len(link) > 1000:
        raise RumourError("The link must be 1,000 characters or fewer")
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        raise RumourError(
            "Enter the link as a full web address starting with https://, or leave it empty"
        ) from None
    return link


def seen_on_check(day: date | None, *, today: date | None = None) -> date:
    today = today or timezone.localdate()
    if day is None:
        return today
    if day > today:
        raise RumourError("The date it was seen cannot be in the future")
    if day < today - timedelta(days=5 * 365):
        raise RumourError("The date it was seen must be in the last 5 years")
    return day


def screenshot_check(upload: UploadedFile) -> str:
    """The picture's type if the file really is a picture under the size limit; else RumourError.

    The file's contents are checked (not its name): first its magic bytes, then Pillow opens and
    verifies it when Pillow is installed.
    """
    size = upload.size or 0
    if size > SCREENSHOT_MAX_BYTES:
        raise RumourError(
            f"The screenshot is {size / 1_048_576:.0f} MB: it must be smaller than {SCREENSHOT_MAX_BYTES // 1_048_576} MB"
        )
    if size == 0:
        raise RumourError("The screenshot file is empty")
    upload.seek(0)
    head = upload.read(32)
    upload.seek(0)
    kind = next((t for magic, t in IMAGE_MAGIC if head.startswith(magic)), "")
    if not kind and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "image/webp"
    if not kind:
        raise RumourError("The screenshot must be a picture (PNG, JPEG, GIF or WebP)")
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with WeasyPrint
        return kind
    try:
        with Image.open(upload) as image:
            image.verify()
            fmt = image.format or ""
    except Exception:  # Pillow raises many kinds of error for a broken file
        raise RumourError(
            "The screenshot could not be read as a picture: it may be damaged"
        ) from None
    finally:
        upload.seek(0)
    if fmt not in PILLOW_FORMATS:
        raise RumourError("The screenshot must be a picture (PNG, JPEG, GIF or WebP)")
    return PILLOW_FORMATS[fmt]


def _picture_hash(upload: IO[bytes]) -> str:
    """The screenshot's fingerprint; empty (the report is saved all the same) when a picture
    that passed the checks still cannot be decoded in full."""
    try:
        return pictures.fingerprint(upload)
    except Exception:  # Pillow raises many kinds of error for a damaged file
        logger.warning("A rumour screenshot could not be fingerprinted", exc_info=True)
        return ""


# ---------------------------------------------------------------------------------------------
# Reports (sightings)


@dataclass
class SightingInput:
    text: str
    channel: str
    ward: Ward | None = None
    seen_on: date | None = None
    reach: int = 1
    link: str = ""
    screenshot: UploadedFile | None = None
    people_named: str = ""
    reporter_name: str = ""
    reporter_contact: str = ""
    source: str = Sighting.Source.STAFF


def sighting_validate(*, data: SightingInput) -> dict[str, str]:
    """Check a report; {field: message}, empty when it can be saved. Cleans ``data`` in place."""
    errors: dict[str, str] = {}
    for name, check in (("text", text_check), ("link", link_check)):
        try:
            setattr(data, name, check(getattr(data, name)))
        except RumourError as exc:
            errors[name] = str(exc)
    try:
        data.seen_on = seen_on_check(data.seen_on)
    except RumourError as exc:
        errors["seen_on"] = str(exc)
    if data.channel not in Channel.values:
        errors["channel"] = "Choose where the rumour was seen or heard"
    if data.reach not in (1, 2, 3, 4):
        errors["reach"] = "Choose how widely it was going round"
    for name, limit in (("people_named", 2000), ("reporter_name", 200), ("reporter_contact", 200)):
        if len(getattr(data, name) or "") > limit:
            errors[name] = f"This must be {limit:,} characters or fewer"
    if data.screenshot is not None:
        try:
            screenshot_check(data.screenshot)
        except RumourError as exc:
            errors["screenshot"] = str(exc)
    return errors


def sighting_sender(*, actor: User | None, request: HttpRequest | None) -> str:
    """Who sent a report, as an opaque key: the account if signed in (desk or API token), else
    the network address, keyed with the site's secret so that the address cannot be read back."""
    if actor is not None and actor.is_authenticated:
        return f"user:{actor.pk}"
    ip = client_ip(request)
    return salted_hmac("rumours-report-sender", ip).hexdigest()[:32] if ip else ""


def sighting_fingerprint(*, data: SightingInput, sender: str = "") -> str:
    return rules.report_fingerprint(
        text=data.text,
        ward_code=data.ward.code if data.ward else None,
        channel=data.channel,
        sender=sender,
    )


def sighting_duplicate(*, fingerprint: str, now: Any = None) -> Sighting | None:
    """A report with the same words, ward and channel from the same sender in the last 30 days."""
    now = now or timezone.now()
    return (
        Sighting.objects.filter(
            fingerprint=fingerprint, created_at__gte=now - timedelta(days=DUPLICATE_DAYS)
        )
        .order_by("created_at")
        .first()
    )


def sighting_create(
    *, data: SightingInput, actor: User | None, via: str = "web", request: HttpRequest | None = None
) -> Sighting:
    """Save a report (waiting for an officer). Raises RumourError or DuplicateReport; nothing is
    saved then."""
    errors = sighting_validate(data=data)
    if errors:
        raise RumourError("; ".join(errors.values()))
    fingerprint = sighting_fingerprint(
        data=data, sender=sighting_sender(actor=actor, request=request)
    )
    with transaction.atomic():
        existing = sighting_duplicate(fingerprint=fingerprint)
        if existing is not None:
            raise DuplicateReport(existing)
        user = actor if actor is not None and actor.is_authenticated else None
        sighting = Sighting(
            text=data.text,
            ward=data.ward,
            channel=data.channel,
            seen_on=data.seen_on or timezone.localdate(),
            reach=data.reach,
            link=data.link,
            people_named=data.people_named.strip(),
            reporter_name=data.reporter_name.strip(),
            reporter_contact=data.reporter_contact.strip(),
            source=data.source,
            reported_by=user,
            organisation=user.organisation if user else None,
            fingerprint=fingerprint,
        )
        if data.screenshot is not None:
            sighting.screenshot_type = screenshot_check(data.screenshot)
            extension = sighting.screenshot_type.split("/")[1].replace("jpeg", "jpg")
            sighting.picture_hash = _picture_hash(data.screenshot)
            sighting.screenshot.save(f"{uuid.uuid4().hex}.{extension}", data.screenshot, save=False)
        sighting.save()
        changes = _audit_snapshot(sighting)
        changes["has_screenshot"] = bool(sighting.screenshot)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            obj=sighting,
            changes=changes,
            via=via,
            request=request,
        )
    if sighting.ward_id:
        transaction.on_commit(lambda: alerts_check(ward=sighting.ward))
    _suggestions_refresh([sighting.pk])
    return sighting


def sighting_view_record(
    *, sighting: Sighting, actor: User, request: HttpRequest | None = None, what: str = "report"
) -> None:
    """Record that an officer looked at a report's personal data (names, contact, screenshot)."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        obj=sighting,
        object_repr=f"Rumour report {sighting.pk} ({what})",
        changes={"personal_data": what},
        request=request,
    )


def _claim_touch(claim: Claim) -> None:
    claim.updated_at = timezone.now()
    claim.save(update_fields=["updated_at"])


def _claim_current(claim: Claim) -> Claim:
    """``claim``, or the claim it has been merged into (perhaps since the page was shown)."""
    merged_into = Claim.objects.filter(pk=claim.pk).values_list("merged_into", flat=True).first()
    return Claim.objects.get(pk=merged_into) if merged_into is not None else claim


def _sighting_join(
    *, sighting: Sighting, claim: Claim, actor: User, score: float | None, via: str
) -> Sighting:
    """The locked, audited write that makes a report a sighting of ``claim``. Refused if, perhaps
    since the page was shown, it was set aside or joined to another claim. The caller touches
    the claim and checks its alerts (once, however many reports it joins)."""
    return _sighting_update(
        sighting=sighting,
        actor=actor,
        via=via,
        refuse=lambda row: (
            "This report was set aside. It cannot be joined to a claim"
            if row.state == Sighting.State.DISMISSED
            else "An officer has already joined this report to another claim"
            if row.state == Sighting.State.MATCHED and row.claim_id != claim.pk
            else ""
        ),
        claim=claim,
        state=Sighting.State.MATCHED,
        match_score=score,
        confirmed_by=actor,
        confirmed_at=timezone.now(),
    )


def sighting_match(
    *, sighting: Sighting, claim: Claim, actor: User, score: float | None = None, via: str = "web"
) -> Sighting:
    """An officer confirms the report says the same as ``claim``: it becomes a sighting of it
    (of the claim it was merged into, if it has been). Refused as :func:`_sighting_join` says."""
    claim = _claim_current(claim)
    with transaction.atomic():
        locked = _sighting_join(sighting=sighting, claim=claim, actor=actor, score=score, via=via)
        _claim_touch(claim)
    transaction.on_commit(lambda: alerts_check(claim=claim))
    return locked


def sighting_language_set(
    *, sighting: Sighting, language: str, actor: User, via: str = "web"
) -> Sighting:
    """An officer says which language the report's words are in (a code of LANGUAGE_NAMES)."""
    if language not in LANGUAGE_NAMES:
        raise RumourError("Choose a language from the list")
    return _sighting_update(
        sighting=sighting,
        actor=actor,
        via=via,
        language=language,
        language_checked=True,
    )


def sighting_dismiss(*, sighting: Sighting, actor: User, via: str = "web") -> Sighting:
    """Set a waiting report aside as not a rumour. Refused once it is a sighting of a claim (a
    stale page must not take a confirmed sighting off its claim)."""
    return _sighting_update(
        sighting=sighting,
        actor=actor,
        via=via,
        refuse=lambda row: (
            "An officer has already joined this report to a claim"
            if row.state == Sighting.State.MATCHED
            else ""
        ),
        state=Sighting.State.DISMISSED,
        claim=None,
        confirmed_by=actor,
        confirmed_at=timezone.now(),
    )


def sighting_reopen(
    *, sighting: Sighting, actor: User, shown: str | None = None, via: str = "web"
) -> Sighting:
    """Undo an officer's decision: the report goes back to the waiting reports, leaving the
    claim it was a sighting of (or no longer set aside), to be decided again. ``shown`` is the
    decision the officer saw (:attr:`Sighting.decision_key`): if it has changed since the page
    was shown, nothing is undone, so that a stale page cannot undo another officer's decision."""

    def refuse(row: Sighting) -> str:
        if row.state == Sighting.State.WAITING:
            return "This report is already waiting for an officer"
        if shown is not None and row.decision_key != shown:
            return "Another officer has changed the decision on this report since you opened it"
        return ""

    reopened = _sighting_update(
        sighting=sighting,
        actor=actor,
        via=via,
        refuse=refuse,
        state=Sighting.State.WAITING,
        claim=None,
        match_score=None,
        confirmed_by=None,
        confirmed_at=None,
    )
    _suggestions_refresh([reopened.pk])
    return reopened


#: The most reports one bulk decision takes (two pages of the desk).
BULK_MAX = 100


@dataclass(frozen=True)
class BulkOutcome:
    done: list[Sighting]
    refused: list[tuple[int, str]]  # (report number, why it was left as it was)


def sightings_decide(
    *, pks: list[int], actor: User, claim: Claim | None = None, via: str = "web"
) -> BulkOutcome:
    """One decision for many waiting reports: each becomes a sighting of ``claim`` or, without a
    claim, is set aside. Each report is decided (and audited) on its own, so one that another
    officer has dealt with meanwhile is left as it is and reported, and the others still go."""
    if not pks:
        raise RumourError("Choose at least one report")
    if len(set(pks)) > BULK_MAX:
        raise RumourError(f"Choose {BULK_MAX} reports or fewer at a time")
    found = Sighting.objects.in_bulk(sorted(set(pks)))
    # The claim is looked up, touched and checked for a sudden rise once, not once a report.
    target = _claim_current(claim) if claim is not None else None
    done: list[Sighting] = []
    refused: list[tuple[int, str]] = []
    for pk in sorted(set(pks)):
        sighting = found.get(pk)
        if sighting is None:
            refused.append((pk, "it is no longer on file"))
            continue
        if sighting.state != Sighting.State.WAITING:
            refused.append((pk, "an officer has already dealt with it"))
            continue
        try:
            if target is None:
                done.append(sighting_dismiss(sighting=sighting, actor=actor, via=via))
            else:
                done.append(
                    _sighting_join(
                        sighting=sighting, claim=target, actor=actor, score=None, via=via
                    )
                )
        except RumourError as exc:
            refused.append((pk, str(exc)[0].lower() + str(exc)[1:]))
    if target is not None and done:
        _claim_touch(target)
        transaction.on_commit(lambda: alerts_check(claim=target))
    return BulkOutcome(done=done, refused=refused)


# ---------------------------------------------------------------------------------------------
# Each waiting report's best match, kept for grouping the desk

#: Reports matched together in one batch (one embedding batch, one UPDATE).
SUGGEST_BATCH = 200


def sightings_suggestions_store(
    rows: Sequence[tuple[Sighting, matching.Suggestion | None]], *, touch_all: bool = False
) -> int:
    """Keep each report's best match now as its suggested claim (a suggestion's myth-buster
    counts as its claim). One UPDATE for the reports whose suggestion changed (all of them with
    ``touch_all``, which also records that they were looked at now). Returns how many changed.

    Not audited: it is the computer's suggestion, like the language guess, not a decision; an
    officer's decision about a report is audited when it is made."""
    now = timezone.now()
    changed = []
    for sighting, best in rows:
        claim_pk = best.claim_pk if best is not None else None
        score = round(best.score, 4) if best is not None else None
        same = (
            sighting.suggested_at is not None
            and sighting.suggested_claim_id == claim_pk
            and sighting.suggested_score == score
        )
        if same and not touch_all:
            continue
        sighting.suggested_claim_id, sighting.suggested_score = claim_pk, score
        sighting.suggested_at = now
        changed.append(sighting)
    if changed:
        try:
            with transaction.atomic():
                Sighting.objects.bulk_update(
                    changed, ["suggested_claim", "suggested_score", "suggested_at"]
                )
        except IntegrityError:
            # A suggested claim was deleted in the instant between matching and saving: keep
            # the suggestions as they were; the next look will work them out again.
            logger.warning("A suggested claim was deleted while suggestions were saved")
            return 0
    return len(changed)


def sightings_suggest(*, pks: Sequence[int] | None = None, before: datetime | None = None) -> int:
    """Work out again the best match of the reports waiting for an officer (all of them, or
    those in ``pks``; with ``before``, only those not looked at since then) and keep it.
    Returns how many reports were looked at. Batches of :data:`SUGGEST_BATCH`: each is embedded
    in one go and saved in one UPDATE."""
    waiting = Sighting.objects.filter(state=Sighting.State.WAITING)
    if pks is not None:
        waiting = waiting.filter(pk__in=list(pks))
    if before is not None:
        waiting = waiting.filter(Q(suggested_at__isnull=True) | Q(suggested_at__lt=before))
    todo = list(waiting.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(todo), SUGGEST_BATCH):
        batch = list(
            Sighting.objects.filter(pk__in=todo[start : start + SUGGEST_BATCH])
            .only("pk", "text", "suggested_claim", "suggested_score", "suggested_at")
            .order_by("pk")
        )
        best = matching.best_for_each([s.text for s in batch])
        sightings_suggestions_store(list(zip(batch, best, strict=True)), touch_all=True)
    return len(todo)


def _suggestions_refresh(pks: Sequence[int] | None = None) -> None:
    """Once the change commits, have the worker work out again the best match of the waiting
    reports (those in ``pks``, or all of them after the claims changed)."""
    from .tasks import rumours_suggest_task  # the tasks module imports this one

    asked = timezone.now().isoformat()

    def enqueue() -> None:
        try:
            rumours_suggest_task.enqueue(pks=list(pks) if pks is not None else None, before=asked)
        except Exception:
            # Grouping helps; it must never stop a report being saved or a claim being filed.
            logger.exception("Could not ask the worker to match waiting reports again")

    transaction.on_commit(enqueue)


# ---------------------------------------------------------------------------------------------
# Claims


def claim_create(
    *, claim: Claim, actor: User | None, sighting: Sighting | None = None, via: str = "web"
) -> Claim:
    """File a new claim, with the report it came from as its first sighting."""
    if sighting is not None and sighting.state == Sighting.State.DISMISSED:
        raise RumourError("This report was set aside. It cannot start a claim")
    with transaction.atomic():
        claim.created_by = actor
        claim.updated_at = timezone.now()
        claim.full_clean()
        claim.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=claim,
            changes=snapshot(claim, exclude=["evidence"]),
            via=via,
        )
        if sighting is not None and actor is not None:
            sighting_match(sighting=sighting, claim=claim, actor=actor, via=via)
    _suggestions_refresh()  # waiting reports may match the new claim best
    return claim


def claim_update(*, claim: Claim, before: dict[str, Any], actor: User, via: str = "web") -> Claim:
    claim.updated_at = timezone.now()
    with transaction.atomic():
        claim.full_clean()
        claim.save()
        after = snapshot(claim)
        changes = diff(
            {k: v for k, v in before.items() if k != "updated_at"},
            {k: v for k, v in after.items() if k != "updated_at"},
        )
        if "evidence" in changes:
            changes["evidence"] = ["(changed)", "(changed)"]
        if changes:
            audit_record(
                actor=actor, action=AuditEvent.Action.UPDATE, obj=claim, changes=changes, via=via
            )
    if {"title", "text"} & set(changes):
        _suggestions_refresh()  # new words: waiting reports may match another claim best
    return claim


def claim_merge(*, claim: Claim, into: Claim, actor: User, via: str = "web") -> Claim:
    """``claim`` says the same as ``into``: its sightings (and its myth-buster, if only it has
    one) move to ``into``, and it is closed with a pointer there. Claims merged into ``claim``
    before now point to ``into``. Nothing is lost: the merged claim and its history stay."""
    if claim.pk == into.pk:
        raise RumourError("A claim cannot be merged into itself. Choose another claim")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        into = Claim.objects.select_for_update().get(pk=into.pk)
        if claim.merged_into_id is not None:
            raise RumourError(
                f"This claim was already merged into claim {claim.merged_into_id}. Nothing was changed"
            )
        if into.merged_into_id is not None:
            raise RumourError(
                f"Claim {into.pk} was merged into claim {into.merged_into_id}. "
                f"Merge into claim {into.merged_into_id} instead"
            )
        rebuttal = Rebuttal.objects.filter(claim=claim).first()
        if rebuttal is not None and Rebuttal.objects.filter(claim=into).exists():
            raise RumourError(
                "Both claims have a myth-buster, so merging them would lose one. Nothing was "
                "changed: keep the two claims apart, or ask an administrator to remove one of "
                "the myth-busters first"
            )
        moved = Sighting.objects.filter(claim=claim).update(claim=into)
        repointed = Claim.objects.filter(merged_into=claim).update(merged_into=into)
        if rebuttal is not None:
            rebuttal.claim = into
            rebuttal.updated_at = timezone.now()
            rebuttal.save(update_fields=["claim", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                obj=rebuttal,
                changes={"claim": [claim.pk, into.pk]},
                via=via,
            )
        before = snapshot(claim, exclude=["evidence"])
        claim.merged_into = into
        claim.status = Claim.Status.CLOSED
        claim.updated_at = timezone.now()
        claim.save(update_fields=["merged_into", "status", "updated_at"])
        changes = diff(before, snapshot(claim, exclude=["evidence"]))
        changes.pop("updated_at", None)
        changes["sightings_moved"] = [0, moved]
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=claim, changes=changes, via=via
        )
        _claim_touch(into)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=into,
            changes={
                "merged_from": [None, claim.pk],
                "sightings_added": [0, moved],
                "earlier_merges_repointed": [0, repointed],
            },
            via=via,
        )
    transaction.on_commit(lambda: alerts_check(claim=into))
    _suggestions_refresh()  # reports suggesting the merged claim now suggest the one it joined
    return claim


# ---------------------------------------------------------------------------------------------
# Rebuttals


def rebuttal_slug(*, headline: str, exclude_pk: int | None = None) -> str:
    base = slugify(headline)[:100].strip("-") or "myth-buster"
    slug, n = base, 2
    taken = Rebuttal.objects.filter(slug=slug)
    while (taken.exclude(pk=exclude_pk) if exclude_pk is not None else taken).exists():
        slug = f"{base}-{n}"
        taken = Rebuttal.objects.filter(slug=slug)
        n += 1
    return slug


def rebuttal_save(*, rebuttal: Rebuttal, actor: User, via: str = "web") -> Rebuttal:
    """Create or change a rebuttal (a published one stays published, with the new words)."""
    before = snapshot(Rebuttal.objects.get(pk=rebuttal.pk)) if rebuttal.pk else None
    if not rebuttal.slug:
        rebuttal.slug = rebuttal_slug(headline=rebuttal.headline, exclude_pk=rebuttal.pk)
    rebuttal.author = rebuttal.author or actor
    rebuttal.updated_at = timezone.now()
    with transaction.atomic():
        rebuttal.full_clean()
        rebuttal.save()
        if before is None:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=rebuttal,
                changes=snapshot(rebuttal),
                via=via,
            )
        else:
            changes = diff(before, snapshot(rebuttal))
            changes.pop("updated_at", None)
            if changes:
                audit_record(
                    actor=actor,
                    action=AuditEvent.Action.UPDATE,
                    obj=rebuttal,
                    changes=changes,
                    via=via,
                )
        if rebuttal.claim.status in (Claim.Status.NEW, Claim.Status.ASSESSING):
            claim_before = snapshot(rebuttal.claim)
            rebuttal.claim.status = Claim.Status.RESPONDING
            claim_update(claim=rebuttal.claim, before=claim_before, actor=actor, via=via)
    return rebuttal


@dataclass(frozen=True)
class PublishOutcome:
    rebuttal: Rebuttal
    measure_problem: str = ""


def rebuttal_publish(*, rebuttal: Rebuttal, actor: User, via: str = "web") -> PublishOutcome:
    """Publish the myth-buster; the claim is then rebutted and the strategy measures are updated."""
    missing = [
        label
        for label, value in (
            ("the facts", rebuttal.the_facts),
            ("what is being said", rebuttal.what_is_said),
            ("a headline", rebuttal.headline),
        )
        if not value.strip()
    ]
    if missing:
        raise RumourError("Before publishing, add " + " and ".join(missing))
    if rebuttal.published_at is None:
        with transaction.atomic():
            _rebuttal_published_set(
                rebuttal=rebuttal, published_at=timezone.now(), actor=actor, via=via
            )
            claim = rebuttal.claim
            claim_before = snapshot(claim)
            claim.status = Claim.Status.REBUTTED
            claim_update(claim=claim, before=claim_before, actor=actor, via=via)
    problem = ""
    try:
        rumours_measures_update(actor=actor, via=via)
    except ObservationError as exc:
        logger.warning("Rumour measures not updated: %s", exc)
        problem = f"The strategy measures were not updated: {exc}"
    return PublishOutcome(rebuttal=rebuttal, measure_problem=problem)


def _rebuttal_published_set(
    *, rebuttal: Rebuttal, published_at: datetime | None, actor: User, via: str
) -> None:
    """Publish (a time) or withdraw (None) a rebuttal, and audit the change."""
    record_fields_update(
        obj=rebuttal,
        fields={"published_at": published_at, "updated_at": published_at or timezone.now()},
        actor=actor,
        via=via,
    )


def rebuttal_unpublish(*, rebuttal: Rebuttal, actor: User, via: str = "web") -> Rebuttal:
    if rebuttal.published_at is not None:
        with transaction.atomic():
            _rebuttal_published_set(rebuttal=rebuttal, published_at=None, actor=actor, via=via)
            claim = rebuttal.claim
            if claim.status == Claim.Status.REBUTTED:
                claim_before = snapshot(claim)
                claim.status = Claim.Status.RESPONDING
                claim_update(claim=claim, before=claim_before, actor=actor, via=via)
        matching.index_forget(key=rebuttal.index_key)
    return rebuttal


# ---------------------------------------------------------------------------------------------
# Alerts: a sudden rise in sightings of a claim, or of rumours in a ward


def _weekly(qs: Any, *, today: date, weeks: int) -> tuple[int, list[int]]:
    """Sightings in the 7 days to ``today`` and in each of the ``weeks`` weeks before."""
    start = today - timedelta(days=7 * (weeks + 1) - 1)
    counts = [0] * (weeks + 1)
    for day in qs.filter(seen_on__gte=start, seen_on__lte=today).values_list("seen_on", flat=True):
        back = (today - day).days // 7
        counts[back] += 1
    return counts[0], counts[1:]


def _officers_email(*, subject: str, body: str) -> None:
    to = list(
        User.objects.filter(role=Role.OFFICER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if to:
        try:
            send_mail(subject, body, None, to, fail_silently=False)
        except Exception:  # a mail server that is down must not lose the alert
            logger.exception("Could not email the rumour alert")


def alerts_check(
    *,
    claim: Claim | None = None,
    ward: Ward | None = None,
    today: date | None = None,
    weeks: int = 4,
) -> list[Alert]:
    """Raise an alert (and email officers) for the claim and/or ward when this week's sightings
    are a sudden rise over the weeks before (see rules.surge_check). At most one alert per
    claim or ward a week."""
    today = today or timezone.localdate()
    raised = []
    live = Sighting.objects.exclude(state=Sighting.State.DISMISSED)
    subjects: list[tuple[str, Claim | None, Ward | None, Any]] = []
    if claim is not None:
        subjects.append((Alert.Kind.CLAIM, claim, None, live.filter(claim=claim)))
    if ward is not None:
        subjects.append((Alert.Kind.WARD, None, ward, live.filter(ward=ward)))
    for kind, c, w, qs in subjects:
        current, baseline = _weekly(qs, today=today, weeks=weeks)
        surge = rules.surge_check(current=current, baseline=baseline)
        if not surge.raised:
            continue
        recent = Alert.objects.filter(
            kind=kind, claim=c, ward=w, window_end__gt=today - timedelta(days=7)
        )
        if recent.exists():
            continue
        subject_words = f"the claim “{c.title}”" if c is not None else f"rumours in {w}"
        message = f"Sudden rise in {subject_words}: {surge.reason}."
        alert = Alert.objects.create(
            kind=kind,
            claim=c,
            ward=w,
            window_end=today,
            observed=surge.observed,
            expected=surge.expected,
            p_value=surge.p_value,
            message=message[:400],
        )
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            obj=alert,
            changes={"message": alert.message},
            via="task",
        )
        link = (
            reverse("rumours_staff:claim", kwargs={"pk": c.pk})
            if c is not None
            else reverse("rumours_staff:desk")
        )
        _officers_email(
            subject=f"Rumour alert: {subject_words}"[:150],
            body=f"{message}\n\nOpen the rumour desk to see the sightings: {link}\n",
        )
        raised.append(alert)
    return raised


def alerts_sweep(*, today: date | None = None) -> list[Alert]:
    """Check every claim and ward with a sighting in the last 7 days (run daily)."""
    today = today or timezone.localdate()
    recent = Sighting.objects.exclude(state=Sighting.State.DISMISSED).filter(
        seen_on__gt=today - timedelta(days=7), seen_on__lte=today
    )
    raised = []
    for claim in Claim.objects.filter(pk__in=recent.values("claim_id")):
        raised += alerts_check(claim=claim, today=today)
    for ward in Ward.objects.filter(pk__in=recent.values("ward_id")):
        raised += alerts_check(ward=ward, today=today)
    return raised


def alert_acknowledge(*, alert: Alert, actor: User, via: str = "web") -> Alert:
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=alert,
            changes={"acknowledged": [False, True]},
            via=via,
        )
    return alert


# ---------------------------------------------------------------------------------------------
# Strategy measures


@dataclass(frozen=True)
class MeasuresOutcome:
    rebutted: Observation | None
    days: Observation | None


def _quarter_label(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _figure_set(
    *, measure: Measure, quarter: str, value: float, note: str, actor: User | None, via: str
) -> Observation:
    period = parse_period(quarter)
    existing = Observation.objects.filter(
        measure=measure, ward__isnull=True, period_end=period.end
    ).first()
    if existing is not None:
        before = snapshot(existing)
        existing.value = value
        existing.note = note[:300]
        record_update(obj=existing, before=before, actor=actor, via=via)
        measure_assess(measure=measure)
        return existing
    return observation_create(
        data=ObservationInput(measure=measure, period=quarter, value=value, note=note),
        actor=actor,
        via=via,
    )


def rumours_measures_update(
    *, today: date | None = None, actor: User | None = None, via: str = "task"
) -> MeasuresOutcome:
    """Write this quarter's city figures for the two rumour measures, when they exist:

    - ``COHESION_RUMOURS_MEASURE_REBUTTED`` (default "rumours-rebutted"): claims with a published
      myth-buster, counted from the start;
    - ``COHESION_RUMOURS_MEASURE_DAYS`` (default "days-to-rebuttal"): the median number of days
      from a claim's first sighting to its myth-buster, over myth-busters published this quarter.
    """
    today = today or timezone.localdate()
    quarter = _quarter_label(today)
    period = parse_period(quarter)
    rebutted_slug = getattr(settings, "COHESION_RUMOURS_MEASURE_REBUTTED", "rumours-rebutted")
    days_slug = getattr(settings, "COHESION_RUMOURS_MEASURE_DAYS", "days-to-rebuttal")
    published = Rebuttal.objects.filter(published_at__isnull=False)
    rebutted_obs = days_obs = None
    measure = Measure.objects.filter(slug=rebutted_slug).first()
    if measure is not None:
        count = published.filter(published_at__date__lte=period.end).count()
        rebutted_obs = _figure_set(
            measure=measure,
            quarter=quarter,
            value=count,
            note=f"Rumour desk: {count} claims answered with a published myth-buster",
            actor=actor,
            via=via,
        )
    measure = Measure.objects.filter(slug=days_slug).first()
    if measure is not None:
        rows = (
            published.filter(
                published_at__date__gte=period.start, published_at__date__lte=period.end
            )
            .annotate(first_seen=Min("claim__sightings__seen_on"))
            .values_list("published_at", "first_seen", "claim__created_at")
        )
        days = []
        for published_at, first_seen, created_at in rows:
            start = first_seen or timezone.localtime(created_at).date()
            days.append(max(0, (timezone.localtime(published_at).date() - start).days))
        if days:
            median = float(statistics.median(days))
            days_obs = _figure_set(
                measure=measure,
                quarter=quarter,
                value=median,
                note=f"Rumour desk: median of {len(days)} myth-busters published this quarter",
                actor=actor,
                via=via,
            )
    return MeasuresOutcome(rebutted=rebutted_obs, days=days_obs)


# ---------------------------------------------------------------------------------------------
# Retention


def sightings_redact(
    *, today: date | None = None, actor: User | None = None, via: str = "task"
) -> int:
    """Blank the personal data (names, reporters' contact details, screenshots) of reports older
    than the retention period. The words of the rumour, its ward, channel and date are kept."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=retention_days())
    due = Sighting.objects.filter(redacted_at__isnull=True, created_at__date__lt=cutoff)
    count = 0
    now = timezone.now()
    for sighting in due.iterator():
        with transaction.atomic():
            if sighting.screenshot:
                sighting.screenshot.delete(save=False)
            Sighting.objects.filter(pk=sighting.pk).update(
                people_named="",
                reporter_name="",
                reporter_contact="",
                screenshot="",
                screenshot_type="",
                picture_hash="",
                redacted_at=now,
            )
        count += 1
    if count:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            object_type="rumours.sighting",
            object_repr=f"Personal data removed from {count} rumour reports",
            changes={"redacted": count, "created_before": cutoff.isoformat()},
            via=via,
        )
    return count
