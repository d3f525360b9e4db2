"""Claim matching on CLEF 2020 CheckThat! task 2: ranking quality and speed of ClaimIndex.

Ranks the 10,375 verified claims for each tweet of a split with the engine as shipped
(``cohesion.text.matching``), beside each of its parts alone (BM25, the MiniLM cosine and the
Universal Sentence Encoder cosine), measured in the same run; then times searches over 10,000 claims (each query
embedded afresh) and adding a claim. Prints Markdown and writes JSON to ``benchmarks/results/``.

    .venv/bin/python benchmarks/claims/run.py --splits dev
    .venv/bin/python benchmarks/claims/run.py --splits dev --no-speed --sightings-from train

``--sightings-from train`` also scores the split as the rumour desk ranks claims once officers
have confirmed earlier reports (``cohesion.rumours.matching``): each train tweet is indexed as a
sighting of its gold claim, and a claim ranks by its best entry, itself or one of its sightings.

Embeddings are cached in ``benchmarks/results/claims/embed-cache`` (git-ignored); the first run
embeds the claims (about 5 minutes on 2 busy cores for MiniLM, under a minute for USE), later runs
read them. The data set is
research-only and read in place (``--data``); nothing of it is written to the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from clef import DEFAULT_DATA, copies, load_claims, load_split, metrics  # noqa: E402

from cohesion.text import matching  # noqa: E402
from cohesion.text.embeddings import USE, Embedder  # noqa: E402
from cohesion.text.matching import ClaimIndex  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def claim_text(claim: str, title: str) -> str:
    return f"{claim} {title}".strip()


def quality(
    index: ClaimIndex, split_name: str, data: Path, same: dict[str, str]
) -> dict[str, dict[str, float]]:
    """Each method scored the official way, and with copies of a claim counted as one claim
    (``<method>_copies_as_one``): the engine puts the copy filed first (the lower id) first when
    two read the same, and every gold claim in this data set has an id under 800, so the official
    score gains from that rule; the second score does not depend on it."""
    split = load_split(split_name, data)
    out = {}
    for by in ("lexical", "semantic", "use", "score"):
        rankings = [index.ranked_keys(query, 20, by=by) for query in split.queries]
        out[by] = metrics(split, rankings)
        out[f"{by}_copies_as_one"] = metrics(split, rankings, same)
    out["queries"] = {"n": float(len(split.queries))}
    return out


def with_sightings(
    index: ClaimIndex, split_names: list[str], source: str, data: Path, same: dict[str, str]
) -> dict[str, dict[str, dict[str, float]]]:
    """Each split scored as the desk ranks claims when the ``source`` split's tweets are
    confirmed sightings of their gold claims (adds them to ``index``)."""
    earlier = load_split(source, data)
    index.add_many(
        (f"sighting:{qid}:{cid}", text)
        for qid, text in zip(earlier.query_ids, earlier.queries, strict=True)
        for cid in sorted(earlier.gold[qid])
    )
    out = {}
    for name in split_names:
        if name == source:
            continue  # its own tweets would be found as their own sightings
        split = load_split(name, data)
        rankings = []
        for query in split.queries:
            keys = index.ranked_keys(query, 80)
            claims = (k.split(":")[2] if k.startswith("sighting:") else k for k in keys)
            rankings.append(list(dict.fromkeys(claims))[:20])
        out[name] = {
            "score": metrics(split, rankings),
            "score_copies_as_one": metrics(split, rankings, same),
        }
    return out


def build_index(claims: list[tuple[str, str, str]], cache: Path) -> ClaimIndex:
    """The engine over the claims, with both models' vectors cached in ``cache``."""
    return ClaimIndex.build(
        ((cid, claim_text(c, t)) for cid, c, t in claims),
        Embedder(cache),
        Embedder(cache, model=USE),
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def speed(claims: list[tuple[str, str, str]], cache: Path, data: Path, n: int) -> dict:
    index = build_index(claims[:n], cache)
    # Every query and every new claim is embedded for real: fresh embedders, no disk cache.
    index.embedder, index.use_embedder = Embedder(None), Embedder(None, model=USE)
    index.search("warm up the model")
    queries = load_split("dev", data).queries
    search_ms, search_cpu_ms = [], []
    for query in queries:
        started, cpu = time.perf_counter(), time.process_time()
        index.search(query, 10)
        search_ms.append(1000 * (time.perf_counter() - started))
        search_cpu_ms.append(1000 * (time.process_time() - cpu))
    # The same searches again: the query vectors are now in memory, so this is the index alone.
    cached_ms = []
    for query in queries:
        started = time.perf_counter()
        index.search(query, 10)
        cached_ms.append(1000 * (time.perf_counter() - started))
    add_ms = []
    for cid, c, t in claims[n : n + 50]:
        started = time.perf_counter()
        index.add(cid, claim_text(c, t))
        add_ms.append(1000 * (time.perf_counter() - started))
    return {
        "claims": n,
        "searches": len(search_ms),
        "search_median_ms": statistics.median(search_ms),
        "search_p90_ms": percentile(search_ms, 0.9),
        "search_cpu_median_ms": statistics.median(search_cpu_ms),
        "search_without_embedding_median_ms": statistics.median(cached_ms),
        "adds": len(add_ms),
        "add_median_ms": statistics.median(add_ms),
        "add_max_ms": max(add_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--splits", nargs="*", default=["dev"])
    parser.add_argument("--cache", type=Path, default=RESULTS / "claims" / "embed-cache")
    parser.add_argument("--speed-claims", type=int, default=10_000)
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument(
        "--sightings-from",
        metavar="SPLIT",
        help="also score each split with this split's tweets indexed as confirmed sightings",
    )
    args = parser.parse_args()

    torch_threads = os.environ.get("OMP_NUM_THREADS", "default")
    claims = load_claims(args.data)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    index = build_index(claims, args.cache)
    build_s = time.perf_counter() - started
    result: dict = {
        "claims": len(index),
        "build_s": build_s,
        "settings": {
            "minilm_weight": matching.MINILM_WEIGHT,
            "use_weight": matching.USE_WEIGHT,
            "lexical_weight": matching.LEXICAL_WEIGHT,
            "lexical_weights": matching.LEXICAL_WEIGHTS,
            "cross_lingual_weight": matching.CROSS_LINGUAL_WEIGHT,
            "k1": matching.K1,
            "b": matching.B,
            "strong": matching.STRONG,
            "possible": matching.POSSIBLE,
        },
        "splits": {},
    }
    same = copies({cid: matching.document_text(claim_text(c, t)) for cid, c, t in claims})
    result["copy_groups"] = len({rep for cid, rep in same.items() if rep != cid})
    for name in args.splits:
        result["splits"][name] = quality(index, name, args.data, same)
    if args.sightings_from:
        result["with_sightings"] = with_sightings(
            index, args.splits, args.sightings_from, args.data, same
        )
    if not args.no_speed:
        result["speed"] = speed(claims, args.cache, args.data, args.speed_claims)
    result["machine"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "omp_threads": torch_threads,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }

    print(f"## Claim matching ({len(index):,} claims)\n")
    print("| split | method | scoring | MAP@5 | MRR | P@1 | R@5 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    names = {
        "lexical": "BM25 only",
        "semantic": "MiniLM only",
        "use": "USE only",
        "score": "fused (shipped)",
    }
    scorings = {"": "official", "_copies_as_one": "copies as one claim"}
    for split, rows in result["splits"].items():
        for by, label in names.items():
            for suffix, scoring in scorings.items():
                r = rows[by + suffix]
                print(
                    f"| {split} | {label} | {scoring} | {r['map5']:.3f} | {r['mrr']:.3f} "
                    f"| {r['p1']:.3f} | {r['r5']:.3f} |"
                )
    for split, rows in result.get("with_sightings", {}).items():
        for suffix, scoring in scorings.items():
            r = rows["score" + suffix]
            print(
                f"| {split} | fused, {args.sightings_from} tweets as confirmed sightings "
                f"| {scoring} | {r['map5']:.3f} | {r['mrr']:.3f} | {r['p1']:.3f} | {r['r5']:.3f} |"
            )
    if "speed" in result:
        s = result["speed"]
        print(
            f"\nSearch over {s['claims']:,} claims ({s['searches']} queries, each embedded): "
            f"median {s['search_median_ms']:.1f} ms, p90 {s['search_p90_ms']:.1f} ms "
            f"(CPU median {s['search_cpu_median_ms']:.1f} ms; without embedding the query "
            f"{s['search_without_embedding_median_ms']:.1f} ms). "
            f"Adding a claim ({s['adds']}): median {s['add_median_ms']:.1f} ms, "
            f"max {s['add_max_ms']:.1f} ms."
        )
    print(f"\nLoad average {load_before:.1f} before, {result['machine']['load_after']:.1f} after.")
    save_result("claims", result)


def save_result(prefix: str, result: dict) -> Path:
    """Write a run's results to ``benchmarks/results/<prefix>-<date>-<time>.json``."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2))
    return path


if __name__ == "__main__":
    main()
