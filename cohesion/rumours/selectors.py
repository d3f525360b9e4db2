"""Reads of the rumour desk, including the signal the tension early-warning picture reads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from cohesion.core.forms import whole_number
from cohesion.core.models import Ward
from cohesion.text import matching as text_matching
from cohesion.text.language import LANGUAGE_NAMES

from . import chart, matching, pictures, rules
from .models import Alert, Channel, Claim, Rebuttal, Sighting


def rumour_weekly_counts(*, start: date, end: date) -> dict[tuple[str, date], int]:
    """Rumour sightings by ward and week, for the tension early-warning picture.

    Keys are (ward GSS code, the Monday the week starts on); values are how many reports were seen
    in that ward that week (``start`` to ``end`` inclusive, by the day each was seen). Reports an
    officer set aside as not a rumour, and reports with no ward, are not counted. Weeks with no
    report are left out (read a missing key as 0).
    """
    rows = (
        Sighting.objects.exclude(state=Sighting.State.DISMISSED)
        .filter(ward__isnull=False, seen_on__gte=start, seen_on__lte=end)
        .values_list("ward__code", "seen_on")
    )
    counts: Counter[tuple[str, date]] = Counter()
    for code, day in rows:
        counts[(code, rules.week_start(day))] += 1
    return dict(counts)


def claims_by_status() -> dict[str, int]:
    counts = dict(
        Claim.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {value: counts.get(value, 0) for value in Claim.Status.values}


#: Reports waiting for an officer, shown a page at a time (a surge can bring hundreds).
WAITING_PER_PAGE = 50
#: The desk lists this many claims that waiting reports match best (most reports first).
GROUPS_SHOWN = 10


@dataclass(frozen=True)
class DeskFilters:
    """Which waiting reports the desk lists. A value of the wrong kind (a channel or language
    not on the list, a best match that is not a number) is ignored, so the page still opens; a
    ward or claim no longer on file simply matches no reports."""

    ward: str = ""  # a ward's code
    channel: str = ""
    best: str = ""  # a claim's number, or "none": reports that match no claim
    language: str = ""  # the language the words are in (for an officer who reads it)

    @classmethod
    def from_query(cls, query: Any) -> DeskFilters:
        best = str(query.get("best", "")).strip()
        channel = str(query.get("channel", "")).strip()
        language = str(query.get("language", "")).strip()
        return cls(
            ward=str(query.get("ward", "")).strip()[:20],
            channel=channel if channel in Channel.values else "",
            best=best if best == "none" or whole_number(best) is not None else "",
            language=language if language in LANGUAGE_NAMES else "",
        )

    @property
    def best_claim_pk(self) -> int | None:
        """The claim whose group is listed (None: any claim, or "none")."""
        return whole_number(self.best)

    def as_query(self) -> str:
        """The filters as a query string, for links to other pages of the same list."""
        return urlencode({k: v for k, v in vars(self).items() if v})

    def __bool__(self) -> bool:
        return any(vars(self).values())


@dataclass(frozen=True)
class MatchGroup:
    """Waiting reports whose best match is one claim."""

    claim_pk: int
    title: str
    count: int
    strong: int = 0  # of them, how many match it strongly (the engine's "strong" band)


@dataclass(frozen=True)
class DeskOverview:
    waiting: Page  # one page of the reports waiting for an officer, newest first
    rows: list[tuple[Sighting, matching.Suggestion | None]]  # that page, each with its best match
    by_status: list[tuple[str, str, int]]  # (value, label, count)
    alerts: list[Alert]
    filters: DeskFilters
    wards: list[Ward]  # for the filter
    languages: list[tuple[str, str, int]]  # (code, name, waiting reports) for the filter
    # For a report on this page whose screenshot came with another report too: that report
    # (one that is already a sighting of a claim first).
    pictures: dict[int, SamePicture] = field(default_factory=dict)

    @property
    def waiting_count(self) -> int:
        return int(self.waiting.paginator.count)

    @property
    def lines(self) -> list[tuple[Sighting, matching.Suggestion | None, SamePicture | None]]:
        """Each report on the page with its best match and the same picture sent before."""
        return [(s, best, self.pictures.get(s.pk)) for s, best in self.rows]


@dataclass(frozen=True)
class MatchGroups:
    """Every waiting report, grouped by the claim it matches best."""

    groups: list[MatchGroup]  # most reports first
    unmatched: int  # reports that match no claim
    unchecked: int  # reports the computer has not matched yet

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups) + self.unmatched + self.unchecked

    def title_of(self, claim_pk: int | None) -> str:
        """The title of the claim ``claim_pk``, if waiting reports match it best."""
        return next((g.title for g in self.groups if g.claim_pk == claim_pk), "")


def match_groups() -> MatchGroups:
    """All waiting reports grouped by the claim they match best (one query)."""
    rows = (
        Sighting.objects.filter(state=Sighting.State.WAITING)
        .order_by()
        .values("suggested_claim", "suggested_claim__title")
        .annotate(
            n=Count("pk", filter=Q(suggested_at__isnull=False)),
            unchecked=Count("pk", filter=Q(suggested_at__isnull=True)),
            strong=Count("pk", filter=Q(suggested_score__gte=text_matching.STRONG)),
        )
    )
    groups: list[MatchGroup] = []
    unmatched = unchecked = 0
    for row in rows:
        unchecked += row["unchecked"]
        if row["suggested_claim"] is None:
            unmatched += row["n"]
        elif row["n"]:
            title = row["suggested_claim__title"]
            groups.append(MatchGroup(row["suggested_claim"], title, row["n"], row["strong"]))
    groups.sort(key=lambda g: (-g.count, g.title, g.claim_pk))
    return MatchGroups(groups=groups, unmatched=unmatched, unchecked=unchecked)


def claim_title(pk: int) -> str:
    """A claim's title ("" if it is not on file)."""
    return Claim.objects.filter(pk=pk).values_list("title", flat=True).first() or ""


def waiting_like(*, claim: Claim) -> int:
    """How many waiting reports match ``claim`` best (as last worked out)."""
    return Sighting.objects.filter(state=Sighting.State.WAITING, suggested_claim=claim).count()


@dataclass(frozen=True)
class SamePicture:
    """Another report that came with the same picture, and how alike the two are."""

    sighting: Sighting
    bits_different: int

    @property
    def identical(self) -> bool:
        return self.bits_different <= pictures.IDENTICAL


SAME_PICTURE_SHOWN = 10


def same_picture(*, sighting: Sighting) -> list[SamePicture]:
    """Other reports whose screenshot is the same picture as this report's (forwarded copies
    included), closest first, then newest; at most ``SAME_PICTURE_SHOWN``. Fingerprints are
    compared in Python: 64 hexadecimal digits a screenshot, a few thousand a year."""
    if not sighting.picture_hash:
        return []
    on_file = pictures.PictureIndex(_fingerprints().values_list("pk", "picture_hash"))
    found = on_file.alike(sighting.picture_hash, leave_out=sighting.pk)[:SAME_PICTURE_SHOWN]
    rows = Sighting.objects.select_related("claim", "ward").in_bulk([pk for pk, _ in found])
    return [SamePicture(rows[pk], bits) for pk, bits in found if pk in rows]


def _fingerprints() -> QuerySet[Sighting]:
    """The reports that came with a screenshot (its fingerprint is kept until retention)."""
    return Sighting.objects.exclude(picture_hash="")


def desk_overview(
    *, page: str | int | None = None, filters: DeskFilters | None = None
) -> DeskOverview:
    filters = filters or DeskFilters()
    waiting = (
        Sighting.objects.filter(state=Sighting.State.WAITING)
        .select_related("ward")
        .order_by("-created_at", "-pk")
    )
    if filters.ward:
        waiting = waiting.filter(ward__code=filters.ward)
    if filters.channel:
        waiting = waiting.filter(channel=filters.channel)
    if filters.language:
        waiting = waiting.filter(language=filters.language)
    if filters.best == "none":
        waiting = waiting.filter(suggested_at__isnull=False, suggested_claim__isnull=True)
    elif filters.best_claim_pk is not None:
        waiting = waiting.filter(suggested_claim_id=filters.best_claim_pk)
    counts = claims_by_status()
    shown = Paginator(waiting, WAITING_PER_PAGE).get_page(page)
    # Each report's best match now, so that an officer sees at a glance which reports repeat
    # the same claim (the claims change, so it is worked out on each view; the reports'
    # embeddings are made in one batch and kept in memory).
    reports = list(shown)
    best = matching.best_for_each([s.text for s in reports])
    return DeskOverview(
        waiting=shown,
        rows=list(zip(reports, best, strict=True)),
        by_status=[(value, label, counts[value]) for value, label in Claim.Status.choices],
        alerts=list(
            Alert.objects.filter(acknowledged_at__isnull=True).select_related("claim", "ward")[:20]
        ),
        filters=filters,
        wards=list(Ward.objects.filter(in_use=True).order_by("name")),
        languages=_waiting_languages(),
        pictures=_pictures_sent_before(reports),
    )


def _pictures_sent_before(reports: list[Sighting]) -> dict[int, SamePicture]:
    """For each of ``reports`` with a screenshot, the other report with the same picture that
    tells the officer most: one already a sighting of a claim, then the closest. Two queries,
    and none when no report on the page has a screenshot."""
    on_page = [s for s in reports if s.picture_hash]
    if not on_page:
        return {}
    hashes = list(_fingerprints().values_list("pk", "picture_hash", "claim_id"))
    on_file = pictures.PictureIndex((pk, value) for pk, value, _ in hashes)
    joined = {pk for pk, _, claim_id in hashes if claim_id is not None}
    chosen: dict[int, tuple[int, int]] = {}
    for report in on_page:
        found = on_file.alike(report.picture_hash, leave_out=report.pk)
        if found:
            # Closest first; a report already joined to a claim tells the officer most.
            chosen[report.pk] = next((f for f in found if f[0] in joined), found[0])
    rows = Sighting.objects.select_related("claim").in_bulk([o for o, _ in chosen.values()])
    return {pk: SamePicture(rows[o], bits) for pk, (o, bits) in chosen.items() if o in rows}


def _waiting_languages() -> list[tuple[str, str, int]]:
    """The languages waiting reports are in (as guessed, or set by an officer), most first."""
    counts = (
        Sighting.objects.filter(state=Sighting.State.WAITING)
        .exclude(language="")
        .order_by()
        .values_list("language")
        .annotate(n=Count("pk"))
    )
    found = [(code, LANGUAGE_NAMES[code], n) for code, n in counts if code in LANGUAGE_NAMES]
    return sorted(found, key=lambda item: (-item[2], item[1]))


def open_claims(limit: int = 300) -> list[Claim]:
    """Claims a report can still join (not closed, not merged away), most recently active first."""
    return list(
        Claim.objects.filter(merged_into__isnull=True)
        .exclude(status=Claim.Status.CLOSED)
        .order_by("-updated_at", "-pk")
        .only("pk", "title", "status")[:limit]
    )


def claim_list(*, status: str = "") -> QuerySet[Claim]:
    qs = Claim.objects.select_related("owner").annotate(
        sightings_count=Count("sightings"),
        last_seen=Max("sightings__seen_on"),
        first_seen=Min("sightings__seen_on"),
    )
    if status in Claim.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-updated_at", "-pk")


def claim_risk(*, claim: Claim, today: date | None = None) -> rules.RiskRating:
    today = today or timezone.localdate()
    recent = claim.sightings.filter(seen_on__gt=today - timedelta(days=28))
    agg = recent.aggregate(n=Count("pk"), wards=Count("ward", distinct=True), reach=Max("reach"))
    spread = rules.spread_level(
        sightings=agg["n"] or 0, wards=agg["wards"] or 0, max_reach=agg["reach"] or 0
    )
    return rules.risk_rating(harm=claim.harm, spread=spread)


@dataclass(frozen=True)
class ClaimPicture:
    sightings: list[Sighting]
    first_seen: date | None
    risk: rules.RiskRating
    chart: chart.BarChart
    weeks: list[tuple[date, int]]
    by_ward: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]


def claim_picture(*, claim: Claim, today: date | None = None, weeks: int = 12) -> ClaimPicture:
    """Everything the claim page shows: sightings, risk, and a timeline by week, ward and channel."""
    today = today or timezone.localdate()
    sightings = list(
        claim.sightings.select_related("ward", "organisation").order_by("-seen_on", "-pk")
    )
    first = min((s.seen_on for s in sightings), default=None)
    this_week = rules.week_start(today)
    starts = [this_week - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    per_week = Counter(rules.week_start(s.seen_on) for s in sightings)
    week_rows = [(w, per_week.get(w, 0)) for w in starts]
    bars = chart.bar_chart(
        title=f"Sightings each week, last {weeks} weeks",
        bars=[(f"{w:%d %b}", n) for w, n in week_rows],
    )
    by_ward = Counter(s.ward.name if s.ward else "Ward not known" for s in sightings)
    channel_labels = dict(Channel.choices)
    by_channel = Counter(channel_labels.get(s.channel, s.channel) for s in sightings)
    return ClaimPicture(
        sightings=sightings,
        first_seen=first,
        risk=claim_risk(claim=claim, today=today),
        chart=bars,
        weeks=week_rows,
        by_ward=by_ward.most_common(),
        by_channel=by_channel.most_common(),
    )


def published_rebuttals() -> QuerySet[Rebuttal]:
    return Rebuttal.objects.filter(published_at__isnull=False).order_by("-published_at")


def myth_search(*, q: str, limit: int = 50) -> list[Rebuttal]:
    """Published myth-busters for a search: words that appear in them first, then the matching
    engine's close matches (same meaning, other words)."""
    q = (q or "").strip()[:200]
    base = published_rebuttals()
    if not q:
        return list(base[:limit])
    words = [w for w in q.split() if len(w) > 2][:8]
    lexical = base
    for word in words:
        lexical = lexical.filter(
            Q(headline__icontains=word)
            | Q(what_is_said__icontains=word)
            | Q(the_facts__icontains=word)
        )
    found: list[Rebuttal] = list(lexical[:limit]) if words else []
    seen = {r.pk for r in found}
    engine = [
        s.pk
        for s in matching.suggestions(text=q, k=10, include_claims=False)
        if s.kind == "rebuttal"
    ]
    extra = {r.pk: r for r in base.filter(pk__in=engine)}
    for pk in engine:
        if pk not in seen and pk in extra:
            found.append(extra[pk])
            seen.add(pk)
    return found[:limit]


def related_myth_busters(*, text: str, limit: int = 3) -> list[int]:
    """The ids of published myth-busters that answer what a resident has just told us, best
    first: only close matches (the engine's "possible" band or better), so that a resident is
    not pointed at something unrelated."""
    found = matching.suggestions(
        text=text, k=limit, include_claims=False, min_score=text_matching.POSSIBLE
    )
    return [s.pk for s in found]  # include_claims=False: myth-busters only


def claim_review(*, rebuttal: Rebuttal, url: str) -> dict[str, Any]:
    """schema.org ClaimReview for the myth-buster page (https://schema.org/ClaimReview)."""
    ratings = {
        Rebuttal.Verdict.FALSE: 1,
        Rebuttal.Verdict.MISLEADING: 2,
        Rebuttal.Verdict.MISSING_CONTEXT: 3,
        Rebuttal.Verdict.TRUE: 5,
    }
    council = settings.COHESION_COUNCIL_NAME
    first_seen = rebuttal.claim.sightings.aggregate(first=Min("seen_on"))["first"]
    item: dict[str, Any] = {"@type": "Claim"}
    if first_seen:
        item["datePublished"] = first_seen.isoformat()
    published = rebuttal.published_at or timezone.now()
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "name": rebuttal.headline,
        "claimReviewed": rebuttal.what_is_said,
        "datePublished": timezone.localtime(published).date().isoformat(),
        "dateModified": timezone.localtime(rebuttal.updated_at).date().isoformat(),
        "author": {"@type": "Organization", "name": council},
        "itemReviewed": item,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": ratings[Rebuttal.Verdict(rebuttal.verdict)],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": rebuttal.get_verdict_display(),
        },
    }


def tension_signal(first: date, last: date) -> list[tuple[str, date, str, int]]:
    """The rumour signal in the form the tension early warning reads (ward code, week start,
    category "rumour", count); registered with it when the app starts (see apps.py)."""
    return [
        (code, week, "rumour", n)
        for (code, week), n in sorted(rumour_weekly_counts(start=first, end=last).items())
    ]
