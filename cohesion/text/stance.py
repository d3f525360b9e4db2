"""Stance of an answer towards the proposal: agree, disagree or unclear (no Django).

Where the consultation has a closed question linked to the free-text one, stance comes from that
answer (``stance_from_choice``). Otherwise the officer labels a few answers (up to ~50) and
``StanceClassifier`` learns from them: a logistic regression on the MiniLM sentence embedding
plus one cue feature (how much nearer the answer is to a generic "I agree / support it" sentence
than to "I disagree / oppose it"), with classes balanced so a minority stance is not drowned out.
Where the officer's code frame says which themes argue for the proposal and which against, a
second cue is added: how much better the answer matches its best "for" theme than its best
"against" theme (scored as in ``cohesion.text.codeframe``), and the answers the officer has not
labelled join the examples with the side the code frame gives them (``stance_from_frame``), as
weak examples that together count as much as the officer's labels.

Which answers the officer labels matters as much as how many: ``suggest_examples`` picks them
(active learning). The first batch covers the spread of what people said (the answer nearest the
centre of each k-means group of embeddings); once there are a few labels each way, the next batch
is the answers the classifier is least sure about, near-copies of each other last.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cohesion.text.codeframe import MIN_SCORE, score_matrix, word_model
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
# The code-frame cue (best "for" theme score minus best "against" theme score), scaled likewise.
SIDE_SCALE = 10.0
FOR = "for"
AGAINST = "against"
# Answers suggested for labelling: a first batch covering the spread, then batches of the
# answers the classifier is least sure about (see docs/benchmarks.md: 50 labels chosen this way
# beat 50 picked at random).
FIRST_BATCH = 20
NEXT_BATCH = 10
NEAR_COPY = 0.9  # cosine above which two suggestions in one batch count as the same answer
# The code frame's guesses used as weak examples: at most this many (a sample, the same each time).
MAX_WEAK = 2000

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


def sided_frame(
    frame: Sequence[tuple[str, str, str]] | None,
) -> list[tuple[str, str, str]] | None:
    """The code frame as (name, description, side), or None unless it has a theme on each side."""
    themes = list(frame or [])
    return themes if {FOR, AGAINST} <= {side for _n, _d, side in themes} else None


def _best_by_side(
    texts: Sequence[str],
    frame: Sequence[tuple[str, str, str]],
    *,
    embedder: Embedder | None,
    words: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Each answer's best "for" theme score and best "against" theme score (-inf for an answer
    with no words), scored as in the code-frame mapping."""
    scores, _usable = score_matrix(
        texts, [(n, d) for n, d, _s in frame], embedder=embedder, words=words
    )
    sides = np.array([side for _n, _d, side in frame])
    return scores[:, sides == FOR].max(axis=1), scores[:, sides == AGAINST].max(axis=1)


def stance_from_frame(
    texts: Sequence[str],
    frame: Sequence[tuple[str, str, str]],
    *,
    embedder: Embedder | None = None,
    answers: Sequence[str] | None = None,
) -> list[str]:
    """Stance with no labelled examples, from a code frame that marks themes "for" and "against":
    an answer agrees when its best "for" theme scores higher than its best "against" theme, and
    disagrees the other way round; an answer that matches no theme well is "unclear".
    ``answers``: all the question's answers, whose word statistics the scores use."""
    sided = sided_frame(frame)
    if sided is None:
        raise ValueError("The code frame needs at least one theme for and one against.")
    words = word_model(answers, [(n, d) for n, d, _s in sided]) if answers is not None else None
    best_for, best_against = _best_by_side(texts, sided, embedder=embedder, words=words)
    return _frame_stances(best_for, best_against)


def _side_cue(best_for: np.ndarray, best_against: np.ndarray) -> np.ndarray:
    """Best "for" theme score minus best "against" theme score, per answer (0 if unusable)."""
    with np.errstate(invalid="ignore"):  # an answer with no words scores -inf on both sides
        cue = best_for - best_against
    cue[~np.isfinite(cue)] = 0.0
    return cue


def _frame_stances(best_for: np.ndarray, best_against: np.ndarray) -> list[str]:
    """Agree when the best "for" theme beats the best "against" theme, disagree the other way
    round, unclear when the answer has no words or matches no theme well."""
    out = []
    for pro, con in zip(best_for, best_against, strict=True):
        if not np.isfinite(pro) or max(pro, con) < MIN_SCORE:
            out.append(UNCLEAR)
        else:
            out.append(AGREE if pro > con else DISAGREE)
    return out


class StanceClassifier:
    """Learns agree / disagree / unclear from an officer's labelled examples.

    ``frame``: the question's code frame as (name, description, side) with side "for",
    "against" or "" (neither); used only when it has at least one theme on each side.
    ``answers``: all the question's answers, whose word statistics the code-frame cue uses (so an
    answer scores the same whether it is among the examples or not).
    """

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        c: float = 10.0,
        frame: Sequence[tuple[str, str, str]] | None = None,
        answers: Sequence[str] | None = None,
    ) -> None:
        self.embedder = embedder
        self.c = c
        self.frame = sided_frame(frame)
        self.answers = list(answers) if answers is not None else None
        self._words: Any = None
        self._all: tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None] | None = None
        self.classes_: list[str] = []
        self._model: Any = None
        self._constant: str | None = None

    def _sides(
        self, cleaned: Sequence[str], frame: Sequence[tuple[str, str, str]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Best "for" and best "against" theme score per answer (see ``_best_by_side``). The word
        statistics are fitted once, on all the answers."""
        if self._words is None and self.answers is not None:
            self._words = word_model(self.answers, [(n, d) for n, d, _s in frame])
        return _best_by_side(cleaned, frame, embedder=self.embedder, words=self._words)

    def _features(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The classifier's input for answers: the embedding, the cue and, where the code frame
        has sides, the code-frame cue; and which answers have any words to read."""
        features, usable, _sides = self._read(texts)
        return features, usable

    def _read(
        self, texts: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        """``_features``, and each answer's best score on each side of the code frame (None
        without sides). All the question's answers are read once and kept."""
        is_all = self.answers is not None and list(texts) == self.answers
        if is_all and self._all is not None:
            return self._all
        cleaned = [clean_answer(t) for t in texts]
        usable = np.array([is_usable(t) for t in cleaned], dtype=bool)
        embedder = self.embedder or default_embedder()
        vectors = np.asarray(embedder.embed(cleaned), dtype=np.float32)
        agree, disagree = np.asarray(embedder.embed(list(_PROTOTYPES)), dtype=np.float32)
        columns = [vectors, CUE_SCALE * (vectors @ agree - vectors @ disagree)[:, None]]
        sides = None
        if self.frame is not None:
            sides = self._sides(cleaned, self.frame)
            columns.append(SIDE_SCALE * _side_cue(*sides)[:, None])
        read = (np.hstack(columns), usable, sides)
        if is_all:
            self._all = read
        return read

    def _frame_examples(self, labelled: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Weak examples: the question's answers that are not among ``labelled``, each with the
        stance the code frame's sides give it (``stance_from_frame``; answers it leaves unclear
        are left out). Empty without a code frame with sides and the question's answers."""
        empty = (np.zeros((0, 0), dtype=np.float32), np.array([], dtype=object))
        if self.frame is None or not self.answers:
            return empty
        features, _usable, sides = self._read(self.answers)
        if sides is None:
            return empty
        given = set(labelled)
        keep = [
            (row, stance)
            for row, (text, stance) in enumerate(
                zip(self.answers, _frame_stances(*sides), strict=True)
            )
            if stance != UNCLEAR and text not in given
        ]
        if not keep:
            return empty
        if len(keep) > MAX_WEAK:  # a large consultation: a fixed sample keeps the fit quick
            picked = np.random.default_rng(0).choice(len(keep), MAX_WEAK, replace=False)
            keep = [keep[i] for i in sorted(picked)]
        rows, stances = zip(*keep, strict=True)
        return features[list(rows)], np.array(stances)

    def _new_model(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000)

    def _train(
        self, features: np.ndarray, y: np.ndarray, weak: tuple[np.ndarray, np.ndarray]
    ) -> Any:
        """A model fitted on the labelled examples and the weak examples (``_frame_examples``),
        weighted so that all the weak ones together count as much as the labels."""
        weak_x, weak_y = weak
        if len(weak_y) == 0:
            return self._new_model().fit(features, y)
        weights = np.concatenate([np.ones(len(y)), np.full(len(weak_y), len(y) / len(weak_y))])
        return self._new_model().fit(
            np.vstack([features, weak_x]), np.concatenate([y, weak_y]), sample_weight=weights
        )

    def _examples(
        self, texts: Sequence[str], labels: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Features and labels of the labelled answers that have words in them."""
        if len(texts) != len(labels):
            raise ValueError("Give one label for each example answer.")
        y = np.array([normalise_label(label) for label in labels])
        features, usable = self._features(texts)
        return features[usable], y[usable]

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> StanceClassifier:
        vectors, y = self._examples(texts, labels)
        if len(y) == 0:
            raise ValueError("Label at least one answer that has some words in it.")
        self.classes_ = sorted(set(y.tolist()))
        if len(self.classes_) == 1:
            self._constant = self.classes_[0]
            self._model = None
            return self
        self._constant = None
        self._model = self._train(vectors, y, self._frame_examples(texts))
        return self

    def margins(self, texts: Sequence[str]) -> np.ndarray:
        """How sure the classifier is about answers: the gap between its two most likely
        stances (0 = a coin toss, 1 = certain)."""
        return self._margins(self._features(texts)[0])

    def _margins(self, features: np.ndarray) -> np.ndarray:
        """``margins`` for answers already read."""
        if self._model is None:  # untrained, or every label the same: no answer is uncertain
            return np.ones(len(features))
        probabilities = np.sort(self._model.predict_proba(features), axis=1)
        return np.asarray(probabilities[:, -1] - probabilities[:, -2], dtype=float)

    def predict(self, texts: Sequence[str]) -> list[str]:
        if self._model is None and self._constant is None:
            raise ValueError("The stance classifier has not been trained yet.")
        if not texts:
            return []
        vectors, usable = self._features(texts)
        if self._constant is not None:
            predicted = np.array([self._constant] * len(texts), dtype=object)
        else:
            predicted = np.asarray(self._model.predict(vectors), dtype=object)
        return [str(p) if ok else UNCLEAR for p, ok in zip(predicted, usable, strict=True)]

    def cross_check(
        self, texts: Sequence[str], labels: Sequence[str], folds: int = 10
    ) -> tuple[int, int]:
        """How often the classifier agrees with the officer's own labels on answers it did not
        learn from: the labelled answers are split into ``folds`` parts, and each part is
        predicted by a classifier trained on the others. Returns (right, checked); answers with
        no words are not checked."""
        from sklearn.model_selection import KFold

        features, y = self._examples(texts, labels)
        if len(y) < 2:
            return 0, 0
        weak = self._frame_examples(texts)  # every labelled answer is left out of them
        right = 0
        splits = KFold(n_splits=min(folds, len(y)), shuffle=True, random_state=0).split(features)
        for train, test in splits:
            kinds = sorted(set(y[train].tolist()))
            if len(kinds) == 1:
                right += int((y[test] == kinds[0]).sum())
                continue
            model = self._train(features[train], y[train], weak)
            right += int((model.predict(features[test]) == y[test]).sum())
        return right, len(y)


def suggest_examples(
    texts: Sequence[str],
    labels: Mapping[int, str],
    *,
    embedder: Embedder | None = None,
    first: int = FIRST_BATCH,
    batch: int = NEXT_BATCH,
    seed: int = 0,
    frame: Sequence[tuple[str, str, str]] | None = None,
    model: StanceClassifier | None = None,
) -> list[int]:
    """The answers (positions in ``texts``) the officer should label next.

    ``labels`` maps positions already labelled to their label. Until there are 3 answers each
    way, the suggestions spread over what people said: k-means on the embeddings, the answer
    nearest each centre. After that, the unlabelled answers the classifier is least sure about,
    with near-copies of a suggestion already made put last. ``frame`` as for
    :class:`StanceClassifier`; ``model``: an untrained classifier made with ``answers=texts``
    to use (and train) instead of a new one, so that what it has read of the answers is kept.
    """
    from sklearn.cluster import KMeans

    cleaned = [clean_answer(t) for t in texts]
    pool = [i for i, t in enumerate(cleaned) if is_usable(t) and i not in labels]
    if not pool:
        return []
    embedder = embedder or default_embedder()
    vectors = np.asarray(embedder.embed([cleaned[i] for i in pool]), dtype=np.float32)
    known = Counter(normalise_label(label) for label in labels.values())
    if known[AGREE] < 3 or known[DISAGREE] < 3:
        k = min(first, len(pool))
        groups = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(vectors)
        chosen: list[int] = []
        for group in range(k):
            members = np.flatnonzero(groups.labels_ == group)  # never empty after k-means
            distance = ((vectors[members] - groups.cluster_centers_[group]) ** 2).sum(axis=1)
            chosen.append(int(members[np.argmin(distance)]))
        return sorted(pool[j] for j in chosen)
    labelled = sorted(labels)
    model = (model or StanceClassifier(embedder=embedder, frame=frame, answers=texts)).fit(
        [texts[i] for i in labelled], [labels[i] for i in labelled]
    )
    # All the answers are read once (the weak examples of the fit need them too).
    features = model._read(texts)[0]
    order = np.argsort(model._margins(features[pool]), kind="stable")
    picked: list[int] = []
    for j in order:
        if all(float(vectors[j] @ vectors[other]) < NEAR_COPY for other in picked):
            picked.append(int(j))
        if len(picked) >= batch:
            break
    # Where near-copies are all that is left, they still fill the batch.
    picked += [int(j) for j in order if int(j) not in picked][: batch - len(picked)]
    return [pool[j] for j in picked]
