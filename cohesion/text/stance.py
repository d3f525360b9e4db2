"""Stance of an answer towards the proposal: agree, disagree or unclear (no Django).

Where the consultation has a closed question linked to the free-text one, stance comes from that
answer (``stance_from_choice``). Otherwise the officer labels a few answers (up to ~50) and
``StanceClassifier`` learns from them: a logistic regression on the MiniLM sentence embedding
plus one cue feature (how much nearer the answer is to a generic "I agree / support it" sentence
than to "I disagree / oppose it"), with classes balanced so a minority stance is not drowned out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cohesion.text.embeddings import Embedder
from cohesion.text.themes import clean_answer, default_embedder, is_usable

AGREE = "agree"
DISAGREE = "disagree"
UNCLEAR = "unclear"
STANCES = (AGREE, DISAGREE, UNCLEAR)

_PROTOTYPES = (
    "I agree with this proposal and support it. Good idea, yes.",
    "I disagree with this proposal and oppose it. Bad idea, no.",
)
CUE_SCALE = 10.0

_AGREE_WORDS = {"agree", "strongly agree", "tend to agree", "yes", "support", "in favour"}
_DISAGREE_WORDS = {"disagree", "strongly disagree", "tend to disagree", "no", "oppose", "against"}


def stance_from_choice(choice: str | None) -> str:
    """Stance from the answer to a linked agree/disagree (or yes/no) question."""
    if not choice:
        return UNCLEAR
    value = " ".join(choice.lower().split())
    if value in _DISAGREE_WORDS or value.startswith(
        ("disagree", "strongly disagree", "tend to disagree")
    ):
        return DISAGREE
    if value in _AGREE_WORDS or value.startswith(("agree", "strongly agree", "tend to agree")):
        return AGREE
    return UNCLEAR


def normalise_label(label: str) -> str:
    value = " ".join(str(label).lower().split())
    if value in STANCES:
        return value
    mapped = stance_from_choice(value)
    return mapped


class StanceClassifier:
    """Learns agree / disagree / unclear from an officer's labelled examples."""

    def __init__(self, *, embedder: Embedder | None = None, c: float = 10.0) -> None:
        self.embedder = embedder
        self.c = c
        self.classes_: list[str] = []
        self._model: Any = None
        self._constant: str | None = None

    def _vectors(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        cleaned = [clean_answer(t) for t in texts]
        usable = np.array([is_usable(t) for t in cleaned], dtype=bool)
        embedder = self.embedder or default_embedder()
        vectors = np.asarray(embedder.embed(cleaned), dtype=np.float32)
        agree, disagree = np.asarray(embedder.embed(list(_PROTOTYPES)), dtype=np.float32)
        cue = CUE_SCALE * (vectors @ agree - vectors @ disagree)
        return np.hstack([vectors, cue[:, None]]), usable

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> StanceClassifier:
        from sklearn.linear_model import LogisticRegression

        if len(texts) != len(labels):
            raise ValueError("Give one label for each example answer.")
        y = np.array([normalise_label(label) for label in labels])
        vectors, usable = self._vectors(texts)
        vectors, y = vectors[usable], y[usable]
        if len(y) == 0:
            raise ValueError("Label at least one answer that has some words in it.")
        self.classes_ = sorted(set(y.tolist()))
        if len(self.classes_) == 1:
            self._constant = self.classes_[0]
            self._model = None
            return self
        self._constant = None
        model = LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000)
        model.fit(vectors, y)
        self._model = model
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        if self._model is None and self._constant is None:
            raise ValueError("The stance classifier has not been trained yet.")
        if not texts:
            return []
        vectors, usable = self._vectors(texts)
        if self._constant is not None:
            predicted = np.array([self._constant] * len(texts), dtype=object)
        else:
            predicted = np.asarray(self._model.predict(vectors), dtype=object)
        return [str(p) if ok else UNCLEAR for p, ok in zip(predicted, usable, strict=True)]
