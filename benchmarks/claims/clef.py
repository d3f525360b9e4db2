"""CLEF 2020 CheckThat! task 2 (English): the data, read in place, and the ranking metrics.

The data set is research-only: it is read from ``--data`` (by default the shared folder) and never
copied into the repository. See ``docs/benchmarks.md`` ("Claim matching").
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA = Path("/work/shared/datasets/text/clef2020-checkthat-task2-claim-retrieval")


@dataclass(frozen=True)
class Split:
    name: str
    query_ids: list[str]
    queries: list[str]
    gold: dict[str, set[str]]  # query id -> relevant claim ids


def _read_tsv(path: Path) -> list[list[str]]:
    # Default (Excel) quoting is what the files need; see the data set's README.
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t"))


def load_claims(data: Path = DEFAULT_DATA) -> list[tuple[str, str, str]]:
    """(claim id, claim sentence, article title) for the 10,375 verified claims."""
    rows = _read_tsv(data / "verified_claims.docs.tsv")[1:]
    return [(row[0], row[1], row[2] if len(row) > 2 else "") for row in rows]


def load_split(name: str, data: Path = DEFAULT_DATA) -> Split:
    rows = _read_tsv(data / name / "tweets.queries.tsv")[1:]
    gold: dict[str, set[str]] = {}
    for line in (data / name / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] != "0":
            gold.setdefault(parts[0], set()).add(parts[2])
    rows = [row for row in rows if row[0] in gold]
    return Split(name, [row[0] for row in rows], [row[1] for row in rows], gold)


def average_precision(gold: set[str], ranked: Sequence[str], k: int = 5) -> float:
    """AP@k as the CLEF 2020 scorer computes it (divided by the number of relevant claims)."""
    if not gold:
        return 0.0
    hits, total = 0, 0.0
    for i, key in enumerate(ranked[:k]):
        if key in gold:
            hits += 1
            total += hits / (i + 1)
    return total / len(gold)


def copies(texts: Mapping[str, str]) -> dict[str, str]:
    """Claim id -> the lowest id of the claims whose text is the same (``texts``: id -> the text
    as the engine indexes it). The claim set holds 180 groups of copies that read the same once
    quotation marks are gone; for scoring, the copies are one claim."""
    first: dict[str, str] = {}
    out = {}
    for cid in sorted(texts, key=int):
        out[cid] = first.setdefault(texts[cid], cid)
    return out


def metrics(
    split: Split,
    rankings: Sequence[Sequence[str]],
    same: Mapping[str, str] | None = None,
) -> dict[str, float]:
    """MAP@5, MRR, P@1 (= accuracy@1) and Recall@5 of one ranking per query.

    ``same`` (from :func:`copies`): count copies of a claim as that one claim, so that which copy
    comes first does not matter; each ranking is then read with later copies left out.
    """
    n = len(split.query_ids)
    ap = rr = p1 = r5 = 0.0
    for qid, ranked in zip(split.query_ids, rankings, strict=True):
        gold = split.gold[qid]
        if same is not None:
            gold = {same.get(key, key) for key in gold}
            ranked = list(dict.fromkeys(same.get(key, key) for key in ranked))
        ap += average_precision(gold, ranked, 5)
        first = next((i for i, key in enumerate(ranked) if key in gold), None)
        rr += 1.0 / (first + 1) if first is not None else 0.0
        p1 += 1.0 if ranked and ranked[0] in gold else 0.0
        r5 += len(gold & set(ranked[:5])) / len(gold)
    return {"map5": ap / n, "mrr": rr / n, "p1": p1 / n, "r5": r5 / n}
