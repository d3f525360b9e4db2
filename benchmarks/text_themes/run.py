"""Theme engine benchmarks: clustering, code-frame mapping, stance, speed.

    .venv/bin/python benchmarks/text_themes/run.py [clustering] [mapping] [stance] [speed]
    .venv/bin/python benchmarks/text_themes/run.py stance --seeds 100   # stance on seeds 100-109

Data are read from /work/shared/datasets/text by path. Embeddings are cached under
benchmarks/results/text_cache (git-ignored). Results print as Markdown and are written as JSON to
benchmarks/results/text_themes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    adjusted_rand_score,
    f1_score,
    normalized_mutual_info_score,
    v_measure_score,
)
from sklearn.preprocessing import MultiLabelBinarizer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import load_banking, load_gambling  # noqa: E402

from cohesion.text.codeframe import map_to_frame  # noqa: E402
from cohesion.text.embeddings import Embedder  # noqa: E402
from cohesion.text.stance import (  # noqa: E402
    StanceClassifier,
    stance_from_frame,
    suggest_examples,
)
from cohesion.text.themes import describe_themes, find_themes  # noqa: E402

CACHE = ROOT / "benchmarks" / "results" / "text_cache"
OUT = ROOT / "benchmarks" / "results" / "text_themes.json"


def scores(gold: list[str], predicted: np.ndarray) -> dict[str, float]:
    return {
        "ARI": round(float(adjusted_rand_score(gold, predicted)), 3),
        "NMI": round(float(normalized_mutual_info_score(gold, predicted)), 3),
        "V": round(float(v_measure_score(gold, predicted)), 3),
    }


def clustering(embedder: Embedder) -> dict:
    out = {}
    consultation = load_gambling()
    single = [i for i, t in enumerate(consultation.topics) if len(t) == 1]
    gold = [consultation.topics[i][0] for i in single]
    for seed in (0, 1, 2):
        start = time.perf_counter()
        result = find_themes(consultation.texts, embedder=embedder, seed=seed)
        row = scores(gold, result.assignments[single])
        row.update(themes=len(result.themes), seconds=round(time.perf_counter() - start, 1))
        row["word_weight"] = result.parameters["word_weight"]
        out[f"gambling seed {seed}"] = row
        print(f"| gambling (606 single-theme of 1,000) | {seed} | {row} |", flush=True)
    texts, labels = load_banking()
    for seed in (0, 1, 2):
        start = time.perf_counter()
        result = find_themes(texts, embedder=embedder, seed=seed)
        row = scores(labels, result.assignments)
        row.update(themes=len(result.themes), seconds=round(time.perf_counter() - start, 1))
        row["word_weight"] = result.parameters["word_weight"]
        out[f"banking77 seed {seed}"] = row
        print(f"| banking77 train (10,003) | {seed} | {row} |", flush=True)
    return out


def mapping(embedder: Embedder) -> dict:
    consultation = load_gambling()
    frame = [(name, description) for _letter, name, description in consultation.frame]
    letters = [letter for letter, _n, _d in consultation.frame]
    predicted = map_to_frame(consultation.texts, frame, embedder=embedder)
    labelled = [i for i, t in enumerate(consultation.topics) if t]
    binarizer = MultiLabelBinarizer(classes=letters)
    gold = binarizer.fit_transform([consultation.topics[i] for i in labelled])
    guess = binarizer.transform([[letters[j] for j in predicted[i]] for i in labelled])
    f1 = float(f1_score(gold, guess, average="samples", zero_division=0))
    rng = np.random.default_rng(0)
    boot = []
    for _ in range(500):
        pick = rng.integers(0, len(labelled), len(labelled))
        boot.append(f1_score(gold[pick], guess[pick], average="samples", zero_division=0))
    row = {
        "sample_F1": round(f1, 3),
        "CI95": [
            round(float(np.percentile(boot, 2.5)), 3),
            round(float(np.percentile(boot, 97.5)), 3),
        ],
        "answers": len(labelled),
        "mean_themes_predicted": round(float(np.mean([len(predicted[i]) for i in labelled])), 2),
    }
    print(f"| code-frame mapping (990 labelled) | {row} |", flush=True)
    return row


def stance(embedder: Embedder, first_seed: int = 0) -> dict:
    consultation = load_gambling()
    texts = consultation.texts
    labels = ["agree" if p == "Yes" else "disagree" for p in consultation.positions]
    # The code frame with each theme's side, as an officer would mark it ("for" / "against").
    sided = [(n, d, consultation.sides[letter]) for letter, n, d in consultation.frame]

    def score(train: list[int], frame: list | None) -> float:
        """Macro-F1 on every answer not in ``train`` of a classifier fitted on ``train``."""
        chosen = set(train)
        test = [i for i in range(len(labels)) if i not in chosen]
        model = StanceClassifier(embedder=embedder, frame=frame, answers=texts).fit(
            [texts[i] for i in train], [labels[i] for i in train]
        )
        predicted = model.predict([texts[i] for i in test])
        return float(f1_score([labels[i] for i in test], predicted, average="macro"))

    def suggested(seed: int, frame: list | None) -> list[int]:
        """50 answers chosen as the product does (suggest_examples), labelled with the gold."""
        chosen: dict[int, str] = {}
        while len(chosen) < 50:
            batch = min(50 - len(chosen), 10)
            picks = suggest_examples(
                texts, chosen, embedder=embedder, batch=batch, seed=seed, frame=frame
            )
            chosen.update({i: labels[i] for i in picks[: 50 - len(chosen)]})
        return list(chosen)

    def drawn(how: str, seed: int) -> list[int]:
        order = list(range(len(labels)))
        random.Random(seed).shuffle(order)
        if how == "random":
            return order[:50]
        agree = [i for i in order if labels[i] == "agree"][:25]
        return agree + [i for i in order if labels[i] == "disagree"][:25]

    out = {}
    # No labels at all: the code frame's marks alone ("unclear" counts as wrong).
    alone = stance_from_frame(texts, sided, embedder=embedder, answers=texts)
    row = {
        "macro_F1": round(
            float(f1_score(labels, alone, labels=["agree", "disagree"], average="macro")), 3
        ),
        "unclear": alone.count("unclear"),
    }
    out["frame only"] = row
    print(f"| stance, code frame with sides, no labels | {row} |", flush=True)
    for how, frame, title in (
        ("random", None, "50 examples (random), 10 draws"),
        ("balanced", None, "50 examples (balanced), 10 draws"),
        ("suggested", None, "50 examples suggested by the platform, 10 seeds"),
        ("random", sided, "code frame with sides + 50 examples (random), 10 draws"),
        ("suggested", sided, "code frame with sides + 50 suggested examples, 10 seeds"),
    ):
        f1s = [
            score(suggested(s, frame) if how == "suggested" else drawn(how, s), frame)
            for s in range(first_seed, first_seed + 10)
        ]
        row = {"macro_F1_mean": round(float(np.mean(f1s)), 3), "min": round(float(np.min(f1s)), 3)}
        out[how + (" with sides" if frame else "")] = row
        print(f"| stance, {title} | {row} |", flush=True)
    return out


def speed(embedder_dir: Path) -> dict:
    """10,000 made-up answers of about 30 words, end to end, from a cold (empty) cache."""
    import shutil

    rng = random.Random(0)
    consultation = load_gambling()
    banking, _labels = load_banking()
    pool = list(consultation.texts) + banking
    texts = []
    for _ in range(10_000):
        words = " ".join(rng.sample(pool, 3)).split()
        texts.append(" ".join(words[: rng.randint(20, 40)]))
    shutil.rmtree(embedder_dir, ignore_errors=True)
    embedder = Embedder(embedder_dir)
    load_before = os.getloadavg()[0]
    start, cpu = time.perf_counter(), time.process_time()
    result = find_themes(texts, embedder=embedder)
    first, first_cpu = time.perf_counter() - start, time.process_time() - cpu
    # An officer merges two themes and moves answers: relabel from the cached embeddings.
    assignments = result.assignments.copy()
    assignments[assignments == 1] = 0
    assignments[:50] = 2
    fresh = Embedder(embedder_dir)  # a new process: only the disk cache is warm
    start = time.perf_counter()
    describe_themes(texts, assignments, embedder=fresh)
    edit = time.perf_counter() - start
    start = time.perf_counter()
    find_themes(texts, embedder=Embedder(embedder_dir))
    rerun = time.perf_counter() - start
    row = {
        "answers": len(texts),
        "mean_words": round(float(np.mean([len(t.split()) for t in texts])), 1),
        "first_run_s": round(first, 1),
        "first_run_cpu_s": round(first_cpu, 1),
        "load_average_1min_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "relabel_after_edit_s": round(edit, 1),
        "full_rerun_cached_s": round(rerun, 1),
        "themes": len(result.themes),
    }
    print(f"| speed | {row} |", flush=True)
    return row


def main() -> None:
    parts = ("clustering", "mapping", "stance", "speed")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", help=f"any of {', '.join(parts)} (default: all)")
    parser.add_argument(
        "--seeds",
        type=int,
        default=0,
        metavar="N",
        help="the stance draws use seeds N to N+9 (default 0 to 9; 100 to 109 were never used "
        "for any choice, see docs/benchmarks.md)",
    )
    args = parser.parse_args()
    unknown = set(args.parts) - set(parts)
    if unknown:
        parser.error(
            f"unknown benchmark {', '.join(sorted(unknown))}: choose from {', '.join(parts)}"
        )
    first_seed = args.seeds
    wanted = set(args.parts) or set(parts)
    embedder = Embedder(CACHE)
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    if "clustering" in wanted:
        results["clustering"] = clustering(embedder)
    if "mapping" in wanted:
        results["mapping"] = mapping(embedder)
    if "stance" in wanted:
        key = "stance" if first_seed == 0 else f"stance_seeds_{first_seed}"
        results[key] = stance(embedder, first_seed)
    if "speed" in wanted:
        results["speed"] = speed(ROOT / "benchmarks" / "results" / "text_speed_cache")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
