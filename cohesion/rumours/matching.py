"""The one claim index of this process, kept in step with the database.

The index (``cohesion.text.matching.ClaimIndex``: BM25, MiniLM and USE) holds every claim as
``claim:<pk>``, every *published* rebuttal as ``rebuttal:<pk>``, and the words of every report an
officer has confirmed as a sighting of a claim as ``sighting:<pk>``. So the desk learns from its
officers: a new report worded like an earlier sighting finds that sighting's claim, even when it
shares few words with the claim itself. A sighting is only ever suggested as its claim (the
claim's title and text, never the report's words, which may name people), and only to officers.

It is built lazily from the database on first use. Before each search it takes in claims,
rebuttals and sightings changed or confirmed since it last looked (one indexed query each), so
one saved by another process or worker is found too. Results are checked against the database
before they are shown: a key whose claim was deleted, whose rebuttal was withdrawn or whose
sighting no longer belongs to a claim is dropped (and taken out of the index), so a stale index
can never suggest something that is gone.

Suggestions are suggestions only: nothing is joined to a claim until an officer confirms it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from cohesion.text.embeddings import USE, Embedder
from cohesion.text.matching import ClaimIndex, Match

from .models import Claim, Rebuttal, Sighting

logger = logging.getLogger(__name__)

_lock = threading.RLock()
_index: ClaimIndex | None = None
_synced_at: datetime | None = None
# Look back a little before the last sync, so that a row saved in the same instant is not missed.
_OVERLAP = timedelta(seconds=2)
MAX_QUERY_CHARS = 2000
# Matches scoring below this are not shown. The engine's own bands ("strong" from 0.6,
# "possible" from 0.45) were set on tweets against fact-checks; a short report or a search box
# query in other words often scores 0.4-0.5 against the claim it means, so the desk shows
# everything from 0.3, labelled with its band, and the officer decides.
MIN_SCORE = 0.3


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "claim" or "rebuttal"
    pk: int
    claim_pk: int
    title: str
    text: str
    score: float
    band: str
    status: str
    url: str  # the claim's staff page, or the public myth-buster
    # The number of one of the claim's sightings that came with the same picture as the report
    # being decided (the report page's own evidence; see selectors.same_picture).
    picture_of: int | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.score)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.pk,
            "claim_id": self.claim_pk,
            "title": self.title,
            "text": self.text[:300],
            "score": round(self.score, 3),
            "band": self.band,
            "status": self.status,
            "url": self.url,
        }


def _embeddings_dir() -> Path:
    return Path(settings.COHESION_EMBEDDINGS_DIR)


def _embedders() -> tuple[Embedder, Embedder]:
    """MiniLM and the Universal Sentence Encoder, with their vectors cached on disk where the
    consultations keep theirs (each vector's file name holds its model's name)."""
    return Embedder(_embeddings_dir()), Embedder(_embeddings_dir(), model=USE)


def index_file() -> Path:
    """Where ``manage.py rumours_index`` saves the index (``.npz``, ``.json`` and ``.synced``)."""
    return _embeddings_dir() / "rumours-index"


def index_save() -> int:
    """Build the index from the database and save it, for web processes to load on their first
    search instead of building it. Returns how many claims and myth-busters it holds."""
    started = timezone.now()
    index = ClaimIndex(*_embedders())
    _sync(index, None)
    base = index_file()
    new = base.with_name(base.name + "-new")
    index.save(new)
    for suffix in (".npz", ".json"):
        os.replace(new.with_suffix(suffix), base.with_suffix(suffix))
    base.with_suffix(".synced").write_text(
        json.dumps({"synced_at": started.isoformat(), "items": len(index)})
    )
    return len(index)


def _load_saved() -> tuple[ClaimIndex, datetime] | None:
    """The saved index and when its contents were read from the database, if there is one."""
    base = index_file()
    marker = base.with_suffix(".synced")
    if not marker.exists():
        return None
    try:
        synced_at = datetime.fromisoformat(json.loads(marker.read_text())["synced_at"])
        return ClaimIndex.load(base, *_embedders()), synced_at
    except (OSError, ValueError, KeyError, TypeError):
        logger.warning("The saved claim index could not be read; building it from the database")
        return None


def index_reset() -> None:
    """Forget the index (the next search rebuilds it from the database). For tests and commands."""
    global _index, _synced_at
    with _lock:
        _index, _synced_at = None, None


def _sync(index: ClaimIndex, since: datetime | None) -> None:
    claims = Claim.objects.only("pk", "title", "text", "merged_into")
    rebuttals = Rebuttal.objects.only("pk", "headline", "what_is_said", "published_at")
    if since is not None:
        claims = claims.filter(updated_at__gte=since - _OVERLAP)
        rebuttals = rebuttals.filter(updated_at__gte=since - _OVERLAP)
    items = []
    for c in claims:
        if c.merged_into_id is None:
            items.append((c.index_key, c.index_text))
        else:
            index.remove(c.index_key)  # merged into another claim: that one is suggested
    for r in rebuttals:
        if r.is_published:
            items.append((r.index_key, r.index_text))
        else:
            index.remove(r.index_key)
    # Reports confirmed as sightings of a claim. One that leaves its claim later (the claim is
    # deleted) is dropped when it is found, as a deleted claim is.
    sightings = Sighting.objects.filter(state=Sighting.State.MATCHED, claim__isnull=False).only(
        "pk", "text"
    )
    if since is not None:
        sightings = sightings.filter(confirmed_at__gte=since - _OVERLAP)
    items += [(sg.index_key, sg.index_text) for sg in sightings]
    fresh = [(k, t) for k, t in items if k not in index or index.text(k) != t]
    if fresh:
        index.add_many(fresh)


def index_get() -> ClaimIndex:
    """The process's index, built on first use and brought up to date with the database."""
    global _index, _synced_at
    with _lock:
        now = timezone.now()
        if _index is None:
            saved = _load_saved()
            if saved is not None:
                # Anything changed since it was saved is taken in now; anything deleted since is
                # dropped when it is found (suggestions() checks every result).
                _index = saved[0]
                _sync(_index, saved[1])
            else:
                _index = ClaimIndex(*_embedders())
                _sync(_index, None)
        else:
            _sync(_index, _synced_at)
        _synced_at = now
        return _index


def index_forget(*, key: str) -> None:
    with _lock:
        if _index is not None:
            _index.remove(key)


def _search(index: ClaimIndex, text: str, *, k: int, min_score: float) -> list[Match]:
    """The best entries for ``text``: enough of them to hold ``k`` claims or myth-busters.

    The sightings of one claim can fill the top places (a rumour confirmed many times), so look
    further down until there are ``k`` entries that are not sightings, the scores fall below
    ``min_score`` or the index runs out. The query is embedded once (the embedder keeps it)."""
    window = max(k * 6, 30)
    while True:
        matches = index.search(text, k=window)
        others = sum(1 for m in matches if not m.key.startswith("sighting:"))
        if others >= k or len(matches) < window or matches[-1].score < min_score:
            return matches
        window *= 4


def suggestions(
    *, text: str, k: int = 5, include_claims: bool = True, min_score: float = MIN_SCORE
) -> list[Suggestion]:
    """Claims and published rebuttals that say the same as ``text``, best first.

    Matches scoring under ``min_score`` are left out. A claim is suggested once, with the score
    of its best entry: the claim itself or one of its confirmed sightings.
    ``include_claims=False`` gives published rebuttals only (for partners and residents, who do
    not see the desk's claims).
    """
    return suggestions_for_each([text], k=k, include_claims=include_claims, min_score=min_score)[0]


def best_for_each(texts: Sequence[str]) -> list[Suggestion | None]:
    """The best suggestion (claim or published myth-buster) for each text, or None: for pages
    listing many reports."""
    return [found[0] if found else None for found in suggestions_for_each(texts, k=1)]


def suggestions_for_each(
    texts: Sequence[str], *, k: int = 5, include_claims: bool = True, min_score: float = MIN_SCORE
) -> list[list[Suggestion]]:
    """:func:`suggestions` for many texts at once: the index catches up once, the texts are
    embedded in one batch, and the database is asked about all the results together (a fixed
    number of queries, however many texts)."""
    wanted = [(text or "").strip()[:MAX_QUERY_CHARS] for text in texts]
    if not any(wanted):
        return [[] for _ in wanted]
    try:
        with _lock:
            index = index_get()
            if len(wanted) > 1:
                index.prepare(wanted)
            found = [
                _search(index, text, k=k, min_score=min_score) if text else [] for text in wanted
            ]
    except Exception:
        # Suggestions help; they must never stop a report being logged or a page being shown.
        logger.exception("The claim index could not be searched")
        index_reset()
        return [[] for _ in wanted]
    kept = [
        [
            m
            for m in matches
            if m.score >= min_score and (include_claims or m.key.startswith("rebuttal:"))
        ]
        for matches in found
    ]
    return _suggested(kept, k=k)


def _suggested(match_lists: list[list[Match]], *, k: int) -> list[list[Suggestion]]:
    """Each list of index matches as suggestions, checked against the database in three queries
    for all the lists: entries since deleted, merged or withdrawn are dropped (and forgotten)."""
    ids: dict[str, list[int]] = {"claim": [], "rebuttal": [], "sighting": []}
    for matches in match_lists:
        for m in matches:
            kind, _, raw = m.key.partition(":")
            ids.setdefault(kind, []).append(int(raw))
    # An empty id list costs no query: Django answers pk__in=[] without asking the database.
    sighting_claims = dict(
        Sighting.objects.filter(
            pk__in=ids["sighting"], state=Sighting.State.MATCHED, claim__isnull=False
        ).values_list("pk", "claim_id")
    )
    claims = {
        c.pk: c
        for c in Claim.objects.filter(
            pk__in=ids["claim"] + list(sighting_claims.values()), merged_into__isnull=True
        )
    }
    rebuttals = {
        r.pk: r
        for r in Rebuttal.objects.filter(
            pk__in=ids["rebuttal"], published_at__isnull=False
        ).select_related("claim")
    }
    return [
        _suggestions_of(matches, claims, rebuttals, sighting_claims, k=k) for matches in match_lists
    ]


def _suggestions_of(
    matches: list[Match],
    claims: dict[int, Claim],
    rebuttals: dict[int, Rebuttal],
    sighting_claims: dict[int, int],
    *,
    k: int,
) -> list[Suggestion]:
    out: list[Suggestion] = []
    claims_shown: set[int] = set()
    for m in matches:
        kind, _, raw = m.key.partition(":")
        pk = int(raw)
        if kind in ("claim", "sighting"):
            claim = claims.get(pk if kind == "claim" else sighting_claims.get(pk, -1))
            if claim is None:
                index_forget(key=m.key)  # deleted, merged or unlinked since it was indexed
                continue
            if claim.pk in claims_shown:
                continue  # already suggested through a better-scoring entry
            claims_shown.add(claim.pk)
            out.append(
                Suggestion(
                    kind="claim",
                    pk=claim.pk,
                    claim_pk=claim.pk,
                    title=claim.title,
                    text=claim.text,
                    score=m.score,
                    band=m.band,
                    status=claim.get_status_display(),
                    url=claim.get_absolute_url(),
                )
            )
        elif kind == "rebuttal":
            rebuttal = rebuttals.get(pk)
            if rebuttal is None:
                index_forget(key=m.key)  # withdrawn or deleted since it was indexed
                continue
            out.append(
                Suggestion(
                    kind="rebuttal",
                    pk=pk,
                    claim_pk=rebuttal.claim_id,
                    title=rebuttal.headline,
                    text=rebuttal.what_is_said,
                    score=m.score,
                    band=m.band,
                    status="Published myth-buster",
                    url=rebuttal.get_absolute_url(),
                )
            )
        if len(out) >= k:
            break
    return out
