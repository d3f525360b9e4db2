"""The assembly workspace: who may see what, and the audited writes behind its pages.

Members and facilitators see only the assemblies they belong to; officers see and run all of them.
Recommendations are voted on by members; the council answers the agreed ones ("you said, we did"),
and the share of agreed recommendations carried out feeds a strategy measure.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from cohesion.core.audit import audit_record, snapshot
from cohesion.core.models import AuditEvent, Role, User
from cohesion.core.permissions import STAFF_ROLES
from cohesion.core.services import record_create, record_delete, record_update
from cohesion.strategy.models import Observation
from cohesion.strategy.periods import parse_period
from cohesion.strategy.services import (
    ObservationError,
    ObservationInput,
    measure_assess,
    observation_create,
)

from .models import (
    Assembly,
    CouncilResponse,
    EvidencePaper,
    Member,
    Recommendation,
    Session,
    Volunteer,
    Vote,
)

logger = logging.getLogger(__name__)

# A recommendation is agreed when at least this share of the votes cast support it. Abstentions
# are votes cast, so they count against agreement.
SUPPORT_THRESHOLD = Fraction(2, 3)
PAPER_MAX_BYTES = 10 * 1024 * 1024
USER_SNAPSHOT_EXCLUDE = ("password", "groups", "user_permissions", "last_login")


class WorkspaceError(ValueError):
    """A request the workspace refuses; the message says why, in plain English."""


# ---------------------------------------------------------------------------------------------
# Who may do what


@dataclass(frozen=True)
class WorkspaceAccess:
    """What one signed-in person may do in one assembly."""

    assembly: Assembly
    membership: Member | None
    is_officer: bool

    @property
    def is_facilitator(self) -> bool:
        return self.membership is not None and self.membership.role == Member.Role.FACILITATOR

    @property
    def can_run(self) -> bool:
        """Facilitators and officers run sessions, papers, recommendations and votes."""
        return self.is_officer or self.is_facilitator

    @property
    def can_vote(self) -> bool:
        return self.membership is not None and self.membership.role == Member.Role.MEMBER

    @property
    def sees_individual_votes(self) -> bool:
        return self.can_run


def workspace_access(*, user: User, assembly: Assembly) -> WorkspaceAccess | None:
    """None when the person may not see this assembly at all (they get "page not found")."""
    is_officer = user.has_role(*STAFF_ROLES)
    membership = (
        Member.objects.filter(assembly=assembly, user=user, active=True)
        .select_related("user")
        .first()
        if user.is_active
        else None
    )
    if membership is not None:
        # A membership row counts only with the matching account role.
        wanted = (
            Role.FACILITATOR if membership.role == Member.Role.FACILITATOR else Role.ASSEMBLY_MEMBER
        )
        if not user.has_role(wanted):
            membership = None
    if membership is None and not is_officer:
        return None
    return WorkspaceAccess(assembly=assembly, membership=membership, is_officer=is_officer)


def assemblies_for(*, user: User) -> QuerySet[Assembly]:
    if user.has_role(*STAFF_ROLES):
        return Assembly.objects.order_by("-created_at")
    return (
        Assembly.objects.filter(members__user=user, members__active=True)
        .distinct()
        .order_by("-created_at")
    )


# ---------------------------------------------------------------------------------------------
# Members and facilitators


def volunteers_to_add(*, assembly: Assembly) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(
        assembly=assembly, status=Volunteer.Status.SELECTED, member__isnull=True
    ).order_by("label")


def facilitators_to_add(*, assembly: Assembly) -> QuerySet[User]:
    return (
        User.objects.filter(role=Role.FACILITATOR, is_active=True)
        .exclude(assembly_memberships__assembly=assembly)
        .order_by("first_name", "last_name", "username")
    )


def members_of(*, assembly: Assembly) -> QuerySet[Member]:
    return (
        Member.objects.filter(assembly=assembly)
        .select_related("user", "volunteer")
        .order_by("-active", "role", "user__username")
    )


def member_name(member: Member) -> str:
    return member.user.get_full_name() or member.user.username


def _free_username(base: str) -> str:
    base = (slugify(base) or "member")[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@dataclass(frozen=True)
class WelcomeLink:
    path: str
    expires_in_days: int


def welcome_link(*, user: User, actor: User | None, via: str = "web") -> WelcomeLink:
    """A one-time link the person uses to choose their password (Django's reset tokens).

    The link stops working once it is used, after PASSWORD_RESET_TIMEOUT, or when the password
    changes. It is never stored; the officer sees it once and sends it.
    """
    token = default_token_generator.make_token(user)
    path = reverse(
        "assembly_workspace:welcome",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="assembly.welcome_link",
        object_id=str(user.pk),
        object_repr=f"Set-your-password link for {user.username}",
        via=via,
    )
    days = max(1, math.ceil(settings.PASSWORD_RESET_TIMEOUT / 86400))
    return WelcomeLink(path=path, expires_in_days=days)


def member_add_volunteer(
    *,
    assembly: Assembly,
    volunteer: Volunteer,
    display_name: str,
    actor: User | None,
    via: str = "web",
) -> tuple[Member, WelcomeLink]:
    """Give a selected volunteer an account (no password yet) and a place in the assembly."""
    if volunteer.assembly_id != assembly.pk:
        raise WorkspaceError("This volunteer registered for a different assembly")
    if volunteer.status != Volunteer.Status.SELECTED:
        raise WorkspaceError("Only volunteers chosen for the panel can become members")
    if Member.objects.filter(volunteer=volunteer).exists():
        raise WorkspaceError(f"{volunteer.label} is already a member")
    with transaction.atomic():
        user = User(
            username=_free_username(volunteer.label),
            role=Role.ASSEMBLY_MEMBER,
            first_name=display_name.strip()[:150],
        )
        user.set_unusable_password()
        record_create(obj=user, actor=actor, via=via, exclude=USER_SNAPSHOT_EXCLUDE)
        member = Member(assembly=assembly, user=user, volunteer=volunteer, role=Member.Role.MEMBER)
        record_create(obj=member, actor=actor, via=via)
        link = welcome_link(user=user, actor=actor, via=via)
    return member, link


def member_add_facilitator(
    *, assembly: Assembly, user: User, actor: User | None, via: str = "web"
) -> Member:
    if user.role != Role.FACILITATOR or not user.is_active:
        raise WorkspaceError(
            "Only active accounts with the role “Assembly facilitator” can be facilitators"
        )
    if Member.objects.filter(assembly=assembly, user=user).exists():
        raise WorkspaceError(f"{user.get_full_name() or user.username} is already in this assembly")
    member = Member(assembly=assembly, user=user, role=Member.Role.FACILITATOR)
    with transaction.atomic():
        record_create(obj=member, actor=actor, via=via)
    return member


def member_deactivate(*, member: Member, actor: User | None, via: str = "web") -> Member:
    """Take someone out of the workspace. Their votes already cast stay counted."""
    if not member.active:
        return member
    before = snapshot(member)
    member.active = False
    with transaction.atomic():
        record_update(obj=member, before=before, actor=actor, via=via)
    return member


# ---------------------------------------------------------------------------------------------
# Sessions and evidence papers


def sessions_split(
    *, assembly: Assembly, now: datetime | None = None
) -> tuple[list[Session], list[Session]]:
    """(upcoming, past): a session is upcoming until it ends; past sessions newest first."""
    now = now or timezone.now()
    sessions = list(Session.objects.filter(assembly=assembly).order_by("starts_at"))
    upcoming = [s for s in sessions if (s.ends_at or s.starts_at) >= now]
    past = [s for s in reversed(sessions) if (s.ends_at or s.starts_at) < now]
    return upcoming, past


def session_save(
    *, session: Session, before: dict[str, Any] | None, actor: User | None, via: str = "web"
) -> Session:
    with transaction.atomic():
        if before is None:
            record_create(obj=session, actor=actor, via=via)
        else:
            record_update(obj=session, before=before, actor=actor, via=via)
    return session


def session_delete(*, session: Session, actor: User | None, via: str = "web") -> None:
    """Delete a session and its evidence papers (each audited). A session at which
    recommendations were drafted is part of the assembly's record and is kept."""
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.recommendations.exists():
            raise WorkspaceError(
                "Recommendations were drafted at this session, so it is part of the assembly’s "
                "record and cannot be deleted. Change its details instead"
            )
        for paper in list(locked.papers.all()):
            paper_delete(paper=paper, actor=actor, via=via)
        record_delete(obj=locked, actor=actor, via=via)


def paper_check_upload(upload: UploadedFile) -> None:
    """Refuse anything but a PDF of up to 10 MB, judged by its first bytes rather than its name."""
    size = upload.size or 0
    if size == 0:
        raise WorkspaceError(
            "The file is empty: choose the PDF again, or check it opens on your computer"
        )
    if size > PAPER_MAX_BYTES:
        raise WorkspaceError(
            f"The file is {size / 1_048_576:.1f} MB: it must be 10 MB or smaller. "
            "Make it smaller (for example with lower-quality pictures) or link to it instead"
        )
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != b"%PDF":
        name = (upload.name or "").lower()
        hint = ""
        if name.endswith((".doc", ".docx", ".odt")):
            hint = " In your word processor choose File, Save As (or Export), PDF."
        raise WorkspaceError(
            "The file must be a PDF." + (hint or " Save the document as a PDF and upload it again.")
        )


def paper_add(
    *,
    session: Session,
    title: str,
    summary: str,
    link: str,
    upload: UploadedFile | None,
    actor: User | None,
    via: str = "web",
) -> EvidencePaper:
    if not link and upload is None:
        raise WorkspaceError("Give a link to the paper or upload it as a PDF")
    if link and upload is not None:
        raise WorkspaceError("Give a link or upload a file, not both")
    paper = EvidencePaper(session=session, title=title, summary=summary, link=link)
    with transaction.atomic():
        if upload is not None:
            paper_check_upload(upload)
            # A random name: the original file name is not kept, and the path cannot be guessed.
            paper.file.save(f"{uuid.uuid4().hex}.pdf", upload, save=False)
        record_create(obj=paper, actor=actor, via=via)
    return paper


def paper_update(
    *, paper: EvidencePaper, before: dict[str, Any], actor: User | None, via: str = "web"
) -> EvidencePaper:
    """Save a changed title, summary or link. A paper stays either a link or a PDF."""
    if paper.file and paper.link:
        raise WorkspaceError("This paper is a PDF: it cannot have a link as well")
    if not paper.file and not paper.link:
        raise WorkspaceError("Give a link to the paper")
    with transaction.atomic():
        record_update(obj=paper, before=before, actor=actor, via=via)
    return paper


def paper_delete(*, paper: EvidencePaper, actor: User | None, via: str = "web") -> None:
    """Delete a paper (audited) and, once that is saved, its PDF."""
    name = paper.file.name if paper.file else ""
    storage = paper.file.storage
    with transaction.atomic():
        record_delete(obj=paper, actor=actor, via=via)
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def paper_filename(paper: EvidencePaper) -> str:
    return f"{slugify(paper.title)[:80] or 'evidence-paper'}.pdf"


# ---------------------------------------------------------------------------------------------
# iCalendar


def _ics_escape(text: str) -> str:
    """TEXT values (RFC 5545 section 3.3.11): escape backslash, semicolon, comma and new lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str) -> str:
    """Fold a content line to at most 75 octets per line, never splitting a UTF-8 character."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def session_ics(*, session: Session, host: str, page_url: str, now: datetime | None = None) -> str:
    """One VEVENT in a VCALENDAR, CRLF line endings, times in UTC."""
    assembly = session.assembly
    description = []
    if session.agenda:
        description.append("Agenda:\n" + session.agenda.strip())
    if session.online_link:
        description.append(f"Join online: {session.online_link}")
    description.append(f"Details: {page_url}")
    location = session.place or session.online_link
    host = host.split(":")[0] or "cohesion"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Cohesion//Citizens' Assembly workspace//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:assembly-session-{session.pk}@{host}",
        f"DTSTAMP:{_ics_time(now or timezone.now())}",
        f"DTSTART:{_ics_time(session.starts_at)}",
    ]
    if session.ends_at:
        lines.append(f"DTEND:{_ics_time(session.ends_at)}")
    lines.append(f"SUMMARY:{_ics_escape(f'{assembly.name}: {session.title}')}")
    if location:
        lines.append(f"LOCATION:{_ics_escape(location)}")
    lines.append(f"DESCRIPTION:{_ics_escape(chr(10).join(description))}")
    lines.append(f"URL:{page_url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_ics_fold(line) + "\r\n" for line in lines)


# ---------------------------------------------------------------------------------------------
# Recommendations and votes


@dataclass(frozen=True)
class SupportLevel:
    """How much support a recommendation has. Pure arithmetic; no database."""

    support: int = 0
    oppose: int = 0
    abstain: int = 0
    eligible: int = 0
    threshold: Fraction = SUPPORT_THRESHOLD

    @property
    def cast(self) -> int:
        return self.support + self.oppose + self.abstain

    def _share(self, count: int) -> float | None:
        return 100 * count / self.cast if self.cast else None

    @property
    def support_percent(self) -> float | None:
        return self._share(self.support)

    @property
    def oppose_percent(self) -> float | None:
        return self._share(self.oppose)

    @property
    def abstain_percent(self) -> float | None:
        return self._share(self.abstain)

    @property
    def turnout_percent(self) -> float | None:
        return 100 * self.cast / self.eligible if self.eligible else None

    @property
    def threshold_percent(self) -> float:
        return float(self.threshold * 100)

    @property
    def threshold_label(self) -> str:
        if self.threshold == Fraction(2, 3):
            return "two thirds"
        if self.threshold == Fraction(1, 2):
            return "half"
        return f"{self.threshold_percent:.4g}%"

    @property
    def support_needed(self) -> int:
        """Votes in support needed to be agreed with the votes cast so far (at least 1)."""
        return max(1, math.ceil(self.threshold * self.cast))

    @property
    def meets_threshold(self) -> bool:
        return self.cast > 0 and Fraction(self.support, self.cast) >= self.threshold


def support_levels(
    *, assembly: Assembly, recommendations: Iterable[Recommendation]
) -> dict[int, SupportLevel]:
    """{recommendation id: support level} in two queries.

    Everyone who may vote now is eligible, and so is anyone who voted and has since left, so
    turnout never passes 100% and a closed vote's figures do not change later.
    """
    ids = [r.pk for r in recommendations]
    active = Member.objects.filter(assembly=assembly, role=Member.Role.MEMBER, active=True).count()
    counts: dict[int, dict[str, int]] = {
        pk: {"support": 0, "oppose": 0, "abstain": 0, "left": 0} for pk in ids
    }
    rows = (
        Vote.objects.filter(recommendation_id__in=ids, member__role=Member.Role.MEMBER)
        .order_by()
        .values("recommendation_id", "choice", "member__active")
        .annotate(n=Count("id"))
    )
    for row in rows:
        bucket = counts[row["recommendation_id"]]
        bucket[row["choice"]] += row["n"]
        if not row["member__active"]:
            bucket["left"] += row["n"]
    return {
        pk: SupportLevel(
            support=c["support"],
            oppose=c["oppose"],
            abstain=c["abstain"],
            eligible=active + c["left"],
        )
        for pk, c in counts.items()
    }


def support_level(*, recommendation: Recommendation) -> SupportLevel:
    return support_levels(assembly=recommendation.assembly, recommendations=[recommendation])[
        recommendation.pk
    ]


def votes_of(*, recommendation: Recommendation) -> QuerySet[Vote]:
    """Each member's vote: for facilitators and officers only."""
    return recommendation.votes.select_related("member__user").order_by(
        "member__user__first_name", "member__user__username"
    )


def recommendation_next_number(*, assembly: Assembly) -> int:
    last = (
        Recommendation.objects.filter(assembly=assembly)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return (last or 0) + 1


def recommendation_save(
    *,
    recommendation: Recommendation,
    before: dict[str, Any] | None,
    actor: User | None,
    via: str = "web",
) -> Recommendation:
    if (
        before is not None
        and before.get("status", recommendation.status) != Recommendation.Status.DRAFT
    ):
        raise WorkspaceError(
            "Only a draft can be changed: voting on this recommendation has started"
        )
    with transaction.atomic():
        if before is None:
            record_create(obj=recommendation, actor=actor, via=via)
        else:
            record_update(obj=recommendation, before=before, actor=actor, via=via)
    return recommendation


def recommendation_open(
    *, recommendation: Recommendation, actor: User | None, via: str = "web"
) -> Recommendation:
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if locked.status != Recommendation.Status.DRAFT:
            raise WorkspaceError("Voting can only be opened on a draft recommendation")
        before = snapshot(locked)
        locked.status = Recommendation.Status.VOTING
        record_update(obj=locked, before=before, actor=actor, via=via)
    return locked


@dataclass(frozen=True)
class CloseOutcome:
    recommendation: Recommendation
    level: SupportLevel
    measure_problem: str = ""


def _votes_record(level: SupportLevel) -> dict[str, int]:
    """The vote counts written to the audit record when voting closes or reopens."""
    return {
        "support": level.support,
        "oppose": level.oppose,
        "abstain": level.abstain,
        "eligible": level.eligible,
    }


def _vote_status_set(
    locked: Recommendation,
    status: str,
    level: SupportLevel,
    *,
    actor: User | None,
    via: str,
    extra: dict[str, Any],
) -> None:
    """Save a closed or reopened vote's new status, auditing it with the vote counts."""
    before_status = locked.status
    locked.status = status
    locked.full_clean()
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        changes={"status": [before_status, locked.status], "votes": _votes_record(level), **extra},
        via=via,
    )


def recommendation_close(
    *, recommendation: Recommendation, actor: User | None, via: str = "web"
) -> CloseOutcome:
    """Close voting and decide: agreed when support reaches the threshold of votes cast."""
    with transaction.atomic():
        locked = (
            Recommendation.objects.select_for_update()
            .select_related("assembly")
            .get(pk=recommendation.pk)
        )
        if locked.status != Recommendation.Status.VOTING:
            raise WorkspaceError("Voting on this recommendation is not open")
        level = support_level(recommendation=locked)
        status = (
            Recommendation.Status.AGREED
            if level.meets_threshold
            else Recommendation.Status.NOT_AGREED
        )
        _vote_status_set(
            locked, status, level, actor=actor, via=via, extra={"threshold": str(level.threshold)}
        )
    problem = _feed_measure(assembly=locked.assembly, actor=actor, via=via)
    return CloseOutcome(recommendation=locked, level=level, measure_problem=problem)


def recommendation_reopen(
    *, recommendation: Recommendation, actor: User | None, via: str = "web"
) -> CloseOutcome:
    """Open voting again on a decided recommendation (for example when members asked for more
    time). The votes already cast stay and can be changed; the decision is taken again at the
    next close. Refused once the council has published its response: unpublish it first."""
    with transaction.atomic():
        locked = (
            Recommendation.objects.select_for_update()
            .select_related("assembly")
            .get(pk=recommendation.pk)
        )
        if locked.status not in (Recommendation.Status.AGREED, Recommendation.Status.NOT_AGREED):
            raise WorkspaceError("Only a recommendation whose vote has closed can be reopened")
        response = CouncilResponse.objects.filter(recommendation=locked).first()
        if response is not None and response.published_at is not None:
            raise WorkspaceError(
                "The council has published its response to this recommendation. Unpublish the "
                "response before you reopen the vote"
            )
        level = support_level(recommendation=locked)
        _vote_status_set(
            locked,
            Recommendation.Status.VOTING,
            level,
            actor=actor,
            via=via,
            extra={"reopened": True},
        )
    problem = _feed_measure(assembly=locked.assembly, actor=actor, via=via)
    return CloseOutcome(recommendation=locked, level=level, measure_problem=problem)


def vote_cast(
    *,
    recommendation: Recommendation,
    member: Member,
    choice: str,
    actor: User | None,
    via: str = "web",
) -> Vote:
    """Record or change a member's vote while voting is open."""
    if choice not in Vote.Choice.values:
        raise WorkspaceError("Choose support, oppose or abstain")
    if member.assembly_id != recommendation.assembly_id or member.role != Member.Role.MEMBER:
        raise WorkspaceError("Only members of this assembly can vote on its recommendations")
    if not member.active:
        raise WorkspaceError("You are no longer a member of this assembly, so you cannot vote")
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if locked.status == Recommendation.Status.DRAFT:
            raise WorkspaceError(
                "Voting on this recommendation has not opened yet, so your vote was not counted"
            )
        if locked.status != Recommendation.Status.VOTING:
            raise WorkspaceError(
                "Voting on this recommendation has closed, so your vote was not counted"
            )
        vote = Vote.objects.filter(recommendation=locked, member=member).first()
        if vote is None:
            vote = Vote(recommendation=locked, member=member, choice=choice)
            record_create(obj=vote, actor=actor, via=via)
        elif vote.choice != choice:
            before = snapshot(vote)
            vote.choice = choice
            vote.cast_at = timezone.now()
            record_update(obj=vote, before=before, actor=actor, via=via)
    return vote


# ---------------------------------------------------------------------------------------------
# The council's response and the measure it feeds


@dataclass(frozen=True)
class ResponseOutcome:
    response: CouncilResponse
    measure_problem: str = ""


def council_response_save(
    *,
    response: CouncilResponse,
    before: dict[str, Any] | None,
    actor: User | None,
    via: str = "web",
) -> ResponseOutcome:
    if response.recommendation.status != Recommendation.Status.AGREED:
        raise WorkspaceError("The council responds only to recommendations the assembly agreed")
    with transaction.atomic():
        if before is None:
            record_create(obj=response, actor=actor, via=via)
        else:
            record_update(obj=response, before=before, actor=actor, via=via)
    problem = _feed_measure(assembly=response.recommendation.assembly, actor=actor, via=via)
    return ResponseOutcome(response=response, measure_problem=problem)


def council_response_publish(
    *, response: CouncilResponse, actor: User | None, via: str = "web"
) -> ResponseOutcome:
    if response.published_at is not None:
        return ResponseOutcome(response=response)
    before = snapshot(response)
    response.published_at = timezone.now()
    return council_response_save(response=response, before=before, actor=actor, via=via)


def council_response_unpublish(
    *, response: CouncilResponse, actor: User | None, via: str = "web"
) -> ResponseOutcome:
    """Take a published response off the public page (audited); it can be changed and
    published again. The measure's figure is worked out again without it."""
    if response.published_at is None:
        return ResponseOutcome(response=response)
    before = snapshot(response)
    response.published_at = None
    with transaction.atomic():
        record_update(obj=response, before=before, actor=actor, via=via)
    problem = _feed_measure(assembly=response.recommendation.assembly, actor=actor, via=via)
    return ResponseOutcome(response=response, measure_problem=problem)


def observation_figure_update(
    *,
    observation: Observation,
    value: float,
    numerator: float | None,
    denominator: float | None,
    note: str,
    actor: User | None,
    via: str = "web",
) -> Observation:
    """Change an existing figure (audited) and re-assess its measure when anything changed."""
    before = snapshot(observation)
    observation.value = value
    observation.numerator = numerator
    observation.denominator = denominator
    observation.note = note[:300]
    with transaction.atomic():
        record_update(obj=observation, before=before, actor=actor, via=via)
    if snapshot(observation) != before and observation.ward_id is None:
        measure_assess(measure=observation.measure)
    return observation


def _quarter(today: date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def assembly_measure_update(
    *, assembly: Assembly, actor: User | None = None, via: str = "web", today: date | None = None
) -> Observation | None:
    """Write this quarter's city figure for the assembly's response measure.

    The figure is the percentage of agreed recommendations whose published council response says
    the work is done (numerator: done; denominator: agreed). Nothing is written when the assembly
    feeds no measure or has agreed nothing yet (a percentage of nothing means nothing).
    """
    measure = assembly.response_measure
    if measure is None:
        return None
    agreed = Recommendation.objects.filter(assembly=assembly, status=Recommendation.Status.AGREED)
    totals = agreed.aggregate(
        agreed=Count("id"),
        done=Count(
            "id",
            filter=Q(
                response__progress=CouncilResponse.Progress.DONE,
                response__published_at__isnull=False,
            ),
        ),
    )
    denominator, numerator = totals["agreed"], totals["done"]
    if not denominator:
        return None
    value = 100 * numerator / denominator
    note = f"Citizens' Assembly “{assembly.name}”: {numerator} of {denominator} agreed recommendations done"
    quarter = _quarter(today or timezone.localdate())
    period = parse_period(quarter)
    existing = Observation.objects.filter(
        measure=measure, ward__isnull=True, period_end=period.end
    ).first()
    if existing is not None:
        return observation_figure_update(
            observation=existing,
            value=value,
            numerator=numerator,
            denominator=denominator,
            note=note,
            actor=actor,
            via=via,
        )
    data = ObservationInput(
        measure=measure,
        period=quarter,
        value=value,
        numerator=numerator,
        denominator=denominator,
        note=note,
    )
    return observation_create(data=data, actor=actor, via=via)


def _feed_measure(*, assembly: Assembly, actor: User | None, via: str) -> str:
    """Update the measure; return what went wrong (empty when all is well)."""
    try:
        assembly_measure_update(assembly=assembly, actor=actor, via=via)
    except ObservationError as exc:
        logger.warning("Assembly %s could not update its measure: %s", assembly.pk, exc)
        return f"The figure for the measure “{assembly.response_measure}” was not updated: {exc}"
    return ""


# ---------------------------------------------------------------------------------------------
# "You said, we did": what the public may see


@dataclass(frozen=True)
class PublicRecommendation:
    recommendation: Recommendation
    level: SupportLevel
    response: CouncilResponse | None


def you_said_we_did(*, assembly: Assembly) -> list[PublicRecommendation]:
    """Agreed recommendations with their support and only published responses. No names, no votes."""
    recommendations = list(
        Recommendation.objects.filter(assembly=assembly, status=Recommendation.Status.AGREED)
        .select_related("response")
        .order_by("number")
    )
    levels = support_levels(assembly=assembly, recommendations=recommendations)
    rows = []
    for rec in recommendations:
        response = getattr(rec, "response", None)
        if response is not None and response.published_at is None:
            response = None
        rows.append(
            PublicRecommendation(recommendation=rec, level=levels[rec.pk], response=response)
        )
    return rows
