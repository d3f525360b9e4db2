"""Choose the fusion weights of ``cohesion.text.matching`` on the CLEF 2020 **train** split.

For every train tweet, scores every verified claim with the engine's parts (BM25 on the cleaned
tweet with its byline author, MiniLM cosine), then tries a grid of weights for

    score = a * cosine + b * BM25 / best BM25 of the query + c * BM25 / the query's upper bound

and prints MAP@5 for each, best first. The dev split is never read here.

    .venv/bin/python benchmarks/claims/tune.py
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from clef import DEFAULT_DATA, load_claims, load_split, metrics  # noqa: E402
from run import RESULTS, claim_text  # noqa: E402

from cohesion.text.embeddings import Embedder  # noqa: E402
from cohesion.text.matching import ClaimIndex, query_text, tokenize  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=RESULTS / "claims" / "embed-cache")
    args = parser.parse_args()

    claims = load_claims(args.data)
    index = ClaimIndex.build(
        ((cid, claim_text(c, t)) for cid, c, t in claims), Embedder(args.cache)
    )
    split = load_split("train", args.data)
    keys = [index._keys[row] for row in range(len(claims))]
    texts = [query_text(q) for q in split.queries]
    vectors = index.embedder.embed(texts)
    size = len(claims)
    cos = np.clip(vectors @ index._vectors[:size].T, 0.0, 1.0)
    by_best = np.zeros_like(cos)
    by_bound = np.zeros_like(cos)
    for j, text in enumerate(texts):
        raw, bound = index._bm25.scores(tokenize(text), size)
        if raw.max() > 0 and bound > 0:
            by_best[j], by_bound[j] = raw / raw.max(), raw / bound

    def map5(scores: np.ndarray) -> float:
        top = np.argsort(-scores, axis=1, kind="stable")[:, :10]
        return metrics(split, [[str(keys[i]) for i in row] for row in top])["map5"]

    rows = []
    weights = [0.0, 0.1, 1 / 6, 0.2, 0.3]
    for b, c in itertools.product(weights, weights):
        a = 1.0 - b - c
        rows.append((map5(a * cos + b * by_best + c * by_bound), a, b, c))
    rows.sort(reverse=True)
    print("| cosine a | BM25/best b | BM25/bound c | train MAP@5 |")
    print("| --- | --- | --- | --- |")
    for score, a, b, c in rows:
        print(f"| {a:.2f} | {b:.2f} | {c:.2f} | {score:.4f} |")


if __name__ == "__main__":
    main()
