"""Map answers to a code frame the officer already has (no Django).

A code frame is a list of themes, each a name and a description. An answer can make several
points, so it is read whole and sentence by sentence: each theme scores the best match of its
description with the answer or any of its sentences (mean of the MiniLM cosine and the TF-IDF
cosine). The best theme is kept when it is a reasonable match; further themes are kept when a
sentence of their own matches them clearly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from cohesion.text.embeddings import Embedder
from cohesion.text.themes import clean_answer, default_embedder, is_usable

# Below this score (mean of the two cosines) the best theme is not taken: the answer has none.
MIN_SCORE = 0.15
# A further theme (up to three) is kept when it scores at least this share of the top score.
SECOND_SHARE = 0.9

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s+(?:but|however|although|whereas|while)\s+", re.I)


def segments(text: str) -> list[str]:
    """The answer's sentences and clauses (the whole answer is scored separately)."""
    parts = [p.strip(" ,;:-") for p in _SENTENCE.split(text)]
    return [p for p in parts if p and len(p.split()) >= 3]


def _frame_texts(frame: Sequence[tuple[str, str]]) -> list[str]:
    return [f"{name}. {description}".strip() for name, description in frame]


def word_model(corpus: Sequence[str], frame: Sequence[tuple[str, str]]) -> Any:
    """TF-IDF word statistics fitted on the answers in ``corpus`` and the frame's themes (None
    when there are no words to count)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2))
    try:
        return tfidf.fit([clean_answer(t) for t in corpus] + _frame_texts(frame))
    except ValueError:
        return None


def score_matrix(
    texts: Sequence[str],
    frame: Sequence[tuple[str, str]],
    *,
    embedder: Embedder | None = None,
    words: Any = None,
) -> tuple[np.ndarray, list[int]]:
    """Scores (answer x theme) and the answers that were usable.

    ``words``: the word statistics the lexical score uses (:func:`word_model`); by default they
    are fitted on ``texts`` themselves. Give a model fitted on all of a question's answers to
    score a few of them as they would be scored with the rest.
    """
    from sklearn.preprocessing import normalize

    embedder = embedder or default_embedder()
    cleaned = [clean_answer(t) for t in texts]
    pieces: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(cleaned):
        if not is_usable(text):
            continue
        pieces.append(text)
        owner.append(i)
        for part in segments(text):
            if part != text:
                pieces.append(part)
                owner.append(i)
    frame_texts = _frame_texts(frame)
    scores = np.full((len(cleaned), len(frame)), -np.inf, dtype=np.float32)
    if not pieces or not frame:
        return scores, []
    vectors = np.asarray(embedder.embed(pieces + frame_texts), dtype=np.float32)
    semantic = vectors[: len(pieces)] @ vectors[len(pieces) :].T
    words = words if words is not None else word_model(cleaned, frame)
    if words is None:
        lexical = np.zeros_like(semantic)
    else:
        matrix = normalize(words.transform(pieces + frame_texts))
        lexical = (matrix[: len(pieces)] @ matrix[len(pieces) :].T).toarray()
    combined = 0.5 * (semantic + lexical)
    owners = np.asarray(owner)
    for row, i in enumerate(owners):
        scores[i] = np.maximum(scores[i], combined[row])
    return scores, sorted(set(owner))


def map_to_frame(
    texts: Sequence[str],
    frame: Sequence[tuple[str, str]],
    *,
    embedder: Embedder | None = None,
) -> list[list[int]]:
    """For each answer, the indices of the frame themes it makes (several, one or none)."""
    scores, usable = score_matrix(texts, frame, embedder=embedder)
    return frame_labels(scores, usable)


def frame_labels(scores: np.ndarray, usable: Sequence[int]) -> list[list[int]]:
    """The themes each answer makes, from ``score_matrix``'s scores: the best theme when it
    scores at least ``MIN_SCORE``, with up to two more that score nearly as well."""
    out: list[list[int]] = [[] for _ in range(len(scores))]
    for i in usable:
        row = scores[i]
        top = int(np.argmax(row))
        if row[top] < MIN_SCORE:
            continue
        chosen = [j for j in np.argsort(-row) if row[j] >= SECOND_SHARE * row[top]]
        out[i] = [int(j) for j in chosen[:3]]
    return out
