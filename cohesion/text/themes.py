"""Themes in free-text answers: cluster, label, pick representative quotes (no Django).

The pipeline, with one set of defaults for every consultation:

1. Answers with no letters or digits (empty, punctuation, emoji only) are left out (theme -1).
   Long answers are cut to ``MAX_CHARS`` before they are read.
2. Each answer gets two views: its MiniLM sentence embedding (meaning) and a TF-IDF word vector
   reduced by SVD (shared words). Both are L2-normalised and joined, so that the cosine of the
   joined vectors is the mean of the two cosines.
3. A k-nearest-neighbour graph over the joined vectors is split into communities (Leiden-style
   modularity optimisation, Louvain in NetworkX); the number of themes is whatever the graph
   gives, with tiny communities folded into their nearest theme.
4. Each theme gets a label from class-based TF-IDF (words frequent in the theme and rare in the
   others) and representatives: the members nearest the theme's centre.

``parameters`` of the result records everything needed to reproduce the run.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cohesion.text.embeddings import MODEL_NAME, Embedder

# Answers longer than this are cut before they are embedded or counted (the model reads ~256
# word pieces anyway; a 50,000-character answer must not slow the run down).
MAX_CHARS = 2000
# Fewer usable answers than this: no clustering, one theme (or none) and a note.
MIN_ANSWERS = 5
REPRESENTATIVES = 5
KEYWORDS = 8

_WORD = re.compile(r"\w", re.UNICODE)


@dataclass
class Theme:
    label: str
    keywords: list[str]
    members: list[int]
    representatives: list[int]


@dataclass
class ThemeResult:
    themes: list[Theme]
    assignments: np.ndarray
    parameters: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[str, float], None]


def _noop(_stage: str, _fraction: float) -> None:
    return None


def clean_answer(text: str | None) -> str:
    """Normalise unicode and whitespace and cut to ``MAX_CHARS``; '' when nothing is left."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = " ".join(text.split())
    return text[:MAX_CHARS]


def is_usable(text: str) -> bool:
    """An answer can be themed when it has at least one letter or digit."""
    return bool(_WORD.search(text))


def _embed(texts: Sequence[str], embedder: Embedder | None) -> np.ndarray:
    embedder = embedder or default_embedder()
    return np.asarray(embedder.embed(list(texts)), dtype=np.float32)


_default: Embedder | None = None


def default_embedder() -> Embedder:
    """An in-memory embedder shared by calls that were given none."""
    global _default
    if _default is None:
        _default = Embedder(None)
    return _default


# --- word statistics ---------------------------------------------------------------------------


def _word_view(texts: Sequence[str], dims: int, seed: int) -> tuple[np.ndarray, dict[str, Any]]:
    """TF-IDF reduced to ``dims`` with truncated SVD, rows L2-normalised."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    n = len(texts)
    vectorizer = TfidfVectorizer(
        sublinear_tf=True,
        stop_words="english",
        min_df=2 if n >= 50 else 1,
        max_df=0.5 if n >= 50 else 1.0,
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b\w\w+\b",  # noqa: S106 (a regex, not a password)
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no words left (all stop words or very short answers)
        return np.zeros((n, 1), dtype=np.float32), {"vocabulary": 0}
    vocabulary = matrix.shape[1]
    k = min(dims, vocabulary - 1, n - 1)
    if k >= 2:
        reduced = TruncatedSVD(n_components=k, random_state=seed).fit_transform(matrix)
    else:
        reduced = matrix.toarray()
    reduced = normalize(reduced).astype(np.float32)
    return reduced, {"vocabulary": int(vocabulary), "svd_dims": int(reduced.shape[1])}


def joined_view(
    texts: Sequence[str], embeddings: np.ndarray, *, word_dims: int = 100, seed: int = 0
) -> tuple[np.ndarray, dict[str, Any]]:
    """MiniLM and TF-IDF views side by side, each with weight 1/2 in the cosine."""
    words, info = _word_view(texts, word_dims, seed)
    joined = np.hstack([embeddings, words]).astype(np.float32) / np.sqrt(2.0)
    return joined, info


# --- clustering --------------------------------------------------------------------------------

NEIGHBOURS = 15
# Edge weight is the cosine similarity raised to this power: close neighbours count for more.
SHARPNESS = 3.0
# Word-view weights tried; the one whose neighbour graph has the clearest community structure
# (highest modularity) is used. 0 is "meaning only", 0.5 is "meaning and words equally".
WORD_WEIGHTS = (0.0, 0.5)
CENTRE_EMBEDDINGS = True
# Louvain partitions pooled into the final one (consensus clustering): one Louvain run depends on
# its seed (the order nodes are visited); edges whose ends fall in the same theme in every run
# keep their weight, the others are weakened, and Louvain runs once more on that graph.
CONSENSUS_RUNS = 3


def resolution_for(n: int) -> float:
    """Louvain resolution for ``n`` answers: 1 up to 1,000 answers, then growing with √n.

    Modularity cannot see communities smaller than about √(2m) edges (its resolution limit), so
    with a fixed resolution a big consultation gets fewer, coarser themes than a small one. The
    resolution grows with √n to keep themes of a similar grain; capped at 3.
    """
    return float(min(3.0, max(1.0, np.sqrt(n / 1000.0))))


def knn_graph(vectors: np.ndarray, k: int, sharpness: float = SHARPNESS) -> Any:
    """Symmetric sparse k-nearest-neighbour graph, weights cosine**sharpness (rows normalised)."""
    import scipy.sparse as sp

    n = len(vectors)
    k = max(1, min(k, n - 1))
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    step = 2048
    for start in range(0, n, step):
        block = vectors[start : start + step] @ vectors.T
        idx = np.arange(block.shape[0])
        block[idx, start + idx] = -np.inf
        nearest = np.argpartition(-block, k - 1, axis=1)[:, :k]
        sims = np.take_along_axis(block, nearest, axis=1)
        rows.append(np.repeat(start + idx, k))
        cols.append(nearest.ravel())
        weights.append(np.clip(sims.ravel(), 1e-6, None) ** sharpness)
    graph = sp.csr_matrix(
        (np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    return graph.maximum(graph.T).tocsr()


def louvain(graph: Any, *, resolution: float, seed: int) -> tuple[np.ndarray, float]:
    """Communities of a sparse graph (NetworkX Louvain) and their modularity at resolution 1."""
    import networkx as nx

    g = nx.from_scipy_sparse_array(graph)
    parts = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    quality = float(nx.community.modularity(g, parts, weight="weight"))
    labels = np.full(graph.shape[0], -1, dtype=int)
    for index, part in enumerate(parts):
        labels[list(part)] = index
    return _renumber(labels), quality


def consensus(graph: Any, first: np.ndarray, *, resolution: float, seed: int) -> np.ndarray:
    """Themes agreed by ``CONSENSUS_RUNS`` Louvain runs (``first`` is the run with ``seed``).

    Each edge's weight is multiplied by the share of runs that put its two ends in the same
    theme (Lancichinetti and Fortunato's consensus clustering, one round), then Louvain partitions
    that graph. The result depends much less on the seed than one run does.
    """
    import scipy.sparse as sp

    if CONSENSUS_RUNS <= 1:
        return first
    runs = [first] + [
        louvain(graph, resolution=resolution, seed=seed + r)[0] for r in range(1, CONSENSUS_RUNS)
    ]
    edges = graph.tocoo()
    agree = np.mean([labels[edges.row] == labels[edges.col] for labels in runs], axis=0)
    weights = edges.data * agree
    keep = weights > 0
    pooled = sp.csr_matrix((weights[keep], (edges.row[keep], edges.col[keep])), shape=graph.shape)
    return louvain(pooled, resolution=resolution, seed=seed)[0]


def meaning_view(embeddings: np.ndarray) -> np.ndarray:
    """Embeddings with the common direction removed (what every answer shares), renormalised."""
    if not CENTRE_EMBEDDINGS or len(embeddings) < 2:
        return embeddings
    centred = embeddings - embeddings.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return (centred / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def cluster(
    texts: Sequence[str], embeddings: np.ndarray, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Theme per answer, the vectors used, and what was chosen and why.

    Each word weight in ``WORD_WEIGHTS`` gives a neighbour graph; the one whose Louvain
    partition has the highest modularity wins (words help when answers share distinctive words,
    as in consultations written around a proposal; meaning helps when people word the same point
    differently). When meaning alone wins, the partition is made again on the centred
    embeddings, which separates close themes better.
    """
    words, info = _word_view(texts, 100, seed)
    resolution = resolution_for(len(texts))
    tried = []
    best: tuple[float, float, np.ndarray, np.ndarray, Any] | None = None
    for weight in WORD_WEIGHTS:
        if weight > 0 and info.get("vocabulary", 0) == 0:
            continue
        vectors = (
            embeddings
            if weight == 0
            else np.hstack([np.sqrt(1 - weight) * embeddings, np.sqrt(weight) * words])
        ).astype(np.float32)
        graph = knn_graph(vectors, NEIGHBOURS, SHARPNESS)
        labels, quality = louvain(graph, resolution=resolution, seed=seed)
        tried.append(
            {
                "word_weight": weight,
                "modularity": round(quality, 4),
                "themes": int(labels.max()) + 1,
            }
        )
        if best is None or quality > best[0]:
            best = (quality, weight, labels, vectors, graph)
    if best is None:  # pragma: no cover - the meaning-only view is always tried
        raise RuntimeError("no representation could be built")
    _quality, weight, labels, vectors, graph = best
    centred = False
    if weight == 0 and CENTRE_EMBEDDINGS and len(texts) > NEIGHBOURS + 1:
        vectors = meaning_view(embeddings)
        graph = knn_graph(vectors, NEIGHBOURS, SHARPNESS)
        labels, _q = louvain(graph, resolution=resolution, seed=seed)
        centred = True
    labels = consensus(graph, labels, resolution=resolution, seed=seed)
    info.update(
        {
            "representation": (
                "MiniLM embeddings"
                + (" (centred)" if centred else "")
                + (f" joined with TF-IDF+SVD (weight {weight})" if weight else "")
            ),
            "word_weight": weight,
            "word_weights_tried": tried,
            "word_weight_chosen_by": "highest modularity of the neighbour graph's communities",
            "clustering": "Louvain communities of the cosine k-nearest-neighbour graph",
            "consensus_runs": CONSENSUS_RUNS,
            "neighbours": NEIGHBOURS,
            "edge_sharpness": SHARPNESS,
            "resolution": resolution,
        }
    )
    return labels, vectors, info


def _fold_small(vectors: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """Give members of themes smaller than ``min_size`` to the nearest bigger theme."""
    labels = labels.copy()
    sizes = np.bincount(labels)
    big = [c for c in range(len(sizes)) if sizes[c] >= min_size]
    if not big or len(big) == len(sizes):
        return _renumber(labels)
    centres = np.vstack([vectors[labels == c].mean(axis=0) for c in big])
    small = ~np.isin(labels, big)
    nearest = np.argmax(vectors[small] @ centres.T, axis=1)
    labels[small] = np.asarray(big)[nearest]
    return _renumber(labels)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Themes numbered 0.. by size, biggest first; -1 kept."""
    out = np.full(len(labels), -1, dtype=int)
    values, counts = np.unique(labels[labels >= 0], return_counts=True)
    order = sorted(zip(values, counts, strict=True), key=lambda vc: (-vc[1], vc[0]))
    for new, (old, _count) in enumerate(order):
        out[labels == old] = new
    return out


# --- labels and representatives ----------------------------------------------------------------


def class_tfidf_keywords(
    texts: Sequence[str], labels: np.ndarray, count: int = KEYWORDS
) -> dict[int, list[str]]:
    """Top words and phrases per theme by class-based TF-IDF (BERTopic's c-TF-IDF)."""
    from sklearn.feature_extraction.text import CountVectorizer

    themes = sorted({int(c) for c in labels if c >= 0})
    if not themes:
        return {}
    documents = [" ".join(texts[int(i)] for i in np.flatnonzero(labels == c)) for c in themes]
    try:
        vectorizer = CountVectorizer(
            stop_words="english",
            ngram_range=(1, 2),
            token_pattern=r"(?u)\b[^\W\d_]{2,30}\b",  # noqa: S106
        )
        counts = vectorizer.fit_transform(documents).toarray().astype(float)
    except ValueError:
        return {c: [] for c in themes}
    words = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    average = counts.sum() / len(themes)
    idf = np.log(1.0 + average / np.maximum(counts.sum(axis=0), 1.0))
    scores = tf * idf
    out: dict[int, list[str]] = {}
    for row, theme in enumerate(themes):
        order = np.argsort(-scores[row])
        chosen: list[str] = []
        for j in order:
            if scores[row, j] <= 0 or len(chosen) >= count:
                break
            word = str(words[j])
            # Skip a word already inside a chosen phrase, and a phrase made of chosen words.
            if any(word in c.split() for c in chosen if " " in c):
                continue
            if " " in word and all(part in chosen for part in word.split()):
                continue
            chosen.append(word)
        out[theme] = chosen
    return out


LABEL_PARTS = 3


def label_from_keywords(keywords: Sequence[str]) -> str:
    """A short label from a theme's keywords, best first, with no word said twice: a phrase that
    holds a word already in the label takes that word's place ("bus" then "bus fares" gives "Bus
    fares"), and a keyword sharing a word with another part is left out."""
    parts: list[str] = []
    for keyword in keywords:
        words = set(keyword.split())
        overlapping = [p for p in parts if words & set(p.split())]
        if not overlapping:
            if len(parts) < LABEL_PARTS:
                parts.append(keyword)
        elif len(overlapping) == 1 and set(overlapping[0].split()) < words:
            parts[parts.index(overlapping[0])] = keyword
    if not parts:
        return "Other answers"
    label = ", ".join(parts)
    return label[:1].upper() + label[1:]


def _representatives(vectors: np.ndarray, members: np.ndarray) -> list[int]:
    if len(members) == 0:
        return []
    centre = vectors[members].mean(axis=0)
    norm = np.linalg.norm(centre)
    if norm > 0:
        centre = centre / norm
    order = np.argsort(-(vectors[members] @ centre), kind="stable")
    return [int(members[i]) for i in order[:REPRESENTATIVES]]


def _build_themes(texts: Sequence[str], vectors: np.ndarray, labels: np.ndarray) -> list[Theme]:
    count = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
    keywords = class_tfidf_keywords(texts, labels)
    themes = []
    for c in range(count):
        members = np.flatnonzero(labels == c)
        words = keywords.get(c, [])
        themes.append(
            Theme(
                label=label_from_keywords(words) if len(members) else "Empty theme",
                keywords=list(words),
                members=[int(i) for i in members],
                representatives=_representatives(vectors, members),
            )
        )
    return themes


# --- public API --------------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    import sklearn

    out = {"numpy": np.__version__, "scikit-learn": sklearn.__version__}
    try:
        import networkx

        out["networkx"] = networkx.__version__
    except ImportError:  # pragma: no cover
        pass
    return out


def find_themes(
    texts: Sequence[str],
    *,
    embedder: Embedder | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> ThemeResult:
    """Themes in ``texts`` with the number of themes chosen automatically."""
    report = progress or _noop
    cleaned = [clean_answer(t) for t in texts]
    usable = np.array([is_usable(t) for t in cleaned], dtype=bool)
    index = np.flatnonzero(usable)
    assignments = np.full(len(cleaned), -1, dtype=int)
    parameters: dict[str, Any] = {
        "engine": "cohesion.text.themes",
        "model": MODEL_NAME,
        "seed": seed,
        "max_chars": MAX_CHARS,
        "answers": len(cleaned),
        "usable_answers": int(len(index)),
        "versions": _versions(),
    }
    if len(index) == 0:
        parameters["note"] = "No usable answers (all empty or without letters or digits)."
        report("done", 1.0)
        return ThemeResult(themes=[], assignments=assignments, parameters=parameters)
    report("embedding", 0.05)
    subset = [cleaned[i] for i in index]
    embeddings = _embed(subset, embedder)
    report("clustering", 0.6)
    if len(index) < MIN_ANSWERS:
        labels = np.zeros(len(index), dtype=int)
        parameters["note"] = (
            f"Only {len(index)} usable answers: too few to find themes, so they are kept together."
        )
        parameters["themes"] = 1
        vectors = embeddings
    else:
        labels, vectors, info = cluster(subset, embeddings, seed=seed)
        min_size = max(3, int(round(0.002 * len(index))))
        labels = _fold_small(vectors, labels, min_size)
        parameters.update(info)
        parameters.update(
            {
                "min_theme_size": min_size,
                "themes": int(labels.max()) + 1,
                "k_chosen_by": (
                    "Louvain modularity on the neighbour graph (number of themes not fixed); "
                    f"themes under {min_size} answers folded into the nearest theme"
                ),
            }
        )
    assignments[index] = labels
    report("labelling", 0.9)
    themes = _build_themes(subset, embeddings, labels)
    for theme in themes:
        theme.members = [int(index[i]) for i in theme.members]
        theme.representatives = [int(index[i]) for i in theme.representatives]
    report("done", 1.0)
    return ThemeResult(themes=themes, assignments=assignments, parameters=parameters)


def describe_themes(
    texts: Sequence[str], assignments: np.ndarray, *, embedder: Embedder | None = None
) -> list[Theme]:
    """Labels, keywords and representatives for themes as the officer has left them.

    ``assignments[i]`` is the theme index of answer i (-1 for none). Theme j of the result is
    index j; a theme with no members left gets an empty entry so indices stay stable.
    """
    assignments = np.asarray(assignments, dtype=int)
    if len(assignments) != len(texts):
        raise ValueError("assignments must have one entry per answer")
    cleaned = [clean_answer(t) for t in texts]
    index = np.flatnonzero(assignments >= 0)
    if len(index) == 0:
        return []
    subset = [cleaned[i] for i in index]
    embeddings = _embed(subset, embedder)
    labels = assignments[index]
    themes = _build_themes(subset, embeddings, labels)
    for theme in themes:
        theme.members = [int(index[i]) for i in theme.members]
        theme.representatives = [int(index[i]) for i in theme.representatives]
    return themes


def split_theme(
    texts: Sequence[str],
    members: Sequence[int],
    *,
    parts: int | None = None,
    embedder: Embedder | None = None,
    seed: int = 0,
) -> list[list[int]]:
    """Split one theme's members into ``parts`` (or an automatic number, 2 to 6) groups."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    members = [int(m) for m in members]
    if len(members) < 2:
        return [members] if members else []
    cleaned = [clean_answer(texts[m]) for m in members]
    embeddings = _embed(cleaned, embedder)
    vectors, _info = joined_view(cleaned, embeddings, seed=seed)
    if parts is not None:
        k_options = [max(1, min(int(parts), len(members)))]
    else:
        k_options = list(range(2, min(6, len(members) - 1) + 1)) or [2]
    best: tuple[float, np.ndarray] | None = None
    for k in k_options:
        if k <= 1:
            labels = np.zeros(len(members), dtype=int)
        else:
            labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(vectors)
        if len(k_options) == 1:
            best = (0.0, labels)
            break
        distinct = len(set(labels.tolist()))
        score = (
            silhouette_score(vectors, labels, metric="cosine")
            if 1 < distinct < len(members)
            else -1.0
        )
        if best is None or score > best[0]:
            best = (score, labels)
    if best is None:  # pragma: no cover - k_options is never empty
        return [members]
    labels = _renumber(best[1])
    return [[members[i] for i in np.flatnonzero(labels == c)] for c in range(labels.max() + 1)]
