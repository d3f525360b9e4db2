"""Matching a new rumour report to the claims (and rebuttals) already on file.

Pure Python and NumPy, no Django. Three retrievers are fused:

- **lexical**: BM25 (Okapi, k1=1.2, b=0.75, Lucene idf) over lower-cased word tokens with English
  stop words removed and a light suffix stemmer, kept in an inverted index that is updated in
  place when a claim is added, replaced or removed;
- **semantic**: cosine similarity of the sentence embeddings of two differently trained models
  that ship inside PyPI packages (``cohesion.text.embeddings``): MiniLM, and Google's Universal
  Sentence Encoder as a second opinion.

The query is cleaned first (:func:`cohesion.text.clean.clean_social`: links, handles, bylines,
emoji, quotation marks), and the name in a copied post's byline is added back after a dash
(:func:`query_text`). The fused score is a weighted sum of the two cosines and the normalised
BM25 score, or the Universal Sentence Encoder's cosine alone scaled by ``CROSS_LINGUAL_WEIGHT``
when that is higher: that model reads 16 languages, MiniLM and BM25 read English only, so a
report in Polish or Arabic still finds the English claim it repeats. Ties go to the claim added
first. Each match gets a **suggestion band** ("strong", "possible", "weak"). A band is a hint
for the person confirming the match, never a reason to merge claims automatically.

Settings and their evidence: ``docs/methods.md`` and ``docs/benchmarks.md`` (CLEF 2020
CheckThat! task 2; chosen on the train split, reported on dev).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cohesion.text.clean import MAX_CHARS, byline_author, clean_social
from cohesion.text.embeddings import MINILM, USE, Embedder

FORMAT_VERSION = 2

# BM25 parameters (the usual defaults; see docs/methods.md).
K1 = 1.2
B = 0.75

# Fusion: score = MINILM_WEIGHT * MiniLM cosine + USE_WEIGHT * USE cosine + LEXICAL_WEIGHT *
# lexical, where lexical is a mix of BM25 divided by the best BM25 score for the query and BM25
# divided by the query's upper bound (LEXICAL_WEIGHTS, summing to 1). Chosen on the CLEF train
# split (docs/methods.md).
MINILM_WEIGHT = 0.5
USE_WEIGHT = 0.25
LEXICAL_WEIGHT = 0.25
LEXICAL_WEIGHTS = (0.5, 0.5)  # (relative to the best, relative to the upper bound)
# A report in another language: the score is at least CROSS_LINGUAL_WEIGHT * USE cosine. The
# Universal Sentence Encoder puts a Polish or Arabic report close to the English claim it repeats,
# but the English-only parts (MiniLM, BM25) drag the weighted sum below what the desk shows. On
# English reports the weighted sum is almost always higher: any weight up to 0.75 leaves CLEF
# train MAP@5 unchanged, and 0.7 keeps a margin (docs/methods.md).
CROSS_LINGUAL_WEIGHT = 0.7
# Bands on the fused score, read off the CLEF train split: when the best match scores 0.6 or
# more it was the right claim 98% of the time (58% of reports get there); 91% of the right
# claims score 0.45 or more. A band is a hint for the officer, never an automatic merge.
STRONG = 0.6
POSSIBLE = 0.45

# A small English stop-word list (function words only: negations and numbers are kept, since
# "not" and "5G" can be the point of a claim).
_STOP_WORDS_TEXT = """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves s t ll ve re d m"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_TOKEN = re.compile(r"[0-9a-z]+(?:['\u2019][a-z]+)?")


def stem(word: str) -> str:
    """A light English suffix stemmer (plural and a few verb endings), enough for BM25 to see
    "vaccines"/"vaccine" and "closing"/"closed"/"close" as one word."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens for BM25, stop words out, lightly stemmed."""
    text = text[:MAX_CHARS].lower()
    out = []
    for token in _TOKEN.findall(text):
        token = token.replace("\u2019", "'")
        if "'" in token:
            token = token.split("'", 1)[0]
        if token in STOP_WORDS or not token:
            continue
        out.append(stem(token))
    return out


@dataclass(frozen=True)
class Match:
    """One suggested match: the caller's key and how close it is."""

    key: str  # the caller's id for the claim (e.g. "claim:12" or "rebuttal:3")
    score: float  # fused score in [0, 1], higher is better
    lexical: float  # BM25 part, normalised to [0, 1]
    semantic: float  # cosine similarity of the MiniLM embeddings
    use: float  # cosine similarity of the Universal Sentence Encoder embeddings
    band: str  # "strong" | "possible" | "weak": a suggestion, never an automatic merge


def band_for(score: float) -> str:
    if score >= STRONG:
        return "strong"
    if score >= POSSIBLE:
        return "possible"
    return "weak"


class _Bm25:
    """An inverted index with BM25 scoring that is updated one document at a time."""

    def __init__(self) -> None:
        self.postings: dict[str, dict[int, int]] = {}
        self.doc_len = np.zeros(0, dtype=np.float32)
        self.total_len = 0
        self.count = 0
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _grow(self, capacity: int) -> None:
        if capacity > len(self.doc_len):
            grown = np.zeros(capacity, dtype=np.float32)
            grown[: len(self.doc_len)] = self.doc_len
            self.doc_len = grown

    def add(self, row: int, tokens: Sequence[str]) -> None:
        self._grow(row + 1)
        for term, tf in Counter(tokens).items():
            self.postings.setdefault(term, {})[row] = tf
            self._arrays.pop(term, None)
        self.doc_len[row] = len(tokens)
        self.total_len += len(tokens)
        self.count += 1

    def remove(self, row: int, tokens: Sequence[str]) -> None:
        for term in set(tokens):
            posting = self.postings.get(term)
            if posting is not None:
                posting.pop(row, None)
                if not posting:
                    del self.postings[term]
            self._arrays.pop(term, None)
        self.total_len -= len(tokens)
        self.doc_len[row] = 0
        self.count -= 1

    def _posting_arrays(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        arrays = self._arrays.get(term)
        if arrays is None:
            posting = self.postings.get(term)
            if not posting:
                return None
            rows = np.fromiter(posting.keys(), dtype=np.int64, count=len(posting))
            tfs = np.fromiter(posting.values(), dtype=np.float32, count=len(posting))
            arrays = (rows, tfs)
            self._arrays[term] = arrays
        return arrays

    def idf(self, df: int) -> float:
        return math.log(1.0 + (self.count - df + 0.5) / (df + 0.5))

    def scores(self, tokens: Sequence[str], size: int) -> tuple[np.ndarray, float]:
        """BM25 score of every row for the query, and the query's upper bound (the score a
        document would get if it held every query term many times)."""
        out = np.zeros(size, dtype=np.float32)
        if self.count == 0 or not tokens:
            return out, 0.0
        avg = self.total_len / self.count if self.total_len else 1.0
        bound = 0.0
        for term, qtf in Counter(tokens).items():
            arrays = self._posting_arrays(term)
            if arrays is None:
                continue
            rows, tfs = arrays
            idf = self.idf(len(rows))
            bound += idf * (K1 + 1.0) * qtf
            norm = K1 * (1.0 - B + B * self.doc_len[rows] / avg)
            out[rows] += qtf * idf * tfs * (K1 + 1.0) / (tfs + norm)
        return out, bound


class ClaimIndex:
    """Claims on file, searchable by a new report; updated one claim at a time.

    ``embedder`` and ``use_embedder``: the MiniLM and Universal Sentence Encoder embedders (with
    their caches) to use; None makes one that caches in memory only.
    """

    def __init__(
        self, embedder: Embedder | None = None, use_embedder: Embedder | None = None
    ) -> None:
        self.embedder = embedder if embedder is not None else Embedder(None)
        self.use_embedder = use_embedder if use_embedder is not None else Embedder(None, model=USE)
        self._keys: list[str | None] = []  # row -> key (None for a free row)
        self._rows: dict[str, int] = {}
        self._texts: list[str] = []
        self._tokens: list[list[str]] = []
        self._free: list[int] = []
        self._vectors = np.zeros((0, MINILM.dimensions), dtype=np.float32)
        self._use_vectors = np.zeros((0, USE.dimensions), dtype=np.float32)
        self._active = np.zeros(0, dtype=bool)
        self._bm25 = _Bm25()

    # -- building ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def keys(self) -> list[str]:
        return [key for key in self._keys if key is not None]

    def text(self, key: str) -> str:
        return self._texts[self._rows[key]]

    def _grow(self, capacity: int) -> None:
        if capacity > len(self._vectors):
            size = max(capacity, 2 * len(self._vectors), 64)
            vectors = np.zeros((size, MINILM.dimensions), dtype=np.float32)
            vectors[: len(self._vectors)] = self._vectors
            use_vectors = np.zeros((size, USE.dimensions), dtype=np.float32)
            use_vectors[: len(self._use_vectors)] = self._use_vectors
            active = np.zeros(size, dtype=bool)
            active[: len(self._active)] = self._active
            self._vectors, self._use_vectors, self._active = vectors, use_vectors, active

    def _place(self, key: str, text: str, vector: np.ndarray, use_vector: np.ndarray) -> None:
        if key in self._rows:
            self.remove(key)
        if self._free:
            row = self._free.pop()
        else:
            row = len(self._keys)
            self._keys.append(None)
            self._texts.append("")
            self._tokens.append([])
        self._grow(row + 1)
        tokens = tokenize(document_text(text))
        self._keys[row] = key
        self._rows[key] = row
        self._texts[row] = text
        self._tokens[row] = tokens
        self._vectors[row] = vector
        self._use_vectors[row] = use_vector
        self._active[row] = True
        self._bm25.add(row, tokens)

    def add(self, key: str, text: str) -> None:
        """Add a claim (or replace the one with the same key)."""
        cleaned = [document_text(text)]
        self._place(key, text, self.embedder.embed(cleaned)[0], self.use_embedder.embed(cleaned)[0])

    def add_many(self, items: Iterable[tuple[str, str]], batch_size: int = 64) -> None:
        """Add many (key, text) pairs, embedding them in batches."""
        pairs = list(items)
        cleaned = [document_text(text) for _, text in pairs]
        vectors = self.embedder.embed(cleaned, batch_size)
        use_vectors = self.use_embedder.embed(cleaned, batch_size)
        for (key, text), vector, use_vector in zip(pairs, vectors, use_vectors, strict=True):
            self._place(key, text, vector, use_vector)

    @classmethod
    def build(
        cls,
        items: Iterable[tuple[str, str]],
        embedder: Embedder | None = None,
        use_embedder: Embedder | None = None,
    ) -> ClaimIndex:
        index = cls(embedder, use_embedder)
        index.add_many(items)
        return index

    def remove(self, key: str) -> None:
        """Take a claim out of the index (nothing happens if the key is not there)."""
        row = self._rows.pop(key, None)
        if row is None:
            return
        self._bm25.remove(row, self._tokens[row])
        self._keys[row] = None
        self._texts[row] = ""
        self._tokens[row] = []
        self._vectors[row] = 0.0
        self._use_vectors[row] = 0.0
        self._active[row] = False
        self._free.append(row)

    # -- searching --------------------------------------------------------------------------

    def prepare(self, queries: Sequence[str]) -> None:
        """Embed many queries in one batch (kept in memory only, never on disk), so that the
        searches for them that follow do not run the models once per query: for a page listing
        many reports, one batch is several times faster."""
        texts = [t for t in map(self._query, queries) if t]
        if texts:
            self.embedder.embed(texts, store=False)
            self.use_embedder.embed(texts, store=False)

    @staticmethod
    def _query(query: str) -> str:
        """A query as it is scored and embedded: its start, cleaned (:func:`query_text`)."""
        return query_text(query[: 4 * MAX_CHARS])

    def _scores(self, query: str) -> tuple[np.ndarray, ...]:
        """Fused, lexical, MiniLM and USE scores of every row (free rows score -1)."""
        size = len(self._keys)
        text = self._query(query)
        if not text:
            return np.full(size, -1.0), np.zeros(size), np.zeros(size), np.zeros(size)
        raw, bound = self._bm25.scores(tokenize(text), size)
        best = float(raw.max()) if size else 0.0
        lexical: np.ndarray = np.zeros(size, dtype=np.float32)
        if best > 0 and bound > 0:
            lexical = (LEXICAL_WEIGHTS[0] / best + LEXICAL_WEIGHTS[1] / bound) * raw
        semantic = self._vectors[:size] @ self.embedder.embed([text], store=False)[0]
        use = self._use_vectors[:size] @ self.use_embedder.embed([text], store=False)[0]
        fused = (
            MINILM_WEIGHT * np.clip(semantic, 0.0, 1.0)
            + USE_WEIGHT * np.clip(use, 0.0, 1.0)
            + LEXICAL_WEIGHT * lexical
        )
        fused = np.maximum(fused, CROSS_LINGUAL_WEIGHT * np.clip(use, 0.0, 1.0))
        fused = np.where(self._active[:size], fused, -1.0)
        return fused, lexical, semantic, use

    def ranked_keys(self, query: str, k: int = 10, *, by: str = "score") -> list[str]:
        """The keys of the ``k`` best claims by the fused score, or by one of its parts alone,
        ``"lexical"``, ``"semantic"`` (MiniLM) or ``"use"`` (for benchmarks); ties go to the
        claim added first."""
        if not query or not query.strip() or not self._rows or k <= 0:
            return []
        fused, lexical, semantic, use = self._scores(query)
        parts = {"score": fused, "lexical": lexical, "semantic": semantic, "use": use}
        chosen = np.where(self._active[: len(fused)], parts[by], -np.inf)
        order = np.argsort(-chosen, kind="stable")[: min(k, len(self._rows))]
        return [key for key in (self._keys[row] for row in order) if key is not None]

    def search(self, query: str, k: int = 10) -> list[Match]:
        """The ``k`` claims closest to the query, best first (empty query: no matches)."""
        if not query or not query.strip() or not self._rows or k <= 0:
            return []
        fused, lexical, semantic, use = self._scores(query)
        k = min(k, len(self._rows))
        top = np.argpartition(-fused, k - 1)[:k] if k < len(fused) else np.arange(len(fused))
        top = top[np.lexsort((top, -fused[top]))]
        top = top[fused[top] >= 0.0]  # free rows, or a query with no words left after clean-up
        matches = []
        for row in top:
            key = self._keys[row]
            if key is None:
                continue
            score = float(np.clip(fused[row], 0.0, 1.0))
            matches.append(
                Match(
                    key=key,
                    score=score,
                    lexical=float(lexical[row]),
                    semantic=float(semantic[row]),
                    use=float(use[row]),
                    band=band_for(score),
                )
            )
        return matches

    # -- saving -----------------------------------------------------------------------------

    def save(self, path: Path | str) -> None:
        """Write the index as ``<path>.npz`` (vectors) and ``<path>.json`` (keys and texts)."""
        base = Path(path)
        rows = [row for row, key in enumerate(self._keys) if key is not None]
        meta = {
            "format": FORMAT_VERSION,
            "models": _MODELS,
            "keys": [self._keys[row] for row in rows],
            "texts": [self._texts[row] for row in rows],
        }
        base.parent.mkdir(parents=True, exist_ok=True)
        npz = base.with_suffix(".npz")
        with npz.open("wb") as handle:
            np.savez(handle, vectors=self._vectors[rows], use_vectors=self._use_vectors[rows])
        base.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False))

    @classmethod
    def load(
        cls,
        path: Path | str,
        embedder: Embedder | None = None,
        use_embedder: Embedder | None = None,
    ) -> ClaimIndex:
        """Read an index written by :meth:`save` (no claim is embedded again)."""
        base = Path(path)
        meta = json.loads(base.with_suffix(".json").read_text())
        if meta.get("format") != FORMAT_VERSION or meta.get("models") != _MODELS:
            raise ValueError("the saved index was made by another version; rebuild it")
        with np.load(base.with_suffix(".npz"), allow_pickle=False) as data:
            if "use_vectors" not in data:
                raise ValueError("the saved index is damaged; rebuild it")
            vectors = np.asarray(data["vectors"], dtype=np.float32)
            use_vectors = np.asarray(data["use_vectors"], dtype=np.float32)
        keys, texts = meta["keys"], meta["texts"]
        if (
            vectors.shape != (len(keys), MINILM.dimensions)
            or use_vectors.shape != (len(keys), USE.dimensions)
            or len(texts) != len(keys)
        ):
            raise ValueError("the saved index is damaged; rebuild it")
        index = cls(embedder, use_embedder)
        for key, text, vector, use_vector in zip(keys, texts, vectors, use_vectors, strict=True):
            index._place(key, text, vector, use_vector)
        return index


_MODELS = [MINILM.name, USE.name]


def query_text(text: str) -> str:
    """The text of a report as it is matched: cleaned, with the author of a copied post's byline
    (who said it is often who the claim is about) kept after a dash."""
    cleaned = clean_social(text)
    author = byline_author(text)
    if cleaned and author:
        return f"{cleaned} \u2014 {author}"
    return cleaned


def document_text(text: str) -> str:
    """The text of a claim as it is indexed (cleaned like a report, cut to a bounded length)."""
    return clean_social(text)
