"""Choose the fusion weights of ``cohesion.text.matching`` on the CLEF 2020 **train** split.

For every train tweet, scores every verified claim with the engine's parts (BM25 on the cleaned
tweet with its byline author, the MiniLM cosine and the Universal Sentence Encoder cosine), then
tries a grid of weights for

    score = a * MiniLM cosine + u * USE cosine
            + l * (BM25 / best BM25 of the query + BM25 / the query's upper bound) / 2

and prints MAP@5 for each, best first. Then, with the shipped weights, the floor for reports in
other languages: score = max(the weighted sum, c * USE cosine) for a range of c (the largest c
that leaves train MAP@5 as it was, less a margin, is shipped as ``CROSS_LINGUAL_WEIGHT``). The
dev split is never read here.

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
from run import RESULTS, build_index  # noqa: E402

from cohesion.text import matching  # noqa: E402
from cohesion.text.matching import query_text, tokenize  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=RESULTS / "claims" / "embed-cache")
    args = parser.parse_args()

    claims = load_claims(args.data)
    index = build_index(claims, args.cache)
    split = load_split("train", args.data)
    keys = [index._keys[row] for row in range(len(claims))]
    texts = [query_text(q) for q in split.queries]
    size = len(claims)
    cos = np.clip(index.embedder.embed(texts) @ index._vectors[:size].T, 0.0, 1.0)
    use = np.clip(index.use_embedder.embed(texts) @ index._use_vectors[:size].T, 0.0, 1.0)
    lexical = np.zeros_like(cos)
    for j, text in enumerate(texts):
        raw, bound = index._bm25.scores(tokenize(text), size)
        if raw.max() > 0 and bound > 0:
            lexical[j] = 0.5 * raw / raw.max() + 0.5 * raw / bound

    def map5(scores: np.ndarray) -> float:
        top = np.argsort(-scores, axis=1, kind="stable")[:, :10]
        return metrics(split, [[str(keys[i]) for i in row] for row in top])["map5"]

    rows = []
    for u, lex in itertools.product([0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4], [0.2, 0.25, 0.3, 1 / 3]):
        a = 1.0 - u - lex
        if a >= 0.3:
            rows.append((map5(a * cos + u * use + lex * lexical), a, u, lex))
    rows.sort(reverse=True)
    print("| MiniLM a | USE u | BM25 l | train MAP@5 |")
    print("| --- | --- | --- | --- |")
    for score, a, u, lex in rows:
        print(f"| {a:.2f} | {u:.2f} | {lex:.2f} | {score:.4f} |")

    weighted = (
        matching.MINILM_WEIGHT * cos + matching.USE_WEIGHT * use + matching.LEXICAL_WEIGHT * lexical
    )
    print("\n| cross-language factor c | train MAP@5 |")
    print("| --- | --- |")
    for c in (0.0, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
        print(f"| {c:.2f} | {map5(np.maximum(weighted, c * use)):.4f} |")


if __name__ == "__main__":
    main()
